"""``dekkend diagnose``: the knelpunten of a region as JSON and Dutch tables."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from dekkend.cli.support import RegioOptie, WerkmapOptie, console, count, progress_bar, school_year


def diagnose_cmd(
    werkmap: WerkmapOptie,
    uitvoer: Annotated[
        Path, typer.Option("--uitvoer", "-o", help="JSON-bestand met de knelpunten (schema: docs/diagnose.md).")
    ],
    regio_: RegioOptie = None,
    peiljaar: Annotated[
        int | None, typer.Option("--peiljaar", help="Diagnose met wat op 1 oktober van dit jaar bekend was.")
    ] = None,
    drempels: Annotated[
        Path | None, typer.Option("--drempels", help="YAML met eigen drempels en instellingen.")
    ] = None,
    normen: Annotated[Path | None, typer.Option("--normen", help="YAML met eigen normwaarden (met bron).")] = None,
    besturen: Annotated[
        Path | None, typer.Option("--besturen", help="Schrijf de tabel per bestuur naar .csv of .xlsx.")
    ] = None,
    per_profiel: Annotated[
        bool,
        typer.Option(
            "--per-profiel",
            help="Toon per vmbo-profiel waar het gegeven wordt, de leerlingen door de jaren en wie het houdt.",
        ),
    ] = False,
) -> None:
    """Vind de knelpunten van een regio, met ernst, bewijs en bronnen, en wat ze betekenen per bestuur."""
    import json

    from dekkend import Workspace, write_table
    from dekkend.diagnose import TYPES, diagnose

    with progress_bar() as bar:
        task = bar.add_task("Diagnose", total=None, item="prognose, aanbod en bereikbaarheid")
        result = diagnose(
            Workspace(werkmap).require().tables(), regio_, as_of=peiljaar, thresholds_file=drempels, norms_file=normen
        )
        bar.update(task, total=1, completed=1, item="klaar")
    uitvoer.parent.mkdir(parents=True, exist_ok=True)
    tmp = uitvoer.with_name(f".{uitvoer.name}.tmp")
    tmp.write_text(json.dumps(result.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(uitvoer)
    table = Table(title=f"Knelpunten in {result.regio} (peiljaar {school_year(result.peiljaar)})")
    for col in ("ernst", "soort", "knelpunt", "jaar"):
        table.add_column(col, overflow="fold")
    for k in result.knelpunten:
        style = {"hoog": "bold red", "midden": "yellow"}.get(k.ernst)
        table.add_row(k.ernst, k.type, k.titel, ", ".join(map(str, k.jaren)), style=style)
    console.print(table)
    boards = Table(title="Wat betekent dit per bestuur")
    for col in ("bestuur", "vestigingen", "leerlingen nu", "over 10 jaar", "aanbod onder drempel", "knelpunten"):
        boards.add_column(col, justify="left" if col == "bestuur" else "right")
    counts = result.besturen[list(TYPES)].sum(axis=1)
    for i, r in enumerate(result.besturen.itertuples(index=False)):
        boards.add_row(
            str(r.bestuur),
            count(r.vestigingen),
            count(r.leerlingen_nu),
            count(r.leerlingen_over_10_jaar),
            count(r.aanbod_onder_drempel),
            count(counts.iloc[i]),
        )
    console.print(boards)
    if besturen:
        write_table(result.besturen, besturen, sheet="besturen")
    if per_profiel:
        _print_profielen(result)
    console.print(f"{count(len(result.knelpunten))} knelpunten geschreven naar {uitvoer}")


#: Short leerweg names for the per-profiel table.
_LEERWEG = {"vmbo-b": "basis", "vmbo-k": "kader", "vmbo-g": "gemengd", "vmbo-t": "theoretisch"}
_OORDEEL = {
    "zelfstandig": "blijft op eigen kracht",
    "samen": "blijft met leerlingen van een stoppend aanbod",
    "stopt": "zakt onder de drempel",
}


def _print_profielen(result) -> None:  # noqa: ANN001 - a Diagnosis
    """One table per profiel: locations, pupils per leerweg, verdict and where pupils go."""
    from dekkend.diagnose import type_nl

    if not result.profielen:
        console.print("Geen vmbo-profielen in deze regio in het peiljaar.")
        return
    marks = [y for y in (result.peiljaar, result.peiljaar + 5, result.peiljaar + 10)]
    for view in result.profielen:
        years = "; ".join(
            f"{school_year(y)}: {count(view.samen_per_jaar[y])}" for y in marks if y in view.samen_per_jaar
        )
        table = Table(
            title=f"{type_nl('profiel:' + view.profiel).capitalize()} - bovenbouw samen: {years} "
            f"(drempel {count(view.drempel)} per locatie)"
        )
        for col in ("vestiging", "bestuur", "bovenbouw per leerweg", "zonder ingrijpen", "leerlingen naar"):
            table.add_column(col, overflow="fold")
        names = {loc.vestigingscode: loc.naam for loc in view.locaties}
        for loc in view.locaties:
            per = ", ".join(f"{_LEERWEG.get(t, t)} {count(n)}" for t, n in loc.leerlingen_per_leerweg.items())
            verdict = _OORDEEL[loc.oordeel] + (
                f" (eigen leerlingen onder de drempel vanaf {school_year(loc.jaar_onder_drempel)})"
                if loc.oordeel == "samen" and loc.jaar_onder_drempel
                else ""
            )
            table.add_row(
                loc.naam,
                loc.bestuur or "onbekend",
                per,
                verdict,
                names.get(loc.opvang, loc.opvang or "") if loc.oordeel == "stopt" else "",
            )
        console.print(table)
        console.print(f"Besturen die hierover beslissen: {', '.join(view.besturen) or 'onbekend'}")
