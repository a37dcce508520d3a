"""One call per scenario: validate, move pupils, and measure what changes against "zonder ingrijpen"."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import NoReturn

import numpy as np
import pandas as pd

from dekkend.coverage.offer import offer_by_year, offer_table
from dekkend.coverage.run import reachability
from dekkend.diagnose import Diagnosis, diagnose
from dekkend.diagnose.context import locations_of, offer_thresholds
from dekkend.errors import InvoerFout
from dekkend.forecast.choice import LEVELS
from dekkend.formatting import school_year
from dekkend.geo import distance_matrix
from dekkend.norms import Settings
from dekkend.norms.funding import load_funding
from dekkend.regions import Region, select_region
from dekkend.scenarios.baseline import Baseline
from dekkend.scenarios.baseline import baseline as make_baseline
from dekkend.scenarios.engine import NO_OFFER, apply_scenario
from dekkend.scenarios.format import (
    ConcentreerBovenbouw,
    DeelProfiel,
    Drempels,
    Fuseer,
    Nevenvestiging,
    Scenario,
    SluitVestiging,
    StopAanbod,
    VerplaatsAanbod,
)
from dekkend.scenarios.offer import base_offer, offer_in_year

_TYPE_LEVEL = {
    "pro": "pro",
    "vmbo-b": "vmbo-bk",
    "vmbo-k": "vmbo-bk",
    "vmbo-g": "vmbo-gt",
    "vmbo-t": "vmbo-gt",
    "havo": "havo",
    "vwo": "vwo",
}


@dataclass(frozen=True, eq=False)
class ScenarioResult:
    """What a scenario does, next to the same region "zonder ingrijpen"."""

    scenario: Scenario
    region: Region
    origin: int
    forecast: pd.DataFrame
    baseline: pd.DataFrame
    per_vestiging: pd.DataFrame
    moves: pd.DataFrame
    shared: pd.DataFrame
    diagnosis: Diagnosis
    baseline_diagnosis: Diagnosis
    indicators: pd.DataFrame
    boards: pd.DataFrame
    funding: pd.DataFrame
    summary: dict
    #: Per vestiging in the last year: pupils lost and received through the moves (:func:`gains_and_losses`).
    flows: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: Dutch warnings about the measures (a destination outside the region, ...).
    warnings: tuple[str, ...] = ()


def check_horizon(scenario: Scenario, last: int) -> None:
    """A measure that starts after the last forecast year cannot change anything: a Dutch error."""
    from dekkend.scenarios.format import KIND_OF

    for i, m in enumerate(scenario.maatregelen, start=1):
        if m.vanaf > last:
            _fail(
                i,
                KIND_OF[type(m)],
                "vanaf",
                f"{m.vanaf} ligt na het laatste prognosejaar {last}",
                f"een schooljaar tot en met {last} (of een langere --horizon)",
                scenario.bron,
            )


def _codes_of(m: object) -> tuple[list[str], list[str]]:
    """The vestigingen a measure takes pupils from (sources) and the ones it sends them to (destinations)."""
    if isinstance(m, Fuseer):
        return [c for c in m.vestigingen if c != m.naar], [m.naar]
    if isinstance(m, ConcentreerBovenbouw):
        return list(m.van), [m.naar]
    if isinstance(m, VerplaatsAanbod | DeelProfiel):
        return [m.van], [m.naar]
    code = getattr(m, "vestiging", None)
    return ([code] if isinstance(code, str) else []), []


_SOURCE_FIELD = {
    "fuseer": "vestigingen",
    "concentreer-bovenbouw": "van",
    "verplaats-aanbod": "van",
    "deel-profiel": "van",
}


def check_region(scenario: Scenario, region: Region) -> list[str]:
    """Measures on vestigingen outside the region (``docs/scenarios.md``).

    The forecast covers the region's vestigingen only, so a measure whose every source
    lies outside cannot move any pupil: a Dutch error naming the measure. A destination
    outside the region (the sources inside) does mean something: the pupils leave the
    region; that is a warning (Dutch text, returned).
    """
    from dekkend.scenarios.format import KIND_OF

    inside = set(region.vestigingen)
    warnings = []
    for i, m in enumerate(scenario.maatregelen, start=1):
        kind = KIND_OF[type(m)]
        sources, targets = _codes_of(m)
        if sources and not set(sources) & inside:
            _fail(
                i,
                kind,
                _SOURCE_FIELD.get(kind, "vestiging"),
                f"{', '.join(sources)} ligt buiten de regio {region.label}; dekkend rekent alleen de leerlingen "
                "van vestigingen in de regio door, dus de maatregel zou niets veranderen",
                "een vestiging in de regio (of een --regio die de vestiging omvat)",
                scenario.bron,
            )
        outside = [c for c in targets if c not in inside]
        if outside:
            warnings.append(
                f"maatregel {i} ({kind}): {', '.join(outside)} ligt buiten de regio {region.label}; "
                "de leerlingen die daarheen gaan, tellen als 'naar buiten de regio'"
            )
    return warnings


def _fail(number: int, kind: str, field: str, problem: str, expected: str, path: str | None) -> NoReturn:
    raise InvoerFout(f"maatregel {number} ({kind}), veld '{field}': {problem}", file=path, expected=expected)


def validate(scenario: Scenario, tables: dict[str, pd.DataFrame], region: Region, origin: int) -> None:
    """Check every measure against the workspace: known vestigingen, offered types, the uitbesteding rule."""
    from dekkend.scenarios.format import KIND_OF

    known = set(tables["vestigingen"]["vestigingscode"])
    new = {m.code for m in scenario.maatregelen if isinstance(m, Nevenvestiging)}
    offer = base_offer(tables["aanbod"], origin)
    for i, m in enumerate(scenario.maatregelen, start=1):
        kind = KIND_OF[type(m)]
        codes = {
            name: getattr(m, name) for name in ("vestiging", "van", "naar") if isinstance(getattr(m, name, None), str)
        }
        for name, code in codes.items():
            if code not in known | new:
                _fail(
                    i,
                    kind,
                    name,
                    f"vestiging {code} komt niet voor in de werkmap",
                    "een vestigingscode uit de werkmap",
                    scenario.bron,
                )
        if isinstance(m, Fuseer):
            for code in m.vestigingen:
                if code not in known:
                    _fail(
                        i,
                        kind,
                        "vestigingen",
                        f"vestiging {code} komt niet voor in de werkmap",
                        "bestaande vestigingen",
                        scenario.bron,
                    )
        if isinstance(m, Nevenvestiging) and m.code in known:
            _fail(i, kind, "code", f"vestiging {m.code} bestaat al", "een nieuwe, nog ongebruikte code", scenario.bron)
        if isinstance(m, StopAanbod | VerplaatsAanbod):
            _check_offered(i, kind, m, offer, origin, scenario.bron)
        if isinstance(m, DeelProfiel):
            _check_shared_profiel(i, kind, m, offer, scenario)
        if isinstance(m, ConcentreerBovenbouw) and m.naar not in known | new:
            _fail(i, kind, "naar", f"vestiging {m.naar} komt niet voor", "een vestigingscode", scenario.bron)
        if m.vanaf <= origin:
            _fail(
                i,
                kind,
                "vanaf",
                f"{m.vanaf} ligt niet na het laatste teljaar {origin}",
                f"een schooljaar vanaf {origin + 1}",
                scenario.bron,
            )


def _check_offered(
    i: int, kind: str, m: StopAanbod | VerplaatsAanbod, offer: set[tuple[str, str]], origin: int, bron: str | None
) -> None:
    """The vestiging a measure stops or moves offer at teaches that type or profiel in the count year."""
    src = m.vestiging if isinstance(m, StopAanbod) else m.van
    want = m.onderwijstype if not m.profiel else f"{m.onderwijstype}/{m.profiel}"
    if not any(v == src and (k == want or (not m.profiel and k.startswith(m.onderwijstype + "/"))) for v, k in offer):
        _fail(
            i,
            kind,
            "onderwijstype",
            f"{src} biedt {want} niet aan in {school_year(origin)}",
            "een type of profiel dat de vestiging aanbiedt",
            bron,
        )


def _check_shared_profiel(i: int, kind: str, m: DeelProfiel, offer: set[tuple[str, str]], scenario: Scenario) -> None:
    """A shared profiel is taught by 'van', and 'van' keeps at least one profiel of the type itself."""
    own = {k for v, k in offer if v == m.van and k.startswith(m.onderwijstype + "/")}
    shared = {
        f"{x.onderwijstype}/{x.profiel}" for x in scenario.maatregelen if isinstance(x, DeelProfiel) and x.van == m.van
    }
    if f"{m.onderwijstype}/{m.profiel}" not in own:
        _fail(
            i,
            kind,
            "profiel",
            f"{m.van} biedt {m.profiel} ({m.onderwijstype}) niet aan",
            "een profiel van 'van'",
            scenario.bron,
        )
    if not own - shared:
        _fail(
            i,
            kind,
            "profiel",
            f"{m.van} zou geen enkel profiel van {m.onderwijstype} meer zelf geven",
            "bij uitbesteding blijft de school minstens één profiel in de bovenbouw zelf aanbieden",
            scenario.bron,
        )


def _with_new_locations(
    tables: dict[str, pd.DataFrame], scenario: Scenario, region: Region
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """Tables with the scenario's new locations and the offerings it declares (as ``aanbod_opgave``)."""
    t = dict(tables)
    ves = t["vestigingen"]
    rows, opgave, market = [], [], []
    for m in scenario.maatregelen:
        if isinstance(m, Nevenvestiging):
            host = ves[ves["vestigingscode"].isin(region.vestigingen)].copy()
            d = np.hypot(host["x_rd"] - m.x_rd, host["y_rd"] - m.y_rd)
            base = host.iloc[int(np.argmin(d.to_numpy()))] if len(host) else ves.iloc[0]
            row = base.to_dict()
            from dekkend.crs import rd_to_wgs84

            lon, lat = rd_to_wgs84(np.array([m.x_rd]), np.array([m.y_rd]))
            row.update(
                {
                    "vestigingscode": m.code,
                    "brin": m.code[:4],
                    "naam": m.naam,
                    "bestuur": m.bestuur,
                    "denominatie": m.denominatie,
                    "x_rd": m.x_rd,
                    "y_rd": m.y_rd,
                    "lon": float(lon[0]),
                    "lat": float(lat[0]),
                    "locatie_methode": "scenario",
                    "pc6": None,
                    "laatste_schooljaar": pd.NA,
                    "in_adressenbestand": False,
                }
            )
            rows.append(row)
            levels = {lv: False for lv in LEVELS}
            types = [tp for tp, _ in m.aanbod]
            for tp in types:
                if tp in _TYPE_LEVEL:
                    levels[_TYPE_LEVEL[tp]] = True
            if "onderbouw" in types and not any(tp in _TYPE_LEVEL for tp in types):
                levels.update({lv: True for lv in LEVELS if lv != "pro"})
            market.append(
                {"vestigingscode": m.code, "x_rd": m.x_rd, "y_rd": m.y_rd, "denominatie": m.denominatie, **levels}
            )
        for code, typ, prof, start in _declared(m):
            opgave.append(
                {
                    "vestigingscode": code,
                    "onderwijstype": typ,
                    "profiel": prof,
                    "vanaf_jaar": start,
                    "tot_jaar": pd.NA,
                    "bron_id": "scenario",
                    "peildatum": pd.NaT,
                }
            )
    if rows:
        t["vestigingen"] = pd.concat([ves, pd.DataFrame(rows)], ignore_index=True)
    if opgave:
        old = t.get("aanbod_opgave")
        t["aanbod_opgave"] = (
            pd.concat([old, pd.DataFrame(opgave)], ignore_index=True) if old is not None else pd.DataFrame(opgave)
        )
        t["aanbod_opgave"]["vanaf_jaar"] = t["aanbod_opgave"]["vanaf_jaar"].astype("Int64")
        t["aanbod_opgave"]["tot_jaar"] = t["aanbod_opgave"]["tot_jaar"].astype("Int64")
    return t, pd.DataFrame(market)


