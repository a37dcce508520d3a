"""Per vmbo profiel: where it is taught, its pupils over the years, who keeps it.

For each profiel (and the technical route without profiel) taught in the
region in the count year: its locations with the upper-year pupils per
leerweg, the region's combined upper-year pupils per year (count, then the
cohort forecast), and per location what the no-action view says by the end
of the lookahead:

- ``zelfstandig``: its own pupils stay at or above the profiel drempel every year;
- ``samen``: its own pupils fall below the drempel, but with the pupils of the
  offerings that stop (the re-choice of :func:`dekkend.coverage.offer.rechoose`)
  it stays;
- ``stopt``: it falls below the drempel even so; ``opvang`` names where its pupils go.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dekkend.diagnose.context import VMBO, Context

#: The verdicts per location, in order of strength.
VERDICTS = ("zelfstandig", "samen", "stopt")


@dataclass(frozen=True)
class ProfielLocation:
    """One location teaching a profiel."""

    vestigingscode: str
    naam: str
    bestuur: str
    leerlingen_per_leerweg: dict[str, float]
    oordeel: str
    jaar_onder_drempel: int | None
    opvang: str | None

    def to_dict(self) -> dict:
        per = {k: round(v, 1) for k, v in self.leerlingen_per_leerweg.items()}
        return {
            "vestigingscode": self.vestigingscode,
            "naam": self.naam,
            "bestuur": self.bestuur,
            "leerlingen_per_leerweg": per,
            "oordeel": self.oordeel,
            "jaar_onder_drempel": self.jaar_onder_drempel,
            "opvang": self.opvang,
        }


@dataclass(frozen=True)
class ProfielView:
    """A profiel in the region: locations, combined pupils per year, drempel, deciding boards."""

    profiel: str
    drempel: float
    locaties: tuple[ProfielLocation, ...]
    samen_per_jaar: dict[int, float]
    besturen: tuple[str, ...]

    def of(self, verdict: str) -> tuple[ProfielLocation, ...]:
        """The locations with one verdict (:data:`VERDICTS`)."""
        return tuple(loc for loc in self.locaties if loc.oordeel == verdict)

    def to_dict(self) -> dict:
        return {
            "profiel": self.profiel,
            "drempel_bovenbouw": self.drempel,
            "locaties": [loc.to_dict() for loc in self.locaties],
            "samen_per_jaar": {int(y): round(v, 1) for y, v in self.samen_per_jaar.items()},
            "besturen": list(self.besturen),
        }


def profiel_overview(ctx: Context) -> tuple[ProfielView, ...]:
    """One :class:`ProfielView` per profiel taught in the region in the count year, by slug."""
    offer = ctx.offer[ctx.offer["profiel"].notna() & ctx.offer["onderwijstype"].isin(VMBO)]
    base = offer[offer["jaar"] == ctx.origin]
    until = ctx.origin + ctx.lookahead
    views = []
    for prof, rows in base.groupby("profiel", sort=True):
        codes = sorted(set(rows["vestigingscode"]))
        years = offer["jaar"]
        later = offer[(offer["profiel"] == prof) & (years > ctx.origin) & (years <= until)]
        drempel = float(ctx.thresholds.per_profiel.get(str(prof), ctx.thresholds.default))
        locations = tuple(_location(ctx, code, rows, later, drempel) for code in codes)
        mine = offer[(offer["profiel"] == prof) & offer["vestigingscode"].isin(codes)]
        sums = mine.groupby("jaar")["leerlingen"].sum(min_count=1).dropna()
        total = {int(y): float(n) for y, n in sums.items()}
        views.append(
            ProfielView(
                str(prof),
                drempel,
                locations,
                dict(sorted(total.items())),
                tuple(sorted({loc.bestuur for loc in locations} - {""})),
            )
        )
    return tuple(views)


def _location(ctx: Context, code: str, base: pd.DataFrame, later: pd.DataFrame, drempel: float) -> ProfielLocation:
    """The verdict of one location: own forecast pupils (over its leerwegen) against the drempel."""
    mine = base[base["vestigingscode"] == code]
    pupils = mine["leerlingen"].astype(float)
    per_leerweg = {str(t): float(n) for t, n in zip(mine["onderwijstype"], pupils, strict=True)}
    rows = later[later["vestigingscode"] == code]
    own = rows.groupby("jaar")["leerlingen"].sum(min_count=1).dropna()
    below = [int(y) for y, n in own.items() if n < drempel]
    gone = rows[rows["verdwijnt"].astype(bool)]
    if len(gone):
        verdict = "stopt"
        taker = rows["opvang"].dropna()
        opvang = str(taker.iloc[0]) if len(taker) else None
    else:
        verdict, opvang = ("samen" if below else "zelfstandig"), None
    return ProfielLocation(
        code, ctx.name(code), ctx.board(code), per_leerweg, verdict, int(below[0]) if below else None, opvang
    )


def combined_pupils(view: ProfielView, years: list[int]) -> list[float]:
    """The combined upper-year pupils of ``view`` in ``years`` (NaN where unknown)."""
    return [view.samen_per_jaar.get(y, np.nan) for y in years]
