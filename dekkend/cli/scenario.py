"""``dekkend scenario``: run scenarios and compare them with 'zonder ingrijpen'."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from dekkend.cli.support import (
    RegioOptie,
    WerkmapOptie,
    console,
    count,
    euro,
    progress_bar,
    school_year,
)
from dekkend.formatting import short_school_name

if TYPE_CHECKING:
    from dekkend.scenarios import ScenarioResult

#: Vestigingen listed per scenario in the gains-and-losses table (all are in the written table).
SHOWN = 12


def scenario_cmd(
    bestanden: Annotated[list[Path], typer.Argument(help="Een of meer scenario's (YAML, zie docs/scenarios.md).")],
    werkmap: WerkmapOptie,
    uitvoer: Annotated[Path, typer.Option("--uitvoer", "-o", help="Map voor de uitkomsten.")] = Path(
        "scenario-uitkomsten"
    ),
    regio_: RegioOptie = None,
    horizon: Annotated[int, typer.Option("--horizon", help="Aantal schooljaren vooruit.")] = 10,
    excel: Annotated[bool, typer.Option("--excel", help="Tabellen als .xlsx in plaats van .csv.")] = False,
) -> None:
    """Reken scenario's door: leerlingen, normen, bereikbaarheid, knelpunten en bekostiging, naast
    'zonder ingrijpen'."""
    from dekkend import Workspace
    from dekkend.scenarios import baseline, load_scenario, run_scenario, write_results

    scenarios = [load_scenario(p) for p in bestanden]
    tables = Workspace(werkmap).require().tables()
    results = []
    with progress_bar() as bar:
        task = bar.add_task("Scenario's", total=len(scenarios) + 1, item="zonder ingrijpen")
        base = baseline(tables, regio_, horizon=horizon)
        for i, s in enumerate(scenarios, start=1):
            bar.update(task, completed=i, item=s.naam)
            results.append(
                run_scenario(
                    tables,
                    s,
                    regio_,
                    horizon=horizon,
                    baseline=base,
                )
            )
        bar.update(task, completed=len(scenarios), item="klaar")
    write_results(results, uitvoer, ".xlsx" if excel else ".csv")
    table = Table(title=f"Scenario's naast elkaar (eindjaar {school_year(results[0].summary['eindjaar'])})")
    for col in (
        "scenario",
        "leerlingen",
        "naar buiten regio",
        "extra leerling-km",
        "knelpunten (hoog)",
        "kinderen > normafstand",
        "isolatietoeslag per jaar",
    ):
        table.add_column(col, justify="left" if col == "scenario" else "right", overflow="fold")
    first = results[0].summary
    table.add_row(
        "zonder ingrijpen",
        count(first["leerlingen_zonder_ingrijpen"]),
        "",
        "",
        f"{count(first['knelpunten_zonder'])} ({count(first['knelpunten_hoog_zonder'])})",
        count(first["kinderen_buiten_norm_zonder"]),
        _euro(first["isolatietoeslag_zonder_euro"]),
    )
    for r in results:
        n = r.summary
        diff = _euro(n["bekostigingseffect_euro"], sign=True)
        table.add_row(
            n["scenario"],
            count(n["leerlingen_met_scenario"]),
            count(n["naar_buiten_de_regio"]),
            _signed(n["extra_leerlingkilometers_per_dag_enkele_reis"]),
            f"{count(n['knelpunten_met'])} ({count(n['knelpunten_hoog_met'])})",
            count(n["kinderen_buiten_norm_met"]),
            f"{_euro(n['isolatietoeslag_met_euro'])} (verschil {diff})",
        )
    console.print(table)
    console.print(
        "Isolatietoeslag: de som van de knelpunten 'isolatie-afhankelijk' (plus: een vestiging raakt geïsoleerd, "
        "min: ze verliest die status), met en zonder het scenario; andere bekostiging is niet doorgerekend."
    )
    for r in results:
        _explain(r)
    console.print(f"Uitkomsten per scenario en de vergelijking staan in {uitvoer}")


def _signed(value: float) -> str:
    return ("+" if value > 0 else "") + count(value)


def _euro(value: float, sign: bool = False) -> str:
    """Euros in the one notation (``EUR 1.200``, ``-EUR 1.200``); with ``sign`` a gain reads ``+EUR 1.200``."""
    return ("+" if sign and value >= 0.5 else "") + euro(value)


def _explain(result: ScenarioResult) -> None:
    """Per scenario: warnings, receivers beside losers, where "naar buiten de regio" goes, negative pupil-km."""
    s = result.summary
    for w in result.warnings:
        console.print(f"[yellow]Let op[/yellow] ({s['scenario']}): {w}")
    flows = result.flows
    if len(flows):
        table = Table(
            title=f"{s['scenario']}: leerlingen erbij en eraf per vestiging (eindjaar {school_year(s['eindjaar'])})"
        )
        for col in ("vestiging", "plaats", "in regio", "eraf", "erbij", "netto"):
            table.add_column(
                col,
                justify="right" if col in ("eraf", "erbij", "netto") else "left",
                overflow="fold",
            )
        shown = flows[(flows["verlies"] >= 0.5) | (flows["winst"] >= 0.5)]
        for r in shown.head(SHOWN).itertuples():
            table.add_row(
                f"{short_school_name(r.naam) if r.naam else ''} ({r.vestigingscode})",
                str(r.plaats or ""),
                "ja" if r.in_regio else "nee",
                count(r.verlies) if r.verlies >= 0.5 else "",
                count(r.winst) if r.winst >= 0.5 else "",
                _signed(r.netto),
            )
        console.print(table)
        if len(shown) > SHOWN:
            console.print(f"En nog {count(len(shown) - SHOWN)} vestigingen; alle staan in winst-en-verlies.")
    places = s.get("naar_buiten_de_regio_plaatsen") or []
    if places:
        where = ", ".join(
            f"{p['plaats'] or p['gemeente'] or '?'} ({p['vestigingscode']}: {count(p['leerlingen'])})"
            for p in places[:6]
        )
        console.print(f"Naar buiten de regio ({count(s['naar_buiten_de_regio'])} leerlingen): {where}.")
    if s.get("toelichting_leerlingkilometers"):
        console.print(s["toelichting_leerlingkilometers"])
