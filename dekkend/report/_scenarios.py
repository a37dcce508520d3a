"""The scenario comparison of the report: each scenario in words, side by side with "zonder ingrijpen", and charts.

The numbers come from :func:`dekkend.scenarios.run_scenario` (one
:class:`~dekkend.scenarios.ScenarioResult` per scenario, all sharing the
report's own forecast and diagnosis as "zonder ingrijpen"); this module only
selects, adds up and words them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import pandas as pd

from dekkend.diagnose import SEVERITIES, Knelpunt
from dekkend.regions import select_region
from dekkend.report import _charts as charts
from dekkend.report._collect import ReportData, check_tables
from dekkend.report._format import count_date, kind_nl, number, school_year, signed
from dekkend.report._sections import SCENARIO_SECTION, Figures
from dekkend.scenarios import Scenario, ScenarioResult, validate
from dekkend.scenarios.format import (
    KIND_OF,
    Afstandsonderwijs,
    ConcentreerBovenbouw,
    DeelProfiel,
    DenominatieEis,
    Drempels,
    Fuseer,
    Measure,
    Nevenvestiging,
    SluitVestiging,
    StopAanbod,
    VerplaatsAanbod,
)
from dekkend.scenarios.run import check_region

_WORDS = {2: "twee", 3: "drie", 4: "vier", 5: "vijf", 6: "zes", 7: "zeven", 8: "acht", 9: "negen", 10: "tien"}
#: Colours of the scenarios in the charts (``zonder ingrijpen`` is navy), used in turn.
SCENARIO_COLORS = ("#d9822b", "#2a9d8f", "#8e5ea2", "#b5651d", "#5b8e23", "#c2185b")
SEVERITY_COLORS = {"hoog": charts.RED, "midden": charts.ORANGE, "laag": charts.GREY}
#: Knelpunten listed by title per scenario (added and removed each); the rest is counted.
LISTED = 8
#: Vestigingen listed per scenario (the largest changes); the rest is counted.
VESTIGINGEN_LISTED = 15
THRESHOLD_NL = {
    "vmbo-profiel": "vmbo-profiel (per leerjaar in de bovenbouw)",
    "vmbo-leerweg": "vmbo-leerweg (per leerjaar in de bovenbouw)",
    "havo-vwo": "havo/vwo (bovenbouw)",
    "pro": "praktijkonderwijs (per school)",
}


def check_scenarios(tables: dict[str, pd.DataFrame], regio: str | None, scenarios: Sequence[Scenario]) -> None:
    """Check every scenario against the workspace before the report's slow analyses (Dutch :class:`InvoerFout`).

    The same check :func:`dekkend.scenarios.run_scenario` makes, done up front so that a wrong code in a
    scenario file fails in a second and nothing is written.
    """
    if not scenarios:
        return
    check_tables(tables)
    region = select_region(tables, regio)
    pupils = tables["leerlingen"]
    years = pupils.loc[pupils["vestigingscode"].isin(region.vestigingen), "schooljaar"]
    if years.empty:
        return
    for s in scenarios:
        validate(s, tables, region, int(years.max()))
        check_region(s, region)  # a measure outside the region: the error now, before the slow analyses


def _names(data: ReportData, results: Sequence[ScenarioResult]) -> dict[str, str]:
    """``vestigingscode -> 'short name (place)'``, including the scenarios' new locations."""
    v = data.vestigingen
    out = {
        c: (f"{n} ({p})" if p and str(p) not in str(n) else str(n))
        for c, n, p in zip(v["vestigingscode"], v["korte_naam"], v["plaats"], strict=True)
    }
    for r in results:
        for m in r.scenario.maatregelen:
            if isinstance(m, Nevenvestiging):
                out.setdefault(m.code, f"{m.naam} (nieuw)")
    return out


def _what(onderwijstype: str, profiel: str | None) -> str:
    if profiel:
        return f"{kind_nl('profiel:' + profiel)} in {kind_nl(onderwijstype)}"
    return kind_nl(onderwijstype)


def _list(items: Sequence[str]) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " en " + items[-1]


