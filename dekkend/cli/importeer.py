"""``dekkend importeer`` and ``dekkend regio``: read DUO/CBS files into a werkmap, show what a region selects."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from dekkend.cli.support import RegioOptie, WerkmapOptie, console, count, progress_bar, school_year


def importeer(
    mappen: Annotated[list[Path], typer.Argument(help="Map(pen) of bestand(en) met DUO/CBS-bestanden.")],
    werkmap: WerkmapOptie,
    geen_voorbereiding: Annotated[
        bool,
        typer.Option(
            "--geen-voorbereiding",
            help="Sla het vooraf berekenen van de landelijke tussenresultaten over (de eerste regio doet het dan).",
        ),
    ] = False,
) -> None:
    """Importeer DUO- en CBS-bestanden (herkend aan hun kopregel) in een werkmap, alles-of-niets.

    Daarna berekent dekkend de landelijke tussenresultaten die elke regio deelt (keuzemodel en stroomgebieden),
    zodat de eerste analyse van elke regio even snel is als de volgende.
    """
    from dekkend.ingest import import_paths
    from dekkend.workspace import Workspace

    with progress_bar() as bar:
        task = bar.add_task("Importeren", total=None, item="")

        def step(name: str, i: int, n: int) -> None:
            bar.update(task, total=n, completed=i, item=name)

        result = import_paths(list(mappen), Workspace(werkmap), progress=step)
    table = Table(title=f"Import in werkmap {werkmap}", show_lines=False)
    for col, just in (
        ("bestand", "left"),
        ("soort", "left"),
        ("peildatum", "left"),
        ("regels", "right"),
        ("leerlingen", "right"),
        ("opmerking", "left"),
    ):
        table.add_column(col, justify=just, overflow="fold")  # type: ignore[arg-type]
    for f in result.files:
        remark = (
            f.reason
            if f.status == "overgeslagen"
            else "; ".join([*(f"{n}x {why}" for why, n in f.skipped.items()), *f.notes])
        )
        style = "dim" if f.status == "overgeslagen" else None
        table.add_row(
            f.path.name,
            f.title or "[overgeslagen]",
            str(f.reference_date or ""),
            count(f.rows) if f.rows else "",
            count(f.pupils),
            remark,
            style=style,
        )
    console.print(table)
    for note in result.notes:
        console.print(f"[yellow]Let op:[/] {note}", highlight=False)
    for f in result.imported:
        if f.pupils is not None and f.years:
            console.print(f"Schooljaar {school_year(f.years[0])}: {count(f.pupils)} leerlingen ({f.path.name})")
    skipped = len(result.files) - len(result.imported)
    console.print(
        f"[green]Klaar:[/] {len(result.imported)} bestand(en) geïmporteerd, {skipped} overgeslagen; tabellen: "
        + ", ".join(f"{k} ({count(v)})" for k, v in result.tables.items())
    )
    if not geen_voorbereiding and result.imported:
        _prepare(werkmap)


def _prepare(werkmap: Path) -> None:
    """The national results every region shares, computed once now (``dekkend.report.prepare_national``)."""
    import time

    from dekkend.cache import tables_and_cache
    from dekkend.errors import DekkendError
    from dekkend.report import prepare_national
    from dekkend.workspace import Workspace

    start = time.perf_counter()
    with progress_bar() as bar:
        task = bar.add_task("Landelijke tussenresultaten voorbereiden", total=None, item="")

        def step(name: str, i: int, n: int) -> None:
            bar.update(task, total=n, completed=i, item=name)

        tables, cache = tables_and_cache(Workspace(werkmap).require())
        try:
            done = prepare_national(tables, cache, progress=step)
        except DekkendError as exc:  # the import stands; the first region computes them instead
            console.print(f"[yellow]Let op:[/] tussenresultaten niet vooraf berekend: {exc}", highlight=False)
            return
    if done is None:
        console.print("Geen landelijke tussenresultaten vooraf berekend (geen getelde vestiging met een gemeente).")
        return
    seconds = time.perf_counter() - start
    console.print(
        f"Landelijke tussenresultaten voor peiljaar {done.peiljaar} berekend en bewaard (keuzemodel en "
        f"stroomgebieden, via de analyse van {done.regio}) in {seconds:.0f} s."
    )


def regio(
    werkmap: WerkmapOptie,
    regio_: RegioOptie = None,
    uitvoer: Annotated[
        Path | None, typer.Option("--uitvoer", "-o", help="Schrijf de vestigingen naar .csv of .xlsx.")
    ] = None,
) -> None:
    """Laat zien wat een --regio selecteert: vestigingen, gemeenten en postcodegebieden."""
    from dekkend.formatting import place_name, short_school_name
    from dekkend.output import write_table
    from dekkend.regions import boards_filled, select_region
    from dekkend.workspace import Workspace

    ws = Workspace(werkmap).require()
    tables = {"vestigingen": ws.table("vestigingen")}
    for name in ("pc4_woonplaats", "pc4_gemeente"):
        if ws.has(name):
            tables[name] = ws.table(name)
    region = select_region(tables, regio_)
    ves = tables["vestigingen"]
    ves = ves.assign(bestuur=boards_filled(ves)[0])
    sel = ves[ves["vestigingscode"].isin(region.vestigingen)].sort_values(["gemeentenaam", "vestigingscode"])
    console.print(
        f"[bold]{region.label}[/]: {count(len(region.vestigingen))} vestigingen, "
        f"{count(len(region.gemeenten))} gemeenten, {count(len(region.pc4))} postcodegebieden (PC4)"
    )
    table = Table()
    for col in ("vestiging", "naam", "plaats", "gemeente", "bestuur", "denominatie", "laatste telling"):
        table.add_column(col)
    for r in sel.head(200).itertuples():
        naam, plaats, gemeente, bestuur, denominatie = (
            _cell(getattr(r, c, None)) for c in ("naam", "plaatsnaam", "gemeentenaam", "bestuur", "denominatie")
        )
        table.add_row(
            r.vestigingscode,
            short_school_name(naam) if naam else "",
            place_name(plaats) if plaats else "",
            place_name(gemeente) if gemeente else "",
            bestuur,
            denominatie,
            _school_year_cell(getattr(r, "laatste_schooljaar", None)),
        )
    console.print(table)
    if len(sel) > 200:
        console.print(f"... en nog {count(len(sel) - 200)} vestigingen (gebruik --uitvoer voor de hele lijst)")
    if uitvoer:
        write_table(sel, uitvoer, sheet="vestigingen")
        console.print(f"Geschreven: {uitvoer}")


def _cell(value: object) -> str:
    """A table cell: empty for a missing value (None, NaN, pandas NA)."""
    import pandas as pd

    return "" if value is None or bool(pd.isna(value)) else str(value)


def _school_year_cell(value: float | None) -> str:
    """The last counted school year as ``2019/20`` (empty when never counted)."""
    import pandas as pd

    return "" if value is None or bool(pd.isna(value)) else school_year(int(value))