def _declared(m: object) -> list[tuple[str, str, str | None, int]]:
    if isinstance(m, Nevenvestiging):
        return [(m.code, t, p, m.vanaf) for t, p in m.aanbod]
    if isinstance(m, VerplaatsAanbod):
        return [(m.naar, m.onderwijstype, m.profiel, m.vanaf)]
    if isinstance(m, ConcentreerBovenbouw):
        return [(m.naar, m.onderwijstype, None, m.vanaf)]
    return []


def _settings(scenario: Scenario, base: Settings) -> Settings:
    values = {k: v for m in scenario.maatregelen if isinstance(m, Drempels) for k, v in m.waarden}
    if not values:
        return base
    unit = {
        "vmbo-profiel": "leerjaar-bovenbouw",
        "vmbo-leerweg": "leerjaar-bovenbouw",
        "havo-vwo": "bovenbouw",
        "pro": "school",
    }
    thresholds = []
    for t in base.thresholds:
        v = values.get(t["onderwijstype"])
        thresholds.append({**t, "waarde": v, "bron": f"scenario: drempel {v:g}"} if v is not None else t)
    for key, v in values.items():
        if not any(t["onderwijstype"] == key for t in base.thresholds):
            thresholds.append(
                {"onderwijstype": key, "eenheid": unit[key], "waarde": v, "bron": f"scenario: drempel {v:g}"}
            )
    return replace(base, thresholds=tuple(thresholds))


