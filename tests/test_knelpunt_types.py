"""One Knelpunt and one list of knelpunt types for diagnosis, knowledge, optimiser and report."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dekkend import knowledge
from dekkend.demo import build_demo_workspace
from dekkend.diagnose import (
    KNELPUNT_TYPES,
    KNELPUNTTYPEN,
    SEVERITIES,
    TYPES,
    Diagnosis,
    Knelpunt,
    diagnose,
)
from dekkend.diagnose.run import SIZE_TYPES
from dekkend.errors import InvoerFout
from dekkend.knowledge import advice_for_file, load_entries, match_knelpunten, read_knelpunten
from dekkend.optimise.knelpunten import REACH, VIABILITY
from dekkend.report._sections import TYPE_EXPLANATION
from dekkend.workspace import Workspace

#: Knelpunt types the knowledge base deliberately has no entry for, each with the reason.
#: Empty today: every type has entries. A type added here must say why no entry can help.
UNMATCHED_TYPES: dict[str, str] = {}

#: A knelpunten file as ``dekkend diagnose`` wrote it before the two Knelpunt classes became one
#: (the schema of docs/diagnose.md, every field present, nested evidence).
OLD_FILE = {
    "regio": "COROP-gebied Achterhoek",
    "regio_expressie": "corop:14",
    "peiljaar": 2019,
    "horizon": 10,
    "instellingen": {"vooruitkijken_jaren": 5, "normafstand_km": 12},
    "knelpunten": [
        {
            "type": "kleine-bovenbouw",
            "ernst": "hoog",
            "titel": "Kleine bovenbouwgroepen bij X",
            "toelichting": "Bij X zijn deze bovenbouwgroepen klein.",
            "vestigingen": ["00XX00"],
            "besturen": ["12345"],
            "gebieden": ["7101", "7102"],
            "onderwijstype": "vmbo-k",
            "jaren": [2021, 2023],
            "bewijs": {"vestigingscode": "00XX00", "groepen": [{"naam": "vmbo-k", "nu": 18.5}]},
            "bronnen": ["drempels.yaml: kleine_groep_leerweg"],
        },
        {
            "type": "witte-vlek",
            "ernst": "midden",
            "titel": "Ver van havo",
            "toelichting": "",
            "vestigingen": [],
            "besturen": [],
            "gebieden": ["7131"],
            "onderwijstype": None,
            "jaren": [],
            "bewijs": {},
            "bronnen": [],
        },
    ],
    "besturen": [],
    "notities": [],
    "profielen": [],
}


@pytest.fixture(scope="module")
def demo_diagnosis(tmp_path_factory) -> Diagnosis:
    ws = build_demo_workspace(Workspace(tmp_path_factory.mktemp("demo") / "w"))
    return diagnose(ws.tables(), None)


def test_one_class_and_one_type_list():
    assert knowledge.Knelpunt is Knelpunt
    assert knowledge.KNELPUNTTYPEN is KNELPUNTTYPEN
    assert TYPES == tuple(KNELPUNTTYPEN) == tuple(t.slug for t in KNELPUNT_TYPES)
    assert len(set(TYPES)) == len(TYPES)
    for t in KNELPUNT_TYPES:
        assert t.label and t.label == KNELPUNTTYPEN[t.slug]
        assert t.uitleg.endswith(".")


def test_every_user_of_knelpunt_types_names_known_types():
    assert set(VIABILITY) | set(REACH) <= set(TYPES), "optimiser notes"
    assert set(SIZE_TYPES) <= set(TYPES), "scenario diagnosis"
    assert set(TYPE_EXPLANATION) == set(TYPES), "report"
    assert set(knowledge.ERNST_WEIGHTS) == set(SEVERITIES), "knowledge ranking"
    for entry in load_entries():
        assert set(entry.knelpunt_types) <= set(TYPES), entry.id


@pytest.mark.parametrize("kind", TYPES)
def test_the_knowledge_matching_covers_every_type(kind):
    entries = [e for e in load_entries() if kind in e.knelpunt_types]
    if kind in UNMATCHED_TYPES:
        assert not entries, f"{kind} has entries now: remove it from UNMATCHED_TYPES"
        return
    assert entries, f"no knowledge entry helps with {kind}"
    advice = match_knelpunten([Knelpunt(kind, "midden", "Proef")])
    assert not advice.overgeslagen
    (per,) = advice.per_knelpunt
    assert per.aanbevelingen
    assert all(r.redenen[0].startswith("omdat ") for r in per.aanbevelingen)


def test_an_old_knelpunten_file_still_reads(tmp_path):
    path = tmp_path / "knelpunten.json"
    path.write_text(json.dumps(OLD_FILE, ensure_ascii=False), encoding="utf-8")
    found = read_knelpunten(path)
    assert (found.regio, found.peiljaar) == ("COROP-gebied Achterhoek", 2019)
    first, second = found.knelpunten
    assert first.jaren == (2021, 2023) and first.gebieden == ("7101", "7102")
    assert first.bewijs["groepen"][0]["nu"] == 18.5
    assert [k.to_dict() for k in found.knelpunten] == OLD_FILE["knelpunten"]
    assert second.onderwijstype is None and second.label == "witte vlek (te ver van het aanbod)"
    advice = advice_for_file(path)
    assert [ka.knelpunt for ka in advice.per_knelpunt] == [first, second]


def test_a_diagnosis_file_reads_back_as_the_same_knelpunten(demo_diagnosis, tmp_path):
    path = tmp_path / "knelpunten.json"
    path.write_text(json.dumps(demo_diagnosis.to_dict(), ensure_ascii=False), encoding="utf-8")
    found = read_knelpunten(path)
    assert [k.to_dict() for k in found.knelpunten] == [k.to_dict() for k in demo_diagnosis.knelpunten]
    # all fields but the evidence (whose numbers the JSON form rounds) come back equal
    assert [replace(k, bewijs={}) for k in found.knelpunten] == [
        replace(k, bewijs={}) for k in demo_diagnosis.knelpunten
    ]


def test_unknown_types_are_read_but_no_diagnosis_holds_them(demo_diagnosis):
    future = Knelpunt.from_dict({"type": "lege-kas", "ernst": "Hoog", "titel": "Geldzorgen"})
    assert future.ernst == "hoog" and future.label == "lege-kas"
    with pytest.raises(ValueError, match="lege-kas"):
        Diagnosis(**{**vars(demo_diagnosis), "knelpunten": (future,)})
    with pytest.raises(ValueError, match="severity"):
        Knelpunt("witte-vlek", "erg", "Ver weg")


@pytest.mark.parametrize(
    "data, field",
    [
        ({"type": "witte-vlek", "titel": "x"}, "'ernst'"),
        ({"type": "witte-vlek", "ernst": "erg", "titel": "x"}, "ernst 'erg'"),
        ({"type": "witte-vlek", "ernst": "laag", "titel": "x", "jaren": ["volgend jaar"]}, "'jaren'"),
        (["witte-vlek"], "geen JSON-object"),
    ],
)
def test_bad_knelpunten_get_a_dutch_error_naming_the_field(data, field, tmp_path):
    with pytest.raises(InvoerFout, match=field) as info:
        Knelpunt.from_dict(data, file=tmp_path / "k.json", position=3)
    assert "knelpunt 3" in str(info.value)


_names = st.lists(st.text("0123456789ABCXYZ", min_size=1, max_size=6), max_size=3).map(tuple)


@given(
    kind=st.sampled_from(TYPES),
    ernst=st.sampled_from(SEVERITIES),
    titel=st.text(min_size=1).filter(lambda s: s.strip() == s and s.strip()),
    toelichting=st.text(),
    vestigingen=_names,
    gebieden=_names,
    onderwijstype=st.none() | st.sampled_from(["havo", "vmbo-k,vmbo-b", "profiel:zorg-welzijn"]),
    jaren=st.lists(st.integers(2000, 2060), max_size=3).map(tuple),
    bewijs=st.dictionaries(st.sampled_from(["a", "b"]), st.integers() | st.text(), max_size=2),
)
def test_the_json_form_round_trips(
    kind, ernst, titel, toelichting, vestigingen, gebieden, onderwijstype, jaren, bewijs
):
    k = Knelpunt(
        kind,
        ernst,
        titel,
        toelichting,
        vestigingen=vestigingen,
        gebieden=gebieden,
        onderwijstype=onderwijstype,
        jaren=jaren,
        bewijs=bewijs,
        bronnen=("bron",),
    )
    assert Knelpunt.from_dict(json.loads(json.dumps(k.to_dict()))) == k


@pytest.mark.parametrize("doc", ["diagnose.md", "kennisbank.md"])
def test_every_type_is_documented(doc):
    path = Path(__file__).resolve().parents[1] / "docs" / doc
    if not path.is_file():
        pytest.skip("the docs are not next to the tests")
    rows = {
        line.split("|")[1].strip().strip("`")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith("| `")
    }
    assert set(TYPES) <= rows
