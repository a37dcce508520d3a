"""Schema of the knowledge base: every entry loads, has sources, substance and the right fields."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from dekkend.errors import InvoerFout
from dekkend.knowledge import (
    KNELPUNTTYPEN,
    SOORTEN,
    THEMAS,
    entries_directory,
    load_entries,
    parse_entry,
)
from dekkend.knowledge._entries import MIN_BODY_WORDS, PRAKTIJK_HEADINGS
from dekkend.knowledge._text import citations, strip_citations, words

ENTRIES = load_entries()


def test_there_are_at_least_80_entries_one_file_each():
    files = sorted(entries_directory().glob("*.md"))
    assert len(ENTRIES) >= 80
    assert len(files) == len(ENTRIES)
    assert [e.id for e in ENTRIES] == sorted(f.stem for f in files)


def test_every_kind_is_present_and_all_46_practice_examples_are_included():
    kinds = Counter(e.soort for e in ENTRIES)
    assert set(kinds) == set(SOORTEN)
    assert kinds["praktijkvoorbeeld"] >= 46
    assert kinds["samenwerkingsvorm"] >= 8
    assert kinds["juridische-route"] >= 8
    assert kinds["ondersteuning"] >= 4


@pytest.mark.parametrize(
    "entry_id",
    [
        "fusietoets",
        "fusie-effectrapportage",
        "regionaal-plan-onderwijsvoorzieningen",
        "nevenvestiging",
        "uitbesteding-leerlingenuitwisseling",
        "samenwerkingsschool",
    ],
)
def test_the_legal_routes_the_issue_names_exist(entry_id):
    entry = next(e for e in ENTRIES if e.id == entry_id)
    assert entry.soort == "juridische-route"
    assert entry.juridische_basis


@pytest.mark.parametrize(
    "entry_id, must_mention",
    [
        ("ledenadviseurs-krimp-regionale-samenwerking", "ledenadviseur"),
        ("collegiale-bestuurlijke-visitatie", "visitatie"),
        ("ocw-accountmanagers-leerlingendaling", "lld@minocw.nl"),
    ],
)
def test_the_support_routes_exist(entry_id, must_mention):
    entry = next(e for e in ENTRIES if e.id == entry_id)
    assert entry.soort == "ondersteuning"
    assert must_mention in entry.plain_text().lower()


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.id)
def test_every_entry_has_sources_and_a_body_of_substance(entry):
    assert entry.bronnen
    for source in entry.bronnen:
        assert source.url.startswith(("http://", "https://"))
        assert len(source.titel) > 5
        assert isinstance(source.gezien, dt.date)
    assert len(words(strip_citations(entry.body))) >= MIN_BODY_WORDS
    assert len(words(entry.samenvatting)) >= 15
    cited = set(citations(entry.body) + citations(entry.samenvatting))
    assert cited == set(range(1, len(entry.bronnen) + 1)), "every source cited, no dangling [n]"
    assert set(entry.themas) <= THEMAS


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.id)
def test_every_entry_names_knelpunt_types_with_a_reason(entry):
    assert entry.knelpunttypen
    for knelpunt_type, reason in entry.knelpunttypen:
        assert knelpunt_type in KNELPUNTTYPEN
        assert len(reason.split()) >= 5
        assert not reason.lower().startswith("omdat")


def test_practice_examples_have_region_year_parties_approach_and_result():
    for entry in (e for e in ENTRIES if e.soort == "praktijkvoorbeeld"):
        assert entry.regio and entry.regio != "landelijk", entry.id
        assert entry.jaar and entry.partijen, entry.id
        for heading in PRAKTIJK_HEADINGS:
            assert f"\n{heading}\n" in f"\n{entry.body}\n", (entry.id, heading)


def test_each_knelpunt_type_has_at_least_three_entries_of_several_kinds():
    for knelpunt_type in KNELPUNTTYPEN:
        matching = [e for e in ENTRIES if knelpunt_type in e.knelpunt_types]
        assert len(matching) >= 3, knelpunt_type
        assert len({e.soort for e in matching}) >= 2, knelpunt_type


def test_zeeland_is_a_known_area():
    assert sum("Zeeland" in e.gebieden for e in ENTRIES) >= 5


GOOD = """---
id: {id}
titel: Een proefartikel
soort: handreiking
samenvatting: >
  Dit is een samenvatting van ruim vijftien woorden, zodat het schema haar
  goedkeurt en de test slaagt [1].
themas: [proces]
knelpunttypen:
  sterke-daling: dit artikel alleen een proef is voor de tests
bronnen:
  - {{url: "https://example.org/bron", titel: "Een bron", gezien: 2026-11-27}}
---
{body}
"""
BODY = " ".join(["woord"] * 120) + " [1]"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.md"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_valid_entry_file_loads(tmp_path):
    _write(tmp_path, "proef", GOOD.format(id="proef", body=BODY))
    (entry,) = load_entries(tmp_path)
    assert entry.id == "proef" and entry.reason_for("sterke-daling")


@pytest.mark.parametrize(
    "change, message, line",
    [
        (("soort: handreiking", "soort: folder"), "onbekende soort 'folder'", 4),
        (("id: proef", "id: andere-naam"), "wijkt af van de bestandsnaam", 2),
        (("themas: [proces]", "themas: [kantine]"), "onbekend thema 'kantine'", 8),
        (("  sterke-daling: dit", "  lege-kas: dit"), "onbekend knelpunttype 'lege-kas'", 9),
        ((BODY, "te kort [1]"), "minder dan de 100", None),
        ((BODY, BODY.replace("[1]", "[2]")), "bronverwijzing [2] bestaat niet", None),
        (("titel: Een proefartikel\n", ""), "verplicht veld 'titel'", None),
    ],
)
def test_a_broken_entry_gives_a_dutch_error_with_file_and_line(tmp_path, change, message, line):
    text = GOOD.format(id="proef", body=BODY).replace(*change)
    path = _write(tmp_path, "proef", text)
    with pytest.raises(InvoerFout) as info:
        load_entries(tmp_path)
    assert message in str(info.value)
    assert info.value.file == str(path)
    if line is not None:
        assert info.value.line == line


def test_unreadable_yaml_and_missing_front_matter_are_reported(tmp_path):
    with pytest.raises(InvoerFout, match="begint niet met een YAML-kop"):
        parse_entry("geen kop\n", path=tmp_path / "x.md")
    with pytest.raises(InvoerFout, match="onleesbaar"):
        parse_entry("---\nid: [open\n---\ntekst\n", path=tmp_path / "x.md")
    with pytest.raises(InvoerFout, match="wordt niet afgesloten"):
        parse_entry("---\nid: x\n", path=tmp_path / "x.md")


def test_an_empty_folder_is_an_error(tmp_path):
    with pytest.raises(InvoerFout, match="geen kennisbankartikelen"):
        load_entries(tmp_path)
