"""The band of a sum of forecast rows (a region, board, type, profiel or school total): one function for all callers.

Adding row quantiles treats every row as erring the same way at the same time,
which makes the band of a region as wide as that of a single school. The back-tests
say otherwise: the log errors of the vestigingen within a COROP region are almost
uncorrelated (origin 2016 -> 2017, 2017 -> 2019, 2016 -> 2019: correlation -0.003,
0.006, 0.004; ``docs/forecast-accuracy.md``): pupils who do not come to one school
mostly go to another one nearby. The covariance used here:

1. the rows of one vestiging are parts of one unit; they share the unit's relative
   error ``s_v`` (the upper quantile of its size class and horizon over ``z``; the
   lower tail of the calibration holds closures, whose pupils stay nearby). With the
   model's ``rule`` it is looked up for the vestiging's total; without, it is read
   back exactly from each row's bound (a row's band is the unit's error and the row's
   count noise ``z / sqrt(m)`` in quadrature, on ``m + 1``);
2. between vestigingen the log errors have correlation :data:`RHO`:
   ``Var(sum) = (1 - rho) * sum_v (m_v s_v)^2 + rho * (sum_v m_v s_v)^2``;
3. the sum gets its own count noise ``1 / M`` back; its band is
   ``(M + 1) exp(+-z s) - 1`` with ``s = sqrt(Var / M^2 + 1 / M)`` (the form of the rows'
   bounds, so one row alone keeps its band), never wider than the rows' bounds added up.

``RHO`` is 0, the measured correlation. The back-tests of COROP totals with it
(``bench/forecast_accuracy.py``): origin 2017 -> 2019 covers 78% with 80% bands; from
origin 2016, when the model has no pair of count years, the bands are too wide
(92% and 100%): then the errors of neighbouring schools cancel (negative
correlation), which one rho for every sum cannot express without making national
sums too narrow.
"""

from __future__ import annotations

from statistics import NormalDist
from typing import Protocol

import numpy as np
import pandas as pd

#: Correlation of the log errors of two vestigingen (measured about 0; see the module docstring).
RHO = 0.0


class _Rule(Protocol):
    def unit_spread(
        self, size: np.ndarray, horizon: np.ndarray, level: int = 80, model: str | None = None
    ) -> np.ndarray: ...


def _spread_from_rows(frame: pd.DataFrame, level: int) -> np.ndarray:
    """Per row the common part of its log spread, read back from its own upper bound (rows of a
    forecast frame: a unit's relative error and the row's count noise in quadrature, on ``m + 1``;
    :meth:`dekkend.forecast.IntervalCalibration.bounds`)."""
    z = NormalDist().inv_cdf(0.5 + level / 200.0)
    m = frame["verwacht"].to_numpy(float)
    hi = np.maximum(frame[f"hoog{level}"].to_numpy(float), m)
    q = np.log((hi + 1.0) / (m + 1.0))
    return np.sqrt(np.maximum(q**2 - z**2 / np.maximum(m, 1.0), 0.0)) / z


def _spread(frame: pd.DataFrame, level: int, rule: _Rule | None, origin: int | None, model: str | None) -> pd.DataFrame:
    """Per row: expected ``m`` and the common part ``m * s`` of its log spread (count noise removed)."""
    f = frame[frame["verwacht"] > 0]
    m = f["verwacht"].to_numpy(float)
    if rule is None:
        common = _spread_from_rows(f, level)
    else:
        if "horizon" in f.columns:
            horizon = f["horizon"].to_numpy(int)
        elif origin is not None:
            horizon = f["jaar"].to_numpy(int) - int(origin)
        else:
            raise ValueError("sum_band with a rule needs the origin or a column 'horizon'")
        size = f.groupby(["vestigingscode", "jaar"])["verwacht"].transform("sum").to_numpy(float)
        common = rule.unit_spread(size, horizon, level, model)
    return pd.DataFrame(
        {"vestigingscode": f["vestigingscode"].to_numpy(), "jaar": f["jaar"].to_numpy(), "m": m, "ms": m * common},
        index=f.index,
    )


def sum_band(
    frame: pd.DataFrame,
    level: int = 80,
    by: str | list[str] | None = None,
    rho: float = RHO,
    *,
    rule: _Rule | None = None,
    origin: int | None = None,
    model: str | None = None,
) -> pd.DataFrame:
    """Expected sum and its central ``level``% band per year (and per group ``by``) of forecast rows.

    ``frame`` has the forecast columns (``vestigingscode, jaar, verwacht, hoog80, hoog95``, and the
    ``by`` columns). With ``rule`` (the model's intervals) and ``origin`` (or a column ``horizon``)
    each vestiging's spread comes from the calibration for its size (its rows in ``frame`` summed)
    and horizon; without, it is read back from the rows' own bounds. Returns
    ``[*by], jaar, verwacht, laag, hoog``.
    """
    if not -1.0 < rho <= 1.0:
        raise ValueError(f"rho {rho} outside (-1, 1]")
    keys = [] if by is None else ([by] if isinstance(by, str) else list(by))
    z = NormalDist().inv_cdf(0.5 + level / 200.0)
    s = _spread(frame, level, rule, origin, model)
    for k in keys:
        if k not in ("vestigingscode", "jaar"):
            s[k] = frame.loc[s.index, k].to_numpy()
    unit = list(dict.fromkeys([*keys, "jaar", "vestigingscode"]))  # ``by`` may itself be the vestiging
    per_v = s.groupby(unit, dropna=False)[["m", "ms"]].sum().reset_index()
    per_v["ms2"] = per_v["ms"] ** 2
    g = per_v.groupby([*keys, "jaar"], dropna=False)[["m", "ms", "ms2"]].sum()
    var = np.maximum((1.0 - rho) * g["ms2"] + rho * g["ms"] ** 2, 0.0)
    total = g["m"].to_numpy(float)
    spread = np.sqrt(var.to_numpy(float) / np.maximum(total, 1e-9) ** 2 + 1.0 / np.maximum(total, 1.0))
    out = g.reset_index()[[*keys, "jaar"]]
    out["verwacht"] = total
    lo = np.maximum((total + 1.0) * np.exp(-z * spread) - 1.0, 0.0)
    hi = (total + 1.0) * np.exp(z * spread) - 1.0
    rows = [f"laag{level}", f"hoog{level}"]
    if set(rows) <= set(frame.columns):
        # never wider than the rows' bounds added up (all rows erring together at their quantile)
        f = frame.loc[s.index]
        added = f[[*keys, "jaar"]].assign(lo=f[rows[0]].to_numpy(float), hi=f[rows[1]].to_numpy(float))
        added = added.groupby([*keys, "jaar"], dropna=False)[["lo", "hi"]].sum()
        lo = np.maximum(lo, added["lo"].to_numpy(float))
        hi = np.minimum(hi, added["hi"].to_numpy(float))
    out["laag"] = np.minimum(lo, total)
    out["hoog"] = np.maximum(hi, total)
    return out
