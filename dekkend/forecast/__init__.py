"""Forecasting pupils per vestiging, onderwijstype and leerjaar, with intervals and back-tests.

Models share one contract (settings in the constructor, ``fit(data, as_of)``,
``predict(horizon, level=(80, 95))``); :func:`dekkend.forecast.asof.as_of` is the
one place where "only what was known then" is enforced. The cohort model takes its
intake from children per home postcode x transition x school choice
(:class:`ChoiceModel`, reused by the scenarios to move pupils when the offer changes).
"""

from dekkend.forecast.aggregate import sum_band
from dekkend.forecast.asof import as_of, cutoff
from dekkend.forecast.backtest import BacktestResult, interval_calibration, run_backtest
from dekkend.forecast.catchment import Catchment, build_catchment
from dekkend.forecast.children import AreaChildren, Migration, area_children, estimate_migration
from dekkend.forecast.choice import LEVELS, Calibration, ChoiceModel, ChoiceParameters, offer_at, reallocation
from dekkend.forecast.cohorts import Cohorts, reference_cohorts
from dekkend.forecast.decay import DecayEstimate, estimate_decay, herkomst_flows
from dekkend.forecast.intervals import IntervalCalibration, IntervalRule, calibrate, default_intervals
from dekkend.forecast.models import MODELS, OUTPUT_COLUMNS, CohortModel, NoChange, RegionalTrend, make_model
from dekkend.forecast.nowcast import (
    Nowcast,
    Ratio,
    board_ratio,
    intake_forecast,
    nowcast,
    prior_ratio,
    ratio_from_history,
    registration_history,
    simulate_registrations,
)
from dekkend.forecast.report import accuracy_markdown, write_accuracy_section
from dekkend.forecast.sensitivity import decay_sensitivity
from dekkend.forecast.simulate import Draws, Uncertainty, simulate
from dekkend.forecast.units import match_units
from dekkend.forecast.uploads import UploadContext, UploadFout, board_offer, read_upload, template, template_bytes

__all__ = [
    "LEVELS",
    "MODELS",
    "OUTPUT_COLUMNS",
    "AreaChildren",
    "BacktestResult",
    "Calibration",
    "Catchment",
    "ChoiceModel",
    "ChoiceParameters",
    "CohortModel",
    "Cohorts",
    "DecayEstimate",
    "Draws",
    "IntervalCalibration",
    "IntervalRule",
    "Migration",
    "NoChange",
    "Nowcast",
    "Ratio",
    "RegionalTrend",
    "Uncertainty",
    "UploadContext",
    "UploadFout",
    "accuracy_markdown",
    "area_children",
    "as_of",
    "board_offer",
    "board_ratio",
    "build_catchment",
    "calibrate",
    "cutoff",
    "decay_sensitivity",
    "default_intervals",
    "estimate_decay",
    "estimate_migration",
    "herkomst_flows",
    "intake_forecast",
    "interval_calibration",
    "make_model",
    "match_units",
    "nowcast",
    "offer_at",
    "prior_ratio",
    "ratio_from_history",
    "read_upload",
    "reallocation",
    "reference_cohorts",
    "registration_history",
    "run_backtest",
    "simulate",
    "simulate_registrations",
    "sum_band",
    "template",
    "template_bytes",
    "write_accuracy_section",
]
