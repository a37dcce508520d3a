"""School choice: the probability that a child from home area i enters vestiging j (a multinomial logit).

Formulation (see ``docs/methods/choice.md``). A child of level ``l`` living in
area ``i`` values vestiging ``j`` at::

    U_ijl = a_jl - b * d_ij + b * k_jl          (only if j offers level l in its first years)

with ``d_ij`` the generalised travel cost in equivalent cycling km (road km:
straight line x detour factor; a water crossing adds its time, wait and fare:
:mod:`dekkend.geo.cost`), ``b`` the distance decay per km (each extra km
makes a school ``1 - exp(-b)`` less attractive; prior: 30%, the Amsterdam
school-choice study), ``k_jl`` level-specific bonuses in km (Amsterdam: havo
pupils accept about 5 km extra for a school with vwo and without vmbo, vwo pupils
about 3 km for a categorical school or gymnasium) plus the breadth of the offer,
and ``a_jl`` the attractiveness of ``j`` for level ``l``, calibrated so that the
modelled first-year intake of every vestiging (per level where the count has type
detail) equals the observed one. A child's level is not known: it is a share
``s_l`` (national shares of the first-year levels). So::

    P_ij = sum_l s~_il * exp(U_ijl) / sum_k exp(U_ikl)

where ``s~_il`` renormalises the shares over the levels some candidate school
of area ``i`` offers, so every row of ``P`` sums to 1 and no child is lost.
Candidates of an area are the vestigingen within its radius (fixed when the
model is built), so adding a vestiging only adds alternatives: it never raises
another vestiging's intake, and moving a home closer to a vestiging never lowers
its probability there.

Intake of ``j`` from children ``N_i`` (already multiplied by the transition
rate): ``M_j = sum_i N_i P_ij``; the sum over ``j`` equals the sum of ``N`` over
areas with any candidate (conservation).

Use :meth:`ChoiceModel.from_tables` (workspace tables as known in a year),
:meth:`ChoiceModel.calibrate` (attractiveness to observed intake) and
:meth:`ChoiceModel.change_offer` (close, open or change vestigingen, keeping the
calibrated attractiveness) with :func:`reallocation` to see where pupils go.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd
from scipy import sparse

from dekkend.errors import ConfiguratieFout

#: First-year levels a child can have.
LEVELS = ("pro", "vmbo-bk", "vmbo-gt", "havo", "vwo")
#: National shares of the levels (leerjaar 3 of the DUO count of 1 October 2019; the mixed
#: havo/vwo third year split as leerjaar 4); used when the counts have no type detail.
DEFAULT_LEVEL_SHARES = np.array([0.026, 0.230, 0.271, 0.277, 0.196])
#: Each extra kilometre makes a school about 30% less attractive (Amsterdam school-choice
#: study, UvA/VU/OIS 2018, as reported by Het Parool; ``facts-law-norms-needs.md`` §2.7).
PRIOR_LOSS_PER_KM = 0.30
PRIOR_DECAY = -math.log(1.0 - PRIOR_LOSS_PER_KM)
#: The default decay per generalised km, calibrated on evidence (issue 17, ``docs/methods/choice.md``,
#: "Het verval kalibreren"): the modelled mean trip of Amsterdam's first-years matches the 6.3 km of
#: the same Amsterdam study once dekkend's PC4 geometry is corrected with CBS's distance to the nearest
#: vo school (0.23-0.27); the closure back-test does not contradict it. About 23% per km.
CALIBRATED_DECAY = 0.26
#: Calibrated attractiveness stays within [-BOUND, BOUND] (log scale).
BOUND = 80.0
#: Onderwijstype of a count row -> first-year levels it leads to.
TYPE_LEVELS = {
    "pro": ("pro",),
    "vmbo-b": ("vmbo-bk",),
    "vmbo-k": ("vmbo-bk",),
    "vmbo-g": ("vmbo-gt",),
    "vmbo-t": ("vmbo-gt",),
    "havo": ("havo",),
    "vwo": ("vwo",),
    "havo-vwo": ("havo", "vwo"),
    "internationaal": ("havo", "vwo"),
    "totaal": LEVELS,
    "onbekend": LEVELS[1:],
    "brugjaar": LEVELS[1:],
}
_NIVEAU_LEVEL = {
    "pro": "pro",
    "vmbo-b": "vmbo-bk",
    "vmbo-k": "vmbo-bk",
    "vmbo-g": "vmbo-gt",
    "vmbo-t": "vmbo-gt",
    "havo": "havo",
    "vwo": "vwo",
}


@dataclass(frozen=True)
class ChoiceParameters:
    """Settings of the utility. Distances and bonuses are in km of road.

    Parameters
    ----------
    decay_per_km
        ``b``: utility lost per km; ``1 - exp(-b)`` is the loss of attractiveness per km
        (default :data:`CALIBRATED_DECAY`; the cited prior is :data:`PRIOR_DECAY`).
    havo_bonus_km
        Extra km a havo child accepts for a school with vwo and without vmbo or pro.
    vwo_bonus_km
        Extra km a vwo child accepts for a categorical vwo school or a gymnasium.
    breadth_km
        Extra km any child accepts per first-year level offered beyond the first.
        Calibration absorbs it into the attractiveness; it matters when an offer changes.
    radius_km
        Candidate radius of every home area; default ``max(30, 15 / decay)`` km, at
        most 200 km. An area whose nearest vestiging lies further gets that distance + 15 km.
    """

    decay_per_km: float = CALIBRATED_DECAY
    havo_bonus_km: float = 5.0
    vwo_bonus_km: float = 3.0
    breadth_km: float = 0.0
    radius_km: float | None = None

    def __post_init__(self) -> None:
        problems = []
        if not 0.005 <= self.decay_per_km <= 5.0:
            problems.append(f"afstandsverval {self.decay_per_km:.3f} per km valt buiten 0,005-5")
        if self.radius_km is not None and not 1.0 <= self.radius_km <= 400.0:
            problems.append(f"zoekstraal {self.radius_km} km valt buiten 1-400 km")
        if problems:
            raise ConfiguratieFout("; ".join(problems))

    @classmethod
    def from_loss(cls, loss_per_km: float, **kwargs: float) -> ChoiceParameters:
        """Parameters from the loss of attractiveness per km (0.3 = each km 30% less attractive)."""
        if not 0.0 < loss_per_km < 1.0:
            raise ConfiguratieFout(f"verval per km {loss_per_km} moet tussen 0 en 1 liggen (bijv. 0,3 = 30% per km)")
        return cls(decay_per_km=-math.log(1.0 - loss_per_km), **kwargs)

    @property
    def loss_per_km(self) -> float:
        """Share of attractiveness lost per extra km."""
        return 1.0 - math.exp(-self.decay_per_km)

    @property
    def radius(self) -> float:
        """The default candidate radius in km."""
        return (
            float(self.radius_km)
            if self.radius_km is not None
            else float(min(200.0, max(30.0, 15.0 / self.decay_per_km)))
        )


@dataclass(frozen=True)
class Calibration:
    """Result of :meth:`ChoiceModel.calibrate`.

    ``transition`` is the factor applied to the children so that their total
    equals the observed intake (multiply the children by it before calling
    :meth:`ChoiceModel.intake`); ``max_deviation`` is the largest absolute
    difference (pupils) between modelled and observed intake after fitting,
    per vestiging and level.
    """

    model: ChoiceModel
    transition: float
    iterations: int
    max_deviation: float
    converged: bool


@dataclass(frozen=True, eq=False)
class ChoiceModel:
    """A school-choice model over home areas (rows) and vestigingen (columns).

    Build it with :meth:`from_frames` or :meth:`from_tables`; the constructor
    takes the numeric core:

    - ``areas``: ``pc4, x_rd, y_rd, zone``; ``schools``: ``vestigingscode, x_rd, y_rd``,
      the level columns, ``categoraal``, ``instroom`` and, when built from the counts,
      ``instroom_leerlingen`` and ``instroom_<level>`` (the observed first-year intake);
    - ``offers``: (vestigingen x levels) booleans; ``km``: CSR (areas x vestigingen)
      with the road km of every candidate pair; ``radius``: the fixed candidate
      radius of every area (km);
    - ``level_shares``: national shares of the levels; ``attractiveness``:
      (vestigingen x levels) log attractiveness, ``-inf`` where a vestiging takes no
      first-years of a level (``None``: all zero); ``area_shares``: (areas x levels)
      level shares of the children of every area, set by :meth:`calibrate`
      (``None``: the national shares).
    """

    areas: pd.DataFrame
    schools: pd.DataFrame
    offers: np.ndarray
    km: sparse.csr_matrix
    radius: np.ndarray
    level_shares: np.ndarray
    params: ChoiceParameters = field(default_factory=ChoiceParameters)
    attractiveness: np.ndarray | None = None
    area_shares: np.ndarray | None = None

    def __post_init__(self) -> None:
        n, m = len(self.areas), len(self.schools)
        if self.km.shape != (n, m) or self.offers.shape != (m, len(LEVELS)):
            raise ConfiguratieFout(
                f"keuzemodel: afstanden {self.km.shape} / aanbod {self.offers.shape} passen niet bij "
                f"{n} gebieden en {m} vestigingen"
            )

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def from_frames(
        cls,
        areas: pd.DataFrame,
        offer: pd.DataFrame,
        *,
        level_shares: np.ndarray | None = None,
        params: ChoiceParameters | None = None,
    ) -> ChoiceModel:
        """Build from home areas (``pc4, x_rd, y_rd[, zone]``) and an offer table.

        ``offer`` has ``vestigingscode, x_rd, y_rd`` (and optionally ``zone``), one boolean
        column per level of :data:`LEVELS`, and optionally ``categoraal`` (a categorical
        vwo school or gymnasium) and ``instroom`` (takes first-years; default true).
        Distances: :func:`dekkend.geo.estimate_matrix` (straight line x detour factor 1.3,
        water crossings).
        """
        params = params or ChoiceParameters()
        missing = [c for c in ("vestigingscode", "x_rd", "y_rd", *LEVELS) if c not in offer.columns]
        if missing:
            raise ConfiguratieFout(f"aanbodtabel voor het keuzemodel mist kolommen: {', '.join(missing)}")
        areas = areas.reset_index(drop=True)
        schools = _school_frame(offer)
        dense = _cost_km(areas, schools)
        radius = _radius(dense, schools, params)
        km = _candidates(dense, radius)
        shares = DEFAULT_LEVEL_SHARES if level_shares is None else np.asarray(level_shares, float)
        return cls(areas, schools, schools[list(LEVELS)].to_numpy(bool), km, radius, shares / shares.sum(), params)

    @classmethod
    def from_tables(
        cls,
        tables: dict[str, pd.DataFrame],
        origin: int,
        *,
        params: ChoiceParameters | None = None,
        xy: pd.DataFrame | None = None,
    ) -> ChoiceModel:
        """Build from workspace tables (already restricted as of the forecast year) and the count of ``origin``."""
        from dekkend.geo import home_areas

        offer, shares = offer_at(tables, origin, xy)
        return cls.from_frames(home_areas(tables), offer, level_shares=shares, params=params)

    def with_params(self, params: ChoiceParameters) -> ChoiceModel:
        """The same areas and vestigingen under other parameters (attractiveness and radius kept).

        A larger ``radius_km`` than the model was built with widens the candidate sets.
        """
        radius = self.radius if params.radius_km is None else np.maximum(params.radius, self.radius)
        km = self.km
        if (radius > self.radius).any():
            km = _candidates(_cost_km(self.areas, self.schools), radius)
        return replace(self, params=params, km=km, radius=radius)

    # -- probabilities ----------------------------------------------------------------------------
    @property
    def codes(self) -> np.ndarray:
        """The vestigingscodes (columns)."""
        return self.schools["vestigingscode"].to_numpy(object)

    def _alpha(self) -> np.ndarray:
        shape = self.offers.shape
        a = (
            np.zeros(shape)
            if self.attractiveness is None
            else np.broadcast_to(np.asarray(self.attractiveness, float).reshape(len(self.schools), -1), shape)
        )
        return np.clip(a, -2 * BOUND, np.inf)

    def _bonus_km(self) -> np.ndarray:
        """Level bonuses k_jl in km (vestigingen x levels)."""
        o = self.offers
        p = self.params
        bonus = np.zeros(o.shape)
        no_vmbo = ~o[:, :3].any(axis=1)
        bonus[:, 3] += np.where(o[:, 4] & no_vmbo, p.havo_bonus_km, 0.0)
        categorical = self.schools["categoraal"].to_numpy(bool) | (o[:, 4] & ~o[:, :4].any(axis=1))
        bonus[:, 4] += np.where(categorical, p.vwo_bonus_km, 0.0)
        bonus += p.breadth_km * np.maximum(o.sum(axis=1) - 1, 0)[:, None]
        return bonus

    def _mask(self) -> np.ndarray:
        """(vestigingen x levels): takes first-years of that level."""
        return self.offers & self.schools["instroom"].to_numpy(bool)[:, None] & np.isfinite(self._alpha())

    def _kernel(self) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray]:
        """(K, B, S): the distance kernel ``exp(-b (d_ij - d_i,min))`` on the candidate pairs,
        the level factors ``exp(b k_jl)`` (0 where j takes no first-years of l), and the level
        shares per area renormalised over the levels available to it."""
        km = self.km
        b = self.params.decay_per_km
        n = km.shape[0]
        rows = np.repeat(np.arange(n), np.diff(km.indptr))
        nonempty = np.diff(km.indptr) > 0
        nearest = np.zeros(n)
        if km.nnz:
            nearest[nonempty] = np.minimum.reduceat(km.data, km.indptr[:-1][nonempty])
        kernel = sparse.csr_matrix((np.exp(-b * (km.data - nearest[rows])), km.indices, km.indptr), shape=km.shape)
        mask = self._mask()
        factor = np.where(mask, np.exp(b * self._bonus_km()), 0.0)
        avail = np.asarray(kernel @ mask.astype(float)) > 0
        base = self.level_shares if self.area_shares is None else self.area_shares
        shares = np.broadcast_to(base, avail.shape) * avail
        tot = shares.sum(axis=1, keepdims=True)
        return kernel, factor, shares / np.where(tot > 0, tot, 1.0)

    def _terms(self) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray]:
        """(K, E, R): kernel, ``E_jl = exp(a_jl) B_jl`` and ``R_il = S_il / D_il`` with ``D = K @ E``."""
        kernel, factor, shares = self._kernel()
        a = self._alpha()
        finite = np.isfinite(a) & (factor > 0)
        top = a[finite].max(initial=0.0)
        e = np.where(finite, np.exp(np.where(finite, a - top, 0.0)), 0.0) * factor
        den = np.asarray(kernel @ e)
        return kernel, e, np.where(den > 0, shares / np.where(den > 0, den, 1.0), 0.0)

    def probabilities(self) -> sparse.csr_matrix:
        """``P`` (areas x vestigingen), rows summing to 1 for areas with any candidate, else 0."""
        kernel, e, r = self._terms()
        rows = np.repeat(np.arange(kernel.shape[0]), np.diff(kernel.indptr))
        data = kernel.data * np.einsum("kl,kl->k", r[rows], e[kernel.indices])
        return sparse.csr_matrix((data, kernel.indices, kernel.indptr), shape=kernel.shape)

    def intake(self, children: np.ndarray, *, by_level: bool = False) -> np.ndarray:
        """Modelled intake ``P^T @ children`` per vestiging (children per area, or areas x years).

        With ``by_level`` the last axis splits the intake over :data:`LEVELS`.
        """
        kernel, e, r = self._terms()
        return _intake(kernel, e, r, np.asarray(children, float), by_level)

    def flows(self, children: np.ndarray) -> pd.DataFrame:
        """Pupils per home area and vestiging: ``pc4, vestigingscode, leerlingen`` (pairs above 0)."""
        p = self.probabilities().tocoo()
        n = p.data * np.asarray(children, float)[p.row]
        keep = n > 0
        return pd.DataFrame(
            {
                "pc4": self.areas["pc4"].to_numpy(object)[p.row[keep]],
                "vestigingscode": self.codes[p.col[keep]],
                "leerlingen": n[keep],
            }
        )

    # -- calibration ------------------------------------------------------------------------------
    def calibrate(
        self, children: np.ndarray, intake: np.ndarray, *, tol: float = 0.01, max_iter: int = 200, solver: str = "eigen"
    ) -> Calibration:
        """Attractiveness per vestiging (and level) such that the modelled intake matches ``intake``.

        Parameters
        ----------
        children
            Children per area entering in the calibration year (before the transition rate).
        intake
            Observed first-year intake per vestiging (one attractiveness per vestiging,
            shared by its levels), or per vestiging and level (vestigingen x
            :data:`LEVELS`; one attractiveness per vestiging and level).
        tol
            Largest accepted difference in pupils per vestiging (and level).
        solver
            ``"eigen"`` (dekkend's own Newton-CG loop) or a method of
            :func:`scipy.optimize.minimize` that takes a Hessian-vector product
            (``"trust-krylov"``, ``"trust-ncg"``, ``"Newton-CG"``); compared in
            ``bench/choice_solver.py``.

        Notes
        -----
        The children are scaled by one transition rate so that they add up to the
        observed intake. Calibration treats every (vestiging, level) a vestiging
        takes first-years of as an alternative with constant ``a_jl`` (with a total
        intake, ``a_jl = a_j + log s_l``): the intake condition ``M_jl(a) = T_jl`` is
        the gradient of the concave function ``F(a) = sum T_jl a_jl - sum_i N_i log
        sum_jl K_ij B_jl exp(a_jl)``, maximised by Newton's method (conjugate
        gradients on Hessian-vector products, backtracking line search), warm-started
        from ``attractiveness`` when the model has it. The level shares of every area
        follow from the fit (``area_shares``: where the children of an area go, per
        level) and stay fixed afterwards, so an offer change moves children between
        vestigingen, never between levels. A vestiging with zero intake takes no
        first-years.
        """
        children = np.asarray(children, float)
        intake = np.asarray(intake, float)
        per_level = intake.ndim == 2
        target = self._targets(intake)
        takes = (
            target > 0
            if per_level
            else np.broadcast_to((np.maximum(intake, 0) > 0)[:, None], target.shape) & self.offers
        )
        takes = takes & self.schools["instroom"].to_numpy(bool)[:, None]
        if not takes.any():
            raise ConfiguratieFout("keuzemodel: geen instroom om op te kalibreren")
        model = replace(self, attractiveness=np.where(takes, 0.0, -np.inf), area_shares=None)
        kernel, factor, _ = model._kernel()
        weight = factor * (1.0 if per_level else model.level_shares[None, :])
        reach = np.asarray(kernel @ weight).sum(axis=1) > 0
        total = children[reach].sum()
        if total <= 0:
            raise ConfiguratieFout("keuzemodel: geen kinderen binnen bereik van een vestiging met instroom")
        goal_full = target if per_level else np.where(takes.any(axis=1), np.maximum(intake, 0.0), 0.0)
        rate = goal_full.sum() / total
        n_i = np.where(reach, children * rate, 0.0)
        kt = kernel.T.tocsr()
        k2t = kt.multiply(kt).tocsr()
        if per_level:
            idx = np.flatnonzero(takes.ravel())
            goal = target.ravel()[idx]
        else:
            idx = np.flatnonzero(takes.any(axis=1))
            goal = goal_full[idx]

        def expand(x: np.ndarray) -> np.ndarray:
            if per_level:
                v = np.zeros(target.size)
                v[idx] = x - x.max()
                return np.where(takes, np.exp(v.reshape(target.shape)), 0.0) * weight
            v = np.zeros(len(intake))
            v[idx] = x - x.max()
            return np.where(takes, np.exp(v)[:, None], 0.0) * weight

        def collect(m: np.ndarray) -> np.ndarray:
            return m.ravel()[idx] if per_level else m.sum(axis=1)[idx]

        def evaluate(x: np.ndarray) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
            e = expand(x)
            den = np.asarray(kernel @ e).sum(axis=1)
            safe = np.where(den > 0, den, 1.0)
            value = float(n_i @ np.where(den > 0, np.log(safe) + x.max(), 0.0) - goal @ x)
            m = e * np.asarray(kt @ (n_i / safe))[:, None]
            return value, collect(m), e, safe

        def hessp(e: np.ndarray, safe: np.ndarray, m: np.ndarray, v: np.ndarray) -> np.ndarray:
            """Hessian of the objective times ``v``: ``M * v - sum_i n_i p_i (p_i . v)``."""
            full = np.zeros(target.size if per_level else len(intake))
            full[idx] = v
            ev = e * (full.reshape(target.shape) if per_level else full[:, None])
            r = np.asarray(kernel @ ev).sum(axis=1) / safe
            back = e * np.asarray(kt @ (n_i * r / safe))[:, None]
            return m * v - collect(back)

        square_div = 1.0 if per_level else float(target.shape[1])
        x = np.log(goal / goal.mean())
        if self.attractiveness is not None:  # warm start from an earlier calibration (other decay, same vestigingen)
            prior = np.broadcast_to(np.asarray(self.attractiveness, float).reshape(len(intake), -1), target.shape)
            start = prior.ravel()[idx] if per_level else np.where(self.offers, prior, np.nan)[idx].max(axis=1)
            if np.isfinite(start).all():
                x = start - start.mean() + x.mean()

        def precondition(e: np.ndarray, safe: np.ndarray, m: np.ndarray) -> np.ndarray:
            """Diagonal of the Hessian (a Jacobi preconditioner for the conjugate gradients)."""
            square = e**2 if per_level else e.sum(axis=1, keepdims=True) ** 2 / square_div
            return m - collect(square * np.asarray(k2t @ (n_i / safe**2))[:, None])

        problem = _Objective(evaluate, hessp, precondition, goal)
        x, it = problem.run(x, tol, max_iter, solver)
        _, m, e, safe = evaluate(x)
        dev = float(np.abs(m - goal).max(initial=0.0))
        level_den = np.asarray(kernel @ e)
        area = level_den / safe[:, None]
        area = np.where(reach[:, None], area, model.level_shares[None, :])
        alpha = np.where(takes, np.log(np.where(e > 0, e / np.where(factor > 0, factor, 1.0), 1.0)), -np.inf)
        alpha = np.where(takes, alpha - alpha[takes].mean(), -np.inf)
        national = (area * n_i[:, None]).sum(axis=0)
        fitted = replace(
            model,
            attractiveness=alpha,
            area_shares=area,
            level_shares=national / national.sum() if national.sum() > 0 else model.level_shares,
        )
        return Calibration(fitted, float(rate), it, dev, dev < tol)

    def _targets(self, intake: np.ndarray) -> np.ndarray:
        """Observed intake per vestiging and level (a total split by the national shares over offered levels)."""
        offers = self.offers & self.schools["instroom"].to_numpy(bool)[:, None]
        if intake.ndim == 2:
            if intake.shape != offers.shape:
                raise ConfiguratieFout(f"instroom per niveau heeft vorm {intake.shape}, verwacht {offers.shape}")
            return np.where(offers, np.maximum(intake, 0.0), 0.0)
        w = offers * self.level_shares[None, :]
        tot = w.sum(axis=1, keepdims=True)
        return np.maximum(intake, 0.0)[:, None] * w / np.where(tot > 0, tot, 1.0)

    # -- changing the offer -------------------------------------------------------------------------
    def change_offer(
        self,
        *,
        close: tuple[str, ...] | list[str] = (),
        open: pd.DataFrame | None = None,  # noqa: A002
        levels: pd.DataFrame | None = None,
    ) -> ChoiceModel:
        """A new model with vestigingen closed, opened or offering other first-year levels.

        Calibrated attractiveness of the remaining vestigingen is kept; the candidate
        radius of every area stays as built, so the choice sets only change by the
        vestigingen added or removed.

        Parameters
        ----------
        close
            Vestigingscodes that stop (they leave every choice set).
        open
            New vestigingen, as in the offer table of :meth:`from_frames`, with an
            optional ``aantrekkelijkheid`` (log scale, one value for every level it
            offers; default: per level the median of the vestigingen offering it).
        levels
            ``vestigingscode`` plus level columns (true/false): replaces the
            first-year levels of existing vestigingen. A level that is added gets the
            median attractiveness of that level plus the vestiging's own mean offset.
        """
        unknown = sorted(set(close) - set(self.codes))
        if unknown:
            raise ConfiguratieFout(f"te sluiten vestiging(en) onbekend in het keuzemodel: {', '.join(unknown[:5])}")
        keep = ~np.isin(self.codes, list(close))
        schools = self.schools[keep].reset_index(drop=True)
        alpha = self._alpha()[keep].copy()
        km = self.km[:, np.flatnonzero(keep)].tocsr()
        median = _level_medians(self._alpha(), self._mask())
        if levels is not None and len(levels):
            lv = levels.drop_duplicates("vestigingscode").set_index("vestigingscode")
            bad = sorted(set(lv.index) - set(schools["vestigingscode"]))
            if bad:
                raise ConfiguratieFout(f"aanbodwijziging voor onbekende vestiging(en): {', '.join(bad[:5])}")
            rows = schools["vestigingscode"].isin(lv.index).to_numpy()
            for li, lev in enumerate(LEVELS):
                if lev not in lv.columns:
                    continue
                upd = schools["vestigingscode"].map(lv[lev])
                new_val = upd.where(upd.notna(), schools[lev]).astype(bool).to_numpy()
                added = new_val & ~schools[lev].to_numpy(bool)
                offset = _own_offset(alpha, median)
                alpha[:, li] = np.where(added & rows, median[li] + offset, alpha[:, li])
                schools[lev] = new_val
        if open is not None and len(open):
            new = _school_frame(open)
            if (
                "zone" in schools.columns and "zone" not in new.columns
            ):  # a new location: the zone of the nearest home area
                new["zone"] = _nearest_zone(self.areas, new)
            clash = sorted(set(new["vestigingscode"]) & set(schools["vestigingscode"]))
            if clash:
                raise ConfiguratieFout(f"nieuwe vestiging(en) bestaan al: {', '.join(clash[:5])}")
            km = sparse.hstack([km, _candidates(_cost_km(self.areas, new), self.radius)]).tocsr()
            given = (
                open["aantrekkelijkheid"].to_numpy(float)
                if "aantrekkelijkheid" in open.columns
                else np.full(len(new), np.nan)
            )
            fill = np.where(np.isnan(given)[:, None], median[None, :], given[:, None])
            alpha = np.vstack([alpha, fill])
            schools = pd.concat([schools, new], ignore_index=True)
        km.sort_indices()
        offers = schools[list(LEVELS)].to_numpy(bool)
        return replace(self, schools=schools, offers=offers, km=km, attractiveness=np.where(offers, alpha, -np.inf))


def _nearest_zone(areas: pd.DataFrame, points: pd.DataFrame) -> np.ndarray:
    """The water zone of the home area nearest to every point (mainland without zoned areas)."""
    from scipy.spatial import cKDTree

    from dekkend.geo import MAINLAND

    if "zone" not in areas.columns or areas.empty:
        return np.full(len(points), MAINLAND, dtype=object)
    _, idx = cKDTree(areas[["x_rd", "y_rd"]].to_numpy(float)).query(points[["x_rd", "y_rd"]].to_numpy(float))
    return areas["zone"].to_numpy(object)[idx]


def _level_medians(alpha: np.ndarray, mask: np.ndarray) -> np.ndarray:
    out = np.zeros(alpha.shape[1])
    for li in range(alpha.shape[1]):
        col = alpha[mask[:, li], li]
        out[li] = float(np.median(col)) if len(col) else (float(np.median(alpha[mask])) if mask.any() else 0.0)
    return out


def _own_offset(alpha: np.ndarray, median: np.ndarray) -> np.ndarray:
    diff = np.where(np.isfinite(alpha), alpha - median[None, :], np.nan)
    with np.errstate(all="ignore"):
        off = np.nanmean(diff, axis=1)
    return np.nan_to_num(off)


def _intake(
    kernel: sparse.csr_matrix, e: np.ndarray, r: np.ndarray, children: np.ndarray, by_level: bool = False
) -> np.ndarray:
    """``M_jl = E_jl sum_i K_ij R_il N_i`` for one or several columns of children.

    Summed over l unless ``by_level``.
    """
    kt = kernel.T.tocsr()
    if children.ndim == 1:
        m = e * np.asarray(kt @ (children[:, None] * r))
        return m if by_level else m.sum(axis=1)
    n, t = children.shape
    big = (children[:, :, None] * r[:, None, :]).reshape(n, t * r.shape[1])
    m = np.asarray(kt @ big).reshape(kt.shape[0], t, r.shape[1]) * e[:, None, :]
    return m if by_level else m.sum(axis=2)


def reallocation(before: ChoiceModel, after: ChoiceModel, children: np.ndarray) -> pd.DataFrame:
    """Intake per vestiging before and after an offer change: ``vestigingscode, voor, na, verschil``.

    ``children`` per area (same areas in both models), already multiplied by the
    transition rate (see :attr:`Calibration.transition`).
    """
    b = pd.Series(before.intake(children), index=before.codes)
    a = pd.Series(after.intake(children), index=after.codes)
    out = pd.concat([b.rename("voor"), a.rename("na")], axis=1).fillna(0.0)
    out["verschil"] = out["na"] - out["voor"]
    return out.rename_axis("vestigingscode").reset_index()


def _school_frame(offer: pd.DataFrame) -> pd.DataFrame:
    cols = ["vestigingscode", "x_rd", "y_rd", *LEVELS]
    out = offer[cols + [c for c in ("zone",) if c in offer.columns]].copy().reset_index(drop=True)
    out["vestigingscode"] = out["vestigingscode"].astype(str)
    for lev in LEVELS:
        out[lev] = out[lev].fillna(False).astype(bool)
    out["categoraal"] = (
        offer["categoraal"].fillna(False).astype(bool).to_numpy() if "categoraal" in offer.columns else False
    )
    out["instroom"] = offer["instroom"].fillna(True).astype(bool).to_numpy() if "instroom" in offer.columns else True
    for col in ("instroom_leerlingen", *(f"instroom_{lev}" for lev in LEVELS)):  # observed intake, kept for calibration
        if col in offer.columns:
            out[col] = offer[col].to_numpy(float)
    if out[["x_rd", "y_rd"]].isna().any().any():
        bad = out.loc[out[["x_rd", "y_rd"]].isna().any(axis=1), "vestigingscode"].tolist()
        raise ConfiguratieFout(f"keuzemodel: vestiging(en) zonder coördinaten: {', '.join(bad[:5])}")
    return out


def _cost_km(areas: pd.DataFrame, schools: pd.DataFrame) -> np.ndarray:
    """Generalised cost in equivalent cycling km (dense float64) via :func:`dekkend.geo.generalised_matrix`:
    road km within a zone, crossing time, wait and fare between zones."""
    from dekkend.geo import generalised_matrix

    if len(areas) == 0 or len(schools) == 0:
        return np.zeros((len(areas), len(schools)))
    return generalised_matrix(areas, schools).km.astype(float)


def _road_km(areas: pd.DataFrame, schools: pd.DataFrame) -> np.ndarray:
    """Road km (dense float64) via :func:`dekkend.geo.estimate_matrix` (straight line x detour, water zones)."""
    from dekkend.geo import estimate_matrix

    if len(areas) == 0 or len(schools) == 0:
        return np.zeros((len(areas), len(schools)))
    return estimate_matrix(areas, schools).km.astype(float)


#: Every area keeps at least this many vestigingen per level among its candidates.
LEVEL_NEIGHBOURS = 3


def _radius(dense: np.ndarray, schools: pd.DataFrame, params: ChoiceParameters) -> np.ndarray:
    """Candidate radius per area: the default radius, at least the nearest vestiging + 15 km and the
    :data:`LEVEL_NEIGHBOURS`-th nearest vestiging of every level + 5 km (fixed once built)."""
    n = dense.shape[0]
    radius = np.full(n, params.radius)
    if dense.shape[1] == 0:
        return radius
    finite = np.where(np.isfinite(dense), dense, np.nan)
    with np.errstate(all="ignore"):
        nearest = np.nanmin(finite, axis=1)
    radius = np.fmax(radius, nearest + 15.0)
    takes = schools["instroom"].to_numpy(bool)
    seen: dict[bytes, np.ndarray] = {}
    for lev in LEVELS:
        mask = schools[lev].to_numpy(bool) & takes
        cols = np.flatnonzero(mask)
        if len(cols) == 0:
            continue
        key = mask.tobytes()
        if key not in seen:  # levels offered by the same vestigingen share the computation
            k = min(LEVEL_NEIGHBOURS, len(cols)) - 1
            sub = dense[:, cols].astype(np.float32)
            seen[key] = np.partition(np.where(np.isfinite(sub), sub, np.inf), k, axis=1)[:, k].astype(float)
        kth = seen[key]
        radius = np.fmax(radius, np.where(np.isfinite(kth), kth + 5.0, radius))
    return np.minimum(radius, 400.0)


def _candidates(dense: np.ndarray, radius: np.ndarray) -> sparse.csr_matrix:
    """Sparse candidate pairs: distance within the area's radius (zeros kept as explicit entries)."""
    mask = dense <= radius[:, None]
    r, c = np.nonzero(mask)
    out = sparse.csr_matrix((dense[r, c], (r, c)), shape=dense.shape)
    out.sort_indices()
    return out


