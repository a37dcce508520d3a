"""Gathering what the report shows: diagnosis, forecast, reachability now and later, back-test, advice, sources.

Every number in the report comes from one :class:`ReportData`, built by
:func:`collect` with the library calls of the other layers; nothing here
estimates anything itself except the interval of a total
(:func:`total_band`) and the opportunities (:mod:`dekkend.report._chances`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dekkend.cache import DerivedCache
from dekkend.coverage import (
    ChildEstimator,
    Reachability,
    is_openbaar,
    observed_offer,
    offer_in_year,
    offer_masks,
    reachability,
)
from dekkend.coverage.kinds import REACH_KINDS
from dekkend.coverage.offer import forecast_upper_years, offer_by_year, offer_table
from dekkend.diagnose import Diagnosis, diagnose
from dekkend.diagnose.context import offer_thresholds
from dekkend.errors import ConfiguratieFout, DekkendError, WerkmapFout
from dekkend.forecast import BacktestResult, run_backtest
from dekkend.geo import distance_matrix
from dekkend.ingest._text import estimated_count
from dekkend.knowledge import Advice, match_knelpunten
from dekkend.norms import Norm, Settings, load_norms, load_settings
from dekkend.regions import Region, boards_filled, select_region
from dekkend.report._format import place_name, short_school_name
from dekkend.report._geometry import MapGeometry, map_geometry
from dekkend.scenarios.engine import baseline_forecast

ProgressFn = Callable[[str, int, int], None]

#: The steps of :func:`collect`, in order (Dutch: shown in the progress bar).
COLLECT_STEPS = (
    "gegevens controleren",
    "prognose",
    "knelpunten bepalen",
    "bereikbaarheid",
    "terugtoets",
    "kennisbank",
    "kaartgrenzen",
)
#: Tables the report needs at least.
REQUIRED_TABLES = ("leerlingen", "aanbod", "vestigingen", "pc4_centroiden")
#: The forecast horizon of the report (years after the latest count).
HORIZON = 10


@dataclass(frozen=True, eq=False)
class ReportData:
    """Everything the report shows, for one region and one count year.

    Attributes
    ----------
    region
        The selected region.
    name
        The region's name as shown in the title.
    synthetic
        True for the synthetic demo region (the report says so on every page).
    origin
        The latest count year (the peildatum is 1 October of it).
    later
        The year "ten years ahead" of the maps: ``origin + HORIZON``.
    diagnosis
        Knelpunten, board impact and norm checks (:func:`dekkend.diagnose.diagnose`).
    forecast
        The cohort forecast of the region's vestigingen (``dekkend.forecast`` frame).
    history
        Counted pupils per vestiging and year: ``vestigingscode, jaar, leerlingen``.
    upper
        Upper-year pupils per vestiging, type and profiel: counted years from
        ``aanbod`` and forecast years: ``vestigingscode, jaar, onderwijstype, profiel, leerlingen, bron``.
    reach_now, reach_later
        Reachability in ``origin`` (with indicators for every year) and in ``later``.
    offers
        ``{year: boolean DataFrame}`` per vestiging (index) and kind (:data:`REACH_KINDS`):
        who offers what in ``origin`` and (no action) in ``later``.
    vestigingen
        Every located vestiging with short name, place, board and whether it is in the region.
    backtest
        The regional back-test, or ``None`` with one count year.
    advice
        Matched knowledge-base entries, or ``None`` when matching failed.
    geometry
        Boundaries and home-area cells for the maps.
    sources
        The imported files (table ``bestanden``).
    settings, norms
        The thresholds and norms used.
    created
        The date the report was made.
    """

    region: Region
    name: str
    synthetic: bool
    origin: int
    later: int
    diagnosis: Diagnosis
    forecast: pd.DataFrame
    history: pd.DataFrame
    upper: pd.DataFrame
    reach_now: Reachability
    reach_later: Reachability
    offers: dict[int, pd.DataFrame]
    vestigingen: pd.DataFrame
    backtest: BacktestResult | None
    advice: Advice | None
    geometry: MapGeometry
    sources: pd.DataFrame
    settings: Settings
    norms: tuple[Norm, ...]
    created: dt.date
    count_years: tuple[int, ...]
    detail_years: tuple[int, ...]

    @property
    def region_vestigingen(self) -> pd.DataFrame:
        """The region's vestigingen with a count in the origin year."""
        v = self.vestigingen
        return v[v["in_regio"] & v["geteld"]]

    @property
    def totals(self) -> pd.DataFrame:
        """Pupils per vestiging (rows) and year (columns): the origin count and the forecast."""
        now = (
            self.history[self.history["jaar"] == self.origin]
            .set_index("vestigingscode")["leerlingen"]
            .rename(self.origin)
        )
        fc = self.forecast.groupby(["vestigingscode", "jaar"])["verwacht"].sum().unstack("jaar")
        return pd.concat([now, fc], axis=1).fillna(0.0)


