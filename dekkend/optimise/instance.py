"""A region's optimisation problem from the workspace: offerings, forecast pupils, distances, children, flows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
from scipy import sparse

from dekkend.cache import DerivedCache
from dekkend.coverage.children import ChildEstimator
from dekkend.coverage.offer import UPPER_TYPES, OfferThresholds, forecast_upper_years, offer_by_year
from dekkend.coverage.run import region_pc4
from dekkend.diagnose.context import locations_of, offer_thresholds
from dekkend.errors import ConfiguratieFout, GeenPrognose
from dekkend.formatting import school_year
from dekkend.geo import DistanceMatrix, distance_matrix
from dekkend.ingest.labels import PROFIEL_SLUGS, VMBO_LEERWEGEN
from dekkend.norms import Settings, load_settings
from dekkend.optimise.flows import MarketLike, first_order_shares, homes_matrix
from dekkend.optimise.model import ViableCoverage
from dekkend.optimise.options import OptimiseOptions
from dekkend.optimise.reach import ReachContext
from dekkend.optimise.results import ASSIGNMENTS
from dekkend.regions import Region, select_region


@dataclass(frozen=True, eq=False)
class Instance:
    """A region's problem and the numeric model built from it.

    ``offerings`` has one row per model offering (the region's first, then
    offerings outside the region that matter for coverage or closest
    assignment): ``vestigingscode, onderwijstype, profiel, sleutel, kind,
    klass, parent, status, board, threshold, site, in_regio, bron`` and
    ``leerlingen`` (forecast upper-year pupils in the first year).
    ``no_action`` marks the offerings present in the first year "zonder
    ingrijpen"; ``areas`` are the PC4 codes of the cost rows, ``children``
    their weights (0 outside the region).
    """

    region: Region
    origin: int
    years: tuple[int, ...]
    norm_km: float
    assignment: str
    offerings: pd.DataFrame
    areas: np.ndarray
    children: np.ndarray
    children_method: str
    model: ViableCoverage
    forecast: pd.DataFrame
    thresholds: OfferThresholds
    no_action: np.ndarray
    vestigingen: pd.DataFrame
    settings: Settings
    onderbouw: frozenset[str] = frozenset()
    reach: ReachContext | None = None

    @property
    def jaar(self) -> int:
        """The first school year of the configuration (the measures start then)."""
        return self.years[0]

    def name(self, code: str) -> str:
        """``Naam (CODE, Plaats)`` for Dutch texts."""
        return self._names.get(code, code)

    @cached_property
    def _names(self) -> Mapping[str, str]:
        """``Naam (CODE, Plaats)`` per vestiging, built once per instance (the explanations ask hundreds of times)."""
        v = self.vestigingen
        names = v["naam"].to_numpy(object) if "naam" in v else np.full(len(v), None, dtype=object)
        places = v["plaatsnaam"].to_numpy(object) if "plaatsnaam" in v else np.full(len(v), None, dtype=object)
        out = {}
        for code, naam, plaats in zip(v.index.astype(str), names, places, strict=True):
            place = str(plaats).title() if pd.notna(plaats) else ""
            out[code] = f"{naam} ({code}{', ' + place if place else ''})"
        return out

    def column(self, name: str) -> np.ndarray:
        """Column ``name`` of ``offerings`` as an array of its values, made once per instance (the
        explanations read single rows hundreds of times; a pandas lookup per row cost seconds)."""
        columns = self._columns
        if name not in columns:
            columns[name] = self.offerings[name].to_numpy(object)
        return columns[name]

    @cached_property
    def _columns(self) -> dict[str, np.ndarray]:
        return {}

    def site(self, code: str) -> tuple[float, float] | None:
        """The RD point of vestiging ``code`` (``None`` when it is not in ``vestigingen``)."""
        return self._sites.get(code)

    @cached_property
    def _sites(self) -> Mapping[str, tuple[float, float]]:
        v = self.vestigingen
        return {code: (float(x), float(y)) for code, x, y in zip(v.index, v["x_rd"], v["y_rd"], strict=True)}

    def board(self, code: str) -> str:
        """The board (``bestuur``) of vestiging ``code``; empty when unknown."""
        return self._boards.get(code, "")

    @cached_property
    def _boards(self) -> Mapping[str, str]:
        v = self.vestigingen
        if "bestuur" not in v:
            return {}
        return {code: b for code, b in zip(v.index, v["bestuur"].to_numpy(object), strict=True) if isinstance(b, str)}


def offer_key(onderwijstype: str, profiel: object) -> str:
    """The scenario key: ``vmbo-k`` or ``vmbo-k/zorg-welzijn``."""
    return f"{onderwijstype}/{profiel}" if isinstance(profiel, str) and profiel else onderwijstype


def build_instance(
    tables: dict[str, pd.DataFrame],
    regio: str | None,
    year: int,
    options: OptimiseOptions | None = None,
    *,
    forecast: pd.DataFrame | None = None,
    origin: int | None = None,
    market: MarketLike | None = None,
    matrix: DistanceMatrix | None = None,
    settings: Settings | None = None,
    cache: DerivedCache | None = None,
) -> Instance:
    """Build the optimisation problem of region ``regio`` for school year ``year``.

    The candidates are the region's offerings (types and vmbo-profielen, not the
    onderbouw) of the last count, also those that fall below their threshold
    "zonder ingrijpen" before ``year`` (closing one and moving its pupils is how
    another offering of its kind can be saved); a vmbo profiel at a vestiging
    meets its threshold summed over its leerwegen (a pool), as in the
    diagnosis; their pupils are
    the cohort forecast (:func:`dekkend.scenarios.engine.baseline_forecast`) in
    ``year`` .. ``options.until_year``; thresholds and the norm distance come from
    ``settings`` (:func:`dekkend.norms.load_settings`). Offerings outside the
    region keep the offer of the last count. ``options.assignment`` is ``keuze`` (the
    scenario engine's choice model, first order) or ``dichtstbij`` (closest
    assignment); ``options.kinds`` limits the problem to some types (with their
    profielen) or ``profiel:slug`` (:class:`~dekkend.optimise.options.OptimiseOptions`);
    ``market``, ``matrix`` and ``forecast``/``origin`` can be passed to reuse them
    (a :class:`dekkend.scenarios.Baseline` holds all of them); the forecast and the calibrated
    choice model not passed are read from ``cache`` when it holds them
    (:class:`dekkend.cache.DerivedCache`).
    """
    options = options or OptimiseOptions()
    jaar, tot_jaar = year, options.until_year
    toewijzing, cutoff_km = options.assignment, options.cutoff_km
    if toewijzing not in ASSIGNMENTS[:2]:
        raise ConfiguratieFout(f"toewijzing '{toewijzing}' onbekend; kies keuze of dichtstbij")
    region = select_region(tables, regio)
    settings = settings or load_settings()
    forecast, origin = _forecast(tables, region, jaar, tot_jaar, forecast, origin, cache)
    years = _years(forecast, origin, jaar, tot_jaar)
    thresholds = offer_thresholds(settings)
    norm_km = float(settings.values["normafstand_km"])
    matrix = matrix if matrix is not None else distance_matrix(tables)
    wanted = region_pc4(tables, region)
    cover = matrix.pc4 if wanted is None else matrix.pc4[np.isin(matrix.pc4, np.asarray(wanted, dtype=object))]
    # the no-action offer as dekkend diagnose builds it (near the region: see _near_aanbod), computed once
    near = _near_aanbod(tables["aanbod"], matrix, cover, region, norm_km)
    if near.loc[near["vestigingscode"].isin(region.vestigingen) & (near["schooljaar"] <= origin)].empty:
        raise ConfiguratieFout(f"regio {region.label} heeft geen aanbod in {school_year(origin)}")
    # the years up to the last of the configuration decide it (an offering gone earlier stays gone)
    offer = offer_by_year(
        near[near["schooljaar"] <= origin],
        forecast[forecast["jaar"] <= years[-1]],
        thresholds,
        basisjaar=origin,
        opgave=tables.get("aanbod_opgave"),
        locations=locations_of(tables),
    )
    rows, no_action, onderbouw = _region_offerings(tables, region, forecast, thresholds, origin, years, offer)
    wanted_kinds = _kinds_filter(options.kinds)
    if wanted_kinds is not None:
        mask = _of_kinds(rows, wanted_kinds)
        rows, no_action = rows[mask].reset_index(drop=True), no_action[mask]
        if rows.empty:
            raise ConfiguratieFout(f"regio {region.label} biedt geen {', '.join(sorted(wanted_kinds))} aan")
    if market is None:
        from dekkend.scenarios.engine import build_market

        focus = None if region.expression == "nl" else tuple(region.vestigingen)
        market = build_market(tables, origin, None, focus, cache=cache)
    extra_areas = _home_areas(market, rows, cover) if toewijzing == "dichtstbij" else np.array([], dtype=object)
    extra_areas = extra_areas[np.isin(extra_areas, matrix.pc4)]
    areas = np.concatenate([cover, extra_areas[~np.isin(extra_areas, cover)]])
    reach_km = norm_km if toewijzing == "keuze" else max(norm_km, cutoff_km)
    outside = _outside_offerings(tables, region, origin, matrix, areas, rows, reach_km)
    if wanted_kinds is not None:
        outside = outside[_of_kinds(outside, wanted_kinds)].reset_index(drop=True)
    offerings = pd.concat([rows, outside], ignore_index=True)
    offerings["parent"] = _parents(offerings)
    offerings["pool"] = _pools(offerings)
    cost, site = _cost(matrix, areas, offerings["vestigingscode"])
    offerings["site"] = site
    estimator = ChildEstimator(tables)
    kids = estimator.estimate(years[0])
    children = _children(kids.per_pc4, areas, cover)
    _apply_locks(offerings, options.locked, region)
    pupils = np.vstack([offerings[f"_p{y}"].to_numpy(float) for y in years]).T
    offerings = offerings.drop(columns=[f"_p{y}" for y in years])
    shares, homes = _flows(market, tables, origin, offerings, areas, toewijzing)
    model = ViableCoverage.from_cost_matrix(
        cost,
        children,
        offerings[["site", "kind", "threshold", "klass", "parent", "status", "board", "pool"]],
        pupils,
        norm_km=norm_km,
        max_changes=options.max_changes,
        boards_keep=options.boards_keep,
        cutoff_km=cutoff_km,
        shares=shares,
        homes=homes,
    )
    no_action_all = np.concatenate([no_action, np.ones(len(outside), dtype=bool)])
    ves = tables["vestigingen"].drop_duplicates("vestigingscode").set_index("vestigingscode")
    ves = ves.loc[ves.index.isin(offerings["vestigingscode"])]
    reach = ReachContext(tables, region, forecast, thresholds, matrix, offer, estimator, norm_km)
    return Instance(
        region,
        origin,
        years,
        norm_km,
        toewijzing,
        offerings,
        areas,
        children,
        kids.describe(),
        model,
        forecast,
        thresholds,
        no_action_all,
        ves,
        settings,
        onderbouw,
        reach,
    )


def _kinds_filter(soorten: Iterable[str] | None) -> set[str] | None:
    """The types and ``profiel:slug`` asked for, checked (``None``: everything)."""
    if soorten is None:
        return None
    wanted = {str(s).strip() for s in soorten if str(s).strip()}
    if not wanted:
        return None
    allowed = {*UPPER_TYPES, *(f"profiel:{p}" for p in PROFIEL_SLUGS)}
    bad = sorted(wanted - allowed)
    if bad:
        raise ConfiguratieFout(
            f"soort {', '.join(bad)} onbekend; kies uit {', '.join(UPPER_TYPES)} of profiel:<slug> "
            f"({', '.join(PROFIEL_SLUGS)})"
        )
    return wanted


def _of_kinds(o: pd.DataFrame, wanted: set[str]) -> np.ndarray:
    """Rows of the wanted types (with their profielen) or of the wanted profielen."""
    return (o["onderwijstype"].isin(wanted) | o["kind"].isin(wanted)).to_numpy()


def _forecast(
    tables: dict[str, pd.DataFrame],
    region: Region,
    jaar: int,
    tot_jaar: int | None,
    forecast: pd.DataFrame | None,
    origin: int | None,
    cache: DerivedCache | None = None,
) -> tuple[pd.DataFrame, int]:
    """The cohort forecast of the region and its origin (the last count), read from ``cache`` when it holds it."""
    if forecast is not None:
        return forecast, int(origin if origin is not None else int(forecast["jaar"].min()) - 1)
    from dekkend.scenarios.engine import baseline_forecast

    pupils = tables["leerlingen"]
    counted = pupils.loc[pupils["vestigingscode"].isin(region.vestigingen), "schooljaar"]
    if counted.empty:
        raise ConfiguratieFout(f"regio {region.label} heeft geen getelde leerlingen; importeer een leerlingenbestand")
    last = int(counted.max())
    horizon = max(10, int(tot_jaar or jaar) - last)
    return baseline_forecast(tables, region, horizon, cache=cache)


def _years(forecast: pd.DataFrame, origin: int, jaar: int, tot_jaar: int | None) -> tuple[int, ...]:
    end = int(tot_jaar) if tot_jaar is not None else int(jaar)
    available = sorted(int(y) for y in forecast["jaar"].unique())
    if jaar <= origin:
        raise ConfiguratieFout(
            f"schooljaar {school_year(jaar)} ligt niet na de laatste telling ({school_year(origin)}); de maatregelen "
            f"van een scenario beginnen na de telling: kies --jaar {origin + 1} of later"
        )
    if end < jaar:
        raise ConfiguratieFout(f"--tot-jaar {end} ligt voor --jaar {jaar}")
    missing = [y for y in range(jaar, end + 1) if y not in available]
    if missing:
        raise GeenPrognose(
            f"geen prognose voor schooljaar {school_year(missing[0])}; de prognose loopt van "
            f"{available[0]} tot en met {available[-1]}"
            if available
            else "de prognose is leeg"
        )
    return tuple(range(jaar, end + 1))


def _region_offerings(
    tables: dict[str, pd.DataFrame],
    region: Region,
    forecast: pd.DataFrame,
    thresholds: OfferThresholds,
    origin: int,
    years: tuple[int, ...],
    offer: pd.DataFrame,
) -> tuple[pd.DataFrame, np.ndarray, frozenset[str]]:
    """The candidates (the offer of the last count) with their pupils per year, whether each is still
    present in the first year zonder ingrijpen, and the vestigingen with an onderbouw.

    ``offer`` is the no-action offer (:func:`offer_by_year`) of at least the region's vestigingen.
    """
    offer = offer[offer["vestigingscode"].isin(set(region.vestigingen))]
    lower = offer[(offer["onderwijstype"] == "onderbouw") & (offer["jaar"] == years[0] - 1) & ~offer["verdwijnt"]]
    onderbouw = frozenset(lower["vestigingscode"].astype(str))
    offer = offer[offer["onderwijstype"].isin(UPPER_TYPES)]
    before = offer[(offer["jaar"] == origin) & ~offer["verdwijnt"].astype(bool)]
    key = ["vestigingscode", "onderwijstype", "_p"]
    rows = before.assign(_p=before["profiel"].fillna("")).drop_duplicates(key)
    first = offer[offer["jaar"] == years[0]].assign(_p=lambda d: d["profiel"].fillna(""))
    rows = rows.merge(
        first[[*key, "verdwijnt", "bron"]].rename(columns={"verdwijnt": "_gone", "bron": "_bron"}), on=key, how="left"
    )
    upper = forecast_upper_years(forecast).assign(_p=lambda d: d["profiel"].fillna(""))
    for y in years:
        f = upper[upper["jaar"] == y][[*key, "verwacht"]].rename(columns={"verwacht": f"_p{y}"})
        rows = rows.merge(f, on=key, how="left")
        rows[f"_p{y}"] = rows[f"_p{y}"].fillna(0.0)
    covered = set(forecast["vestigingscode"].astype(str))
    bron = np.where(
        rows["bron"] == "opgave", "opgave", np.where(rows["vestigingscode"].isin(covered), "prognose", "geen-prognose")
    )
    prof = rows["profiel"].where(rows["profiel"].notna(), None)
    board = tables["vestigingen"].drop_duplicates("vestigingscode").set_index("vestigingscode")["bestuur"]
    out = pd.DataFrame(
        {
            "vestigingscode": rows["vestigingscode"].astype(str),
            "onderwijstype": rows["onderwijstype"],
            "profiel": prof,
            "sleutel": [offer_key(t, p) for t, p in zip(rows["onderwijstype"], prof, strict=True)],
            "kind": [
                f"profiel:{p}" if isinstance(p, str) else t for t, p in zip(rows["onderwijstype"], prof, strict=True)
            ],
            "threshold": thresholds.for_rows(rows["onderwijstype"], prof),
            "status": np.where(bron == "prognose", "vrij", "vast"),
            "board": rows["vestigingscode"].map(board).fillna("").astype(str),
            "in_regio": True,
            "bron": bron,
            **{f"_p{y}": rows[f"_p{y}"].to_numpy(float) for y in years},
        }
    )
    out.loc[out["bron"] != "prognose", "threshold"] = 0.0
    out["klass"] = out["sleutel"]
    out["leerlingen"] = out[f"_p{years[0]}"]
    no_action = ~rows["_gone"].fillna(False).astype(bool).to_numpy()
    order = np.lexsort((out["sleutel"].to_numpy(str), out["vestigingscode"].to_numpy(str)))
    return out.iloc[order].reset_index(drop=True), no_action[order], onderbouw


def _outside_offerings(
    tables: dict[str, pd.DataFrame],
    region: Region,
    origin: int,
    matrix: DistanceMatrix,
    areas: np.ndarray,
    rows: pd.DataFrame,
    reach_km: float,
) -> pd.DataFrame:
    """Offerings of vestigingen outside the region within ``reach_km`` of an area (they stay as counted)."""
    a = tables["aanbod"]
    a = a[
        (a["schooljaar"] == origin)
        & a["onderwijstype"].isin(UPPER_TYPES)
        & ~a["vestigingscode"].isin(region.vestigingen)
    ]
    a = a[a["vestigingscode"].isin(matrix.vestigingen)]
    if a.empty:
        return rows.iloc[0:0].copy()
    sub = matrix.select(pc4=areas, vestigingen=a["vestigingscode"].unique())
    near = set(sub.vestigingen[(sub.km <= reach_km).any(axis=0)])
    a = a[a["vestigingscode"].isin(near)]
    prof = a["profiel"].where(a["profiel"].notna(), None)
    out = pd.DataFrame(
        {
            "vestigingscode": a["vestigingscode"].astype(str).to_numpy(),
            "onderwijstype": a["onderwijstype"].to_numpy(),
            "profiel": prof.to_numpy(object),
            "sleutel": [offer_key(t, p) for t, p in zip(a["onderwijstype"], prof, strict=True)],
            "kind": [
                f"profiel:{p}" if isinstance(p, str) else t for t, p in zip(a["onderwijstype"], prof, strict=True)
            ],
            "threshold": 0.0,
            "status": "extern",
            "board": "",
            "in_regio": False,
            "bron": "extern",
            "leerlingen": 0.0,
        }
    )
    for c in rows.columns:
        if c.startswith("_p"):
            out[c] = 0.0
    out["klass"] = out["sleutel"]
    return out.drop_duplicates(["vestigingscode", "sleutel"]).reset_index(drop=True)


def _parents(o: pd.DataFrame) -> np.ndarray:
    """Row of the leerweg of every profiel row (at the same vestiging and of the same status side), else -1."""
    index = {(v, k): i for i, (v, k) in enumerate(zip(o["vestigingscode"], o["sleutel"], strict=True))}
    out = np.full(len(o), -1, dtype=int)
    for i, (v, t, p) in enumerate(zip(o["vestigingscode"], o["onderwijstype"], o["profiel"], strict=True)):
        if isinstance(p, str) and p:
            out[i] = index.get((v, t), -1)
    return out


def _near_aanbod(
    aanbod: pd.DataFrame, matrix: DistanceMatrix, cover: np.ndarray, region: Region, km: float
) -> pd.DataFrame:
    """The ``aanbod`` of the region's vestigingen and of those within ``km`` (the norm) of one of its areas.

    The no-action offer (:func:`offer_by_year`, as ``dekkend diagnose`` calls it) of these rows
    gives the same offer within the norm distance as the national one: an offering outside the
    region has no forecast and stays as counted, and a region offering stays or stops on its own
    pupils (see :func:`dekkend.coverage.offer.rechoose`); it takes a fraction of the national time.
    """
    sub = matrix.select(pc4=cover)
    near = set(np.asarray(sub.vestigingen, dtype=object)[(sub.km <= km).any(axis=0)])
    return aanbod[aanbod["vestigingscode"].isin(near | set(region.vestigingen))]


def _pools(o: pd.DataFrame) -> np.ndarray:
    """Pool number of every profiel row of the region: one per vestiging and profiel (its leerwegen together)."""
    out = np.full(len(o), -1, dtype=int)
    index: dict[tuple[str, str], int] = {}
    for i, (v, p, inside) in enumerate(zip(o["vestigingscode"], o["profiel"], o["in_regio"], strict=True)):
        if inside and isinstance(p, str) and p:
            out[i] = index.setdefault((str(v), p), len(index))
    return out


def _cost(matrix: DistanceMatrix, areas: np.ndarray, codes: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The km matrix over the areas and the sites of the offerings (a site without coordinates: ``inf``)."""
    sites = list(dict.fromkeys(codes.astype(str)))
    col = pd.Index(matrix.vestigingen).get_indexer(sites)
    row = pd.Index(matrix.pc4).get_indexer(areas)
    cost = np.full((len(areas), len(sites)), np.inf, dtype=np.float32)
    ok = col >= 0
    cost[:, ok] = matrix.km[np.ix_(row, col[ok])]
    site = pd.Index(sites).get_indexer(codes.astype(str))
    return cost, site


