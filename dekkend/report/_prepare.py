"""Prepare a werkmap after an import: the national results that every region's analysis shares.

The first analysis of any region on a new werkmap calibrates the national school-choice model of the
forecast (the catchment of every vestiging, :func:`dekkend.forecast.catchment.cached_catchment`) for
the count year and for each back-test year, and the scenarios' national choice model
(:func:`dekkend.scenarios.engine.calibrated_model`). They depend on the data version only, never on
the region, and the werkmap's derived-result cache keeps them. Computing them right after the import
makes the first analysis of every region, in the web workspace or on the command line, as fast as
the second: the work is the same, it is done before anyone waits for a region.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dekkend.cache import DerivedCache
from dekkend.report._collect import ProgressFn, collect
from dekkend.scenarios.engine import calibrated_model


@dataclass(frozen=True)
class Preparation:
    """What :func:`prepare_national` computed: through which small region, for which count year."""

    regio: str
    peiljaar: int
    vestigingen: int


def smallest_current_region(tables: dict[str, pd.DataFrame]) -> str | None:
    """``gemeente:CODE`` of the gemeente with the fewest vestigingen counted in the last count year.

    Its analysis runs on the national count year (the catchments' key), at the least regional cost.
    ``None`` when no counted vestiging has a gemeente.
    """
    pupils, ves = tables.get("leerlingen"), tables.get("vestigingen")
    if pupils is None or ves is None or pupils.empty:
        return None
    last = pupils["schooljaar"].max()
    counted = set(pupils.loc[pupils["schooljaar"] == last, "vestigingscode"].astype(str))
    current = ves[ves["vestigingscode"].astype(str).isin(counted)].dropna(subset=["gemeentecode"])
    if current.empty:
        return None
    sizes = current.groupby(current["gemeentecode"].astype(str)).size()
    smallest = sizes[sizes == sizes.min()].index.min()
    return f"gemeente:{smallest}"


def prepare_national(
    tables: dict[str, pd.DataFrame], cache: DerivedCache | None, *, progress: ProgressFn | None = None
) -> Preparation | None:
    """Compute and store in ``cache`` the national results every region's analysis and scenario shares.

    Runs the report's analyses (:func:`dekkend.report.collect`) for the smallest region on the
    current count year, which stores the catchments of the forecast and the back-test, and
    calibrates the scenarios' choice model for that count year. The numbers of any later analysis
    are the same as without this step (the cache returns what it would compute). ``None`` when
    there is no cache (the tables changed while read) or no counted vestiging to start from.
    """
    regio = smallest_current_region(tables) if cache is not None else None
    if regio is None:
        return None
    data = collect(tables, regio, progress=progress, cache=cache)
    calibrated_model(tables, data.origin, None, cache)
    return Preparation(regio, int(data.origin), len(data.region.vestigingen))
