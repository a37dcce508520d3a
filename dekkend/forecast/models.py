"""Forecast models with one contract: settings in the constructor, ``fit(data, as_of) -> self``,
``predict(horizon, level=(80, 95))`` -> a long frame with the columns of :data:`OUTPUT_COLUMNS`.

- :class:`NoChange` (``geen-verandering``): every count stays as it was in the origin year.
- :class:`RegionalTrend` (``trend``): every count follows the log-linear trend of its COROP
  region's total over the count years up to the origin (no trend with one count year).
- :class:`CohortModel` (``cohort``): intake follows children per home PC4 x transition x
  school choice (:mod:`dekkend.forecast.choice`), later leerjaren follow their cohort
  (see ``docs/methods/forecast.md`` and ``docs/methods/choice.md``).
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
import pandas as pd
from scipy import sparse

from dekkend.cache import DerivedCache
from dekkend.errors import ConfiguratieFout
from dekkend.forecast.catchment import Catchment, cached_catchment, catchment_for
from dekkend.forecast.choice import ChoiceParameters
from dekkend.forecast.decay import decay_parameters
from dekkend.forecast.intervals import IntervalCalibration, IntervalRule, default_intervals
from dekkend.forecast.prepare import LEERJAREN, Prepared, known_locations, prepare
from dekkend.forecast.ratios import ShrunkRatios, shrunk_ratios

OUTPUT_COLUMNS = [
    "vestigingscode",
    "jaar",
    "onderwijstype",
    "profiel",
    "leerjaar",
    "verwacht",
    "laag80",
    "hoog80",
    "laag95",
    "hoog95",
    "methode",
]


class Forecaster(Protocol):
    """What every model offers."""

    name: str

    def fit(
        self, data: dict[str, pd.DataFrame], as_of: int, vestigingen: tuple[str, ...] | None = None
    ) -> Forecaster: ...

    def predict(self, horizon: int, level: tuple[int, ...] = (80, 95)) -> pd.DataFrame: ...


class _Base:
    name = "basis"

    def __init__(self, intervals: IntervalRule | IntervalCalibration | None = None) -> None:
        self.intervals = intervals or default_intervals()
        self._prep: Prepared | None = None

    def fit(self, data: dict[str, pd.DataFrame], as_of: int, vestigingen: tuple[str, ...] | None = None):
        """Learn from the data known on 1 October of ``as_of``; returns self."""
        return self.fit_prepared(prepare(data, as_of, vestigingen))

    def fit_prepared(self, prep: Prepared):
        """Learn from data already arranged by :func:`dekkend.forecast.prepare.prepare` (shared between models)."""
        self._prep = prep
        self._fit(prep)
        return self

    def _fit(self, prep: Prepared) -> None:  # pragma: no cover - overridden
        pass

    def _project(
        self, prep: Prepared, years: list[int]
    ) -> tuple[dict[int, np.ndarray], dict[int, np.ndarray], np.ndarray]:
        raise NotImplementedError  # pragma: no cover

    @property
    def prepared(self) -> Prepared:
        """The prepared data (after :meth:`fit`)."""
        if self._prep is None:
            raise ConfiguratieFout("roep eerst fit() aan voordat je predict() gebruikt")
        return self._prep

    def predict(self, horizon: int, level: tuple[int, ...] = (80, 95)) -> pd.DataFrame:
        """Forecast the school years ``as_of + 1 .. as_of + horizon``."""
        if horizon < 1 or horizon > 30:
            raise ConfiguratieFout(f"horizon {horizon} valt buiten 1-30 jaar")
        if tuple(level) != (80, 95):
            raise ConfiguratieFout("alleen de intervallen 80 en 95 procent worden geleverd")
        prep = self.prepared
        years = list(range(prep.origin + 1, prep.as_of + horizon + 1))
        totals, beyond, methods = self._project(prep, years)
        keep = [y for y in years if y > prep.as_of]
        return assemble(
            prep, {y: totals[y] for y in keep}, {y: beyond[y] for y in keep}, methods, self.intervals, self.name
        )

    def vestiging_totals(self, horizon: int) -> pd.DataFrame:
        """Forecast totals per vestiging and year, ``vestigingscode, jaar, verwacht``.

        No rows per stream, no intervals.

        The same numbers as ``predict(horizon)`` summed per vestiging and year. Vestigingen without pupils
        in the origin year stopped and are not forecast (``prepared.closed`` lists the recent ones).
        """
        prep = self.prepared
        years = list(range(prep.origin + 1, prep.as_of + horizon + 1))
        totals, _, _ = self._project(prep, years)
        parts = [
            pd.DataFrame({"vestigingscode": prep.codes, "jaar": y, "verwacht": totals[y].sum(axis=1)})
            for y in years
            if y > prep.as_of
        ]
        return pd.concat(parts, ignore_index=True)


def assemble(
    prep: Prepared,
    totals: dict[int, np.ndarray],
    beyond: dict[int, np.ndarray],
    methods: np.ndarray,
    rule: IntervalRule | IntervalCalibration,
    model: str | None = None,
) -> pd.DataFrame:
    """Split leerjaar totals over each vestiging's streams and add intervals."""
    idx = {c: i for i, c in enumerate(prep.codes)}
    s = prep.streams
    v = s["vestigingscode"].map(idx).to_numpy()
    k = s["leerjaar"].to_numpy(int) - 1
    parts = []
    for year in sorted(totals):
        t, b = totals[year], beyond[year]
        frame = s[["vestigingscode", "onderwijstype", "profiel"]].copy()
        frame["leerjaar"] = k + 1
        frame["jaar"] = year
        frame["verwacht"] = t[v, k] * s["aandeel"].to_numpy()
        frame["_h"] = year - prep.origin
        frame["_b"] = b[v, k]
        frame["methode"] = methods[v]
        # leerjaren without a stream in the origin year (a school growing into them)
        have = np.zeros_like(t, dtype=bool)
        have[v, k] = True
        vi, ki = np.nonzero(~have & (t > 0))
        extra = pd.DataFrame(
            {
                "vestigingscode": prep.codes[vi],
                "onderwijstype": "totaal",
                "profiel": None,
                "leerjaar": ki + 1,
                "jaar": year,
                "verwacht": t[vi, ki],
                "_h": year - prep.origin,
                "_b": b[vi, ki],
                "methode": methods[vi],
            }
        )
        parts += [frame, extra]
    out = pd.concat([p for p in parts if len(p)], ignore_index=True)
    out["verwacht"] = np.maximum(out["verwacht"].to_numpy(float), 0.0)
    size = out.groupby(["vestigingscode", "jaar"])["verwacht"].transform("sum").to_numpy(float)
    for level in (80, 95):
        lo, hi = rule.bounds(
            out["verwacht"].to_numpy(), out["_h"].to_numpy(), out["_b"].to_numpy(float), level, model, size
        )
        out[f"laag{level}"], out[f"hoog{level}"] = lo, hi
    out["leerjaar"] = out["leerjaar"].astype("Int64")
    out = out.sort_values(
        ["vestigingscode", "jaar", "leerjaar", "onderwijstype", "profiel"], na_position="first", kind="stable"
    )
    return out[OUTPUT_COLUMNS].reset_index(drop=True)


