"""The command line's contract: Dutch help, documented options, Dutch usage errors, one boundary.

The lists of commands and options come from the app itself, so a new command or option without Dutch
help or without documentation fails here.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
import typer.main
from typer.testing import CliRunner

import dekkend.workspace
from dekkend.cli import app

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()

#: Words that give English away in a help text (none of them is Dutch).
ENGLISH = re.compile(
    r"\b(the|and|with|for|this|from|which|when|each|show|message|default|required|"
    r"usage|options|commands|arguments|missing|invalid|error|try)\b",
    re.IGNORECASE,
)
#: What click or typer print in English when nobody translated them.
ENGLISH_OUTPUT = (
    "Usage:",
    "Options",
    "Commands",
    "Arguments",
    "Error",
    "Missing",
    "No such",
    "Invalid",
    "Try '",
    "Show this message",
    "[default",
    "[required]",
    "Got unexpected",
    "Did you mean",
)


def _commands() -> Iterator[tuple[str, typer.core.TyperCommand]]:
    """Every command as ``(path, command)``: ``dekkend``, ``dekkend importeer``, ..."""

    def walk(cmd, path):  # noqa: ANN001, ANN202
        yield path, cmd
        for name, sub in getattr(cmd, "commands", {}).items():
            yield from walk(sub, f"{path} {name}")

    yield from walk(typer.main.get_command(app), "dekkend")


COMMANDS = dict(_commands())
LEAVES = [path for path, cmd in COMMANDS.items() if not getattr(cmd, "commands", None)]


def _invoke(*args: str):  # noqa: ANN202
    return runner.invoke(app, list(args), env={"COLUMNS": "120"})


def _docs() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in [ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])


def _section(text: str, path: str) -> str:
    """The part of docs/cli.md under ``## <path>``, up to the next heading of that level."""
    found = re.search(rf"^## {re.escape(path)}\n(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    assert found, f"docs/cli.md has no section '## {path}'"
    return found.group(1)


def test_the_app_lists_every_command():
    assert {"dekkend importeer", "dekkend optimaliseer", "dekkend kennis advies"} <= set(LEAVES)
    assert {"dekkend web gebruiker toevoegen", "dekkend web regio toevoegen", "dekkend web token"} <= set(LEAVES)
    assert {"dekkend web backup", "dekkend web herstel"} <= set(LEAVES)
    assert "dekkend web meldingen" in LEAVES
    assert len(LEAVES) == 20


@pytest.mark.parametrize("path", COMMANDS)
def test_every_command_and_option_has_dutch_help(path):
    cmd = COMMANDS[path]
    assert cmd.help and not ENGLISH.search(cmd.help), (path, cmd.help)
    for param in cmd.params:
        assert param.help, (path, param.name)
        assert not ENGLISH.search(param.help), (path, param.name, param.help)


@pytest.mark.parametrize("path", LEAVES)
def test_every_command_and_option_is_documented(path):
    docs = _docs()
    assert f"{path}" in docs
    section = _section((ROOT / "docs" / "cli.md").read_text(encoding="utf-8"), path)
    for param in COMMANDS[path].params:
        if param.param_type_name == "argument":
            names = [param.metavar or param.name.upper()]
        else:
            names = [n for n in (*param.opts, *param.secondary_opts) if n.startswith("--")]
        for name in names:
            assert re.search(rf"`{re.escape(name)}\b", section), f"{path}: {name} not in docs/cli.md"


def test_the_global_options_are_documented():
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for param in COMMANDS["dekkend"].params:
        assert f"`{param.opts[0]}`" in text
    assert "docs/cli.md" in (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("option", ["--werkmap", "--regio"])
def test_a_shared_option_has_one_help_text(option):
    texts = {param.help for cmd in COMMANDS.values() for param in cmd.params if option in param.opts}
    assert len(texts) == 1, texts


@pytest.mark.parametrize("path", COMMANDS)
def test_help_is_dutch_for_every_command(path):
    res = _invoke(*path.split()[1:], "--help")
    assert res.exit_code == 0, res.output
    assert res.output.startswith("Gebruik: ") and "Toon deze hulptekst en stop." in res.output
    assert not [w for w in ENGLISH_OUTPUT if w in res.output], res.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["regio"], "Fout: De optie '--werkmap' / '-w' ontbreekt."),
        (["kennis", "zoek"], "Fout: Het argument"),
        (
            ["regio", "--werkmap", "w", "--regi", "x"],
            "Fout: Onbekende optie --regi. Bedoelt u --regio?",
        ),
        (
            ["prognose", "-w", "w", "--peiljaar", "twee", "-o", "p.csv"],
            "Fout: Ongeldige waarde 'twee' voor '--peiljaar'; verwacht een geheel getal.",
        ),
        (
            ["prognose", "-w", "w", "--peiljaar", "2020", "-o", "p.csv", "--verval", "0,3"],
            "verwacht een getal met een punt als decimaalteken",
        ),
        (
            ["optimaliseer", "-w", "w", "--jaar", "2030", "--max-wijzigingen", "-1"],
            "verwacht minstens 0",
        ),
        (["regio", "-w", "w", "overbodig"], "Fout: Onverwacht extra argument: overbodig."),
        (["prognoze"], "Fout: Onbekende opdracht 'prognoze'."),
        (["regio", "-w"], "Fout: De optie -w heeft een waarde nodig."),
    ],
)
def test_usage_errors_are_dutch(args, message):
    res = _invoke(*args)
    assert res.exit_code == 2, res.output
    assert message in res.output, res.output
    assert not [w for w in ENGLISH_OUTPUT if w in res.output], res.output


