"""`dekkend kennis`: search the knowledge base, show one entry, advise on knelpunten.

Each command is a thin shell over one call of :mod:`dekkend.knowledge`; the main CLI
mounts :data:`kennis_app` as ``dekkend kennis``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markdown import Markdown
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from dekkend import ConfiguratieFout
from dekkend.cli.support import (
    DutchCommand,
    DutchGroup,
    OptionaleWerkmapOptie,
    RegioOptie,
    school_year,
)
from dekkend.knowledge import (
    KNELPUNTTYPEN,
    SOORTEN,
    Advice,
    Entry,
    KnowledgeIndex,
    Recommendation,
    SearchResult,
    advice_for_file,
    match_knelpunten,
)

kennis_app = typer.Typer(
    name="kennis",
    help=(
        "Kennisbank over samenwerkingsvormen, juridische routes, praktijkvoorbeelden, "
        "handreikingen, regelingen en ondersteuning bij leerlingendaling in het vo."
    ),
    cls=DutchGroup,
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)

_SOORT_HELP = "Alleen artikelen van deze soort: " + ", ".join(SOORTEN) + "."
_ERNST_STYLE = {"hoog": "bold red", "midden": "yellow", "laag": "green"}


@kennis_app.command("zoek", cls=DutchCommand)
def zoek(
    vraag: Annotated[
        str,
        typer.Argument(
            help='Zoekwoorden, bijvoorbeeld "kleine bovenbouw havo" of "profielen delen".', show_default=False
        ),
    ],
    soort: Annotated[str | None, typer.Option("--soort", help=_SOORT_HELP)] = None,
    gebied: Annotated[
        str | None, typer.Option("--gebied", help='Alleen artikelen over dit gebied, bijvoorbeeld "Zeeland".')
    ] = None,
    aantal: Annotated[int, typer.Option("--aantal", "-n", help="Maximaal aantal resultaten.")] = 10,
    als_json: Annotated[bool, typer.Option("--json", help="Geef de uitkomst als JSON.")] = False,
) -> None:
    """Zoek in de kennisbank, op Nederlandse woordstammen en synoniemen."""
    result = KnowledgeIndex.default().search(vraag, soort=soort, gebied=gebied, limit=aantal)
    if als_json:
        _echo_json(result.to_dict())
        return
    _print_search(Console(), result)


@kennis_app.command("toon", cls=DutchCommand)
def toon(
    artikel_id: Annotated[
        str, typer.Argument(metavar="ID", help="De id van het artikel, zoals 'zoek' die toont.", show_default=False)
    ],
    als_json: Annotated[bool, typer.Option("--json", help="Geef het artikel als JSON.")] = False,
) -> None:
    """Toon één artikel van de kennisbank volledig, met bronnen."""
    entry = KnowledgeIndex.default().get(artikel_id)
    if als_json:
        _echo_json(entry.to_dict())
        return
    _print_entry(Console(), entry)


@kennis_app.command("advies", cls=DutchCommand)
def advies(
    werkmap: OptionaleWerkmapOptie = None,
    regio: RegioOptie = None,
    knelpunten: Annotated[
        Path | None,
        typer.Option(
            "--knelpunten",
            help="Of: een JSON-bestand met knelpunten, zoals 'dekkend diagnose' het schrijft.",
            show_default=False,
        ),
    ] = None,
    gebied: Annotated[
        str | None,
        typer.Option("--gebied", help='Geef voorrang aan praktijkvoorbeelden uit dit gebied, bijvoorbeeld "Zeeland".'),
    ] = None,
    aantal: Annotated[int, typer.Option("--aantal", "-n", help="Aantal aanbevelingen per knelpunt.")] = 5,
    als_json: Annotated[bool, typer.Option("--json", help="Geef het advies als JSON.")] = False,
) -> None:
    """Koppel de knelpunten van een regio aan artikelen en ondersteuning, met de reden.

    Met --werkmap diagnosticeert dekkend eerst de regio van --regio (zoals 'dekkend diagnose') en koppelt
    die knelpunten; met --knelpunten leest het een JSON-bestand dat 'dekkend diagnose' schreef.
    """
    if (werkmap is None) == (knelpunten is None):
        raise ConfiguratieFout(
            "geef --werkmap (met eventueel --regio) of --knelpunten op, niet allebei en niet geen van beide"
        )
    if werkmap is not None:
        from dekkend import Workspace
        from dekkend.diagnose import diagnose

        diagnosis = diagnose(Workspace(werkmap).require().tables(), regio)
        result = match_knelpunten(
            diagnosis.knelpunten,
            regio=diagnosis.regio,
            peiljaar=diagnosis.peiljaar,
            gebied=gebied,
            per_knelpunt=aantal,
            limit=max(10, aantal),
        )
    else:
        assert knelpunten is not None  # exactly one of --werkmap and --knelpunten, checked above
        result = advice_for_file(knelpunten, gebied=gebied, per_knelpunt=aantal, limit=max(10, aantal))
    if als_json:
        _echo_json(result.to_dict())
        return
    _print_advice(Console(), result)


def _echo_json(data: dict[str, Any]) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _print_search(console: Console, result: SearchResult) -> None:
    filters = [f"soort {result.soort}" if result.soort else "", f"gebied {result.gebied}" if result.gebied else ""]
    where = ", ".join(f for f in filters if f)
    head = f"{result.total} artikel(en) voor '{result.query}'" + (f" ({where})" if where else "")
    console.print(Text(head, style="bold"))
    if not result.hits:
        console.print("Niets gevonden. Probeer andere of minder woorden, of laat een filter weg.")
    for rank, hit in enumerate(result.hits, start=1):
        e = hit.entry
        where_when = " · ".join(x for x in (e.soort_label, e.regio, e.jaar) if x)
        console.print()
        console.print(Text.assemble(f"{rank}. ", (e.id, "bold cyan"), "  ", (where_when, "dim")))
        console.print(Text(f"   {e.titel}", style="bold"))
        console.print(Text(f"   {hit.fragment}"))
    if result.hits:
        console.print()
        console.print("Lees een artikel met: dekkend kennis toon ID", style="dim")
    for facet, counts in result.facets.items():
        if counts:
            shown = ", ".join(f"{k} ({v})" for k, v in list(counts.items())[:12])
            console.print(Text.assemble((f"{facet}: ", "bold"), shown))


def _print_entry(console: Console, entry: Entry) -> None:
    meta = Table.grid(padding=(0, 2))
    meta.add_column(style="bold")
    meta.add_column()
    meta.add_row("id", entry.id)
    meta.add_row("soort", entry.soort_label)
    meta.add_row("regio", entry.regio)
    if entry.jaar:
        meta.add_row("jaar", entry.jaar)
    if entry.partijen:
        meta.add_row("partijen", "; ".join(entry.partijen))
    meta.add_row("thema's", ", ".join(entry.themas))
    meta.add_row("helpt bij", "\n".join(f"{KNELPUNTTYPEN[t]}: {r}" for t, r in entry.knelpunttypen))
    console.print(Panel(meta, title=entry.titel, title_align="left"))
    console.print(Text(entry.samenvatting, style="italic"))
    console.print(Markdown(entry.body))
    for label, items in (("Voorwaarden", entry.voorwaarden), ("Juridische basis", entry.juridische_basis)):
        if items:
            console.print(Text(label, style="bold"))
            for item in items:
                console.print(f"  - {item}")
    console.print(Text("Bronnen", style="bold"))
    for number, source in enumerate(entry.bronnen, start=1):
        date = f", {source.datum}" if source.datum else ""
        console.print(
            f"  [{number}] {source.titel}{date} – {source.url} (geraadpleegd {source.gezien.isoformat()})",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )


def _print_advice(console: Console, result: Advice) -> None:
    title = "Advies uit de kennisbank"
    if result.regio:
        title += f" voor {result.regio}"
    if result.peiljaar:
        title += f" (peiljaar {school_year(result.peiljaar)})"
    console.print(Text(title, style="bold"))
    if result.gebied:
        console.print(f"Voorbeelden uit {result.gebied} krijgen voorrang.")
    for note in result.overgeslagen:
        console.print(Text(note, style="yellow"))
    if not result.per_knelpunt:
        console.print("Er zijn geen knelpunten om op te adviseren.")
        return
    for ka in result.per_knelpunt:
        k = ka.knelpunt
        console.print()
        console.print(
            Text.assemble(
                ("Knelpunt: ", "bold"),
                k.titel,
                "  ",
                (f"[{KNELPUNTTYPEN[k.type]}, ernst {k.ernst}]", _ERNST_STYLE[k.ernst]),
            )
        )
        _print_recommendations(console, ka.aanbevelingen)
    console.print()
    console.print(Text("Ranglijst over alle knelpunten", style="bold"))
    table = Table()
    table.add_column("#", justify="right")
    table.add_column("id")
    table.add_column("soort")
    table.add_column("helpt bij")
    for rank, r in enumerate(result.ranglijst, start=1):
        table.add_row(str(rank), r.entry.id, r.entry.soort_label, "\n".join(r.knelpunten))
    console.print(table)
    if result.ondersteuning:
        console.print(Text("Wie kunt u om hulp vragen?", style="bold"))
        _print_recommendations(console, result.ondersteuning)
    console.print("Lees een artikel met: dekkend kennis toon ID", style="dim")


def _print_recommendations(console: Console, recommendations: tuple[Recommendation, ...]) -> None:
    for r in recommendations:
        console.print(
            Text.assemble("  • ", (r.entry.id, "cyan"), f" – {r.entry.titel} ", (f"({r.entry.soort_label})", "dim"))
        )
        for reason in r.redenen:
            console.print(Text(f"      {reason}"))