class NoChange(_Base):
    """Baseline: the origin year's counts stay as they are."""

    name = "geen-verandering"

    def _project(self, prep, years):
        zero = np.zeros_like(prep.base)
        return (
            {y: prep.base for y in years},
            {y: zero for y in years},
            np.full(len(prep.codes), self.name, dtype=object),
        )


class RegionalTrend(_Base):
    """Baseline: counts follow the log-linear trend of the COROP region's total.

    The trend is fitted on the region's totals over at most ``window`` count
    years up to the origin; with one count year there is no trend and the
    method says ``trend-geen-historie``.
    """

    name = "trend"

    def __init__(self, window: int = 5, intervals: IntervalRule | IntervalCalibration | None = None) -> None:
        super().__init__(intervals)
        self.window = window

    def _project(self, prep, years):
        totals = prep.region_totals
        hist_years = sorted(totals.columns)[-self.window :]
        growth = np.zeros(len(prep.codes))
        methods = np.full(len(prep.codes), "trend-geen-historie", dtype=object)
        if len(hist_years) >= 2:
            for region in np.unique(prep.region):
                mask = prep.region == region
                y = totals.loc[region, hist_years].to_numpy(float) if region in totals.index else np.zeros(1)
                if (y > 0).all():
                    growth[mask] = np.expm1(np.polyfit(np.array(hist_years, float), np.log(y), 1)[0])
                    methods[mask] = self.name
        zero = np.zeros_like(prep.base)
        totals = {t: prep.base * ((1 + growth) ** (t - prep.origin))[:, None] for t in years}
        return totals, {t: zero for t in years}, methods


#: Count years at most this many years before the origin inform a vestiging's intake share. 0: the
#: origin alone, where the choice model is calibrated (back-test 2017 -> 2019 on matched vestigingen:
#: averaging 2016 and 2017 left 8.8% less error than no change, the origin alone 11.4%).
INTAKE_WINDOW = 0


