"""What the optimiser's core returns and the constants it shares: statuses, tolerances, results.

:class:`Evaluation` (the exact figures of one configuration), :class:`Shortfall` (why an instance
is infeasible) and :class:`Solution` (the result of
:meth:`~dekkend.optimise.model.ViableCoverage.solve`) live here, apart from the model, so that the
model and its helpers (evaluation, formulation, analysis) all import them from one place and none
imports another in a circle.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

#: Status of an offering: decided by the model, locked open by the user, or outside the region
#: (always open).
STATUSES = ("vrij", "vast", "extern")
#: How pupils of a closed offering move.
ASSIGNMENTS = ("keuze", "dichtstbij", "geen")
#: Rounding slack (pupils) with which :meth:`ViableCoverage.evaluate` accepts a threshold as met.
VIABILITY_TOL = 1e-6
#: In the tie-break among configurations with the same coverage: one change weighs as much as
#: this many pupils who must move.
TIE_CHANGE = 0.01
#: The tie-break solve stops at this relative gap, or after as long as the main solve took (at least
#: :data:`TIE_MIN_SECONDS`): it only chooses among configurations with the optimal coverage.
TIE_GAP = 0.01
TIE_MIN_SECONDS = 5.0


@dataclass(frozen=True, eq=False)
class Evaluation:
    """The exact figures of one configuration (see :meth:`ViableCoverage.evaluate`).

    Attributes
    ----------
    keep
        Bool per offering (outside offerings always ``True``).
    covered
        Bool ``(n_kinds, n_areas)``: the area has a kept offering of the kind within the norm
        distance.
    coverage
        Children within the norm distance per kind.
    objective
        The weighted coverage: ``sum_k weight_k * coverage_k``.
    intake
        ``(q, T)`` pupils of each kept offering per year, its own class plus what it
        receives, summed over its profielen for a leerweg (0 when closed).
    judged
        ``(q, T)`` the pupils its threshold is judged on: ``intake``, except for an offering
        in a pool (a vmbo profiel at a vestiging across its leerwegen), where it is the
        intake summed over the kept offerings of the pool.
    moved
        ``(q, q)`` sparse: pupils of offering ``k`` (its own class) that go to ``h`` in the first
        year.
    lost
        Pupils per closed offering (first year) that no kept offering in the model receives.
    changes
        Closed offerings (a closed leerweg with its profielen counts once).
    problems
        What makes the configuration infeasible (empty when feasible), in Dutch.
    """

    keep: np.ndarray
    covered: np.ndarray
    coverage: dict[str, float]
    objective: float
    intake: np.ndarray
    moved: sparse.csr_matrix
    lost: np.ndarray
    changes: int
    problems: tuple[str, ...] = ()
    judged: np.ndarray | None = None

    def judged_pupils(self) -> np.ndarray:
        """``judged``, or ``intake`` when no pools were given."""
        return self.intake if self.judged is None else self.judged

    @property
    def feasible(self) -> bool:
        """True when every constraint holds."""
        return not self.problems


@dataclass(frozen=True)
class Shortfall:
    """Why an instance is infeasible: one constraint, and by how much.

    ``constraint`` is ``drempel`` (an offering below its threshold), ``max-wijzigingen``,
    ``bestuur`` (a board cannot keep a kind it has) or ``aantal`` (the exact number to keep).
    """

    constraint: str
    amount: float
    required: float
    offering: int = -1
    year: int = -1
    board: str = ""
    kind: str = ""
    closures: tuple[int, ...] = ()


@dataclass(frozen=True, eq=False)
class Solution:
    """The result of :meth:`ViableCoverage.solve`.

    Attributes
    ----------
    status
        ``optimaal``, ``tijdslimiet`` (best found within the time limit) or ``onhaalbaar``.
    objective
        Weighted children within the norm distance of the returned configuration.
    bound
        HiGHS's upper bound on the objective (the weighted coverage).
    gap
        Relative gap ``(bound - objective) / objective``.
    seconds
        Time in HiGHS (all solves).
    evaluation
        The exact figures of the configuration (``None`` when infeasible).
    shortfalls
        When infeasible: the constraints that cannot be met and by how much.
    size
        Variables, binaries and constraints of the main model.
    phases
        Seconds of the main solve (coverage) and of the tie-break solve.
    """

    status: str
    objective: float
    bound: float
    gap: float
    seconds: float
    evaluation: Evaluation | None
    shortfalls: tuple[Shortfall, ...] = ()
    size: dict[str, int] = field(default_factory=dict)
    phases: tuple[float, float] = (0.0, 0.0)

    @property
    def keep(self) -> np.ndarray | None:
        """Bool per offering, or ``None`` when infeasible."""
        return None if self.evaluation is None else self.evaluation.keep