def _children(per_pc4: pd.Series, areas: np.ndarray, cover: np.ndarray) -> np.ndarray:
    """Children aged 12-17 per area of the region (each area counts 1 without population data; 0 outside)."""
    inside = np.isin(areas, cover)
    if len(per_pc4) == 0 or float(per_pc4.sum()) <= 0:
        return inside.astype(float)
    return per_pc4.reindex(pd.Index(areas)).fillna(0.0).to_numpy(float) * inside


def _home_areas(market: MarketLike, rows: pd.DataFrame, cover: np.ndarray) -> np.ndarray:
    """Areas where the region's pupils live (for closest assignment)."""
    h = homes_matrix(market, list(dict.fromkeys(rows["vestigingscode"])), list(market.areas))
    used = np.unique(h.nonzero()[1])
    return np.asarray(market.areas, dtype=object)[used]


def _flows(
    market: MarketLike,
    tables: dict[str, pd.DataFrame],
    origin: int,
    o: pd.DataFrame,
    areas: np.ndarray,
    toewijzing: str,
) -> tuple[sparse.csr_matrix | None, sparse.csr_matrix | None]:
    """``(shares, None)`` (first-order choice) or ``(None, homes)`` (closest assignment) for the model."""
    inside = np.flatnonzero(o["in_regio"].to_numpy(bool))
    if toewijzing == "dichtstbij":
        codes = o["vestigingscode"].to_numpy(object)
        unique = list(dict.fromkeys(codes[inside]))
        per_code = homes_matrix(market, unique, list(areas))
        idx = {c: i for i, c in enumerate(unique)}
        pick = sparse.csr_matrix(
            (np.ones(len(inside)), (inside, [idx[c] for c in codes[inside]])), shape=(len(o), len(unique))
        )
        return None, sparse.csr_matrix(pick @ per_code)
    base = tables["aanbod"]
    base = base[base["schooljaar"] == origin]
    keys = [offer_key(t, p) for t, p in zip(base["onderwijstype"], base["profiel"], strict=True)]
    candidates: dict[str, set[str]] = {}
    for code, key in zip(base["vestigingscode"].astype(str), keys, strict=True):
        candidates.setdefault(key, set()).add(code)
    senders = [(str(o["vestigingscode"].iat[r]), str(o["sleutel"].iat[r])) for r in inside]
    shares, _ = first_order_shares(market, candidates, senders)
    index = {(v, k): i for i, (v, k) in enumerate(zip(o["vestigingscode"], o["sleutel"], strict=True))}
    r_, c_, v_ = [], [], []
    for (s, code, key), value in shares.items():
        h = index.get((code, key))
        if h is not None:
            r_.append(inside[s])
            c_.append(h)
            v_.append(value)
    return sparse.csr_matrix((v_, (r_, c_)), shape=(len(o), len(o))), None