def is_synthetic(tables: dict[str, pd.DataFrame]) -> bool:
    """True for a workspace built by ``dekkend demo`` (its files are marked ``demo-...``)."""
    files = tables.get("bestanden")
    return files is not None and "formaat" in files and files["formaat"].astype(str).str.startswith("demo-").any()


def _pretty(label: str) -> str:
    """Upper-case DUO names in a region label in normal case: ``gemeente DIJKMOND`` -> ``gemeente Dijkmond``."""
    parts = []
    for part in label.split(" + "):
        head, _, rest = part.partition(" ")
        if rest.split(" ", 1)[0] == head:  # "bestuur bestuur 99004"
            rest = rest.split(" ", 1)[1] if " " in rest else rest
        parts.append(f"{head} {place_name(rest) if rest.isupper() else rest}" if rest else part)
    return " + ".join(parts)


def region_name(tables: dict[str, pd.DataFrame], region: Region) -> str:
    """The region's display name; the whole demo workspace is called after its COROP name."""
    if region.expression != "nl":
        return _pretty(region.label)
    ves = tables["vestigingen"]
    names = ves["corop_naam"].dropna().unique() if "corop_naam" in ves else []
    if is_synthetic(tables) and len(names) == 1:
        return f"Demoregio {names[0]}"
    return "alle vestigingen in de werkmap"


def check_tables(tables: dict[str, pd.DataFrame]) -> None:
    """Raise a Dutch :class:`WerkmapFout` naming every table the report needs but the workspace lacks."""
    missing = [t for t in REQUIRED_TABLES if t not in tables or tables[t].empty]
    if missing:
        raise WerkmapFout(
            f"de werkmap mist de tabel(len) {', '.join(missing)}; importeer eerst de DUO-leerlingen- en "
            "vestigingenbestanden en de PC4-middelpunten (dekkend importeer MAP --werkmap W), of maak de demo "
            "(dekkend demo)"
        )


def _history(tables: dict[str, pd.DataFrame], codes: tuple[str, ...]) -> pd.DataFrame:
    p = tables["leerlingen"]
    p = p[p["vestigingscode"].isin(codes)]
    out = p.assign(n=estimated_count(p)).groupby(["vestigingscode", "schooljaar"])["n"].sum().reset_index()
    return out.rename(columns={"schooljaar": "jaar", "n": "leerlingen"})


def _upper(
    tables: dict[str, pd.DataFrame], codes: tuple[str, ...], forecast: pd.DataFrame, origin: int
) -> pd.DataFrame:
    a = tables["aanbod"]
    a = a[a["vestigingscode"].isin(codes) & (a["schooljaar"] <= origin) & (a["onderwijstype"] != "onderbouw")]
    seen = a.rename(columns={"schooljaar": "jaar"})[
        ["vestigingscode", "jaar", "onderwijstype", "profiel", "leerlingen"]
    ]
    fc = forecast_upper_years(forecast)
    fc = fc[fc["onderwijstype"] != "onderbouw"].rename(columns={"verwacht": "leerlingen"})
    out = pd.concat([seen.assign(bron="telling"), fc[seen.columns].assign(bron="prognose")], ignore_index=True)
    out["profiel"] = out["profiel"].astype(object).where(out["profiel"].notna(), None)
    return out


