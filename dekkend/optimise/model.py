r"""The numeric core: which offerings to keep so that most children live within the norm distance, all viable.

:class:`ViableCoverage` is a maximal covering location model (Church & ReVelle 1974) over
*offerings* (a type or vmbo-profiel at a vestiging) with a minimum-size constraint per kept
offering (a threshold variant, as McTHRESH of Balakrishnan & Storbeck 1991), in which the pupils
of a closed offering move to the offerings that stay, either by the choice model's first-order
shares (``keuze``) or to the closest kept offering from their home (``dichtstbij``, with
closest-assignment constraints; see Gerrard & Church 1996 and Espejo, Marín & Rodríguez-Chía 2012).
The full formulation is in the class docstring and in ``docs/methods/optimise.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property

import numpy as np
import pandas as pd
from scipy import sparse

from dekkend.errors import ConfiguratieFout
from dekkend.optimise._analysis import explain_infeasible
from dekkend.optimise._evaluate import DENSE_LIMIT, ClosestPlan, evaluate, plan_closest
from dekkend.optimise._formulation import build
from dekkend.optimise._highs import SolveOptions
from dekkend.optimise.results import (
    STATUSES,
    TIE_GAP,
    TIE_MIN_SECONDS,
    Evaluation,
    Solution,
)

OFFERING_COLUMNS = ("site", "kind", "threshold", "klass", "parent", "status", "board", "pool")
#: A share or home-area matrix as :meth:`ViableCoverage.from_cost_matrix` takes it (stored as CSR).
FlowMatrix = sparse.csr_matrix | sparse.csc_matrix | sparse.coo_matrix | np.ndarray


class ViableCoverage:
    r"""Maximal covering of children by offerings that each stay viable.

    Sets: areas :math:`i \in I` with children :math:`c_i`; offerings :math:`h \in H` at sites
    :math:`s(h)`, each of one coverage kind :math:`\kappa(h)` (``havo``, ``profiel:groen``) and one
    flow class (``havo``, ``vmbo-k/groen``); :math:`F \subseteq H` decided, :math:`L` locked open,
    :math:`E` outside the region (always open); :math:`C(h)` the profielen of leerweg :math:`h`;
    years :math:`t \in T`. Data: own-class pupils :math:`u_{ht}` (a leerweg's pupils without a
    profiel), threshold :math:`m_h`, norm distance :math:`N_\kappa`, cost :math:`d_{is}` (km).

    .. math::

        \max \; & \sum_\kappa w_\kappa \sum_i c_i\, y_{i\kappa} \\
        \text{s.t.}\; & y_{i\kappa} \le \sum_{h \in H_\kappa \setminus E:\, d_{i s(h)} \le N_\kappa} x_h
                  && \text{(cover; } y_{i\kappa} = 1 \text{ if an outside or locked offering is within } N_\kappa) \\
        & x_g \le x_h,\quad x_h \le \textstyle\sum_{g \in C(h)} x_g && g \in C(h) \text{ (nesting)} \\
        & \sum_{g \in \{h\} \cup C(h) \cup P(h)} (u_{gt} x_g + r_{gt}) \ge m_h x_h && h \notin E,\ t \in T
                  \text{ (viability)} \\
        & \mathrm{changes}(x) = \sum_{h \text{ top}} (1 - x_h) + \sum_{g \in C(h)} (x_h - x_g) \le K \\
        & \sum_{h \in H_{b\kappa}} x_h \ge 1 && \text{(optional: board } b \text{ keeps kind } \kappa\text{)} \\
        & x_h \in \{0, 1\},\; x_h = 1\ (h \in L),\; 0 \le y \le 1,\; r \ge 0.

    :math:`P(h)` is the pool of :math:`h`: the offerings judged together with it (a vmbo profiel at a
    vestiging across its leerwegen, as the diagnosis judges it); empty without a ``pool`` column.

    Received pupils :math:`r_{ht}` (``keuze``, first-order choice shares :math:`a_{kh}`: the share of
    :math:`k`'s pupils that goes to :math:`h` when only :math:`k` closes):

    .. math::

        r_{ht} \le \textstyle\sum_{k \ne h} a_{kh}\, u_{kt} (1 - x_k), \qquad r_{ht} \le R_{ht}\, x_h .

    Among configurations with the same coverage a second solve (coverage fixed at the optimum
    found) keeps the one that moves the fewest pupils, then the one with the fewest changes
    (within :data:`TIE_GAP`, or what it finds within its time budget).

    With several closures the logit gives each remaining offering *more* than the first-order
    share (independence of irrelevant alternatives), so a configuration viable here is viable
    under the full reallocation of ``dekkend scenario``.

    ``dichtstbij`` (closest assignment): the displaced pupils of area :math:`i` in class :math:`c`,
    :math:`D_{ict}(x) = \sum_k o_{ki} u_{kt}(1-x_k)`, go to the first kept offering in :math:`i`'s
    list :math:`k_1, k_2, \ldots` (by distance, within a cut-off, up to the first outside or locked
    offering). With continuous :math:`f_{ir}` and :math:`v_{irt}`:

    .. math::

        f_{ir} \le x_{k_r},\quad \sum_{s \le r} f_{is} \ge x_{k_r},\quad \sum_r f_{ir} \le 1,\quad
        v_{irt} \le \bar D_{ict} f_{ir},\quad \sum_r v_{irt} \le D_{ict}(x),\quad
        r_{ht} \le \sum_{(i,r): k_r = h} v_{irt} .

    The second constraint is a closest-assignment constraint of the aggregated kind
    (:math:`\sum_{s: d_{is} \le d_{ij}} z_{is} \ge x_j`; Rojeski & ReVelle 1970, Wagner & Falkson
    1975, Church & Cohon 1976, reviewed by Gerrard & Church 1996 and Espejo et al. 2012): with the
    others it makes :math:`f_{ir} = 1` exactly for the nearest kept offering, so the model is exact
    (a brute-force test confirms it).

    References
    ----------
    Church, R. & ReVelle, C. (1974). The maximal covering location problem. *Papers of the
    Regional Science Association* 32, 101-118. Toregas, C., Swain, R., ReVelle, C. & Bergman, L.
    (1971). The location of emergency service facilities. *Operations Research* 19(6), 1363-1373.
    Current, J. & Storbeck, J. (1988). Capacitated covering models. *Environment and Planning B*
    15, 153-163. Balakrishnan, P. V. & Storbeck, J. E. (1991). McTHRESH: modeling maximum coverage
    with threshold constraints. *Environment and Planning B* 18, 459-472. Rojeski, P. & ReVelle, C.
    (1970). Central facilities location under an investment constraint. *Geographical Analysis* 2,
    343-360. Wagner, J. & Falkson, L. (1975). The optimal nodal location of public facilities with
    price-sensitive demand. *Geographical Analysis* 7, 69-83. Church, R. & Cohon, J. (1976).
    Multiobjective location analysis of regional energy facility siting problems. Brookhaven
    National Laboratory, BNL 50567. Gerrard, R. & Church, R. (1996). Closest assignment constraints
    and location models: properties and structure. *Location Science* 4(4), 251-270. Espejo, I.,
    Marín, A. & Rodríguez-Chía, A. (2012). Closest assignment constraints in discrete location
    problems. *European Journal of Operational Research* 219(1), 49-58.
    """

    def __init__(
        self,
        cost: np.ndarray,
        children: np.ndarray,
        offerings: pd.DataFrame,
        pupils: np.ndarray,
        *,
        shares: sparse.csr_matrix | None,
        homes: sparse.csr_matrix | None,
        norm_km: Mapping[str, float] | float,
        weights: Mapping[str, float] | None,
        max_changes: int | None,
        keep_exactly: int | None,
        boards_keep: bool,
        leerweg_needs_profiel: bool,
        cutoff_km: float,
    ) -> None:
        self.cost = cost
        self.children = children
        self.offerings = offerings
        self.pupils = pupils
        self.shares = None if shares is None else sparse.csr_matrix(shares)
        self.homes = None if homes is None else sparse.csr_matrix(homes)
        self.assignment = "dichtstbij" if homes is not None else ("keuze" if shares is not None else "geen")
        self.kinds: tuple[str, ...] = tuple(dict.fromkeys(k for k in offerings["kind"] if k))
        default = norm_km if not isinstance(norm_km, Mapping) else 12.0
        per = dict(norm_km) if isinstance(norm_km, Mapping) else {}
        self.norm = {k: float(per.get(k, default)) for k in self.kinds}
        self.weights = {k: float((weights or {}).get(k, 1.0)) for k in self.kinds}
        self.max_changes = max_changes
        self.keep_exactly = keep_exactly
        self.boards_keep = boards_keep
        self.leerweg_needs_profiel = leerweg_needs_profiel
        self.cutoff_km = float(cutoff_km)
        self._derive()

    # -- construction ---------------------------------------------------------
    @classmethod
    def from_cost_matrix(
        cls,
        cost: np.ndarray,
        children: np.ndarray,
        offerings: pd.DataFrame,
        pupils: np.ndarray | None = None,
        *,
        shares: FlowMatrix | None = None,
        homes: FlowMatrix | None = None,
        norm_km: Mapping[str, float] | float = 12.0,
        weights: Mapping[str, float] | None = None,
        max_changes: int | None = None,
        keep_exactly: int | None = None,
        boards_keep: bool = False,
        leerweg_needs_profiel: bool = True,
        cutoff_km: float = 30.0,
    ) -> ViableCoverage:
        """The model from a cost matrix and a table of offerings.

        Parameters
        ----------
        cost
            ``(n, m)`` km from area ``i`` to site ``j`` (``inf``: unreachable).
        children
            ``(n,)`` coverage weight of each area (children aged 12-17; 0 outside the region).
        offerings
            One row per offering with ``site`` (column of ``cost``) and ``kind`` (coverage
            kind, ``""`` for none); optional ``threshold`` (minimum pupils, default 0),
            ``klass`` (flow class, default the kind), ``parent`` (row of its leerweg, -1),
            ``status`` (``vrij``, ``vast``, ``extern``; default ``vrij``), ``board`` and ``pool``
            (offerings with the same pool number >= 0 meet their thresholds together: a vmbo
            profiel at a vestiging summed over its leerwegen; -1: alone).
        pupils
            ``(q,)`` or ``(q, T)`` forecast pupils per offering (a leerweg includes its
            profielen); default zeros.
        shares
            ``(q, q)`` first-order choice shares: ``shares[k, h]`` of ``k``'s pupils go to
            ``h`` when only ``k`` closes (``keuze``).
        homes
            ``(q, n)`` where each offering's pupils live (rows sum to 1); gives closest
            assignment (``dichtstbij``). Without ``shares`` and ``homes`` pupils of a closed
            offering are lost to the model.
        norm_km
            Norm distance, one number or per kind.
        weights
            Weight per kind of a child within the norm distance (default 1 each).
        max_changes
            At most this many closures (``K``).
        keep_exactly
            Keep exactly this many decided and locked offerings (the ``p`` of the classic
            maximal covering problem).
        boards_keep
            Every board keeps at least one offering of each kind it has.
        leerweg_needs_profiel
            A vmbo leerweg with profielen keeps at least one of them.
        cutoff_km
            ``dichtstbij``: pupils go at most this far; further is lost to the model.

        Raises
        ------
        ConfiguratieFout
            Every inconsistency at once (shapes, unknown statuses, bad parents, negative numbers).
        """
        cost = np.asarray(cost, dtype=float)
        children = np.asarray(children, dtype=float)
        frame = _normalise_offerings(offerings)
        q = len(frame)
        p = np.zeros((q, 1)) if pupils is None else np.asarray(pupils, dtype=float)
        p = p.reshape(q, 1) if p.ndim == 1 else p
        problems = _check(cost, children, frame, p)
        for name, mat, shape in (("shares", shares, (q, q)), ("homes", homes, (q, cost.shape[0]))):
            if mat is not None and tuple(mat.shape) != shape:
                problems.append(f"{name} heeft vorm {tuple(mat.shape)}, verwacht {shape}")
        if max_changes is not None and max_changes < 0:
            problems.append(f"max_changes {max_changes} is negatief")
        if problems:
            raise ConfiguratieFout("optimalisatiemodel: " + "; ".join(problems))
        return cls(
            cost,
            children,
            frame,
            p,
            shares=None if shares is None else sparse.csr_matrix(shares),
            homes=None if homes is None else sparse.csr_matrix(homes),
            norm_km=norm_km,
            weights=weights,
            max_changes=max_changes,
            keep_exactly=keep_exactly,
            boards_keep=boards_keep,
            leerweg_needs_profiel=leerweg_needs_profiel,
            cutoff_km=cutoff_km,
        )

    def _derive(self) -> None:
        """Arrays used by evaluation and formulation."""
        o = self.offerings
        self.q = len(o)
        self.n = self.cost.shape[0]
        self.site = o["site"].to_numpy(int)
        self.parent = o["parent"].to_numpy(int)
        self.threshold = o["threshold"].to_numpy(float)
        status = o["status"].to_numpy(object)
        self.ext = status == "extern"
        self.locked = status == "vast"
        self.free = status == "vrij"
        self.klass = o["klass"].to_numpy(object)
        self.board = o["board"].to_numpy(object)
        kind_index = {k: i for i, k in enumerate(self.kinds)}
        self.kind_of = np.array([kind_index.get(k, -1) for k in o["kind"]], dtype=int)
        self.child_lists: list[list[int]] = [[] for _ in range(self.q)]
        for g, h in enumerate(self.parent):
            if h >= 0:
                self.child_lists[h].append(g)
        self.n_children = np.array([len(c) for c in self.child_lists], dtype=int)
        pool = o["pool"].to_numpy(int)
        self.pools: list[np.ndarray] = [np.flatnonzero(pool == p) for p in np.unique(pool[pool >= 0])]
        self.pools = [m for m in self.pools if len(m) > 1]
        self.pool_of: list[list[int]] = [[] for _ in range(self.q)]
        for members in self.pools:
            for h in members:
                self.pool_of[h] = [int(g) for g in members if g != h]
        child_sum = np.zeros_like(self.pupils)
        for g, h in enumerate(self.parent):
            if h >= 0:
                child_sum[h] += self.pupils[g]
        self.u = np.clip(self.pupils - child_sum, 0.0, None)
        self.u[self.ext] = 0.0
        row_norm = np.array([self.norm.get(k, np.inf) if k else -1.0 for k in o["kind"]], dtype=float)
        self.within = self.cost[:, self.site] <= row_norm[None, :].astype(np.float32)
        self.within[:, self.kind_of < 0] = False
        self.years = self.pupils.shape[1]

    # -- evaluation -----------------------------------------------------------
    def evaluate(self, keep: np.ndarray) -> Evaluation:
        """The exact figures of a configuration: coverage, pupils per kept offering, changes, feasibility."""
        return evaluate(self, np.asarray(keep, dtype=bool))

    def today(self) -> Evaluation:
        """Every offering kept (today's configuration)."""
        return self.evaluate(np.ones(self.q, dtype=bool))

    @cached_property
    def dense_shares(self) -> np.ndarray | None:
        """The first-order shares as a dense array up to :data:`DENSE_LIMIT` cells, else ``None``.

        The many small evaluations of one model are faster on a dense array; built once per model.
        """
        a = self.shares
        if a is None or a.shape[0] * a.shape[1] > DENSE_LIMIT:
            return None
        return a.toarray()

    @cached_property
    def closest_plans(self) -> tuple[ClosestPlan, ...]:
        """Per flow class with senders: its home areas and each area's offerings by distance."""
        return tuple(plan_closest(self))

    # -- solving --------------------------------------------------------------
    def solve(
        self,
        *,
        time_limit: float = 60.0,
        mip_gap: float = 1e-4,
        threads: int | None = None,
        verbose: bool = False,
    ) -> Solution:
        """Solve with HiGHS; when infeasible, explain which constraints cannot be met and by how much.

        Parameters
        ----------
        time_limit
            Seconds for HiGHS (per solve); at the limit the best configuration found is
            returned with status ``tijdslimiet`` and its gap.
        mip_gap
            Relative optimality gap at which HiGHS stops (default 0.01%).
        threads
            Threads for HiGHS (default: its own choice).
        verbose
            Show the HiGHS log.
        """
        options: SolveOptions = {"time_limit": time_limit, "mip_gap": mip_gap, "threads": threads, "verbose": verbose}
        built = build(self)
        result = built.builder.solve(**options)
        if result.values is None:
            if result.status == "onhaalbaar":
                shortfalls, seconds = explain_infeasible(self, options)
                return Solution(
                    "onhaalbaar",
                    float("nan"),
                    float("nan"),
                    float("nan"),
                    result.seconds + seconds,
                    None,
                    shortfalls,
                    built.size,
                )
            return Solution(
                result.status, float("nan"), result.bound, float("nan"), result.seconds, None, (), built.size
            )
        values, seconds, tie_seconds = result.values, result.seconds, 0.0
        if self._tie_break_matters():
            floor = result.objective - 1e-7 * max(1.0, abs(result.objective)) - 1e-6
            tie = build(self, "volgorde", floor=floor)
            budget = min(max(1.0, time_limit - seconds), max(TIE_MIN_SECONDS, seconds))
            second = tie.builder.solve(
                time_limit=budget, mip_gap=max(mip_gap, TIE_GAP), threads=threads, verbose=verbose, start=values
            )
            seconds += second.seconds
            tie_seconds = second.seconds
            if second.values is not None:
                values = second.values
        keep = np.ones(self.q, dtype=bool)
        keep[built.x_rows] = values[built.x_cols] > 0.5
        evaluation = self.evaluate(keep)
        if not evaluation.feasible:  # pragma: no cover - a tolerance problem in HiGHS; report it
            raise ConfiguratieFout(
                "optimalisatie: de oplossing van HiGHS voldoet niet bij narekenen: " + "; ".join(evaluation.problems)
            )
        bound = max(result.bound, evaluation.objective)
        gap = (bound - evaluation.objective) / max(abs(evaluation.objective), 1e-9)
        status = result.status
        return Solution(
            status,
            evaluation.objective,
            bound,
            max(0.0, gap),
            seconds,
            evaluation,
            (),
            built.size,
            (result.seconds, tie_seconds),
        )

    def _tie_break_matters(self) -> bool:
        """False when every configuration with the same coverage moves no pupils and has as many changes
        (no pupils, no profielen, an exact count): then the second solve is skipped."""
        inside = ~self.ext
        constant = self.keep_exactly is not None and not (self.n_children[inside] > 0).any()
        return not (constant and not (self.u[inside] > 0).any())


def _normalise_offerings(offerings: pd.DataFrame) -> pd.DataFrame:
    """The offerings frame with every column of :data:`OFFERING_COLUMNS` and clean types."""
    o = offerings.reset_index(drop=True).copy()
    defaults = {"threshold": 0.0, "parent": -1, "status": "vrij", "board": "", "pool": -1}
    for col, value in defaults.items():
        if col not in o.columns:
            o[col] = value
    if "kind" not in o.columns:
        o["kind"] = ""
    o["kind"] = o["kind"].fillna("").astype(str)
    if "klass" not in o.columns:
        o["klass"] = o["kind"]
    o["klass"] = o["klass"].fillna("").astype(str)
    o["board"] = o["board"].fillna("").astype(str)
    o["status"] = o["status"].fillna("vrij").astype(str)
    o["parent"] = o["parent"].fillna(-1).astype(int)
    o["pool"] = o["pool"].fillna(-1).astype(int)
    o["threshold"] = o["threshold"].fillna(0.0).astype(float)
    return o


def _check(cost: np.ndarray, children: np.ndarray, o: pd.DataFrame, pupils: np.ndarray) -> list[str]:
    """Every inconsistency of the inputs, in Dutch."""
    problems = []
    if cost.ndim != 2:
        return [f"kostenmatrix moet twee dimensies hebben, niet {cost.ndim}"]
    n, m = cost.shape
    if children.shape != (n,):
        problems.append(f"kinderen heeft vorm {children.shape}, verwacht ({n},)")
    if (np.nan_to_num(cost, posinf=0.0) < 0).any() or np.isnan(cost).any():
        problems.append("kostenmatrix bevat negatieve of lege waarden")
    if "site" not in o.columns:
        return [*problems, "aanbod mist kolom 'site'"]
    site = o["site"].to_numpy()
    if len(o) and (site.min() < 0 or site.max() >= m):
        problems.append(f"site buiten 0..{m - 1}")
    bad = sorted(set(o["status"]) - set(STATUSES))
    if bad:
        problems.append(f"onbekende status {', '.join(bad)} (toegestaan: {', '.join(STATUSES)})")
    if (o["threshold"] < 0).any():
        problems.append("een drempel is negatief")
    if pupils.shape[0] != len(o) or not np.isfinite(pupils).all() or (pupils < 0).any():
        problems.append(f"leerlingen heeft vorm {pupils.shape} of negatieve/lege waarden, verwacht ({len(o)}, T) >= 0")
    par = o["parent"].to_numpy(int)
    for g, h in enumerate(par):
        if h < 0:
            continue
        ext_mismatch = (o["status"].iat[h] == "extern") != (o["status"].iat[g] == "extern") if h < len(o) else True
        if h >= len(o) or par[h] >= 0 or site[h] != site[g] or ext_mismatch:
            problems.append(f"aanbod {g}: ouder {h} is geen leerweg op dezelfde plek")
    return problems
