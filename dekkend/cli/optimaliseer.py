"""``dekkend optimaliseer``: a thin Dutch shell over :func:`dekkend.optimise.optimise`."""

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
    number,
    percent,
    school_year,
)

if TYPE_CHECKING:
    from dekkend.optimise import Optimisation


def optimaliseer(
    werkmap: WerkmapOptie,
    jaar: Annotated[
        int,
        typer.Option(
            "--jaar", help="Schooljaar vanaf wanneer de opstelling geldt (jaar van 1 oktober, na de laatste telling)."
        ),
    ],
    regio: RegioOptie = None,
    vast: Annotated[
        list[str] | None,
        typer.Option(
            "--vast",
            help="Houd dit aanbod open: CODE:TYPE, zoals 99BB03:vmbo-k, 99DD00:profiel:groen (het profiel in "
            "elke leerweg), 99DD00:vmbo-k/groen of 99AA00:alles. Herhaalbaar.",
        ),
    ] = None,
    max_wijzigingen: Annotated[
        int | None,
        typer.Option(
            "--max-wijzigingen",
            help="Hoogstens zoveel aanbiedingen stoppen (een leerweg met zijn profielen telt als één).",
            min=0,
        ),
    ] = None,
    uitvoer: Annotated[
        Path,
        typer.Option(
            "--uitvoer", "-o", help="Map voor optimalisatie.yaml (het scenario) en optimalisatie.json (de cijfers)."
        ),
    ] = Path("."),
    tot_jaar: Annotated[
        int | None,
        typer.Option(
            "--tot-jaar", help="Elk gehouden aanbod haalt zijn drempel in elk jaar van --jaar tot en met dit jaar."
        ),
    ] = None,
    besturen_houden: Annotated[
        bool,
        typer.Option(
            "--besturen-houden", help="Elk bestuur houdt minstens één aanbod van elk type en profiel dat het nu heeft."
        ),
    ] = False,
    toewijzing: Annotated[
        str,
        typer.Option(
            "--toewijzing",
            help="Waar de leerlingen van gestopt aanbod heen gaan: keuze (het keuzemodel, zoals dekkend "
            "scenario) of dichtstbij (het dichtstbijzijnde aanbod dat blijft).",
        ),
    ] = "keuze",
    soort: Annotated[
        list[str] | None,
        typer.Option(
            "--soort",
            help="Alleen dit type (met zijn profielen) of profiel:<slug>, zoals --soort havo. Herhaalbaar; "
            "standaard alles.",
        ),
    ] = None,
    drempels: Annotated[
        Path | None,
        typer.Option("--drempels", help="YAML met eigen drempels en normafstand (zie dekkend/norms/drempels.yaml)."),
    ] = None,
    tijdslimiet: Annotated[float, typer.Option("--tijdslimiet", help="Seconden rekentijd voor HiGHS.", min=1)] = 60.0,
    gap: Annotated[
        float, typer.Option("--gap", help="Stop als de oplossing binnen zoveel procent van het optimum ligt.", min=0)
    ] = 0.01,
) -> None:
    """Kies per vestiging het aanbod: zoveel mogelijk kinderen binnen de normafstand, elk aanbod boven zijn drempel.

    Aanbod buiten de regio blijft en telt mee.
    """
    result = _run(
        werkmap,
        jaar,
        regio,
        vast or [],
        max_wijzigingen,
        tot_jaar,
        besturen_houden,
        toewijzing,
        soort,
        drempels,
        tijdslimiet,
        gap,
    )
    _report(result, uitvoer)
    if not result.feasible:
        raise typer.Exit(1)


def _run(
    werkmap: Path,
    jaar: int,
    regio: str | None,
    vast: list[str],
    max_wijzigingen: int | None,
    tot_jaar: int | None,
    besturen_houden: bool,
    toewijzing: str,
    soort: list[str] | None,
    drempels: Path | None,
    tijdslimiet: float,
    gap: float,
) -> Optimisation:
    from dekkend import ConfiguratieFout, Workspace
    from dekkend.cache import tables_and_cache
    from dekkend.norms import load_settings
    from dekkend.optimise import OptimiseOptions, optimise

    if toewijzing not in ("keuze", "dichtstbij"):
        raise ConfiguratieFout(f"--toewijzing '{toewijzing}' onbekend; kies keuze of dichtstbij")
    tables, cache = tables_and_cache(Workspace(werkmap).require())
    for name in ("aanbod", "leerlingen", "vestigingen"):
        if name not in tables:
            raise ConfiguratieFout(f"de werkmap mist de tabel '{name}'; importeer eerst gegevens")
    with console.status("Prognose, keuzemodel en afstanden; daarna rekent HiGHS"):
        options = OptimiseOptions.of(
            locked=vast,
            max_changes=max_wijzigingen,
            until_year=tot_jaar,
            boards_keep=besturen_houden,
            assignment=toewijzing,
            kinds=soort,
            time_limit=tijdslimiet,
            mip_gap=gap / 100.0,
        )
        return optimise(tables, regio, jaar, options, settings=load_settings(drempels), cache=cache)


