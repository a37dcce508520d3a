"""The ``dekkend download`` command: fetch the published DUO/CBS files and import them."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from dekkend.cli.support import WerkmapOptie, console, number


def _size(n: int) -> str:
    return f"{number(n / 1e6, 1)} MB" if n >= 1e5 else f"{number(n / 1e3)} kB"


def download(
    werkmap: WerkmapOptie,
    jaar: Annotated[
        int | None,
        typer.Option(
            "--jaar",
            "-j",
            help="Alleen bestanden met een peildatum in dit jaar (bij DUO het eerste jaar van het schooljaar). Leeg: "
            "per soort het nieuwste.",
        ),
    ] = None,
) -> None:
    """Download de gepubliceerde DUO- en CBS-bestanden uit de catalogus en importeer ze.

    De bestanden komen in WERKMAP/downloads, met adres, datum en controlegetal
    (SHA-256) in downloads.json, en worden in de werkmap geïmporteerd; een bestand dat er al staat wordt niet opnieuw
    gehaald. Zonder internetverbinding stopt het commando zonder iets te wijzigen.
    Stel DEKKEND_DOWNLOAD_SPIEGEL in om de bestanden van een eigen kopie te halen.
    """
    from dekkend.ingest import download_and_import

    result = download_and_import(werkmap, jaar)
    table = Table(title=f"Downloads in {werkmap / 'downloads'}")
    for col in ("bestand", "adres", "opgehaald", "grootte", "sha256"):
        table.add_column(col, overflow="fold")
    for f in result.files:
        when = "uit cache" if f.from_cache else f.fetched_at
        table.add_row(f.path.name, f.url, when, _size(f.size), f.sha256[:16])
    console.print(table)
    for note in result.notes:
        console.print(f"[yellow]Let op:[/] {note}")
    if result.manual:
        console.print("Niet automatisch te downloaden (haal ze zelf en importeer ze met 'dekkend importeer'):")
        for e in result.manual:
            console.print(f"  - {e.title}: {e.page or 'bronpagina onbekend'}")
    if result.imported is not None:
        n = len(result.imported.imported)
        console.print(
            f"[green]Klaar:[/] {n} bestand(en) geïmporteerd in {werkmap}; tabellen: "
            + ", ".join(f"{k} ({v})" for k, v in result.imported.tables.items())
        )
