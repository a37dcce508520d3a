"""Prediction intervals around a point forecast: a fixed rule, or quantiles calibrated on back-test errors.

**Calibrated** (:class:`IntervalCalibration`, the default of every model): the
relative error of a unit ``e = log((a + 1) / (f + 1))`` (``a`` actual, ``f``
forecast) is collected from back-tests per model, horizon and size class (the
size of the forecast); the central 80% and 95% intervals are its empirical
quantiles, ``[(f + 1) exp(q_lo) - 1, (f + 1) exp(q_hi) - 1]``, clipped at 0 and
widened where needed so that ``laag95 <= laag80 <= verwacht <= hoog80 <= hoog95``.
A horizon without errors takes the nearest calibrated horizon scaled by
``sqrt(h / h0)`` (idiosyncratic errors accumulating like a random walk); a size
class without errors takes the pooled classes of its horizon.
:func:`calibrate` builds the table from back-test detail;
:func:`dekkend.forecast.backtest.interval_calibration` runs the back-tests, never
at the origins whose coverage is reported.

**Fixed rule** (:class:`IntervalRule`, Forecast I): log-normal with
``s(h) = sqrt(sigma_year**2 * h + (sigma_beyond * b)**2 + 1 / max(m, 1))``, bounds
``(m + 1) exp(+-z s) - 1`` (the form of the calibrated bounds).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from statistics import NormalDist

import numpy as np
import pandas as pd

#: Upper bounds (pupils, exclusive) of the size classes per level; the last class is open.
SIZE_CLASSES = {
    "vestiging": (100.0, 300.0, 700.0, 1500.0),
    "brin": (300.0, 1000.0, 2500.0, 5000.0),
    "gemeente": (1000.0, 3000.0, 10000.0),
}
#: Quantiles (lower, upper) of the 80% and 95% intervals.
QUANTILES = {80: (0.10, 0.90), 95: (0.025, 0.975)}
#: A (horizon, class) cell needs this many errors; fewer: the pooled classes of its horizon.
MIN_CELL = 20
#: The file shipped with dekkend (made by ``bench/forecast.py --kalibreer`` from ``../shared/data``).
SHIPPED = "intervallen.csv"


def _interpolated(table: pd.DataFrame, h_lo: int, h_hi: int, horizon: int) -> pd.DataFrame:
    """Quantiles of a horizon between two calibrated ones per size class (a class missing at either
    side takes the pooled row ``alle`` of that side): the square of a quantile is linear in the
    horizon, as the variance of errors that accumulate like a random walk (the same assumption as
    the ``sqrt(h / h0)`` extrapolation); linear where the two quantiles differ in sign."""
    w = (horizon - h_lo) / (h_hi - h_lo)
    lo = table[table["horizon"] == h_lo].set_index("klasse")
    hi = table[table["horizon"] == h_hi].set_index("klasse")
    cell = lo.copy()
    for klasse in lo.index:
        other = hi.loc[klasse] if klasse in hi.index else hi.loc["alle"]
        for q in ("q10", "q90", "q025", "q975"):
            a, b = float(lo.loc[klasse, q]), float(other[q])
            same = a * b > 0
            cell.loc[klasse, q] = np.sign(a) * np.sqrt((1 - w) * a * a + w * b * b) if same else (1 - w) * a + w * b
    return cell.reset_index().assign(horizon=horizon)


def size_labels(level: str) -> list[str]:
    """The names of the size classes of ``level``: ``<100``, ``100-300``, ..., ``>=1500``."""
    edges = SIZE_CLASSES.get(level, SIZE_CLASSES["vestiging"])
    labels = [f"<{edges[0]:.0f}"]
    labels += [f"{lo:.0f}-{hi:.0f}" for lo, hi in zip(edges[:-1], edges[1:], strict=True)]
    return labels + [f">={edges[-1]:.0f}"]


def size_class(values: np.ndarray, level: str) -> np.ndarray:
    """The size class label of every value (a forecast count)."""
    edges = SIZE_CLASSES.get(level, SIZE_CLASSES["vestiging"])
    idx = np.searchsorted(np.asarray(edges), np.asarray(values, float), side="right")
    return np.asarray(size_labels(level), dtype=object)[idx]


def log_error(actual: np.ndarray, forecast: np.ndarray) -> np.ndarray:
    """``log((a + 1) / (f + 1))`` with negative values treated as 0."""
    a = np.maximum(np.asarray(actual, float), 0.0)
    f = np.maximum(np.asarray(forecast, float), 0.0)
    return np.log((a + 1.0) / (f + 1.0))


@dataclass(frozen=True)
class IntervalRule:
    """Parameters of the fixed interval rule of Forecast I (relative standard deviations)."""

    sigma_year: float = 0.045
    sigma_beyond: float = 0.03

    def bounds(
        self,
        mean: np.ndarray,
        horizon: np.ndarray,
        beyond: np.ndarray,
        level: int,
        model: str | None = None,
        size: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Lower and upper bound of the central ``level``% interval (``model`` and ``size`` are not used),
        on ``m + 1`` as the calibrated bounds, so that :func:`dekkend.forecast.sum_band` reads both alike."""
        mean = np.maximum(np.asarray(mean, float), 0.0)
        z = NormalDist().inv_cdf(0.5 + level / 200.0)
        s = np.sqrt(
            self.sigma_year**2 * np.asarray(horizon, float)
            + (self.sigma_beyond * np.asarray(beyond, float)) ** 2
            + 1.0 / np.maximum(mean, 1.0)
        )
        lo = np.maximum((mean + 1.0) * np.exp(-z * s) - 1.0, 0.0)
        return np.minimum(lo, mean), (mean + 1.0) * np.exp(z * s) - 1.0

    def unit_spread(
        self, size: np.ndarray, horizon: np.ndarray, level: int = 80, model: str | None = None
    ) -> np.ndarray:
        """Log standard deviation of a unit's relative error at ``horizon``, without its count noise
        (``size`` and ``model`` are not used; :func:`dekkend.forecast.sum_band` adds the noise of the sum)."""
        h = np.broadcast_to(np.asarray(horizon, float), np.shape(size))
        return self.sigma_year * np.sqrt(np.maximum(h, 0.0))


