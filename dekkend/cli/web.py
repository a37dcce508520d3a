"""``dekkend web``: the regional web workspace, and its accounts, regions and tokens.

``dekkend web`` alone starts the server (gunicorn plus the task worker) after running the database
migrations; the sub-commands manage what the workspace holds. Everything is a thin shell over
:mod:`dekkend.web`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dekkend.cli.support import DutchCommand, DutchGroup, WerkmapOptie, console

DATABASE_HELP = (
    "Database van de werkruimte: postgresql://gebruiker:wachtwoord@host:poort/naam; zonder deze optie "
    "DATABASE_URL, anders een SQLite-bestand in de map WERKMAP-web naast de werkmap."
)
DatabaseOptie = Annotated[str | None, typer.Option("--database", help=DATABASE_HELP, show_default=False)]

web_app = typer.Typer(
    name="web",
    help="De regionale werkruimte in de browser: starten, accounts, regio's, API-tokens en meldingen.",
    cls=DutchGroup,
    invoke_without_command=True,
    add_completion=False,
    rich_markup_mode=None,
)
gebruiker_app = typer.Typer(
    name="gebruiker", help="Accounts van de werkruimte.", cls=DutchGroup, no_args_is_help=True, rich_markup_mode=None
)
regio_app = typer.Typer(
    name="regio", help="Regio's van de werkruimte.", cls=DutchGroup, no_args_is_help=True, rich_markup_mode=None
)
web_app.add_typer(gebruiker_app)
web_app.add_typer(regio_app)


@web_app.callback()
def web(
    ctx: typer.Context,
    werkmap: WerkmapOptie = Path("dekkend-demo"),
    adres: Annotated[str, typer.Option("--adres", help="Host en poort waarop de server luistert.")] = "127.0.0.1:8000",
    database: DatabaseOptie = None,
    processen: Annotated[int, typer.Option("--processen", min=1, help="Aantal serverprocessen.")] = 2,
) -> None:
    """Start de regionale werkruimte (een productieserver plus de takenverwerker) op de gegevens van WERKMAP.

    De databasemigraties lopen bij de start. Op de demowerkmap maakt dekkend een account per rol en drukt de
    wachtwoorden af. Stoppen met Ctrl-C.
    """
    if ctx.invoked_subcommand is not None:
        ctx.obj = {"werkmap": werkmap, "database": database}
        return
    import dekkend.web

    dekkend.web.serve(werkmap, adres, database, workers=processen, announce=typer.echo)


def _configure(ctx: typer.Context) -> Path:
    import dekkend.web

    options = ctx.obj or {}  # set by the ``web`` callback, inherited by its sub-commands
    werkmap = Path(options.get("werkmap") or "dekkend-demo")
    dekkend.web.configure(werkmap, options.get("database"))
    return werkmap


@gebruiker_app.command("toevoegen", cls=DutchCommand)
def gebruiker_toevoegen(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="E-mailadres (ook de inlognaam).", metavar="EMAIL")],
    rol: Annotated[
        str, typer.Option("--rol", help="bestuur, regiocoordinator, adviseur, accountmanager of beheerder.")
    ] = "bestuur",
    naam: Annotated[str, typer.Option("--naam", help="Voor- en achternaam.")] = "",
    bestuur: Annotated[
        str | None, typer.Option("--bestuur", help="Bevoegd-gezagnummer (verplicht bij rol bestuur).")
    ] = None,
    regio: Annotated[
        list[int] | None,
        typer.Option("--regionummer", help="Nummer van een regio waaraan het account wordt toegewezen (herhaalbaar)."),
    ] = None,
) -> None:
    """Voeg een account toe; het wachtwoord wordt eenmalig getoond (de persoon wijzigt het na het inloggen)."""
    import dekkend.web

    _configure(ctx)
    _, password = dekkend.web.add_user(email, rol, naam=naam, bestuur=bestuur, regios=regio or [])
    console.print(f"Account {email} ({rol}) toegevoegd. Wachtwoord (alleen nu zichtbaar): {password}")


@regio_app.command("toevoegen", cls=DutchCommand)
def regio_toevoegen(
    ctx: typer.Context,
    naam: Annotated[str, typer.Argument(help="Naam van de regio zoals gebruikers haar zien.", metavar="NAAM")],
    selectie: Annotated[
        str,
        typer.Argument(
            help="De regio als --regio van de andere commando's: corop:31, gemeente:0715,0716, bestuur:N+bestuur:M.",
            metavar="SELECTIE",
        ),
    ],
) -> None:
    """Voeg een regio toe (of werk haar bij); haar besturen volgen uit de vestigingen in de werkmap."""
    import dekkend.web

    werkmap = _configure(ctx)
    regio = dekkend.web.add_region(werkmap, naam, selectie)
    console.print(f"Regio {naam} ({selectie}) heeft nummer {regio.pk} en {regio.besturen.count()} besturen.")  # type: ignore[attr-defined]


@web_app.command("token", cls=DutchCommand)
def token(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="E-mailadres van het account.", metavar="EMAIL")],
    naam: Annotated[str, typer.Option("--naam", help="Waarvoor het token dient.")] = "opdrachtregel",
) -> None:
    """Maak een persoonlijk API-token voor een account; het wordt eenmalig getoond."""
    import dekkend.web

    _configure(ctx)
    key = dekkend.web.make_token(email, naam)
    console.print(f"API-token voor {email} (alleen nu zichtbaar): {key}")


@web_app.command("backup", cls=DutchCommand)
def backup(
    ctx: typer.Context,
    pad: Annotated[Path, typer.Argument(help="Nieuw backupbestand (.tar.gz).", metavar="PAD")],
) -> None:
    """Maak een backup van de werkruimte: de database, de eigen bestanden en de versie van de werkmap."""
    import dekkend.web

    _configure(ctx)
    manifest = dekkend.web.backup(pad)
    rows = sum(manifest["rijen"].values())
    console.print(
        f"Backup geschreven: {pad} ({rows} rijen in {len(manifest['rijen'])} tabellen, "
        f"{len(manifest['inhoud']) - 1} bestanden; database {manifest['database']})."
    )


@web_app.command("herstel", cls=DutchCommand)
def herstel(
    ctx: typer.Context,
    pad: Annotated[Path, typer.Argument(help="Backupbestand van dekkend web backup.", metavar="PAD")],
    vervang: Annotated[
        bool, typer.Option("--vervang", help="Wis wat de werkruimte nu bevat en zet de backup terug.")
    ] = False,
) -> None:
    """Zet een backup terug in een lege werkruimte (of, met --vervang, in plaats van wat er staat)."""
    import dekkend.web

    _configure(ctx)
    manifest = dekkend.web.restore(pad, replace=vervang)
    console.print(f"Backup van {manifest['moment']} teruggezet ({sum(manifest['rijen'].values())} rijen).")
    if manifest["werkmap_anders"]:
        console.print(
            "Let op: de werkmap heeft nu andere gegevens dan bij de backup; de analyses worden opnieuw berekend."
        )
    console.print("Iedereen logt opnieuw in (sessies staan niet in een backup).")


@web_app.command("meldingen", cls=DutchCommand)
def meldingen(ctx: typer.Context) -> None:
    """Verstuur de herinneringen en de dagelijkse samenvattingen van meldingen (eens per dag draaien, bv. via cron)."""
    import dekkend.web

    _configure(ctx)
    done = dekkend.web.daily_notifications()
    console.print(", ".join(f"{name}: {count}" for name, count in done.items()))
