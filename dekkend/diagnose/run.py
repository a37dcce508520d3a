"""Diagnose a region: every knelpunt rule on one context, with reachability now and after the lookahead."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from dekkend.coverage.children import ChildEstimator
from dekkend.coverage.offer import offer_by_year, offer_table
from dekkend.coverage.run import reachability
from dekkend.diagnose import rules
from dekkend.diagnose.boards import board_impact, board_notes
from dekkend.diagnose.context import build_context, locations_of
from dekkend.diagnose.model import SEVERITIES, TYPES, Diagnosis, Knelpunt
from dekkend.diagnose.profielen import profiel_overview
from dekkend.geo import DistanceMatrix, distance_matrix
from dekkend.norms import Settings, load_norms, load_settings
from dekkend.norms.funding import load_funding
from dekkend.regions import select_region

#: Knelpunt types about a vestiging's own size; not reported for a vestiging that a scenario closes.
SIZE_TYPES = ("kleine-bovenbouw", "onder-norm", "sterke-daling")


def diagnose(
    tables: dict[str, pd.DataFrame],
    regio: str | None,
    *,
    as_of: int | None = None,
    horizon: int = 10,
    thresholds_file: Path | None = None,
    norms_file: Path | None = None,
    funding_file: Path | None = None,
    matrix: DistanceMatrix | None = None,
    forecast: pd.DataFrame | None = None,
    settings: Settings | None = None,
    offer: pd.DataFrame | None = None,
    children: ChildEstimator | None = None,
    closed: Mapping[str, int] | None = None,
) -> Diagnosis:
    """The knelpunten of region ``regio`` as of the latest count (or ``as_of``), with evidence and board impact.

    The forecast is the cohort model; the offer "zonder ingrijpen" drops an
    offering when its forecast upper years fall below the thresholds
    (:func:`dekkend.diagnose.context.offer_thresholds`); reachability is
    computed for the count year and for the end of the lookahead. Pass
    ``matrix`` (:func:`dekkend.geo.distance_matrix`) to reuse distances across
    many regions, and ``forecast`` (a cohort forecast frame) to reuse one forecast.
    ``offer`` is the no-action offer for the reachability, when the caller
    already has it: :func:`dekkend.coverage.offer.offer_by_year` of
    ``tables["aanbod"]`` with the region's forecast, the thresholds of
    ``settings`` and ``tables["aanbod_opgave"]``; ``children`` a
    :class:`dekkend.coverage.children.ChildEstimator` of ``tables`` to share.
    ``closed`` maps vestigingen a scenario closes (or merges away) to the first
    school year without them: for those closed within the lookahead, the
    knelpunten about their own size (:data:`SIZE_TYPES`) are left out, since
    the closure is the answer to them; what it does elsewhere shows in the
    other knelpunten. A closure after the lookahead changes nothing here.
    """
    region = select_region(tables, regio)
    settings = settings if settings is not None else load_settings(thresholds_file)
    norms = load_norms(norms_file)
    ctx = build_context(tables, region, settings, norms, as_of=as_of, horizon=horizon, forecast=forecast)
    found: list[Knelpunt] = []
    found += rules.kleine_bovenbouw(ctx)
    under, checks = rules.onder_norm(ctx)
    found += under
    found += rules.sterke_daling(ctx)
    found += rules.aanbod_verdwijnt(ctx)
    found += rules.enige_aanbieder(ctx)
    later_year = ctx.origin + ctx.lookahead
    matrix = matrix if matrix is not None else distance_matrix(tables)
    if offer is None:
        offer = offer_by_year(
            offer_table(tables),
            ctx.forecast,
            ctx.thresholds,
            opgave=tables.get("aanbod_opgave"),
            locations=locations_of(tables),
        )
    children = children if children is not None else ChildEstimator(tables)
    now = reachability(
        tables,
        ctx.origin,
        region=region,
        forecast=ctx.forecast,
        thresholds=ctx.thresholds,
        matrix=matrix,
        offer=offer,
        children=children,
    ).table
    later = reachability(
        tables,
        later_year,
        region=region,
        forecast=ctx.forecast,
        thresholds=ctx.thresholds,
        matrix=matrix,
        offer=offer,
        children=children,
    ).table
    found += rules.witte_vlek(ctx, now, later, later_year)
    found += rules.openbaar_onbereikbaar(ctx, now)
    found += rules.isolatie_afhankelijk(ctx, load_funding(funding_file).isolation_supplement())
    gone = {code for code, year in (closed or {}).items() if year <= ctx.origin + ctx.lookahead}
    found = [k for k in found if not (k.type in SIZE_TYPES and k.vestigingen and set(k.vestigingen) <= gone)]
    order = {s: i for i, s in enumerate(SEVERITIES)}
    found.sort(key=lambda k: (order[k.ernst], TYPES.index(k.type), k.titel))
    impact = board_impact(ctx, found)
    return Diagnosis(
        regio=region.label,
        regio_expressie=region.expression,
        peiljaar=ctx.origin,
        horizon=horizon,
        knelpunten=tuple(found),
        besturen=impact,
        checks=pd.DataFrame(checks),
        settings=dict(settings.values),
        notities=board_notes(ctx, impact),
        profielen=profiel_overview(ctx),
    )
