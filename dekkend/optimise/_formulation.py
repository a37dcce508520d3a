"""The mixed-integer model of :class:`~dekkend.optimise.model.ViableCoverage`, built in bulk for HiGHS."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from dekkend.optimise._evaluate import board_kinds, board_rows
from dekkend.optimise._highs import INF, ModelBuilder
from dekkend.optimise.results import TIE_CHANGE

if TYPE_CHECKING:
    from dekkend.optimise.model import ViableCoverage

#: What the model optimises: coverage (the optimiser), then among equal coverage the fewest pupils moved
#: (``volgorde``), the fewest changes, or the least violation (elastic).
OBJECTIVES = ("dekking", "volgorde", "wijzigingen", "elastisch")


@dataclass(eq=False)
class Built:
    """The model and where to find its parts."""

    builder: ModelBuilder
    x_rows: np.ndarray
    x_cols: np.ndarray
    size: dict[str, int] = field(default_factory=dict)
    viability_slack: list[tuple[int, int, int]] = field(default_factory=list)
    changes_slack: int = -1
    board_slack: list[tuple[int, str, int]] = field(default_factory=list)
    count_slack: tuple[int, int] = (-1, -1)


def build(
    model: ViableCoverage, objective: str = "dekking", *, with_limit: bool = True, floor: float | None = None
) -> Built:
    """The MIP: keep variables, coverage, nesting, received pupils, viability and the limits.

    ``objective``: ``dekking`` maximises weighted coverage; ``volgorde`` keeps the
    coverage at least ``floor`` and minimises the pupils who must move (first
    year) plus :data:`TIE_CHANGE` per change, the tie-break among equally good
    configurations; ``wijzigingen`` minimises changes (and ignores the change
    limit); ``elastisch`` gives every viability, limit and board constraint a
    penalised slack, to see which cannot be met and by how much.
    ``with_limit=False`` leaves out the change limit.
    """
    b = ModelBuilder(maximise=True)
    x_rows = np.flatnonzero(~model.ext)
    lb = model.locked[x_rows].astype(float)
    x_cols = b.add_columns(len(x_rows), lb=lb, ub=1.0, integer=True)
    xcol = np.full(model.q, -1, dtype=np.int64)
    xcol[x_rows] = x_cols
    built = Built(b, x_rows, x_cols)
    elastic = objective == "elastisch"
    if objective in ("dekking", "volgorde"):
        _coverage(model, b, xcol, floor if objective == "volgorde" else None)
    _nesting(model, b, xcol)
    rcol = _received(model, b, xcol)
    _viability(model, b, xcol, rcol, built, elastic)
    _limits(model, b, xcol, built, objective, elastic, with_limit and objective != "wijzigingen")
    built.size = {"variabelen": b.n_cols, "binair": len(x_cols), "restricties": b.n_rows}
    return built


def _coverage(model: ViableCoverage, b: ModelBuilder, xcol: np.ndarray, floor: float | None) -> None:
    """``y_ik <= sum of x within the norm``; areas already covered by an outside or locked offering are constants.

    With a ``floor`` the coverage is a constraint (``sum w y + fixed >= floor``) instead of the objective.
    """
    ys, ws = [], []
    fixed_total = 0.0
    for k, kind in enumerate(model.kinds):
        weight = model.children * model.weights[kind]
        of_kind = model.kind_of == k
        fixed = model.within[:, of_kind & (model.ext | model.locked)].any(axis=1)
        fixed_total += float(weight[fixed].sum())
        rows = np.flatnonzero(of_kind & model.free)
        if not len(rows):
            continue
        cand = model.within[:, rows]
        open_ = (weight > 0) & ~fixed & cand.any(axis=1)
        areas = np.flatnonzero(open_)
        if not len(areas):
            continue
        y = b.add_columns(len(areas), 0.0, 1.0, cost=weight[areas] if floor is None else 0.0)
        ys.append(y)
        ws.append(weight[areas])
        r, c = np.nonzero(cand[areas])
        b.add_rows(
            -INF,
            0.0,
            np.concatenate([np.arange(len(areas)), r]),
            np.concatenate([y, xcol[rows[c]]]),
            np.concatenate([np.ones(len(areas)), -np.ones(len(r))]),
            len(areas),
        )
    if floor is None:
        b.offset += fixed_total
    elif ys:
        y, w = np.concatenate(ys), np.concatenate(ws)
        b.add_rows(floor - fixed_total, INF, np.zeros(len(y), int), y, w, 1)


def _nesting(model: ViableCoverage, b: ModelBuilder, xcol: np.ndarray) -> None:
    """A profiel needs its leerweg; a leerweg with profielen needs at least one of them."""
    child = np.flatnonzero((model.parent >= 0) & ~model.ext)
    if len(child):
        n = len(child)
        b.add_rows(
            -INF,
            0.0,
            np.repeat(np.arange(n), 2),
            np.column_stack([xcol[child], xcol[model.parent[child]]]).ravel(),
            np.tile([1.0, -1.0], n),
            n,
        )
    if not model.leerweg_needs_profiel:
        return
    for h in np.flatnonzero(~model.ext & (model.n_children > 0)):
        kids = model.child_lists[h]
        b.add_rows(
            -INF,
            0.0,
            np.zeros(len(kids) + 1, int),
            np.concatenate([[xcol[h]], xcol[kids]]),
            np.concatenate([[1.0], -np.ones(len(kids))]),
            1,
        )


def _received(model: ViableCoverage, b: ModelBuilder, xcol: np.ndarray) -> dict[tuple[int, int], int]:
    """Columns ``r_ht``: pupils offering ``h`` receives in year ``t`` from closed offerings."""
    if model.assignment == "keuze":
        return _received_first_order(model, b, xcol)
    if model.assignment == "dichtstbij":
        return _received_closest(model, b, xcol)
    return {}


def _received_first_order(model: ViableCoverage, b: ModelBuilder, xcol: np.ndarray) -> dict[tuple[int, int], int]:
    """``r_ht <= sum_k a_kh u_kt (1 - x_k)`` and ``r_ht <= R_ht x_h`` (first-order choice shares)."""
    inside = ~model.ext
    assert model.shares is not None  # first-order shares: the assignment 'keuze'
    a = model.shares.tocsc()
    a.sum_duplicates()  # canonical: sorted row indices, one entry per sender (as getcol gives them)
    rcol: dict[tuple[int, int], int] = {}
    for h in np.flatnonzero(inside).tolist():
        lo, hi = a.indptr[h], a.indptr[h + 1]
        rows, values = a.indices[lo:hi], a.data[lo:hi]
        keep = inside[rows]
        senders, share = rows[keep], values[keep]
        if not len(senders):
            continue
        for t in range(model.years):
            coef = share * model.u[senders, t]
            total = float(coef.sum())
            if total <= 0:
                continue
            r = int(b.add_columns(1, 0.0, total)[0])
            rcol[(h, t)] = r
            b.add_rows(
                -INF,
                total,
                np.zeros(len(senders) + 1, int),
                np.concatenate([[r], xcol[senders]]),
                np.concatenate([[1.0], coef]),
                1,
            )
            b.add_rows(-INF, 0.0, np.zeros(2, int), np.array([r, xcol[h]]), np.array([1.0, -total]), 1)
    return rcol


def closest_lists(model: ViableCoverage, rows: np.ndarray, areas: np.ndarray) -> list[np.ndarray]:
    """Per area: offerings of ``rows`` by distance (ties: lowest row) within the cut-off,
    up to and including the first locked one, stopping before the first outside one."""
    d = model.cost[np.ix_(areas, model.site[rows])]
    order = np.argsort(d, axis=1, kind="stable")
    out = []
    for a in range(len(areas)):
        chosen = []
        for j in order[a]:
            h = rows[j]
            if d[a, j] > model.cutoff_km or model.ext[h]:
                break
            chosen.append(h)
            if model.locked[h]:
                break
        out.append(np.array(chosen, dtype=int))
    return out


def needs_intake(model: ViableCoverage) -> np.ndarray:
    """Offerings whose received pupils can matter: they or their leerweg have a viability constraint."""
    short = (model.u < model.threshold[:, None]).any(axis=1)
    own = ~model.ext & (model.threshold > 0) & ((model.n_children > 0) | short)
    out = own.copy()
    child = model.parent >= 0
    out[child] |= own[model.parent[child]]
    return out


def _received_closest(model: ViableCoverage, b: ModelBuilder, xcol: np.ndarray) -> dict[tuple[int, int], int]:
    """Closest assignment of each area's displaced pupils (cumulative closest-assignment constraints)."""
    inflow: dict[tuple[int, int], list[int]] = {}
    homes = model.homes
    assert homes is not None  # closest assignment: the assignment 'dichtstbij'
    need = needs_intake(model)
    for c in np.unique(model.klass):
        rows = np.flatnonzero(model.klass == c)
        senders = rows[~model.ext[rows] & (model.u[rows] > 0).any(axis=1)]
        if not len(senders):
            continue
        h_sub = homes[senders].tocsc()
        areas = np.unique(h_sub.nonzero()[1])
        lists = closest_lists(model, rows, areas)
        for a, chosen in zip(areas, lists, strict=True):
            if not need[chosen].any():
                continue
            last = int(np.flatnonzero(need[chosen])[-1])
            col = h_sub.getcol(a)
            _assign_area(model, b, xcol, chosen[: last + 1], senders[col.indices], col.data, need, inflow)
    rcol: dict[tuple[int, int], int] = {}
    for (h, t), ws in inflow.items():
        r = int(b.add_columns(1, 0.0, INF)[0])
        rcol[(h, t)] = r
        b.add_rows(
            -INF, 0.0, np.zeros(len(ws) + 1, int), np.array([r, *ws]), np.concatenate([[1.0], -np.ones(len(ws))]), 1
        )
    return rcol