def measure_text(m: Measure, names: dict[str, str], boards: dict[str, str] | None = None) -> str:
    """One measure of a scenario in plain Dutch."""
    name = lambda code: f"{names.get(code, code)} [{code}]"  # noqa: E731
    start = f"Vanaf {school_year(m.vanaf)}"
    if isinstance(m, StopAanbod):
        return (
            f"{start} stopt {name(m.vestiging)} met {_what(m.onderwijstype, m.profiel)}; die leerlingen kiezen opnieuw."
        )
    if isinstance(m, SluitVestiging):
        return f"{start} sluit {name(m.vestiging)}; alle leerlingen kiezen opnieuw."
    if isinstance(m, VerplaatsAanbod):
        return f"{start} verhuist {_what(m.onderwijstype, m.profiel)} van {name(m.van)} naar {name(m.naar)}."
    if isinstance(m, Fuseer):
        return (
            f"{start} gaan {_list([name(c) for c in m.vestigingen])} op in één vestiging, op de plek van "
            f"{name(m.naar)}."
        )
    if isinstance(m, ConcentreerBovenbouw):
        others = (
            f"in plaats van bij {_list([name(c) for c in m.van])}"
            if m.van
            else "de andere vestigingen in de regio stoppen ermee"
        )
        return f"{start} is de bovenbouw van {kind_nl(m.onderwijstype)} alleen nog bij {name(m.naar)} ({others})."
    if isinstance(m, Nevenvestiging):
        board = (boards or {}).get(m.bestuur, f"bestuur {m.bestuur}")
        board = "bestuur" + board[len("Bestuur") :] if board.startswith("Bestuur ") else board
        offer = _list([_what(t, p) for t, p in m.aanbod])
        return (
            f"{start} opent {board} een nieuwe vestiging, {m.naam} [{m.code}] ({m.denominatie.lower()}), met {offer}; "
            f"die trekt leerlingen van de andere vestigingen aan."
        )
    if isinstance(m, DeelProfiel):
        return (
            f"{start} volgen de leerlingen van {name(m.van)} het {_what(m.onderwijstype, m.profiel)} bij "
            f"{name(m.naar)}; "
            f"ze blijven ingeschreven bij hun eigen school (uitbesteding)."
        )
    if isinstance(m, Afstandsonderwijs):
        return (
            f"{start} geeft {name(m.vestiging)} {_what(m.onderwijstype, m.profiel)} (deels) op afstand; in het "
            f"schoolkeuzemodel maakt dat dit aanbod {number(100 * m.nutsverlies)}% minder aantrekkelijk."
        )
    if isinstance(m, Drempels):
        values = _list([f"{THRESHOLD_NL.get(k, k)}: {number(v)} leerlingen" for k, v in m.waarden])
        return f"{start} gelden in dit scenario andere drempels: {values}."
    if isinstance(m, DenominatieEis):
        return (
            f"{start} kiezen leerlingen die een openbare school moeten verlaten een openbare of samenwerkingsschool "
            f"binnen de normafstand, als die er is."
        )
    return f"{start}: {KIND_OF.get(type(m), type(m).__name__)}."  # pragma: no cover - every kind is worded above


def _key(k: Knelpunt) -> tuple[str, str, str]:
    return (k.type, k.ernst, k.titel)


def knelpunt_changes(result: ScenarioResult) -> tuple[list[Knelpunt], list[Knelpunt]]:
    """Knelpunten that the scenario adds and removes against "zonder ingrijpen", matched on type, severity and title.

    A knelpunt that only changes severity counts on both sides.
    """
    before = Counter(_key(k) for k in result.baseline_diagnosis.knelpunten)
    after = Counter(_key(k) for k in result.diagnosis.knelpunten)
    extra, gone = after - before, before - after
    added, removed = [], []
    for k in result.diagnosis.knelpunten:
        if extra[_key(k)] > 0:
            extra[_key(k)] -= 1
            added.append(k)
    for k in result.baseline_diagnosis.knelpunten:
        if gone[_key(k)] > 0:
            gone[_key(k)] -= 1
            removed.append(k)
    return added, removed


