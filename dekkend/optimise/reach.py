"""Children within the norm distance per kind, computed by the code of ``dekkend bereikbaarheid``.

The optimiser's columns "nu", "zonder ingrijpen" and "optimaal" all come from
:func:`dekkend.coverage.run.reachability` on one no-action offer
(:func:`dekkend.coverage.offer.offer_by_year`, as :func:`dekkend.diagnose.diagnose` builds it):
"nu" for the last counted year, "zonder ingrijpen" for the first year of the configuration, and
"optimaal" for
that year with the region's offerings set to the configuration.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from dekkend.coverage.children import ChildEstimator
from dekkend.coverage.offer import OfferThresholds, offer_table
from dekkend.coverage.run import reachability
from dekkend.geo import DistanceMatrix
from dekkend.regions import Region


@dataclass(frozen=True, eq=False)
class ReachContext:
    """What :func:`dekkend.coverage.run.reachability` needs, kept to evaluate configurations."""

    tables: dict[str, pd.DataFrame]
    region: Region
    forecast: pd.DataFrame
    thresholds: OfferThresholds
    matrix: DistanceMatrix
    offer: pd.DataFrame
    children: ChildEstimator
    norm_km: float

    def within_norm(self, year: int, offer: pd.DataFrame | None = None) -> pd.DataFrame:
        """Per kind: ``onderwijstype, kinderen, binnen_norm, aandeel`` in ``year`` (its children).

        ``offer`` replaces the no-action offer (same columns), e.g. with a configuration applied.
        """
        table = reachability(
            self._tables_with_routes,
            int(year),
            region=self.region,
            matrix=self.matrix,
            forecast=self.forecast,
            thresholds=self.thresholds,
            offer=self.offer if offer is None else offer,
            children=self.children,
        ).table
        kids = table["kinderen_12_17"].fillna(0.0).to_numpy(float)
        km = table["afstand_km"].to_numpy(float)
        within = np.isfinite(km) & (km <= self.norm_km)
        frame = pd.DataFrame({"onderwijstype": table["onderwijstype"], "k": kids, "b": kids * within})
        out = frame.groupby("onderwijstype", sort=False)[["k", "b"]].sum()
        out = out.rename(columns={"k": "kinderen", "b": "binnen_norm"}).reset_index()
        out["aandeel"] = np.where(
            out["kinderen"] > 0,
            out["binnen_norm"] / out["kinderen"].where(out["kinderen"] > 0, 1.0),
            np.nan,
        )
        return out

    @cached_property
    def _tables_with_routes(self) -> dict[str, pd.DataFrame]:
        """``tables`` with ``aanbod`` as :func:`reachability` reads it (the technical routes added), built once:
        every evaluation then skips deriving the routes from ``leerlingen`` again (same figures)."""
        return {**self.tables, "aanbod": offer_table(self.tables)}


def configured_offer(offer: pd.DataFrame, year: int, rows: Iterable[tuple[str, str, object, bool]]) -> pd.DataFrame:
    """The no-action offer with the region's decided offerings in ``year`` set by a configuration.

    ``rows``: ``(vestigingscode, onderwijstype, profiel, keep)``; a kept offering is present
    (``verdwijnt`` false), a closed one absent. Other rows and years are unchanged.
    """
    decided = {(str(v), str(t), p if isinstance(p, str) and p else ""): bool(k) for v, t, p, k in rows}
    out = offer.copy()
    at = np.flatnonzero((out["jaar"] == year).to_numpy())
    prof = out["profiel"].astype(object).where(out["profiel"].notna(), "").to_numpy(object)
    codes = out["vestigingscode"].astype(str).to_numpy(object)
    types = out["onderwijstype"].astype(str).to_numpy(object)
    gone = out["verdwijnt"].to_numpy(bool).copy()
    for i in at:
        keep = decided.get((codes[i], types[i], prof[i]))
        if keep is not None:
            gone[i] = not keep
    out["verdwijnt"] = gone
    return out
