"""Opportunities (kansen): offerings that disappear alone but could stay together.

An offering (type, or type and profiel) that disappears without action within
the report's horizon has a *kans* when vestigingen within ``RADIUS_KM`` (road
distance: straight line times the detour factor) offer the same in the count
year and their forecast upper-year pupils together reach the threshold of one
offering: one shared offering (or an exchange of profielen) could then keep it
in the region.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dekkend.geo import DETOUR_FACTOR

#: Road distance within which vestigingen could share an offering (km).
RADIUS_KM = 10.0


@dataclass(frozen=True)
class Kans:
    """One opportunity: vestigingen that together keep an offering above its threshold."""

    onderwijstype: str
    profiel: str | None
    vestigingen: tuple[str, ...]
    verdwijnen: tuple[str, ...]
    besturen: tuple[str, ...]
    samen: float
    drempel: float
    jaar: int


def chances(offer: pd.DataFrame, ves: pd.DataFrame, origin: int, later: int) -> list[Kans]:
    """The opportunities among the region's vestigingen in year ``later`` (see the module docstring).

    Parameters
    ----------
    offer
        The offer per year with the no-action flags (``Reachability.offer``).
    ves
        Vestigingen with ``vestigingscode, x, y, bestuur, in_regio``.
    origin, later
        The count year and the year judged.
    """
    region = ves[ves["in_regio"]].dropna(subset=["x", "y"]).set_index("vestigingscode")
    o = offer[offer["vestigingscode"].isin(region.index)].copy()
    o["key"] = list(zip(o["onderwijstype"], o["profiel"].astype(object).where(o["profiel"].notna(), None), strict=True))
    base = o[(o["jaar"] == origin) & (o["onderwijstype"] != "onderbouw")]
    end = {(r.vestigingscode, r.key): r for r in o[o["jaar"] == later].itertuples(index=False)}
    out: list[Kans] = []
    for key, g in base.groupby("key", sort=True):
        codes = sorted(set(g["vestigingscode"]))
        rows = [end.get((c, key)) for c in codes]
        gone = [c for c, r in zip(codes, rows, strict=True) if r is not None and bool(r.verdwijnt)]
        if not gone or len(codes) < 2:
            continue
        pupils = {c: float(r.leerlingen) if r is not None else 0.0 for c, r in zip(codes, rows, strict=True)}
        limit = max(float(r.drempel) for r in rows if r is not None)
        for group in _groups(region.loc[codes, ["x", "y"]]):
            lost = [c for c in group if c in gone]
            together = sum(pupils[c] for c in group)
            if len(group) < 2 or not lost or together < limit:
                continue
            boards = tuple(sorted(set(region.loc[group, "bestuur"].astype(str))))
            out.append(Kans(key[0], key[1], tuple(group), tuple(lost), boards, together, limit, later))
    return sorted(out, key=lambda k: (-len(k.verdwijnen), k.onderwijstype, k.profiel or ""))


def _groups(xy: pd.DataFrame) -> list[list[str]]:
    """Connected groups of vestigingen whose road distance is at most :data:`RADIUS_KM`."""
    codes = list(xy.index)
    pts = xy.to_numpy(float)
    d = np.hypot(pts[:, None, 0] - pts[None, :, 0], pts[:, None, 1] - pts[None, :, 1]) * DETOUR_FACTOR
    seen: set[int] = set()
    groups = []
    for i in range(len(codes)):
        if i in seen:
            continue
        stack, members = [i], []
        seen.add(i)
        while stack:
            j = stack.pop()
            members.append(codes[j])
            for k in np.flatnonzero(d[j] <= RADIUS_KM):
                if int(k) not in seen:
                    seen.add(int(k))
                    stack.append(int(k))
        groups.append(sorted(members))
    return groups
