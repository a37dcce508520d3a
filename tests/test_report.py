"""The regional report on the demo region: content, self-containment, figures, PDF fallback, CLI, helpers."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import zlib
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
import typer
import yaml
from typer.testing import CliRunner

from dekkend.demo import build_demo_workspace, demo_scenario_files
from dekkend.errors import InvoerFout
from dekkend.regions import select_region
from dekkend.report import (
    HORIZON,
    SCENARIO_SECTION,
    SECTIONS,
    ReportData,
    ReportResult,
    measure_text,
    render_html,
    report_sections,
    total_band,
    write_report,
)
from dekkend.report import _pdf as pdf_module
from dekkend.report import _write as write_module
from dekkend.report._chances import chances
from dekkend.report._collect import backtest_years
from dekkend.report._format import number, percent, place_name, short_school_name
from dekkend.report._geometry import map_geometry
from dekkend.report._scenarios import _comparison_rows, euro, scenario_numbers, signed
from dekkend.scenarios import baseline, load_scenario, parse_scenario, run_scenario
from dekkend.workspace import Workspace

TODAY = dt.date(2026, 11, 27)
#: The demo region's two example scenarios (shipped with dekkend.demo): a closure, and a moved profiel plus a new
#: location.
SCENARIO_NAMES = ("sluit-zandbrug.yaml", "techniek-samen.yaml")


@pytest.fixture(scope="session")
def demo_tables(tmp_path_factory) -> dict[str, pd.DataFrame]:
    """The demo workspace's tables (built once per test session)."""
    ws = build_demo_workspace(Workspace(tmp_path_factory.mktemp("demo") / "w"))
    return ws.tables()


@pytest.fixture(scope="session")
def scenario_files(tmp_path_factory) -> list[Path]:
    """The demo scenarios as YAML files (the ones ``dekkend demo`` copies into its workspace)."""
    folder = tmp_path_factory.mktemp("scenarios")
    files = []
    for source in demo_scenario_files():
        files.append(folder / source.name)
        files[-1].write_bytes(source.read_bytes())
    assert [p.name for p in files] == list(SCENARIO_NAMES)
    return files