# -- offer from the counts ----------------------------------------------------------------------------
def _levels_of(types: pd.Series, niveau: pd.Series) -> pd.DataFrame:
    """Which first-year levels each count row leads to (a brugjaar by its ``niveau``)."""
    t = types.astype(str).to_numpy()
    out = np.zeros((len(t), len(LEVELS)), bool)
    for typ, levs in TYPE_LEVELS.items():
        hit = t == typ
        if hit.any():
            out[np.ix_(hit, [LEVELS.index(x) for x in levs])] = True
    niv = niveau.astype("string").fillna("").to_numpy(object)
    brug = (t == "brugjaar") & (niv != "")
    if brug.any():
        named = np.zeros((int(brug.sum()), len(LEVELS)), bool)
        for code, lev in _NIVEAU_LEVEL.items():
            named[:, LEVELS.index(lev)] |= np.array([code in str(x).split(",") for x in niv[brug]])
        keep = named.any(axis=1)
        rows = np.flatnonzero(brug)
        out[rows[keep]] = named[keep]
    return pd.DataFrame(out, index=types.index, columns=list(LEVELS))


def level_shares(pupils: pd.DataFrame) -> np.ndarray:
    """National level shares of the first-year pupils of a count with type detail (else the defaults).

    Every leerjaar-1 stream counts for the levels it leads to (a brugjaar for its
    ``niveau``), split evenly over them; a count without type detail gives the defaults.
    """
    from dekkend.ingest._text import estimated_count

    p = pupils[pupils["leerjaar"] == 1]
    if p.empty or (p["onderwijstype"].isin(["totaal", "onbekend"])).mean() > 0.5:
        return DEFAULT_LEVEL_SHARES
    niveau = p["niveau"] if "niveau" in p.columns else pd.Series(None, index=p.index, dtype=object)
    lev = _levels_of(p["onderwijstype"].astype(str), niveau).to_numpy(float)
    n = estimated_count(p).to_numpy(float)
    share = (lev / np.maximum(lev.sum(axis=1, keepdims=True), 1.0) * n[:, None]).sum(axis=0)
    return share / share.sum() if share.sum() > 0 else DEFAULT_LEVEL_SHARES


