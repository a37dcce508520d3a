"""The regional report on real DUO/CBS data: COROP 14 (Achterhoek) renders in a browser, offline, with its maps."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from test_report import _keep, check_figures, open_report

from dekkend.ingest import import_paths
from dekkend.report import SCENARIO_SECTION, SECTIONS, report_sections, write_report
from dekkend.scenarios import parse_scenario
from dekkend.workspace import Workspace

pytestmark = pytest.mark.realdata

#: What the report of a region needs: counts with type detail and of 2012/13 (for the back-test), addresses,
#: PC4 geography, children (po per woon-PC4, CBS per PC4) and the gemeente boundaries.
FILES = (
    "duo/02.-alle-vestigingen-vo-2019.csv",
    "duo/01.-leerlingen-vo-per-vestiging-naar-onderwijstype-2019.csv",
    "duo/vo-vestigingen-leerlingen-coordinaten-2013.csv",
    "duo/03.-leerlingen-po-per-gemeente-postcode-leerling-leeftijd-2017.csv.gz",
    "geo/pc4-centroiden.csv",
    "geo/pc4-woonplaats-gemeente.csv",
    "geo/gemeenten-2022.geojson",
    "cbs/pc4-bevolking-leeftijd-2018.xls",
)


@pytest.fixture(scope="module")
def achterhoek(shared_data, tmp_path_factory):
    """The report of COROP 14 from a workspace with the files above (HTML only), with one scenario: the vmbo
    of zone.college in Borculo closes."""
    ws = Workspace(tmp_path_factory.mktemp("echt") / "w")
    import_paths([shared_data / f for f in FILES], ws)
    closure = parse_scenario({"naam": "Borculo sluit", "maatregelen": [
        {"soort": "sluit-vestiging", "vestiging": "31JC02", "vanaf": 2020}]})
    return write_report(ws.tables(), "corop:14", tmp_path_factory.mktemp("rapport"), scenarios=[closure])


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
    closure = achterhoek.scenarios[0]
    assert closure.summary["leerlingen_met_scenario"] <= closure.summary["leerlingen_zonder_ingrijpen"]
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
