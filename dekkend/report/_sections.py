"""The report's sections as plain data for the template: Dutch sentences, tables and figure references."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dekkend.diagnose import KNELPUNT_TYPES, KNELPUNTTYPEN, SEVERITIES, TYPES, Knelpunt
from dekkend.geo import CYCLING_SPEED_KMH, DETOUR_FACTOR
from dekkend.knowledge import SOORTEN
from dekkend.norms import norm_by_id
from dekkend.report import _charts as charts
from dekkend.report._chances import RADIUS_KM, Kans, chances
from dekkend.report._collect import ReportData
from dekkend.report._format import (
    capital,
    count,
    count_date,
    kind_nl,
    km,
    long_date,
    number,
    percent,
    school_year,
)
from dekkend.report._maps import in_view, legend_items, map_figure

#: The sections, in order: (anchor, title).
SECTIONS = (
    ("samenvatting", "Samenvatting"),
    ("prognose", "Leerlingenprognose"),
    ("bereikbaarheid", "Aanbod en bereikbaarheid"),
    ("levensvatbaarheid", "Levensvatbaarheid"),
    ("profielen", "Per profiel"),
    ("knelpunten", "Knelpunten en kansen"),
    ("besturen", "Wat betekent dit per bestuur"),
    ("voorbeelden", "Passende voorbeelden en ondersteuning"),
    ("methoden", "Methoden en bronnen"),
)
#: The scenario comparison: only in a report with scenarios, after the boards.
SCENARIO_SECTION = ("scenarios", "Scenario's vergeleken")
STATUS_NL = {"voldoet": "voldoet", "onder-norm": "onder de norm", "dreigt-onder-norm": "dreigt eronder te zakken"}
#: The forecast's ``methode`` per vestiging in words.
METHOD_NL = {
    "cohort": "doorstroom uit opeenvolgende tellingen",
    "geen-historie": "verhoudingen uit één telling (geen reeks van tellingen)",
    "nieuw": "nieuwe vestiging (groeit in volgende leerjaren)",
    "gesloten": "gesloten vestiging",
    "code-gewijzigd": "gewijzigde code (erft de historie)",
    "cohort-zonder-kinderen": "geen kinderen bekend: instroom gelijk",
}
TYPE_EXPLANATION = {t.slug: t.uitleg for t in KNELPUNT_TYPES}


@dataclass
class Figures:
    """The figures of the report with their numbers: charts (Figuur n) and maps (Kaart n)."""

    items: dict[str, dict] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    charts: int = 0
    maps: int = 0

    def chart(self, name: str, figure: dict) -> dict:
        """Register a chart; returns ``{id, nummer}`` for the template."""
        self.charts += 1
        fid = f"figuur-{name}"
        self.items[fid] = figure
        self.kinds[fid] = "grafiek"
        return {"id": fid, "nummer": f"Figuur {self.charts}", "hoogte": figure["layout"]["height"]}

    def map(self, name: str, figure: dict, label: str) -> dict:
        """Register a map; returns ``{id, nummer}``."""
        fid = f"kaart-{name}"
        self.items[fid] = figure
        self.kinds[fid] = "kaart"
        return {
            "id": fid,
            "nummer": f"Kaart {label}",
            "hoogte": figure["layout"]["height"],
            "breedte": figure["layout"]["width"],
        }


def report_sections(with_scenarios: bool = False) -> tuple[tuple[str, str], ...]:
    """The sections of one report: :data:`SECTIONS`, with :data:`SCENARIO_SECTION` after the boards when asked."""
    if not with_scenarios:
        return SECTIONS
    at = [anchor for anchor, _ in SECTIONS].index("besturen") + 1
    return (*SECTIONS[:at], SCENARIO_SECTION, *SECTIONS[at:])


def chapter_numbers(sections: tuple[tuple[str, str], ...]) -> dict[str, int]:
    """``anchor -> chapter number`` for cross references in the text."""
    return {anchor: i for i, (anchor, _) in enumerate(sections, start=1)}


# -- helpers ----------------------------------------------------------------------------------
def board_labels(data: ReportData) -> dict[str, str]:
    """``bestuur`` -> ``Bestuur 42571`` (boards have numbers only in the open data)."""
    return {
        b: (f"Bestuur {b}" if b != "onbekend" else "Bestuur onbekend") for b in data.vestigingen["bestuur"].unique()
    }


def _vest_name(data: ReportData, code: str) -> str:
    v = data.vestigingen.set_index("vestigingscode")
    if code not in v.index:
        return code
    r = v.loc[code]
    return f"{r['korte_naam']} ({r['plaats']})" if r["plaats"] else str(r["korte_naam"])


def _short(text: str, n: int = 260) -> str:
    """At most ``n`` characters, cut at a sentence or clause boundary."""
    text = " ".join(str(text).split())
    if len(text) <= n:
        return text
    cut = text[:n]
    for mark in (". ", "; ", ", "):
        i = cut.rfind(mark)
        if i > n // 2:
            return cut[: i + 1].rstrip(",;") + " \u2026"
    return cut.rstrip() + " \u2026"


def name_shortener(data: ReportData):  # noqa: ANN201 - a small closure
    """A function that writes the short school names in a text (DUO names list every school type)."""
    v = data.vestigingen[data.vestigingen["in_regio"] | data.vestigingen["geteld"]]
    pairs = sorted(
        {(str(a), str(b)) for a, b in zip(v["naam"], v["korte_naam"], strict=True) if isinstance(a, str) and a != b},
        key=lambda p: -len(p[0]),
    )

    def shorten(text: str) -> str:
        for full, short in pairs:
            if full in text:
                text = text.replace(full, short)
        return text

    return shorten


def _sentences(text: str) -> list[str]:
    return [t.strip() for t in re.split(r"(?<=[.!?])\s+(?=[A-Z\u00c0-\u017f(])", text) if t.strip()]


def common_sentences(texts: list[str]) -> list[str]:
    """Sentences that every one of the texts (at least three) repeats word for word, in their order."""
    if len(texts) < 3:
        return []
    counts = Counter(s for t in texts for s in set(_sentences(t)))
    return [s for s in _sentences(texts[0]) if counts[s] == len(texts)]


def _without(text: str, drop: list[str]) -> str:
    return " ".join(s for s in _sentences(text) if s not in drop)


def _knelpunt(
    k: Knelpunt,
    boards: dict[str, str],
    sources: list[str] | None = None,
    shorten=None,  # noqa: ANN001
    drop: list[str] | None = None,
) -> dict:
    shorten = shorten or (lambda t: t)
    refs = []
    if sources is not None:
        for b in k.bronnen:
            if b not in sources:
                sources.append(b)
            refs.append(sources.index(b) + 1)
    text = shorten(_without(k.toelichting, drop or []))
    return {
        "refs": refs,
        "type": k.type,
        "type_nl": k.label,
        "ernst": k.ernst,
        "titel": shorten(k.titel),
        "toelichting": text,
        "kort": _short(text),
        "jaren": ", ".join(school_year(j) for j in k.jaren if j),
        "besturen": ", ".join(boards.get(b, b) for b in k.besturen),
        "bronnen": list(k.bronnen),
    }


def top_knelpunten(knelpunten: tuple[Knelpunt, ...], n: int = 7) -> list[Knelpunt]:
    """The most severe knelpunten, taking turns between types so the summary shows the variety."""
    out: list[Knelpunt] = []
    for severity in SEVERITIES:
        by_type: dict[str, list[Knelpunt]] = {}
        for k in knelpunten:
            if k.ernst == severity:
                by_type.setdefault(k.type, []).append(k)
        while any(by_type.values()) and len(out) < n:
            for kind in TYPES:
                if by_type.get(kind) and len(out) < n:
                    out.append(by_type[kind].pop(0))
    return out


# -- sections ---------------------------------------------------------------------------------
def cover(data: ReportData) -> dict:
    """Title block: region, count date, horizon and what the region holds."""
    v = data.region_vestigingen
    return {
        "regio": data.name,
        "peildatum": count_date(data.origin),
        "schooljaar": school_year(data.origin),
        "tot": school_year(data.later),
        "gemaakt": long_date(data.created),
        "synthetisch": data.synthetic,
        "expressie": data.region.expression,
        "omvang": f"{len(v)} vestigingen van {v['bestuur'].nunique()} besturen in {len(data.region.gemeenten)} "
        "gemeenten; "
        f"{number(data.reach_now.table['pc4'].nunique())} postcodegebieden",
    }


def summary(
    data: ReportData,
    reach: pd.DataFrame,
    lost: pd.DataFrame,
    advice_titles: list[str],
    nr: dict[str, int] | None = None,
    scenario_names: list[str] | None = None,
) -> dict:
    """Key figures, the story in plain words and the most important knelpunten.

    ``nr`` numbers the chapters referred to (default: those of :data:`SECTIONS`); ``scenario_names`` adds a
    sentence pointing to the scenario comparison.
    """
    nr = nr or chapter_numbers(SECTIONS)
    s = charts.summary_numbers(data)
    v = data.region_vestigingen
    ks = data.diagnosis.knelpunten
    counts = Counter(k.ernst for k in ks)
    norm = number(data.settings.values.get("normafstand_km", 12))
    story = [
        f"In {data.name} gaan op {count_date(data.origin)} {s['tekst_nu']} leerlingen naar {len(v)} vestigingen van "
        f"{v['bestuur'].nunique()} besturen. Volgens de prognose zijn dat er over vijf jaar {s['tekst5']} "
        f"({s['pct5']}) "
        f"en over tien jaar, in {school_year(data.later)}, {s['tekst10']} ({s['pct10']}; met 80% zekerheid tussen "
        f"{number(s['laag80'])} en {number(s['hoog80'])})."
    ]
    types = reach[~reach["soort"].str.startswith("profiel:") & (reach["soort"] != "vo-openbaar")]
    if len(types):
        worst = types.sort_values("aandeel_nu").iloc[0]
        drop = types.assign(d=types["aandeel_nu"] - types["aandeel_later"]).sort_values("d", ascending=False).iloc[0]
        text = (
            f"Nu woont {percent(worst['aandeel_nu'])} van de kinderen van 12-17 jaar binnen {norm} km fietsen van "
            f"{worst['naam']}: het minst bereikbare onderwijstype."
        )
        if drop["d"] > 0.005:
            text += (
                f" Zonder ingrijpen daalt het aandeel binnen {norm} km het sterkst voor {drop['naam']}: van "
                f"{percent(drop['aandeel_nu'])} naar {percent(drop['aandeel_later'])} in {school_year(data.later)}."
            )
        else:
            text += (
                " Zonder ingrijpen blijft de bereikbaarheid van de onderwijstypen tot "
                f"{school_year(data.later)} ongeveer gelijk."
            )
        story.append(text)
    gone = lost[lost["uit_regio"]]
    text = (
        f"Zonder ingrijpen zakken {number(len(lost))} onderdelen van het aanbod (een onderwijstype of vmbo-profiel op "
        f"een vestiging) tot {school_year(data.later)} onder hun drempel."
    )
    if len(gone):
        text += " Daarmee verdwijnt uit de regio: " + ", ".join(sorted(set(gone["naam"]))) + "."
    story.append(text)
    story.append(
        f"dekkend vond {number(len(ks))} knelpunten: {counts.get('hoog', 0)} met ernst hoog, {counts.get('midden', 0)} "
        f"midden en {counts.get('laag', 0)} laag. De belangrijkste staan hieronder; alle knelpunten met hun "
        "onderbouwing "
        f"staan in hoofdstuk {nr['knelpunten']}, wat ze per bestuur betekenen in hoofdstuk {nr['besturen']}."
    )
    if scenario_names and "scenarios" in nr:
        names = [f"\u2018{n}\u2019" for n in scenario_names]
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " en " + names[-1]
        what, it = ("het scenario", "het") if len(names) == 1 else ("de scenario's", "ze")
        story.append(
            f"Hoofdstuk {nr['scenarios']} rekent {what} {listed} door en zet {it} naast \u2018zonder ingrijpen\u2019: "
            "hoeveel leerlingen naar een andere school gaan, welke knelpunten erbij komen of verdwijnen en wat er per "
            "bestuur verandert."
        )
    if advice_titles:
        story.append(
            "Voorbeelden en routes die bij deze knelpunten passen, met de reden waarom, staan in hoofdstuk "
            f"{nr['voorbeelden']}; "
            "bovenaan: " + "; ".join(f"\u2018{t}\u2019" for t in advice_titles[:3]) + "."
        )
    cards = [
        {
            "label": f"leerlingen {school_year(data.origin)}",
            "waarde": s["tekst_nu"],
            "sub": f"telling {count_date(data.origin)}",
        },
        {"label": f"verwacht {school_year(data.origin + 5)}", "waarde": s["tekst5"], "sub": s["pct5"]},
        {
            "label": f"verwacht {school_year(data.later)}",
            "waarde": s["tekst10"],
            "sub": f"{s['pct10']} (80%: {number(s['laag80'])}-{number(s['hoog80'])})",
        },
        {
            "label": "knelpunten",
            "waarde": number(len(ks)),
            "sub": f"{counts.get('hoog', 0)} hoog, {counts.get('midden', 0)} midden, {counts.get('laag', 0)} laag",
        },
    ]
    boards = board_labels(data)
    shorten = name_shortener(data)
    return {
        "verhaal": story,
        "kaarten": cards,
        "top": [_knelpunt(k, boards, shorten=shorten) for k in top_knelpunten(ks)],
    }


def forecast_section(data: ReportData, figs: Figures, changes: pd.DataFrame) -> dict:
    """Region total with bands, per type, per vestiging, and the back-test."""
    years, lo80, hi80 = charts.total_band(data.forecast, 80)
    _, lo95, hi95 = charts.total_band(data.forecast, 95)
    total = data.forecast.groupby("jaar")["verwacht"].sum()
    now = float(data.history.loc[data.history["jaar"] == data.origin, "leerlingen"].sum())
    rows = [
        {
            "jaar": school_year(int(y)),
            "verwacht": number(total[y]),
            "verandering": percent(total[y] / now - 1, sign=True),
            "band80": f"{number(a)} - {number(b)}",
            "band95": f"{number(c)} - {number(d)}",
        }
        for y, a, b, c, d in zip(years, lo80, hi80, lo95, hi95, strict=True)
    ]
    t = charts.type_totals(data)
    type_rows = []
    for typ, r in t.iterrows():
        n0, n5, n10 = (float(r.get(y, np.nan)) for y in (data.origin, data.origin + 5, data.later))
        type_rows.append(
            {
                "type": kind_nl(str(typ)),
                "nu": number(n0),
                "over5": number(n5),
                "over10": number(n10),
                "verandering": percent(n10 / n0 - 1, sign=True) if n0 > 0 else "",
            }
        )
    ves_rows = [
        {
            "code": r.vestigingscode,
            "naam": r.naam,
            "plaats": r.plaats,
            "bestuur": r.bestuur,
            "nu": number(r.nu),
            "over5": number(r.over5),
            "over10": number(r.over10),
            "verandering": percent(r.verandering, sign=True),
            "band": f"{number(r.laag80)} - {number(r.hoog80)}",
            "methode": r.methode,
            "sterk": bool(r.verandering < -data.settings.values.get("daling_10_jaar", 0.25)),
        }
        for r in changes.itertuples()
    ]
    methods = Counter(METHOD_NL.get(m, m) for m in data.forecast.drop_duplicates("vestigingscode")["methode"])
    return {
        "totaal": figs.chart("totaal", charts.total_chart(data)),
        "jaren": rows,
        "typen": figs.chart("typen", charts.types_chart(data)) if len(t) else None,
        "type_rijen": type_rows,
        "vestigingen_figuur": figs.chart("vestigingen", charts.vestiging_chart(changes, data))
        if len(changes)
        else None,
        "vestigingen": ves_rows,
        "methoden": "; ".join(f"{k}: {v}" for k, v in methods.most_common()),
        "terugtoets": backtest_section(data),
        "detailjaren": ", ".join(school_year(y) for y in data.detail_years),
        "teljaren": ", ".join(school_year(y) for y in data.count_years),
    }


def backtest_section(data: ReportData) -> dict | None:
    """The regional back-test: error per horizon, cohort model against no change."""
    bt = data.backtest
    if bt is None or bt.scores.empty:
        return None
    sc = bt.scores.set_index(["model", "jaar"])
    rows = []
    for year in bt.targets:
        if ("cohort", year) not in sc.index:
            continue
        c = sc.loc[("cohort", year)]
        n = sc.loc[("geen-verandering", year)] if ("geen-verandering", year) in sc.index else None
        rows.append(
            {
                "doeljaar": school_year(year),
                "horizon": year - bt.as_of,
                "eenheden": int(c["eenheden"]),
                "werkelijk": number(c["werkelijk"]),
                "verwacht": number(c["verwacht"]),
                "wape": percent(c["wape"], 1),
                "wape_naief": percent(n["wape"], 1) if n is not None else "",
                "bias": percent(c["bias"], 1, sign=True),
                "dekking80": percent(c["dekking80"]),
            }
        )
    if not rows:
        return None
    last = bt.targets[-1]
    c = sc.loc[("cohort", last)]
    return {
        "vanaf": school_year(bt.as_of),
        "peildatum": count_date(bt.as_of),
        "rijen": rows,
        "laatste": school_year(last),
        "regio_fout": percent(c["verwacht"] / c["werkelijk"] - 1, 1, sign=True) if c["werkelijk"] else "",
    }


def reach_section(data: ReportData, reach: pd.DataFrame, figs: Figures) -> dict:
    """Indicators, the dumbbell chart and a pair of maps per type and profiel."""
    norm = float(data.settings.values.get("normafstand_km", 12))
    rows = [
        {
            "naam": capital(r.naam),
            "nu": percent(r.aandeel_nu, 1),
            "later": percent(r.aandeel_later, 1),
            "buiten_nu": number(r.buiten_nu),
            "buiten_later": number(r.buiten_later),
            "pc4_nu": number(r.pc4_nu),
            "pc4_later": number(r.pc4_later),
            "km_nu": km(r.km_nu) or "geen aanbod",
            "km_later": km(r.km_later) or "geen aanbod",
            "slechter": bool(r.aandeel_later < r.aandeel_nu - 0.005),
        }
        for r in reach.itertuples()
    ]
    now_t = data.reach_now.table
    later_t = data.reach_later.table
    o0, o1 = data.offers[data.origin], data.offers[data.later]
    region_codes = data.vestigingen.loc[data.vestigingen["in_regio"], "vestigingscode"]
    local = in_view(data.vestigingen, data.geometry)
    groups = []
    shown = [k for k in reach["soort"] if not str(k).startswith("profiel:")]
    profielen = [k for k in reach["soort"] if str(k).startswith("profiel:")]
    offered = [k for k in profielen if o0.loc[o0.index.isin(region_codes), k].any()]
    absent = [k for k in profielen if k not in offered]
    for i, kind in enumerate([*shown, *offered], start=1):
        lost = o0[kind] & ~o1[kind] & o0.index.isin(region_codes)
        pair = []
        for suffix, year, table, offers, gone in (
            ("a", data.origin, now_t, o0[kind], lost & False),
            ("b", data.later, later_t, o1[kind], lost),
        ):
            fig = map_figure(data.geometry, table[table["onderwijstype"] == kind], kind, offers, gone, local, norm)
            ref = figs.map(f"{kind.replace(':', '-')}-{year}", fig, f"{i}{suffix}")
            ref["titel"] = f"{school_year(year)}" + (" (nu)" if year == data.origin else " zonder ingrijpen")
            pair.append(ref)
        r = reach[reach["soort"] == kind].iloc[0]
        groups.append(
            {
                "soort": kind,
                "naam": capital(kind_nl(kind)),
                "kaarten": pair,
                "zin": _map_sentence(r, norm, int(lost.sum()), data),
            }
        )
    nearest = now_t[now_t["onderwijstype"].isin(absent)].groupby("onderwijstype")["afstand_km"].median()
    return {
        "figuur": figs.chart("bereik", charts.reach_chart(reach, data)) if len(reach) else None,
        "rijen": rows,
        "legenda": legend_items(norm),
        "groepen": groups,
        "norm": number(norm),
        "afwezig": [
            f"{kind_nl(k)} (meestal {km(nearest.get(k), 0)} ver)" if pd.notna(nearest.get(k)) else kind_nl(k)
            for k in absent
        ],
        "kinderen": data.reach_now.children_method,
        "omrijfactor": number(DETOUR_FACTOR, 1),
        "grenzen": data.geometry.description,
        "cellen": bool(data.geometry.cells),
        "zonder_locatie": ", ".join(data.reach_now.pc4_without_location),
    }


def _map_sentence(r: pd.Series, norm: float, lost: int, data: ReportData) -> str:
    text = (
        f"Binnen {number(norm)} km: {percent(r['aandeel_nu'])} van de kinderen nu, {percent(r['aandeel_later'])} in "
        f"{school_year(data.later)}; postcodegebieden verder weg: {number(r['pc4_nu'])} nu, {number(r['pc4_later'])} "
        "later."
    )
    if lost:
        text += f" Zonder ingrijpen verdwijnt dit aanbod bij {lost} vestiging{'en' if lost > 1 else ''} in de regio."
    return text


def lost_offer(data: ReportData) -> pd.DataFrame:
    """Offerings of the region that disappear (no action) by ``later``.

    ``uit_regio`` when no vestiging keeps the kind.
    """
    o = data.reach_now.offer
    region = set(data.region.vestigingen)
    base = o[(o["jaar"] == data.origin) & o["vestigingscode"].isin(region) & (o["onderwijstype"] != "onderbouw")]
    end = o[(o["jaar"] == data.later) & o["vestigingscode"].isin(region) & o["verdwijnt"].astype(bool)]
    key = ["vestigingscode", "onderwijstype", "profiel"]
    gone = base[key].merge(end[key].assign(weg=True), on=key, how="inner").drop(columns="weg")
    gone["soort"] = [
        f"profiel:{p}" if isinstance(p, str) else t for t, p in zip(gone["onderwijstype"], gone["profiel"], strict=True)
    ]
    gone["naam"] = gone["soort"].map(kind_nl)
    later = data.offers[data.later]
    in_region = later.index.isin(sorted(region))
    gone["uit_regio"] = [k in later and not bool(later.loc[in_region, k].any()) for k in gone["soort"]]
    return gone.reset_index(drop=True)


def viability(data: ReportData) -> dict:
    """Each offering against its norm: value, margin, years until a breach, citation."""
    c = data.diagnosis.checks.copy()
    if c.empty:
        return {
            "rijen": [],
            "bronnen": [],
            "normen": [],
            "niet_getoetst": [],
            "aantallen": {},
            "termijn": int(data.settings.values.get("vooruitkijken_jaren", 5)),
        }
    tested = c[c["vestigingscode"].astype(str) != ""].copy()
    untested = c[c["vestigingscode"].astype(str) == ""]
    sources: list[str] = []
    rows = []
    names = data.vestigingen.set_index("vestigingscode")
    for r in tested.itertuples():
        if r.bron not in sources:
            sources.append(r.bron)
        years = r.jaren_tot_onderschrijding
        rows.append(
            {
                "naam": names.at[r.vestigingscode, "korte_naam"]
                if r.vestigingscode in names.index
                else r.vestigingscode,
                "plaats": names.at[r.vestigingscode, "plaats"] if r.vestigingscode in names.index else "",
                "code": r.vestigingscode,
                "onderwijs": r.onderwijs,
                "norm": _norm_label(data, r.norm),
                "nu": number(r.waarde_nu, 1 if r.waarde_nu % 1 else 0),
                "normwaarde": number(r.norm_waarde),
                "marge": number(r.marge, 0) if pd.notna(r.marge) else "",
                "status": r.status,
                "status_nl": STATUS_NL.get(r.status, r.status),
                "jaren": "nu"
                if years == 0
                else (
                    f"{int(years)} jaar"
                    if pd.notna(years)
                    else f"niet binnen {int(data.settings.values.get('vooruitkijken_jaren', 5))} jaar"
                ),
                "bron": sources.index(r.bron) + 1,
            }
        )
    counts = Counter(tested["status"])
    not_tested = [{"norm": r.norm, "onderwijs": r.onderwijs, "bron": r.bron} for r in untested.itertuples()]
    norms = sorted({r["norm"] for r in rows})
    return {
        "rijen": rows,
        "bronnen": sources,
        "normen": norms,
        "niet_getoetst": not_tested,
        "aantallen": {STATUS_NL.get(k, k): v for k, v in counts.items()},
        "termijn": int(data.settings.values.get("vooruitkijken_jaren", 5)),
    }


def _norm_label(data: ReportData, norm_id: str) -> str:
    try:
        n = norm_by_id(data.norms, norm_id)
    except Exception:  # noqa: BLE001 - a label that is not a norm id (a user threshold)
        return str(norm_id)
    unit = {
        "leerjaar": "per leerjaar",
        "school": "per school",
        "vestiging": "per vestiging",
        "bovenbouw": "in de bovenbouw",
    }.get(n.unit, n.unit)
    return f"{n.kind} ({number(n.value)} {n.measure} {unit})" if n.value is not None else n.kind


def knelpunten_section(data: ReportData) -> dict:
    """All knelpunten grouped by type, and the opportunities."""
    boards = board_labels(data)
    shorten = name_shortener(data)
    sources: list[str] = []
    groups = []
    for kind in TYPES:
        ks = data.diagnosis.of_type(kind)
        if not ks:
            continue
        counts = Counter(k.ernst for k in ks)
        shared = common_sentences([k.toelichting for k in ks])
        groups.append(
            {
                "type": kind,
                "naam": capital(KNELPUNTTYPEN.get(kind, kind)),
                "uitleg": TYPE_EXPLANATION.get(kind, ""),
                "gemeen": " ".join(shared),
                "aantal": len(ks),
                "ernst": [(s, counts.get(s, 0)) for s in SEVERITIES],
                "lijst": [_knelpunt(k, boards, sources, shorten, shared) for k in ks],
            }
        )
    found = chances(data.reach_now.offer, data.vestigingen, data.origin, data.later)
    return {
        "groepen": groups,
        "kansen": [_kans(k, data, boards) for k in found],
        "straal": number(RADIUS_KM),
        "bronnen": sources,
    }


def _kans(k: Kans, data: ReportData, boards: dict[str, str]) -> dict:
    what = kind_nl(f"profiel:{k.profiel}") + f" ({kind_nl(k.onderwijstype)})" if k.profiel else kind_nl(k.onderwijstype)
    others = [c for c in k.vestigingen if c not in k.verdwijnen]
    return {
        "wat": capital(what),
        "weg": [_vest_name(data, c) for c in k.verdwijnen],
        "ook": [_vest_name(data, c) for c in others],
        "besturen": [boards.get(b, b) for b in k.besturen],
        "samen": number(k.samen),
        "drempel": number(k.drempel),
        "jaar": school_year(k.jaar),
    }


def boards_section(data: ReportData, figs: Figures, changes: pd.DataFrame) -> dict:
    """Per board: pupils now and later, offer at risk, knelpunten by type, its vestigingen."""
    b = data.diagnosis.besturen.copy()
    labels = board_labels(data)
    b["label"] = b["bestuur"].map(lambda x: labels.get(str(x), f"Bestuur {x}"))
    shorten = name_shortener(data)
    cards = []
    for r in b.itertuples():
        mine = [k for k in data.diagnosis.knelpunten if r.bestuur in k.besturen]
        high = [k for k in mine if k.ernst == "hoog"]
        ves = changes[changes["bestuur"] == r.bestuur]
        sole = [kind_nl(x.strip()) for x in str(r.enige_aanbieder_van or "").split(",") if x.strip()]
        chips = [(KNELPUNTTYPEN.get(t, t), getattr(r, t.replace("-", "_"), 0)) for t in TYPES]
        cards.append(
            {
                "label": r.label,
                "vestigingen": int(r.vestigingen),
                "nu": number(r.leerlingen_nu),
                "over5": number(r.leerlingen_over_5_jaar),
                "over10": number(r.leerlingen_over_10_jaar),
                "verandering": percent(r.verandering_10_jaar, sign=True) if pd.notna(r.verandering_10_jaar) else "",
                "aanbod": int(r.aanbod_nu),
                "risico": int(r.aanbod_onder_drempel),
                "enige": sole,
                "chips": [(n, int(c)) for n, c in chips if c],
                "hoog": [shorten(k.titel) for k in high[:8]],
                "meer": max(len(high) - 8, 0),
                "aantal": len(mine),
                "lijst": [
                    {
                        "naam": x.naam,
                        "plaats": x.plaats,
                        "nu": number(x.nu),
                        "over10": number(x.over10),
                        "verandering": percent(x.verandering, sign=True),
                    }
                    for x in ves.itertuples()
                ],
            }
        )
    b = b.rename(columns=lambda c: c)
    fig = figs.chart("besturen", charts.boards_chart(b, data)) if (b["leerlingen_nu"] > 0).any() else None
    return {"figuur": fig, "kaarten": cards}


def advice_section(data: ReportData) -> dict:
    """Entries of the knowledge base that fit the knelpunten, each with its reasons, and who can help."""
    a = data.advice
    if a is None:
        return {"aanbevelingen": [], "steun": []}

    types = Counter(k.type for k in data.diagnosis.knelpunten)

    def rec(r, n_reasons: int = 3) -> dict:  # noqa: ANN001
        e = r.entry
        reasons = list(r.redenen[:n_reasons])
        fits = sum(n for t, n in types.items() if t in e.knelpunt_types)
        return {
            "titel": e.titel,
            "soort": SOORTEN.get(e.soort, e.soort),
            "regio": e.regio,
            "jaar": e.jaar,
            "samenvatting": re.sub(r"\s*(\[\d+\])+", "", e.samenvatting),
            "redenen": reasons,
            "meer": max(len(r.redenen) - n_reasons, 0),
            "knelpunten": fits,
            "bronnen": [{"url": s.url, "titel": s.titel} for s in e.bronnen[:3]],
            "id": e.id,
        }

    return {
        "aanbevelingen": [rec(r) for r in a.ranglijst],
        "steun": [rec(r, 2) for r in a.ondersteuning[:6]],
        "overgeslagen": list(a.overgeslagen),
    }


#: What the no-action view says of a location teaching a profiel (``dekkend.diagnose.profielen``).
PROFIEL_OORDEEL = {
    "zelfstandig": "blijft op eigen kracht",
    "samen": "blijft samen: met leerlingen van een stoppend aanbod",
    "stopt": "zakt onder de drempel",
}
_LEERWEG_KORT = {"vmbo-b": "basis", "vmbo-k": "kader", "vmbo-g": "gemengd", "vmbo-t": "theoretisch"}


def profielen_section(data: ReportData) -> dict:
    """Per vmbo profiel taught now: locations, pupils per leerweg, combined pupils over the years, who keeps it."""
    origin = data.origin
    marks = [origin, origin + 5, origin + 10]
    items = []
    for view in data.diagnosis.profielen:
        names = {loc.vestigingscode: loc.naam for loc in view.locaties}
        rows = [
            {
                "naam": loc.naam,
                "bestuur": loc.bestuur or "onbekend",
                "leerwegen": ", ".join(
                    f"{_LEERWEG_KORT.get(t, t)} {count(n)}" for t, n in loc.leerlingen_per_leerweg.items()
                ),
                "oordeel": PROFIEL_OORDEEL[loc.oordeel]
                + (
                    f" (eigen leerlingen onder de drempel vanaf {school_year(loc.jaar_onder_drempel)})"
                    if loc.oordeel == "samen" and loc.jaar_onder_drempel
                    else ""
                ),
                "opvang": names.get(loc.opvang, loc.opvang or "") if loc.oordeel == "stopt" else "",
                "let_op": loc.oordeel != "zelfstandig",
            }
            for loc in view.locaties
        ]
        items.append(
            {
                "naam": capital(kind_nl("profiel:" + view.profiel)),
                "rijen": rows,
                "jaren": [
                    {"jaar": school_year(y), "leerlingen": count(view.samen_per_jaar[y])}
                    for y in marks
                    if y in view.samen_per_jaar
                ],
                "drempel": count(view.drempel),
                "besturen": ", ".join(view.besturen) or "onbekend",
                "zelfstandig": len(view.of("zelfstandig")),
                "samen": len(view.of("samen")),
                "stopt": len(view.of("stopt")),
            }
        )
    return {"profielen": items, "termijn": int(data.settings.values["vooruitkijken_jaren"])}


def methods_section(data: ReportData) -> dict:
    """Data vintages and count dates, models, norms and the known blind spots."""
    files = data.sources.copy()
    file_rows = []
    for r in files.sort_values("peildatum").itertuples():
        day = pd.Timestamp(r.peildatum) if pd.notna(r.peildatum) else None
        file_rows.append(
            {
                "titel": r.titel,
                "peildatum": long_date(day) if day is not None else "",
                "rijen": number(getattr(r, "rijen", None)),
            }
        )
    s = data.settings
    settings = [
        {"naam": k.replace("_", " "), "waarde": number(v, 2 if v < 1 else 0), "bron": s.sources.get(k, "")}
        for k, v in s.values.items()
    ]
    thresholds = [
        {
            "naam": f"{t.get('onderwijstype')} ({str(t.get('eenheid', '')).replace('-', ' ')})",
            "waarde": number(t.get("waarde")),
            "bron": t.get("bron", ""),
        }
        for t in s.thresholds
    ]
    blind = [
        "Leerlingen die over de landsgrens naar school gaan (naar Duitsland of Vlaanderen) of van daar komen, staan "
        "niet "
        "in de Nederlandse tellingen; scholen over de grens tellen niet mee als bereikbaar aanbod.",
        "Reistijd met het openbaar vervoer is niet berekend: afstanden zijn fietsafstanden (hemelsbreed maal de "
        "omrijfactor), reistijden fietstijden.",
        f"Typedetail (onderwijstype, leerweg, profiel) bestaat alleen voor de jaren waarvan het DUO-bestand naar "
        f"onderwijstype is ingelezen: {', '.join(school_year(y) for y in data.detail_years) or 'geen'}. Andere "
        "tellingen "
        f"({', '.join(school_year(y) for y in data.count_years if y not in data.detail_years) or 'geen'}) geven "
        "alleen totalen.",
        "Een postcodegebied telt met zijn middelpunt; in grote, dunbevolkte gebieden wijkt de afstand voor "
        "afzonderlijke "
        "adressen flink af. Op de kaarten zijn postcodegebieden getekend als vlakken rond hun middelpunt (Voronoi), "
        "niet met hun echte grenzen.",
        "Reorganisaties (vestigingen die samengaan, codes die veranderen, leerlingen die tussen vestigingen van één "
        "school "
        "verschuiven) voorspelt geen model; zij domineren de fout per vestiging.",
        "Aanbod is geen plaats: dekkend telt vestigingen, niet hun capaciteit of toelatingsbeleid.",
        "De wettelijke opheffingsnormen (Wet voortgezet onderwijs 2020, hoofdstuk 4, en de Regeling "
        "voorzieningenplanning vo 2020) heeft dekkend niet in de primaire tekst kunnen nalezen; ze staan leeg in de "
        "normentabel en dekkend toetst er niet aan, alleen aan een vuistregel en drempels.",
    ]
    if data.synthetic:
        blind.insert(0, "Dit is de synthetische demoregio: alle scholen, aantallen en grenzen zijn verzonnen.")
    return {
        "bestanden": file_rows,
        "instellingen": settings,
        "drempels": thresholds,
        "blind": blind,
        "teljaren": ", ".join(f"{count_date(y)}" for y in data.count_years),
        "kinderen": data.reach_now.children_method,
        "afstanden": _distance_text(data),
        "grenzen": data.geometry.description,
    }


def _distance_text(data: ReportData) -> str:
    how = data.reach_now.distances
    source = " (geschat)" if how.strip().lower() == "schatting" else f" ({how})"
    return (
        f"Afstanden{source}: hemelsbreed vanaf het middelpunt van het postcodegebied naar de vestiging, maal de "
        f"omrijfactor {number(DETOUR_FACTOR, 1)}; reistijd fietsend met {number(CYCLING_SPEED_KMH)} km/u"
    )
