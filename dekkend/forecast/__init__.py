"""Forecasting pupils per vestiging, onderwijstype and leerjaar, with intervals and back-tests.

Models share one contract (settings in the constructor, ``fit(data, as_of)``,
``predict(horizon, level=(80, 95))``); :func:`dekkend.forecast.asof.as_of` is the
one place where "only what was known then" is enforced.
"""

from dekkend.forecast.asof import as_of, cutoff
from dekkend.forecast.backtest import BacktestResult, run_backtest
from dekkend.forecast.cohorts import Cohorts, reference_cohorts
from dekkend.forecast.intervals import IntervalRule
from dekkend.forecast.models import MODELS, OUTPUT_COLUMNS, CohortModel, NoChange, RegionalTrend, make_model
from dekkend.forecast.report import accuracy_markdown, write_accuracy_section

__all__ = [
    "MODELS",
    "OUTPUT_COLUMNS",
    "BacktestResult",
    "CohortModel",
    "Cohorts",
    "IntervalRule",
    "NoChange",
    "RegionalTrend",
    "accuracy_markdown",
    "as_of",
    "cutoff",
    "make_model",
    "reference_cohorts",
    "run_backtest",
    "write_accuracy_section",
]
