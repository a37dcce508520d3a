"""``dekkend demo``: build the synthetic demo region and write its full regional report."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from dekkend.cli.support import (
    WerkmapOptie,
    console,
    count,
    progress_bar,
    report_with_progress,
    school_year,
)

if TYPE_CHECKING:
    from dekkend import RegionOverview


def demo(
    werkmap: WerkmapOptie = Path("dekkend-demo"),
    zaad: Annotated[
        int, typer.Option("--zaad", help="Startgetal van de toevalsgenerator (zelfde zaad, zelfde regio).")
    ] = 2024,
    uitvoer: Annotated[Path, typer.Option("--uitvoer", "-o", help="Map voor het regiorapport.")] = Path("."),
    pdf: Annotated[
        bool, typer.Option("--pdf/--geen-pdf", help="Ook een PDF maken (met Chromium, als dat er is).")
    ] = True,
    scenarios: Annotated[
        bool,
        typer.Option("--scenarios/--geen-scenarios", help="De twee voorbeeldscenario's in het rapport vergelijken."),
    ] = True,
) -> None:
    """Bouw de synthetische demoregio en schrijf haar volledige regiorapport (HTML, en PDF waar mogelijk).

    De voorbeeldscenario's worden in WERKMAP/scenarios gezet en in het rapport naast "zonder ingrijpen" gelegd.
    """
    from dekkend import DekkendError, Workspace, region_overview
    from dekkend.demo import build_demo_workspace, demo_scenario_files
    from dekkend.scenarios import load_scenario

    with progress_bar() as bar:
        task = bar.add_task("Demoregio bouwen", total=None, item="")

        def step(name: str, i: int, n: int) -> None:
            bar.update(task, total=n, completed=i, item=name)

        ws = build_demo_workspace(Workspace(werkmap), seed=zaad, progress=step)
    tables = ws.tables()
    print_overview(region_overview(tables, None))
    console.print(f"[green]Demoregio gebouwd in werkmap {werkmap}[/] (zaad {zaad}).")
    loaded = []
    if scenarios:
        folder = werkmap / "scenarios"
        folder.mkdir(parents=True, exist_ok=True)
        for source in demo_scenario_files():
            target = folder / source.name
            if not target.exists():  # a user's edited copy is kept
                target.write_bytes(source.read_bytes())
            try:
                loaded.append(load_scenario(target))
            except DekkendError as exc:  # an edited copy that no longer reads: say so, go on without it
                console.print(
                    f"[yellow]Let op:[/] scenario {target} overgeslagen: {exc}", highlight=False, soft_wrap=True
                )
        console.print(
            f"Voorbeeldscenario's: {', '.join(str(folder / p.name) for p in demo_scenario_files())}",
            highlight=False,
            soft_wrap=True,
        )
    report_with_progress(tables, None, uitvoer, pdf=pdf, scenarios=loaded)


def print_overview(ov: RegionOverview) -> None:
    """Print a region overview as rich tables."""
    console.print(f"[bold]{ov.region.label}[/]: {len(ov.region.vestigingen)} vestigingen")
    years = Table(title="Leerlingen per schooljaar (teldatum 1 oktober)")
    years.add_column("schooljaar")
    years.add_column("leerlingen", justify="right")
    for r in ov.per_year.itertuples():
        years.add_row(f"{school_year(r.schooljaar)}", count(r.leerlingen))
    console.print(years)
    if ov.latest_year is None:
        return
    ves = Table(title=f"Vestigingen in {school_year(ov.latest_year)}")
    for col in ("vestiging", "naam", "plaats", "bestuur", "denominatie", "leerlingen", "aanbod bovenbouw"):
        ves.add_column(col, justify="right" if col == "leerlingen" else "left")
    for r in ov.per_vestiging.itertuples():
        offered = ov.offer.loc[r.vestigingscode].dropna().index if r.vestigingscode in ov.offer.index else []
        ves.add_row(
            r.vestigingscode,
            str(r.naam),
            str(r.plaatsnaam),
            str(r.bestuur),
            str(r.denominatie),
            count(r.leerlingen),
            ", ".join(t for t in offered if t != "onderbouw") or "alleen onderbouw",
        )
    console.print(ves)
