"""A region "zonder ingrijpen": what every scenario and the optimiser compare with, computed once.

Scenarios of one region differ only in their measures. The forecast and diagnosis of the region
without measures, the distance matrix, the children per home area, the choice model of the count
year (calibrated on the counted intake) and the reachability indicators "zonder ingrijpen" do not
depend on them. :func:`baseline` computes them once into a :class:`Baseline`, an immutable value
that the caller passes on to :func:`dekkend.scenarios.run_scenario`,
:func:`dekkend.optimise.optimise` and the report. Nothing is kept elsewhere: two regions (or two
workspaces) in two threads each have their own baseline, and a baseline is dropped with its last
reference.

The two parts not every caller needs (the calibrated choice model and the indicators for every
forecast year) are computed on first use and then kept on the baseline
(:func:`functools.cached_property`, computed once even when threads ask at the same time).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from dekkend.cache import DerivedCache
from dekkend.coverage.children import ChildEstimator
from dekkend.coverage.run import reachability
from dekkend.diagnose import Diagnosis, diagnose
from dekkend.diagnose.context import offer_thresholds
from dekkend.errors import ConfiguratieFout
from dekkend.forecast.choice import ChoiceModel
from dekkend.geo import DistanceMatrix, distance_matrix
from dekkend.norms import Settings, load_settings
from dekkend.regions import Region, select_region
from dekkend.scenarios.engine import (
    SCENARIO_DECAY,
    Market,
    baseline_forecast,
    build_market,
    calibrated_model,
)


@dataclass(frozen=True, eq=False)
class Baseline:
    """Region ``regio`` of a workspace "zonder ingrijpen" (see :func:`baseline`).

    Attributes
    ----------
    tables
        The workspace tables it was computed from (treated as read-only).
    regio, region
        The ``--regio`` expression and the region it selects.
    forecast, origin
        The cohort forecast of the region (:func:`dekkend.scenarios.engine.baseline_forecast`) and
        its origin, the last counted school year.
    diagnosis
        The knelpunten of the region without measures.
    matrix
        Distances between home areas and vestigingen (:func:`dekkend.geo.distance_matrix`).
    children
        Children per home area (:class:`dekkend.coverage.children.ChildEstimator`).
    settings
        Thresholds and norm distance of the indicators (:func:`dekkend.norms.load_settings`).
    decay
        Distance decay per generalised km of the scenarios' choice model.
    cache
        Where the calibrated choice model of this data version is kept between runs
        (:func:`dekkend.cache.tables_and_cache`; ``None``: computed in this process).
    """

    tables: Mapping[str, pd.DataFrame]
    regio: str | None
    region: Region
    forecast: pd.DataFrame
    origin: int
    diagnosis: Diagnosis
    matrix: DistanceMatrix
    children: ChildEstimator
    settings: Settings
    decay: float = SCENARIO_DECAY
    cache: DerivedCache | None = None

    @cached_property
    def choice(self) -> tuple[ChoiceModel, np.ndarray]:
        """The choice model of the count year calibrated on the counted intake, and the children per
        area (:func:`dekkend.scenarios.engine.calibrated_model`)."""
        return calibrated_model(dict(self.tables), self.origin, self.decay, self.cache)

    @cached_property
    def indicators(self) -> pd.DataFrame:
        """The reachability indicators "zonder ingrijpen" of the region for every forecast year."""
        first = int(self.forecast["jaar"].min())
        return reachability(
            dict(self.tables),
            first,
            region=self.region,
            forecast=self.forecast,
            thresholds=offer_thresholds(self.settings),
            indicators=True,
            matrix=self.matrix,
            children=self.children,
        ).indicators

    def market(self, region: tuple[str, ...] | None = None, extra: pd.DataFrame | None = None) -> Market:
        """:func:`~dekkend.scenarios.engine.build_market` on this baseline's calibrated model."""
        return build_market(dict(self.tables), self.origin, extra, region, self.decay, choice=self.choice)

    def check(self, tables: Mapping[str, pd.DataFrame], regio: str | None) -> None:
        """A Dutch error when this baseline belongs to other tables or another region."""
        if tables is not self.tables and any(tables.get(k) is not v for k, v in self.tables.items()):
            raise ConfiguratieFout("de berekening 'zonder ingrijpen' hoort bij een andere werkmap")
        if select_region(dict(tables), regio).vestigingen != self.region.vestigingen:
            raise ConfiguratieFout(
                f"de berekening 'zonder ingrijpen' hoort bij regio {self.region.label}, "
                f"niet bij {regio or 'de hele werkmap'}"
            )


def baseline(
    tables: Mapping[str, pd.DataFrame],
    regio: str | None = None,
    *,
    horizon: int = 10,
    as_of: int | None = None,
    forecast: tuple[pd.DataFrame, int] | None = None,
    diagnosis: Diagnosis | None = None,
    matrix: DistanceMatrix | None = None,
    settings: Settings | None = None,
    cache: DerivedCache | None = None,
) -> Baseline:
    """Region ``regio`` "zonder ingrijpen", for every scenario and the optimiser of that region.

    Parameters
    ----------
    tables
        The workspace tables (``Workspace.tables()``); treated as read-only.
    regio
        A ``--regio`` expression; ``None`` takes every vestiging of the workspace.
    horizon, as_of
        Forecast years and the count year to forecast from (default: the last count).
    forecast, diagnosis, matrix
        Values the caller already has (the report's own forecast and diagnosis), used as given.
    settings
        Thresholds and norm distance for the indicators (default
        :func:`dekkend.norms.load_settings`).
    cache
        The werkmap's cache of derived results (:func:`dekkend.cache.tables_and_cache`), for the
        forecast and the calibrated choice model.
    """
    t = dict(tables)
    region = select_region(t, regio)
    fc, origin = forecast if forecast is not None else baseline_forecast(t, region, horizon, as_of, cache)
    matrix = matrix if matrix is not None else distance_matrix(t)
    children = ChildEstimator(t)
    if diagnosis is None:
        diagnosis = diagnose(t, regio, forecast=fc, matrix=matrix, children=children)
    return Baseline(
        tables,
        regio,
        region,
        fc,
        int(origin),
        diagnosis,
        matrix,
        children,
        settings if settings is not None else load_settings(),
        cache=cache,
    )


__all__ = ["Baseline", "baseline"]