@pytest.fixture(scope="session")
def demo_run(
    demo_tables, scenario_files, tmp_path_factory
) -> tuple[ReportResult, list[tuple[str, int, int]], ReportData]:
    """The demo region's report with the two demo scenarios (and a PDF when a browser is installed), its progress
    and the data behind it. The same report checks the chapters, the figures and the PDF, so the scenario
    chapter needs no second slow render."""
    steps: list[tuple[str, int, int]] = []
    out = tmp_path_factory.mktemp("rapport")
    seen: dict[str, ReportData] = {}
    real = write_module.collect

    def spy(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        seen["data"] = real(*args, **kwargs)
        return seen["data"]

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(write_module, "collect", spy)
        result = write_report(
            demo_tables,
            None,
            out,
            pdf=pdf_module.find_browser() is not None,
            progress=lambda s, i, n: steps.append((s, i, n)),
            today=TODAY,
            scenarios=[load_scenario(p) for p in scenario_files],
        )
    return result, steps, seen["data"]


@pytest.fixture(scope="session")
def demo_report(demo_run) -> ReportResult:
    """The demo region's report."""
    return demo_run[0]


class _Scan(HTMLParser):
    """Collects resource references and headings of an HTML document."""

    def __init__(self) -> None:
        super().__init__()
        self.resources: list[tuple[str, str]] = []
        self.h2: list[str] = []
        self._in_h2 = False

    def handle_starttag(self, tag, attrs):  # noqa: ANN001
        a = dict(attrs)
        if tag in ("script", "img", "iframe", "source", "video", "audio", "embed") and a.get("src"):
            self.resources.append((tag, a["src"]))
        if tag == "link" and a.get("href"):
            self.resources.append((tag, a["href"]))
        self._in_h2 = tag == "h2"

    def handle_endtag(self, tag):  # noqa: ANN001
        if tag == "h2":
            self._in_h2 = False

    def handle_data(self, data):  # noqa: ANN001
        if self._in_h2:
            self.h2.append(data.strip())


def _figures(html: str) -> dict[str, dict]:
    found = re.search(r'<script type="application/json" id="figuren">(.*?)</script>', html, re.S)
    assert found, "geen figuren in het rapport"
    return json.loads(found.group(1))


def test_report_is_one_self_contained_html_file_with_every_section(demo_report):
    html = demo_report.html.read_text(encoding="utf-8")
    assert demo_report.html.name == "regiorapport-demoregio-veenland-2024.html"
    scan = _Scan()
    scan.feed(html)
    assert scan.resources == [], f"externe bronnen: {scan.resources}"
    assert "Plotly.newPlot" in html and "plotly.js" in html.lower()
    assert [h.split(". ", 1)[1] for h in scan.h2] == [title for _, title in report_sections(True)]
    assert 'lang="nl"' in html
    assert "Peildatum 1 oktober 2024" in html and 'data-peildatum="1 oktober 2024"' in html
    assert "@bottom-left" in html and "peildatum 1 oktober 2024" in html  # on every printed page
    assert "Synthetische gegevens" in html


def test_progress_reports_every_step_in_order(demo_run):
    steps = demo_run[1]
    assert [i for _, i, _ in steps] == sorted(i for _, i, _ in steps)
    assert steps[-1][0] == "klaar" and steps[-1][1] == steps[-1][2]
    assert {"knelpunten bepalen", "prognose", "bereikbaarheid", "HTML schrijven"} <= {s for s, _, _ in steps}
    assert [s for s, _, _ in steps if s.startswith("scenario:")] == [
        "scenario: Sluit Zandbrug",
        "scenario: Techniek samen in Veenstad",
    ]


def test_every_map_and_chart_has_data(demo_report):
    figs = _figures(demo_report.html.read_text(encoding="utf-8"))
    maps = {k: v for k, v in figs.items() if k.startswith("kaart-") and not k.startswith("kaart-scenario-")}
    assert {"kaart-scenario-a", "kaart-scenario-b"} <= set(figs)  # receivers and losers (tests/test_scenario_map.py)
    charts = {k: v for k, v in figs.items() if k.startswith("figuur-")}
    # seven types and openbaar, now and ten years ahead, plus the profielen offered in the demo
    assert len(maps) >= 16 and len(maps) % 2 == 0
    for name, fig in maps.items():
        filled = [t for t in fig["data"] if t.get("fill") == "toself" and t["name"] != "buurgemeenten"]
        assert filled, f"{name}: geen gekleurde postcodegebieden"
        assert any(t["name"] == "regiogrens" for t in fig["data"]), name
        assert sum(len([x for x in t["x"] if x is not None]) for t in filled) > 20, name
        assert fig["layout"]["yaxis"]["scaleanchor"] == "x", name
    assert {
        "figuur-totaal",
        "figuur-typen",
        "figuur-vestigingen",
        "figuur-bereik",
        "figuur-besturen",
        "figuur-scenario-vestigingen",
        "figuur-scenario-knelpunten",
    } <= set(charts)
    for name, fig in charts.items():
        assert fig["data"] and all(len(t.get("x") or []) for t in fig["data"]), name


def test_summary_numbers_match_the_forecast_and_diagnosis(demo_report, demo_tables):
    html = demo_report.html.read_text(encoding="utf-8")
    pupils = demo_tables["leerlingen"]
    now = pupils.loc[pupils["schooljaar"] == 2024, "aantal"].sum()
    assert f">{number(now)}<" in html  # key figure on the first page
    assert "Kaart 1a." in html and "Figuur 1." in html
    assert "omdat" in html.lower()  # reasons of the recommendations


def _rapport_app(tmp_path: Path, tables: dict[str, pd.DataFrame]) -> tuple[typer.Typer, Workspace]:
    """The ``rapport`` command on its own and a workspace with ``tables``.

    The command sits beside a dummy, so typer keeps the subcommand.
    """
    from dekkend.cli.rapport import rapport
    from dekkend.cli.support import DutchCommand

    app = typer.Typer()
    app.command("rapport", cls=DutchCommand)(rapport)
    app.command("niets")(lambda: None)
    ws = Workspace(tmp_path / "w")
    ws.replace(tables)
    return app, ws


def test_without_a_browser_the_cli_writes_html_and_says_what_to_install(demo_run, demo_tables, tmp_path, monkeypatch):
    app, ws = _rapport_app(tmp_path, demo_tables)
    monkeypatch.setattr(write_module, "find_browser", lambda: None)
    monkeypatch.setattr(pdf_module, "find_browser", lambda: None)
    monkeypatch.delenv("DEKKEND_CHROMIUM", raising=False)
    monkeypatch.setattr(pdf_module, "_os_release", lambda: {"debian"})
    monkeypatch.setattr(pdf_module.platform, "system", lambda: "Linux")
    runner = CliRunner()
    with monkeypatch.context() as mp:  # the analyses are those of the session's demo report: only the shell is new
        mp.setattr(write_module, "collect", lambda *a, **k: demo_run[2])
        ok = runner.invoke(app, ["rapport", "--werkmap", str(ws.path), "--uitvoer", str(tmp_path / "uit"), "--pdf"])
    assert ok.exit_code == 0, ok.output
    text = " ".join(ok.output.split())
    assert "Rapport geschreven" in text and "Let op" in text
    assert "sudo apt-get install chromium" in text and "playwright install chromium" in text
    assert "Het HTML-rapport is wel geschreven" in text
    out = tmp_path / "uit"
    assert [p.name for p in out.iterdir()] == ["regiorapport-demoregio-veenland-2024.html"]
    bad = runner.invoke(
        app,
        ["rapport", "--werkmap", str(ws.path), "--uitvoer", str(tmp_path / "uit"), "--regio", "gemeente:Nergenshuizen"],
    )
    assert bad.exit_code == 2 and "Fout:" in bad.output and "Nergenshuizen" in bad.output
    missing = runner.invoke(app, ["rapport", "--werkmap", str(tmp_path / "leeg"), "--uitvoer", str(tmp_path)])
    assert missing.exit_code == 2 and "dekkend demo" in " ".join(missing.output.split())


def test_synthetic_boundaries_cover_the_demo_region_with_one_cell_per_home_area(demo_tables):
    region = select_region(demo_tables, None)
    geom = map_geometry(demo_tables, region, list(region.pc4))
    assert geom.synthetic and "synthetisch" in geom.description
    assert {g.code for g in geom.gemeenten if g.in_region} == {"9901", "9902", "9903", "9904"}
    assert set(geom.cells) == set(region.pc4)
    union = shapely.union_all(list(geom.cells.values()))
    assert union.area == pytest.approx(geom.outline.area, rel=0.02)
    overlap = sum(c.area for c in geom.cells.values()) - union.area
    assert overlap < 0.01 * union.area
    for row in geom.centroids.itertuples():  # each cell holds its own centroid
        assert geom.cells[row.pc4].buffer(0.2).contains(shapely.Point(row.x, row.y))


def test_total_band_keeps_the_common_error_and_drops_the_count_noise():
    from dekkend.forecast import IntervalRule

    years = np.repeat([2025, 2030], 50)
    m = np.full(100, 20.0)
    h = np.where(years == 2025, 1, 6)
    # the rows are parts of one vestiging with the fixed rule's bounds: their common error adds up in full
    low, high = IntervalRule(sigma_year=0.045).bounds(m, h, np.zeros(100), 80)
    frame = pd.DataFrame({"vestigingscode": "00AA00", "jaar": years, "verwacht": m, "hoog80": high, "laag80": low})
    got_years, lo, hi = total_band(frame, 80)
    assert list(got_years) == [2025, 2030]
    total = 1000.0
    expected = (total + 1) * np.exp(1.2816 * np.sqrt(0.045**2 * np.array([1, 6]) + 1 / total)) - 1
    np.testing.assert_allclose(hi, expected, rtol=1e-3)
    assert (lo < total).all() and (hi > total).all()
    assert hi[1] - lo[1] > hi[0] - lo[0]
    assert hi[0] < frame[frame["jaar"] == 2025]["hoog80"].sum()  # narrower than adding up the bounds


def test_chances_find_offerings_that_stay_together():
    ves = pd.DataFrame(
        {
            "vestigingscode": ["A", "B", "C"],
            "x": [0.0, 3.0, 60.0],
            "y": [0.0, 0.0, 0.0],
            "bestuur": ["1", "2", "3"],
            "in_regio": True,
        }
    )
    rows = []
    for code, now, later in (("A", 50, 25), ("B", 45, 30), ("C", 50, 20)):
        rows.append(
            {
                "vestigingscode": code,
                "jaar": 2024,
                "onderwijstype": "vmbo-k",
                "profiel": "groen",
                "leerlingen": now,
                "drempel": 40.0,
                "verdwijnt": False,
            }
        )
        rows.append(
            {
                "vestigingscode": code,
                "jaar": 2034,
                "onderwijstype": "vmbo-k",
                "profiel": "groen",
                "leerlingen": later,
                "drempel": 40.0,
                "verdwijnt": True,
            }
        )
    found = chances(pd.DataFrame(rows), ves, 2024, 2034)
    assert len(found) == 1
    k = found[0]
    assert k.vestigingen == ("A", "B") and k.samen == 55 and k.besturen == ("1", "2") and k.profiel == "groen"


def test_backtest_years_take_the_count_five_years_back():
    hist = pd.DataFrame({"jaar": [2013, 2014, 2019, 2020, 2024]})
    assert backtest_years(hist, 2024) == (2019, (2020, 2024))
    assert backtest_years(pd.DataFrame({"jaar": [2012, 2019]}), 2019) == (2012, (2019,))
    assert backtest_years(pd.DataFrame({"jaar": [2019]}), 2019) is None


def test_dutch_notation():
    assert number(74070) == "74.070" and number(1234.56, 1) == "1.234,6"
    assert (
        percent(-0.2534, sign=True) == "\u221225%"
        and percent(0.051, 1) == "5,1%"
        and percent(0.0004, sign=True) == "0%"
    )
    assert (
        short_school_name("Christelijk College Schaersvoorde voor Atheneum Havo Mavo")
        == "Christelijk College Schaersvoorde"
    )
    assert short_school_name("PC SGM Ulenhof College v Ath Havo Mavo Vbo Lwoo") == "PC SGM Ulenhof College"
    assert place_name("'S-HEERENBERG") == "'s-Heerenberg" and place_name("OUDE IJSSELSTREEK") == "Oude IJsselstreek"


def test_a_missing_table_is_named_in_the_error(demo_tables, tmp_path):
    from dekkend.errors import WerkmapFout

    tables = {k: v for k, v in demo_tables.items() if k != "pc4_centroiden"}
    with pytest.raises(WerkmapFout, match="pc4_centroiden"):
        write_report(tables, None, tmp_path)
    assert not list(Path(tmp_path).iterdir())


# -- scenarios -------------------------------------------------------------------------------------
def _section_tables(html: str, anchor: str) -> list[list[list[str]]]:
    """The tables of one chapter as rows of cell texts (tags and the small notes under a label dropped)."""
    part = html.split(f'id="{anchor}"', 1)[1].split('<section class="hoofdstuk"', 1)[0]
    tables = []
    for body in re.findall(r"<tbody>(.*?)</tbody>", part, re.S):
        rows = []
        for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
            cells = re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)
            rows.append(
                [
                    " ".join(unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<br>.*", "", c, flags=re.S))).split())
                    for c in cells
                ]
            )
        tables.append(rows)
    return tables


def test_scenario_chapter_shows_the_numbers_of_run_scenario(demo_run, demo_tables, scenario_files):
    result = demo_run[0]
    html = result.html.read_text(encoding="utf-8")
    scan = _Scan()
    scan.feed(html)
    nr = [title for _, title in report_sections(True)].index(SCENARIO_SECTION[1]) + 1
    assert f"{nr}. {SCENARIO_SECTION[1]}" in scan.h2 and f"{nr + 2}. Methoden en bronnen" in scan.h2
    assert '<a href="#scenarios">' in html
    chapter = unescape(html.split('id="scenarios"', 1)[1].split('<section class="hoofdstuk"', 1)[0])
    # traceable: base year, method and data are stated
    assert "de telling van 1 oktober 2024" in chapter and "schooljaar 2034/35" in chapter
    assert "schoolkeuzemodel" in chapter and "docs/scenarios.md" in chapter and "zelfde werkmap" in chapter
    # each scenario in words
    assert "Het Baken sluit zijn kleine vestiging in Zandbrug" in chapter
    assert "Vanaf 2026/27 sluit Het Baken Zandbrug [99BB03]" in chapter
    assert "Vanaf 2027/28 opent bestuur 99002 een nieuwe vestiging, Het Baken Ommerhoek [99BB09]" in chapter
    assert "sluit-zandbrug.yaml" in chapter and "--scenario techniek-samen.yaml" in unescape(html)
    # the numbers: the report shares its own forecast and diagnosis as "zonder ingrijpen"; an independent run
    # with dekkend.scenarios' own baseline gives the same summaries
    base = baseline(demo_tables, None, horizon=HORIZON)
    side, boards = _section_tables(html, "scenarios")[:2]
    rows = {r[0]: r[1:] for r in side}
    for i, path in enumerate(scenario_files):
        own = run_scenario(demo_tables, load_scenario(path), None, horizon=HORIZON, baseline=base)
        s = own.summary
        assert result.scenarios[i].summary == s
        col = i + 1
        assert rows["leerlingen in de regio"][0] == number(s["leerlingen_zonder_ingrijpen"])
        assert rows["leerlingen in de regio"][col].startswith(f"{number(s['leerlingen_met_scenario'])} (")
        moved = own.moves.loc[own.moves["jaar"] == s["eindjaar"], "leerlingen"].sum()
        assert moved > 1 and rows["leerlingen op een andere vestiging"][col] == number(moved)
        assert rows["waarvan naar een vestiging buiten de regio"][col] == number(s["naar_buiten_de_regio"])
        assert rows["extra leerlingkilometers per schooldag"][col] == signed(
            s["extra_leerlingkilometers_per_dag_enkele_reis"]
        )
        assert rows["knelpunten (waarvan ernst hoog)"][0] == f"{s['knelpunten_zonder']} ({s['knelpunten_hoog_zonder']})"
        assert rows["knelpunten (waarvan ernst hoog)"][col] == f"{s['knelpunten_met']} ({s['knelpunten_hoog_met']})"
        added, removed = int(rows["knelpunten erbij"][col]), int(rows["knelpunten verdwenen"][col])
        assert s["knelpunten_zonder"] + added - removed == s["knelpunten_met"]
        beyond = next(v for k, v in rows.items() if k.startswith("kinderen van 12-17 jaar verder dan 12 km"))
        assert beyond[0] == number(s["kinderen_buiten_norm_zonder"])
        assert beyond[col].startswith(number(s["kinderen_buiten_norm_met"]))
        assert rows["verschil in isolatietoeslag t.o.v. zonder ingrijpen, per jaar"][col] == euro(
            s["bekostigingseffect_euro"], sign=True
        )
        # wat verandert voor wie: every board, with its change in pupils and its knelpunten
        for b in own.boards.itertuples():
            row = next(r for r in boards if r[0] == f"Bestuur {b.bestuur}")
            assert row[1] == number(b.zonder_ingrijpen) and row[2] == str(b.knelpunten_zonder)
            assert row[1 + 2 * col] == signed(b.verschil) and row[2 + 2 * col].startswith(str(b.knelpunten_met))
    assert float(rows["extra leerlingkilometers per schooldag"][1].replace(".", "")) > 0  # a closure costs travel
    # the chart: pupils per vestiging, zonder ingrijpen and each scenario
    fig = _figures(html)["figuur-scenario-vestigingen"]
    assert [t["name"] for t in fig["data"]] == ["zonder ingrijpen", "Sluit Zandbrug", "Techniek samen in Veenstad"]
    first = result.scenarios[0].summary
    for trace, column, r in (
        (fig["data"][0], "zonder_ingrijpen", result.scenarios[0]),
        *((t, "met_scenario", r) for t, r in zip(fig["data"][1:], result.scenarios, strict=True)),
    ):
        per = r.per_vestiging[r.per_vestiging["jaar"] == first["eindjaar"]].groupby("vestigingscode")[column].sum()
        assert trace["x"] == [round(per.get(c, 0.0)) for c in trace["customdata"]], trace["name"]
    assert (
        "99BB03" in fig["data"][1]["customdata"]
        and fig["data"][1]["x"][fig["data"][1]["customdata"].index("99BB03")] == 0
    )
    assert "Het Baken Ommerhoek (nieuw)" in fig["data"][2]["y"]
    counts = _figures(html)["figuur-scenario-knelpunten"]["data"]
    assert [sum(t["y"][i] for t in counts) for i in range(3)] == [
        first["knelpunten_zonder"],
        *[r.summary["knelpunten_met"] for r in result.scenarios],
    ]


def test_without_scenarios_the_chapter_is_absent(demo_run):
    html, figs = render_html(demo_run[2])
    scan = _Scan()
    scan.feed(html)
    assert [h.split(". ", 1)[1] for h in scan.h2] == [title for _, title in SECTIONS]
    assert report_sections(False) == SECTIONS and len(report_sections(True)) == len(SECTIONS) + 1
    assert scan.h2[-1] == f"{len(SECTIONS)}. Methoden en bronnen"
    assert 'id="scenarios"' not in html and "#scenarios" not in html and "--scenario" not in html
    assert not [k for k in figs.items if "scenario" in k]
    assert f"hoofdstuk {len(SECTIONS)})" in html  # cross references keep their numbers


def test_an_invalid_scenario_file_gives_a_dutch_error_and_no_report(demo_run, demo_tables, tmp_path, monkeypatch):
    app, ws = _rapport_app(tmp_path, demo_tables)
    wrong_field = tmp_path / "verkeerd-veld.yaml"
    wrong_field.write_text(
        "naam: x\nmaatregelen:\n  - {soort: stop-aanbod, vestiging: 99BB03, onderwijstype: mbo, vanaf: 2026}\n",
        encoding="utf-8",
    )
    unknown = tmp_path / "onbekende-school.yaml"
    unknown.write_text(
        "naam: y\nmaatregelen:\n  - {soort: sluit-vestiging, vestiging: 99ZZ00, vanaf: 2026}\n", encoding="utf-8"
    )
    runner = CliRunner()
    out = tmp_path / "uit"
    good = tmp_path / "goed.yaml"
    good.write_text(demo_scenario_files()[0].read_text(encoding="utf-8"), encoding="utf-8")
    for bad, fragment in (
        (wrong_field, "maatregel 1 (stop-aanbod), veld 'onderwijstype': 'mbo' is geen onderwijstype"),
        (unknown, "maatregel 1 (sluit-vestiging), veld 'vestiging': vestiging 99ZZ00 komt niet voor"),
    ):
        res = runner.invoke(
            app,
            [
                "rapport",
                "--werkmap",
                str(ws.path),
                "--uitvoer",
                str(out),
                "--scenario",
                str(good),
                "--scenario",
                str(bad),
            ],
        )
        text = " ".join(res.output.split())
        assert res.exit_code == 2 and "Fout:" in text and bad.name in text and fragment in text, text
        assert not out.exists()
    with pytest.raises(InvoerFout, match="99ZZ00"):
        write_report(demo_tables, None, out, scenarios=[load_scenario(unknown)])
    assert not out.exists()
    # a good file: the chapter is there (the analyses are those of the session's report: only the shell is new)
    with monkeypatch.context() as mp:
        mp.setattr(write_module, "collect", lambda *a, **k: demo_run[2])
        ok = runner.invoke(app, ["rapport", "--werkmap", str(ws.path), "--uitvoer", str(out), "-s", str(good)])
    assert ok.exit_code == 0, ok.output
    assert "Met de scenariovergelijking (Sluit Zandbrug)" in " ".join(ok.output.split())
    html = unescape((out / "regiorapport-demoregio-veenland-2024.html").read_text(encoding="utf-8"))
    nr = [a for a, _ in report_sections(True)].index("scenarios") + 1
    assert f"{nr}. Scenario's vergeleken</h2>" in html and "Scenario A: Sluit Zandbrug" in html


def test_a_shared_profiel_gets_its_own_row_only_when_a_scenario_shares_one(demo_run, demo_tables):
    data = demo_run[2]
    base = demo_run[0].scenarios
    share = parse_scenario(
        {
            "naam": "ICT delen",
            "maatregelen": [
                {
                    "soort": "deel-profiel",
                    "van": "99CC01",
                    "naar": "99BB00",
                    "onderwijstype": "vmbo-k",
                    "profiel": "media-vormgeving-ict",
                    "vanaf": 2026,
                }
            ],
        }
    )
    shared = run_scenario(demo_tables, share, None, horizon=HORIZON)
    last = shared.summary["eindjaar"]
    expected = shared.shared.loc[shared.shared["jaar"] == last, "leerlingen"].sum()
    assert expected > 0
    label = "leerlingen die hun profiel op een andere vestiging volgen"
    rows = {r["label"]: r["waarden"] for r in _comparison_rows(data, [scenario_numbers(r) for r in (*base, shared)])}
    assert rows[label] == [number(0), number(0), number(expected)]
    assert label not in {r["label"] for r in _comparison_rows(data, [scenario_numbers(r) for r in base])}


def test_every_kind_of_measure_reads_as_plain_dutch():
    doc = Path(__file__).parents[1] / "docs" / "scenarios.md"
    block = re.search(r"```yaml\n(.*?)```", doc.read_text(encoding="utf-8"), re.S).group(1)
    scenario = parse_scenario(yaml.safe_load(block))
    names = {"99BB03": "Het Baken Zandbrug", "99BB00": "Het Baken (Veenstad)"}
    texts = [measure_text(m, names, {"99002": "Bestuur 99002"}) for m in scenario.maatregelen]
    assert len(texts) == 10 and all(re.match(r"Vanaf 20\d\d/\d\d ", t) for t in texts)
    assert all("None" not in t and t.endswith(".") for t in texts)
    assert "stopt Het Baken Zandbrug [99BB03] met profiel maritiem en techniek (MaT) in vmbo kader" in texts[0]
    assert "sluit " in texts[1] and "verhuist " in texts[2] and "op in één vestiging" in texts[3]
    assert "bovenbouw van havo alleen nog bij" in texts[4] and "opent bestuur 99002 een nieuwe vestiging" in texts[5]
    assert "uitbesteding" in texts[6] and "op afstand" in texts[7] and "vmbo-profiel" in texts[8]
    assert "openbare" in texts[9]


# -- in a real browser (the fixture is in conftest.py), and the PDF as pages ------------------------
ARTEFACTS = os.environ.get("DEKKEND_TEST_ARTEFACTEN")


def _keep(path: Path) -> None:
    """Copy a picture to ``$DEKKEND_TEST_ARTEFACTEN`` when set (for looking at it after the run)."""
    if ARTEFACTS:
        Path(ARTEFACTS).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(ARTEFACTS) / path.name)


