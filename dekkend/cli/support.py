"""What every command of the ``dekkend`` command line shares.

- the consoles (output on stdout, progress and errors on stderr) and the progress bar;
- the shared options (``--werkmap``, ``--regio``), each with one Dutch help text;
- the number formatting of :mod:`dekkend.formatting` (the one Dutch notation);
- :func:`report_with_progress`, the report writer that ``rapport`` and ``demo`` share;
- :class:`DutchGroup` and :class:`DutchCommand`, the click classes every command is built with:
  Dutch help, Dutch usage errors, and the one error boundary (:func:`error_boundary`). Nothing is
  patched globally: an application that imports dekkend keeps click's own texts.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
import typer.core
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from dekkend.errors import DekkendError
from dekkend.formatting import count, euro, number, percent, school_year

if TYPE_CHECKING:
    import pandas as pd

    from dekkend.scenarios import Scenario

try:  # typer >= 0.26 carries its own copy of click
    from typer import _click as click
except ImportError:  # pragma: no cover - older typer uses click itself
    import click  # type: ignore[no-redef,import-not-found,unused-ignore]

__all__ = [
    "DEBUG_HELP",
    "REGIO_HELP",
    "WERKMAP_HELP",
    "DutchCommand",
    "DutchGroup",
    "OptionaleWerkmapOptie",
    "RegioOptie",
    "WerkmapOptie",
    "console",
    "count",
    "err_console",
    "error_boundary",
    "euro",
    "number",
    "percent",
    "progress_bar",
    "report_with_progress",
    "school_year",
]

console = Console()
err_console = Console(stderr=True)


def fit_consoles() -> None:
    """Take the width of the consoles from ``COLUMNS`` at every invocation (rich reads it once, when a
    console is made: a console made at import would keep the width of whatever ran first)."""
    columns = os.environ.get("COLUMNS", "")
    for c in (console, err_console):
        c.width = int(columns) if columns.isdigit() else None  # type: ignore[assignment]


WERKMAP_HELP = "Werkmap: de map met de gegevens van dekkend (gemaakt door importeer, download of demo)."
REGIO_HELP = (
    "Regio: gemeente:0715,0716, corop:31, onderwijsgebied:19, rmc:33, rpa:.., nodaal:.., wgr:.., "
    "bestuur:NUMMER, een naam in plaats van een code, of een YAML-bestand. Leeg: alle vestigingen "
    "in de werkmap (na een landelijke import: heel Nederland)."
)
DEBUG_HELP = "Toon bij een onverwachte fout de volledige technische foutmelding (traceback)."
HELP_HELP = "Toon deze hulptekst en stop."

WerkmapOptie = Annotated[Path, typer.Option("--werkmap", "-w", help=WERKMAP_HELP)]
OptionaleWerkmapOptie = Annotated[Path | None, typer.Option("--werkmap", "-w", help=WERKMAP_HELP, show_default=False)]
RegioOptie = Annotated[str | None, typer.Option("--regio", "-r", help=REGIO_HELP, show_default=False)]


def progress_bar() -> Progress:
    """The progress bar every long command uses (on stderr, so piped output stays clean)."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[item]}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
    )


