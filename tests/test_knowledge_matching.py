"""Matching: from a region's knelpunten to ranked entries and support routes with reasons."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from dekkend.errors import ConfiguratieFout, InvoerFout
from dekkend.knowledge import (
    KNELPUNTTYPEN,
    Knelpunt,
    advice_for_file,
    match_knelpunten,
    read_knelpunten,
)
from dekkend.knowledge._matching import SOORT_GROUPS, school_type_themes

DIAGNOSE = {
    "regio": "Zeeuws-Vlaanderen",
    "peiljaar": 2024,
    "knelpunten": [
        {
            "type": "kleine-bovenbouw",
            "ernst": "hoog",
            "titel": "Havo-bovenbouw in Oostburg onder 60 leerlingen",
            "toelichting": "Over drie jaar zitten er minder dan 20 leerlingen in havo 4.",
            "vestigingen": ["01AB00"],
            "besturen": ["41234"],
            "gebieden": ["Oostburg"],
            "onderwijstype": "havo",
            "jaren": [2027],
            "bewijs": {"leerlingen": 18},
            "bronnen": [],
        },
        {
            "type": "aanbod-verdwijnt",
            "ernst": "midden",
            "titel": "Profiel PIE verdwijnt",
            "toelichting": "",
            "gebieden": ["Zeeuws-Vlaanderen"],
            "onderwijstype": "vmbo PIE",
        },
        {
            "type": "isolatie-afhankelijk",
            "ernst": "laag",
            "titel": "Isolatietoeslag van Hulst hangt af van Terneuzen",
            "gebieden": ["Hulst"],
        },
    ],
}


@pytest.fixture()
def diagnose_file(tmp_path):
    path = tmp_path / "knelpunten.json"
    path.write_text(json.dumps(DIAGNOSE, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("knelpunt_type", list(KNELPUNTTYPEN))
def test_every_knelpunt_type_gets_at_least_three_reasoned_recommendations(knelpunt_type):
    advice = match_knelpunten([{"type": knelpunt_type, "ernst": "hoog", "titel": "Proef"}])
    (per,) = advice.per_knelpunt
    assert len(per.aanbevelingen) >= 3
    for rec in per.aanbevelingen:
        assert knelpunt_type in rec.entry.knelpunt_types
        assert rec.redenen and all(r.startswith("omdat ") for r in rec.redenen)
    groups = {SOORT_GROUPS[r.entry.soort] for r in per.aanbevelingen}
    assert len(groups) >= 2, "a list mixes routes, examples and support"


def test_advice_from_a_diagnose_file(diagnose_file):
    advice = advice_for_file(diagnose_file)
    assert advice.regio == "Zeeuws-Vlaanderen" and advice.peiljaar == 2024
    assert [ka.knelpunt.ernst for ka in advice.per_knelpunt] == ["hoog", "midden", "laag"]
    bovenbouw = {r.entry.id for r in advice.per_knelpunt[0].aanbevelingen}
    assert bovenbouw & {
        "vuistregels-levensvatbare-omvang",
        "bergen-op-zoom-drie-scholen",
        "bovenbouw-delen-uitbesteding",
    }
    isolation = [r.entry.id for r in advice.per_knelpunt[2].aanbevelingen]
    assert "aanvullende-bekostiging-geisoleerde-vestigingen" in isolation[:2]
    assert len(advice.ranglijst) == 10
    assert {r.entry.soort for r in advice.ondersteuning} == {"ondersteuning"}
    assert "ocw-accountmanagers-leerlingendaling" in {r.entry.id for r in advice.ondersteuning}


def test_the_overall_ranking_mixes_kinds_and_names_the_knelpunten(diagnose_file):
    advice = advice_for_file(diagnose_file)
    groups = [SOORT_GROUPS[r.entry.soort] for r in advice.ranglijst]
    assert {"route", "voorbeeld", "steun"} <= set(groups)
    assert max(groups.count(g) for g in set(groups)) <= 4
    for rec in advice.ranglijst:
        assert rec.knelpunten
        assert any("bij knelpunt" in r for r in rec.redenen)


def test_the_reason_is_the_entrys_own_dutch_reason():
    advice = match_knelpunten(
        [{"type": "openbaar-onbereikbaar", "ernst": "hoog", "titel": "Geen openbare school binnen 12 km"}]
    )
    top = advice.per_knelpunt[0].aanbevelingen[0]
    assert top.entry.id == "toelating-redelijke-afstand-openbaar"
    assert top.redenen[0] == "omdat " + top.entry.reason_for("openbaar-onbereikbaar")
    assert any("'openbare'" in r and "'12'" in r for r in top.redenen)


def test_a_preferred_area_lifts_examples_from_that_area(diagnose_file):
    plain = advice_for_file(diagnose_file)
    zeeland = advice_for_file(diagnose_file, gebied="Zeeland")
    assert zeeland.gebied == "Zeeland"
    top = zeeland.per_knelpunt[0].aanbevelingen[0]
    assert "Zeeland" in top.entry.gebieden
    assert any("gekozen gebied Zeeland" in r for r in top.redenen)
    assert [r.entry.id for r in plain.ranglijst] != [r.entry.id for r in zeeland.ranglijst]


def test_severity_weighs_in_the_score():
    one = {"type": "sterke-daling", "titel": "Daling"}
    high = match_knelpunten([{**one, "ernst": "hoog"}]).per_knelpunt[0].aanbevelingen[0]
    low = match_knelpunten([{**one, "ernst": "laag"}]).per_knelpunt[0].aanbevelingen[0]
    assert high.entry.id == low.entry.id
    assert high.score == pytest.approx(3 * low.score)


def test_school_type_adds_a_reason():
    advice = match_knelpunten(
        [{"type": "aanbod-verdwijnt", "ernst": "midden", "titel": "Techniek weg", "onderwijstype": "vmbo PIE"}]
    )
    reasons = [r for rec in advice.per_knelpunt[0].aanbevelingen for r in rec.redenen]
    assert any("over techniek gaat" in r for r in reasons)


@pytest.mark.parametrize(
    "value, themes",
    [
        ("pro", {"praktijkonderwijs"}),
        ("havo/vwo", {"havo-vwo"}),
        ("vmbo-k", {"vmbo"}),
        ("vmbo PIE", {"vmbo", "profielen", "techniek"}),
        ("Z&W", {"vmbo", "profielen"}),
        (None, set()),
        ("onbekend", set()),
    ],
)
def test_school_type_themes(value, themes):
    assert school_type_themes(value) == themes


def test_diagnose_objects_with_attributes_are_accepted():
    @dataclass(frozen=True)
    class DiagnoseKnelpunt:
        type: str
        ernst: str
        titel: str
        gebieden: tuple[str, ...] = ()
        onderwijstype: str | None = None

    advice = match_knelpunten([DiagnoseKnelpunt("witte-vlek", "midden", "Ver van havo")])
    assert advice.per_knelpunt[0].knelpunt == Knelpunt("witte-vlek", "midden", "Ver van havo")
    assert advice.per_knelpunt[0].aanbevelingen


def test_an_unknown_type_is_skipped_with_a_dutch_note():
    advice = match_knelpunten(
        [
            {"type": "lege-kas", "ernst": "hoog", "titel": "Geldzorgen"},
            {"type": "witte-vlek", "ernst": "laag", "titel": "Ver weg"},
        ]
    )
    assert len(advice.per_knelpunt) == 1
    assert advice.overgeslagen and "onbekende type 'lege-kas'" in advice.overgeslagen[0]


def test_no_knelpunten_gives_an_empty_advice():
    advice = match_knelpunten([])
    assert advice.per_knelpunt == () and advice.ranglijst == () and advice.ondersteuning == ()


def test_advice_serialises_to_json(diagnose_file):
    data = advice_for_file(diagnose_file, gebied="Zeeland").to_dict()
    text = json.dumps(data, ensure_ascii=False)
    assert data["knelpunten"][0]["knelpunt"]["type"] == "kleine-bovenbouw"
    assert data["ranglijst"][0]["redenen"][0].startswith("omdat ")
    assert "bronnen" in data["ranglijst"][0] and "omdat" in text


def test_an_unknown_preferred_area_is_refused():
    with pytest.raises(ConfiguratieFout, match="Onbekend gebied 'Atlantis'"):
        match_knelpunten([], gebied="Atlantis")


@pytest.mark.parametrize(
    "content, message",
    [
        ("{niet: json", "geen geldige JSON"),
        ('{"regio": "X"}', "geen lijst 'knelpunten'"),
        ('{"knelpunten": [{"type": "witte-vlek", "titel": "x"}]}', "mist 'ernst'"),
        ('{"knelpunten": [{"type": "witte-vlek", "ernst": "extreem", "titel": "x"}]}', "ernst 'extreem'"),
        ('{"peiljaar": "vorig jaar", "knelpunten": []}', "geen jaartal"),
        ('{"knelpunten": ["tekst"]}', "geen JSON-object"),
    ],
)
def test_a_bad_knelpunten_file_gets_a_dutch_error(tmp_path, content, message):
    path = tmp_path / "k.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InvoerFout, match=message) as info:
        read_knelpunten(path)
    assert info.value.file == str(path)


def test_a_missing_knelpunten_file_is_reported(tmp_path):
    with pytest.raises(InvoerFout, match="bestaat niet"):
        read_knelpunten(tmp_path / "weg.json")


def test_read_knelpunten_keeps_names_from_objects(tmp_path):
    path = tmp_path / "k.json"
    path.write_text(
        json.dumps(
            {
                "knelpunten": [
                    {
                        "type": "enige-aanbieder",
                        "ernst": "Hoog",
                        "titel": "Enige pro",
                        "vestigingen": [{"code": "01AB00"}],
                        "besturen": [{"naam": "Stichting X"}],
                        "gebieden": "Hulst",
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    (k,) = read_knelpunten(path).knelpunten
    assert (k.ernst, k.vestigingen, k.besturen, k.gebieden) == ("hoog", ("01AB00",), ("Stichting X",), ("Hulst",))