def open_report(browser, html: Path, screenshot: Path) -> dict:  # noqa: ANN001
    """Load a report offline; return console errors, requests outside the file and the DOM of every figure."""
    page = browser.new_page(viewport={"width": 1100, "height": 1300})
    errors: list[str] = []
    outside: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    def route(r):  # noqa: ANN001, ANN202
        if r.request.url.startswith(("file:", "data:", "blob:", "about:")):
            return r.continue_()
        outside.append(r.request.url)
        return r.abort()

    page.route("**/*", route)
    page.goto(html.resolve().as_uri())
    page.wait_for_selector("body[data-klaar=ja]", timeout=60_000)
    figures = page.evaluate("""() => Array.from(document.querySelectorAll('.plot')).map(el => ({
        id: el.id, kaart: el.classList.contains('kaart'),
        traces: (el.data || []).length,
        drawn: el.querySelectorAll('.scatterlayer .trace, .barlayer .trace').length,
        fills: el.querySelectorAll('.scatterlayer .trace path.js-fill').length,
        points: (el.data || []).reduce((n, t) => n + (t.x || []).filter(v => v !== null).length, 0),
        svg: el.querySelector('svg.main-svg') !== null}))""")
    page.screenshot(path=str(screenshot))
    first_map = page.query_selector(".plot.kaart")
    if first_map is not None:
        first_map.scroll_into_view_if_needed()
        first_map.screenshot(path=str(screenshot.with_name(screenshot.stem + "-kaart.png")))
    page.close()
    return {"errors": errors, "outside": outside, "figures": figures}


