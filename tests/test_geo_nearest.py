"""Nearest offering and counts: exact against brute force, and monotone in the set of vestigingen."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from dekkend.geo import estimate_matrix, nearest_offering
from dekkend.geo import nearest as nearest_module

RADII = (3.0, 5.0, 10.0)


def _matrix(seed: int, n: int, m: int, spread: float = 30_000.0):
    rng = np.random.default_rng(seed)
    o = pd.DataFrame(
        {
            "pc4": [str(1000 + i) for i in range(n)],
            "x_rd": rng.uniform(0, spread, n),
            "y_rd": rng.uniform(0, spread, n),
        }
    )
    d = pd.DataFrame(
        {
            "vestigingscode": [f"{i:04d}00" for i in range(m)],
            "x_rd": rng.uniform(0, spread, m),
            "y_rd": rng.uniform(0, spread, m),
        }
    )
    return estimate_matrix(o, d), rng


def _brute(km: np.ndarray, mask: np.ndarray):
    if not mask.any():
        return np.full(km.shape[0], np.nan), np.zeros((len(RADII), km.shape[0]), int)
    sub = km[:, mask]
    return sub.min(axis=1), np.stack([(sub <= r).sum(axis=1) for r in RADII])


sizes = st.tuples(st.integers(0, 10_000), st.integers(1, 40), st.integers(1, 260), st.floats(0.0, 1.0))


@settings(max_examples=40, deadline=None)
@given(sizes)
def test_nearest_and_counts_equal_brute_force(args):
    seed, n, m, density = args
    mat, rng = _matrix(seed, n, m)
    masks = rng.random((4, m)) < density
    res = nearest_offering(mat, masks, RADII)
    for i in range(4):
        km, counts = _brute(mat.km, masks[i])
        np.testing.assert_allclose(res.km[i], km, rtol=1e-6)
        np.testing.assert_array_equal(res.counts[i], counts)
        found = res.index[i] >= 0
        np.testing.assert_allclose(mat.km[np.flatnonzero(found), res.index[i][found]], res.km[i][found], rtol=1e-6)
        np.testing.assert_allclose(
            res.minutes[i][found],
            mat.minutes[np.flatnonzero(found), res.index[i][found]],
            rtol=1e-6,
        )


@settings(max_examples=40, deadline=None)
@given(sizes, st.integers(0, 10_000))
def test_adding_a_vestiging_never_increases_a_distance_removing_never_decreases(args, pick):
    seed, n, m, density = args
    mat, rng = _matrix(seed, n, m)
    base = rng.random(m) < density
    j = pick % m
    more, less = base.copy(), base.copy()
    more[j], less[j] = True, False
    r = nearest_offering(mat, np.stack([base, more, less]), RADII)
    inf = np.inf
    base_km, more_km, less_km = (np.nan_to_num(r.km[i], nan=inf) for i in range(3))
    assert (more_km <= base_km).all() and (less_km >= base_km).all()
    assert (r.counts[1] >= r.counts[0]).all() and (r.counts[2] <= r.counts[0]).all()


def test_large_sets_use_the_sorted_prefix_and_fall_back_when_needed(monkeypatch):
    monkeypatch.setattr(nearest_module, "SMALL_SET", 2)
    monkeypatch.setattr(nearest_module, "MIN_PREFIX", 3)
    mat, rng = _matrix(7, 30, 120, spread=200_000.0)
    masks = np.zeros((2, 120), dtype=bool)
    masks[0, rng.choice(120, 5, replace=False)] = True  # far away for most rows: beyond the prefix
    masks[1] = True
    res = nearest_offering(mat, masks, RADII)
    for i in range(2):
        km, counts = _brute(mat.km, masks[i])
        np.testing.assert_allclose(res.km[i], km, rtol=1e-6)
        np.testing.assert_array_equal(res.counts[i], counts)


def test_empty_set_and_duplicate_sets():
    mat, _ = _matrix(1, 5, 10)
    masks = np.zeros((3, 10), dtype=bool)
    masks[1, 3] = masks[2, 3] = True
    res = nearest_offering(mat, masks, RADII)
    assert np.isnan(res.km[0]).all() and (res.index[0] == -1).all() and (res.counts[0] == 0).all()
    np.testing.assert_array_equal(res.km[1], res.km[2])
    assert (res.index[1] == 3).all()
