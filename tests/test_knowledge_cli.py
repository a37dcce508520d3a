"""`dekkend kennis zoek | toon | advies`, run in-process with typer's CliRunner."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from dekkend.cli.kennis import kennis_app

runner = CliRunner()


def run(*args: str):
    return runner.invoke(kennis_app, list(args))


def test_zoek_prints_ids_titles_and_facets():
    result = run("zoek", "profielen verdelen", "--aantal", "3")
    assert result.exit_code == 0, result.output
    assert "vmbo-profielen-verdelen" in result.output
    assert "soort:" in result.output and "gebied:" in result.output
    assert "dekkend kennis toon ID" in result.output


def test_zoek_json_with_facets():
    result = run("zoek", "techniek", "--gebied", "Zeeland", "--soort", "praktijkvoorbeeld", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["gebied"] == "Zeeland" and data["soort"] == "praktijkvoorbeeld"
    assert data["resultaten"]
    assert all(r["soort"] == "praktijkvoorbeeld" for r in data["resultaten"])
    assert data["facetten"]["soort"]["praktijkvoorbeeld"] == data["aantal"]


@pytest.mark.parametrize(
    "args, message",
    [
        (("zoek", ""), "De zoekvraag is leeg"),
        (("zoek", "krimp", "--soort", "folder"), "Onbekende soort 'folder'"),
        (("zoek", "krimp", "--gebied", "Atlantis"), "Onbekend gebied 'Atlantis'"),
        (("toon", "bestaat-niet"), "Geen kennisbankartikel met id 'bestaat-niet'"),
    ],
)
def test_errors_are_dutch_and_exit_with_1(args, message):
    result = run(*args)
    assert result.exit_code == 2
    assert "Fout:" in result.stderr
    assert message in " ".join(result.stderr.split())


def test_toon_shows_body_and_numbered_sources():
    result = run("toon", "ocw-accountmanagers-leerlingendaling")
    assert result.exit_code == 0, result.output
    assert "lld@minocw.nl" in result.output
    assert "[1]" in result.output and "https://" in result.output
    assert "geraadpleegd 2026-11-27" in result.output


def test_toon_json():
    result = run("toon", "fusietoets", "--json")
    data = json.loads(result.stdout)
    assert data["id"] == "fusietoets" and data["bronnen"][0]["url"].startswith("http")


@pytest.fixture()
def knelpunten(tmp_path):
    path = tmp_path / "knelpunten.json"
    path.write_text(
        json.dumps(
            {
                "regio": "Zeeuws-Vlaanderen",
                "peiljaar": 2024,
                "knelpunten": [
                    {
                        "type": "kleine-bovenbouw",
                        "ernst": "hoog",
                        "titel": "Kleine havo-bovenbouw",
                        "gebieden": ["Oostburg"],
                        "onderwijstype": "havo",
                    },
                    {"type": "onbekend-type", "ernst": "laag", "titel": "Iets anders"},
                ],
            }
        ),
        encoding="utf-8",
    )
    return path


def test_advies_prints_knelpunten_reasons_and_support(knelpunten):
    result = run("advies", "--knelpunten", str(knelpunten), "--gebied", "Zeeland")
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "Advies uit de kennisbank voor Zeeuws-Vlaanderen (peiljaar 2024/25)" in text
    assert "Knelpunt: Kleine havo-bovenbouw" in text
    assert "omdat " in text
    assert "Wie kunt u om hulp vragen?" in text
    assert "onbekende type 'onbekend-type'" in text


def test_advies_json(knelpunten):
    result = run("advies", "--knelpunten", str(knelpunten), "--json", "-n", "3")
    data = json.loads(result.stdout)
    assert len(data["knelpunten"]) == 1
    assert len(data["knelpunten"][0]["aanbevelingen"]) == 3
    assert data["overgeslagen"]


def test_advies_with_a_missing_file(tmp_path):
    result = run("advies", "--knelpunten", str(tmp_path / "weg.json"))
    assert result.exit_code == 2
    assert "bestaat niet" in result.stderr


def test_help_texts_are_dutch():
    assert "Kennisbank over samenwerkingsvormen" in run("--help").output
    assert "Nederlandse woordstammen" in run("zoek", "--help").output
    assert "JSON-bestand met knelpunten" in " ".join(run("advies", "--help").output.split())