def offer_at(
    tables: dict[str, pd.DataFrame], origin: int, xy: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, np.ndarray]:
    """The offer table of every vestiging counted in ``origin`` and the national level shares.

    Levels come from the streams of leerjaar 1 and 2 (a brugjaar by its ``niveau``;
    a count without type detail offers every level); ``categoraal`` marks vwo-only
    vestigingen and gymnasia; ``instroom_leerlingen`` is the leerjaar-1 count and
    ``instroom_<level>`` its split over the levels (each stream evenly over the levels
    it leads to; empty without type detail). ``xy`` (columns ``vestigingscode, x_rd,
    y_rd``) overrides the locations of the ``vestigingen`` table.
    """
    from dekkend.ingest._text import estimated_count

    p = tables["leerlingen"]
    p = p[p["schooljaar"] == origin]
    low = p[p["leerjaar"].isin([1, 2])]
    niveau = low["niveau"] if "niveau" in low.columns else pd.Series(None, index=low.index, dtype=object)
    lev = _levels_of(low["onderwijstype"].astype(str), niveau).assign(vestigingscode=low["vestigingscode"].to_numpy())
    offers = lev.groupby("vestigingscode")[list(LEVELS)].any()
    gym = (
        low.loc[low["gymnasium"].fillna(False).astype(bool), "vestigingscode"].unique()
        if "gymnasium" in low.columns
        else []
    )
    first = p[p["leerjaar"] == 1]
    intake = first.assign(n=estimated_count(first)).groupby("vestigingscode")["n"].sum()
    codes = sorted(p["vestigingscode"].unique())
    detail = not first.empty and (first["onderwijstype"].isin(["totaal", "onbekend"])).mean() <= 0.5
    by_level = pd.DataFrame(np.nan, index=codes, columns=[f"instroom_{lev}" for lev in LEVELS])
    if detail:
        fn = first["niveau"] if "niveau" in first.columns else pd.Series(None, index=first.index, dtype=object)
        fl = _levels_of(first["onderwijstype"].astype(str), fn).to_numpy(float)
        split = fl / np.maximum(fl.sum(axis=1, keepdims=True), 1.0) * estimated_count(first).to_numpy(float)[:, None]
        per = pd.DataFrame(split, columns=by_level.columns).groupby(first["vestigingscode"].to_numpy()).sum()
        by_level = per.reindex(codes, fill_value=0.0)
    if xy is None:
        ves = tables["vestigingen"].drop_duplicates("vestigingscode").set_index("vestigingscode")
        loc = ves.reindex(codes)[["x_rd", "y_rd"]]
    else:
        loc = xy.drop_duplicates("vestigingscode").set_index("vestigingscode").reindex(codes)[["x_rd", "y_rd"]]
    out = offers.reindex(codes, fill_value=False)
    out["categoraal"] = out.index.isin(gym)
    out["instroom_leerlingen"] = intake.reindex(codes, fill_value=0.0).to_numpy()
    # a level with first-year pupils is offered, even when leerjaar 2 says nothing about it
    for lev in LEVELS:
        out[lev] = out[lev].to_numpy(bool) | (by_level[f"instroom_{lev}"].fillna(0.0).to_numpy() > 0)
    out = out.join(by_level).join(loc).rename_axis("vestigingscode").reset_index()
    out["zone"] = _zones(tables, out)
    return out, level_shares(p)


