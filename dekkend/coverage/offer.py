"""The offer per school year: observed from ``aanbod``, and in forecast years the offer "zonder ingrijpen".

In a forecast year an offering stays when its forecast upper-year pupils
reach the user's threshold; below it the offering is *at risk* and, in the
no-action view, disappears (from then on, unless ``blijvend=False``).
Offerings of vestigingen the forecast does not cover stay as they are.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dekkend.errors import ConfiguratieFout
from dekkend.ingest.labels import PROFIEL_SLUGS, VMBO_LEERWEGEN

#: Types whose upper years make an offering, and ``onderbouw`` (first years of any type).
UPPER_TYPES = ("pro", *VMBO_LEERWEGEN, "havo", "vwo")
OFFER_KINDS = (*UPPER_TYPES, "onderbouw")

#: Upper years per type, as in the derived ``aanbod`` (pro: all years).
UPPER_YEARS = {
    "pro": (1, 2, 3, 4, 5, 6),
    "vmbo-b": (3, 4),
    "vmbo-k": (3, 4),
    "vmbo-g": (3, 4),
    "vmbo-t": (3, 4),
    "havo": (4, 5),
    "vwo": (4, 5, 6),
}

#: The columns of a forecast frame (``dekkend.forecast``); the first six are required here.
FORECAST_COLUMNS = (
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
)

OFFER_COLUMNS = [
    "vestigingscode",
    "jaar",
    "onderwijstype",
    "profiel",
    "leerlingen",
    "drempel",
    "prognose",
    "bron",
    "at_risk",
    "verdwijnt",
    "profiel_leerlingen",
    "opvang",
]

#: Default minimum: an offering needs at least one (forecast) pupil in its upper years.
DEFAULT_MIN_PUPILS = 1.0

#: The vmbo profielen of DUO's sector techniek (the sector column of the count files).
TECHNIEK_PROFIELEN = (
    "bouwen-wonen-interieur",
    "maritiem-techniek",
    "media-vormgeving-ict",
    "mobiliteit-transport",
    "produceren-installeren-energie",
)
#: Stands in the ``profiel`` column for technical vmbo taught in a route that names no profiel
#: (vakmanschapsroute, beroepsroute, technologieroute, VM2, old broad programmes): DUO's
#: element code says "techniek" but not which profiel, so dekkend does not guess one.
TECHNIEK_ROUTE = "techniek-route"
#: Leerwegen with a beroepsgericht programme (a tl sector is only a choice of subjects).
BEROEPSGERICHT = ("vmbo-b", "vmbo-k", "vmbo-g")
#: Every value the offer's ``profiel`` column can hold.
OFFER_PROFIELEN = (*PROFIEL_SLUGS, TECHNIEK_ROUTE)


@dataclass(frozen=True)
class OfferThresholds:
    """Minimum forecast upper-year pupils for an offering to stay in the no-action view.

    ``default`` applies to every offering; ``per_type`` overrides it for a type
    (``pro``, ``vmbo-b`` .. ``vwo``, ``onderbouw``) and ``per_profiel`` for the
    offerings of a vmbo profiel. The default of one pupil is a placeholder
    until the norms issue provides cited thresholds.
    """

    default: float = DEFAULT_MIN_PUPILS
    per_type: Mapping[str, float] = field(default_factory=dict)
    per_profiel: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        problems = [f"onbekend onderwijstype '{t}'" for t in self.per_type if t not in OFFER_KINDS]
        problems += [f"onbekend profiel '{p}'" for p in self.per_profiel if p not in OFFER_PROFIELEN]
        values = [self.default, *self.per_type.values(), *self.per_profiel.values()]
        problems += [f"drempel {v} is negatief" for v in values if v < 0]
        if problems:
            raise ConfiguratieFout(
                "drempel: " + "; ".join(problems) + f" (typen: {', '.join(OFFER_KINDS)}; "
                f"profielen: {', '.join(PROFIEL_SLUGS)})"
            )

    @classmethod
    def parse(cls, specs: Iterable[str]) -> OfferThresholds:
        """From ``["1", "havo=20", "profiel:groen=10"]``: a bare number is the default."""
        default, per_type, per_profiel = DEFAULT_MIN_PUPILS, {}, {}
        for spec in specs:
            key, sep, value = spec.partition("=")
            number = _number(value if sep else key, spec, "drempel")
            if not sep:
                default = number
            elif key.strip().startswith("profiel:"):
                per_profiel[key.strip().removeprefix("profiel:")] = number
            else:
                per_type[key.strip()] = number
        return cls(default, per_type, per_profiel)

    def for_rows(self, types: pd.Series, profielen: pd.Series) -> np.ndarray:
        """The threshold of each offering (profiel beats type beats default)."""
        out = types.map(dict(self.per_type)).astype(float)
        prof = profielen.map(dict(self.per_profiel)).astype(float)
        out = prof.where(prof.notna(), out)
        return out.fillna(self.default).to_numpy(float)


def _number(text: str, spec: str, what: str) -> float:
    try:
        return float(text.strip().replace(",", "."))
    except ValueError:
        raise ConfiguratieFout(f"{what} '{spec}' niet begrepen; gebruik een getal of type=getal") from None


def route_offer(leerlingen: pd.DataFrame | None) -> pd.DataFrame:
    """Upper-year pupils of technical routes without profiel as ``aanbod`` rows (TECHNIEK_ROUTE).

    Rows of ``leerlingen`` in basis, kader or gemengd, leerjaar 3-4, sector
    ``techniek`` and no profiel (see ``dekkend/ingest/vo_labels.csv``); VAVO
    rows do not count. Censored cells count with their estimate, as in ``aanbod``.
    """
    cols = ["vestigingscode", "schooljaar", "onderwijstype", "profiel", "leerlingen", "bron"]
    if leerlingen is None or leerlingen.empty or "sector" not in leerlingen.columns:
        return pd.DataFrame(columns=cols)
    from dekkend.ingest._text import estimated_count

    p = leerlingen
    keep = (
        p["onderwijstype"].isin(BEROEPSGERICHT)
        & p["leerjaar"].isin([3, 4]).fillna(False).astype(bool)
        & (p["sector"] == "techniek").fillna(False).astype(bool)
        & p["profiel"].isna()
    )
    if "vavo" in p.columns:
        keep &= ~p["vavo"].fillna(False).astype(bool)
    rows = p[keep]
    if rows.empty:
        return pd.DataFrame(columns=cols)
    rows = rows.assign(n=estimated_count(rows))
    out = rows.groupby(["vestigingscode", "schooljaar", "onderwijstype"], as_index=False)["n"].sum()
    out = out.rename(columns={"n": "leerlingen"}).assign(profiel=TECHNIEK_ROUTE, bron="telling")
    return out[out["leerlingen"] > 0][cols].reset_index(drop=True)


def offer_table(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """``aanbod`` with the technical routes without profiel added (:func:`route_offer`), once."""
    aanbod = tables["aanbod"]
    if (aanbod["profiel"] == TECHNIEK_ROUTE).any():
        return aanbod
    routes = route_offer(tables.get("leerlingen"))
    if routes.empty:
        return aanbod
    return pd.concat([aanbod, routes], ignore_index=True)


def offer_years(aanbod: pd.DataFrame) -> list[int]:
    """The school years in ``aanbod``, ascending."""
    return sorted(int(y) for y in aanbod["schooljaar"].dropna().unique())


def observed_offer(
    aanbod: pd.DataFrame,
    jaar: int,
    *,
    min_leerlingen: float = DEFAULT_MIN_PUPILS,
    opgave: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The offer in a counted year: offerings with at least ``min_leerlingen`` upper-year pupils.

    Parameters
    ----------
    aanbod
        The derived ``aanbod`` table.
    jaar
        A school year present in ``aanbod``.
    min_leerlingen
        Pupils needed to count as an offering (censored cells count as 2.5).
    opgave
        The user's declared offer (``aanbod_opgave``): rows valid in ``jaar``
        are added.

    Returns
    -------
    pandas.DataFrame
        ``vestigingscode, onderwijstype, profiel, leerlingen, bron``.
    """
    a = aanbod[(aanbod["schooljaar"] == jaar) & aanbod["onderwijstype"].isin(OFFER_KINDS)]
    a = a[a["leerlingen"].astype(float) >= min_leerlingen]
    out = a[["vestigingscode", "onderwijstype", "profiel", "leerlingen"]].assign(bron="telling")
    declared = _declared(opgave, jaar)
    if len(declared):
        out = pd.concat([out, declared.assign(leerlingen=np.nan, bron="opgave")], ignore_index=True)
    out["profiel"] = out["profiel"].astype(object).where(out["profiel"].notna(), None)
    out = out.drop_duplicates(["vestigingscode", "onderwijstype", "profiel"], keep="first")
    return out.reset_index(drop=True)


