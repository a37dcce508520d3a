"""Back-test of the choice model on real closures: where did the pupils of a closed vestiging go?

A closure is a vestiging with pupils in an origin count (2016 or 2017) and none in
the last count that the forecast back-test's unit matching (:func:`dekkend.forecast.units.match_units`)
calls ``gesloten``: no same code, no new code at the same address. Its pupils at the
origin are compared with the **observed gains** of the vestigingen within
:data:`NEIGHBOUR_KM` road km that exist in both years: the pupils counted in the last
year minus the origin count times the national trend of all vestigingen that exist
in both years (their own trend beyond the national one is not known from two counts).
The model predicts the receivers as a scenario does (:meth:`Market.rechoose`) with
optional terms for the same board and the same denomination.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dekkend.forecast.units import match_units
from dekkend.ingest._text import estimated_count
from dekkend.scenarios.engine import Market, build_market

#: Only vestigingen this close (road km) to a closed one count as its possible receivers.
NEIGHBOUR_KM = 30.0


@dataclass(frozen=True)
class Closure:
    """One real closure and what its neighbours gained."""

    vestigingscode: str
    jaar: int
    leerlingen: float
    gains: pd.Series  # observed gain per neighbour (positive part)


def _counts(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    p = tables["leerlingen"]
    return p.assign(n=estimated_count(p)).groupby(["vestigingscode", "schooljaar"])["n"].sum().unstack(fill_value=0.0)


def find_closures(
    tables: dict[str, pd.DataFrame], target: int = 2019, origins: tuple[int, ...] = (2016, 2017)
) -> list[Closure]:
    """The real closures between ``origins`` and ``target`` with their neighbours' observed gains."""
    counts = _counts(tables)
    out: list[Closure] = []
    seen: set[str] = set()
    for origin in sorted(origins, reverse=True):  # the last count with pupils is the origin
        if origin not in counts.columns or target not in counts.columns:
            continue
        o_codes = counts.index[counts[origin] > 0].tolist()
        t_codes = counts.index[counts[target] > 0].tolist()
        units = match_units(tables, o_codes, t_codes, origin, target)
        gone = units[(units["kant"] == "peiljaar") & (units["koppeling"] == "gesloten")]["vestigingscode"]
        both = counts[(counts[origin] > 0) & (counts[target] > 0)]
        trend = float(both[target].sum() / both[origin].sum())
        gain = (both[target] - both[origin] * trend).clip(lower=0.0)
        for code in sorted(set(gone) - seen):
            seen.add(code)
            out.append(Closure(code, origin, float(counts.loc[code, origin]), gain))
    return out


def _shares(
    market: Market,
    closure: Closure,
    candidates: list[str],
    board: np.ndarray,
    denom: np.ndarray,
    board_term: float,
    denom_term: float,
) -> tuple[np.ndarray, list[str]]:
    j = market.column(closure.vestigingscode)
    assert j is not None and market.utility is not None  # the caller checked j; build_market sets the utilities
    cols = [col for c in candidates if (col := market.column(c)) is not None]  # the caller passes known ones
    u = market.utility[:, cols].copy()
    u = u + board_term * (board[cols] == board[j])[None, :] + denom_term * (denom[cols] == denom[j])[None, :]
    q = np.exp(u - u.max(axis=1, keepdims=True))
    q /= q.sum(axis=1, keepdims=True)
    return market.origin_of(closure.vestigingscode) @ q, candidates


def closure_backtest(
    tables: dict[str, pd.DataFrame],
    closures: list[Closure],
    *,
    decay: float | None = None,
    terms: tuple[tuple[float, float], ...] = ((0.0, 0.0),),
) -> pd.DataFrame:
    """Per closure: pupils, the predicted top-3 receivers, the observed gain there and the share found.

    One block of rows per (same-board term, same-denomination term) in ``terms`` (columns
    ``bestuur_term, denominatie_term``) and
    ``vestigingscode, jaar, leerlingen, top3, gevonden_top3, aandeel_top3, loglik``:
    ``gevonden_top3`` is the observed gain at the predicted top 3 (at most the pupils),
    ``loglik`` the multinomial log-likelihood of the observed gains under the predicted shares.
    """
    rows = []
    ves = tables["vestigingen"].drop_duplicates("vestigingscode").set_index("vestigingscode")
    located = ves.index[ves["x_rd"].notna() & ves["y_rd"].notna()]
    tables = {**tables, "leerlingen": tables["leerlingen"][tables["leerlingen"]["vestigingscode"].isin(located)]}
    for year in sorted({c.jaar for c in closures}):
        market = build_market(tables, year, decay=decay)
        board = pd.Series(market.codes).map(ves["bestuur"].astype(str)).fillna("?").to_numpy(object)
        denom = pd.Series(market.codes).map(ves["denominatie"].astype(str)).fillna("?").to_numpy(object)
        for c in (c for c in closures if c.jaar == year):
            j = market.column(c.vestigingscode)
            if j is None:
                continue
            near = market.km[:, j]
            w = market.origin_of(c.vestigingscode)
            home = np.argmax(w)
            cand = [
                k
                for k in c.gains.index
                if market.column(k) is not None
                and k != c.vestigingscode
                and market.km[home, market.column(k)] <= NEIGHBOUR_KM + near[home]
            ]
            if not cand:
                continue
            for board_term, denom_term in terms:
                share, names = _shares(market, c, cand, board, denom, board_term, denom_term)
                g = c.gains.reindex(names).fillna(0.0).to_numpy(float)
                top = np.argsort(-share)[:3]
                found = min(float(g[top].sum()), c.leerlingen)
                ll = float((g * np.log(np.maximum(share, 1e-12))).sum())
                rows.append(
                    {
                        "bestuur_term": board_term,
                        "denominatie_term": denom_term,
                        "vestigingscode": c.vestigingscode,
                        "jaar": year,
                        "leerlingen": c.leerlingen,
                        "top3": "+".join(names[i] for i in top),
                        "gevonden_top3": found,
                        "aandeel_top3": found / c.leerlingen if c.leerlingen > 0 else 0.0,
                        "loglik": ll,
                    }
                )
    return pd.DataFrame(
        rows,
        columns=[
            "bestuur_term",
            "denominatie_term",
            "vestigingscode",
            "jaar",
            "leerlingen",
            "top3",
            "gevonden_top3",
            "aandeel_top3",
            "loglik",
        ],
    )
