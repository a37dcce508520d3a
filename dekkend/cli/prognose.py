"""The ``dekkend`` command line: thin Dutch shells over the library."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
import typer.core
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from dekkend.errors import DekkendError
from dekkend.formatting import count, number, percent, school_year

if TYPE_CHECKING:
    from dekkend.overview import RegionOverview

def _dutch_help() -> None:
    """Give the ``--help`` option a Dutch help text (users read Dutch).

    The option is made by the command class typer uses (click's, or typer's own
    copy of it); patch the class in that hierarchy that defines it.
    """
    owner = next((c for c in typer.core.TyperCommand.__mro__ if "get_help_option" in vars(c)), None)
    if owner is None:  # pragma: no cover - every click-like command class has it
        return
    original = owner.get_help_option

    def get_help_option(self, ctx):  # type: ignore[no-untyped-def]
        option = original(self, ctx)
        if option is not None:
            option.help = "Toon deze hulptekst en stop."
        return option

    owner.get_help_option = get_help_option


_dutch_help()

app = typer.Typer(
    name="dekkend",
    help="dekkend: een dekkend en bereikbaar onderwijsaanbod in het voortgezet onderwijs, ook bij leerlingendaling.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
console = Console()
err_console = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., object])

WerkmapOptie = Annotated[Path, typer.Option("--werkmap", "-w", help="Werkmap met de geïmporteerde gegevens.")]
RegioOptie = Annotated[
    str | None,
    typer.Option(
        "--regio",
        "-r",
        help="Regio: gemeente:0715,0716, corop:31, onderwijsgebied:19, rmc:33, rpa:.., nodaal:.., wgr:.., "
        "bestuur:NUMMER, een naam in plaats van een code, of een YAML-bestand. Leeg: heel Nederland.",
    ),
]


def dutch_errors(fn: F) -> F:
    """Turn a :class:`DekkendError` into a Dutch message on stderr and exit code 2."""

    @functools.wraps(fn)
    def wrapper(*args: object, **kwargs: object) -> object:
        try:
            return fn(*args, **kwargs)
        except DekkendError as exc:
            err_console.print(f"[bold red]Fout:[/] {exc}", highlight=False)
            raise typer.Exit(2) from exc

    return wrapper  # type: ignore[return-value]


def progress_bar() -> Progress:
    """The progress bar every long command uses."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[item]}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
    )


def _fmt_int(n: float | int | None) -> str:
    return count(n)


@app.command("importeer")
@dutch_errors
def importeer(
    mappen: Annotated[list[Path], typer.Argument(help="Map(pen) of bestand(en) met DUO/CBS-bestanden.")],
    werkmap: WerkmapOptie,
) -> None:
    """Importeer DUO- en CBS-bestanden (herkend aan hun kopregel) in een werkmap, alles-of-niets."""
    from dekkend.ingest import import_paths
    from dekkend.workspace import Workspace

    with progress_bar() as bar:
        task = bar.add_task("Importeren", total=None, item="")

        def step(name: str, i: int, n: int) -> None:
            bar.update(task, total=n, completed=i, item=name)

        result = import_paths(list(mappen), Workspace(werkmap), progress=step)
    table = Table(title=f"Import in werkmap {werkmap}", show_lines=False)
    for col, just in (("bestand", "left"), ("soort", "left"), ("peildatum", "left"), ("regels", "right"),
                      ("leerlingen", "right"), ("opmerking", "left")):
        table.add_column(col, justify=just, overflow="fold")  # type: ignore[arg-type]
    for f in result.files:
        remark = f.reason if f.status == "overgeslagen" else "; ".join(
            [*(f"{n}x {why}" for why, n in f.skipped.items()), *f.notes]
        )
        style = "dim" if f.status == "overgeslagen" else None
        table.add_row(
            f.path.name, f.title or "[overgeslagen]", str(f.reference_date or ""), _fmt_int(f.rows) if f.rows else "",
            _fmt_int(f.pupils), remark, style=style,
        )
    console.print(table)
    for note in result.notes:
        console.print(f"[yellow]Let op:[/] {note}", highlight=False)
    for f in result.imported:
        if f.pupils is not None and f.years:
            console.print(f"Schooljaar {school_year(f.years[0])}: {_fmt_int(f.pupils)} leerlingen ({f.path.name})")
    skipped = len(result.files) - len(result.imported)
    console.print(
        f"[green]Klaar:[/] {len(result.imported)} bestand(en) geïmporteerd, {skipped} overgeslagen; tabellen: "
        + ", ".join(f"{k} ({_fmt_int(v)})" for k, v in result.tables.items())
    )


