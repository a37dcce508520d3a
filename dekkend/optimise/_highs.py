"""A small sparse model builder for HiGHS (``highspy``): columns and rows in bulk, one solve, a typed result."""

from __future__ import annotations

import os
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

import numpy as np
from scipy import sparse

if TYPE_CHECKING:
    import highspy

INF = float("inf")

#: HiGHS model status -> dekkend's status word.
_STATUS = {
    "kOptimal": "optimaal",
    "kInfeasible": "onhaalbaar",
    "kTimeLimit": "tijdslimiet",
    "kIterationLimit": "tijdslimiet",
    "kSolutionLimit": "tijdslimiet",
    "kInterrupt": "afgebroken",
    "kHighsInterrupt": "afgebroken",
    "kUnboundedOrInfeasible": "onhaalbaar",
    "kModelEmpty": "optimaal",
}


@contextmanager
def _quiet_stdout():
    """Silence C-level writes to stdout (HiGHS prints a banner when the first instance is made)."""
    fd = 1
    try:
        sys.stdout.flush()
        saved = os.dup(fd)
    except OSError:  # pragma: no cover - no file descriptor 1
        yield
        return
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), fd)
            yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)


class SolveOptions(TypedDict, total=False):
    """The keyword options of :meth:`ModelBuilder.solve` that a caller passes on to every solve."""

    time_limit: float
    mip_gap: float
    threads: int | None
    verbose: bool


def _joined(parts: list[np.ndarray], dtype: type = float) -> np.ndarray:
    """The parts as one array of ``dtype`` (empty without parts)."""
    return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype)


@dataclass(frozen=True, eq=False)
class MipResult:
    """What one HiGHS run returned.

    Attributes
    ----------
    status
        ``optimaal``, ``tijdslimiet`` (a solution within the time limit, maybe not optimal),
        ``onhaalbaar`` or ``afgebroken``.
    values
        Column values (``None`` when no solution was found).
    objective, bound, gap
        Objective of the incumbent (with the offset), the best bound, and
        the relative gap ``|bound - objective| / |objective|`` as HiGHS reports it.
    seconds
        Wall-clock seconds of the solve (without building the model).
    """

    status: str
    values: np.ndarray | None
    objective: float
    bound: float
    gap: float
    seconds: float

    @property
    def has_solution(self) -> bool:
        """True when HiGHS returned a feasible point."""
        return self.values is not None


