"""``dekkend rapport``: a thin Dutch shell over :func:`dekkend.report.write_report`.

Register it with ``app.command("rapport")(rapport)``; ``dekkend demo`` can call
:func:`report_with_progress` to write the demo region's report.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from dekkend.errors import DekkendError

if TYPE_CHECKING:
    from dekkend.scenarios import Scenario

console = Console()
err_console = Console(stderr=True)


def report_with_progress(tables: dict[str, pd.DataFrame], regio: str | None, uitvoer: Path, *, pdf: bool,
                         scenarios: Sequence[Scenario] = ()) -> Path:
    """Write the report with a progress bar on stderr and say where it is; returns the HTML path.

    A PDF that could not be made is a warning (the HTML is there), not an error. ``scenarios`` adds the
    chapter "Scenario's vergeleken".
    """
    from dekkend.report import check_scenarios, write_report

    check_scenarios(tables, regio, scenarios)  # a scenario that does not fit the workspace fails before the bar shows
    bar = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("{task.fields[item]}"), TimeElapsedColumn(), console=err_console, transient=False)
    with bar:
        task = bar.add_task("Rapport", total=None, item="")

        def step(name: str, i: int, n: int) -> None:
            bar.update(task, total=n, completed=i, item=name)

        result = write_report(tables, regio, uitvoer, pdf=pdf, progress=step, scenarios=scenarios)
    console.print(f"[green]Rapport geschreven:[/] {result.html.resolve()}", highlight=False, soft_wrap=True)
    if result.scenarios:
        names = ", ".join(r.scenario.naam for r in result.scenarios)
        console.print(f"Met de scenariovergelijking ({names}).", highlight=False, soft_wrap=True)
    console.print(f"Open het in een browser (er is geen internet nodig): {result.html.resolve().as_uri()}",
                  highlight=False, soft_wrap=True)
    if result.pdf is not None:
        console.print(f"[green]PDF geschreven:[/] {result.pdf.resolve()}", highlight=False, soft_wrap=True)
    elif result.pdf_message:
        err_console.print(f"[yellow]Let op:[/] {result.pdf_message}", highlight=False, soft_wrap=True)
    return result.html


def rapport(
    werkmap: Annotated[Path, typer.Option("--werkmap", "-w", help="Werkmap met de geïmporteerde gegevens.")],
    uitvoer: Annotated[Path, typer.Option("--uitvoer", "-o", help="Map waarin het rapport komt (wordt zo nodig gemaakt).")],
    regio: Annotated[
        str | None,
        typer.Option("--regio", "-r", help="Regio: gemeente:0715,0716, corop:14, onderwijsgebied:19, rmc:33, rpa:.., "
                     "nodaal:.., wgr:.., bestuur:NUMMER, een naam in plaats van een code, of een YAML-bestand. "
                     "Leeg: alle vestigingen in de werkmap."),
    ] = None,
    pdf: Annotated[bool, typer.Option("--pdf", help="Maak ook een PDF (afgedrukt met Chromium, Google Chrome of "
                                      "Microsoft Edge; zonder browser komt er alleen HTML en zegt dekkend wat u moet "
                                      "installeren).")] = False,
    scenario: Annotated[
        list[Path] | None,
        typer.Option("--scenario", "-s", help="Een scenario (YAML, zie docs/scenarios.md) om naast 'zonder ingrijpen' "
                     "te zetten in het hoofdstuk 'Scenario's vergeleken'. Herhaal de optie voor meer scenario's."),
    ] = None,
) -> None:
    """Schrijf het regiorapport: één HTML-bestand dat zonder internet opent, en met --pdf ook een PDF.

    Met --scenario krijgt het rapport een hoofdstuk dat de scenario's naast 'zonder ingrijpen' zet.
    """
    from dekkend.scenarios import load_scenario
    from dekkend.workspace import Workspace

    try:
        scenarios = [load_scenario(p) for p in scenario or []]  # a broken file fails before any work
        tables = Workspace(werkmap).require().tables()
        report_with_progress(tables, regio, uitvoer, pdf=pdf, scenarios=scenarios)
    except DekkendError as exc:
        err_console.print(f"[bold red]Fout:[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from exc