def _vestigingen(tables: dict[str, pd.DataFrame], region: Region, origin: int) -> pd.DataFrame:
    ves = tables["vestigingen"].drop_duplicates("vestigingscode").copy()
    counted = set(tables["leerlingen"].loc[tables["leerlingen"]["schooljaar"] == origin, "vestigingscode"])
    ves["in_regio"] = ves["vestigingscode"].isin(region.vestigingen)
    ves["geteld"] = ves["vestigingscode"].isin(counted)
    ves["korte_naam"] = ves["naam"].map(short_school_name)
    ves["plaats"] = ves["plaatsnaam"].map(place_name)
    ves["bestuur"] = boards_filled(ves)[0].fillna("onbekend").astype(str)
    ves["openbaar"] = is_openbaar(ves["denominatie"]) if "denominatie" in ves else False
    ves["x"] = ves["x_rd"].astype(float) / 1000.0
    ves["y"] = ves["y_rd"].astype(float) / 1000.0
    return ves.reset_index(drop=True)


def _offers(
    tables: dict[str, pd.DataFrame], reach: Reachability, ves: pd.DataFrame, origin: int, later: int
) -> dict[int, pd.DataFrame]:
    codes = ves["vestigingscode"].to_numpy(str)
    public = ves.set_index("vestigingscode")["openbaar"]
    out = {}
    for year, present in (
        (origin, observed_offer(offer_table(tables), origin, opgave=tables.get("aanbod_opgave"))),
        (later, offer_in_year(reach.offer, later)),
    ):
        masks = offer_masks(present, codes, public)
        out[year] = pd.DataFrame(masks.T, index=pd.Index(codes, name="vestigingscode"), columns=list(REACH_KINDS))
    return out


#: The models of the report's back-test: the method, and the simplest forecast to compare it with.
BACKTEST_MODELS = ("cohort", "geen-verandering")


def backtest_years(history: pd.DataFrame, origin: int) -> tuple[int, tuple[int, ...]] | None:
    """The back-test's as-of year and targets: from the count five years back (or the previous one) to the latest."""
    years = sorted(int(y) for y in history["jaar"].unique() if y < origin)
    if not years:
        return None
    early = [y for y in years if y <= origin - 5]
    start = early[-1] if early else years[-1]
    targets = tuple(int(y) for y in sorted(history["jaar"].unique()) if start < y <= origin)
    return start, targets


def _backtest(
    tables: dict[str, pd.DataFrame],
    history: pd.DataFrame,
    origin: int,
    codes: tuple[str, ...],
    cache: DerivedCache | None = None,
) -> BacktestResult | None:
    plan = backtest_years(history, origin)
    if plan is None:
        return None
    try:
        try:  # only the two models the report shows: half the work of every model
            from dekkend.forecast.backtest import backtest_units
        except ImportError:  # pragma: no cover - the forecast package reorganised: its public entry point
            return run_backtest(tables, plan[0], plan[1], "vestiging", units=codes)
        return backtest_units(tables, plan[0], plan[1], "vestiging", models=BACKTEST_MODELS, units=codes, cache=cache)
    except DekkendError:
        return None


#: Knelpunten per type passed to the knowledge base (the most severe first): the ranking needs the variety
#: of types, not thirty look-alikes of one type, and matching costs time per knelpunt.
ADVICE_PER_TYPE = 6


def advice_sample(knelpunten: tuple, per_type: int = ADVICE_PER_TYPE) -> list:
    """At most ``per_type`` knelpunten of each type, in the diagnosis' order (most severe first)."""
    seen: dict[str, int] = {}
    out = []
    for k in knelpunten:
        seen[k.type] = seen.get(k.type, 0) + 1
        if seen[k.type] <= per_type:
            out.append(k)
    return out


def _advice(diagnosis: Diagnosis, ves: pd.DataFrame, name: str) -> Advice | None:
    region = ves[ves["in_regio"]]
    corop = region["corop_naam"].dropna().mode() if "corop_naam" in region else pd.Series(dtype=str)
    province = region["provincie"].dropna().mode() if "provincie" in region else pd.Series(dtype=str)
    regio = str(corop.iloc[0]) if len(corop) else name
    sample = advice_sample(diagnosis.knelpunten)

    def advice(gebied: str | None) -> Advice:
        return match_knelpunten(
            sample, regio=regio, peiljaar=diagnosis.peiljaar, gebied=gebied, per_knelpunt=1, limit=10
        )

    try:
        return advice(str(province.iloc[0]) if len(province) else None)
    except ConfiguratieFout:  # the province is unknown to the knowledge base
        return advice(None)