def _zones(tables: dict[str, pd.DataFrame], offer: pd.DataFrame) -> np.ndarray:
    """The water zone of every vestiging of ``offer``, as the reachability matrix assigns it
    (postcode of the address; without one, the nearest home area; unknown: from the RD point)."""
    from dekkend.geo import assign_zones, school_locations

    if offer.empty:
        return np.array([], dtype=object)
    guess = pd.Series(
        assign_zones(
            np.full(len(offer), None, dtype=object), offer["x_rd"].to_numpy(float), offer["y_rd"].to_numpy(float)
        ),
        index=offer.index,
    )
    try:
        known = school_locations(tables).set_index("vestigingscode")["zone"]
    except (ConfiguratieFout, KeyError):
        return guess.to_numpy(object)
    return offer["vestigingscode"].map(known).fillna(guess).to_numpy(object)


#: Methods of :func:`scipy.optimize.minimize` that ``calibrate(solver=...)`` accepts, for the
#: comparison in ``bench/choice_solver.py``; the default is dekkend's own loop
#: (``_Objective.solve``).
ScipySolver = Literal["trust-krylov", "trust-ncg", "Newton-CG"]
SCIPY_SOLVERS: tuple[ScipySolver, ...] = get_args(ScipySolver)


@dataclass
class _Objective:
    """The calibration objective: value, gradient and Hessian products of a concave log-likelihood.

    ``evaluate(x)`` returns the value to minimise, the modelled intake ``m`` and two
    intermediate arrays; the gradient is ``m - goal``.
    """

    evaluate: Callable[[np.ndarray], tuple[float, np.ndarray, np.ndarray, np.ndarray]]
    hessp: Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], np.ndarray]
    diagonal: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
    goal: np.ndarray

    def run(self, x: np.ndarray, tol: float, max_iter: int, solver: str) -> tuple[np.ndarray, int]:
        """Minimise from ``x`` with ``solver``; the solution and the iterations."""
        if solver == "eigen":
            return self.solve(x, tol, max_iter)
        for method in SCIPY_SOLVERS:
            if solver == method:
                return self.solve_scipy(x, tol, max_iter, method)
        raise ConfiguratieFout(
            f"keuzemodel: onbekende oplosser '{solver}'; kies uit: eigen, " + ", ".join(SCIPY_SOLVERS)
        )

    def solve(self, x: np.ndarray, tol: float, max_iter: int) -> tuple[np.ndarray, int]:
        """Newton-CG (Jacobi preconditioner, backtracking line search); x and the iterations."""
        from scipy.sparse.linalg import LinearOperator, cg

        value, m, e, safe = self.evaluate(x)
        it = 0
        while it < max_iter:
            it += 1
            grad = m - self.goal
            if np.abs(grad).max(initial=0.0) < tol:
                break
            ridge = 1e-9 * max(float(m.mean()), 1e-12)

            def product(
                v: np.ndarray, e: np.ndarray = e, safe: np.ndarray = safe, m: np.ndarray = m, ridge: float = ridge
            ) -> np.ndarray:
                return self.hessp(e, safe, m, v) + ridge * v

            op = LinearOperator((len(x), len(x)), matvec=product)
            diag = np.maximum(self.diagonal(e, safe, m) + ridge, 1e-12)

            def precondition(v: np.ndarray, d: np.ndarray = diag) -> np.ndarray:
                return v / d

            pre = LinearOperator((len(x), len(x)), matvec=precondition)
            rtol = min(0.1, float(np.abs(grad).max()) / max(float(self.goal.max()), 1.0))
            step, _ = cg(op, -grad, rtol=rtol, maxiter=100, M=pre)
            t = 1.0
            while True:
                trial = np.clip(x + t * np.clip(step, -5.0, 5.0), -BOUND, BOUND)
                new_value, new_m, new_e, new_safe = self.evaluate(trial)
                if new_value <= value + 1e-4 * t * float(grad @ step) or t < 1e-6:
                    break
                t *= 0.5
            x, value, m, e, safe = trial, new_value, new_m, new_e, new_safe
        return x, it

    def solve_scipy(self, x: np.ndarray, tol: float, max_iter: int, method: ScipySolver) -> tuple[np.ndarray, int]:
        """The same objective through :func:`scipy.optimize.minimize`, same stopping rule."""
        from scipy.optimize import minimize

        last: dict[bytes, tuple[float, np.ndarray, np.ndarray, np.ndarray]] = {}

        def at(z: np.ndarray) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
            key = z.tobytes()
            if key not in last:
                last.clear()
                last[key] = self.evaluate(z)
            return last[key]

        def stop(intermediate_result: Any) -> None:
            if np.abs(at(intermediate_result.x)[1] - self.goal).max(initial=0.0) < tol:
                raise StopIteration

        def value(z: np.ndarray) -> float:
            return at(z)[0]

        def gradient(z: np.ndarray) -> np.ndarray:
            return at(z)[1] - self.goal

        def hessian_product(z: np.ndarray, v: np.ndarray) -> np.ndarray:
            return self.hessp(at(z)[2], at(z)[3], at(z)[1], v)

        if np.abs(at(x)[1] - self.goal).max(initial=0.0) < tol:
            return x, 1
        result = minimize(
            value,
            x,
            jac=gradient,
            hessp=hessian_product,
            method=method,
            callback=stop,
            options=(
                {"maxiter": max_iter, "xtol": 1e-10}
                if method == "Newton-CG"
                else {"maxiter": max_iter, "gtol": tol * 1e-3}
            ),
        )
        return result.x, int(result.nit) + 1