@app.command("regio")
@dutch_errors
def regio(
    werkmap: WerkmapOptie,
    regio_: RegioOptie = None,
    uitvoer: Annotated[Path | None, typer.Option("--uitvoer", "-o", help="Schrijf de vestigingen naar .csv of .xlsx.")] = None,
) -> None:
    """Laat zien wat een --regio selecteert: vestigingen, gemeenten en postcodegebieden."""
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
        f"[bold]{region.label}[/]: {_fmt_int(len(region.vestigingen))} vestigingen, "
        f"{_fmt_int(len(region.gemeenten))} gemeenten, {_fmt_int(len(region.pc4))} postcodegebieden (PC4)"
    )
    table = Table()
    for col in ("vestiging", "naam", "plaats", "gemeente", "bestuur", "denominatie", "laatste telling"):
        table.add_column(col)
    for r in sel.head(200).itertuples():
        table.add_row(r.vestigingscode, *(_cell(getattr(r, c, None)) for c in
                                          ("naam", "plaatsnaam", "gemeentenaam", "bestuur", "denominatie")),
                      _school_year_cell(getattr(r, "laatste_schooljaar", None)))
    console.print(table)
    if len(sel) > 200:
        console.print(f"... en nog {_fmt_int(len(sel) - 200)} vestigingen (gebruik --uitvoer voor de hele lijst)")
    if uitvoer:
        write_table(sel, uitvoer, sheet="vestigingen")
        console.print(f"Geschreven: {uitvoer}")


def _cell(value: object) -> str:
    """A table cell: empty for a missing value (None, NaN, pandas NA)."""
    import pandas as pd

    return "" if value is None or bool(pd.isna(value)) else str(value)


def _school_year_cell(value: object) -> str:
    """The last counted school year as ``2019/20`` (empty when never counted)."""
    import pandas as pd

    return "" if value is None or bool(pd.isna(value)) else school_year(int(value))


@app.command("demo")
@dutch_errors
def demo(
    werkmap: Annotated[Path, typer.Option("--werkmap", "-w", help="Werkmap voor de demoregio.")] = Path("dekkend-demo"),
    zaad: Annotated[int, typer.Option("--zaad", help="Startgetal van de toevalsgenerator (zelfde zaad, zelfde regio).")] = 2024,
    uitvoer: Annotated[Path, typer.Option("--uitvoer", "-o", help="Map voor het regiorapport.")] = Path("."),
    pdf: Annotated[bool, typer.Option("--pdf/--geen-pdf", help="Ook een PDF maken (met Chromium, als dat er is).")] = True,
    scenarios: Annotated[bool, typer.Option("--scenarios/--geen-scenarios",
                                            help="De twee voorbeeldscenario's in het rapport vergelijken.")] = True,
) -> None:
    """Bouw de synthetische demoregio en schrijf haar volledige regiorapport (HTML, en PDF waar mogelijk).

    De voorbeeldscenario's worden in WERKMAP/scenarios gezet en in het rapport naast "zonder ingrijpen" gelegd.
    """
    from dekkend.cli_rapport import report_with_progress
    from dekkend.demo import build_demo_workspace, demo_scenario_files
    from dekkend.errors import DekkendError
    from dekkend.overview import region_overview
    from dekkend.scenarios import load_scenario
    from dekkend.workspace import Workspace

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
                console.print(f"[yellow]Let op:[/] scenario {target} overgeslagen: {exc}", highlight=False, soft_wrap=True)
        console.print(f"Voorbeeldscenario's: {', '.join(str(folder / p.name) for p in demo_scenario_files())}",
                      highlight=False, soft_wrap=True)
    report_with_progress(tables, None, uitvoer, pdf=pdf, scenarios=loaded)


