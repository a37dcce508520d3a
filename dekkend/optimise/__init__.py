"""Optimisation: regional configurations that keep the offer complete, reachable and viable (HiGHS).

- :mod:`~dekkend.optimise.model`: :class:`ViableCoverage`, the numeric core (maximal covering with
  viability and reallocation of pupils), built from a cost matrix, solved with HiGHS; what it
  returns (:class:`Evaluation`, :class:`Solution`, :class:`Shortfall`) and its constants are in
  :mod:`~dekkend.optimise.results`;
- :mod:`~dekkend.optimise.options`: :class:`OptimiseOptions`, the user's choices for one run;
- :mod:`~dekkend.optimise.instance`: :func:`build_instance`, a region's problem from the workspace;
- :mod:`~dekkend.optimise.flows`: where the pupils of a closed offering go (the scenario engine's choice model);
- :mod:`~dekkend.optimise.explain`: Dutch explanations of every change and of infeasibility;
- :mod:`~dekkend.optimise.run`: :func:`optimise`, the one call behind ``dekkend optimaliseer``, and the
  scenario YAML and figures it writes;
- :mod:`~dekkend.optimise.synthetic`: seeded synthetic instances for tests and benchmarks.

The formulation and its sources are in ``docs/methods/optimise.md``.
"""

from dekkend.optimise.explain import Change, Move, Saved
from dekkend.optimise.instance import Instance, build_instance, parse_locks
from dekkend.optimise.model import ViableCoverage
from dekkend.optimise.options import OptimiseOptions
from dekkend.optimise.results import ASSIGNMENTS, Evaluation, Shortfall, Solution
from dekkend.optimise.run import (
    Figures,
    Optimisation,
    figures_of,
    optimise,
    scenario_figures,
    solve_instance,
)
from dekkend.optimise.synthetic import SyntheticInstance, synthetic_instance

__all__ = [
    "ASSIGNMENTS",
    "Change",
    "Evaluation",
    "Figures",
    "Instance",
    "Move",
    "Optimisation",
    "OptimiseOptions",
    "Saved",
    "Shortfall",
    "Solution",
    "SyntheticInstance",
    "ViableCoverage",
    "build_instance",
    "figures_of",
    "optimise",
    "parse_locks",
    "scenario_figures",
    "solve_instance",
    "synthetic_instance",
]