def _declared(opgave: pd.DataFrame | None, jaar: int) -> pd.DataFrame:
    """The declared offerings valid in ``jaar``."""
    if opgave is None or opgave.empty:
        return pd.DataFrame(columns=["vestigingscode", "onderwijstype", "profiel"])
    start = opgave["vanaf_jaar"].astype(float)
    end = opgave["tot_jaar"].astype(float).fillna(np.inf)
    valid = (start <= jaar) & (end >= jaar)
    return opgave.loc[valid, ["vestigingscode", "onderwijstype", "profiel"]]


def _ended(opgave: pd.DataFrame | None, jaar: int) -> set[tuple]:
    """Declared offerings whose ``tot_jaar`` lies before ``jaar``."""
    if opgave is None or opgave.empty:
        return set()
    end = opgave["tot_jaar"].astype(float)
    gone = opgave[end.notna() & (end < jaar)]
    return {
        (v, t, p if isinstance(p, str) else None)
        for v, t, p in gone[["vestigingscode", "onderwijstype", "profiel"]].itertuples(index=False)
    }


def check_forecast(forecast: pd.DataFrame) -> None:
    """Raise :class:`ConfiguratieFout` when a forecast frame lacks the columns this module needs."""
    missing = [c for c in FORECAST_COLUMNS[:6] if c not in forecast.columns]
    if missing:
        raise ConfiguratieFout(
            "prognose mist kolom(men) " + ", ".join(missing) + "; verwacht " + ",".join(FORECAST_COLUMNS)
        )