def _report(result: Optimisation, uitvoer: Path) -> None:
    inst, s = result.instance, result.solution
    model = inst.model
    console.print(
        f"[bold]Optimalisatie van het aanbod in {inst.region.label}[/], vanaf {school_year(inst.jaar)}"
        + (f" (drempels tot en met {school_year(inst.years[-1])})" if len(inst.years) > 1 else "")
    )
    console.print(
        f"{count((~model.ext).sum())} aanbiedingen in de regio ({count(model.free.sum())} vrij, "
        f"{count(model.locked.sum())} vast), {count((inst.children > 0).sum())} postcodegebieden, toewijzing "
        f"'{inst.assignment}'; kinderen: {inst.children_method}"
    )
    if not result.feasible:
        console.print(f"[bold red]Geen opstelling mogelijk[/] ({s.status}, {number(s.seconds, 2)} s):")
        for line in result.infeasible:
            console.print(f"  • {line}", highlight=False)
        _, json_path = result.write(uitvoer)
        console.print(f"Geschreven: {json_path}")
        return
    after = result.after
    assert after is not None  # a feasible optimisation has its evaluated configuration
    tot = result.totals()
    console.print(
        f"Kinderen binnen {number(inst.norm_km, 0 if float(inst.norm_km).is_integer() else 1)} km, opgeteld over "
        f"{count(len(model.kinds))} soorten aanbod: nu ({school_year(inst.origin)}) {count(tot['nu'] or 0)}, "
        f"zonder ingrijpen {count(tot['zonder_ingrijpen'] or 0)}, optimaal {count(tot['optimaal'] or 0)} "
        f"({school_year(inst.jaar)}; zoals dekkend bereikbaarheid). "
        f"Status: {s.status}; gap {percent(s.gap, 3)}; rekentijd "
        f"{number(s.seconds, 2)} s (HiGHS); {after.changes} {'wijziging' if after.changes == 1 else 'wijzigingen'}.",
        highlight=False,
    )
    _coverage_table(result)
    for i, c in enumerate(result.changes, start=1):
        console.print(f"{i}. {c.toelichting}", highlight=False)
    if result.saved:
        console.print("[bold]Aanbod dat zonder ingrijpen verdwijnt en nu blijft:[/]")
        for x in result.saved:
            console.print(f"  • {x.toelichting}", highlight=False)
    yaml_path, json_path = result.write(uitvoer)
    if yaml_path is None:
        console.print("Geen wijzigingen: geen opstelling van het bestaande aanbod is beter; geen scenario geschreven.")
        if result.knelpunten:
            console.print("[bold]Knelpunten van de diagnose en waarom de optimalisatie ze laat:[/]")
            for k in result.knelpunten:
                console.print(f"  • [{k.ernst}] {k.toelichting}", highlight=False)
        console.print(f"[green]Geschreven:[/] {json_path}")
    else:
        console.print(
            f"[green]Geschreven:[/] {yaml_path} (doorrekenen met: dekkend scenario {yaml_path} "
            "--werkmap ...) "
            f"en {json_path}"
        )


def _coverage_table(result: Optimisation) -> None:
    inst = result.instance
    table = Table(title="Kinderen van 12-17 binnen de normafstand")
    for col in (
        "soort",
        f"nu ({school_year(inst.origin)})",
        f"zonder ingrijpen ({school_year(inst.jaar)})",
        f"optimaal ({school_year(inst.jaar)})",
    ):
        table.add_column(col, justify="left" if col == "soort" else "right")

    def cell(v: float | None, total: float) -> str:
        return "-" if v is None or v != v else f"{count(v)} ({percent(v / (total or 1.0), 1)})"

    for r in result.coverage_table().itertuples(index=False):
        table.add_row(
            r.onderwijstype.replace("profiel:", "profiel "),
            cell(r.nu, r.kinderen_nu),
            cell(r.zonder_ingrijpen, r.kinderen),
            cell(r.optimaal, r.kinderen),
        )
    console.print(table)
