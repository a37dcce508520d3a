"""Checks shared by the cache tests: two calibrated choice models are the same, bit for bit."""

from __future__ import annotations

from dataclasses import fields

import numpy as np
import pandas as pd
from scipy import sparse


def assert_same_model(a, b) -> None:
    """Every field of two (ChoiceModel, children) pairs is identical, bit for bit."""
    (ma, ca), (mb, cb) = a, b
    assert np.array_equal(ca, cb)
    for f in fields(ma):
        x, y = getattr(ma, f.name), getattr(mb, f.name)
        if isinstance(x, pd.DataFrame):
            pd.testing.assert_frame_equal(x, y, check_exact=True)
        elif sparse.issparse(x):
            assert x.shape == y.shape and (x != y).nnz == 0, f.name
            assert np.array_equal(x.indptr, y.indptr) and np.array_equal(x.indices, y.indices), f.name
        elif isinstance(x, np.ndarray):
            assert x.dtype == y.dtype and np.array_equal(x, y, equal_nan=True), f.name
        else:
            assert x == y, f.name


def assert_same_fields(a, b, path: str = "") -> None:
    """Two dataclass values (nested ones included) are identical field by field, bit for bit and by type."""
    assert type(a) is type(b), path
    for f in fields(a):
        x, y, name = getattr(a, f.name), getattr(b, f.name), f"{path}.{f.name}"
        if hasattr(x, "__dataclass_fields__"):
            assert_same_fields(x, y, name)
        elif isinstance(x, pd.DataFrame):
            pd.testing.assert_frame_equal(x, y, check_exact=True, obj=name)
        elif isinstance(x, pd.Series):
            pd.testing.assert_series_equal(x, y, check_exact=True, obj=name)
        elif sparse.issparse(x):
            assert type(x) is type(y) and x.shape == y.shape, name
            for part in ("data", "indices", "indptr"):
                assert np.array_equal(getattr(x, part), getattr(y, part)), name
        elif isinstance(x, np.ndarray):
            assert x.dtype == y.dtype and x.shape == y.shape, name
            if x.dtype == object:
                assert [None if pd.isna(v) else v for v in x] == [None if pd.isna(v) else v for v in y], name
            else:
                assert np.array_equal(x, y, equal_nan=x.dtype.kind in "fc"), name
        else:
            assert x == y, name