def forecast_upper_years(forecast: pd.DataFrame) -> pd.DataFrame:
    """Forecast pupils per offering: ``vestigingscode, jaar, onderwijstype, profiel, verwacht``.

    Rows of the forecast are disjoint streams, as in ``leerlingen``: a type's
    upper years are the sum of its rows in those leerjaren (any profiel), a
    profiel's the sum of its rows, and ``onderbouw`` the sum of ``brugjaar``,
    ``havo-vwo`` and the lower leerjaren (up to 3) of the other types except
    pro, as in the derived ``aanbod``.
    """
    check_forecast(forecast)
    f = forecast[["vestigingscode", "jaar", "onderwijstype", "profiel", "leerjaar", "verwacht"]].copy()
    f["verwacht"] = f["verwacht"].astype(float).fillna(0.0)
    lj = f["leerjaar"].astype("Float64")
    upper = pd.Series(False, index=f.index)
    for typ, years in UPPER_YEARS.items():
        upper |= (f["onderwijstype"] == typ) & lj.isin(years).fillna(False).astype(bool)
    keys = ["vestigingscode", "jaar", "onderwijstype"]
    whole = f[upper].groupby(keys, as_index=False)["verwacht"].sum().assign(profiel=None)
    prof = f[upper & f["profiel"].notna() & f["onderwijstype"].isin(VMBO_LEERWEGEN)]
    by_prof = prof.groupby([*keys, "profiel"], as_index=False)["verwacht"].sum()
    lower = f["onderwijstype"].isin(["brugjaar", "havo-vwo"]) | (
        ~upper & f["onderwijstype"].isin([*VMBO_LEERWEGEN, "havo", "vwo"]) & (lj <= 3).fillna(False).astype(bool)
    )
    ob = (
        f[lower]
        .groupby(["vestigingscode", "jaar"], as_index=False)["verwacht"]
        .sum()
        .assign(onderwijstype="onderbouw", profiel=None)
    )
    out = pd.concat([whole, by_prof, ob], ignore_index=True)
    out["jaar"] = out["jaar"].astype(int)
    return out[["vestigingscode", "jaar", "onderwijstype", "profiel", "verwacht"]]