def scenario_numbers(result: ScenarioResult) -> dict:
    """The comparison's figures of one scenario (raw numbers).

    Its summary plus moves, changed knelpunten and funding.
    """
    s = result.summary
    last = int(s["eindjaar"])
    moves = result.moves
    added, removed = knelpunt_changes(result)
    funding = result.funding.groupby("variant")["bekostigingseffect_euro"].sum()
    shared = result.shared
    return {
        **s,
        "verplaatst": float(moves.loc[moves["jaar"] == last, "leerlingen"].sum()),
        "gedeeld": float(shared.loc[shared["jaar"] == last, "leerlingen"].sum()) if len(shared) else 0.0,
        "knelpunten_erbij": len(added),
        "knelpunten_weg": len(removed),
        "toeslag_zonder": float(funding.get("zonder ingrijpen", 0.0)),
        "toeslag_met": float(funding.get("met scenario", 0.0)),
    }


def euro(value: float, *, sign: bool = False) -> str:
    """``€ 227.161`` (whole euros), with ``sign`` as ``+ € 1.000`` / ``− € 1.000``."""
    if not sign:
        return f"\u20ac {number(value)}"
    text = signed(value)
    return f"{text[0]} \u20ac {text[1:]}" if text[:1] in "+\u2212" else f"\u20ac {text}"


def _per_vestiging(result: ScenarioResult) -> pd.DataFrame:
    """Pupils per vestiging in the last year: ``zonder_ingrijpen, met_scenario, verschil`` (index: vestigingscode)."""
    p = result.per_vestiging
    last = int(result.summary["eindjaar"])
    return p[p["jaar"] == last].groupby("vestigingscode")[["zonder_ingrijpen", "met_scenario", "verschil"]].sum()


def _comparison_rows(data: ReportData, numbers: list[dict]) -> list[dict]:
    """The side-by-side table: one row per measure, the first value for "zonder ingrijpen"."""
    first = numbers[0]
    norm = number(data.settings.values.get("normafstand_km", 12))

    def row(label: str, base: str, values: list[str], note: str = "") -> dict:
        return {"label": label, "zonder": base, "waarden": values, "toelichting": note}

    rows = [
        row(
            "leerlingen in de regio",
            number(first["leerlingen_zonder_ingrijpen"]),
            [
                f"{number(n['leerlingen_met_scenario'])} "
                f"({signed(n['leerlingen_met_scenario'] - n['leerlingen_zonder_ingrijpen'])})"
                for n in numbers
            ],
        ),
        row(
            "leerlingen op een andere vestiging",
            "\u2013",
            [number(n["verplaatst"]) for n in numbers],
            "dan zonder ingrijpen; ook wie naar buiten de regio gaat",
        ),
        row(
            "waarvan naar een vestiging buiten de regio", "\u2013", [number(n["naar_buiten_de_regio"]) for n in numbers]
        ),
        row(
            "extra leerlingkilometers per schooldag",
            "\u2013",
            [signed(n["extra_leerlingkilometers_per_dag_enkele_reis"]) for n in numbers],
            "enkele reis: leerlingen op een andere vestiging maal hun extra afstand",
        ),
        row(
            "knelpunten (waarvan ernst hoog)",
            f"{first['knelpunten_zonder']} ({first['knelpunten_hoog_zonder']})",
            [f"{n['knelpunten_met']} ({n['knelpunten_hoog_met']})" for n in numbers],
        ),
        row("knelpunten erbij", "\u2013", [str(n["knelpunten_erbij"]) for n in numbers]),
        row("knelpunten verdwenen", "\u2013", [str(n["knelpunten_weg"]) for n in numbers]),
        row(
            f"kinderen van 12-17 jaar verder dan {norm} km van een vo-school",
            number(first["kinderen_buiten_norm_zonder"]),
            [
                f"{number(n['kinderen_buiten_norm_met'])} "
                f"({signed(n['kinderen_buiten_norm_met'] - n['kinderen_buiten_norm_zonder'])})"
                for n in numbers
            ],
        ),
        row(
            "verwachte verandering in isolatietoeslag, per jaar",
            euro(first["toeslag_zonder"], sign=True),
            [euro(n["toeslag_met"], sign=True) for n in numbers],
            "som van de knelpunten 'isolatie-afhankelijk': plus als een vestiging geïsoleerd raakt, min als ze die "
            "status verliest",
        ),
        row(
            "verschil in isolatietoeslag t.o.v. zonder ingrijpen, per jaar",
            "\u2013",
            [euro(n["bekostigingseffect_euro"], sign=True) for n in numbers],
            "alleen de isolatietoeslag; de bekostiging per leerling en per school is niet doorgerekend",
        ),
    ]
    if any(n.get("zonder_aanbod", 0) > 0 for n in numbers):  # the type or profiel is offered nowhere any more
        rows.insert(
            3,
            row(
                "leerlingen voor wie nergens meer aanbod is",
                "\u2013",
                [number(n.get("zonder_aanbod", 0)) for n in numbers],
                "geen vestiging die vanuit hun woongebied te kiezen is, biedt hun onderwijstype of profiel (of de "
                "leerweg) nog aan; ze tellen niet meer mee",
            ),
        )
    if any(n["gedeeld"] > 0 for n in numbers):  # deel-profiel: enrolled at home, the profiel taught elsewhere
        rows.insert(
            3,
            row(
                "leerlingen die hun profiel op een andere vestiging volgen",
                "\u2013",
                [number(n["gedeeld"]) for n in numbers],
                "ze blijven ingeschreven op hun eigen vestiging (profiel delen)",
            ),
        )
    return rows