def parse_locks(specs: Iterable[str], offerings: pd.DataFrame, region: Region) -> np.ndarray:
    """Rows locked open by ``--vast CODE:TYPE`` (``TYPE``: a type, ``profiel:slug``, ``vmbo-k/slug`` or ``alles``).

    All problems are reported at once, with the allowed values.
    """
    locked = np.zeros(len(offerings), dtype=bool)
    problems: list[str] = []
    inside = offerings["in_regio"].to_numpy(bool)
    for spec in specs:
        code, sep, what = str(spec).strip().partition(":")
        code, what = code.strip().upper(), what.strip()
        if not sep or not what:
            problems.append(f"'{spec}' niet begrepen; gebruik CODE:TYPE, zoals 99BB03:vmbo-k of 99DD00:profiel:groen")
            continue
        if code not in region.vestigingen:
            problems.append(f"vestiging {code} hoort niet bij de regio")
            continue
        mask = inside & (offerings["vestigingscode"] == code).to_numpy()
        hit = mask & _lock_mask(offerings, what)
        if not hit.any():
            offered = ", ".join(offerings.loc[mask, "sleutel"]) or "niets"
            problems.append(f"{code} biedt '{what}' niet aan in het jaar voor --jaar (wel: {offered})")
            continue
        locked |= hit
    if problems:
        allowed = ", ".join([*UPPER_TYPES, "profiel:<slug>", "<leerweg>/<slug>", "alles"])
        raise ConfiguratieFout(
            "--vast: " + "; ".join(problems) + f" (TYPE: {allowed}; profielen: {', '.join(PROFIEL_SLUGS)})"
        )
    return locked