def _assign_area(
    model: ViableCoverage,
    b: ModelBuilder,
    xcol: np.ndarray,
    chosen: np.ndarray,
    from_k: np.ndarray,
    share: np.ndarray,
    need: np.ndarray,
    inflow: dict[tuple[int, int], list[int]],
) -> None:
    """One area of one class: ``f`` picks the nearest kept offering, ``v`` carries the displaced pupils there.

    The list stops at the last offering whose intake matters; ``v`` exists only for those offerings.
    """
    n = len(chosen)
    f = b.add_columns(n, 0.0, 1.0)
    xs = xcol[chosen]
    b.add_rows(-INF, 0.0, np.repeat(np.arange(n), 2), np.column_stack([f, xs]).ravel(), np.tile([1.0, -1.0], n), n)
    tri_r, tri_c = np.tril_indices(n)
    b.add_rows(
        0.0,
        INF,
        np.concatenate([tri_r, np.arange(n)]),
        np.concatenate([f[tri_c], xs]),
        np.concatenate([np.ones(len(tri_r)), -np.ones(n)]),
        n,
    )
    b.add_rows(-INF, 1.0, np.zeros(n, int), f, 1.0, 1)
    takes = np.flatnonzero(need[chosen])
    m = len(takes)
    for t in range(model.years):
        coef = share * model.u[from_k, t]
        dmax = float(coef.sum())
        if dmax <= 0:
            continue
        v = b.add_columns(m, 0.0, dmax)
        b.add_rows(
            -INF, 0.0, np.repeat(np.arange(m), 2), np.column_stack([v, f[takes]]).ravel(), np.tile([1.0, -dmax], m), m
        )
        b.add_rows(
            -INF,
            dmax,
            np.zeros(m + len(from_k), int),
            np.concatenate([v, xcol[from_k]]),
            np.concatenate([np.ones(m), coef]),
            1,
        )
        for h, vc in zip(chosen[takes], v, strict=True):
            inflow.setdefault((int(h), t), []).append(int(vc))