def _board_rows(results: Sequence[ScenarioResult], boards: dict[str, str]) -> list[dict]:
    """Wat verandert voor wie: per board pupils and knelpunten without action and the change per scenario."""
    frames = [r.boards.set_index("bestuur") for r in results]
    order = list(dict.fromkeys(b for f in frames for b in f.index))
    rows = []
    for b in order:
        base = next(f.loc[b] for f in frames if b in f.index)
        cells = []
        for f in frames:
            if b not in f.index:
                cells.append({"leerlingen": "", "knelpunten": ""})
                continue
            r = f.loc[b]
            delta = int(r["knelpunten_met"]) - int(r["knelpunten_zonder"])
            cells.append(
                {
                    "leerlingen": signed(float(r["verschil"])),
                    "knelpunten": f"{int(r['knelpunten_met'])}" + (f" ({signed(delta)})" if delta else ""),
                }
            )
        rows.append(
            {
                "bestuur": boards.get(str(b), f"Bestuur {b}"),
                "leerlingen": number(base["zonder_ingrijpen"]),
                "knelpunten": int(base["knelpunten_zonder"]),
                "scenarios": cells,
            }
        )
    return rows


def _scenario_block(
    data: ReportData, result: ScenarioResult, numbers: dict, names: dict[str, str], boards: dict[str, str], letter: str
) -> dict:
    """One scenario: name, description, measures in words, biggest changes per vestiging.

    Also the knelpunten added and removed.
    """
    per = _per_vestiging(result)
    changed = per[per["verschil"].abs() >= 0.5]
    changed = changed.loc[changed["verschil"].abs().sort_values(ascending=False, kind="stable").index]
    rest = changed.iloc[VESTIGINGEN_LISTED:]
    changed = changed.iloc[:VESTIGINGEN_LISTED]
    board_of = data.vestigingen.set_index("vestigingscode")["bestuur"].to_dict()
    for m in result.scenario.maatregelen:
        if isinstance(m, Nevenvestiging):
            board_of.setdefault(m.code, m.bestuur)
    ves = [
        {
            "naam": names.get(c, c),
            "code": c,
            "bestuur": boards.get(str(board_of.get(c, "")), str(board_of.get(c, ""))),
            "zonder": number(r.zonder_ingrijpen),
            "met": number(r.met_scenario),
            "verschil": signed(r.verschil),
        }
        for c, r in changed.iterrows()
    ]
    added, removed = knelpunt_changes(result)

    def titles(ks: list[Knelpunt]) -> dict:
        return {"lijst": [{"ernst": k.ernst, "titel": k.titel} for k in ks[:LISTED]], "meer": max(len(ks) - LISTED, 0)}

    source = result.scenario.bron
    return {
        **_flow_block(result, names, boards, board_of),
        "letter": letter,
        "naam": result.scenario.naam,
        "beschrijving": result.scenario.beschrijving,
        "bestand": source.replace("\\", "/").rsplit("/", 1)[-1] if source else "",
        "maatregelen": [measure_text(m, names, boards) for m in result.scenario.maatregelen],
        "vestigingen": ves,
        "verplaatst": number(numbers["verplaatst"]),
        "erbij": titles(added),
        "weg": titles(removed),
        "meer_vestigingen": len(rest),
        "meer_verschil": signed(float(rest["verschil"].sum())) if len(rest) else "",
    }