@app.command("prognose")
@dutch_errors
def prognose(
    werkmap: WerkmapOptie,
    peiljaar: Annotated[int, typer.Option("--peiljaar", help="Alleen gegevens bekend op 1 oktober van dit jaar.")],
    uitvoer: Annotated[Path, typer.Option("--uitvoer", "-o", help="Uitvoerbestand .csv of .xlsx.")],
    horizon: Annotated[int, typer.Option("--horizon", help="Aantal schooljaren vooruit (1-30).")] = 15,
    regio_: RegioOptie = None,
    model: Annotated[str, typer.Option("--model", help="geen-verandering, trend of cohort.")] = "cohort",
    verval: Annotated[
        float | None,
        typer.Option("--verval", help="Cohortmodel: verlies aan aantrekkelijkheid per km (0,3 = elke km 30% minder). "
                     "Leeg: geschat uit leerlingen naar woonpostcode als die er zijn, anders 0,3."),
    ] = None,
    trekkingen: Annotated[
        int, typer.Option("--trekkingen", help="Cohortmodel: aantal Monte-Carlotrekkingen van de onzekere invoer "
                          "(cohorten, overgang, afstandsverval); schrijft ook UITVOER-trekkingen.csv. 0: geen.")
    ] = 0,
    zaad: Annotated[int, typer.Option("--zaad", help="Startgetal voor de trekkingen (zelfde zaad, zelfde trekkingen).")] = 0,
) -> None:
    """Maak een leerlingenprognose per vestiging, onderwijstype, profiel en leerjaar, met intervallen."""
    import numpy as np

    from dekkend.errors import ConfiguratieFout
    from dekkend.forecast import ChoiceParameters, CohortModel, make_model, simulate, sum_band
    from dekkend.output import write_table
    from dekkend.regions import select_region
    from dekkend.workspace import Workspace

    if (verval is not None or trekkingen) and model != "cohort":
        raise ConfiguratieFout("--verval en --trekkingen horen bij het cohortmodel (--model cohort)")
    if trekkingen < 0:
        raise ConfiguratieFout(f"--trekkingen {trekkingen}: geef 0 of meer")
    with progress_bar() as bar:
        task = bar.add_task("Prognose", total=3 + bool(trekkingen), item="gegevens laden")
        tables = Workspace(werkmap).require().tables()
        units = select_region(tables, regio_).vestigingen if regio_ else None
        bar.update(task, completed=1, item=f"model {model} schatten")
        forecaster = (CohortModel(choice=ChoiceParameters.from_loss(verval)) if verval is not None else make_model(model))
        forecaster.fit(tables, peiljaar, units)
        if peiljaar > forecaster.prepared.origin + MAX_YEARS_AFTER_COUNT:
            raise ConfiguratieFout(
                f"--peiljaar {peiljaar}: de laatste telling in de werkmap is van 1 oktober {forecaster.prepared.origin}; "
                f"de jaren {forecaster.prepared.origin + 1}-{peiljaar} zouden stil worden overgeslagen. Kies een peiljaar "
                f"tot en met {forecaster.prepared.origin + MAX_YEARS_AFTER_COUNT} of importeer nieuwere tellingen; "
                "de prognose vanaf de laatste telling maakt u met --peiljaar "
                f"{forecaster.prepared.origin} en een langere --horizon")
        if peiljaar > forecaster.prepared.origin:
            console.print(f"[yellow]Let op:[/] --peiljaar {peiljaar} ligt na de laatste telling (1 oktober "
                          f"{forecaster.prepared.origin}); de prognose begint bij die telling en toont de jaren vanaf "
                          f"{peiljaar + 1}.")
        bar.update(task, completed=2, item="vooruitrekenen")
        frame = forecaster.predict(horizon)
        draws = None
        if trekkingen:
            bar.update(task, completed=3, item=f"{trekkingen} trekkingen")
            draws = simulate(forecaster, horizon, trekkingen, seed=zaad)
        bar.update(task, completed=3 + bool(trekkingen), item="klaar")
    write_table(frame.round({c: 2 for c in ("verwacht", "laag80", "hoog80", "laag95", "hoog95")}), uitvoer, sheet="prognose")
    prep = forecaster.prepared
    totals = frame.groupby("jaar")["verwacht"].sum()
    console.print(
        f"Prognose ({model}) met peiljaar {peiljaar} (laatste telling: 1 oktober {prep.origin}): "
        f"{_fmt_int(len(prep.codes))} vestigingen, {_fmt_int(len(frame))} rijen → {uitvoer}"
    )
    band = sum_band(frame, 80).set_index("jaar")
    for year in sorted({totals.index[0], totals.index[min(4, len(totals) - 1)], totals.index[-1]}):
        console.print(f"  {school_year(year)}: {_fmt_int(totals[year])} leerlingen verwacht "
                      f"(80%: {_fmt_int(band.at[year, 'laag'])}-{_fmt_int(band.at[year, 'hoog'])})")
    methods = frame.drop_duplicates("vestigingscode")["methode"].value_counts()
    console.print("Methode per vestiging: " + ", ".join(f"{k} {_fmt_int(v)}" for k, v in methods.items()))
    catchment = getattr(forecaster, "catchment", None)
    if catchment is not None:
        cal = catchment.calibration
        console.print(
            f"Schoolkeuze: verval {percent(cal.model.params.loss_per_km)} per km ({catchment.decay_source}), "
            f"instroom gekalibreerd tot op {number(cal.max_deviation, 2)} leerling; migratie van kinderen: "
            f"{catchment.children.migration.source}"
        )
    if prep.closed:
        console.print(
            f"Niet voorspeld: {_fmt_int(len(prep.closed))} vestigingen met leerlingen in een eerdere telling "
            f"hadden op 1 oktober {prep.origin} geen leerlingen meer (gestopt): "
            + ", ".join(prep.closed[:10]) + (" ..." if len(prep.closed) > 10 else "")
        )
    if draws is not None:
        path = uitvoer.with_name(f"{uitvoer.stem}-trekkingen.csv")
        write_table(draws.summary().round(2), path, sheet="trekkingen")
        nat = draws.totals.sum(axis=1)
        last = len(draws.years) - 1
        console.print(
            f"{_fmt_int(trekkingen)} trekkingen (zaad {zaad}), alleen onzekerheid in de invoer: "
            f"{school_year(draws.years[last])} "
            f"tussen {_fmt_int(np.quantile(nat[:, last], 0.1))} en {_fmt_int(np.quantile(nat[:, last], 0.9))} leerlingen "
            f"(80%) → {path}"
        )


