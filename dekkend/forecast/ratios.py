"""Progression ratios from count years with gaps, shrunk by the amount of evidence (Bühlmann-Straub credibility).

A **progression ratio** ``r_k`` (``k`` = leerjaar 2..6) is the number of pupils in
leerjaar ``k`` one year later per pupil in leerjaar ``k - 1``. Two count years
``t0 < t1`` that are ``g = t1 - t0`` years apart (at most :data:`MAX_GAP`) show
how the cohort in leerjaar ``k - g`` in ``t0`` arrived in leerjaar ``k`` in ``t1``:
``g`` years of progression, not one. Such a pair is evidence on ``r_k`` with

    observed ``O = n_{t1}(k)``, expected ``E = n_{t0}(k - g) * r_{k-g+1} * ... * r_{k-1}``,

the intermediate transitions taken at the vestiging's own (shrunk) ratios, so
what is left of the deviation of the cohort is attributed to its last transition.
The ratios appear in ``E`` themselves: national pooled ratios ``sum O / sum E``
and then the shrunk per-vestiging ratios are found by a few fixed-point passes.

Per vestiging the raw ratio ``X_j = sum_i O_ij / sum_i E_ij`` over its pairs ``i``
is shrunk towards its COROP region's ratio by the Bühlmann-Straub credibility
weight ``Z_j = w_j / (w_j + kappa)`` with ``w_j = sum_i E_ij`` (pupils of
evidence) and ``kappa = sigma^2 / tau^2``: the within-vestiging variance of the
pair ratios (from vestigingen with two or more pairs) over the variance between
vestigingen, both estimated from the data per leerjaar (Bühlmann & Straub 1970;
Bühlmann & Gisler 2005, section 4.2). The regional ratio is the region's pooled
ratio, shrunk towards the national one the same way. See ``docs/methods/forecast.md``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Pairs of count years further apart than this teach nothing about one year of progression.
MAX_GAP = 3
#: A unit whose pairs expected at least this many pupils in a leerjaar and saw none does not teach
#: that leerjaar (a vmbo-only school has no leerjaar 5): its ratio is 0, not shrunk towards the
#: region (credibility assumes units that differ by chance, not by what they teach).
STRUCTURAL_ZERO = 10.0
#: Fixed-point passes for the pooled ratios.
PASSES = 4
#: Shrunk ratios are clipped to this range (a cohort can shrink to nothing, not grow more than this factor a year).
CLIP = (0.0, 2.0)


@dataclass(frozen=True)
class Evidence:
    """Observed and expected pupils per pair of count years, vestiging and leerjaar (shape pairs x n x 6).

    ``pairs`` lists the ``(t0, t1)`` count years; column 0 (leerjaar 1) is never filled.
    """

    pairs: tuple[tuple[int, int], ...]
    observed: np.ndarray
    expected: np.ndarray


def count_pairs(years: list[int], max_gap: int = MAX_GAP) -> list[tuple[int, int]]:
    """Consecutive count years at most ``max_gap`` apart."""
    ys = sorted(years)
    return [(a, b) for a, b in zip(ys[:-1], ys[1:], strict=True) if 0 < b - a <= max_gap]


def evidence(history: dict[int, np.ndarray], pooled: np.ndarray | None = None, max_gap: int = MAX_GAP) -> Evidence:
    """Observed and expected counts of every pair, with gaps bridged by ``pooled`` ratios (default 1)."""
    pairs = count_pairs(list(history), max_gap)
    n, lj = next(iter(history.values())).shape
    r = np.ones((n, lj)) if pooled is None else np.broadcast_to(pooled, (n, lj))
    obs = np.zeros((len(pairs), n, lj))
    exp = np.zeros((len(pairs), n, lj))
    for p, (t0, t1) in enumerate(pairs):
        g = t1 - t0
        for k in range(g, lj):
            bridge = np.prod(r[:, k - g + 1 : k], axis=1) if g > 1 else 1.0
            obs[p, :, k] = history[t1][:, k]
            exp[p, :, k] = history[t0][:, k - g] * bridge
    return Evidence(tuple(pairs), obs, exp)


def pooled_ratios(history: dict[int, np.ndarray], max_gap: int = MAX_GAP) -> tuple[np.ndarray, Evidence]:
    """National ratios ``sum O / sum E`` per leerjaar (NaN without evidence) and the evidence behind them."""
    lj = next(iter(history.values())).shape[1]
    r = np.ones(lj)
    ev = evidence(history, r, max_gap)
    for _ in range(PASSES):
        o, e = ev.observed.sum(axis=(0, 1)), ev.expected.sum(axis=(0, 1))
        new = np.where(e > 0, o / np.where(e > 0, e, 1.0), np.nan)
        r = np.where(np.isfinite(new), new, 1.0)
        ev = evidence(history, r, max_gap)
    o, e = ev.observed.sum(axis=(0, 1)), ev.expected.sum(axis=(0, 1))
    out = np.where(e > 0, o / np.where(e > 0, e, 1.0), np.nan)
    out[0] = np.nan
    return out, ev


def credibility_kappa(obs: np.ndarray, exp: np.ndarray) -> float:
    """Bühlmann-Straub ``kappa = sigma^2 / tau^2`` from pair ratios ``obs / exp`` (pairs x units), weights ``exp``.

    Returns ``inf`` (full shrinkage) when the between-unit variance is not positive.
    When no unit has two pairs to measure the within variance, the within variance
    per pupil of evidence is taken as that of counting alone (Poisson: ``sigma^2`` =
    the mean ratio), a lower bound that still shrinks a unit with few pupils.
    """
    w = exp
    has = w > 0
    w_j = w.sum(axis=0)
    units = w_j > 0
    if units.sum() < 2:
        return float("inf")
    x = np.where(has, obs / np.where(has, w, 1.0), 0.0)
    xbar_j = np.where(units, (w * x).sum(axis=0) / np.where(units, w_j, 1.0), 0.0)
    n_j = has.sum(axis=0)
    dof = float((n_j[units] - 1).sum())
    wt = float(w_j[units].sum())
    xbar = float((w_j[units] * xbar_j[units]).sum()) / wt
    sigma2 = float((w * (x - xbar_j) ** 2 * has).sum()) / dof if dof > 0 else xbar
    c = wt - float((w_j[units] ** 2).sum()) / wt
    tau2 = (float((w_j[units] * (xbar_j[units] - xbar) ** 2).sum()) - (units.sum() - 1) * sigma2) / c
    return sigma2 / tau2 if tau2 > 0 else float("inf")


def _shrink(obs: np.ndarray, exp: np.ndarray, target: np.ndarray, kappa: float) -> np.ndarray:
    """Credibility-weighted ratio of every unit: ``Z X + (1 - Z) target``."""
    w = exp.sum(axis=0)
    x = np.where(w > 0, obs.sum(axis=0) / np.where(w > 0, w, 1.0), 0.0)
    z = np.where(w > 0, w / np.where(w > 0, w + kappa, 1.0), 0.0) if np.isfinite(kappa) else np.zeros_like(w)
    return z * x + (1.0 - z) * target


@dataclass(frozen=True)
class ShrunkRatios:
    """Per-vestiging ratios (n x 6, NaN in leerjaar 1 and where nothing is known), the regional
    ratios they were shrunk towards, the national ratios, ``kappa`` per leerjaar and the
    evidence (pupils) per vestiging and leerjaar."""

    ratio: np.ndarray
    regional: np.ndarray
    national: np.ndarray
    kappa: np.ndarray
    weight: np.ndarray
    pairs: tuple[tuple[int, int], ...]


def shrunk_ratios(history: dict[int, np.ndarray], region: np.ndarray, max_gap: int = MAX_GAP) -> ShrunkRatios | None:
    """Per-vestiging progression ratios from all count-year pairs, shrunk by evidence (``None`` without pairs)."""
    national, ev = pooled_ratios(history, max_gap)
    if not ev.pairs or not np.isfinite(national[1:]).any():
        return None
    out = _shrink_all(ev, national, region)
    for _ in range(PASSES - 1):
        bridge = np.where(np.isfinite(out.ratio), out.ratio, np.where(np.isfinite(national), national, 1.0))
        out = _shrink_all(evidence(history, bridge, max_gap), national, region)
    return out


def _shrink_all(ev: Evidence, national: np.ndarray, region: np.ndarray) -> ShrunkRatios:
    n, lj = ev.observed.shape[1:]
    regions, idx = np.unique(region.astype(str), return_inverse=True)
    kappa = np.full(lj, np.inf)
    regional = np.full((n, lj), np.nan)
    ratio = np.full((n, lj), np.nan)
    weight = ev.expected.sum(axis=0)
    for k in range(1, lj):
        if not np.isfinite(national[k]):
            continue
        o, e = ev.observed[:, :, k], ev.expected[:, :, k]
        structural = (o.sum(axis=0) == 0) & (e.sum(axis=0) >= STRUCTURAL_ZERO)
        kappa[k] = credibility_kappa(o[:, ~structural], e[:, ~structural])
        # region: its pooled pairs as one unit, shrunk towards the nation with the same kappa
        o_r = np.stack([np.bincount(idx, o[p], len(regions)) for p in range(len(ev.pairs))])
        e_r = np.stack([np.bincount(idx, e[p], len(regions)) for p in range(len(ev.pairs))])
        reg = _shrink(o_r, e_r, np.full(len(regions), national[k]), kappa[k])
        regional[:, k] = reg[idx]
        ratio[:, k] = np.where(structural, 0.0, _shrink(o, e, regional[:, k], kappa[k]))
    return ShrunkRatios(np.clip(ratio, *CLIP), np.clip(regional, *CLIP), national, kappa, weight, ev.pairs)