def _flow_block(result: ScenarioResult, names: dict[str, str], boards: dict[str, str], board_of: dict) -> dict:
    """Receivers beside losers in the last year (from the moves), where "naar buiten de regio" goes, and why km fall."""
    flows = result.flows
    rows = []
    if len(flows):
        shown = flows[(flows["verlies"] >= 0.5) | (flows["winst"] >= 0.5)]
        for r in shown.head(VESTIGINGEN_LISTED).itertuples():
            label = names.get(r.vestigingscode) or (
                f"{r.naam} ({r.plaats})" if isinstance(r.naam, str) else r.vestigingscode
            )
            rows.append(
                {
                    "naam": label,
                    "code": r.vestigingscode,
                    "regio": "ja" if r.in_regio else "nee",
                    "bestuur": boards.get(
                        str(board_of.get(r.vestigingscode, "")), str(board_of.get(r.vestigingscode, ""))
                    ),
                    "eraf": number(r.verlies) if r.verlies >= 0.5 else "",
                    "erbij": number(r.winst) if r.winst >= 0.5 else "",
                    "netto": signed(float(r.netto)),
                }
            )
    places = result.summary.get("naar_buiten_de_regio_plaatsen") or []
    outside = (
        _list(
            [
                f"{p['plaats'] or p['gemeente'] or '?'} "
                f"({names.get(p['vestigingscode'], p['naam'] or p['vestigingscode'])}: "
                f"{number(p['leerlingen'])})"
                for p in places[:6]
            ]
        )
        if places
        else ""
    )
    return {
        "stromen": rows,
        "buiten": outside,
        "km_toelichting": result.summary.get("toelichting_leerlingkilometers", ""),
        "waarschuwingen": list(result.warnings),
    }


def changed_vestigingen(results: Sequence[ScenarioResult]) -> list[str]:
    """Vestigingen whose pupils in the last year differ (by half a pupil or more) in any scenario, largest first."""
    frames = [_per_vestiging(r) for r in results]
    base = pd.concat([f["zonder_ingrijpen"] for f in frames], axis=1).max(axis=1)
    changed = {c for f in frames for c in f.index[f["verschil"].abs() >= 0.5]}
    return sorted(changed, key=lambda c: (-float(base.get(c, 0.0)), c))


def scenario_vestiging_chart(data: ReportData, results: Sequence[ScenarioResult], names: dict[str, str]) -> dict | None:
    """Pupils in the last year per vestiging a scenario changes: "zonder ingrijpen" and each scenario (grouped bars).

    ``None`` when no scenario changes any vestiging.
    """
    codes = changed_vestigingen(results)
    if not codes:
        return None
    frames = [_per_vestiging(r) for r in results]
    base = frames[0]["zonder_ingrijpen"]
    short = [charts._cut(names.get(c, c), 38) for c in codes]
    seen = Counter(short)
    labels = [f"{n} [{c}]" if seen[n] > 1 else n for n, c in zip(short, codes, strict=True)][::-1]
    year = school_year(int(results[0].summary["eindjaar"]))
    series = [("zonder ingrijpen", charts.NAVY, [float(base.get(c, 0.0)) for c in codes])]
    for i, (r, f) in enumerate(zip(results, frames, strict=True)):
        series.append(
            (
                charts._cut(r.scenario.naam, 40),
                SCENARIO_COLORS[i % len(SCENARIO_COLORS)],
                [float(f["met_scenario"].get(c, 0.0)) for c in codes],
            )
        )
    traces = [
        {
            "type": "bar",
            "orientation": "h",
            "y": labels,
            "x": [round(v) for v in values][::-1],
            "name": name,
            "customdata": codes[::-1],
            "marker": {"color": color},
            "hovertemplate": f"%{{y}} (%{{customdata}}): %{{x:,.0f}} ({name})<extra></extra>",
        }
        for name, color, values in series
    ]
    height = 90 + len(codes) * (8 + 9 * len(traces))
    return {
        "data": traces,
        "layout": charts._layout(
            height,
            barmode="group",
            bargap=0.25,
            margin={"l": 250, "r": 20, "t": 40, "b": 44},
            xaxis={"title": {"text": f"leerlingen in {year}"}, "rangemode": "tozero"},
            yaxis={"tickfont": {"size": 10}},
            legend={"traceorder": "normal"},
        ),
    }


