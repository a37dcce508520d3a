"""Cooperation scenarios (close, merge, move, concentrate, share, teach remotely), their effects."""

from dekkend.scenarios.format import KINDS, Scenario, load_scenario, parse_scenario
from dekkend.scenarios.run import (
    ScenarioResult,
    offer_after,
    run_scenario,
    validate,
    zonder_ingrijpen,
)
from dekkend.scenarios.write import write_results

__all__ = [
    "KINDS",
    "Scenario",
    "ScenarioResult",
    "load_scenario",
    "offer_after",
    "parse_scenario",
    "run_scenario",
    "validate",
    "write_results",
    "zonder_ingrijpen",
]
