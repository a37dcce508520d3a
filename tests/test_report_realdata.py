"""The regional report on real DUO/CBS data: COROP 14 (Achterhoek) renders in a browser, offline, with its maps."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from dutch_numbers import english_numbers, visible_text
from test_report import _keep, check_figures, open_report
from typer.testing import CliRunner

from dekkend.cli import app
from dekkend.report import SCENARIO_SECTION, SECTIONS, report_sections

pytestmark = pytest.mark.realdata

BORCULO = """naam: Borculo sluit
maatregelen:
  - soort: sluit-vestiging
    vestiging: 31JC02
    vanaf: 2020
"""


@pytest.fixture(scope="module")
def achterhoek(national_workspace, tmp_path_factory):
    """The README's ``dekkend rapport --regio corop:14 --uitvoer rapporten --pdf --scenario a.yaml`` on the
    national werkmap, with one scenario: the vmbo of zone.college in Borculo closes. Returns the HTML file and
    what the command printed."""
    here = tmp_path_factory.mktemp("rapport")
    (here / "a.yaml").write_text(BORCULO, encoding="utf-8")
    res = CliRunner().invoke(
        app,
        [
            "rapport",
            "--werkmap",
            str(national_workspace.path),
            "--regio",
            "corop:14",
            "--uitvoer",
            str(here / "rapporten"),
            "--pdf",
            "--scenario",
            str(here / "a.yaml"),
        ],
        env={"COLUMNS": "240"},
    )
    assert res.exit_code == 0 and "Traceback" not in res.output, res.output[-2000:] + repr(res.exception)
    return SimpleNamespace(
        html=next((here / "rapporten").glob("*.html")), folder=here / "rapporten", output=" ".join(res.output.split())
    )


def test_the_rapport_command_says_what_it_wrote_in_dutch(achterhoek):
    out = achterhoek.output
    assert "Rapport geschreven:" in out and "Met de scenariovergelijking (Borculo sluit)." in out
    assert "PDF geschreven:" in out or "Let op:" in out  # without Chromium it says what to install
    if "PDF geschreven:" in out:
        assert next(achterhoek.folder.glob("*.pdf")).stat().st_size > 0
    assert english_numbers(out) == []


def test_no_english_numbers_in_the_report(achterhoek):
    text = visible_text(achterhoek.html.read_text(encoding="utf-8"))
    assert english_numbers(text) == [], english_numbers(text)[:10]


def test_achterhoek_report_has_real_boundaries_and_every_section(achterhoek):
    html = achterhoek.html.read_text(encoding="utf-8")
    assert achterhoek.html.name == "regiorapport-corop-gebied-achterhoek-2019.html"
    for _, title in SECTIONS:
        assert f"{title}</h2>" in html
    assert [a for a, _ in report_sections(True)].index(SCENARIO_SECTION[0]) == len(SECTIONS) - 2
    assert 'id="scenarios"' in html and "Scenario A: Borculo sluit" in html
    assert "Peildatum 1 oktober 2019" in html and "synthetisch" not in html.split("<main", 1)[1].lower()
    assert "Gemeentegrenzen uit de werkmap" in html
    figs = json.loads(re.search(r'id="figuren">(.*?)</script>', html, re.S).group(1))
    maps = [f for k, f in figs.items() if k.startswith("kaart-")]
    assert len(maps) >= 16
    labels = {n for t in maps[0]["data"] if t["name"] == "gemeentenamen" for n in t["text"]}
    assert {"Doetinchem", "Winterswijk", "Zutphen"} <= labels
    assert "Doetinchem" in html and "Bestuur " in html
    # the scenario chapter: the closed vestiging loses its pupils to the others, each bar has its own label
    bars = figs["figuur-scenario-vestigingen"]["data"]
    assert len(set(bars[0]["y"])) == len(bars[0]["y"]) > 3
    at = bars[1]["customdata"].index("31JC02")
    assert bars[1]["x"][at] == 0 < bars[0]["x"][at]


def test_achterhoek_report_renders_offline_in_chromium(browser, achterhoek, tmp_path):
    shot = tmp_path / "rapport-achterhoek.png"
    seen = open_report(browser, achterhoek.html, shot)
    assert seen["errors"] == [] and seen["outside"] == []
    check_figures(seen["figures"])
    _keep(shot)
    _keep(Path(str(shot).replace(".png", "-kaart.png")))
