"""One call for a reachability analysis: the offer of a year, distances, children and indicators."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dekkend.coverage.children import ChildEstimator
from dekkend.coverage.kinds import REACH_KINDS, is_openbaar, offer_masks
from dekkend.coverage.offer import (
    DEFAULT_MIN_PUPILS,
    OfferThresholds,
    observed_offer,
    offer_by_year,
    offer_in_year,
    offer_table,
    offer_years,
)
from dekkend.coverage.reach import RADII, Norms, indicator_rows, reach_table
from dekkend.errors import ConfiguratieFout, GeenPrognose, RegioFout
from dekkend.formatting import school_year
from dekkend.geo import DistanceMatrix, Nearest, NearestIndex, TravelModel, distance_matrix
from dekkend.regions import Region, pc4_gemeenten


@dataclass(frozen=True, eq=False)
class Reachability:
    """The result of :func:`reachability`.

    Attributes
    ----------
    jaar
        The school year of ``table``.
    basisjaar
        The latest counted year (the start of the forecast).
    prognosejaren
        Forecast years in ``offer`` (empty without a forecast).
    table
        One row per PC4 x onderwijstype (``dekkend.coverage.reach.TABLE_COLUMNS``).
    indicators
        One row per year x onderwijstype (``INDICATOR_COLUMNS``), or ``None``.
    offer
        The offer per year with the no-action flags (``offer_by_year``).
    children_method
        How ``kinderen_12_17`` was estimated for ``jaar`` (Dutch).
    distances
        Where the distances came from (Dutch).
    pc4_without_location
        PC4s of the region without a centroid (left out).
    """

    jaar: int
    basisjaar: int
    prognosejaren: tuple[int, ...]
    table: pd.DataFrame
    indicators: pd.DataFrame | None
    offer: pd.DataFrame
    children_method: str
    distances: str
    pc4_without_location: tuple[str, ...]


def region_pc4(tables: dict[str, pd.DataFrame], region: Region | None) -> list[str] | None:
    """The home areas of a region (``None``: all). A board region uses the gemeenten of its vestigingen."""
    if region is None or region.expression == "nl":
        return None
    if region.pc4:
        return list(region.pc4)
    ves = tables["vestigingen"]
    gems = set(ves.loc[ves["vestigingscode"].isin(region.vestigingen), "gemeentecode"].dropna())
    pc4 = pc4_gemeenten(tables)
    found = sorted(pc4.loc[pc4["gemeentecode"].isin(gems), "pc4"].astype(str))
    if not found:
        raise RegioFout(
            f"regio '{region.expression}' heeft geen postcodegebieden (PC4) om de bereikbaarheid voor te berekenen"
        )
    return found


def _without_location(
    tables: dict[str, pd.DataFrame], wanted: list[str] | None, located: np.ndarray
) -> tuple[str, ...]:
    """Region PC4s without a centroid, except PO-box-only codes (``pc4_woonplaats.soort``)."""
    if wanted is None:
        return ()
    missing = set(wanted) - set(located)
    wp = tables.get("pc4_woonplaats")
    if wp is not None and "soort" in wp.columns and missing:
        kinds = wp[wp["pc4"].isin(missing)].groupby("pc4")["soort"].agg(lambda s: set(s.dropna()))
        missing -= {p for p, k in kinds.items() if k == {"Postbus"}}
    return tuple(sorted(missing))


def _year_offer(
    aanbod: pd.DataFrame,
    offer: pd.DataFrame,
    jaar: int,
    basisjaar: int,
    min_leerlingen: float,
    opgave: pd.DataFrame | None,
) -> pd.DataFrame:
    if jaar <= basisjaar:
        return observed_offer(aanbod, jaar, min_leerlingen=min_leerlingen, opgave=opgave)
    return offer_in_year(offer, jaar)


def _check_year(jaar: int, years: list[int], forecast_years: tuple[int, ...]) -> None:
    if jaar in years or jaar in forecast_years:
        return
    if jaar > years[-1]:
        if forecast_years:
            raise GeenPrognose(
                f"voor schooljaar {school_year(jaar)} is geen prognose beschikbaar; de prognose loopt van "
                f"{forecast_years[0]} tot en met {forecast_years[-1]}"
            )
        raise GeenPrognose(
            f"voor schooljaar {school_year(jaar)} is nog geen prognose beschikbaar: het laatste getelde jaar is "
            f"{school_year(years[-1])}. dekkend verzint geen toekomstig aanbod; geef een prognosebestand op "
            f"(--prognose) of kies een geteld jaar"
        )
    raise ConfiguratieFout(
        f"schooljaar {jaar} komt niet voor in het aanbod; beschikbaar: {', '.join(map(str, years))}"
        + (f", en als prognose {forecast_years[0]}-{forecast_years[-1]}" if forecast_years else "")
    )


def reachability(
    tables: dict[str, pd.DataFrame],
    jaar: int,
    *,
    region: Region | None = None,
    matrix: DistanceMatrix | None = None,
    model: TravelModel | None = None,
    forecast: pd.DataFrame | None = None,
    thresholds: OfferThresholds | None = None,
    norms: Norms | None = None,
    indicators: bool = False,
    min_leerlingen: float = DEFAULT_MIN_PUPILS,
    region_label: str | None = None,
    offer: pd.DataFrame | None = None,
    children: ChildEstimator | None = None,
) -> Reachability:
    """Reachability of every onderwijstype, profiel and group from every home area of a region.

    Parameters
    ----------
    tables
        Workspace tables: ``aanbod``, ``vestigingen``, ``pc4_centroiden`` and,
        for the children, ``kinderen`` and/or ``bevolking_pc4``.
    jaar
        A counted school year, or a forecast year (needs ``forecast``).
    region
        The home areas analysed (``None``: the whole country); destinations
        are always all vestigingen, also across the region's border.
    matrix
        Distances to use (default: estimated with ``model``).
    model
        Detour factor and cycling speed for the estimate (default :class:`TravelModel`).
    forecast
        A forecast frame (``dekkend.coverage.offer.FORECAST_COLUMNS``).
    thresholds
        Minimum forecast upper-year pupils for the no-action offer.
    norms
        Norm distances for the indicators (default 12 km).
    indicators
        Also compute the indicators for the latest counted year and every
        forecast year.
    min_leerlingen
        Upper-year pupils that make an offering in a counted year.
    region_label
        The ``regio`` column of the indicators (default: the region's label).
    offer
        The result of :func:`offer_by_year` for these tables, forecast and
        thresholds, when the caller already has it (several years of one analysis).
    children
        A :class:`ChildEstimator` of these tables' ``kinderen`` and
        ``bevolking_pc4``, when the caller already has one (several analyses).

    Raises
    ------
    GeenPrognose
        ``jaar`` lies after the latest count and the forecast does not cover it.
    """
    aanbod = tables.get("aanbod")
    if aanbod is None or aanbod.empty:
        raise ConfiguratieFout(
            "de werkmap heeft geen aanbod; importeer eerst een leerlingenbestand (01.-leerlingen-vo-...)"
        )
    aanbod = offer_table(tables)
    years = offer_years(aanbod)
    opgave = tables.get("aanbod_opgave")
    if offer is None:
        offer = offer_by_year(aanbod, forecast, thresholds, min_leerlingen=min_leerlingen, opgave=opgave)
    basisjaar = years[-1]
    forecast_years = tuple(sorted(int(y) for y in offer["jaar"].unique() if y > basisjaar))
    _check_year(int(jaar), years, forecast_years)
    full = matrix if matrix is not None else distance_matrix(tables, model)
    wanted = region_pc4(tables, region)
    m = full if wanted is None else full.select(pc4=wanted)
    missing = _without_location(tables, wanted, m.pc4)
    ves = tables["vestigingen"].drop_duplicates("vestigingscode").set_index("vestigingscode")
    public = is_openbaar(ves["denominatie"]) if "denominatie" in ves else None

    index = NearestIndex(m, RADII)
    children = children if children is not None else ChildEstimator(tables)

    def nearest_for(year: int) -> Nearest:
        present = _year_offer(aanbod, offer, year, basisjaar, min_leerlingen, opgave)
        return index.query(offer_masks(present, m.vestigingen, public))

    kids = children.estimate(int(jaar))
    table = reach_table(m.pc4, nearest_for(int(jaar)), kids.per_pc4, REACH_KINDS)
    ind = None
    if indicators:
        label = region_label or (region.label if region is not None and region.expression != "nl" else "Nederland")
        parts = []
        for year in (basisjaar, *forecast_years):
            weights = children.estimate(year).per_pc4
            w = weights.reindex(pd.Index(m.pc4)).fillna(0.0).to_numpy(float) if len(weights) else None
            parts.append(indicator_rows(nearest_for(year), w, norms or Norms(), label, year, REACH_KINDS))
        ind = pd.concat(parts, ignore_index=True)
    return Reachability(int(jaar), basisjaar, forecast_years, table, ind, offer, kids.describe(), m.source, missing)


def current_year(tables: dict[str, pd.DataFrame]) -> int:
    """The latest counted school year in ``aanbod``."""
    aanbod = tables.get("aanbod")
    if aanbod is None or aanbod.empty:
        raise ConfiguratieFout("de werkmap heeft geen aanbod")
    return int(np.max(offer_years(aanbod)))
