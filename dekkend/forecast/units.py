"""Matching vestigingen and schools across years, so a back-test compares a forecast with the same place.

A forecast made for the vestigingen counted at the origin is compared with the
count of a later year. Codes change without the pupils moving: a school gets a
new BRIN after a merger, a location a new vestigingsnummer, and the 2012/13 file
sometimes books a whole BRIN on its 00 vestiging. Scoring code against code
would count such a change twice as an error. A **matched unit** is a connected
group of origin and target codes, linked by:

- ``zelfde code``: the same vestigingscode in both years;
- ``zelfde adres``: the origin address (postcode + house number) or RD point
  (within :data:`SAME_SITE_M` metres) of an origin code equals that of a target
  code (a new code at the same site);
- ``brin op een vestiging``: a BRIN counted on one vestiging at the origin and on
  several at the target: all of them form one unit.

Units that exist on one side only stay: ``gesloten`` (forecast, nothing counted)
and ``nieuw`` (counted, no forecast). At BRIN level the same links join BRINs
(a site that moved from one BRIN to another links the two). Matching uses the
addresses of all years: it is scoring after the fact, not forecasting.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from dekkend.forecast.asof import cutoff

#: Two points closer than this are one site.
SAME_SITE_M = 150.0


def addresses(tables: dict[str, pd.DataFrame], year: int, side: str) -> pd.DataFrame:
    """Address key and RD point per vestiging.

    The source nearest before ``year`` (origin side) or the newest (target side).

    The target side does not depend on ``year``: it is always the newest address.
    """
    src = tables.get("vestigingen_bron")
    ves = tables.get("vestigingen")
    frames = []
    if src is not None and len(src):
        s = src.copy()
        # count files name a vestiging without its address: only rows with an address or point count
        located = s["pc6"].notna() if "pc6" in s.columns else pd.Series(False, index=s.index)
        if {"x_rd", "y_rd"} <= set(s.columns):
            located |= s["x_rd"].notna() & s["y_rd"].notna()
        s = s[located]
        s["_d"] = pd.to_datetime(s["peildatum"])
        if side == "origin":
            before = s[s["_d"] <= cutoff(year)]
            after = s[~s.index.isin(before.index)]
            # the latest source on or before the year, else the earliest after it
            s = pd.concat([after.sort_values("_d", ascending=False), before.sort_values("_d")])
            s = s.drop_duplicates("vestigingscode", keep="last")
        else:
            s = s.sort_values("_d").drop_duplicates("vestigingscode", keep="last")
        frames.append(s)
    if ves is not None and len(ves):
        frames.append(ves)
    if not frames:
        return pd.DataFrame(columns=["adres", "x_rd", "y_rd"])
    out = pd.concat(frames, ignore_index=True).drop_duplicates("vestigingscode").set_index("vestigingscode")
    hn = (
        out["huisnummer"].astype("string").str.extract(r"(\d+)")[0]
        if "huisnummer" in out.columns
        else pd.Series(pd.NA, index=out.index)
    )
    pc6 = out["pc6"].astype("string") if "pc6" in out.columns else pd.Series(pd.NA, index=out.index)
    key = (pc6 + "|" + hn).where(pc6.notna() & hn.notna())
    xy = (
        out[["x_rd", "y_rd"]]
        if {"x_rd", "y_rd"} <= set(out.columns)
        else pd.DataFrame(np.nan, index=out.index, columns=["x_rd", "y_rd"])
    )
    if side == "target" and ves is not None and len(ves):
        newest = ves.drop_duplicates("vestigingscode").set_index("vestigingscode")[["x_rd", "y_rd"]]
        xy = newest.reindex(out.index).fillna(xy)
    return pd.DataFrame(
        {"adres": key, "x_rd": xy["x_rd"].astype(float), "y_rd": xy["y_rd"].astype(float)}, index=out.index
    )


def _edges(
    tables: dict[str, pd.DataFrame],
    origin_codes: list[str],
    target_codes: list[str],
    origin: int,
    target: int,
    sites: tuple[pd.DataFrame | None, pd.DataFrame | None] = (None, None),
) -> list[tuple[str, str, str]]:
    """(origin code, target code, link) for every link between the two years."""
    from scipy.spatial import cKDTree

    edges = [(c, c, "zelfde code") for c in sorted(set(origin_codes) & set(target_codes))]
    a = (sites[0] if sites[0] is not None else addresses(tables, origin, "origin")).reindex(origin_codes)
    b = (sites[1] if sites[1] is not None else addresses(tables, target, "target")).reindex(target_codes)
    ka, kb = a["adres"].dropna(), b["adres"].dropna()
    same = pd.merge(ka.rename("k").reset_index(), kb.rename("k").reset_index(), on="k", suffixes=("_a", "_b"))
    edges += [(x, y, "zelfde adres") for x, y in zip(same.iloc[:, 0], same.iloc[:, 2], strict=True) if x != y]
    pa, pb = a[["x_rd", "y_rd"]].dropna(), b[["x_rd", "y_rd"]].dropna()
    if len(pa) and len(pb):
        tree = cKDTree(pb.to_numpy(float))
        for code, near in zip(pa.index, tree.query_ball_point(pa.to_numpy(float), SAME_SITE_M), strict=True):
            edges += [(code, pb.index[j], "zelfde adres") for j in near if pb.index[j] != code]
    per_brin = pd.Series(origin_codes, dtype=object).str.slice(0, 4).value_counts()
    single = {b_: [c for c in origin_codes if c[:4] == b_][0] for b_ in per_brin[per_brin == 1].index}
    edges += [
        (single[c[:4]], c, "brin op een vestiging") for c in target_codes if c[:4] in single and single[c[:4]] != c
    ]
    return edges


def _components(nodes: list[str], edges: list[tuple[str, str, str]]) -> np.ndarray:
    idx = {n: i for i, n in enumerate(nodes)}
    if edges:
        r = np.array([idx[e[0]] for e in edges])
        c = np.array([idx[e[1]] for e in edges])
        g = coo_matrix((np.ones(len(edges)), (r, c)), shape=(len(nodes), len(nodes)))
    else:
        g = coo_matrix((len(nodes), len(nodes)))
    return connected_components(g, directed=False)[1]


def match_units(
    tables: dict[str, pd.DataFrame],
    origin_codes: list[str],
    target_codes: list[str],
    origin: int,
    target: int,
    level: str = "vestiging",
    *,
    sites: tuple[pd.DataFrame | None, pd.DataFrame | None] = (None, None),
) -> pd.DataFrame:
    """The matched unit of every code: ``vestigingscode, kant, eenheid, koppeling``.

    ``sites`` may hold the precomputed :func:`addresses` of the origin and target side.
    ``kant`` is ``peiljaar`` (origin) or ``doeljaar`` (target); a code counted in
    both years has a row for each. ``eenheid`` names the unit by its codes joined
    with ``+`` (at BRIN level: its BRINs); ``koppeling`` lists the links used
    (``zelfde code``, ``zelfde adres``, ``brin op een vestiging``) or says ``gesloten``
    / ``nieuw``.
    """
    origin_codes, target_codes = sorted(set(origin_codes)), sorted(set(target_codes))
    edges = _edges(tables, origin_codes, target_codes, origin, target, sites)
    if level == "brin":
        edges = [(a[:4], b[:4], how if a[:4] != b[:4] else "zelfde code") for a, b, how in edges]
        edges += [(b_, b_, "zelfde code") for b_ in {c[:4] for c in origin_codes} & {c[:4] for c in target_codes}]
        key = lambda c: c[:4]  # noqa: E731
    else:
        key = lambda c: c  # noqa: E731
    o_nodes = sorted({key(c) for c in origin_codes})
    t_nodes = sorted({key(c) for c in target_codes})
    nodes = [f"o:{n}" for n in o_nodes] + [f"t:{n}" for n in t_nodes]
    comp = _components(nodes, [(f"o:{a}", f"t:{b}", h) for a, b, h in edges])
    comp_of = dict(zip(nodes, comp, strict=True))
    members: dict[int, set[str]] = {}
    for n in nodes:
        members.setdefault(comp_of[n], set()).add(n[2:])
    links: dict[int, set[str]] = {}
    for a, _b, how in edges:
        links.setdefault(comp_of[f"o:{a}"], set()).add(how)
    sides: dict[int, set[str]] = {}
    for n in nodes:
        sides.setdefault(comp_of[n], set()).add(n[0])
    rows = []
    for side, codes in (("peiljaar", origin_codes), ("doeljaar", target_codes)):
        for c in codes:
            k = comp_of[f"{'o' if side == 'peiljaar' else 't'}:{key(c)}"]
            how = ", ".join(sorted(links.get(k, set()))) or ("gesloten" if sides[k] == {"o"} else "nieuw")
            rows.append({"vestigingscode": c, "kant": side, "eenheid": "+".join(sorted(members[k])), "koppeling": how})
    return pd.DataFrame(rows)