def offer_by_year(
    aanbod: pd.DataFrame,
    forecast: pd.DataFrame | None = None,
    thresholds: OfferThresholds | None = None,
    *,
    basisjaar: int | None = None,
    min_leerlingen: float = DEFAULT_MIN_PUPILS,
    opgave: pd.DataFrame | None = None,
    blijvend: bool = True,
    locations: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The offer in the base year and in every forecast year, with the no-action flags.

    A vmbo profiel at a vestiging is judged across its leerwegen: its
    threshold (``per_profiel``) applies to the sum of its upper-year pupils
    in basis, kader, gemengd and theoretisch, and all its leerweg rows stand
    or fall together (``profiel_leerlingen`` holds that sum). With
    ``locations`` (``vestigingscode, x_rd, y_rd``) the pupils of a profiel
    offering that stops choose again: they go to the nearest offering of the
    same profiel that stays (straight line), so a profiel only disappears
    from the frame when every offering fails even with those pupils added
    (``opvang`` names the vestiging that took them; see :func:`rechoose`).

    Parameters
    ----------
    aanbod
        The derived ``aanbod`` table (observed upper-year pupils).
    forecast
        A forecast frame with :data:`FORECAST_COLUMNS` (at least the first
        six); ``None`` gives the base year only.
    thresholds
        Minimum forecast upper-year pupils (default: one pupil).
    basisjaar
        The counted year the forecast starts from (default: the latest year
        in ``aanbod``); forecast years after it are used.
    min_leerlingen
        Pupils that make an offering in the base year.
    opgave
        Declared offerings (``aanbod_opgave``): kept while valid, gone after
        their ``tot_jaar``.
    blijvend
        An offering that falls below its threshold stays gone in later years.
    locations
        RD coordinates of the vestigingen: enables the re-choice of pupils
        of stopping profiel offerings.

    Returns
    -------
    pandas.DataFrame
        :data:`OFFER_COLUMNS`: per vestiging, year, type and profiel the
        (forecast) pupils, the threshold, whether a forecast covered it
        (``prognose``), ``at_risk`` (forecast below the threshold that year)
        and ``verdwijnt`` (absent from the no-action offer that year).
    """
    thresholds = thresholds or OfferThresholds()
    years = offer_years(aanbod)
    if not years:
        raise ConfiguratieFout(
            "de werkmap heeft geen aanbod (tellingen met onderwijstype); importeer een leerlingenbestand"
        )
    base_year = years[-1] if basisjaar is None else int(basisjaar)
    base = observed_offer(aanbod, base_year, min_leerlingen=min_leerlingen, opgave=opgave)
    base = base.assign(
        jaar=base_year,
        drempel=thresholds.for_rows(base["onderwijstype"], base["profiel"]),
        prognose=False,
        at_risk=False,
        verdwijnt=False,
        opvang=None,
    )
    base["profiel_leerlingen"] = _profiel_sums(base, base["leerlingen"].astype(float).to_numpy())
    parts = [base]
    if forecast is not None and len(forecast):
        parts += _forecast_years(base, forecast, thresholds, base_year, opgave, blijvend, locations)
    out = pd.concat(parts, ignore_index=True)[OFFER_COLUMNS]
    out["profiel"] = out["profiel"].astype(object).where(out["profiel"].notna(), None)
    return out.sort_values(
        ["jaar", "vestigingscode", "onderwijstype", "profiel"], na_position="first", kind="stable"
    ).reset_index(drop=True)


def _forecast_years(
    base: pd.DataFrame,
    forecast: pd.DataFrame,
    thresholds: OfferThresholds,
    base_year: int,
    opgave: pd.DataFrame | None,
    blijvend: bool,
    locations: pd.DataFrame | None = None,
) -> list[pd.DataFrame]:
    upper = forecast_upper_years(forecast)
    upper = upper.assign(_p=upper["profiel"].fillna(""))
    covered = forecast.groupby("jaar")["vestigingscode"].agg(lambda s: set(s.astype(str)))
    key = ["vestigingscode", "onderwijstype", "profiel"]
    shares = _route_shares(base)
    xy = _xy(locations)  # once for every forecast year
    # the forecast pupils of every (year, vestiging, type, profiel), looked up per offering and year
    forecast_of = dict(
        zip(
            zip(
                upper["jaar"].astype(int),
                *(upper[c].to_numpy(object) for c in ("vestigingscode", "onderwijstype", "_p")),
                strict=True,
            ),
            upper["verwacht"].to_numpy(float),
            strict=True,
        )
    )
    layouts: dict[tuple, _Layout] = {}  # per set of declared offerings: the rows and what depends on them only
    gone: set[tuple] = set()
    parts = []
    for year in sorted(int(y) for y in upper["jaar"].unique() if int(y) > base_year):
        new = _declared(opgave, year)
        signature = tuple(new[key].astype(object).itertuples(index=False, name=None))
        if signature not in layouts:
            offers = pd.concat([base[key], new[key]], ignore_index=True) if len(new) else base[key].copy()
            offers = offers.assign(_p=offers["profiel"].fillna("")).drop_duplicates(
                ["vestigingscode", "onderwijstype", "_p"]
            )
            layouts[signature] = _Layout(offers.reset_index(drop=True), thresholds)
        lay = layouts[signature]
        frame = lay.frame.assign(verwacht=[forecast_of.get((year, *k), np.nan) for k in lay.keys])
        if lay.has_route:
            frame = _route_forecast(frame, shares, upper[upper["jaar"] == year])
        has_forecast = np.isin(lay.codes, list(covered.get(year, set())))
        verwacht = np.where(has_forecast, frame["verwacht"].fillna(0.0).to_numpy(float), np.nan)
        declared = _declared_mask(new, lay.keys)
        ended = _ended_mask(opgave, year, lay.keys)
        drempel = lay.drempel.copy()
        at_risk = has_forecast & ~declared & (np.nan_to_num(verwacht, nan=np.inf) < drempel)
        keys = lay.keys
        earlier = np.array([k in gone for k in keys], dtype=bool) if blijvend else np.zeros(len(keys), dtype=bool)
        sums = lay.profiel_sums(np.nan_to_num(verwacht, nan=0.0))
        is_prof = lay.is_prof
        vast = declared | ~has_forecast
        opvang = np.full(len(frame), None, dtype=object)
        if is_prof.any():
            risk, met_opvang, taker = _rechoose_arrays(
                lay.prof[is_prof],
                lay.codes[is_prof],
                sums[is_prof],
                drempel[is_prof],
                earlier[is_prof],
                vast[is_prof],
                xy,
            )
            at_risk[is_prof] = risk
            sums[is_prof] = met_opvang
            opvang[is_prof] = taker
        gone |= {k for k, r in zip(keys, at_risk, strict=True) if r}
        parts.append(
            pd.DataFrame(
                {
                    "vestigingscode": frame["vestigingscode"],
                    "jaar": year,
                    "onderwijstype": frame["onderwijstype"],
                    "profiel": frame["profiel"],
                    "leerlingen": verwacht,
                    "drempel": drempel,
                    "prognose": has_forecast,
                    "bron": np.where(declared, "opgave", np.where(has_forecast, "prognose", "geen-prognose")),
                    "at_risk": at_risk,
                    "verdwijnt": ((at_risk | earlier) & ~declared) | ended,
                    "profiel_leerlingen": np.where(is_prof, sums, np.nan),
                    "opvang": opvang,
                }
            )
        )
    return parts


class _Layout:
    """The offerings judged in a forecast year and everything that depends on them only (not on the year)."""

    def __init__(self, frame: pd.DataFrame, thresholds: OfferThresholds) -> None:
        self.frame = frame
        self.codes, types, self.prof = _key_columns(frame)
        self.keys: list[tuple] = list(zip(self.codes, types, self.prof, strict=True))
        self.has_route = bool((self.prof == TECHNIEK_ROUTE).any())
        self.drempel = thresholds.for_rows(frame["onderwijstype"], frame["profiel"])
        self._groups, self.is_prof = _profiel_groups(frame)

    def profiel_sums(self, pupils: np.ndarray) -> np.ndarray:
        """:func:`_profiel_sums` of this frame, with the groups found once."""
        return _group_sums(self._groups, self.is_prof, pupils)


def _without_profiel(rows: pd.DataFrame, pupils: str) -> pd.Series:
    """Per (vestiging, type): the type's upper-year pupils outside the ten profielen."""
    key = ["vestigingscode", "onderwijstype"]
    p = rows["profiel"].astype(object).where(rows["profiel"].notna(), "")
    whole = rows[p == ""].groupby(key)[pupils].sum()
    named = rows[p.isin(PROFIEL_SLUGS)].groupby(key)[pupils].sum()
    return whole.sub(named, fill_value=0.0).clip(lower=0.0)


def _route_shares(base: pd.DataFrame) -> pd.Series:
    """Per (vestiging, leerweg) with a technical route: its share of the leerweg's pupils without profiel."""
    routes = base[base["profiel"] == TECHNIEK_ROUTE]
    if routes.empty:
        return pd.Series(dtype=float)
    route_base = routes.set_index(["vestigingscode", "onderwijstype"])["leerlingen"].astype(float)
    rest = _without_profiel(base.assign(_n=base["leerlingen"].astype(float)), "_n")
    share = (route_base / rest.reindex(route_base.index)).replace([np.inf, -np.inf], np.nan)
    return share.fillna(0.0).clip(0.0, 1.0)


def _route_forecast(frame: pd.DataFrame, shares: pd.Series, year_upper: pd.DataFrame) -> pd.DataFrame:
    """Forecast pupils of the technical-route rows (the forecast has no stream for them).

    A route's pupils are part of its leerweg's pupils without a profiel; the
    route keeps its base-year share of them (:func:`_route_shares`).
    """
    is_route = frame["_p"].to_numpy(object) == TECHNIEK_ROUTE
    if not is_route.any() or shares.empty:
        return frame
    fc = year_upper.assign(profiel=year_upper["_p"].where(year_upper["_p"] != "", None))
    fc_rest = _without_profiel(fc, "verwacht")
    idx = pd.MultiIndex.from_frame(frame.loc[is_route, ["vestigingscode", "onderwijstype"]])
    share = shares.reindex(idx).fillna(0.0).to_numpy(float)
    out = frame.copy()
    out.loc[is_route, "verwacht"] = share * fc_rest.reindex(idx).fillna(0.0).to_numpy(float)
    return out


def _profiel_sums(frame: pd.DataFrame, pupils: np.ndarray) -> np.ndarray:
    """Per row: the pupils of its profiel at its vestiging summed over the leerwegen (NaN for type rows)."""
    return _group_sums(*_profiel_groups(frame), pupils)


def _profiel_groups(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per row: the number of its (vestiging, profiel) group, and whether it is a profiel row."""
    prof = frame["profiel"].astype(object).where(frame["profiel"].notna(), "")
    key = frame["vestigingscode"].astype(str) + "\0" + prof.astype(str)
    return pd.factorize(key.to_numpy(object))[0], prof.to_numpy(object) != ""


def _group_sums(groups: np.ndarray, is_prof: np.ndarray, pupils: np.ndarray) -> np.ndarray:
    """Per profiel row the sum of ``pupils`` over its group (rows in order, as pandas sums them); NaN elsewhere."""
    total = pd.Series(pupils).groupby(groups).transform("sum").to_numpy(float)
    return np.where(is_prof, total, np.nan)


def rechoose(rows: pd.DataFrame, locations: pd.DataFrame | None) -> pd.DataFrame:
    """Judge profiel offerings across leerwegen, letting the pupils of stopping offerings choose again.

    ``rows``: one row per (vestiging, leerweg, profiel) with ``eigen`` (the
    profiel's pupils at the vestiging, summed over leerwegen), ``drempel``,
    ``weg`` (gone in an earlier year) and ``vast`` (declared or without a
    forecast: never judged). Per profiel: an offering stays when its own
    pupils reach the threshold; the pupils of every other offering go to the
    nearest one that stays (straight line; without ``locations``: none go).
    When none stays, the largest offering still present is judged with the
    pupils of all the others added and stays if that reaches the threshold.
    Receiving pupils only ever helps, so one pass is enough. Returns, in the
    order of ``rows``: ``at_risk`` (fails this year; an offering gone earlier
    is not judged again), ``met_opvang`` (own plus received pupils
    of the offering) and ``opvang`` (for a stopping offering, the vestiging
    that took its pupils).
    """
    return _rechoose(rows, _xy(locations))


def _xy(locations: pd.DataFrame | None) -> pd.DataFrame | None:
    """RD coordinates per vestigingscode (``x_rd, y_rd`` as floats), or ``None`` without locations."""
    if locations is None or not len(locations):
        return None
    return locations.drop_duplicates("vestigingscode").set_index("vestigingscode")[["x_rd", "y_rd"]].astype(float)


def _rechoose(rows: pd.DataFrame, xy: pd.DataFrame | None) -> pd.DataFrame:
    """:func:`rechoose` with the coordinates already indexed (:func:`_xy`)."""
    if rows.empty:
        return pd.DataFrame(
            {"at_risk": np.zeros(0, bool), "met_opvang": rows.get("eigen", pd.Series(dtype=float)), "opvang": None},
            index=rows.index,
        )
    at_risk, met_opvang, opvang = _rechoose_arrays(
        rows["_p"].to_numpy(object),
        rows["vestigingscode"].to_numpy(object),
        rows["eigen"].to_numpy(float),
        rows["drempel"].to_numpy(float),
        rows["weg"].to_numpy(bool),
        rows["vast"].to_numpy(bool),
        xy,
    )
    return pd.DataFrame({"at_risk": at_risk, "met_opvang": met_opvang, "opvang": opvang}, index=rows.index)


def _rechoose_arrays(
    row_prof: np.ndarray,
    row_codes: np.ndarray,
    row_eigen: np.ndarray,
    row_drempel: np.ndarray,
    row_weg: np.ndarray,
    row_vast: np.ndarray,
    xy: pd.DataFrame | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_rechoose` on arrays (one element per row): ``at_risk``, ``met_opvang`` and ``opvang`` per row.

    The rows are grouped per (profiel, vestiging) in the order they first occur, with numpy (this runs
    once per forecast year of every offer, scenario and diagnosis): ``eigen`` is the group's first known
    value, ``drempel`` its highest, ``weg`` and ``vast`` true when any row's is.
    """
    index: dict[tuple, int] = {}
    group = np.fromiter(
        (index.setdefault(k, len(index)) for k in zip(row_prof, row_codes, strict=True)),
        dtype=np.int64,
        count=len(row_prof),
    )
    n_groups = len(index)
    first = np.unique(group, return_index=True)[1]  # the first row of each group, groups in order of appearance
    prof, codes = row_prof[first], row_codes[first]
    known = ~np.isnan(row_eigen)
    eigen = np.full(n_groups, np.nan)
    seen, at = np.unique(group[known], return_index=True)
    eigen[seen] = row_eigen[known][at]
    drempel = np.full(n_groups, np.nan)
    np.fmax.at(drempel, group, row_drempel)
    weg = np.bincount(group, weights=row_weg, minlength=n_groups) > 0
    vast = np.bincount(group, weights=row_vast, minlength=n_groups) > 0
    stays = vast | (~weg & (eigen >= drempel))
    received = np.zeros(n_groups)
    taker = np.full(n_groups, None, dtype=object)
    if xy is not None:
        pts = xy.reindex([str(c) for c in codes])[["x_rd", "y_rd"]].to_numpy(float)  # once, not per profiel
        for p in pd.unique(prof[~stays]):
            _pool(np.flatnonzero(prof == p), codes, eigen, drempel, weg, stays, received, taker, pts)
    fails = ~stays & ~vast & ~weg  # gone earlier: ``verdwijnt`` already, not judged again
    return fails[group], (eigen + received)[group], taker[group]


def _pool(
    idx: np.ndarray,
    codes: np.ndarray,
    eigen: np.ndarray,
    drempel: np.ndarray,
    weg: np.ndarray,
    stays: np.ndarray,
    received: np.ndarray,
    taker: np.ndarray,
    xy: np.ndarray,
) -> None:
    """One profiel's re-choice (in place): pupils of offerings that stop go to the nearest that stays.

    Before that, an offering below its threshold stays when it reaches the threshold with the pupils of
    the stopping offerings for which it would be the nearest that stays (the largest first, repeated
    until none is added): a region keeps a profiel that its weak offerings can carry together, rather
    than sending them all to a farther offering that stays. When still none stays, the largest offering
    present is judged with all pupils pooled.
    """
    n = len(idx)
    pts = xy[idx]  # RD coordinates per row of ``codes`` (NaN: unknown)
    dist = np.hypot(pts[:, None, 0] - pts[None, :, 0], pts[:, None, 1] - pts[None, :, 1])
    dist = np.where(np.isfinite(dist), dist, np.inf)
    own, thr, alive = eigen[idx], drempel[idx], ~weg[idx]
    s = stays[idx].copy()
    on_own = s.copy()  # declared, or at the threshold with its own pupils

    def nearest(mask: np.ndarray) -> np.ndarray:
        """Per offering the nearest offering in ``mask`` (the first one where distances are unknown; -1: none)."""
        if not mask.any():
            return np.full(n, -1)
        d = np.where(mask[None, :], dist, np.inf)
        j = d.argmin(axis=1)
        return np.where(np.isfinite(d[np.arange(n), j]), j, int(np.flatnonzero(mask)[0]))

    grown = True
    while grown:
        grown = False
        for b in np.argsort(-own, kind="stable"):
            if s[b] or not alive[b]:
                continue
            mask = s.copy()
            mask[b] = True
            near = nearest(mask)
            gives = ~mask & (near >= 0)
            got = own[mask] + np.bincount(near[gives], own[gives], minlength=n)[mask]
            # b stays only if it and every keeper that needed received pupils still reach the threshold
            if (on_own[mask] | (got >= thr[mask] - 1e-9)).all():
                s[b] = grown = True
                break
    if not s.any() and alive.any():
        best = int(np.flatnonzero(alive)[np.argmax(own[alive])])
        s[best] = own.sum() >= thr[best]
    stays[idx] = s
    near = nearest(s)
    for i in np.flatnonzero(~s):
        if near[i] >= 0:
            received[idx[near[i]]] += own[i]
            taker[idx[i]] = codes[idx[near[i]]]


def _declared_mask(valid: pd.DataFrame, keys: list[tuple]) -> np.ndarray:
    """Per offering key (vestiging, type, profiel or ""): whether it is among the declared offerings ``valid``."""
    if valid.empty:
        return np.zeros(len(keys), dtype=bool)
    declared = set(zip(valid["vestigingscode"], valid["onderwijstype"], valid["profiel"].fillna(""), strict=True))
    return np.array([k in declared for k in keys], dtype=bool)


def _ended_mask(opgave: pd.DataFrame | None, year: int, keys: list[tuple]) -> np.ndarray:
    """Per offering key: whether it is a declared offering that ended before ``year``."""
    ended = _ended(opgave, year)
    if not ended:
        return np.zeros(len(keys), dtype=bool)
    return np.array([(v, t, p or None) in ended for v, t, p in keys], dtype=bool)


def _key_columns(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``vestigingscode``, ``onderwijstype`` and ``_p`` as object arrays (quick to iterate, same values)."""
    return tuple(frame[c].to_numpy(dtype=object) for c in ("vestigingscode", "onderwijstype", "_p"))


def offer_in_year(offer: pd.DataFrame, jaar: int) -> pd.DataFrame:
    """The offerings present in ``jaar`` in the no-action view (``verdwijnt`` false)."""
    rows = offer[(offer["jaar"] == jaar) & ~offer["verdwijnt"].astype(bool)]
    return rows[["vestigingscode", "onderwijstype", "profiel"]].reset_index(drop=True)