class ModelBuilder:
    """Collects columns and rows (as coordinate triplets) and solves the model with HiGHS."""

    def __init__(self, maximise: bool = True) -> None:
        self.maximise = maximise
        self._lb: list[np.ndarray] = []
        self._ub: list[np.ndarray] = []
        self._cost: list[np.ndarray] = []
        self._int: list[np.ndarray] = []
        self._rlo: list[np.ndarray] = []
        self._rhi: list[np.ndarray] = []
        self._r: list[np.ndarray] = []
        self._c: list[np.ndarray] = []
        self._v: list[np.ndarray] = []
        self.n_cols = 0
        self.n_rows = 0
        self.offset = 0.0

    def add_columns(
        self,
        n: int,
        lb: float | np.ndarray = 0.0,
        ub: float | np.ndarray = 1.0,
        cost: float | np.ndarray = 0.0,
        integer: bool = False,
    ) -> np.ndarray:
        """Add ``n`` columns; return their indices."""
        idx = np.arange(self.n_cols, self.n_cols + n)
        self._lb.append(np.broadcast_to(np.asarray(lb, float), (n,)).copy())
        self._ub.append(np.broadcast_to(np.asarray(ub, float), (n,)).copy())
        self._cost.append(np.broadcast_to(np.asarray(cost, float), (n,)).copy())
        self._int.append(np.full(n, integer, dtype=bool))
        self.n_cols += n
        return idx

    def add_rows(
        self,
        lo: float | np.ndarray,
        hi: float | np.ndarray,
        rows: np.ndarray,
        cols: np.ndarray,
        vals: np.ndarray | float,
        n: int,
    ) -> np.ndarray:
        """Add ``n`` rows ``lo <= A x <= hi``; ``rows`` are 0-based within this block."""
        idx = np.arange(self.n_rows, self.n_rows + n)
        self._rlo.append(np.broadcast_to(np.asarray(lo, float), (n,)).copy())
        self._rhi.append(np.broadcast_to(np.asarray(hi, float), (n,)).copy())
        rows = np.asarray(rows, dtype=np.int64)
        self._r.append(rows + self.n_rows)
        self._c.append(np.asarray(cols, dtype=np.int64))
        self._v.append(np.broadcast_to(np.asarray(vals, float), rows.shape).copy())
        self.n_rows += n
        return idx

    def set_cost(self, cols: np.ndarray, cost: np.ndarray | float) -> None:
        """Add ``cost`` to the objective coefficient of ``cols``."""
        flat = np.concatenate(self._cost) if self._cost else np.zeros(0)
        np.add.at(flat, np.asarray(cols, dtype=np.int64), np.broadcast_to(np.asarray(cost, float), np.shape(cols)))
        self._cost = [flat]

    def _lp(self) -> highspy.HighsLp:
        import highspy

        a = sparse.coo_matrix(
            (_joined(self._v), (_joined(self._r, np.int64), _joined(self._c, np.int64))),
            shape=(self.n_rows, self.n_cols),
        ).tocsc()
        a.sum_duplicates()
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = self.n_cols, self.n_rows
        lp.col_cost_ = _joined(self._cost)
        lp.col_lower_, lp.col_upper_ = _joined(self._lb), _joined(self._ub)
        lp.row_lower_, lp.row_upper_ = _joined(self._rlo), _joined(self._rhi)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = a.indptr.astype(np.int32)
        lp.a_matrix_.index_ = a.indices.astype(np.int32)
        lp.a_matrix_.value_ = a.data.astype(float)
        integer = _joined(self._int, bool)
        if integer.any():
            lp.integrality_ = [
                highspy.HighsVarType.kInteger if b else highspy.HighsVarType.kContinuous for b in integer
            ]
        lp.sense_ = highspy.ObjSense.kMaximize if self.maximise else highspy.ObjSense.kMinimize
        lp.offset_ = float(self.offset)
        return lp

    def solve(
        self,
        *,
        time_limit: float = 60.0,
        mip_gap: float = 1e-4,
        threads: int | None = None,
        verbose: bool = False,
        start: np.ndarray | None = None,
    ) -> MipResult:
        """Solve with HiGHS and return the status, values, objective, bound, gap and seconds.

        ``start`` is a feasible point to begin from (same columns).
        """
        import highspy

        with _quiet_stdout():
            h = highspy.Highs()
        h.setOptionValue("output_flag", bool(verbose))
        h.setOptionValue("time_limit", float(time_limit))
        h.setOptionValue("mip_rel_gap", float(mip_gap))
        h.setOptionValue("mip_feasibility_tolerance", 1e-7)
        if threads:
            h.setOptionValue("threads", int(threads))
        h.passModel(self._lp())
        if start is not None and len(start) == self.n_cols:
            sol = highspy.HighsSolution()
            sol.col_value = list(map(float, start))
            h.setSolution(sol)
        begin = time.perf_counter()
        h.run()
        seconds = time.perf_counter() - begin
        status = _STATUS.get(h.getModelStatus().name, "onbekend")
        info = h.getInfo()
        solution = h.getSolution()
        has = info.primal_solution_status == 2 and status != "onhaalbaar"
        values = np.asarray(solution.col_value, float) if has else None
        objective = float(info.objective_function_value) if has else float("nan")
        integer = bool(self._int) and bool(np.concatenate(self._int).any())
        bound = float(info.mip_dual_bound) if integer else objective
        gap = float(info.mip_gap) if integer and has else (0.0 if has else float("nan"))
        if status == "optimaal" and not np.isfinite(gap):
            gap = 0.0
        return MipResult(status, values, objective, bound, gap, seconds)