def collect(
    tables: dict[str, pd.DataFrame],
    regio: str | None,
    *,
    progress: ProgressFn | None = None,
    today: dt.date | None = None,
    cache: DerivedCache | None = None,
) -> ReportData:
    """Run the analyses the report shows for region ``regio`` (``None``: every vestiging in the workspace).

    ``cache`` is the werkmap's :class:`dekkend.cache.DerivedCache` of ``tables``
    (:func:`dekkend.cache.tables_and_cache`): the region's forecast and the national catchments of
    the forecast and the back-test are then read from the werkmap when an earlier run stored them.
    The numbers are the same with or without it.

    Raises
    ------
    WerkmapFout
        A table the report needs is missing.
    RegioFout
        ``regio`` selects nothing.
    """

    def tick(i: int) -> None:
        if progress:
            progress(COLLECT_STEPS[i], i, len(COLLECT_STEPS))

    tick(0)
    check_tables(tables)
    region = select_region(tables, regio)
    settings, norms = load_settings(), load_norms()
    tick(1)
    codes = tuple(region.vestigingen)
    pupils = tables["leerlingen"]
    as_of = int(pupils.loc[pupils["vestigingscode"].isin(codes), "schooljaar"].max())
    forecast, origin = baseline_forecast(tables, region, HORIZON, as_of, cache=cache)
    later = origin + HORIZON
    matrix = distance_matrix(tables)
    tick(2)
    children = ChildEstimator(tables)  # read once, shared by the diagnosis and both reachability years
    diagnosis = diagnose(
        tables, regio, horizon=HORIZON, matrix=matrix, forecast=forecast, settings=settings, children=children
    )
    history = _history(tables, codes)
    tick(3)
    thresholds = offer_thresholds(settings)
    # the offer "zonder ingrijpen" of every year, as reachability() makes it, once for both years
    offer = offer_by_year(offer_table(tables), forecast, thresholds, opgave=tables.get("aanbod_opgave"))
    reach_now = reachability(
        tables,
        origin,
        region=region,
        matrix=matrix,
        forecast=forecast,
        thresholds=thresholds,
        indicators=True,
        region_label=region.label,
        offer=offer,
        children=children,
    )
    reach_later = reachability(
        tables,
        later,
        region=region,
        matrix=matrix,
        forecast=forecast,
        thresholds=thresholds,
        offer=offer,
        children=children,
    )
    ves = _vestigingen(tables, region, origin)
    offers = _offers(tables, reach_now, ves, origin, later)
    tick(4)
    backtest = _backtest(tables, history, origin, codes, cache)
    tick(5)
    name = region_name(tables, region)
    advice = _advice(diagnosis, ves, name)
    tick(6)
    pc4 = sorted(reach_now.table["pc4"].astype(str).unique())
    geometry = map_geometry(tables, region, pc4)
    files = tables.get("bestanden", pd.DataFrame(columns=["formaat", "titel", "peildatum", "rijen"]))
    aanbod_years = tables["aanbod"]["schooljaar"].unique()
    return ReportData(
        region=region,
        name=name,
        synthetic=is_synthetic(tables),
        origin=origin,
        later=later,
        diagnosis=diagnosis,
        forecast=forecast,
        history=history,
        upper=_upper(tables, codes, forecast, origin),
        reach_now=reach_now,
        reach_later=reach_later,
        offers=offers,
        vestigingen=ves,
        backtest=backtest,
        advice=advice,
        geometry=geometry,
        sources=files,
        settings=settings,
        norms=norms,
        created=today or dt.date.today(),
        count_years=tuple(sorted(int(y) for y in history["jaar"].unique())),
        detail_years=tuple(sorted(int(y) for y in aanbod_years)),
    )


def total_band(frame: pd.DataFrame, level: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Years and the ``level``% band of the total of the rows of a forecast frame per year.

    A thin wrapper of :func:`dekkend.forecast.aggregate.sum_band` (the one place where the
    band of a sum of forecast rows is made; errors of different vestigingen are nearly
    independent, so a region's band is much narrower than the sum of its rows' bands).
    """
    from dekkend.forecast.aggregate import sum_band

    b = sum_band(frame, level)
    return b["jaar"].to_numpy(), b["laag"].to_numpy(float), b["hoog"].to_numpy(float)