#: ``prognose --peiljaar`` may lie at most this many years after the last count (a count is
#: published about a year late; beyond that the gap is an error, not a choice). dekkend's own choice.
MAX_YEARS_AFTER_COUNT = 2


@app.command("backtest")
@dutch_errors
def backtest(
    werkmap: WerkmapOptie,
    peiljaar: Annotated[int, typer.Option("--peiljaar", help="Prognose met alleen wat op 1 oktober van dit jaar bekend was.")],
    doel: Annotated[str, typer.Option("--doel", help="Doeljaar of doeljaren, komma-gescheiden (bijv. 2017,2018).")],
    niveau: Annotated[
        str, typer.Option("--niveau", help="vestiging, brin (school) of gemeente (woongemeente, CBS 85701NED).")
    ] = "vestiging",
    regio_: RegioOptie = None,
    verslag: Annotated[
        Path | None,
        typer.Option("--verslag", help="Markdown-verslag waarin dit blok wordt bijgewerkt (zonder: geen verslag)."),
    ] = None,
) -> None:
    """Toets de prognosemodellen achteraf: WAPE, MAPE, bias en intervaldekking per model, horizon en grootteklasse."""
    from dekkend.errors import ConfiguratieFout
    from dekkend.forecast import run_backtest, write_accuracy_section
    from dekkend.regions import select_region
    from dekkend.workspace import Workspace

    try:
        targets = tuple(sorted(int(x) for x in doel.split(",") if x.strip()))
    except ValueError as exc:
        raise ConfiguratieFout(f"--doel '{doel}': verwacht jaartallen gescheiden door komma's, zoals 2017,2018") from exc
    tables = Workspace(werkmap).require().tables()
    units = select_region(tables, regio_).vestigingen if regio_ and niveau != "gemeente" else None
    with progress_bar() as bar:
        task = bar.add_task("Backtest", total=None, item=f"{niveau}, peiljaar {peiljaar}")
        result = run_backtest(tables, peiljaar, targets, niveau, units)
        bar.update(task, total=1, completed=1, item="klaar")
    table = Table(title=f"Backtest {niveau}: peiljaar {peiljaar}")
    for col in ("model", "doeljaar", "eenheden", "WAPE", "MAPE", "bias", "dekking 80%", "dekking 95%"):
        table.add_column(col, justify="left" if col == "model" else "right")
    for r in result.scores.sort_values(["jaar", "model"]).itertuples():
        table.add_row(r.model, str(r.jaar), _fmt_int(r.eenheden),
                      *(percent(v, 1) for v in (r.wape, r.mape, r.bias, r.dekking80, r.dekking95)))
    console.print(table)
    for note in result.notes:
        console.print(note)
    command = f"dekkend backtest --werkmap WERKMAP --peiljaar {peiljaar} --doel {','.join(map(str, targets))} --niveau {niveau}"
    if regio_:
        command += f" --regio {regio_}"
    if verslag is not None:
        write_accuracy_section(verslag, result, command)
        console.print(f"Bijgewerkt: {verslag}")


