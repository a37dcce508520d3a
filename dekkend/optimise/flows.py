"""Where the pupils of a closed offering go: first-order choice shares and home areas, from the scenario market.

The scenario engine (:mod:`dekkend.scenarios.engine`) moves the pupils of a stopped
offering ``k`` of key ``c`` (``vmbo-k`` or ``vmbo-k/groen``) like this: they live in
area ``i`` in proportion to ``P[i, k] * children_i`` (the calibrated choice model) and
choose again among the vestigingen that offer ``c``, in proportion to ``P[i, j]``
(independence of irrelevant alternatives); an area without any candidate in its
choice set sends its pupils to the nearest candidate. :func:`first_order_shares`
gives, for every offering, the share that goes to every other offering of its key
when only that offering stops: the linear part of the engine's reallocation.
:func:`homes_matrix` gives the same home areas for closest assignment.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

import numpy as np
from scipy import sparse

from dekkend.scenarios.engine import MIN_SHARE, receivers


class MarketLike(Protocol):
    """What is read from :class:`dekkend.scenarios.engine.Market` (read-only, as that class is frozen)."""

    @property
    def areas(self) -> np.ndarray: ...

    @property
    def codes(self) -> np.ndarray: ...

    @property
    def prob(self) -> np.ndarray: ...

    @property
    def km(self) -> np.ndarray: ...

    @property
    def children(self) -> np.ndarray: ...


def origins(market: MarketLike, codes: Sequence[str]) -> np.ndarray:
    """``(len(codes), n_areas)``: where the pupils of each vestiging live (rows sum to 1; 0 when unknown).

    The same weights as ``Market.origin_of``: ``P[:, j] * children``, or
    ``exp(-km) * children`` when the choice model gives the vestiging no one.
    """
    col = {str(c): j for j, c in enumerate(market.codes)}
    out = np.zeros((len(codes), len(market.areas)))
    for r, code in enumerate(codes):
        j = col.get(str(code))
        if j is None:
            continue
        w = market.prob[:, j] * market.children
        if w.sum() <= 0:
            w = np.exp(-market.km[:, j]) * market.children
        total = w.sum()
        out[r] = w / total if total > 0 else w
    return out


def first_order_shares(
    market: MarketLike,
    candidates: Mapping[str, Iterable[str]],
    senders: Sequence[tuple[str, str]],
    *,
    min_share: float | None = None,
) -> tuple[dict[tuple[int, str, str], float], np.ndarray]:
    """Shares of each sender's pupils per receiving offering when only that sender stops.

    As step 1 of :func:`dekkend.scenarios.engine.apply_scenario`: the candidates are
    the vestigingen offering the key (without the sender); when nobody else offers
    a profiel, the vestigingen offering its leerweg (any profiel) receive the pupils
    in their leerweg. Candidates below ``min_share`` of the total (the engine's
    ``MIN_SHARE``) are left out; unlike the engine the rest is *not* renormalised,
    so the shares never exceed what the engine moves (see :mod:`dekkend.optimise.model`).

    Parameters
    ----------
    market
        The scenario market (choice probabilities, distances, children per area).
    candidates
        Per key (``havo``, ``vmbo-k/groen``) the vestigingen that offer it in the
        count year, anywhere.
    senders
        ``(vestigingscode, key)`` of every offering that may stop.
    min_share
        Shares at or below this fraction of the total are dropped (default: the
        engine's ``MIN_SHARE``).

    Returns
    -------
    (dict, numpy.ndarray)
        ``{(sender index, receiving vestigingscode, receiving key): share}`` and per
        sender the total share that reaches a candidate.
    """
    if min_share is None:
        min_share = MIN_SHARE
    col = {str(c): j for j, c in enumerate(market.codes)}
    out: dict[tuple[int, str, str], float] = {}
    reached = np.zeros(len(senders))
    weights = origins(market, [code for code, _ in senders])
    groups: dict[tuple[str, str], list[int]] = {}
    for s, (code, key) in enumerate(senders):
        _, receiving = receivers(candidates, key, code)
        groups.setdefault((key, receiving), []).append(s)
    for (key, receiving), idx in groups.items():
        pool = candidates.get(receiving if receiving != key else key, ())
        if receiving != key:
            pool = {
                c for k, codes in candidates.items() if k == receiving or k.startswith(receiving + "/") for c in codes
            }
        names = sorted({str(c) for c in pool} & set(col))
        if not names:
            continue
        shares = _rechoose_many(market, weights[idx], names, [senders[s][0] for s in idx])
        for r, s in enumerate(idx):
            share = shares[r]
            total = share.sum()
            if total <= 0:
                continue
            share = np.where(share > min_share * total, share, 0.0)
            for j in np.flatnonzero(share):
                out[(s, names[j], receiving)] = float(share[j])
            reached[s] = float(share.sum())
    return out, reached


def _rechoose_many(market: MarketLike, weights: np.ndarray, names: list[str], own: list[str]) -> np.ndarray:
    """For each sender ``weights[r] @ q`` over ``names`` without the sender itself (``Market.rechoose``)."""
    if getattr(market, "utility", None) is not None:  # the engine's own choice (utility, board and denomination terms)
        out = np.zeros((len(own), len(names)))
        at = {n: a for a, n in enumerate(names)}
        for r, code in enumerate(own):
            keep = [n for n in names if n != code]
            q, _, got = market._choice(keep, False, 12.0, code)  # type: ignore[attr-defined]
            if got:
                out[r, [at[n] for n in got]] = weights[r] @ q
        return out
    col = {str(c): j for j, c in enumerate(market.codes)}
    cols = np.array([col[c] for c in names])
    p = market.prob[:, cols]
    total = p.sum(axis=1)
    position = {c: a for a, c in enumerate(names)}
    self_p = np.zeros((len(own), p.shape[0]))
    for r, code in enumerate(own):
        a = position.get(code)
        if a is not None:
            self_p[r] = p[:, a]
    rest = total[None, :] - self_p
    ok = (rest > 0) & (weights > 0)
    scaled = np.where(ok, weights / np.where(ok, rest, 1.0), 0.0)
    out = scaled @ p
    for r, code in enumerate(own):
        a = position.get(code)
        if a is not None:
            out[r, a] = 0.0
        none = (rest[r] <= 0) & (weights[r] > 0)
        if none.any():
            km = market.km[np.ix_(np.flatnonzero(none), cols)].copy()
            if a is not None:
                km[:, a] = np.inf
            np.add.at(out[r], np.argmin(km, axis=1), weights[r, none])
    return out


def homes_matrix(
    market: MarketLike, codes: Sequence[str], areas: Sequence[str], *, coverage: float = 0.99
) -> sparse.csr_matrix:
    """``(len(codes), len(areas))`` home areas of each vestiging's pupils for closest assignment.

    The smallest set of areas that holds ``coverage`` of the pupils is kept and
    renormalised to 1 (small tails make the model large and change little).
    """
    w = origins(market, codes)
    index = {str(a): i for i, a in enumerate(areas)}
    cols = np.array([index.get(str(a), -1) for a in market.areas])
    rows_out, cols_out, vals_out = [], [], []
    for r in range(len(codes)):
        order = np.argsort(-w[r], kind="stable")
        cum = np.cumsum(w[r, order])
        n_keep = int(np.searchsorted(cum, coverage * cum[-1])) + 1 if cum[-1] > 0 else 0
        pick = order[:n_keep]
        pick = pick[(cols[pick] >= 0) & (w[r, pick] > 0)]
        if not len(pick):
            continue
        v = w[r, pick] / w[r, pick].sum()
        rows_out.append(np.full(len(pick), r))
        cols_out.append(cols[pick])
        vals_out.append(v)
    if not rows_out:
        return sparse.csr_matrix((len(codes), len(areas)))
    return sparse.csr_matrix(
        (np.concatenate(vals_out), (np.concatenate(rows_out), np.concatenate(cols_out))), shape=(len(codes), len(areas))
    )
