"""Calibrating the distance decay on evidence: likelihood, mean-trip matching, bootstrap.

Two estimators of the decay ``b`` of :class:`~dekkend.forecast.choice.ChoiceModel`,
both with the attractiveness calibrated to the observed intake for every ``b``:

- **likelihood**: with pupils per home area and vestiging (``F_ij``) the profile
  log-likelihood ``sum F_ij log P_ij(b)`` is maximised (as
  :func:`dekkend.forecast.decay.estimate_decay`, here on a prepared problem so it
  can be re-evaluated cheaply for bootstrap replicates);
- **mean-trip matching**: with only a mean home-school distance ``D`` known, ``b``
  solves ``mean_i,j[N_i P_ij(b) d_ij] = D``. The modelled mean falls as ``b``
  grows (a stronger decay keeps pupils nearer), so the root is unique within the
  search interval.

Uncertainty: a **cluster bootstrap** (resample clusters such as home gemeenten
with replacement, re-estimate; percentile interval). Pupils of one area choose
alike, so the curvature standard error of the likelihood is too small.

All distances are the model's generalised cost in equivalent cycling km
(:mod:`dekkend.geo.cost`): PC4 centroid to vestiging, straight line x 1.3 within
a water zone. An observed mean from another geometry (address to address, a
route planner) must be converted before matching; see ``docs/methods/choice.md``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize

from dekkend.errors import ConfiguratieFout
from dekkend.forecast.choice import ChoiceModel, ChoiceParameters, _cost_km

#: Search interval of the decay per km (wide enough for primary schools, where trips are short).
BOUNDS = (0.02, 5.0)
#: Share of the longest observed trips left out (boarding schools, data errors), as in ``decay.py``.
TRIM = 0.995


def _with_decay(model: ChoiceModel, decay: float) -> ChoiceModel:
    """``model`` at another decay; its candidate sets (radius per area) are kept."""
    p = model.params
    return model.with_params(
        ChoiceParameters(
            decay_per_km=decay,
            havo_bonus_km=p.havo_bonus_km,
            vwo_bonus_km=p.vwo_bonus_km,
            breadth_km=p.breadth_km,
        )
    )


def predicted_mean_km(
    model: ChoiceModel,
    children: np.ndarray,
    intake: np.ndarray,
    decay: float,
    areas: np.ndarray | None = None,
) -> float:
    """Modelled mean trip (generalised km) of ``children`` at ``decay``, calibrated to ``intake``.

    ``areas`` (boolean per home area) restricts the mean to the children living there;
    the calibration always uses all areas. Candidate sets stay those of ``model``.
    """
    m = _with_decay(model, decay)
    cal = m.calibrate(np.asarray(children, float), np.asarray(intake, float), tol=0.05)
    p = cal.model.probabilities()
    km = m.km
    if p.nnz != km.nnz or not np.array_equal(p.indices, km.indices):
        raise ConfiguratieFout("keuzemodel: kansen en afstanden hebben niet dezelfde kandidaten")
    rows = np.repeat(np.arange(p.shape[0]), np.diff(p.indptr))
    trip = np.bincount(rows, weights=p.data * km.data, minlength=p.shape[0])
    chosen = np.bincount(rows, weights=p.data, minlength=p.shape[0])
    w = np.asarray(children, float) * (np.ones(p.shape[0], bool) if areas is None else np.asarray(areas, bool))
    total = float((w * chosen).sum())
    if total <= 0:
        raise ConfiguratieFout("keuzemodel: geen kinderen in de gekozen gebieden")
    return float((w * trip).sum() / total)


def match_mean_km(
    model: ChoiceModel,
    children: np.ndarray,
    intake: np.ndarray,
    target_km: float,
    *,
    areas: np.ndarray | None = None,
    bounds: tuple[float, float] = BOUNDS,
) -> float:
    """The decay at which the modelled mean trip equals ``target_km`` (Brent's method on ``log b``).

    Raises :class:`ConfiguratieFout` when no decay in ``bounds`` reaches the target.
    """

    def gap(log_b: float) -> float:
        return math.log(predicted_mean_km(model, children, intake, math.exp(log_b), areas)) - math.log(target_km)

    lo, hi = math.log(bounds[0]), math.log(bounds[1])
    g_lo, g_hi = gap(lo), gap(hi)
    if g_lo < 0 or g_hi > 0:
        raise ConfiguratieFout(
            f"gemiddelde reisafstand {target_km:.2f} km is met een verval tussen {bounds[0]} en "
            f"{bounds[1]} per km niet te halen (model: {math.exp(g_hi) * target_km:.2f}-"
            f"{math.exp(g_lo) * target_km:.2f} km)"
        )
    return float(math.exp(optimize.brentq(gap, lo, hi, xtol=2e-3)))


@dataclass(frozen=True)
class DecayProblem:
    """Observed flows on the candidate pairs of a model, prepared for repeated estimation.

    ``rows``/``cols`` index the model's areas and vestigingen, ``flow`` holds the pupils,
    ``trip`` the generalised km of every flow; the longest :data:`TRIM` share of trips is
    already left out and the model's candidate radius covers every kept trip.
    """

    model: ChoiceModel
    rows: np.ndarray
    cols: np.ndarray
    flow: np.ndarray
    trip: np.ndarray
    clusters: np.ndarray

    @classmethod
    def from_flows(cls, model: ChoiceModel, flows: pd.DataFrame, cluster: str | None = None) -> DecayProblem:
        """Prepare ``flows`` (``pc4, vestigingscode, leerlingen``); unknown codes are left out.

        ``cluster`` names a column of ``flows`` whose value groups flows for the bootstrap
        (e.g. the home gemeente); default: the home PC4.
        """
        apos = pd.Series(np.arange(len(model.areas)), index=model.areas["pc4"].astype(str).to_numpy())
        vpos = pd.Series(np.arange(len(model.codes)), index=model.codes.astype(str))
        f = flows[flows["pc4"].astype(str).isin(apos.index) & flows["vestigingscode"].astype(str).isin(vpos.index)]
        f = f[f["leerlingen"] > 0]
        if f.empty:
            raise ConfiguratieFout("herkomstbestand: geen leerlingen uit bekende postcodes naar bekende vestigingen")
        rows = apos[f["pc4"].astype(str)].to_numpy()
        cols = vpos[f["vestigingscode"].astype(str)].to_numpy()
        flow = f["leerlingen"].to_numpy(float)
        trip = _cost_km(model.areas, model.schools)[rows, cols]
        reach = float(np.quantile(trip, TRIM)) + 5.0 if len(trip) > 200 else float(trip.max()) + 5.0
        keep = trip <= reach
        radius = min(400.0, max(reach, float(model.radius.max())))
        p = model.params
        wide = model.with_params(
            ChoiceParameters(
                decay_per_km=p.decay_per_km,
                havo_bonus_km=p.havo_bonus_km,
                vwo_bonus_km=p.vwo_bonus_km,
                breadth_km=p.breadth_km,
                radius_km=radius,
            )
        )
        labels = f[cluster] if cluster is not None else f["pc4"]
        return cls(
            wide,
            rows[keep],
            cols[keep],
            flow[keep],
            trip[keep],
            labels.astype(str).to_numpy(object)[keep],
        )

    def bootstrap(
        self,
        statistic: Callable[[np.ndarray], float],
        estimate: float,
        *,
        replicates: int = 50,
        seed: int = 0,
    ) -> Interval:
        """Cluster bootstrap of ``statistic(weights)`` over :attr:`clusters` (percentiles)."""
        return cluster_bootstrap(statistic, self.clusters, estimate, replicates=replicates, seed=seed)

    def _weighted(self, weights: np.ndarray | None) -> np.ndarray:
        return self.flow if weights is None else self.flow * np.asarray(weights, float)

    def _margins(self, flow: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        children = np.bincount(self.rows, weights=flow, minlength=len(self.model.areas))
        intake = np.bincount(self.cols, weights=flow, minlength=len(self.model.codes))
        return children, intake

    def observed_mean_km(self, weights: np.ndarray | None = None) -> float:
        """The observed mean trip on the model's geometry (the like-for-like target)."""
        flow = self._weighted(weights)
        return float((flow * self.trip).sum() / flow.sum())

    def loglik(self, decay: float, weights: np.ndarray | None = None) -> float:
        """Profile log-likelihood of the (weighted) flows at ``decay``."""
        flow = self._weighted(weights)
        children, intake = self._margins(flow)
        cal = _with_decay(self.model, decay).calibrate(children, intake, tol=0.05)
        prob = np.asarray(cal.model.probabilities()[self.rows, self.cols]).ravel()
        return float((flow * np.log(np.maximum(prob, 1e-300))).sum())

    def estimate(self, weights: np.ndarray | None = None, bounds: tuple[float, float] = BOUNDS) -> float:
        """Maximum-likelihood decay (bounded Brent search on ``log b``)."""
        res = optimize.minimize_scalar(
            lambda lb: -self.loglik(math.exp(lb), weights),
            bounds=(math.log(bounds[0]), math.log(bounds[1])),
            method="bounded",
            options={"xatol": 2e-3},
        )
        return float(math.exp(res.x))

    def predicted_mean_km(self, decay: float, weights: np.ndarray | None = None) -> float:
        """The modelled mean trip at ``decay``, calibrated to the intake of the (weighted) flows."""
        children, intake = self._margins(self._weighted(weights))
        return predicted_mean_km(self.model, children, intake, decay)

    def match_mean(
        self,
        target_km: float | None = None,
        weights: np.ndarray | None = None,
        bounds: tuple[float, float] = BOUNDS,
    ) -> float:
        """The decay whose modelled mean trip is ``target_km`` (default: the observed mean)."""
        target = self.observed_mean_km(weights) if target_km is None else float(target_km)
        children, intake = self._margins(self._weighted(weights))
        return match_mean_km(self.model, children, intake, target, bounds=bounds)


@dataclass(frozen=True)
class Interval:
    """A point estimate with a percentile interval from ``draws`` (bootstrap replicates)."""

    estimate: float
    low: float
    high: float
    draws: np.ndarray

    @classmethod
    def from_draws(cls, estimate: float, draws: np.ndarray, level: float = 0.95) -> Interval:
        d = np.asarray(draws, float)
        a = (1.0 - level) / 2.0
        return cls(float(estimate), float(np.quantile(d, a)), float(np.quantile(d, 1.0 - a)), d)


def cluster_weights(clusters: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Bootstrap weights per element: how often its cluster was drawn (with replacement)."""
    labels, idx = np.unique(np.asarray(clusters, object).astype(str), return_inverse=True)
    draws = np.bincount(rng.integers(0, len(labels), len(labels)), minlength=len(labels))
    return draws[idx].astype(float)


def cluster_bootstrap(
    statistic: Callable[[np.ndarray], float],
    clusters: np.ndarray,
    estimate: float,
    *,
    replicates: int = 50,
    seed: int = 0,
    level: float = 0.95,
) -> Interval:
    """Percentile interval of ``statistic(weights)`` over ``replicates`` cluster resamples.

    ``clusters`` labels every element the statistic weights (e.g. the home gemeente of
    every flow); a replicate draws the clusters with replacement.
    """
    if replicates < 2:
        raise ConfiguratieFout("bootstrap: minstens 2 trekkingen nodig")
    rng = np.random.default_rng(seed)
    draws = np.array([statistic(cluster_weights(clusters, rng)) for _ in range(replicates)])
    return Interval.from_draws(estimate, draws, level)


#: Primary vestigingen of this kind are used (regular schools; special schools draw from far).
PO_KIND = "bo"


def po_problem(tables: dict[str, pd.DataFrame], provincie: str | None = None) -> DecayProblem:
    """The decay problem of regular primary schools: DUO pupils by home PC4 (table ``kinderen``).

    One choice level (every vestiging offers it). With ``provincie`` only the vestigingen of
    that province and the pupils who attend them: under the logit's independence of
    irrelevant alternatives the choice among a subset of schools follows the same model.
    Bootstrap clusters: the home gemeente (``woongebied``).
    """
    from dekkend.forecast.choice import LEVELS, _nearest_zone
    from dekkend.geo import home_areas

    kids, ves = tables.get("kinderen"), tables.get("po_vestigingen")
    if kids is None or kids.empty or ves is None or ves.empty:
        raise ConfiguratieFout("werkmap mist po-leerlingen naar woonpostcode (kinderen) of po-vestigingen")
    ves = ves[ves["x_rd"].notna() & (ves["soort_po"] == PO_KIND)].copy()
    ves["_pc4"] = (ves["locatie_methode"] == "pc4-centroide").astype(int)  # prefer real addresses
    ves = ves.sort_values(["vestigingscode", "_pc4"]).drop_duplicates("vestigingscode")
    if provincie is not None:
        ves = ves[ves["provincie"].astype(str).str.lower() == provincie.lower()]
    k = kids[(kids["soort_po"] == PO_KIND) & kids["pc4"].notna() & kids["vestigingscode"].isin(ves["vestigingscode"])]
    flows = (
        k.assign(n=k["aantal"].astype(float))
        .groupby(["pc4", "vestigingscode", "woongebied"], as_index=False)["n"]
        .sum()
        .rename(columns={"n": "leerlingen"})
    )
    if flows.empty:
        raise ConfiguratieFout(f"geen po-leerlingen gevonden{' in ' + provincie if provincie else ''}")
    areas = home_areas(tables)
    areas = areas[areas["pc4"].isin(flows["pc4"].astype(str))].reset_index(drop=True)
    offer = ves[ves["vestigingscode"].isin(flows["vestigingscode"])][["vestigingscode", "x_rd", "y_rd"]].reset_index(
        drop=True
    )
    for lev in LEVELS:
        offer[lev] = lev == "havo"  # one level stands for "a primary school"
    offer["zone"] = _nearest_zone(areas, offer)
    shares = np.array([float(lev == "havo") for lev in LEVELS])
    model = ChoiceModel.from_frames(
        areas, offer, level_shares=shares, params=ChoiceParameters(decay_per_km=1.0, radius_km=10.0)
    )
    return DecayProblem.from_flows(model, flows, cluster="woongebied")


def school_means(problem: DecayProblem, observed_m: pd.DataFrame) -> pd.DataFrame:
    """Per vestiging: the mean trip of the flows on the model geometry beside an observed mean.

    ``observed_m`` has ``vestigingscode, afstand_m`` (DUO's mean home-school distance in metres).
    Returns ``vestigingscode, leerlingen, model_km, duo_km``.
    """
    codes = problem.model.codes.astype(str)
    n = np.bincount(problem.cols, weights=problem.flow, minlength=len(codes))
    d = np.bincount(problem.cols, weights=problem.flow * problem.trip, minlength=len(codes))
    out = pd.DataFrame({"vestigingscode": codes, "leerlingen": n, "model_km": d / np.where(n > 0, n, 1.0)})
    duo = observed_m.drop_duplicates("vestigingscode").set_index("vestigingscode")["afstand_m"].astype(float) / 1000.0
    out["duo_km"] = out["vestigingscode"].map(duo)
    return out[(out["leerlingen"] > 0) & out["duo_km"].notna()].reset_index(drop=True)
