"""Exact figures of one configuration: coverage, where the pupils of closed offerings go, viability, changes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse

from dekkend.optimise.results import VIABILITY_TOL, Evaluation

if TYPE_CHECKING:
    from dekkend.optimise.model import ViableCoverage

#: A class's home-area matrix is kept dense up to this many cells (faster for the many small evaluations).
DENSE_LIMIT = 2_000_000


def evaluate(model: ViableCoverage, keep: np.ndarray) -> Evaluation:
    """Coverage, pupils moved and received, viability and changes of ``keep`` (outside offerings always kept)."""
    keep = keep.copy()
    keep[model.ext] = True
    problems = _structure(model, keep)
    covered = np.zeros((len(model.kinds), model.n), dtype=bool)
    for k in range(len(model.kinds)):
        rows = np.flatnonzero((model.kind_of == k) & keep)
        if len(rows):
            covered[k] = model.within[:, rows].any(axis=1)
    coverage = {kind: float(model.children @ covered[k]) for k, kind in enumerate(model.kinds)}
    objective = float(sum(model.weights[k] * v for k, v in coverage.items()))
    displaced = model.u * (~keep & ~model.ext)[:, None]
    if model.assignment == "keuze":
        received, moved = _first_order(model, keep, displaced)
    elif model.assignment == "dichtstbij":
        received, moved = _closest(model, keep, displaced)
    else:
        received, moved = np.zeros_like(displaced), sparse.csr_matrix((model.q, model.q))
    own = (model.u + received) * keep[:, None]
    intake = own.copy()
    for g in np.flatnonzero(model.parent >= 0):
        intake[model.parent[g]] += own[g]
    intake[model.ext] = 0.0
    judged = intake.copy()
    for members in model.pools:
        judged[members] = intake[members].sum(axis=0)
    judged[~keep] = 0.0
    need = np.flatnonzero(keep & ~model.ext)
    short = judged[need] < model.threshold[need, None] - VIABILITY_TOL
    for r, t in zip(*np.nonzero(short), strict=True):
        h = need[r]
        problems.append(f"aanbod {h} haalt in jaar {t} {judged[h, t]:.1f} van de {model.threshold[h]:g} leerlingen")
    changes = count_changes(model, keep)
    problems += _limits(model, keep, changes)
    lost = displaced[:, 0] - np.asarray(moved.sum(axis=1)).ravel()
    return Evaluation(
        keep, covered, coverage, objective, intake, moved, np.clip(lost, 0.0, None), changes, tuple(problems), judged
    )


def count_changes(model: ViableCoverage, keep: np.ndarray) -> int:
    """Closed offerings: a top-level offering that closes, or a profiel that closes while its leerweg stays."""
    inside = ~model.ext
    top = inside & (model.parent < 0) & ~keep
    child = inside & (model.parent >= 0)
    parent_open = np.zeros(model.q, dtype=bool)
    parent_open[child] = keep[model.parent[child]]
    return int(top.sum() + (child & parent_open & ~keep).sum())


def _structure(model: ViableCoverage, keep: np.ndarray) -> list[str]:
    problems = [f"aanbod {h} is vastgezet maar gesloten" for h in np.flatnonzero(model.locked & ~keep)]
    for g in np.flatnonzero((model.parent >= 0) & keep):
        if not keep[model.parent[g]]:
            problems.append(f"profiel {g} blijft zonder zijn leerweg {model.parent[g]}")
    if model.leerweg_needs_profiel:
        for h in np.flatnonzero(keep & (model.n_children > 0) & ~model.ext):
            if not keep[model.child_lists[h]].any():
                problems.append(f"leerweg {h} blijft zonder één van zijn profielen")
    return problems


def _limits(model: ViableCoverage, keep: np.ndarray, changes: int) -> list[str]:
    problems = []
    if model.max_changes is not None and changes > model.max_changes:
        problems.append(f"{changes} wijzigingen, toegestaan {model.max_changes}")
    kept = int((keep & ~model.ext).sum())
    if model.keep_exactly is not None and kept != model.keep_exactly:
        problems.append(f"{kept} aanbiedingen gehouden, gevraagd {model.keep_exactly}")
    if model.boards_keep:
        for board, kind in board_kinds(model):
            rows = board_rows(model, board, kind)
            if not keep[rows].any():
                problems.append(f"bestuur {board} houdt geen {model.kinds[kind]}")
    return problems


def board_kinds(model: ViableCoverage) -> list[tuple[str, int]]:
    """(board, kind index) pairs that a board offers now inside the region."""
    inside = ~model.ext & (model.kind_of >= 0) & (model.board != "")
    pairs = dict.fromkeys(zip(model.board[inside], model.kind_of[inside], strict=True))
    return sorted(pairs, key=lambda p: (str(p[0]), int(p[1])))


def board_rows(model: ViableCoverage, board: str, kind: int) -> np.ndarray:
    """Rows of one board and kind inside the region."""
    return np.flatnonzero(~model.ext & (model.board == board) & (model.kind_of == kind))


def _first_order(
    model: ViableCoverage, keep: np.ndarray, displaced: np.ndarray
) -> tuple[np.ndarray, sparse.csr_matrix]:
    """Received pupils with the first-order choice shares: ``sum_k a_kh u_k (1 - x_k)`` for kept ``h``."""
    a = model.shares
    assert a is not None  # first-order shares: the assignment 'keuze'
    dense = model.dense_shares
    if dense is not None:
        received = (dense.T @ displaced) * keep[:, None]
        senders = np.flatnonzero(displaced[:, 0] != 0)  # the other rows of the flows are 0
        block = dense[senders] * displaced[senders, :1] * keep[None, :]
        r, c = np.nonzero(block)
        return received, sparse.csr_matrix((block[r, c], (senders[r], c)), shape=dense.shape)
    received = np.asarray(a.T @ displaced) * keep[:, None]
    moved = sparse.diags(displaced[:, 0]) @ a @ sparse.diags(keep.astype(float))
    return received, sparse.csr_matrix(moved)


def _closest(model: ViableCoverage, keep: np.ndarray, displaced: np.ndarray) -> tuple[np.ndarray, sparse.csr_matrix]:
    """Received pupils under closest assignment: each area's displaced pupils go to its nearest kept offering."""
    received = np.zeros_like(displaced)
    rows_out, cols_out, vals_out = [], [], []
    for plan in model.closest_plans:
        senders = plan.senders
        out = displaced[senders]
        if not (out > 0).any():
            continue
        kept = keep[plan.order] & plan.ok
        first = np.argmax(kept, axis=1)
        found = kept[np.arange(len(plan.areas)), first]
        if not found.any():
            continue
        dest = plan.order[np.flatnonzero(found), first[found]]
        uniq, inv = np.unique(dest, return_inverse=True)
        per_area = np.asarray(plan.homes.T @ out)[found]
        np.add.at(received, uniq[inv], per_area)
        onehot = np.zeros((len(dest), len(uniq)))
        onehot[np.arange(len(dest)), inv] = 1.0
        h = plan.homes[:, np.flatnonzero(found)]
        flows = np.asarray(h @ onehot) * out[:, :1]
        r, c = np.nonzero(flows)
        rows_out.append(senders[r])
        cols_out.append(uniq[c])
        vals_out.append(flows[r, c])
    moved = sparse.csr_matrix(
        (
            np.concatenate(vals_out) if vals_out else np.zeros(0),
            (
                np.concatenate(rows_out) if rows_out else np.zeros(0, int),
                np.concatenate(cols_out) if cols_out else np.zeros(0, int),
            ),
        ),
        shape=(model.q, model.q),
    )
    return received, moved


