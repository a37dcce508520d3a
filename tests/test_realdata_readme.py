"""Every command of the README's "Echte gegevens" block on the national werkmap, real regions.

Issue 16 item 1 (``dekkend regio`` crashed on every real region) was caught by no test; this
module runs the README's commands as a user types them. ``importeer`` is the session fixture
``national_import`` (the one import every real-data module shares); the two ``rapport`` lines
run in ``test_report_realdata.py`` (on the same werkmap); ``download`` needs the internet and is
left out. The costly commands run once, on the smaller krimp region of the README's examples
(COROP 31, Zeeuwsch-Vlaanderen).
"""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from dutch_numbers import english_numbers
from typer.testing import CliRunner

from dekkend.cli import app
from dekkend.formatting import count
from dekkend.regions import select_region

pytestmark = pytest.mark.realdata

REGION = "corop:31"
SCENARIO = """naam: vwo-bovenbouw naar Terneuzen
maatregelen:
  - soort: concentreer-bovenbouw
    onderwijstype: vwo
    van: [00AQ00]
    naar: 31JW00
    vanaf: 2021
"""


@pytest.fixture(scope="module")
def tables(national_workspace):
    return national_workspace.tables()


@pytest.fixture(scope="module")
def runs(national_workspace, tmp_path_factory):
    """Each README command once (the file names as in the README, in a temporary folder)."""
    here = tmp_path_factory.mktemp("readme")
    w = str(national_workspace.path)
    (here / "mijn-scenario.yaml").write_text(SCENARIO, encoding="utf-8")
    commands = {
        "regio": ["regio", "--werkmap", w, "--regio", "corop:Achterhoek"],
        "prognose": [
            "prognose",
            "--werkmap",
            w,
            "--peiljaar",
            "2019",
            "--horizon",
            "15",
            "--regio",
            REGION,
            "--trekkingen",
            "100",
            "--uitvoer",
            str(here / "prognose.xlsx"),
        ],
        "backtest-gemeente": [
            "backtest",
            "--werkmap",
            w,
            "--peiljaar",
            "2016",
            "--doel",
            "2017,2018,2019",
            "--niveau",
            "gemeente",
        ],
        "backtest-brin": [
            "backtest",
            "--werkmap",
            w,
            "--peiljaar",
            "2013",
            "--doel",
            "2019",
            "--niveau",
            "brin",
            "--regio",
            REGION,
            "--verslag",
            str(here / "verslag.md"),
        ],
        "bereikbaarheid": [
            "bereikbaarheid",
            "--werkmap",
            w,
            "--jaar",
            "2019",
            "--regio",
            REGION,
            "--uitvoer",
            str(here / "afstanden.csv"),
        ],
        "diagnose": [
            "diagnose",
            "--werkmap",
            w,
            "--regio",
            REGION,
            "--uitvoer",
            str(here / "knelpunten.json"),
        ],
        "kennis-advies": ["kennis", "advies", "--werkmap", w, "--regio", REGION],
        "kennis-zoek": ["kennis", "zoek", "krimp techniek vmbo Zeeland"],
        "scenario": [
            "scenario",
            str(here / "mijn-scenario.yaml"),
            "--werkmap",
            w,
            "--regio",
            REGION,
            "--uitvoer",
            str(here / "uitkomsten"),
        ],
        "optimaliseer": [
            "optimaliseer",
            "--werkmap",
            w,
            "--regio",
            REGION,
            "--jaar",
            "2024",
            "--uitvoer",
            str(here / "optimalisatie"),
        ],
    }
    out = {}
    for name, args in commands.items():
        res = CliRunner().invoke(app, args, env={"COLUMNS": "240"})
        out[name] = (res.exit_code, res.output, res.exception)
    return here, out


COMMANDS = [
    "regio",
    "prognose",
    "backtest-gemeente",
    "backtest-brin",
    "bereikbaarheid",
    "diagnose",
    "kennis-advies",
    "kennis-zoek",
    "scenario",
    "optimaliseer",
]
#: A Dutch word each command prints (the output is Dutch, not a stack trace or English).
DUTCH = {
    "regio": "vestigingen",
    "prognose": "leerlingen verwacht",
    "backtest-gemeente": "dekking",
    "backtest-brin": "Bijgewerkt",
    "bereikbaarheid": "postcodegebieden",
    "diagnose": "knelpunten geschreven",
    "kennis-advies": "Knelpunt",
    "kennis-zoek": "artikel(en)",
    "scenario": "zonder ingrijpen",
    "optimaliseer": "Kinderen binnen",
}


