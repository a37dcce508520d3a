"""``dekkend rapport``: a thin Dutch shell over :func:`dekkend.report.write_report`.

``dekkend demo`` writes the demo region's report the same way, with
:func:`dekkend.cli.support.report_with_progress`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dekkend.cli.support import RegioOptie, WerkmapOptie, report_with_progress


def rapport(
    werkmap: WerkmapOptie,
    uitvoer: Annotated[
        Path, typer.Option("--uitvoer", "-o", help="Map waarin het rapport komt (wordt zo nodig gemaakt).")
    ],
    regio: RegioOptie = None,
    pdf: Annotated[
        bool,
        typer.Option(
            "--pdf",
            help="Maak ook een PDF (afgedrukt met Chromium, Google Chrome of "
            "Microsoft Edge; zonder browser komt er alleen HTML en zegt dekkend wat u moet "
            "installeren).",
        ),
    ] = False,
    scenario: Annotated[
        list[Path] | None,
        typer.Option(
            "--scenario",
            "-s",
            help="Een scenario (YAML, zie docs/scenarios.md) om naast 'zonder ingrijpen' "
            "te zetten in het hoofdstuk 'Scenario's vergeleken'. Herhaal de optie voor meer scenario's.",
        ),
    ] = None,
) -> None:
    """Schrijf het regiorapport: één HTML-bestand dat zonder internet opent, en met --pdf ook een PDF.

    Met --scenario krijgt het rapport een hoofdstuk dat de scenario's naast 'zonder ingrijpen' zet.
    """
    from dekkend import Workspace
    from dekkend.scenarios import load_scenario

    scenarios = [load_scenario(p) for p in scenario or []]  # a broken file fails before any work
    tables = Workspace(werkmap).require().tables()
    report_with_progress(tables, regio, uitvoer, pdf=pdf, scenarios=scenarios)