def _per_vestiging(forecast: pd.DataFrame, baseline: pd.DataFrame) -> pd.DataFrame:
    a = baseline.groupby(["vestigingscode", "jaar", "onderwijstype"])["verwacht"].sum().rename("zonder_ingrijpen")
    b = forecast.groupby(["vestigingscode", "jaar", "onderwijstype"])["verwacht"].sum().rename("met_scenario")
    out = pd.concat([a, b], axis=1).fillna(0.0).reset_index()
    out["verschil"] = out["met_scenario"] - out["zonder_ingrijpen"]
    return out


def _boards(
    result_vestigingen: pd.DataFrame, per: pd.DataFrame, diag: Diagnosis, base: Diagnosis, last: int
) -> pd.DataFrame:
    ves = result_vestigingen.drop_duplicates("vestigingscode").set_index("vestigingscode")["bestuur"]
    ves = ves.where(ves.notna() & (ves.astype(str) != ""), "onbekend").astype(str)
    p = per[per["jaar"] == last].assign(bestuur=lambda d: d["vestigingscode"].map(ves).fillna("buiten de regio"))
    g = p.groupby("bestuur")[["zonder_ingrijpen", "met_scenario", "verschil"]].sum().round(0)
    count = lambda d: pd.Series([str(b) if b else "onbekend" for k in d.knelpunten for b in k.besturen]).value_counts()  # noqa: E731
    g["knelpunten_zonder"] = count(base).reindex(g.index).fillna(0).astype(int)
    g["knelpunten_met"] = count(diag).reindex(g.index).fillna(0).astype(int)
    return g.reset_index()