def report_with_progress(
    tables: dict[str, pd.DataFrame],
    regio: str | None,
    uitvoer: Path,
    *,
    pdf: bool,
    scenarios: Sequence[Scenario] = (),
) -> Path:
    """Write the report with a progress bar on stderr and say where it is; returns the HTML path.

    A PDF that could not be made is a warning (the HTML is there), not an error. ``scenarios`` adds
    the chapter "Scenario's vergeleken". Shared by ``dekkend rapport`` and ``dekkend demo``.
    """
    from dekkend.report import check_scenarios, write_report

    check_scenarios(tables, regio, scenarios)  # a scenario that does not fit the workspace fails before the bar shows
    with progress_bar() as bar:
        task = bar.add_task("Rapport", total=None, item="")

        def step(name: str, i: int, n: int) -> None:
            bar.update(task, total=n, completed=i, item=name)

        result = write_report(tables, regio, uitvoer, pdf=pdf, progress=step, scenarios=scenarios)
    console.print(f"[green]Rapport geschreven:[/] {result.html.resolve()}", highlight=False, soft_wrap=True)
    if result.scenarios:
        names = ", ".join(r.scenario.naam for r in result.scenarios)
        console.print(f"Met de scenariovergelijking ({names}).", highlight=False, soft_wrap=True)
    console.print(
        f"Open het in een browser (er is geen internet nodig): {result.html.resolve().as_uri()}",
        highlight=False,
        soft_wrap=True,
    )
    if result.pdf is not None:
        console.print(f"[green]PDF geschreven:[/] {result.pdf.resolve()}", highlight=False, soft_wrap=True)
    elif result.pdf_message:
        err_console.print(f"[yellow]Let op:[/] {result.pdf_message}", highlight=False, soft_wrap=True)
    return result.html


# --- the error boundary --------------------------------------------------------------------------


def _write_log(exc: BaseException, ctx: Any) -> Path | None:
    """Write an unexpected error to a new file in the temp dir (None if that fails)."""
    lines = [
        f"dekkend: onverwachte fout op {datetime.now().isoformat(timespec='seconds')}",
        f"opdracht: {getattr(ctx, 'command_path', '?')}",
        f"opties: {getattr(ctx, 'params', {})!r}",
        f"python: {sys.version.split()[0]} op {sys.platform}",
        "",
        *traceback.format_exception(exc),
    ]
    try:
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", prefix="dekkend-fout-", suffix=".log", delete=False
        ) as fh:
            fh.write("\n".join(line.rstrip("\n") for line in lines) + "\n")
        return Path(fh.name)
    except OSError:
        return None