class CohortModel(_Base):
    """Cohort model: intake from children x transition x school choice, leerjaren follow their cohort.

    Parameters
    ----------
    choice
        Parameters of the school-choice model; ``None``: the distance decay is
        estimated from pupils by home postcode (``leerlingen_herkomst``) when known,
        else the prior (each extra km 30% less attractive).
    history_years
        At most this many consecutive count-year pairs estimate the rates.
    migration
        Apply the net migration of children estimated from the population series.
    cache
        The werkmap's :class:`dekkend.cache.DerivedCache` of the tables passed to :meth:`fit`: the
        national catchment (the same for every region) is then computed once per data version
        and read from the werkmap after that (:func:`dekkend.forecast.catchment.cached_catchment`).
    """

    name = "cohort"

    def __init__(
        self,
        choice: ChoiceParameters | None = None,
        history_years: int = 3,
        intervals: IntervalRule | IntervalCalibration | None = None,
        migration: bool = True,
        cache: DerivedCache | None = None,
    ) -> None:
        super().__init__(intervals)
        self.cache = cache
        self.choice = choice
        self.history_years = history_years
        self.migration = migration
        self.catchment: Catchment | None = None
        self.ratios: ShrunkRatios | None = None

    # -- catchment ----------------------------------------------------------
    def _catchment(self, prep: Prepared, first: int, last: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(F, beyond, has_data): modelled intake of each entry year per vestiging."""
        params, source = self.choice, "gegeven"
        xy = known_locations(prep.tables, prep.as_of)
        if params is None:
            params, source = decay_parameters(prep.tables, prep.origin, xy)
        self.catchment = cached_catchment(
            self.cache,
            prep.tables,
            prep.as_of,
            prep.origin,
            range(first, last + 1),
            params=params,
            migration=self.migration,
            xy=xy,
            decay_source=source,
        )
        return catchment_for(self.catchment, prep.codes, prep.xy, last - first + 1)

    def _rates(self, prep: Prepared, F: np.ndarray, e0: int) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
        """Intake share per vestiging, progression ratios per group (BRIN) x leerjaar, and whether a
        vestiging's group has a history of pairs of count years.

        The ratios are estimated per school (BRIN) rather than per location: pupils who move
        from a lower-years location to the upper-years location of their school stay in the
        group, so such moves neither vanish nor double (``docs/methods/forecast.md``).
        """
        years = sorted(prep.history)
        n_v = len(prep.codes)
        recent = [t for t in years if t >= prep.origin - INTAKE_WINDOW][-(self.history_years) :]
        num = sum(prep.history[t][:, 0] for t in recent)
        den = sum(F[..., t - e0] for t in recent)
        share = np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)
        assert prep.group is not None and prep.group_history is not None and prep.group_region is not None
        shrunk = shrunk_ratios(prep.group_history, prep.group_region)
        self.ratios = shrunk
        if shrunk is None:
            return share, None, np.zeros(n_v, bool)
        rates = np.where(shrunk.weight > 0, shrunk.ratio, shrunk.regional)
        rates = np.where(np.isfinite(rates), rates, shrunk.national)
        has_history = (shrunk.weight[:, 1:].sum(axis=1) > 0)[prep.group]
        return share, rates, has_history

    def _project(self, prep, years):
        e0 = prep.origin - LEERJAREN
        F, B, has_kids = self._catchment(prep, e0, max(years))
        return self.roll(prep, years, F, B, has_kids)

    def roll(
        self, prep: Prepared, years: list[int], F: np.ndarray, B: np.ndarray, has_kids: np.ndarray
    ) -> tuple[dict[int, np.ndarray], dict[int, np.ndarray], np.ndarray]:
        """Leerjaar totals per year from the intake series ``F`` (vestigingen x entry years from origin - 6).

        ``F`` may carry leading axes (Monte Carlo draws); the totals then carry them too.
        """
        e0 = prep.origin - LEERJAREN
        share, group_rates, has_hist = self._rates(prep, np.nan_to_num(F), e0)
        n_v = len(prep.codes)
        is_new = (prep.first_year == prep.origin) & ((prep.origin - 1) in prep.history)
        methods = np.where(has_hist, "cohort", "geen-historie").astype(object)
        methods[~has_kids] = "cohort-zonder-kinderen"
        methods[is_new] = "nieuw"
        methods[np.isin(prep.codes, prep.renamed)] = "code-gewijzigd"
        Fk = np.where(np.isnan(F), 1.0, F)  # without children data the cohort stays level
        Fe = np.ascontiguousarray(np.moveaxis(Fk, -1, 0))  # entry years first: contiguous slices per year
        ratio_ok = np.isfinite(share) & has_kids
        lead = Fk.shape[:-2]
        base = np.ascontiguousarray(prep.base.T)  # leerjaren first
        member, spread = _group_roll(prep)
        totals: dict[int, np.ndarray] = {}
        beyond: dict[int, np.ndarray] = {}
        prev = np.broadcast_to(base[:, None], (LEERJAREN, *lead, n_v)) if lead else base
        first_ok = has_hist | is_new
        for t in years:
            cur = np.empty((LEERJAREN, *lead, n_v))
            b = np.zeros((n_v, LEERJAREN))
            for k in range(LEERJAREN):
                e = t - k - e0
                e_base = prep.origin - k - e0
                den = Fe[e_base]
                cross = base[k] * Fe[e] / np.where(den > 0, den, 1.0)
                if k == 0:
                    intake = np.where(ratio_ok, share * Fe[e], cross)
                    cur[0] = np.where(first_ok, intake, cross)
                elif group_rates is None:
                    cur[k] = cross
                else:
                    # the school's pupils in leerjaar k-1 progress at the school's ratio and are
                    # spread over its locations as leerjaar k was spread in the origin year
                    grouped = _by_group(prev[k - 1], member) * group_rates[:, k]
                    rolled = _to_members(grouped, member) * spread[k]
                    cur[k] = np.where(first_ok & np.isfinite(rolled), rolled, cross)
                b[:, k] = B[:, e]
            np.maximum(cur, 0.0, out=cur)
            totals[t] = np.moveaxis(cur, 0, -1)
            beyond[t] = b
            prev = cur
        return totals, beyond, methods


def _group_roll(prep: Prepared) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Membership (vestigingen x groups) and each vestiging's share of its group per leerjaar
    (6 x vestigingen) in the origin year; a leerjaar the group did not have then is spread like
    the leerjaar before it (a school growing into its next year), else evenly."""
    assert prep.group is not None
    n_v = len(prep.codes)
    n_g = int(prep.group.max()) + 1 if n_v else 0
    member = sparse.csr_matrix((np.ones(n_v), (np.arange(n_v), prep.group)), shape=(n_v, n_g))
    size = np.asarray(member.sum(axis=0)).ravel()[prep.group]
    base = prep.base
    spread = np.zeros((LEERJAREN, n_v))
    for k in range(LEERJAREN):
        share_k = np.zeros(n_v)
        for col in (base[:, k], base[:, k - 1]) if k else (base[:, 0],):
            tot = np.asarray(member.T @ col)[prep.group]
            todo = (np.asarray(member.T @ share_k)[prep.group] == 0) & (tot > 0)
            share_k = np.where(todo, col / np.where(tot > 0, tot, 1.0), share_k)
        spread[k] = np.where(np.asarray(member.T @ share_k)[prep.group] > 0, share_k, 1.0 / size)
    return member, spread


def _by_group(x: np.ndarray, member: sparse.csr_matrix) -> np.ndarray:
    """Sum of ``x`` (..., vestigingen) per group: (..., groups)."""
    flat = x.reshape(-1, x.shape[-1])
    return np.asarray(member.T @ flat.T).T.reshape(*x.shape[:-1], member.shape[1])


def _to_members(x: np.ndarray, member: sparse.csr_matrix) -> np.ndarray:
    """Each vestiging's group value of ``x`` (..., groups): (..., vestigingen)."""
    flat = x.reshape(-1, x.shape[-1])
    return np.asarray(member @ flat.T).T.reshape(*x.shape[:-1], member.shape[0])


def _regional_ccr(prep: Prepared, ccr: np.ndarray) -> np.ndarray:
    """Cohort-change ratios per COROP region (from vestigingen with history, else the cross-section)."""
    out = np.full_like(ccr, np.nan)
    base = prep.base
    for region in np.unique(prep.region):
        mask = prep.region == region
        r = None
        if np.isfinite(ccr[mask][:, 1:]).any():
            r = np.full(LEERJAREN, np.nan)
            for k in range(1, LEERJAREN):
                col = ccr[mask][:, k]
                r[k] = np.median(col[np.isfinite(col)]) if np.isfinite(col).any() else np.nan
        if r is None or not np.isfinite(r[1:]).all():
            tot = base[mask].sum(axis=0)
            cross = np.full(LEERJAREN, np.nan)
            cross[1:] = np.where(tot[:-1] > 0, tot[1:] / np.where(tot[:-1] > 0, tot[:-1], 1), 0.0)
            r = np.where(np.isfinite(r), r, cross) if r is not None else cross
        out[mask] = r
    return out


MODELS = {"geen-verandering": NoChange, "trend": RegionalTrend, "cohort": CohortModel}


def make_model(name: str, *, cache: DerivedCache | None = None) -> _Base:
    """A model by its Dutch CLI name; ``cache`` (the werkmap's derived results) serves the cohort model's
    national catchment (:class:`CohortModel`), the other models need none."""
    if name not in MODELS:
        raise ConfiguratieFout(f"onbekend model '{name}'; kies uit: {', '.join(MODELS)}")
    if name == CohortModel.name:
        return CohortModel(cache=cache)
    return MODELS[name]()