def _funding(diag: Diagnosis, base: Diagnosis, supplement: float) -> pd.DataFrame:
    rows = []
    for label, d in (("zonder ingrijpen", base), ("met scenario", diag)):
        for k in d.of_type("isolatie-afhankelijk"):
            rows.append(
                {
                    "variant": label,
                    "vestigingscode": k.bewijs["vestigingscode"],
                    "bekostigingseffect_euro": k.bewijs["bekostigingseffect_euro"],
                    "toelichting": k.titel,
                }
            )
    return pd.DataFrame(rows, columns=["variant", "vestigingscode", "bekostigingseffect_euro", "toelichting"])


def closed_vestigingen(scenario: Scenario) -> dict[str, int]:
    """Vestigingen the scenario closes, or merges into another, with the first school year without them."""
    out: dict[str, int] = {}
    for m in scenario.maatregelen:
        codes = (
            [m.vestiging]
            if isinstance(m, SluitVestiging)
            else [c for c in m.vestigingen if c != m.naar]
            if isinstance(m, Fuseer)
            else []
        )
        for code in codes:
            out[code] = min(out.get(code, m.vanaf), m.vanaf)
    return out


def run_scenario(
    tables: dict[str, pd.DataFrame],
    scenario: Scenario,
    regio: str | None = None,
    *,
    horizon: int = 10,
    as_of: int | None = None,
    baseline: Baseline | None = None,
) -> ScenarioResult:
    """Run ``scenario`` on region ``regio`` and compare it with the forecast "zonder ingrijpen".

    ``baseline`` (:func:`dekkend.scenarios.baseline`) is the region "zonder ingrijpen", computed
    once and shared by several scenarios of the same region and tables; without it one is
    computed for this call (from ``horizon`` and ``as_of``, which a given baseline already fixed).
    """
    if baseline is None:
        baseline = make_baseline(tables, regio, horizon=horizon, as_of=as_of)
    else:
        baseline.check(tables, regio)
    region = baseline.region
    forecast0, origin = baseline.forecast, baseline.origin
    validate(scenario, tables, region, origin)
    check_horizon(scenario, int(forecast0["jaar"].max()))
    t, new_schools = _with_new_locations(tables, scenario, region)
    region2 = select_region(t, regio) if len(new_schools) else region
    warnings = check_region(scenario, region2)
    market = baseline.market(
        None if region.expression == "nl" else tuple(region2.vestigingen), new_schools if len(new_schools) else None
    )
    base_settings = baseline.settings
    settings = _settings(scenario, base_settings)
    moved = apply_scenario(
        forecast0, scenario, market, tables["aanbod"], origin, region2, base_settings.values["normafstand_km"]
    )
    fc = moved.forecast[moved.forecast["vestigingscode"].isin(region2.vestigingen)]
    # a new location changes ``vestigingen`` and so the distances; the children stay the same
    matrix = baseline.matrix if t["vestigingen"] is tables["vestigingen"] else distance_matrix(t)
    children = baseline.children
    thr = offer_thresholds(settings)
    # the no-action offer after the scenario, for the diagnosis and the indicators alike (as diagnose derives it)
    offer = offer_by_year(offer_table(t), fc, thr, opgave=t.get("aanbod_opgave"), locations=locations_of(t))
    diag = diagnose(
        t,
        regio,
        forecast=fc,
        matrix=matrix,
        settings=settings,
        offer=offer,
        children=children,
        closed=closed_vestigingen(scenario),
    )
    base_diag = baseline.diagnosis
    years = sorted(fc["jaar"].unique())
    ind_s = reachability(
        t,
        years[0],
        region=region2,
        forecast=fc,
        thresholds=thr,
        indicators=True,
        matrix=matrix,
        offer=offer,
        children=children,
    ).indicators
    assert ind_s is not None  # asked for with indicators=True
    ind_b = baseline.indicators
    indicators = pd.concat(
        [ind_b.assign(variant="zonder ingrijpen"), ind_s.assign(variant="met scenario")], ignore_index=True
    )
    per = _per_vestiging(fc, forecast0)
    last = int(years[-1])
    total0 = float(forecast0[forecast0["jaar"] == last]["verwacht"].sum())
    total1 = float(fc[fc["jaar"] == last]["verwacht"].sum())
    moves = moved.moves
    at_last = moves[moves["jaar"] == last]
    nowhere = float(at_last.loc[at_last["naar"] == NO_OFFER, "leerlingen"].sum())
    out_of_region = float(
        at_last.loc[~at_last["naar"].isin(region2.vestigingen) & (at_last["naar"] != NO_OFFER), "leerlingen"].sum()
    )
    pupil_km = float((moves["leerlingen"] * moves["extra_km_per_leerling"]).groupby(moves["jaar"]).sum().get(last, 0.0))
    summary = {
        "scenario": scenario.naam,
        "regio": diag.regio,
        "peiljaar": origin,
        "eindjaar": last,
        "leerlingen_zonder_ingrijpen": round(total0, 1),
        "leerlingen_met_scenario": round(total1, 1),
        "naar_buiten_de_regio": round(out_of_region, 1),
        "zonder_aanbod": round(nowhere, 1),
        "extra_leerlingkilometers_per_dag_enkele_reis": round(pupil_km, 1),
        "knelpunten_zonder": len(base_diag.knelpunten),
        "knelpunten_met": len(diag.knelpunten),
        "knelpunten_hoog_zonder": sum(k.ernst == "hoog" for k in base_diag.knelpunten),
        "knelpunten_hoog_met": sum(k.ernst == "hoog" for k in diag.knelpunten),
        "kinderen_buiten_norm_zonder": _beyond(ind_b, last),
        "kinderen_buiten_norm_met": _beyond(ind_s, last),
    }
    funding = _funding(diag, base_diag, load_funding().isolation_supplement())
    with_s = float(funding.loc[funding["variant"] == "met scenario", "bekostigingseffect_euro"].sum())
    without = float(funding.loc[funding["variant"] == "zonder ingrijpen", "bekostigingseffect_euro"].sum())
    summary["isolatietoeslag_zonder_euro"] = round(without, 2)
    summary["isolatietoeslag_met_euro"] = round(with_s, 2)
    summary["bekostigingseffect_euro"] = round(with_s - without, 2)
    flows = gains_and_losses(moves, last, t["vestigingen"], region2)
    summary["naar_buiten_de_regio_plaatsen"] = outside_places(flows)
    summary["waarschuwingen"] = list(warnings)
    summary["toelichting_leerlingkilometers"] = pupil_km_note(moves, last)
    boards = _boards(t["vestigingen"], per, diag, base_diag, last)
    return ScenarioResult(
        scenario,
        region2,
        origin,
        fc,
        forecast0,
        per,
        moves,
        moved.shared,
        diag,
        base_diag,
        indicators,
        boards,
        funding,
        summary,
        flows,
        tuple(warnings),
    )