@dataclass(frozen=True)
class IntervalCalibration:
    """Quantiles of back-test errors per model, horizon and size class.

    ``table`` has the columns ``model, horizon, klasse, n, q10, q90, q025, q975``
    (quantiles of :func:`log_error`); ``origins`` the back-test origins the errors
    came from; ``method`` how they were obtained (``andere-peiljaren``: other
    origins; ``kruisvalidatie``: one origin, each fold of BRINs calibrated on the
    others); ``level`` the unit of the back-test.
    """

    level: str
    table: pd.DataFrame
    origins: tuple[int, ...] = ()
    method: str = "andere-peiljaren"
    notes: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "_cells", {})

    def _cell(self, model: str, horizon: int) -> pd.DataFrame:
        key = (model, int(horizon))
        cache = self.__dict__.setdefault("_cells", {})
        if key not in cache:
            cache[key] = self._make_cell(model, int(horizon))
        return cache[key]

    def _make_cell(self, model: str, horizon: int) -> pd.DataFrame:
        t = self.table
        m = t[t["model"] == model] if (t["model"] == model).any() else t[t["model"] == t["model"].iloc[0]]
        hs = np.sort(m["horizon"].unique())
        lower, upper = hs[hs < horizon], hs[hs > horizon]
        if horizon not in hs and len(lower) and len(upper):
            return _interpolated(m, int(lower[-1]), int(upper[0]), horizon)
        h0 = hs[np.argmin(np.abs(hs - horizon))]
        cell = m[m["horizon"] == h0].copy()
        if h0 != horizon:
            scale = np.sqrt(max(horizon, 1) / max(h0, 1))
            for q in ("q10", "q90", "q025", "q975"):
                cell[q] = cell[q] * scale
        return cell

    def bounds(
        self,
        mean: np.ndarray,
        horizon: np.ndarray,
        beyond: np.ndarray,
        level: int,
        model: str | None = None,
        size: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Lower and upper bound of the central ``level``% interval (same interface as :class:`IntervalRule`).

        ``size`` (default ``mean``) chooses the size class: a part of a unit (a stream of
        a vestiging) takes the relative error of its unit, widened by the Poisson noise
        of its own count (``z / sqrt(max(mean, 1))`` on the log scale).
        """
        mean = np.maximum(np.asarray(mean, float), 0.0)
        horizon = np.broadcast_to(np.asarray(horizon, int), mean.shape)
        lo_q, hi_q = ("q10", "q90") if level == 80 else ("q025", "q975")
        lo = np.zeros_like(mean)
        hi = np.zeros_like(mean)
        part = size is not None
        noise = (
            NormalDist().inv_cdf(0.5 + level / 200.0) / np.sqrt(np.maximum(mean, 1.0)) if part else np.zeros_like(mean)
        )
        name = model or str(self.table["model"].iloc[0])
        labels = size_labels(self.level)
        idx = np.searchsorted(
            np.asarray(SIZE_CLASSES.get(self.level, SIZE_CLASSES["vestiging"])),
            mean if size is None else np.asarray(size, float),
            side="right",
        )
        for h in np.unique(horizon):
            ql_by, qh_by = self._by_class(name, int(h), lo_q, hi_q, labels)
            at = horizon == h
            # the unit's relative error and the count noise of the part are independent: they add in quadrature
            ql = -np.hypot(np.minimum(ql_by[idx[at]], 0.0), noise[at])
            qh = np.hypot(np.maximum(qh_by[idx[at]], 0.0), noise[at])
            m = mean[at]
            lo[at] = np.maximum((m + 1.0) * np.exp(ql) - 1.0, 0.0)
            hi[at] = (m + 1.0) * np.exp(qh) - 1.0
        return np.minimum(lo, mean), np.maximum(hi, mean)

    def unit_spread(
        self, size: np.ndarray, horizon: np.ndarray, level: int = 80, model: str | None = None
    ) -> np.ndarray:
        """Log standard deviation of a unit's relative error: the upper ``level``% quantile of its size
        class and horizon over ``z`` (the upper side: the lower tail holds closures, whose pupils stay
        in the region and cancel in a sum; ``docs/methods/forecast.md``)."""
        size = np.asarray(size, float)
        horizon = np.broadcast_to(np.asarray(horizon, int), size.shape)
        lo_q, hi_q = ("q10", "q90") if level == 80 else ("q025", "q975")
        z = NormalDist().inv_cdf(0.5 + level / 200.0)
        name = model or str(self.table["model"].iloc[0])
        labels = size_labels(self.level)
        idx = np.searchsorted(np.asarray(SIZE_CLASSES.get(self.level, SIZE_CLASSES["vestiging"])), size, side="right")
        out = np.zeros(size.shape)
        for h in np.unique(horizon):
            _, qh_by = self._by_class(name, int(h), lo_q, hi_q, labels)
            at = horizon == h
            out[at] = np.maximum(qh_by[idx[at]], 0.0) / z
        return out

    def _by_class(
        self, model: str, horizon: int, lo_q: str, hi_q: str, labels: list[str]
    ) -> tuple[np.ndarray, np.ndarray]:
        """The lower and upper quantile per size class (the pooled row where a class has too few errors)."""
        key = ("klassen", model, horizon, lo_q)
        cache = self.__dict__.setdefault("_cells", {})
        if key not in cache:
            cell = self._cell(model, horizon).set_index("klasse")
            pooled = cell.loc["alle"] if "alle" in cell.index else None

            def pick(k: str, q: str) -> float:
                if k in cell.index:
                    return float(cell.at[k, q])
                return float(pooled[q]) if pooled is not None else 0.0

            cache[key] = (np.array([pick(k, lo_q) for k in labels]), np.array([pick(k, hi_q) for k in labels]))
        return cache[key]

    def write(self, path: Path) -> Path:
        """Write the table as CSV with the level, method and origins in the first line (a comment)."""
        head = f"# niveau={self.level}; methode={self.method}; peiljaren={','.join(map(str, self.origins))}\n"
        path.write_text(head + self.table.to_csv(index=False, float_format="%.5f"), encoding="utf-8")
        return path

    @classmethod
    def read(cls, path: Path | str) -> IntervalCalibration:
        """Read a table written by :meth:`write`."""
        text = Path(path).read_text(encoding="utf-8")
        head, _, body = text.partition("\n")
        meta = dict(part.strip().split("=", 1) for part in head.lstrip("# ").split(";") if "=" in part)
        from io import StringIO

        table = pd.read_csv(StringIO(body), dtype={"klasse": str, "model": str})
        origins = tuple(int(x) for x in meta.get("peiljaren", "").split(",") if x)
        return cls(meta.get("niveau", "vestiging"), table, origins, meta.get("methode", "andere-peiljaren"))


def calibrate(
    errors: pd.DataFrame, level: str, *, origins: tuple[int, ...] = (), method: str = "andere-peiljaren"
) -> IntervalCalibration:
    """Quantile table from back-test errors.

    ``errors`` has columns ``model, horizon, verwacht, werkelijk`` (one row per
    unit and target year, units with a forecast only). Every (model, horizon)
    gets a row per size class with at least :data:`MIN_CELL` errors and a pooled
    row ``alle``.
    """
    e = errors.assign(
        fout=log_error(errors["werkelijk"].to_numpy(), errors["verwacht"].to_numpy()),
        klasse=size_class(errors["verwacht"].to_numpy(), level),
    )
    rows = []
    for (model, h), g in e.groupby(["model", "horizon"]):
        groups = [("alle", g)] + [(k, gk) for k, gk in g.groupby("klasse") if len(gk) >= MIN_CELL]
        for k, gk in groups:
            q = np.quantile(gk["fout"].to_numpy(), [0.10, 0.90, 0.025, 0.975])
            rows.append(
                {
                    "model": model,
                    "horizon": int(h),
                    "klasse": k,
                    "n": len(gk),
                    "q10": q[0],
                    "q90": q[1],
                    "q025": q[2],
                    "q975": q[3],
                }
            )
    return IntervalCalibration(level, pd.DataFrame(rows), tuple(sorted(set(origins))), method)


def shipped_calibration() -> IntervalCalibration | None:
    """The calibration shipped with dekkend (vestiging level), or ``None`` when absent."""
    try:
        ref = resources.files("dekkend.forecast").joinpath(SHIPPED)
        if not ref.is_file():
            return None
        with resources.as_file(ref) as path:
            return IntervalCalibration.read(path)
    except (FileNotFoundError, ModuleNotFoundError):
        return None


def default_intervals() -> IntervalCalibration | IntervalRule:
    """The shipped calibration when present, else the fixed rule."""
    return shipped_calibration() or IntervalRule()
