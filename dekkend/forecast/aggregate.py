"""The band of a sum of forecast rows (a region, board, type, profiel or school total): one function for all callers.

Adding row quantiles treats every row as erring the same way at the same time,
which makes the band of a region as wide as that of a single school. The back-tests
say otherwise: the log errors of the vestigingen within a COROP region are almost
uncorrelated (origin 2016 -> 2017, 2017 -> 2019, 2016 -> 2019: correlation -0.003,
0.006, 0.004; ``docs/forecast-accuracy.md``): pupils who do not come to one school
mostly go to another one nearby. The covariance used here:

1. the rows of one vestiging are parts of one unit; their spreads add up as if
   fully correlated (common part of each row's band, without the count noise
   ``1 / m`` of the row), giving the vestiging's log spread ``s_v``;
2. between vestigingen the log errors have correlation :data:`RHO`:
   ``Var(sum) = (1 - rho) * sum_v (m_v s_v)^2 + rho * (sum_v m_v s_v)^2``;
3. the sum gets its own count noise ``1 / M`` back; its band is
   ``M exp(+-z s)`` with ``s = sqrt(Var / M^2 + 1 / M)``.

``RHO`` is dekkend's own choice: above the measured correlations, so that the
common part (births, national transition) is not lost.
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pandas as pd

#: Correlation of the log errors of two vestigingen (measured about 0; see the module docstring).
RHO = 0.02


def _spread(frame: pd.DataFrame, level: int) -> pd.DataFrame:
    """Per row: expected ``m`` and the common part ``m * s`` of its log spread (count noise removed)."""
    z = NormalDist().inv_cdf(0.5 + level / 200.0)
    f = frame[frame["verwacht"] > 0]
    m = f["verwacht"].to_numpy(float)
    hi = f[f"hoog{level}"].to_numpy(float)
    s2 = (np.log(np.maximum(hi, m) / m) / z) ** 2
    common = np.sqrt(np.maximum(s2 - 1.0 / np.maximum(m, 1.0), 0.0))
    return pd.DataFrame({"vestigingscode": f["vestigingscode"].to_numpy(), "jaar": f["jaar"].to_numpy(),
                         "m": m, "ms": m * common}, index=f.index)


def sum_band(frame: pd.DataFrame, level: int = 80, by: str | list[str] | None = None,
             rho: float = RHO) -> pd.DataFrame:
    """Expected sum and its central ``level``% band per year (and per group ``by``) of forecast rows.

    ``frame`` has the forecast columns (``vestigingscode, jaar, verwacht, hoog80, hoog95``, and the
    ``by`` columns). Returns ``[*by], jaar, verwacht, laag, hoog``.
    """
    if not 0.0 <= rho <= 1.0:
        raise ValueError(f"rho {rho} outside 0-1")
    keys = [] if by is None else ([by] if isinstance(by, str) else list(by))
    z = NormalDist().inv_cdf(0.5 + level / 200.0)
    s = _spread(frame, level)
    for k in keys:
        s[k] = frame.loc[s.index, k].to_numpy()
    per_v = s.groupby([*keys, "jaar", "vestigingscode"], dropna=False)[["m", "ms"]].sum().reset_index()
    per_v["ms2"] = per_v["ms"] ** 2
    g = per_v.groupby([*keys, "jaar"], dropna=False)[["m", "ms", "ms2"]].sum()
    var = (1.0 - rho) * g["ms2"] + rho * g["ms"] ** 2
    total = g["m"].to_numpy(float)
    spread = np.sqrt(var.to_numpy(float) / np.maximum(total, 1e-9) ** 2 + 1.0 / np.maximum(total, 1.0))
    out = g.reset_index()[[*keys, "jaar"]]
    out["verwacht"] = total
    out["laag"] = total * np.exp(-z * spread)
    out["hoog"] = total * np.exp(z * spread)
    return out
