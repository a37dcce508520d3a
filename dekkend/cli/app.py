"""The ``dekkend`` application: every command under one Dutch group with a global ``--debug``."""

from __future__ import annotations

from typing import Annotated

import typer

from dekkend.cli import (
    bereikbaarheid,
    demo,
    diagnose,
    download,
    importeer,
    kennis,
    optimaliseer,
    prognose,
    rapport,
    scenario,
    web,
)
from dekkend.cli.support import DEBUG_HELP, DutchCommand, DutchGroup

HELP = "dekkend: een dekkend en bereikbaar onderwijsaanbod in het voortgezet onderwijs, ook bij leerlingendaling."

app = typer.Typer(
    name="dekkend",
    help=HELP,
    cls=DutchGroup,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@app.callback(help=HELP)
def _global_options(
    debug: Annotated[bool, typer.Option("--debug", help=DEBUG_HELP)] = False,
) -> None:
    # The error boundary (dekkend.cli.support) reads --debug from the root context.
    del debug


#: Every command in the order ``dekkend --help`` lists them.
COMMANDS = (
    ("importeer", importeer.importeer),
    ("regio", importeer.regio),
    ("demo", demo.demo),
    ("prognose", prognose.prognose),
    ("backtest", prognose.backtest),
    ("bereikbaarheid", bereikbaarheid.bereikbaarheid),
    ("diagnose", diagnose.diagnose_cmd),
    ("scenario", scenario.scenario_cmd),
    ("rapport", rapport.rapport),
    ("optimaliseer", optimaliseer.optimaliseer),
    ("download", download.download),
)
for _name, _function in COMMANDS:
    app.command(_name, cls=DutchCommand)(_function)
app.add_typer(
    kennis.kennis_app,
    name="kennis",
    help="Kennisbank: samenwerkingsvormen, routes, voorbeelden en ondersteuning.",
)


app.add_typer(web.web_app, name="web")


def main() -> None:
    """Console-script entry point (``dekkend``) and ``python -m dekkend``."""
    app()