@dataclass(frozen=True, eq=False)
class ClosestPlan:
    """One flow class under closest assignment: who sends, from which areas, and each area's candidates in order.

    ``order[a]`` lists the class's offerings by distance from area ``a`` (ties: lowest row);
    ``ok[a]`` is false beyond the cut-off. ``homes`` is ``(senders, areas)``.
    """

    senders: np.ndarray
    areas: np.ndarray
    homes: np.ndarray | sparse.csr_matrix
    order: np.ndarray
    ok: np.ndarray


def plan_closest(model: ViableCoverage) -> list[ClosestPlan]:
    """The plans of every class with senders (kept as ``ViableCoverage.closest_plans``)."""
    assert model.homes is not None  # closest plans: the assignment 'dichtstbij'
    plans = []
    for c in np.unique(model.klass):
        rows = np.flatnonzero(model.klass == c)
        senders = rows[~model.ext[rows] & (model.u[rows] > 0).any(axis=1)]
        if not len(senders):
            continue
        h_sub = model.homes[senders]
        areas = np.unique(h_sub.nonzero()[1])
        if not len(areas):
            continue
        d = model.cost[np.ix_(areas, model.site[rows])]
        idx = np.argsort(d, axis=1, kind="stable")
        ok = np.take_along_axis(d, idx, axis=1) <= model.cutoff_km
        homes = sparse.csr_matrix(h_sub[:, areas])
        dense = homes.shape[0] * homes.shape[1] <= DENSE_LIMIT
        plans.append(ClosestPlan(senders, areas, homes.toarray() if dense else homes, rows[idx], ok))
    return plans


def nearest_kept(model: ViableCoverage, rows: np.ndarray, keep: np.ndarray, areas: np.ndarray) -> np.ndarray:
    """For each area the nearest kept offering among ``rows`` within the cut-off (ties: lowest row), else -1."""
    d = model.cost[np.ix_(areas, model.site[rows])]
    ok = keep[rows][None, :] & (d <= model.cutoff_km)
    d = np.where(ok, d, np.inf)
    best = np.argmin(d, axis=1)
    found = np.isfinite(d[np.arange(len(areas)), best])
    return np.where(found, rows[best], -1)
