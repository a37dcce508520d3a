"""Seeded synthetic instances of :class:`~dekkend.optimise.model.ViableCoverage` for tests and benchmarks."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from dekkend.optimise.model import ViableCoverage

#: (type, profielen it may carry, threshold of the type, threshold of a profiel).
TYPES = (
    ("pro", (), 60.0, 0.0),
    ("vmbo-b", ("groen", "zorg-welzijn", "economie-ondernemen"), 50.0, 40.0),
    ("vmbo-k", ("groen", "zorg-welzijn", "economie-ondernemen", "media-vormgeving-ict"), 50.0, 40.0),
    ("vmbo-g", ("zorg-welzijn",), 50.0, 40.0),
    ("vmbo-t", (), 50.0, 0.0),
    ("havo", (), 60.0, 0.0),
    ("vwo", (), 60.0, 0.0),
)


@dataclass(frozen=True, eq=False)
class SyntheticInstance:
    """Inputs of a synthetic region, ready for :meth:`ViableCoverage.from_cost_matrix`."""

    cost: np.ndarray
    children: np.ndarray
    offerings: pd.DataFrame
    pupils: np.ndarray
    shares: sparse.csr_matrix
    homes: sparse.csr_matrix

    def model(self, assignment: str = "keuze", **kwargs: object) -> ViableCoverage:
        """The model with ``keuze`` (first-order shares), ``dichtstbij`` (closest assignment) or ``geen``."""
        flows = {"keuze": {"shares": self.shares}, "dichtstbij": {"homes": self.homes}, "geen": {}}[assignment]
        return ViableCoverage.from_cost_matrix(self.cost, self.children, self.offerings, self.pupils, **flows, **kwargs)  # type: ignore[arg-type]


def synthetic_instance(
    seed: int = 0,
    *,
    n_areas: int = 60,
    n_sites: int = 8,
    side_km: float = 40.0,
    n_outside: int = 1,
    offer_probability: float = 0.5,
    types: tuple = TYPES,
    years: int = 1,
    pupil_scale: float = 1.0,
    decay_per_km: float = 0.357,
) -> SyntheticInstance:
    """A random region: areas and sites on a square, offerings, pupils, choice shares and homes.

    Sites ``0 .. n_outside-1`` lie just outside the square and their offerings are
    ``extern``. Every kept leerweg carries at least one profiel where the type has
    profielen. Pupils are drawn around the threshold, so some offerings are at risk.
    Distances are straight lines times 1.3 (the detour factor).
    """
    rng = np.random.default_rng(seed)
    areas = rng.uniform(0, side_km, size=(n_areas, 2))
    sites = rng.uniform(0, side_km, size=(n_sites, 2))
    sites[:n_outside, 0] = -rng.uniform(2, 8, size=n_outside)
    cost = 1.3 * np.hypot(areas[:, None, 0] - sites[None, :, 0], areas[:, None, 1] - sites[None, :, 1])
    children = np.round(rng.gamma(2.0, 60.0, size=n_areas), 1) + 0.5
    rows: list[dict] = []
    for j in range(n_sites):
        for typ, profielen, m_type, m_prof in types:
            if rng.random() > offer_probability:
                continue
            parent = len(rows)
            status = "extern" if j < n_outside else "vrij"
            rows.append(
                {
                    "site": j,
                    "kind": typ,
                    "klass": typ,
                    "threshold": m_type,
                    "parent": -1,
                    "status": status,
                    "board": f"B{j % 3}",
                    "type": typ,
                    "profiel": None,
                }
            )
            chosen = [p for p in profielen if rng.random() < 0.6] or list(profielen[:1])
            for p in chosen:
                rows.append(
                    {
                        "site": j,
                        "kind": f"profiel:{p}",
                        "klass": f"{typ}/{p}",
                        "threshold": m_prof,
                        "parent": parent,
                        "status": status,
                        "board": f"B{j % 3}",
                        "type": typ,
                        "profiel": p,
                    }
                )
    offerings = pd.DataFrame(rows)
    pupils = _pupils(rng, offerings, years, pupil_scale)
    shares = _shares(offerings, sites, decay_per_km)
    homes = _homes(offerings, cost, children)
    return SyntheticInstance(cost, children, offerings, pupils, shares, homes)


def _pupils(rng: np.random.Generator, o: pd.DataFrame, years: int, scale: float) -> np.ndarray:
    """Own-class pupils around the threshold, declining a little each year; a leerweg sums its profielen."""
    q = len(o)
    own = np.zeros((q, years))
    for h in range(q):
        m = float(o["threshold"].iat[h]) or 40.0
        base = rng.uniform(0.3, 1.6) * m * scale
        own[h] = base * (1.0 - 0.03 * np.arange(years))
    pupils = own.copy()
    for g, h in enumerate(o["parent"].to_numpy(int)):
        if h >= 0:
            pupils[h] += own[g]
    return np.round(pupils, 2)


def _shares(o: pd.DataFrame, sites: np.ndarray, decay: float) -> sparse.csr_matrix:
    """First-order logit shares between offerings of the same class, with an outside option worth one site at 10 km."""
    q = len(o)
    site = o["site"].to_numpy(int)
    klass = o["klass"].to_numpy(object)
    out = np.zeros((q, q))
    for k in range(q):
        same = np.flatnonzero((klass == klass[k]) & (np.arange(q) != k))
        if not len(same):
            continue
        d = 1.3 * np.hypot(*(sites[site[same]] - sites[site[k]]).T)
        w = np.exp(-decay * d)
        out[k, same] = w / (w.sum() + np.exp(-decay * 10.0))
    return sparse.csr_matrix(out)


def _homes(o: pd.DataFrame, cost: np.ndarray, children: np.ndarray) -> sparse.csr_matrix:
    """Where each offering's pupils live: children times ``exp(-d / 4 km)`` over areas within 15 km."""
    site = o["site"].to_numpy(int)
    w = children[None, :] * np.exp(-cost[:, site].T / 4.0) * (cost[:, site].T <= 15.0)
    total = w.sum(axis=1, keepdims=True)
    w = np.where(total > 0, w / np.where(total > 0, total, 1.0), 0.0)
    return sparse.csr_matrix(np.round(w, 6))
