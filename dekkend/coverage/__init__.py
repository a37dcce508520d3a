"""Coverage: reachability of every onderwijstype and vmbo-profiel from every home area, and viability.

- :mod:`~dekkend.coverage.offer`: the offer per year, and in forecast years the offer "zonder ingrijpen";
- :mod:`~dekkend.coverage.kinds`: onderwijstypen, profielen and groups as sets of vestigingen;
- :mod:`~dekkend.coverage.children`: children aged 12-17 per PC4 (the weights);
- :mod:`~dekkend.coverage.reach`: the table per PC4 x onderwijstype and the indicators against the norm;
- :mod:`~dekkend.coverage.run`: :func:`reachability`, the one call behind ``dekkend bereikbaarheid``.
"""

from dekkend.coverage.children import (
    ChildEstimator,
    Children,
    children_12_17,
    po_cohorts,
    population_bands,
)
from dekkend.coverage.kinds import GROUPS, REACH_KINDS, is_openbaar, offer_masks
from dekkend.coverage.offer import (
    FORECAST_COLUMNS,
    OFFER_COLUMNS,
    OfferThresholds,
    forecast_upper_years,
    observed_offer,
    offer_by_year,
    offer_in_year,
    offer_years,
)
from dekkend.coverage.reach import (
    DEFAULT_NORM_KM,
    INDICATOR_COLUMNS,
    RADII,
    TABLE_COLUMNS,
    Norms,
    indicator_rows,
    reach_table,
)
from dekkend.coverage.run import GeenPrognose, Reachability, current_year, reachability, region_pc4

__all__ = [
    "DEFAULT_NORM_KM",
    "FORECAST_COLUMNS",
    "GROUPS",
    "INDICATOR_COLUMNS",
    "OFFER_COLUMNS",
    "RADII",
    "REACH_KINDS",
    "TABLE_COLUMNS",
    "ChildEstimator",
    "Children",
    "GeenPrognose",
    "Norms",
    "OfferThresholds",
    "Reachability",
    "children_12_17",
    "current_year",
    "forecast_upper_years",
    "indicator_rows",
    "is_openbaar",
    "observed_offer",
    "offer_by_year",
    "offer_in_year",
    "offer_masks",
    "offer_years",
    "po_cohorts",
    "population_bands",
    "reach_table",
    "reachability",
    "region_pc4",
]
