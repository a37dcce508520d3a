"""Every number the CLI prints reads the Dutch way (dekkend.formatting), scanned on the demo."""

from __future__ import annotations

import json

import pytest
from dutch_numbers import english_numbers
from typer.testing import CliRunner

from dekkend.cli import app
from dekkend.demo import build_demo_workspace, demo_scenario_files
from dekkend.workspace import Workspace


@pytest.mark.parametrize(
    "text",
    ["1,234.5 leerlingen", "4519.0", "35.4 km", "0.00 leerling", "12,345,678", "verval 30.5%"],
)
def test_the_scan_finds_english_numbers(text):
    assert english_numbers(text)


@pytest.mark.parametrize(
    "text",
    [
        "1.234 leerlingen",
        "4.519",
        "35,4 km",
        "0,00 leerling",
        "12.345.678",
        "2019/20",
        "art. 4.19 WVO",
        "Technum 2.0 december 2022",
        "99AA00",
        "EUR 454.322",
        "gap 0,010%",
        "dekkend-0.1.0",
        "/tmp/x/p.csv",
    ],
)
def test_the_scan_passes_dutch_numbers_and_references(text):
    assert english_numbers(text) == []


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """What each number-printing command writes for the demo region (one run each)."""
    root = tmp_path_factory.mktemp("cijfers")
    w = str(build_demo_workspace(Workspace(root / "w")).path)
    scenario = next(s for s in demo_scenario_files() if s.name == "techniek-samen.yaml")
    (root / scenario.name).write_bytes(scenario.read_bytes())
    commands = {
        "prognose": [
            "prognose",
            "--werkmap",
            w,
            "--peiljaar",
            "2024",
            "--horizon",
            "10",
            "--trekkingen",
            "20",
            "--uitvoer",
            str(root / "p.csv"),
        ],
        "backtest": ["backtest", "--werkmap", w, "--peiljaar", "2022", "--doel", "2024"],
        "bereikbaarheid": [
            "bereikbaarheid",
            "--werkmap",
            w,
            "--jaar",
            "2029",
            "--uitvoer",
            str(root / "b.csv"),
            "--indicatoren",
            str(root / "i.csv"),
        ],
        "diagnose": [
            "diagnose",
            "--werkmap",
            w,
            "--uitvoer",
            str(root / "k.json"),
            "--per-profiel",
        ],
        "kennis": ["kennis", "advies", "--knelpunten", str(root / "k.json")],
        "scenario": [
            "scenario",
            str(root / scenario.name),
            "--werkmap",
            w,
            "--uitvoer",
            str(root / "s"),
        ],
        "optimaliseer": [
            "optimaliseer",
            "--werkmap",
            w,
            "--jaar",
            "2027",
            "--uitvoer",
            str(root / "o"),
        ],
        "regio": ["regio", "--werkmap", w],
    }
    out = {}
    for name, args in commands.items():  # in order: kennis reads the diagnosis written before it
        res = CliRunner().invoke(app, args, env={"COLUMNS": "240"})
        assert res.exit_code == 0, (name, res.output, res.exception)
        out[name] = res.output
    knelpunten = json.loads((root / "k.json").read_text(encoding="utf-8"))
    out["knelpunten.json"] = " | ".join(f"{k['titel']}: {k['toelichting']}" for k in knelpunten["knelpunten"])
    return out


@pytest.mark.parametrize(
    "command",
    [
        "prognose",
        "backtest",
        "bereikbaarheid",
        "diagnose",
        "kennis",
        "scenario",
        "optimaliseer",
        "regio",
        "knelpunten.json",
    ],
)
def test_no_english_numbers_in_the_output(outputs, command):
    text = outputs[command]
    assert any(ch.isdigit() for ch in text)  # the scan has numbers to look at
    assert english_numbers(text) == [], english_numbers(text)


#: Commands whose text still has a school year as ``2027/2028`` from the library (dekkend/optimise
#: writes its explanations itself); the CLI's own lines use the one form.
LIBRARY_YEARS = {"optimaliseer"}


def test_school_years_in_one_form(outputs):
    """``2025/26`` everywhere, never ``2025/2026``."""
    import re

    for command, text in outputs.items():
        if command in LIBRARY_YEARS:
            text = "\n".join(line for line in text.splitlines() if line.startswith(("Optimalisatie", "Kinderen")))
        assert not re.search(r"\b(20\d\d)/(20\d\d)\b", text), (
            command,
            re.findall(r"\b20\d\d/20\d\d\b", text),
        )