def check_figures(figures: list[dict]) -> None:
    """Every map has its traces (filled home areas, boundaries, schools) and every chart its data."""
    maps = [f for f in figures if f["kaart"]]
    charts = [f for f in figures if not f["kaart"]]
    assert maps and charts
    for f in figures:
        assert f["svg"] and f["traces"] > 0 and f["points"] > 0, f
        assert f["drawn"] >= f["traces"] - 1, f  # every trace is in the DOM (text-only traces may be empty)
    for f in maps:
        assert f["traces"] >= 4 and f["fills"] >= 1, f


def test_report_loads_offline_without_errors_and_draws_every_figure(browser, demo_report, tmp_path):
    shot = tmp_path / "rapport-demo.png"
    seen = open_report(browser, demo_report.html, shot)
    assert seen["errors"] == []
    assert seen["outside"] == []
    check_figures(seen["figures"])
    drawn = {f["id"]: f for f in seen["figures"]}
    for fid in ("figuur-scenario-vestigingen", "figuur-scenario-knelpunten"):  # the scenario chapter's charts
        assert drawn[fid]["traces"] >= 3 and drawn[fid]["drawn"] >= 3 and drawn[fid]["points"] > 0, drawn[fid]
    assert shot.stat().st_size > 20_000 and shot.with_name("rapport-demo-kaart.png").is_file()
    _keep(shot)
    _keep(shot.with_name("rapport-demo-kaart.png"))