def print_overview(ov: RegionOverview) -> None:
    """Print a region overview as rich tables."""
    console.print(f"[bold]{ov.region.label}[/]: {len(ov.region.vestigingen)} vestigingen")
    years = Table(title="Leerlingen per schooljaar (teldatum 1 oktober)")
    years.add_column("schooljaar")
    years.add_column("leerlingen", justify="right")
    for r in ov.per_year.itertuples():
        years.add_row(f"{school_year(r.schooljaar)}", _fmt_int(r.leerlingen))
    console.print(years)
    if ov.latest_year is None:
        return
    ves = Table(title=f"Vestigingen in {school_year(ov.latest_year)}")
    for col in ("vestiging", "naam", "plaats", "bestuur", "denominatie", "leerlingen", "aanbod bovenbouw"):
        ves.add_column(col, justify="right" if col == "leerlingen" else "left")
    for r in ov.per_vestiging.itertuples():
        offered = ov.offer.loc[r.vestigingscode].dropna().index if r.vestigingscode in ov.offer.index else []
        ves.add_row(r.vestigingscode, str(r.naam), str(r.plaatsnaam), str(r.bestuur), str(r.denominatie),
                    _fmt_int(r.leerlingen), ", ".join(t for t in offered if t != "onderbouw") or "alleen onderbouw")
    console.print(ves)


def _mount_subcommands() -> None:
    """Mount the commands that live in their own modules."""
    from dekkend.cli_bereikbaarheid import bereikbaarheid
    from dekkend.cli_diagnose import diagnose_cmd
    from dekkend.cli_download import download
    from dekkend.cli_kennis import kennis_app
    from dekkend.cli_optimaliseer import optimaliseer
    from dekkend.cli_rapport import rapport
    from dekkend.cli_scenario import scenario_cmd

    app.command("bereikbaarheid")(bereikbaarheid)
    app.command("diagnose")(diagnose_cmd)
    app.command("scenario")(scenario_cmd)
    app.command("rapport")(rapport)
    app.command("optimaliseer")(optimaliseer)
    app.command("download")(download)
    app.add_typer(kennis_app, name="kennis", help="Kennisbank: samenwerkingsvormen, routes, voorbeelden en ondersteuning.")


_mount_subcommands()


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
