"""Cooperation scenarios (close, merge, move, concentrate, share, teach remotely), their effects.

:func:`baseline` computes a region "zonder ingrijpen" once (a :class:`Baseline`); pass it to
:func:`run_scenario` for every scenario of that region, and to :func:`dekkend.optimise.optimise`.
"""

from dekkend.scenarios.baseline import Baseline, baseline
from dekkend.scenarios.format import KINDS, Scenario, load_scenario, parse_scenario
from dekkend.scenarios.run import (
    ScenarioResult,
    check_horizon,
    check_region,
    offer_after,
    run_scenario,
    validate,
)
from dekkend.scenarios.write import write_results

__all__ = [
    "KINDS",
    "Baseline",
    "Scenario",
    "ScenarioResult",
    "baseline",
    "check_horizon",
    "check_region",
    "load_scenario",
    "offer_after",
    "parse_scenario",
    "run_scenario",
    "validate",
    "write_results",
]
