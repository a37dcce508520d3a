"""Back-tests: forecast as of a past year with only what was known then, and score against what happened.

Scores per model and horizon: WAPE (sum of absolute errors over the sum of
actual values), MAPE (mean absolute percentage error over units with an actual
value above zero), bias (sum of errors over the sum of actual values) and the
coverage of the 80% and 95% intervals. Units that exist on one side only (a
vestiging that closed, or opened, between origin and target) count with 0 on
the other side, so reorganisations show up in the scores instead of vanishing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dekkend.errors import ConfiguratieFout
from dekkend.forecast.asof import as_of as restrict
from dekkend.forecast.children import NO_MIGRATION, estimate_migration, migrated
from dekkend.forecast.cohorts import reference_cohorts
from dekkend.forecast.intervals import IntervalRule
from dekkend.forecast.models import MODELS
from dekkend.ingest._text import estimated_count

LEVELS = ("vestiging", "gemeente")


@dataclass(frozen=True)
class BacktestResult:
    """Scores (one row per model x target year) and the unit-level comparison behind them."""

    level: str
    as_of: int
    targets: tuple[int, ...]
    scores: pd.DataFrame
    detail: pd.DataFrame


def score(detail: pd.DataFrame) -> pd.DataFrame:
    """Scores per model and target year from ``detail`` (columns model, jaar, werkelijk, verwacht, laag80..hoog95)."""
    rows = []
    for (model, year), g in detail.groupby(["model", "jaar"], sort=True):
        a, f = g["werkelijk"].to_numpy(float), g["verwacht"].to_numpy(float)
        pos = a > 0
        rows.append({
            "model": model, "jaar": year, "eenheden": len(g),
            "werkelijk": a.sum(), "verwacht": f.sum(),
            "wape": np.abs(f - a).sum() / a.sum() if a.sum() else np.nan,
            "mape": np.mean(np.abs(f[pos] - a[pos]) / a[pos]) if pos.any() else np.nan,
            "bias": (f - a).sum() / a.sum() if a.sum() else np.nan,
            "dekking80": np.mean((a >= g["laag80"]) & (a <= g["hoog80"])),
            "dekking95": np.mean((a >= g["laag95"]) & (a <= g["hoog95"])),
        })
    return pd.DataFrame(rows)


def _actual_vestiging(tables: dict[str, pd.DataFrame], years: tuple[int, ...], units: tuple[str, ...] | None) -> pd.DataFrame:
    p = tables["leerlingen"]
    p = p[p["schooljaar"].isin(years)]
    if units is not None:
        p = p[p["vestigingscode"].isin(units)]
    return p.assign(n=estimated_count(p)).groupby(["vestigingscode", "schooljaar"])["n"].sum().rename("werkelijk").reset_index()


def backtest_vestiging(tables: dict[str, pd.DataFrame], as_of: int, targets: tuple[int, ...],
                       models: tuple[str, ...] = tuple(MODELS), units: tuple[str, ...] | None = None) -> BacktestResult:
    """Vestiging totals forecast as of ``as_of`` against the counts of the target years."""
    horizon = max(targets) - as_of
    actual = _actual_vestiging(tables, targets, units).rename(columns={"vestigingscode": "eenheid", "schooljaar": "jaar"})
    parts = []
    for name in models:
        fc = MODELS[name]().fit(tables, as_of, units).predict(horizon)
        fc = fc[fc["jaar"].isin(targets)]
        tot = fc.groupby(["vestigingscode", "jaar"])[["verwacht", "laag80", "hoog80", "laag95", "hoog95"]].sum().reset_index()
        tot = tot.rename(columns={"vestigingscode": "eenheid"})
        both = tot.merge(actual, on=["eenheid", "jaar"], how="outer").fillna(0.0)
        parts.append(both.assign(model=name))
    detail = pd.concat(parts, ignore_index=True)
    return BacktestResult("vestiging", as_of, targets, score(detail), detail)


# -- gemeente level (VO pupils by home gemeente, CBS 85701NED) -------------------
#: Relative weight of each leerjaar in VO enrolment (pupils in leerjaar k per pupil in leerjaar 1),
#: computed from the national counts of the latest VO file known; used when none is known.
DEFAULT_WEIGHTS = np.array([1.0, 1.0, 0.98, 0.93, 0.55, 0.22])


def leerjaar_weights(tables: dict[str, pd.DataFrame]) -> np.ndarray:
    """Pupils per leerjaar relative to leerjaar 1, nationally, from the latest VO count known."""
    p = tables.get("leerlingen")
    if p is None or p.empty:
        return DEFAULT_WEIGHTS
    p = p[p["schooljaar"] == p["schooljaar"].max()]
    by = p.assign(n=estimated_count(p)).groupby("leerjaar")["n"].sum().reindex(range(1, 7), fill_value=0.0).to_numpy(float)
    return by / by[0] if by[0] > 0 else DEFAULT_WEIGHTS


class GemeenteCohort:
    """Cohort model for VO pupils by home gemeente.

    ``n_g(t) = r_g * C_g(t)`` with ``C_g(t) = sum_k w_k R_g(t - k + 1)``: the
    reference cohorts of the six entry years in school at ``t``, weighted by the
    national leerjaar weights ``w_k``; ``r_g`` is the mean ratio of actual
    pupils to ``C_g`` over the last three known years (the transition rate,
    calibrated per gemeente).
    """

    name = "cohort"

    def __init__(self, calibration_years: int = 1, intervals: IntervalRule | None = None, migrate: bool = True) -> None:
        self.calibration_years = calibration_years
        self.migrate = migrate
        self.intervals = intervals or IntervalRule()

    def fit(self, series: pd.DataFrame, tables: dict[str, pd.DataFrame], as_of: int) -> GemeenteCohort:
        known = restrict(tables, as_of)
        self._series = series[series["schooljaar"] <= as_of]
        self._as_of = as_of
        self._weights = leerjaar_weights(known)
        cohorts = reference_cohorts(known, as_of + 30)
        self.migration = estimate_migration(known, cohorts) if self.migrate else NO_MIGRATION
        self._cohorts = migrated(cohorts, self.migration).table
        return self

    def _index(self, gems: list[str], years: list[int]) -> pd.DataFrame:
        c = self._cohorts.pivot_table(index="gemeentecode", columns="instroomjaar", values="kinderen").reindex(gems)
        c = c.T.sort_index().ffill().bfill().T
        out = {}
        for t in years:
            cols = [t - k for k in range(6)]
            have = c.reindex(columns=cols)
            out[t] = (have.to_numpy(float) * self._weights[None, :]).sum(axis=1)
        return pd.DataFrame(out, index=gems)

    def predict(self, years: list[int]) -> pd.DataFrame:
        s = self._series.pivot_table(index="gemeentecode", columns="schooljaar", values="aantal")
        gems = list(s.index)
        cal = [y for y in sorted(s.columns) if y <= self._as_of][-self.calibration_years:]
        idx = self._index(gems, sorted(set(cal) | set(years)))
        ratio = (s[cal] / idx[cal].where(idx[cal] > 0)).mean(axis=1)
        rows = []
        for t in years:
            mean = (ratio * idx[t]).where(ratio.notna(), s[max(cal)])
            rows.append(pd.DataFrame({"eenheid": gems, "jaar": t, "verwacht": mean.to_numpy(float),
                                      "methode": np.where(ratio.notna(), "cohort", "geen-kinderdata")}))
        return _with_intervals(pd.concat(rows, ignore_index=True), self._as_of, self.intervals)


def _with_intervals(frame: pd.DataFrame, origin: int, rule: IntervalRule) -> pd.DataFrame:
    h = frame["jaar"].to_numpy() - origin
    for level in (80, 95):
        lo, hi = rule.bounds(frame["verwacht"].to_numpy(float), h, np.zeros(len(frame)), level)
        frame[f"laag{level}"], frame[f"hoog{level}"] = lo, hi
    return frame


def _gemeente_baseline(series: pd.DataFrame, as_of: int, years: list[int], kind: str, rule: IntervalRule) -> pd.DataFrame:
    s = series[series["schooljaar"] <= as_of].pivot_table(index="gemeentecode", columns="schooljaar", values="aantal")
    last = s[max(s.columns)]
    rows = []
    hist = sorted(s.columns)[-5:]
    growth = pd.Series(0.0, index=s.index)
    if kind == "trend" and len(hist) >= 2:
        logs = np.log(s[hist].clip(lower=1).to_numpy(float))
        slope = np.polyfit(np.array(hist, float), logs.T, 1)[0]
        growth = pd.Series(np.expm1(np.nan_to_num(slope)), index=s.index)
    for t in years:
        rows.append(pd.DataFrame({"eenheid": s.index, "jaar": t, "verwacht": (last * (1 + growth) ** (t - max(s.columns))).to_numpy(float),
                                  "methode": kind}))
    return _with_intervals(pd.concat(rows, ignore_index=True), as_of, rule)


def vo_by_home_gemeente(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """VO pupils per current gemeente and school year (CBS 85701NED on today's map)."""
    t = tables.get("leerlingen_woongemeente_huidig")
    if t is None or t.empty:
        raise ConfiguratieFout("de werkmap bevat geen leerlingen naar woongemeente (CBS 85701NED); importeer dat bestand eerst")
    t = t[(t["onderwijssoort"] == "vo-totaal") & (t["geslacht"] == "totaal")]
    return t.groupby(["gemeentecode", "schooljaar"], as_index=False)["aantal"].sum()


def backtest_gemeente(tables: dict[str, pd.DataFrame], as_of: int, targets: tuple[int, ...],
                      models: tuple[str, ...] = tuple(MODELS)) -> BacktestResult:
    """VO pupils by home gemeente forecast as of ``as_of`` against the target years."""
    series = vo_by_home_gemeente(tables)
    actual = series[series["schooljaar"].isin(targets)].rename(columns={"gemeentecode": "eenheid", "schooljaar": "jaar", "aantal": "werkelijk"})
    rule = IntervalRule()
    parts = []
    for name in models:
        if name == "cohort":
            fc = GemeenteCohort(intervals=rule).fit(series, tables, as_of).predict(list(targets))
        else:
            fc = _gemeente_baseline(series, as_of, list(targets), name, rule)
        both = fc.drop(columns="methode").merge(actual, on=["eenheid", "jaar"], how="inner")
        parts.append(both.assign(model=name))
    detail = pd.concat(parts, ignore_index=True)
    return BacktestResult("gemeente", as_of, targets, score(detail), detail)


def run_backtest(tables: dict[str, pd.DataFrame], as_of: int, targets: tuple[int, ...], level: str = "vestiging",
                 units: tuple[str, ...] | None = None) -> BacktestResult:
    """Run the back-test at ``level`` (``vestiging`` or ``gemeente``)."""
    if level not in LEVELS:
        raise ConfiguratieFout(f"onbekend niveau '{level}'; kies uit: {', '.join(LEVELS)}")
    if not targets or min(targets) <= as_of:
        raise ConfiguratieFout(f"elk doeljaar moet na het peiljaar {as_of} liggen")
    if level == "vestiging":
        return backtest_vestiging(tables, as_of, targets, units=units)
    return backtest_gemeente(tables, as_of, targets)