def _lock_mask(o: pd.DataFrame, what: str) -> np.ndarray:
    key = o["sleutel"].to_numpy(object)
    if what in ("alles", "*"):
        return np.ones(len(o), dtype=bool)
    if what.startswith("profiel:"):
        return (o["kind"] == what).to_numpy()
    if "/" in what or what in UPPER_TYPES:
        return key == what
    for lw in VMBO_LEERWEGEN:
        if what.startswith(lw + ":"):
            return key == f"{lw}/{what.split(':', 1)[1]}"
    return np.zeros(len(o), dtype=bool)


def _apply_locks(offerings: pd.DataFrame, vast: Iterable[str], region: Region) -> None:
    locked = parse_locks(list(vast), offerings, region)
    parents = offerings["parent"].to_numpy(int)
    for g in np.flatnonzero(locked & (parents >= 0)):
        locked[parents[g]] = True  # a locked profiel keeps its leerweg
    offerings.loc[locked & (offerings["status"] == "vrij").to_numpy(), "status"] = "vast"


def scenario_keys(offerings: pd.DataFrame) -> Sequence[tuple[str, str]]:
    """``(vestigingscode, key)`` of the region's offerings, in row order."""
    inside = offerings["in_regio"].to_numpy(bool)
    return list(zip(offerings.loc[inside, "vestigingscode"], offerings.loc[inside, "sleutel"], strict=True))