def gains_and_losses(moves: pd.DataFrame, year: int, vestigingen: pd.DataFrame, region: Region) -> pd.DataFrame:
    """Per vestiging the pupils the moves of ``year`` take away (``verlies``) and bring (``winst``).

    Receivers stand beside losers: ``netto`` is ``winst - verlies``; ``in_regio`` tells
    whether the vestiging lies in the region; ``plaats`` and ``gemeente`` say where it is
    (for "naar buiten de regio"). Sorted by ``netto``, largest gain first.
    """
    cols = ["vestigingscode", "naam", "plaats", "gemeente", "in_regio", "verlies", "winst", "netto"]
    m = moves[(moves["jaar"] == year) & (moves["naar"] != NO_OFFER)]
    if m.empty:
        return pd.DataFrame(columns=cols)
    lost = m.groupby("van")["leerlingen"].sum()
    got = m.groupby("naar")["leerlingen"].sum()
    out = pd.concat([lost.rename("verlies"), got.rename("winst")], axis=1).fillna(0.0)
    out["netto"] = out["winst"] - out["verlies"]
    ves = vestigingen.drop_duplicates("vestigingscode").set_index("vestigingscode")

    def col(name: str) -> pd.Series:
        return ves[name].reindex(out.index) if name in ves else pd.Series(None, index=out.index, dtype=object)

    place = col("plaatsnaam").map(
        lambda p: p.title() if isinstance(p, str) and p.isupper() else p
    )  # DUO writes capitals
    out = out.assign(
        naam=col("naam"), plaats=place, gemeente=col("gemeentenaam"), in_regio=out.index.isin(region.vestigingen)
    )
    out = out.rename_axis("vestigingscode").reset_index()
    return out.sort_values(["netto", "vestigingscode"], ascending=[False, True], kind="stable")[cols].reset_index(
        drop=True
    )


