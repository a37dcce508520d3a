"""The command line, run in-process and as a module."""

from __future__ import annotations

import subprocess
import sys

from dutch_numbers import english_numbers, visible_text
from typer.testing import CliRunner
from vo_fixtures import addresses, centroids, old_vintage

from dekkend.cli import app

runner = CliRunner()


def test_importeer_prints_summary(tmp_path):
    d = tmp_path / "in"
    old_vintage(d / "a-2019.csv")
    addresses(d / "b-2020.csv")
    centroids(d / "c.csv")
    (d / "onbekend.csv").write_text("x;y\n1;2\n")
    res = runner.invoke(app, ["importeer", str(d), "--werkmap", str(tmp_path / "w")])
    assert res.exit_code == 0, res.output
    assert "Klaar: 3 bestand(en) geïmporteerd, 1 overgeslagen" in res.output
    assert "onbekend" in res.output and "onbekend.csv" in res.output.replace("\n", "")
    assert "Schooljaar 2019/20:" in res.output  # the one school-year form (dekkend.formatting.school_year)


def test_bad_file_gives_dutch_error_and_exit_2(tmp_path):
    d = tmp_path / "in"
    old_vintage(d / "a-2019.csv", rows=["00AA;00;X;Y;Z;Brugjaar 1-2;N.v.t.;N.v.t.;1;Ljvb op VWO;1;2"])
    res = runner.invoke(app, ["importeer", str(d), "--werkmap", str(tmp_path / "w")])
    assert res.exit_code == 2
    assert "Fout:" in res.output and "regel 2" in res.output
    assert not (tmp_path / "w" / "tabellen").exists()


def test_regio_and_output_by_extension(tmp_path):
    w = tmp_path / "w"
    assert (
        runner.invoke(
            app, ["demo", "--werkmap", str(w), "--uitvoer", str(tmp_path / "r"), "--geen-pdf", "--geen-scenarios"]
        ).exit_code
        == 0
    )
    assert not (w / "scenarios").exists()
    res = runner.invoke(
        app, ["regio", "--werkmap", str(w), "--regio", "gemeente:Veenstad", "--uitvoer", str(tmp_path / "v.xlsx")]
    )
    assert res.exit_code == 0, res.output
    assert "vestigingen" in res.output and (tmp_path / "v.xlsx").stat().st_size > 0
    res = runner.invoke(
        app, ["regio", "--werkmap", str(w), "--regio", "gemeente:Veenstad", "--uitvoer", str(tmp_path / "v.txt")]
    )
    assert res.exit_code == 2 and "gebruik .csv" in res.output


def test_missing_workspace(tmp_path):
    res = runner.invoke(app, ["regio", "--werkmap", str(tmp_path / "nergens")])
    assert res.exit_code == 2 and "importeer" in res.output


def test_demo_prints_overview_and_compares_its_example_scenarios(tmp_path):
    args = ["demo", "--werkmap", str(tmp_path / "d"), "--uitvoer", str(tmp_path / "r"), "--geen-pdf"]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    assert "Leerlingen per schooljaar" in res.output and "Demoregio gebouwd" in res.output
    copies = sorted((tmp_path / "d" / "scenarios").glob("*.yaml"))
    assert [p.name for p in copies] == ["sluit-zandbrug.yaml", "techniek-samen.yaml"]
    assert "Met de scenariovergelijking (Sluit Zandbrug, Techniek samen in Veenstad)" in res.output
    html = next((tmp_path / "r").glob("*.html")).read_text(encoding="utf-8")
    assert "Scenario&#39;s vergeleken" in html or "Scenario's vergeleken" in html
    assert english_numbers(visible_text(html)) == []
    # on the next run (one run for both, the demo report is the slow part): a user's edited copy is kept and
    # used, and an edited copy that no longer reads is skipped with a warning; the report is still written
    copies[0].write_text(
        copies[0].read_text(encoding="utf-8").replace("naam: Sluit Zandbrug", "naam: Zandbrug dicht"), encoding="utf-8"
    )
    copies[1].write_text("naam: kapot\nmaatregelen:\n  - {soort: sluit-vestiging, vanaf: 2026}\n", encoding="utf-8")
    res = runner.invoke(app, args)
    text = " ".join(res.output.split())
    assert res.exit_code == 0 and "overgeslagen" in text and "veld 'vestiging'" in text
    assert "(Zandbrug dicht)" in text
    assert "naam: Zandbrug dicht" in copies[0].read_text(encoding="utf-8")  # the edited copy was not overwritten


def test_python_dash_m():
    out = subprocess.run([sys.executable, "-m", "dekkend", "--help"], capture_output=True, text=True, check=True)
    assert "importeer" in out.stdout and "demo" in out.stdout


def test_help_is_dutch():
    res = runner.invoke(app, ["--help"])
    assert "Toon deze hulptekst" in res.output and "Show this message" not in res.output