def _viability(
    model: ViableCoverage,
    b: ModelBuilder,
    xcol: np.ndarray,
    rcol: dict[tuple[int, int], int],
    built: Built,
    elastic: bool,
) -> None:
    """``sum over the offering, its profielen and its pool of (u x + r) >= m x`` for every year."""
    for h in np.flatnonzero(~model.ext & (model.threshold > 0)).tolist():
        group = [h, *model.child_lists[h], *model.pool_of[h]]
        for t in range(model.years):
            rs = [rcol[(g, t)] for g in group if (g, t) in rcol]
            if not rs and len(group) == 1 and model.u[h, t] >= model.threshold[h]:
                continue
            cols = [xcol[h], *(xcol[g] for g in group[1:]), *rs]
            vals = [model.u[h, t] - model.threshold[h], *(model.u[g, t] for g in group[1:]), *([1.0] * len(rs))]
            if elastic:
                s = int(b.add_columns(1, 0.0, INF, cost=-1.0 / max(model.threshold[h], 1.0))[0])
                built.viability_slack.append((s, int(h), t))
                cols.append(s)
                vals.append(1.0)
            b.add_rows(0.0, INF, np.zeros(len(cols), int), np.array(cols), np.array(vals, float), 1)


def _limits(
    model: ViableCoverage,
    b: ModelBuilder,
    xcol: np.ndarray,
    built: Built,
    objective: str,
    elastic: bool,
    with_limit: bool,
) -> None:
    """Changes (penalty, objective or limit), the exact count, and the board rule."""
    x_rows = built.x_rows
    chg = -1.0 + model.n_children[x_rows]
    n_top = int(((model.parent < 0) & ~model.ext).sum())
    if objective == "volgorde":
        moved = model.u[x_rows, 0]
        b.set_cost(built.x_cols, moved - TIE_CHANGE * chg)
        b.offset -= float(moved.sum()) + TIE_CHANGE * n_top
    elif objective == "wijzigingen":
        b.set_cost(built.x_cols, -chg)
        b.offset -= n_top
    if with_limit and model.max_changes is not None:
        cols, vals = list(built.x_cols), list(chg)
        if elastic:
            built.changes_slack = int(b.add_columns(1, 0.0, INF, cost=-1.0)[0])
            cols.append(built.changes_slack)
            vals.append(-1.0)
        b.add_rows(-INF, model.max_changes - n_top, np.zeros(len(cols), int), np.array(cols), np.array(vals), 1)
    if model.keep_exactly is not None:
        cols, vals = list(built.x_cols), [1.0] * len(built.x_cols)
        if elastic:
            up, down = b.add_columns(2, 0.0, INF, cost=-1.0)
            built.count_slack = (int(up), int(down))
            cols += [int(up), int(down)]
            vals += [-1.0, 1.0]
        b.add_rows(model.keep_exactly, model.keep_exactly, np.zeros(len(cols), int), np.array(cols), np.array(vals), 1)
    if model.boards_keep:
        for board, kind in board_kinds(model):
            cols = list(xcol[board_rows(model, board, kind)])
            vals = [1.0] * len(cols)
            if elastic:
                s = int(b.add_columns(1, 0.0, INF, cost=-1.0)[0])
                built.board_slack.append((s, str(board), int(kind)))
                cols.append(s)
                vals.append(1.0)
            b.add_rows(1.0, INF, np.zeros(len(cols), int), np.array(cols), np.array(vals), 1)
