"""``dekkend scenario``: run scenarios and compare them with 'zonder ingrijpen'."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from dekkend.cli import RegioOptie, WerkmapOptie, _fmt_int, console, dutch_errors, progress_bar


@dutch_errors
def scenario_cmd(
    bestanden: Annotated[list[Path], typer.Argument(help="Een of meer scenario's (YAML, zie docs/scenarios.md).")],
    werkmap: WerkmapOptie,
    uitvoer: Annotated[Path, typer.Option("--uitvoer", "-o", help="Map voor de uitkomsten.")] = Path("scenario-uitkomsten"),
    regio_: RegioOptie = None,
    horizon: Annotated[int, typer.Option("--horizon", help="Aantal schooljaren vooruit.")] = 10,
    excel: Annotated[bool, typer.Option("--excel", help="Tabellen als .xlsx in plaats van .csv.")] = False,
) -> None:
    """Reken scenario's door: leerlingen, normen, bereikbaarheid, knelpunten en bekostiging, naast 'zonder ingrijpen'."""
    from dekkend.scenarios import load_scenario, run_scenario
    from dekkend.scenarios.run import zonder_ingrijpen
    from dekkend.scenarios.write import write_results
    from dekkend.workspace import Workspace

    scenarios = [load_scenario(p) for p in bestanden]
    tables = Workspace(werkmap).require().tables()
    results = []
    with progress_bar() as bar:
        task = bar.add_task("Scenario's", total=len(scenarios) + 1, item="zonder ingrijpen")
        baseline, base_diag = zonder_ingrijpen(tables, regio_, horizon)
        for i, s in enumerate(scenarios, start=1):
            bar.update(task, completed=i, item=s.naam)
            results.append(run_scenario(tables, s, regio_, horizon=horizon, baseline=baseline, baseline_diagnosis=base_diag))
        bar.update(task, completed=len(scenarios), item="klaar")
    write_results(results, uitvoer, ".xlsx" if excel else ".csv")
    table = Table(title=f"Scenario's naast elkaar (eindjaar {results[0].summary['eindjaar']})")
    for col in ("scenario", "leerlingen", "naar buiten regio", "extra leerling-km", "knelpunten (hoog)", "kinderen > normafstand",
                "bekostiging"):
        table.add_column(col, justify="left" if col == "scenario" else "right", overflow="fold")
    first = results[0].summary
    table.add_row("zonder ingrijpen", _fmt_int(first["leerlingen_zonder_ingrijpen"]), "", "",
                  f"{first['knelpunten_zonder']} ({first['knelpunten_hoog_zonder']})", _fmt_int(first["kinderen_buiten_norm_zonder"]), "")
    for r in results:
        s = r.summary
        table.add_row(s["scenario"], _fmt_int(s["leerlingen_met_scenario"]), _fmt_int(s["naar_buiten_de_regio"]),
                      _fmt_int(s["extra_leerlingkilometers_per_dag_enkele_reis"]), f"{s['knelpunten_met']} ({s['knelpunten_hoog_met']})",
                      _fmt_int(s["kinderen_buiten_norm_met"]), f"EUR {_fmt_int(s['bekostigingseffect_euro'])}")
    console.print(table)
    console.print(f"Uitkomsten per scenario en de vergelijking staan in {uitvoer}")