@pytest.mark.parametrize("command", COMMANDS)
def test_each_readme_command_exits_0_in_dutch(runs, command):
    code, output, exc = runs[1][command]
    assert code == 0 and (exc is None or isinstance(exc, SystemExit)), (output[-2000:], repr(exc))
    assert "Traceback" not in output and "Error" not in output
    assert DUTCH[command] in output, output[-2000:]
    assert english_numbers(output) == [], english_numbers(output)


def test_importeer_reports_what_it_read(national_import, national_workspace):
    out = national_import.output
    assert "Klaar:" in out and "overgeslagen" in out and "Traceback" not in out
    pupils = national_workspace.table("leerlingen")
    years = sorted(int(y) for y in pupils["schooljaar"].unique())
    assert 2019 in years
    for year in years:  # each count vintage is named once in the one school-year form, with its total
        total = pupils.loc[pupils["schooljaar"] == year, "aantal"].fillna(0).sum()
        assert f"Schooljaar {year}/{str(year + 1)[-2:]}: {count(total)} leerlingen" in out, year


def test_regio_lists_the_selection_of_the_library(runs, tables):
    region = select_region(tables, "corop:14")
    out = runs[1]["regio"][1]
    assert f"COROP-gebied Achterhoek: {count(len(region.vestigingen))} vestigingen" in out
    assert f"{count(len(region.gemeenten))} gemeenten" in out


def test_prognose_writes_the_region_and_prints_its_totals(runs, tables):
    here, out = runs
    fc = pd.read_excel(here / "prognose.xlsx", dtype={"vestigingscode": str}, engine="openpyxl")
    assert set(fc["vestigingscode"]) <= set(select_region(tables, REGION).vestigingen)
    assert sorted(fc["jaar"].unique()) == list(range(2020, 2035))
    shown = re.search(r"2020/21: ([\d.]+) leerlingen verwacht", out["prognose"][1])
    assert shown and abs(int(shown.group(1).replace(".", "")) - fc.loc[fc["jaar"] == 2020, "verwacht"].sum()) <= 1
    assert (here / "prognose-trekkingen.csv").stat().st_size > 0


def test_backtests_cover_the_asked_years(runs):
    here, out = runs
    text = out["backtest-gemeente"][1]
    for year in (2017, 2018, 2019):
        assert len(re.findall(rf"│\s*{year}\s*│", text)) == 3  # one row per model
    assert "brin" in (here / "verslag.md").read_text(encoding="utf-8")


def test_bereikbaarheid_covers_the_home_areas_of_the_region(runs, tables):
    here, out = runs
    frame = pd.read_csv(here / "afstanden.csv", dtype={"pc4": str})
    assert set(frame["pc4"]) <= set(select_region(tables, REGION).pc4)
    assert f"{count(frame['pc4'].nunique())} postcodegebieden" in out["bereikbaarheid"][1]


def test_diagnose_json_matches_what_it_prints(runs, tables):
    here, out = runs
    doc = json.loads((here / "knelpunten.json").read_text(encoding="utf-8"))
    assert doc["regio"] == select_region(tables, REGION).label
    assert f"{count(len(doc['knelpunten']))} knelpunten geschreven" in out["diagnose"][1]
    boards = [k["bewijs"]["bestuur"] for k in doc["knelpunten"] if k["type"] == "enige-aanbieder"]
    assert len(boards) == len(set(boards))


def test_scenario_and_optimiser_write_their_files(runs):
    here, out = runs
    assert "vwo-bovenbouw naar Terneuzen" in out["scenario"][1]
    assert (here / "uitkomsten" / "vergelijking.csv").stat().st_size > 0
    doc = json.loads((here / "optimalisatie" / "optimalisatie.json").read_text(encoding="utf-8"))
    assert doc