def _read_png(path: Path) -> np.ndarray:
    """An 8-bit RGB(A) or grey PNG (as pdftoppm writes it) as an array ``(height, width, channels)``."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    while pos < len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color = (
                int.from_bytes(body[:4], "big"),
                int.from_bytes(body[4:8], "big"),
                body[8],
                body[9],
            )
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    assert depth == 8 and body is not None
    ch = {0: 1, 2: 3, 4: 2, 6: 4}[color]
    raw = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(height, 1 + width * ch).astype(np.int32)
    out = np.zeros((height, width * ch), np.int32)
    prev = np.zeros(width * ch, np.int32)
    for y in range(height):
        f, line = raw[y, 0], raw[y, 1:]
        if f == 0:
            cur = line
        elif f == 1:
            cur = np.cumsum(line.reshape(width, ch), axis=0).reshape(-1) % 256
        elif f == 2:
            cur = (line + prev) % 256
        else:
            cur = np.zeros_like(line)
            for i in range(len(line)):
                a = cur[i - ch] if i >= ch else 0
                b = prev[i]
                if f == 3:
                    cur[i] = (line[i] + (a + b) // 2) % 256
                else:
                    c = prev[i - ch] if i >= ch else 0
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    cur[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) % 256
        out[y] = cur
        prev = cur
    return out.reshape(height, width, ch)


def _map_boxes(pdf: Path, page: int) -> list[tuple[float, float]]:
    """Top-left corners (points) below each 'Kaart ..' caption on a page, from ``pdftotext -bbox``."""
    text = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    words = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>', text)
    return [(float(x), float(y1)) for x, _, y1, w in words if w == "Kaart"]


def test_pdf_pages_show_every_section_the_count_date_and_maps_that_are_not_blank(demo_report, tmp_path):
    if demo_report.pdf is None:
        pytest.skip(f"geen PDF: {demo_report.pdf_message}")
    if not (shutil.which("pdftoppm") and shutil.which("pdftotext")):
        pytest.skip("pdftoppm/pdftotext ontbreken: apt-get install poppler-utils (.ci/run installeert het)")
    pdf = demo_report.pdf
    dpi = 40
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(tmp_path / "pagina")], check=True)
    pages = sorted(tmp_path.glob("pagina-*.png"))
    assert len(pages) >= 10
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    per_page = text.split("\f")[: len(pages)]
    for i, page_text in enumerate(per_page, start=1):
        assert "peildatum 1 oktober 2024" in page_text, f"pagina {i} zonder peildatum"
        assert f"pagina {i} van {len(pages)}" in page_text
    flat = " ".join(text.split()).replace("\u2019", "'")
    for number_, (_, title) in enumerate(report_sections(True), start=1):  # the demo report has scenarios
        assert f"{number_}. {title}" in flat
    assert "Scenario A: Sluit Zandbrug" in flat and "Scenario B: Techniek samen in Veenstad" in flat
    checked = 0
    sizes = {
        k: v["layout"]
        for k, v in _figures(demo_report.html.read_text(encoding="utf-8")).items()
        if k.startswith("kaart-")
    }
    width_pt = next(iter(sizes.values()))["width"] * 0.75
    height_pt = min(v["height"] for v in sizes.values()) * 0.75
    for n, png in enumerate(pages, start=1):
        boxes = _map_boxes(pdf, n)
        if not boxes:
            continue
        img = _read_png(png)[:, :, :3]
        for x, y in boxes:
            x0, y0 = int(x * dpi / 72), int((y + 4) * dpi / 72)
            x1, y1 = int((x + width_pt) * dpi / 72), int((y + 4 + height_pt) * dpi / 72)
            part = img[y0:y1, x0:x1]
            coloured = (part.max(axis=2) - part.min(axis=2)) > 40
            assert part.size and coloured.mean() > 0.08, f"kaart op pagina {n} bij ({x:.0f}, {y:.0f}) is leeg"
            checked += 1
        _keep(png)
    assert checked == len(sizes)