@contextmanager
def error_boundary(ctx: Any) -> Iterator[None]:
    """The one place where an exception becomes what the user reads.

    A :class:`DekkendError` becomes its Dutch message and exit code 2. Any other exception is a bug
    in dekkend: a short Dutch message with the log file that holds the details, and exit code 1;
    the traceback itself only with ``dekkend --debug``. click's own signals (exit, usage error,
    abort) pass.
    """
    debug = bool(ctx.find_root().params.get("debug"))
    fit_consoles()
    try:
        yield
    except (click.exceptions.ClickException, typer.Exit, typer.Abort):
        raise
    except DekkendError as exc:
        if debug:
            err_console.print(Text("".join(traceback.format_exception(exc))), highlight=False)
        err_console.print(Text.assemble(("Fout:", "bold red"), f" {exc}"), highlight=False, soft_wrap=True)
        raise typer.Exit(2) from exc
    except Exception as exc:
        if debug:
            err_console.print(Text("".join(traceback.format_exception(exc))), highlight=False)
        log = _write_log(exc, ctx)
        where = f"De details staan in {log}." if log is not None else "De details konden niet worden weggeschreven."
        err_console.print(
            Text.assemble(
                ("Onverwachte fout", "bold red"),
                f" ({type(exc).__name__}): dit is een fout in dekkend, niet in uw invoer. {where} "
                + ("" if debug else "Start de opdracht met dekkend --debug om ze hier te zien. ")
                + ("Meld de fout graag, met dat bestand." if log else "Meld de fout graag."),
            ),
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(1) from exc


# --- Dutch help and usage errors ------------------------------------------------------------

#: The bracketed notes click adds to an option's help, in Dutch.
_NOTES = (
    ("default: ", "standaard: "),
    ("required", "verplicht"),
    ("env var: ", "omgevingsvariabele: "),
)


def _dutch_notes(help_text: str) -> str:
    match = re.search(r"\[([^\[\]]*)\]$", help_text)
    if match is None:
        return help_text
    notes = match.group(1)
    for english, dutch in _NOTES:
        notes = re.sub(rf"(^|; ){re.escape(english)}", rf"\g<1>{dutch}", notes)
    return help_text[: match.start()] + f"[{notes}]"


#: Dutch names for the value placeholders in the help (``--werkmap PAD``).
_METAVARS = {
    "path": "PAD",
    "str": "TEKST",
    "int": "GETAL",
    "float": "GETAL",
    "bool": "JA/NEE",
    "int range": "GETAL",
    "float range": "GETAL",
}


def _dutch_metavar(names: str) -> str:
    """``-w, --werkmap <path>`` -> ``-w, --werkmap PAD`` (a list reads as one value, repeated)."""

    def one(match: re.Match[str]) -> str:
        kind = match.group(1)
        inner = re.fullmatch(r"list\[(.*)\]", kind)
        kind = (inner.group(1) if inner else kind).lower()
        return _METAVARS.get(kind, kind.upper())

    names = re.sub(r"<([^<>]+)>", one, names)
    return re.sub(r" (INT|FLOAT) RANGE$", " GETAL", names)


def _expected(error: dict[str, Any]) -> str | None:
    """What a value should have been, in Dutch, from typer's validation error; None when unknown."""
    kind, limits = error.get("type", ""), error.get("ctx") or {}
    if kind.startswith("int_"):
        return "een geheel getal"
    if kind.startswith("float_"):
        return "een getal met een punt als decimaalteken, zoals 0.3"
    if kind.startswith("bool_"):
        return "ja of nee (true/false)"
    bounds = {
        "greater_than_equal": ("minstens", "ge"),
        "greater_than": ("meer dan", "gt"),
        "less_than_equal": ("hoogstens", "le"),
        "less_than": ("minder dan", "lt"),
    }
    if kind in bounds:
        word, key = bounds[kind]
        return f"{word} {number(limits.get(key)) if limits.get(key) is not None else '?'}"
    if kind in ("literal_error", "enum"):
        return f"een van: {limits.get('expected', '?')}"
    return None


def _hint(exc: Any) -> str:
    """How a usage error names its parameter: ``'--werkmap' / '-w'`` or ``'VRAAG'``."""
    hint, param = exc.param_hint, getattr(exc, "param", None)
    if hint is None and param is not None:
        try:
            hint = param.get_error_hint(exc.ctx)
        except TypeError:  # typer's own parameters take no context
            hint = param.get_error_hint()
    if isinstance(hint, Sequence) and not isinstance(hint, str):
        hint = " / ".join(f"'{h}'" for h in hint)
    return str(hint or "")


def _bad_value(exc: Any) -> str:
    hint = _hint(exc)
    cause = exc.__cause__
    errors = cause.errors() if callable(getattr(cause, "errors", None)) else []
    expected = _expected(errors[0]) if errors else None
    if expected is None:
        return f"ongeldige waarde voor {hint}: {exc.message}"
    value = errors[0].get("input")
    shown = f" '{value}'" if value is not None else ""
    return f"ongeldige waarde{shown} voor {hint}; verwacht {expected}."


def dutch_usage_message(exc: Any) -> str:
    """The Dutch text of a usage error (missing or unknown option, bad value, stray argument)."""
    exceptions = click.exceptions
    if isinstance(exc, exceptions.MissingParameter):
        param = exc.param
        kind = exc.param_type or (param.param_type_name if param is not None else "parameter")
        hint = _hint(exc)
        noun = {"option": "de optie", "argument": "het argument"}.get(kind, "de waarde")
        return f"{noun} {hint} ontbreekt."
    if isinstance(exc, exceptions.NoSuchOption):
        guess = f" Bedoelt u {' of '.join(sorted(exc.possibilities))}?" if exc.possibilities else ""
        return f"onbekende optie {exc.option_name}.{guess}"
    if isinstance(exc, exceptions.BadOptionUsage):
        if "does not take a value" in exc.message:
            return f"de optie {exc.option_name} krijgt geen waarde."
        return f"de optie {exc.option_name} heeft een waarde nodig."
    if isinstance(exc, exceptions.BadParameter):
        return _bad_value(exc)
    message = exc.message
    patterns = (
        (r"No such command '(.*?)'\.(?: Did you mean (.*)\?)?", "onbekende opdracht '{0}'.{1}"),
        (r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)", "onverwacht extra argument: {0}."),
        (r"Missing command\.", "geef een opdracht."),
    )
    for pattern, dutch in patterns:
        found = re.match(pattern, message)
        if found:
            groups = list(found.groups()) + [None]
            extra = f" Bedoelt u {groups[1]}?" if len(groups) > 2 and groups[1] else ""
            return dutch.format(groups[0], extra)
    return message


def _show_usage_error(exc: Any) -> None:
    """Print a usage error as click does, in Dutch: usage line, hint, message (on stderr)."""
    ctx = exc.ctx
    lines = []
    if ctx is not None:
        lines.append(ctx.get_usage())
        help_names = ctx.help_option_names
        if ctx.command.get_help_option(ctx) is not None and help_names:
            lines.append(f"Probeer '{ctx.command_path} {help_names[0]}' voor de hulptekst.")
        lines.append("")
    text = dutch_usage_message(exc)
    lines.append(f"Fout: {text[:1].upper()}{text[1:]}")
    typer.echo("\n".join(lines), err=True)


class _Dutch:
    """Dutch help, Dutch usage errors and the error boundary, for a command or a group."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["options_metavar"] = "[OPTIES]"
        super().__init__(*args, **kwargs)

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = HELP_HELP
        return option

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self.format_usage(ctx, formatter)
        self.format_help_text(ctx, formatter)  # type: ignore[attr-defined]
        self.format_options(ctx, formatter)
        self.format_epilog(ctx, formatter)  # type: ignore[attr-defined]

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        pieces = self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix="Gebruik: ")

    def format_options(self, ctx: Any, formatter: Any) -> None:
        sections: dict[str, list[tuple[str, str]]] = {"Argumenten": [], "Opties": []}
        for param in self.get_params(ctx):  # type: ignore[attr-defined]
            record = param.get_help_record(ctx)
            if record is not None:
                section = "Argumenten" if param.param_type_name == "argument" else "Opties"
                sections[section].append((_dutch_metavar(record[0]), _dutch_notes(record[1])))
        for title, rows in sections.items():
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)
        commands = getattr(self, "commands", None)
        if commands:
            rows = [
                (name, cmd.get_short_help_str(formatter.width - 6 - max(map(len, commands))))
                for name, cmd in commands.items()
                if not cmd.hidden
            ]
            with formatter.section("Opdrachten"):
                formatter.write_dl(rows)

    def invoke(self, ctx: Any) -> Any:
        with error_boundary(ctx):
            return super().invoke(ctx)  # type: ignore[misc]

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        run = super().main  # type: ignore[misc]
        try:
            result = run(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:  # no arguments: the help, in Dutch
            if not standalone_mode:
                raise
            exc.show()
            sys.exit(exc.exit_code)
        except click.exceptions.ClickException as exc:
            if not standalone_mode:
                raise
            if isinstance(exc, click.exceptions.UsageError):
                _show_usage_error(exc)
            else:
                typer.echo(f"Fout: {exc.format_message()}", err=True)
            sys.exit(exc.exit_code)
        except typer.Abort:
            if not standalone_mode:
                raise
            typer.echo("Afgebroken.", err=True)
            sys.exit(1)
        if not standalone_mode:
            return result
        sys.exit(result if isinstance(result, int) else 0)


class DutchCommand(_Dutch, typer.core.TyperCommand):
    """A command with Dutch help and usage errors, behind the one error boundary."""


class DutchGroup(_Dutch, typer.core.TyperGroup):
    """A group of commands with Dutch help and usage errors, behind the one error boundary."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("subcommand_metavar") is None:
            kwargs["subcommand_metavar"] = "OPDRACHT [ARGUMENTEN]..."
        super().__init__(*args, **kwargs)