_WHY_CLOSER = {
    "nieuwe locatie": "een nieuwe locatie ligt voor hen dichter bij huis",
    "afstandsonderwijs": "wie afstandsonderwijs ontloopt, kiest een school dichter bij huis",
    "aanbod stopt": "de school waar ze heen gaan ligt voor hen dichter bij huis",
    "maatregel": "de bestemming van de maatregel ligt voor hen dichter bij huis",
    "volgt de afdeling": "de nieuwe plek van de afdeling ligt voor hen dichter bij huis",
    "elders duidelijk beter": "ze kiezen een school die voor hen dichter bij huis ligt",
}


def pupil_km_note(moves: pd.DataFrame, year: int) -> str:
    """Why the extra pupil-km of ``year`` are negative (Dutch), or ``""`` when they are not.

    Fewer km only happen when pupils end up closer to home than before: the reasons of the
    moves with negative km are named, largest saving first.
    """
    m = moves[moves["jaar"] == year]
    km = m["leerlingen"] * m["extra_km_per_leerling"]
    if float(km.sum()) >= 0:
        return ""
    saving = km[km < 0].groupby(m.loc[km < 0, "reden"]).sum().sort_values()
    why = "; ".join(f"{_WHY_CLOSER.get(str(r), str(r))} ({n:,.0f} km)".replace(",", ".") for r, n in saving.items())
    return f"Minder leerlingkilometers dan zonder ingrijpen: {why}."


