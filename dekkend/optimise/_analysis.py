"""Why an instance is infeasible: the fewest changes it needs, then an elastic model that shows the shortfalls."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from dekkend.optimise._evaluate import count_changes
from dekkend.optimise._formulation import build
from dekkend.optimise.results import Shortfall

if TYPE_CHECKING:
    from dekkend.optimise._highs import SolveOptions
    from dekkend.optimise.model import ViableCoverage

#: Slack below this (pupils, changes) is rounding, not a shortfall.
SLACK_TOL = 1e-6


def _keep(model: ViableCoverage, built: Any, values: np.ndarray) -> np.ndarray:
    keep = np.ones(model.q, dtype=bool)
    keep[built.x_rows] = values[built.x_cols] > 0.5
    return keep


def top_closures(model: ViableCoverage, keep: np.ndarray) -> tuple[int, ...]:
    """Closed offerings counted as changes: top-level rows, and profielen whose leerweg stays."""
    out = []
    for h in np.flatnonzero(~model.ext & ~keep):
        p = model.parent[h]
        if p < 0 or keep[p]:
            out.append(int(h))
    return tuple(out)


def explain_infeasible(model: ViableCoverage, options: SolveOptions) -> tuple[tuple[Shortfall, ...], float]:
    """The constraints that cannot be met, and by how much.

    1. With a change limit ``K``: the fewest changes any viable configuration
       needs (a MIP that minimises changes). More than ``K`` is the reason.
    2. Otherwise an elastic model: every viability, limit and board constraint
       gets a slack (pupils weighted by ``1 / threshold``, changes and boards by
       1); the positive slacks of its optimum are a smallest explanation.
    """
    seconds = 0.0
    if model.max_changes is not None:
        built = build(model, "wijzigingen")
        res = built.builder.solve(**options)
        seconds += res.seconds
        if res.values is not None:
            keep = _keep(model, built, res.values)
            needed = count_changes(model, keep)
            if needed > model.max_changes:
                short = Shortfall(
                    "max-wijzigingen",
                    float(needed - model.max_changes),
                    float(model.max_changes),
                    closures=top_closures(model, keep),
                )
                return (short,), seconds
    built = build(model, "elastisch")
    res = built.builder.solve(**options)
    seconds += res.seconds
    if res.values is None:  # pragma: no cover - the elastic model is always feasible
        return (Shortfall("onbekend", float("nan"), float("nan")),), seconds
    v = res.values
    out: list[Shortfall] = []
    for col, h, t in built.viability_slack:
        if v[col] > SLACK_TOL:
            out.append(
                Shortfall(
                    "drempel",
                    float(v[col]),
                    float(model.threshold[h]),
                    offering=h,
                    year=t,
                    board=str(model.board[h]),
                    kind=_kind(model, h),
                )
            )
    if built.changes_slack >= 0 and v[built.changes_slack] > SLACK_TOL:
        out.append(Shortfall("max-wijzigingen", float(v[built.changes_slack]), float(model.max_changes or 0)))
    for col, board, kind in built.board_slack:
        if v[col] > SLACK_TOL:
            out.append(Shortfall("bestuur", float(v[col]), 1.0, board=board, kind=model.kinds[kind]))
    up, down = built.count_slack
    if up >= 0 and (v[up] > SLACK_TOL or v[down] > SLACK_TOL):
        out.append(Shortfall("aantal", float(max(v[up], v[down])), float(model.keep_exactly or 0)))
    return tuple(out), seconds


def _kind(model: ViableCoverage, h: int) -> str:
    k = model.kind_of[h]
    return model.kinds[k] if k >= 0 else ""