def scenario_knelpunten_chart(results: Sequence[ScenarioResult]) -> dict:
    """Knelpunten per variant ("zonder ingrijpen" and each scenario), stacked by severity."""
    variants = [("zonder ingrijpen", results[0].baseline_diagnosis)] + [(r.scenario.naam, r.diagnosis) for r in results]
    labels = [charts._cut(n, 28) for n, _ in variants]
    traces = []
    totals = [len(d.knelpunten) for _, d in variants]
    for severity in SEVERITIES:
        counts = [sum(k.ernst == severity for k in d.knelpunten) for _, d in variants]
        traces.append(
            {
                "type": "bar",
                "x": labels,
                "y": counts,
                "name": f"ernst {severity}",
                "marker": {"color": SEVERITY_COLORS.get(severity, charts.GREY)},
                "hovertemplate": f"%{{x}}: %{{y}} knelpunten met ernst {severity}<extra></extra>",
            }
        )
    return {
        "data": traces,
        "layout": charts._layout(
            300,
            barmode="stack",
            bargap=0.45,
            xaxis={"tickfont": {"size": 10.5}},
            yaxis={"title": {"text": "knelpunten"}, "rangemode": "tozero", "range": [0, max(totals + [1]) * 1.15]},
            legend={"traceorder": "normal"},
            annotations=[
                {
                    "x": label,
                    "y": total,
                    "text": str(total),
                    "showarrow": False,
                    "yanchor": "bottom",
                    "font": {"size": 11, "color": charts.NAVY},
                }
                for label, total in zip(labels, totals, strict=True)
            ],
        ),
    }


def scenario_section(
    data: ReportData, results: Sequence[ScenarioResult], figs: Figures, boards: dict[str, str]
) -> dict | None:
    """The chapter "Scenario's vergeleken", or ``None`` without scenarios."""
    if not results:
        return None
    names = _names(data, results)
    numbers = [scenario_numbers(r) for r in results]
    first = results[0]
    last = int(first.summary["eindjaar"])
    letters = [chr(ord("A") + i) if i < 26 else str(i + 1) for i in range(len(results))]
    by_vestiging = scenario_vestiging_chart(data, results, names)
    from dekkend.report._scenario_map import scenario_map_block, scenario_map_legend

    blocks = [
        _scenario_block(data, r, n, names, boards, letter)
        for letter, r, n in zip(letters, results, numbers, strict=True)
    ]
    for block, r, letter in zip(blocks, results, letters, strict=True):  # receivers beside losers, a map
        block.update(scenario_map_block(data.geometry, data.vestigingen, r.flows, school_year(last), letter, figs))
    return {
        "aantal": len(results),
        "aantal_woord": _WORDS.get(len(results), str(len(results))),
        "basisjaar": count_date(first.origin),
        "basis_schooljaar": school_year(first.origin),
        "eindjaar": school_year(last),
        "jaren": last - first.origin,
        "norm": number(data.settings.values.get("normafstand_km", 12)),
        "kolommen": [{"letter": letter, "naam": r.scenario.naam} for letter, r in zip(letters, results, strict=True)],
        "rijen": _comparison_rows(data, numbers),
        "besturen": _board_rows(results, boards),
        "blokken": blocks,
        "kaart_legenda": scenario_map_legend(),
        "figuur_vestigingen": figs.chart("scenario-vestigingen", by_vestiging) if by_vestiging else None,
        "figuur_knelpunten": figs.chart("scenario-knelpunten", scenario_knelpunten_chart(results)),
        "titel": SCENARIO_SECTION[1],
    }


__all__ = [
    "SCENARIO_COLORS",
    "check_scenarios",
    "knelpunt_changes",
    "measure_text",
    "scenario_numbers",
    "scenario_section",
]