def outside_places(flows: pd.DataFrame) -> list[dict]:
    """The receivers outside the region (place, municipality, vestiging, pupils), largest first."""
    f = flows[~flows["in_regio"].astype(bool) & (flows["winst"] > 0)].sort_values(
        "winst", ascending=False, kind="stable"
    )
    return [
        {
            "vestigingscode": r.vestigingscode,
            "naam": None if pd.isna(r.naam) else str(r.naam),
            "plaats": None if pd.isna(r.plaats) else str(r.plaats),
            "gemeente": None if pd.isna(r.gemeente) else str(r.gemeente),
            "leerlingen": round(float(r.winst), 1),
        }
        for r in f.itertuples()
    ]


def _beyond(indicators: pd.DataFrame | None, year: int) -> float:
    if indicators is None or indicators.empty:
        return 0.0
    i = indicators[(indicators["jaar"] == year) & (indicators["onderwijstype"] == "vo")]
    return round(float(i["kinderen_buiten_norm"].sum()), 1)


def offer_after(
    tables: dict[str, pd.DataFrame], scenario: Scenario, origin: int, year: int, region: Region
) -> set[tuple[str, str]]:
    """The scenario's offer in ``year`` (for checks and the optimiser's round trip)."""
    return offer_in_year(base_offer(tables["aanbod"], origin), scenario, year, tuple(region.vestigingen))


__all__ = [
    "ScenarioResult",
    "check_horizon",
    "check_region",
    "gains_and_losses",
    "offer_after",
    "outside_places",
    "run_scenario",
    "validate",
]