def test_a_usage_error_shows_the_dutch_usage_line():
    res = _invoke("diagnose", "--werkmap", "w")
    assert res.output.splitlines()[:2] == [
        "Gebruik: dekkend diagnose [OPTIES]",
        "Probeer 'dekkend diagnose --help' voor de hulptekst.",
    ]


def test_importing_the_cli_leaves_click_itself_alone():
    """Another typer app in the same process keeps its own English texts: nothing is patched."""
    other = typer.Typer()

    @other.command()
    def hello(name: str) -> None:
        typer.echo(name)

    assert "Show this message and exit." in runner.invoke(other, ["--help"]).output
    assert "Missing argument" in runner.invoke(other, []).output


# --- the error boundary ---------------------------------------------------------------------------


@pytest.fixture
def log_dir(tmp_path, monkeypatch):
    """The temp dir where the boundary writes its logs, for this test only."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def test_a_dekkend_error_is_its_message_and_exit_2(tmp_path, log_dir):
    res = _invoke("regio", "--werkmap", str(tmp_path / "nergens"))
    assert res.exit_code == 2
    assert res.output.startswith("Fout: werkmap ") and "dekkend importeer" in res.output
    assert "Traceback" not in res.output and not list(log_dir.glob("dekkend-fout-*.log"))


def test_a_dekkend_error_with_debug_shows_the_traceback_too(tmp_path):
    res = _invoke("--debug", "regio", "--werkmap", str(tmp_path / "nergens"))
    assert res.exit_code == 2
    assert "Traceback" in res.output and "WerkmapFout" in res.output and "Fout: werkmap " in res.output


def _broken_require(self):  # noqa: ANN001, ANN202 - a Workspace.require that hits a bug
    return {}["vestigingen"]


def test_an_unexpected_error_is_a_short_message_with_a_log_and_exit_1(tmp_path, log_dir, monkeypatch):
    monkeypatch.setattr(dekkend.workspace.Workspace, "require", _broken_require)
    res = _invoke("regio", "--werkmap", str(tmp_path))
    assert res.exit_code == 1
    text = " ".join(res.output.split())
    assert text.startswith("Onverwachte fout (KeyError): dit is een fout in dekkend")
    assert "Traceback" not in res.output and "--debug" in text
    (log,) = log_dir.glob("dekkend-fout-*.log")
    assert str(log) in text
    details = log.read_text(encoding="utf-8")
    assert "opdracht: dekkend regio" in details and "Traceback" in details and "_broken_require" in details


def test_an_unexpected_error_with_debug_shows_the_traceback(tmp_path, log_dir, monkeypatch):
    monkeypatch.setattr(dekkend.workspace.Workspace, "require", _broken_require)
    res = _invoke("--debug", "regio", "--werkmap", str(tmp_path))
    assert res.exit_code == 1
    assert "Traceback" in res.output and "_broken_require" in res.output and "KeyError" in res.output
    assert "Onverwachte fout (KeyError)" in res.output and len(list(log_dir.glob("dekkend-fout-*.log"))) == 1


def test_a_command_mounted_on_its_own_keeps_the_boundary(tmp_path):
    """Tests and other programs may mount one command with DutchCommand; errors still read Dutch."""
    from dekkend.cli.importeer import regio
    from dekkend.cli.support import DutchCommand

    own = typer.Typer()
    own.command(cls=DutchCommand)(regio)
    res = runner.invoke(own, ["--werkmap", str(tmp_path / "nergens")])
    assert res.exit_code == 2 and res.output.startswith("Fout: werkmap ")
