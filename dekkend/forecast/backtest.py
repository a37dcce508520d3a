"""Back-tests: forecast as of a past year with only what was known then, and score against what happened.

Levels: ``vestiging`` and ``brin`` (matched units, see :mod:`dekkend.forecast.units`)
and ``gemeente`` (VO pupils by home gemeente, CBS 85701NED). Scores per model
and target year: WAPE (sum of absolute errors over the sum of actual values),
MAPE (mean absolute percentage error over units with an actual value above 0),
bias (sum of errors over the sum of actual values) and the coverage of the 80%
and 95% intervals, over all units (``dekking80``) and over units with a forecast
(``dekking80_prognose``). Units that exist on one side only count with 0 on the
other side. Intervals are calibrated on back-test errors at origins other than
the reported one (:func:`interval_calibration`); coverage is also given per
horizon and size class (``BacktestResult.coverage``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dekkend.cache import DerivedCache
from dekkend.errors import ConfiguratieFout
from dekkend.forecast.asof import as_of as restrict
from dekkend.forecast.children import NO_MIGRATION, estimate_migration, migrated
from dekkend.forecast.cohorts import reference_cohorts
from dekkend.forecast.duo import duo_brin_forecast
from dekkend.forecast.intervals import IntervalCalibration, IntervalRule, calibrate, size_class, size_labels
from dekkend.forecast.models import MODELS, make_model
from dekkend.forecast.prepare import prepare
from dekkend.forecast.units import addresses, match_units
from dekkend.ingest._text import estimated_count

LEVELS = ("vestiging", "brin", "gemeente")
#: Folds (by BRIN) when the workspace has no other origin to calibrate on.
FOLDS = 5
#: At most this many other origins calibrate the intervals (the nearest to the reported one).
MAX_CALIBRATION_ORIGINS = 4
#: DUO's own prognosis, as a comparison model where ``prognose_vo`` is known.
DUO = "duo"


@dataclass(frozen=True)
class BacktestResult:
    """Scores (one row per model x target year) and the unit-level comparison behind them.

    ``detail`` has one row per model, unit and target year (``eenheid``,
    ``jaar``, ``werkelijk``, ``verwacht``, the interval bounds, ``horizon``,
    ``koppeling``); ``coverage`` the interval coverage per model, horizon and
    size class; ``calibration`` the interval calibration used (it never saw the
    origin ``as_of``); ``code_scores`` the scores on unmatched codes (vestiging
    level only, as in Forecast I); ``origin_coverage`` (gemeente level) the 80%
    coverage of the cohort model per origin and horizon, every origin with
    intervals calibrated on all the others (:func:`origin_coverage`).
    """

    level: str
    as_of: int
    targets: tuple[int, ...]
    scores: pd.DataFrame
    detail: pd.DataFrame
    coverage: pd.DataFrame = field(default_factory=pd.DataFrame)
    calibration: IntervalCalibration | None = None
    code_scores: pd.DataFrame | None = None
    notes: tuple[str, ...] = ()
    origin_coverage: pd.DataFrame | None = None


def score(detail: pd.DataFrame) -> pd.DataFrame:
    """Scores per model and target year from ``detail`` (columns model, jaar, werkelijk, verwacht, laag80..hoog95)."""
    rows = []
    for (model, year), g in detail.groupby(["model", "jaar"], sort=True):
        a, f = g["werkelijk"].to_numpy(float), g["verwacht"].to_numpy(float)
        pos = a > 0
        inside80 = (a >= g["laag80"].to_numpy() - 1e-9) & (a <= g["hoog80"].to_numpy() + 1e-9)
        inside95 = (a >= g["laag95"].to_numpy() - 1e-9) & (a <= g["hoog95"].to_numpy() + 1e-9)
        has = f > 0
        rows.append(
            {
                "model": model,
                "jaar": year,
                "eenheden": len(g),
                "eenheden_prognose": int(has.sum()),
                "werkelijk": a.sum(),
                "verwacht": f.sum(),
                "wape": np.abs(f - a).sum() / a.sum() if a.sum() else np.nan,
                "mape": np.mean(np.abs(f[pos] - a[pos]) / a[pos]) if pos.any() else np.nan,
                "bias": (f - a).sum() / a.sum() if a.sum() else np.nan,
                "dekking80": inside80.mean(),
                "dekking95": inside95.mean(),
                "dekking80_prognose": inside80[has].mean() if has.any() else np.nan,
                "dekking95_prognose": inside95[has].mean() if has.any() else np.nan,
            }
        )
    return pd.DataFrame(rows)


def coverage_table(detail: pd.DataFrame, level: str) -> pd.DataFrame:
    """Coverage of the intervals per model, horizon and size class (units with a forecast)."""
    d = detail[detail["verwacht"] > 0]
    d = d.assign(klasse=size_class(d["verwacht"].to_numpy(), level))
    order = {k: i for i, k in enumerate(size_labels(level))}
    rows = []
    for (model, h, k), g in d.groupby(["model", "horizon", "klasse"]):
        a = g["werkelijk"].to_numpy()
        rows.append(
            {
                "model": model,
                "horizon": int(h),
                "klasse": k,
                "eenheden": len(g),
                "dekking80": float(((a >= g["laag80"] - 1e-9) & (a <= g["hoog80"] + 1e-9)).mean()),
                "dekking95": float(((a >= g["laag95"] - 1e-9) & (a <= g["hoog95"] + 1e-9)).mean()),
            }
        )
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    return (
        out.assign(_o=out["klasse"].map(order))
        .sort_values(["model", "horizon", "_o"])
        .drop(columns="_o")
        .reset_index(drop=True)
    )


def _with_bounds(detail: pd.DataFrame, rule: IntervalCalibration | IntervalRule) -> pd.DataFrame:
    out = detail.copy()
    for level in (80, 95):
        lo = np.zeros(len(out))
        hi = np.zeros(len(out))
        for model, idx in out.groupby("model").groups.items():
            g = out.loc[idx]
            lo_m, hi_m = rule.bounds(
                g["verwacht"].to_numpy(float), g["horizon"].to_numpy(int), np.zeros(len(g)), level, model
            )
            lo[out.index.get_indexer(idx)] = lo_m
            hi[out.index.get_indexer(idx)] = hi_m
        out[f"laag{level}"], out[f"hoog{level}"] = lo, hi
    return out


# -- vestiging and BRIN level ----------------------------------------------------------------
def _actual(tables: dict[str, pd.DataFrame], years: tuple[int, ...], units: tuple[str, ...] | None) -> pd.DataFrame:
    p = tables["leerlingen"]
    p = p[p["schooljaar"].isin(years)]
    if units is not None:
        p = p[p["vestigingscode"].isin(units)]
    return (
        p.assign(n=estimated_count(p))
        .groupby(["vestigingscode", "schooljaar"])["n"]
        .sum()
        .rename("werkelijk")
        .reset_index()
    )


def _forecasts(
    tables: dict[str, pd.DataFrame],
    as_of: int,
    targets: tuple[int, ...],
    models: tuple[str, ...],
    units: tuple[str, ...] | None,
    cache: DerivedCache | None = None,
) -> tuple[pd.DataFrame, int]:
    """Vestiging totals per model and target year: ``model, vestigingscode, jaar, verwacht`` and the origin year.

    ``cache`` (the werkmap's derived results of ``tables``) serves the cohort model's national catchment."""
    horizon = max(targets) - as_of
    prep = prepare(tables, as_of, units)
    origin = prep.origin
    parts = []
    for name in models:
        if name == DUO:
            continue
        fc = make_model(name, cache=cache).fit_prepared(prep).vestiging_totals(horizon)
        fc = fc[fc["jaar"].isin(targets)].groupby(["vestigingscode", "jaar"], as_index=False)["verwacht"].sum()
        parts.append(fc.assign(model=name))
    if DUO in models:
        duo = duo_brin_forecast(tables, as_of, targets, units)
        if duo is not None and len(duo):
            parts.append(duo.assign(model=DUO))
    return pd.concat(parts, ignore_index=True), origin


def _match_rows(
    tables: dict[str, pd.DataFrame], fc: pd.DataFrame, actual: pd.DataFrame, origin: int, level: str, match: bool
) -> pd.DataFrame:
    parts = []
    origin_addresses = addresses(tables, origin, "origin") if match else None
    target_addresses = addresses(tables, origin, "target") if match else None
    for year in sorted(fc["jaar"].unique()):
        f_y = fc[fc["jaar"] == year]
        a_y = actual[(actual["schooljaar"] == year) & (actual["werkelijk"] > 0)]
        o_codes = sorted(f_y["vestigingscode"].unique())
        t_codes = sorted(a_y["vestigingscode"].unique())
        if match:
            m = match_units(
                tables, o_codes, t_codes, origin, int(year), level, sites=(origin_addresses, target_addresses)
            )
        else:
            key = (lambda c: c[:4]) if level == "brin" else (lambda c: c)
            m = pd.DataFrame(
                [
                    {"vestigingscode": c, "kant": k, "eenheid": key(c), "koppeling": "code"}
                    for k, cs in (("peiljaar", o_codes), ("doeljaar", t_codes))
                    for c in cs
                ]
            )
        o_map = m[m["kant"] == "peiljaar"].set_index("vestigingscode")["eenheid"]
        t_map = m[m["kant"] == "doeljaar"].set_index("vestigingscode")["eenheid"]
        how = m.drop_duplicates("eenheid").set_index("eenheid")["koppeling"]
        act = a_y.assign(eenheid=a_y["vestigingscode"].map(t_map)).groupby("eenheid")["werkelijk"].sum()
        for name, g in f_y.groupby("model"):
            pred = g.assign(eenheid=g["vestigingscode"].map(o_map)).groupby("eenheid")["verwacht"].sum()
            both = pd.concat([pred, act], axis=1).fillna(0.0).rename_axis("eenheid").reset_index()
            both["koppeling"] = both["eenheid"].map(how).fillna("code")
            parts.append(both.assign(model=name, jaar=int(year), horizon=int(year) - origin))
    return pd.concat(parts, ignore_index=True)


def unit_detail(
    tables: dict[str, pd.DataFrame],
    as_of: int,
    targets: tuple[int, ...],
    level: str,
    models: tuple[str, ...],
    units: tuple[str, ...] | None = None,
    match: tuple[bool, ...] = (True,),
    cache: DerivedCache | None = None,
) -> tuple[list[pd.DataFrame], int]:
    """Forecast and actual per unit, model and target year (no intervals yet), once per ``match`` setting,
    and the origin year. ``match`` true: matched units (:func:`dekkend.forecast.units.match_units`); false: codes."""
    fc, origin = _forecasts(tables, as_of, targets, models, units, cache)
    actual = _actual(tables, targets, units)
    return [_match_rows(tables, fc, actual, origin, level, m) for m in match], origin


def _count_years(tables: dict[str, pd.DataFrame]) -> list[int]:
    p = tables.get("leerlingen")
    return sorted(int(y) for y in p["schooljaar"].unique()) if p is not None and len(p) else []


def interval_calibration(
    tables: dict[str, pd.DataFrame],
    level: str,
    exclude: set[int],
    models: tuple[str, ...],
    units: tuple[str, ...] | None = None,
    cache: DerivedCache | None = None,
) -> IntervalCalibration:
    """Calibrate intervals on back-tests at origins other than ``exclude``.

    Vestiging and BRIN level: every count year (except the excluded ones and the
    last) is an origin, scored on all later count years; at most
    :data:`MAX_CALIBRATION_ORIGINS`. Without any such origin (the shared data has
    only the counts of 2012 and 2019) the result is empty (``method = geen``) and
    :func:`backtest_units` cross-validates over BRINs instead: every unit gets the
    quantiles of the folds it is not in (``kruisvalidatie``). Gemeente level: every
    school year of the series except the excluded ones.
    """
    if level == "gemeente":
        return _gemeente_calibration(tables, exclude, models)
    years = _count_years(tables)
    origins = [y for y in years[:-1] if y not in exclude]
    ref = min(exclude) if exclude else (years[-1] if years else 0)
    origins = sorted(sorted(origins, key=lambda y: abs(y - ref))[:MAX_CALIBRATION_ORIGINS])
    if not origins:
        return IntervalCalibration(level, pd.DataFrame(), (), "geen")
    errors = []
    for y in origins:
        later = tuple(t for t in years if t > y)
        (d,), _ = unit_detail(tables, y, later, level, tuple(m for m in models if m != DUO), units, cache=cache)
        errors.append(d)
    e = pd.concat(errors, ignore_index=True)
    e = e[e["verwacht"] > 0]
    return calibrate(e, level, origins=tuple(origins))


def _crossfit(detail: pd.DataFrame, level: str) -> pd.DataFrame:
    """Bounds for every unit from the quantiles of the other BRIN folds (one origin only)."""
    d = detail.copy()
    brin = d["eenheid"].str.slice(0, 4)
    fold = brin.map(lambda b: sum(ord(ch) * (i + 1) for i, ch in enumerate(b)) % FOLDS)
    for c in ("laag80", "hoog80", "laag95", "hoog95"):
        d[c] = 0.0
    for k in range(FOLDS):
        train = d[(fold != k) & (d["verwacht"] > 0)]
        test = fold == k
        if train.empty or not test.any():
            continue
        cal = calibrate(train, level, method="kruisvalidatie")
        d.loc[test] = _with_bounds(d.loc[test], cal)
    return d


def backtest_units(
    tables: dict[str, pd.DataFrame],
    as_of: int,
    targets: tuple[int, ...],
    level: str = "vestiging",
    models: tuple[str, ...] | None = None,
    units: tuple[str, ...] | None = None,
    cache: DerivedCache | None = None,
) -> BacktestResult:
    """Vestiging or BRIN totals forecast as of ``as_of`` against the counts of the target years.

    ``cache`` (the werkmap's derived results of ``tables``) serves the cohort model's national
    catchments, which are the same for every region with the same as-of year."""
    models = models or tuple(MODELS) + ((DUO,) if _has_duo(tables) else ())
    matching = (True, False) if level == "vestiging" else (True,)
    frames, origin = unit_detail(tables, as_of, targets, level, models, units, matching, cache)
    detail = frames[0]
    cal = interval_calibration(tables, level, {as_of, origin}, models, units, cache)
    notes = []
    if cal.method == "andere-peiljaren" and not cal.table.empty:
        detail = _with_bounds(detail, cal)
    else:
        detail = _crossfit(detail, level)
        cal = IntervalCalibration(level, calibrate(detail[detail["verwacht"] > 0], level).table, (), "kruisvalidatie")
        notes.append(
            f"Geen ander peiljaar met tellingen op {level}niveau: de intervallen zijn gekalibreerd met "
            f"kruisvalidatie over {FOLDS} groepen BRIN's (elke eenheid met de fouten van de andere groepen); "
            "de kalibratie ziet dus wel dit peiljaar, maar nooit de eenheid zelf."
        )
    code_scores = None
    if level == "vestiging":
        raw = frames[1]
        code_scores = score(_with_bounds(raw, cal) if cal.method == "andere-peiljaren" else _crossfit(raw, level))
    return BacktestResult(
        level, as_of, targets, score(detail), detail, coverage_table(detail, level), cal, code_scores, tuple(notes)
    )


def _has_duo(tables: dict[str, pd.DataFrame]) -> bool:
    p = tables.get("prognose_vo")
    return p is not None and len(p) > 0


# -- gemeente level (VO pupils by home gemeente, CBS 85701NED) -------------------
#: Relative weight of each leerjaar in VO enrolment (pupils in leerjaar k per pupil in leerjaar 1),
#: computed from the national counts of the latest VO file known; used when none is known.
DEFAULT_WEIGHTS = np.array([1.0, 1.0, 0.98, 0.93, 0.55, 0.22])
#: The tables (and, for the large ones, the columns) the gemeente cohort model reads.
COHORT_TABLES = {
    "leerlingen",
    "kinderen",
    "po_leerlingen_leeftijd",
    "po_vestigingen",
    "bevolking_pc4",
    "pc4_gemeente",
    "pc4_woonplaats",
    "gemeente_naar_huidig",
    "leerlingen_woongemeente_huidig",
    "vestigingen",
}
_COLUMNS = {
    "kinderen": ["pc4", "leeftijd", "aantal", "gecensureerd", "schooljaar", "vo_instroom", "peildatum", "bron_id"],
    "bevolking_pc4": [
        "pc4",
        "gemeentecode",
        "geslacht",
        "leeftijd_van",
        "leeftijd_tot",
        "aantal",
        "jaar",
        "peildatum",
        "bron_id",
    ],
}


def cohort_tables(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The tables the gemeente cohort model reads, with only the columns it needs (faster as-of filtering)."""
    out = {}
    for name in COHORT_TABLES & set(tables):
        frame = tables[name]
        cols = [c for c in _COLUMNS.get(name, []) if c in frame.columns]
        out[name] = frame[cols] if cols and name in _COLUMNS else frame
    return out


def leerjaar_weights(tables: dict[str, pd.DataFrame]) -> np.ndarray:
    """Pupils per leerjaar relative to leerjaar 1, nationally: the mean over every VO count known (one
    count's cohorts carry their own size; with the counts of 2012 and 2016 the mean was as accurate as
    the 2012 count alone had been, the 2016 count alone slightly less: ``docs/forecast-accuracy.md``)."""
    p = tables.get("leerlingen")
    if p is None or p.empty:
        return DEFAULT_WEIGHTS
    by = (
        p.assign(n=estimated_count(p))
        .groupby(["schooljaar", "leerjaar"])["n"]
        .sum()
        .unstack()
        .reindex(columns=range(1, 7), fill_value=0.0)
        .fillna(0.0)
    )
    by = by[by[1] > 0]
    if by.empty:
        return DEFAULT_WEIGHTS
    return by.div(by[1], axis=0).mean().to_numpy(float)


class GemeenteCohort:
    """Cohort model for VO pupils by home gemeente.

    ``n_g(t) = r_g * C_g(t)`` with ``C_g(t) = sum_k w_k R_g(t - k + 1)``: the
    reference cohorts of the six entry years in school at ``t`` (net migration
    applied, :mod:`dekkend.forecast.children`), weighted by the national leerjaar
    weights ``w_k``; ``r_g`` is the ratio of actual pupils to ``C_g`` in the last
    ``calibration_years`` known years (the transition rate, calibrated per
    gemeente). One year was best on the origins other than 2016 (see
    ``docs/methods/forecast.md``).
    """

    name = "cohort"

    def __init__(self, calibration_years: int = 1, intervals: IntervalRule | None = None, migrate: bool = True) -> None:
        self.calibration_years = calibration_years
        self.migrate = migrate
        self.intervals = intervals or IntervalRule()

    def fit(self, series: pd.DataFrame, tables: dict[str, pd.DataFrame], as_of: int) -> GemeenteCohort:
        """Learn from the series and the tables as known on 1 October of ``as_of``."""
        known = restrict(cohort_tables(tables), as_of)
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
            have = c.reindex(columns=[t - k for k in range(6)])
            out[t] = (have.to_numpy(float) * self._weights[None, :]).sum(axis=1)
        return pd.DataFrame(out, index=gems)

    def predict(self, years: list[int]) -> pd.DataFrame:
        """Forecast ``eenheid, jaar, verwacht, methode`` (and bounds) for the target ``years``."""
        s = self._series.pivot_table(index="gemeentecode", columns="schooljaar", values="aantal")
        gems = list(s.index)
        cal = [y for y in sorted(s.columns) if y <= self._as_of][-self.calibration_years :]
        idx = self._index(gems, sorted(set(cal) | set(years)))
        ratio = (s[cal] / idx[cal].where(idx[cal] > 0)).mean(axis=1)
        rows = []
        for t in years:
            mean = (ratio * idx[t]).where(ratio.notna(), s[max(cal)])
            rows.append(
                pd.DataFrame(
                    {
                        "eenheid": gems,
                        "jaar": t,
                        "verwacht": mean.to_numpy(float),
                        "methode": np.where(ratio.notna(), "cohort", "geen-kinderdata"),
                    }
                )
            )
        return _gemeente_bounds(pd.concat(rows, ignore_index=True), self._as_of, self.intervals, self.name)


def _gemeente_bounds(
    frame: pd.DataFrame, origin: int, rule: IntervalRule | IntervalCalibration, model: str
) -> pd.DataFrame:
    h = frame["jaar"].to_numpy() - origin
    for level in (80, 95):
        lo, hi = rule.bounds(frame["verwacht"].to_numpy(float), h, np.zeros(len(frame)), level, model)
        frame[f"laag{level}"], frame[f"hoog{level}"] = lo, hi
    return frame


def _gemeente_baseline(
    series: pd.DataFrame, as_of: int, years: list[int], kind: str, rule: IntervalRule
) -> pd.DataFrame:
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
        rows.append(
            pd.DataFrame(
                {
                    "eenheid": s.index,
                    "jaar": t,
                    "verwacht": (last * (1 + growth) ** (t - max(s.columns))).to_numpy(float),
                    "methode": kind,
                }
            )
        )
    return _gemeente_bounds(pd.concat(rows, ignore_index=True), as_of, rule, kind)


def vo_by_home_gemeente(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """VO pupils per current gemeente and school year (CBS 85701NED on today's map)."""
    t = tables.get("leerlingen_woongemeente_huidig")
    if t is None or t.empty:
        raise ConfiguratieFout(
            "de werkmap bevat geen leerlingen naar woongemeente (CBS 85701NED); importeer dat bestand eerst"
        )
    t = t[(t["onderwijssoort"] == "vo-totaal") & (t["geslacht"] == "totaal")]
    return t.groupby(["gemeentecode", "schooljaar"], as_index=False)["aantal"].sum()


def gemeente_detail(
    tables: dict[str, pd.DataFrame], as_of: int, targets: tuple[int, ...], models: tuple[str, ...] = tuple(MODELS)
) -> pd.DataFrame:
    """Forecast and actual per home gemeente, model and target year (no intervals yet)."""
    series = vo_by_home_gemeente(tables)
    actual = series[series["schooljaar"].isin(targets)].rename(
        columns={"gemeentecode": "eenheid", "schooljaar": "jaar", "aantal": "werkelijk"}
    )
    rule = IntervalRule()
    parts = []
    slim = cohort_tables(tables)
    for name in models:
        if name == "cohort":
            fc = GemeenteCohort(intervals=rule).fit(series, slim, as_of).predict(list(targets))
        elif name in ("geen-verandering", "trend"):
            fc = _gemeente_baseline(series, as_of, list(targets), name, rule)
        else:
            continue
        both = fc.drop(columns="methode").merge(actual, on=["eenheid", "jaar"], how="inner")
        parts.append(both.assign(model=name, horizon=both["jaar"] - as_of, koppeling="gemeente"))
    out = pd.concat(parts, ignore_index=True)
    names = tables.get("gemeenten")
    if names is not None and len(names):
        out["naam"] = out["eenheid"].map(
            names.drop_duplicates("gemeentecode").set_index("gemeentecode")["gemeentenaam"]
        )
    return out


def _gemeente_details(
    tables: dict[str, pd.DataFrame], origins: list[int], years: list[int], models: tuple[str, ...]
) -> dict[int, pd.DataFrame]:
    """Back-test detail of every origin, scored on all later years of the series."""
    return {
        y: gemeente_detail(tables, y, tuple(t for t in years if t > y), tuple(m for m in models if m != DUO))
        for y in origins
    }


def _calibration_from(details: dict[int, pd.DataFrame], exclude: set[int]) -> IntervalCalibration:
    origins = sorted(y for y in details if y not in exclude)
    if not origins:
        return IntervalCalibration("gemeente", pd.DataFrame(), (), "geen")
    e = pd.concat([details[y] for y in origins], ignore_index=True)
    return calibrate(e[e["verwacht"] > 0], "gemeente", origins=tuple(origins))


def _gemeente_calibration(
    tables: dict[str, pd.DataFrame], exclude: set[int], models: tuple[str, ...]
) -> IntervalCalibration:
    series = vo_by_home_gemeente(tables)
    years = sorted(int(y) for y in series["schooljaar"].unique())
    origins = [y for y in years[:-1] if y not in exclude]
    return _calibration_from(_gemeente_details(tables, origins, years, models), exclude)


def origin_coverage(details: dict[int, pd.DataFrame], model: str = "cohort") -> pd.DataFrame:
    """80% coverage per origin and horizon, each origin's intervals calibrated on all the other origins.

    The coverage of one origin's forecasts depends on the shock its target years
    happened to bring (every gemeente shares it), so this table shows the spread
    of coverage over origins next to the one reported. Columns ``peiljaar,
    horizon, eenheden, dekking80``.
    """
    rows = []
    for y, d in sorted(details.items()):
        cal = _calibration_from(details, {y})
        part = d[(d["model"] == model) & (d["verwacht"] > 0)]
        if cal.table.empty or part.empty:
            continue
        part = _with_bounds(part.copy(), cal)
        inside = (part["werkelijk"] >= part["laag80"]) & (part["werkelijk"] <= part["hoog80"])
        for h, g in inside.groupby(part["horizon"]):
            rows.append({"peiljaar": y, "horizon": int(h), "eenheden": int(len(g)), "dekking80": float(g.mean())})
    return pd.DataFrame(rows, columns=["peiljaar", "horizon", "eenheden", "dekking80"])


def backtest_gemeente(
    tables: dict[str, pd.DataFrame], as_of: int, targets: tuple[int, ...], models: tuple[str, ...] = tuple(MODELS)
) -> BacktestResult:
    """VO pupils by home gemeente forecast as of ``as_of`` against the target years.

    The intervals come from the back-tests at every other origin of the series;
    ``origin_coverage`` repeats that for every origin, each left out in turn.
    """
    series = vo_by_home_gemeente(tables)
    years = sorted(int(y) for y in series["schooljaar"].unique())
    details = _gemeente_details(tables, [y for y in years[:-1] if y != as_of], years, models)
    cal = _calibration_from(details, {as_of})
    if as_of in years[:-1]:  # every later year once: the reported targets and the per-origin coverage share it
        details[as_of] = gemeente_detail(tables, as_of, tuple(t for t in years if t > as_of), models)
        detail = details[as_of][details[as_of]["jaar"].isin(targets)].reset_index(drop=True)
    else:
        detail = gemeente_detail(tables, as_of, targets, models)
    detail = _with_bounds(detail, cal) if not cal.table.empty else detail
    return BacktestResult(
        "gemeente",
        as_of,
        targets,
        score(detail),
        detail,
        coverage_table(detail, "gemeente"),
        cal,
        origin_coverage=origin_coverage(details),
    )


def run_backtest(
    tables: dict[str, pd.DataFrame],
    as_of: int,
    targets: tuple[int, ...],
    level: str = "vestiging",
    units: tuple[str, ...] | None = None,
) -> BacktestResult:
    """Run the back-test at ``level`` (``vestiging``, ``brin`` or ``gemeente``)."""
    if level not in LEVELS:
        raise ConfiguratieFout(f"onbekend niveau '{level}'; kies uit: {', '.join(LEVELS)}")
    if not targets or min(targets) <= as_of:
        raise ConfiguratieFout(f"elk doeljaar moet na het peiljaar {as_of} liggen")
    if level in ("vestiging", "brin"):
        return backtest_units(tables, as_of, targets, level, units=units)
    return backtest_gemeente(tables, as_of, targets)


def region_bands(
    tables: dict[str, pd.DataFrame],
    detail: pd.DataFrame,
    model: str = "cohort",
    level: int = 80,
    rule: IntervalCalibration | IntervalRule | None = None,
) -> pd.DataFrame:
    """COROP totals of a unit back-test with the band of their sum (:func:`dekkend.forecast.sum_band`).

    ``detail`` is :attr:`BacktestResult.detail` at vestiging level, ``rule`` its
    :attr:`BacktestResult.calibration` (each unit's spread from its size and horizon; without, read
    back from the units' bounds, which then hold no count noise of a part); a matched unit counts in the
    COROP of its first code, a unit without a forecast (``nieuw``) adds to the actual total only.
    Returns ``corop, jaar, verwacht, laag, hoog, werkelijk, binnen``.
    """
    from dekkend.forecast.aggregate import sum_band

    ves = tables["vestigingen"].drop_duplicates("vestigingscode").set_index("vestigingscode")["corop_code"]
    d = detail[detail["model"] == model].copy()
    d["vestigingscode"] = d["eenheid"]
    d["corop"] = d["eenheid"].str.split("+").str[0].map(ves).fillna("?").astype(str)
    actual = d.groupby(["corop", "jaar"])["werkelijk"].sum()
    bands = sum_band(d, level, by="corop", rule=rule, model=model)
    bands["werkelijk"] = actual.reindex(pd.MultiIndex.from_frame(bands[["corop", "jaar"]])).to_numpy()
    bands["binnen"] = (bands["werkelijk"] >= bands["laag"]) & (bands["werkelijk"] <= bands["hoog"])
    return bands[bands["corop"] != "?"].reset_index(drop=True)


def gemeente_corop(tables: dict[str, pd.DataFrame]) -> pd.Series:
    """COROP of every gemeente: that of its vestigingen (the most common), else that of the vestiging nearest to
    the middle of its PC4 areas (a gemeente without a VO school)."""
    from scipy.spatial import cKDTree

    from dekkend.forecast.cohorts import pc4_to_gemeente

    ves = tables["vestigingen"].drop_duplicates("vestigingscode").dropna(subset=["corop_code"])
    own = ves.groupby("gemeentecode")["corop_code"].agg(lambda c: c.mode().iloc[0])
    pc4 = tables["pc4_centroiden"].assign(gemeentecode=lambda f: f["pc4"].map(pc4_to_gemeente(tables)))
    mid = pc4.dropna(subset=["gemeentecode", "x_rd", "y_rd"]).groupby("gemeentecode")[["x_rd", "y_rd"]].mean()
    located = ves.dropna(subset=["x_rd", "y_rd"])
    _, near = cKDTree(located[["x_rd", "y_rd"]].to_numpy(float)).query(mid.to_numpy(float))
    return own.combine_first(pd.Series(located["corop_code"].to_numpy()[near], index=mid.index))


def corop_changes(tables: dict[str, pd.DataFrame], totals: pd.DataFrame, origin: int) -> pd.DataFrame:
    """Per COROP and year the change since ``origin`` of the forecast (``totals``: vestigingscode, jaar,
    verwacht; pupils by school location) and of CBS 85701NED (pupils by home gemeente, mapped with
    :func:`gemeente_corop`). Levels differ by pupils who go to school in another COROP; the change should not.
    Returns ``corop, jaar, prognose, cbs, verschil`` (changes as fractions)."""
    cbs = tables["leerlingen_woongemeente_huidig"]
    cbs = cbs[(cbs["onderwijssoort"] == "vo-totaal") & (cbs["geslacht"] == "totaal")]
    cbs = cbs.assign(corop=cbs["gemeentecode"].map(gemeente_corop(tables)))
    cbs = cbs.groupby(["corop", "schooljaar"])["aantal"].sum().unstack()
    where = tables["vestigingen"].drop_duplicates("vestigingscode").set_index("vestigingscode")["corop_code"]
    fc = totals.assign(corop=totals["vestigingscode"].map(where)).groupby(["corop", "jaar"])["verwacht"].sum().unstack()
    p = tables["leerlingen"]
    p = p[p["schooljaar"] == origin]
    now = p.assign(n=estimated_count(p), corop=p["vestigingscode"].map(where)).groupby("corop")["n"].sum()
    rows = []
    for year in [y for y in fc.columns if y in cbs.columns and origin in cbs.columns]:
        f_change, c_change = fc[year] / now - 1, cbs[year] / cbs[origin] - 1
        both = pd.concat([f_change.rename("prognose"), c_change.rename("cbs")], axis=1).dropna()
        rows.append(
            both.assign(jaar=int(year), verschil=both["prognose"] - both["cbs"]).rename_axis("corop").reset_index()
        )
    return (
        pd.concat(rows, ignore_index=True)
        if rows
        else pd.DataFrame(columns=["corop", "jaar", "prognose", "cbs", "verschil"])
    )
