"""Search: fixed queries a board would type, stemming, synonyms, facets and Dutch errors."""

from __future__ import annotations

import pytest

from dekkend.errors import ConfiguratieFout
from dekkend.knowledge import KnowledgeIndex, load_synonyms, search
from dekkend.knowledge._text import stem, stems

INDEX = KnowledgeIndex.default()

# (query as a board would type it, entries that must rank in the top 5)
FIXED_QUERIES = [
    ("examenklassen te klein", {"bovenbouw-delen-uitbesteding", "vuistregels-levensvatbare-omvang"}),
    ("bovenbouw naar een andere school", {"bovenbouw-delen-uitbesteding"}),
    ("pro geïsoleerde vestiging", {"aanvullende-bekostiging-geisoleerde-vestigingen"}),
    ("krimp Zeeuws-Vlaanderen", {"taskforce-zeeuws-vlaanderen"}),
    ("subsidie regionaal plan leerlingendaling", {"subsidieregeling-incidentele-middelen-leerlingendaling"}),
    ("samenwerkingsscholen", {"samenwerkingsschool", "informele-samenwerkingsschool", "eligant-lyceum-zutphen"}),
    ("fusietoets afgeschaft", {"fusietoets"}),
    ("FER", {"fusie-effectrapportage"}),
    ("RPO vmbo-profiel toevoegen", {"regionaal-plan-onderwijsvoorzieningen"}),
    ("profielen verdelen", {"vmbo-profielen-verdelen", "emmen-vmbo-profielen-verdeeld"}),
    ("technieklokalen delen met bedrijven", {"centrum-voor-toptechniek-terneuzen", "stera-achterhoek"}),
    ("lessen op afstand kleine vakken", {"videolessen-zeeuws-vlaanderen", "sudwest-fryslan-virtuele-campus"}),
    ("online lessen", {"afstandsonderwijs-wettelijk-kader"}),
    ("schoolboot eiland", {"schoolboot-vlieland-terschelling"}),
    ("leerlingenvervoer", {"leerlingenvervoer-vo"}),
    ("docenten delen tussen scholen", {"docentenpool-mobiliteitscentrum", "meppel-diever-gedeelde-docenten"}),
    ("ledenadviseurs", {"ledenadviseurs-krimp-regionale-samenwerking"}),
    ("collegiale visitatie", {"collegiale-bestuurlijke-visitatie"}),
    ("accountmanager OCW", {"ocw-accountmanagers-leerlingendaling"}),
    ("nieuwe school stichten", {"nieuwe-school-stichten"}),
    ("holding personele unie", {"holding", "personele-unie"}),
    ("gemeente huisvesting IHP", {"rol-gemeente-en-provincie"}),
    ("eenpitters", {"cooperatie-federatie"}),
    ("Fryslân kleine vakken", {"sudwest-fryslan-virtuele-campus", "stellingwerven-kwetsbare-vakken"}),
    ("raad van toezicht medezeggenschap", {"medezeggenschap-en-toezicht"}),
    ("prognoses DUO Voion", {"scenariomodel-vo-en-duo-prognoses", "factsheet-prognosecijfers"}),
    ("openbaar onderwijs onbereikbaar", {"toelating-redelijke-afstand-openbaar"}),
    ("witte vlek fietsafstand", {"commissie-dijkgraaf-de-laatste-school"}),
    ("vmbo techniek behouden", {"sterk-techniekonderwijs", "sto-noordoost-brabant"}),
    ("technisch vmbo samen met mbo en bedrijven", {"centrum-voor-toptechniek-terneuzen"}),
    ("dislocatie", {"nevenvestiging"}),
    ("schoolsluiting", {"sluiting-vestiging"}),
    ("minder leerlingen brugklas", {"beilen-volta-en-fusie-assen"}),
]


@pytest.mark.parametrize("query, expected", FIXED_QUERIES, ids=[q for q, _ in FIXED_QUERIES])
def test_fixed_queries_rank_the_expected_entries_in_the_top_5(query, expected):
    top = [hit.entry.id for hit in search(query, limit=5).hits]
    assert expected <= set(top), f"{query!r}: top 5 is {top}"


def test_there_are_at_least_20_fixed_queries():
    assert len(FIXED_QUERIES) >= 20


@pytest.mark.parametrize(
    "a, b",
    [
        ("school", "scholen"),
        ("klein", "kleine"),
        ("profiel", "profielen"),
        ("openbaar", "openbare"),
        ("vestiging", "vestigingen"),
        ("fusie", "fuseren"),
        ("geïsoleerde", "geisoleerde"),
        ("regio", "regio's"),
        ("voorbeeld", "voorbeelden"),
    ],
)
def test_dutch_stemming_joins_inflections(a, b):
    assert stems(a) == stems(b)


def test_open_is_not_openbaar():
    assert stem("open") != stem("openbaar")


@pytest.mark.parametrize(
    "plain, synonym",
    [
        ("leerlingendaling", "krimp"),
        ("praktijkonderwijs", "pro"),
        ("bovenbouw", "examenklassen"),
        ("regionaal plan onderwijsvoorzieningen", "RPO"),
        ("fusie-effectrapportage", "FER"),
    ],
)
def test_a_synonym_finds_the_same_entries(plain, synonym):
    a = {h.entry.id for h in search(plain, limit=50).hits}
    b = {h.entry.id for h in search(synonym, limit=50).hits}
    assert a == b and a


def test_synonym_groups_are_symmetric():
    synonyms = load_synonyms()
    for key, group in synonyms.terms.items():
        for other in group:
            assert key in synonyms.terms[other]


def test_stemming_matches_a_plural_query_to_a_singular_title():
    top = search("samenwerkingsscholen", limit=1).hits[0].entry
    assert top.id == "samenwerkingsschool"


def test_the_soort_filter_keeps_only_that_kind_and_facets_count_the_others():
    result = search("krimp", soort="ondersteuning", limit=50)
    assert result.hits and all(h.entry.soort == "ondersteuning" for h in result.hits)
    assert result.total == len(result.hits)
    assert result.facets["soort"]["ondersteuning"] == result.total
    assert sum(result.facets["soort"].values()) > result.total


def test_the_gebied_filter_keeps_only_entries_about_that_area():
    result = search("techniek", gebied="zeeland", limit=50)
    assert result.gebied == "Zeeland"
    assert result.hits and all("Zeeland" in h.entry.gebieden for h in result.hits)
    assert "Zeeland" in result.facets["gebied"]


def test_an_area_alias_resolves():
    assert INDEX.resolve_area("Fryslân") == "Friesland"
    result = search("virtuele campus", gebied="Fryslân")
    assert result.gebied == "Friesland" and result.hits


def test_an_area_named_in_the_query_lifts_its_entries():
    top = [h.entry for h in search("leerlingendaling Zeeland", limit=5).hits]
    assert all("Zeeland" in e.gebieden for e in top)


def test_results_carry_a_fragment_and_serialise():
    result = search("kleine bovenbouw", limit=3)
    data = result.to_dict()
    assert data["zoekvraag"] == "kleine bovenbouw" and len(data["resultaten"]) == 3
    assert all(r["fragment"] and "[" not in r["fragment"] for r in data["resultaten"])


@pytest.mark.parametrize("query", ["", "   ", "?!"])
def test_an_empty_query_gets_a_dutch_message(query):
    with pytest.raises(ConfiguratieFout, match="De zoekvraag is leeg"):
        search(query)


def test_a_query_of_only_stop_words_gets_a_dutch_message():
    with pytest.raises(ConfiguratieFout, match="alleen woorden als"):
        search("hoe en wat")


def test_an_unknown_soort_lists_the_allowed_values():
    with pytest.raises(ConfiguratieFout) as info:
        search("krimp", soort="voorbeeld")
    assert "Onbekende soort 'voorbeeld'" in str(info.value)
    assert "praktijkvoorbeeld" in str(info.value)


def test_an_unknown_gebied_suggests_a_close_name():
    with pytest.raises(ConfiguratieFout, match="Onbekend gebied 'Zeland'.*Zeeland"):
        search("krimp", gebied="Zeland")


def test_a_limit_below_one_is_refused():
    with pytest.raises(ConfiguratieFout, match="minstens 1"):
        search("krimp", limit=0)


def test_an_unknown_id_suggests_similar_ids():
    assert INDEX.get("FUSIETOETS").id == "fusietoets"
    with pytest.raises(ConfiguratieFout, match="Bedoelde u: fusietoets"):
        INDEX.get("fusietoest")


def test_an_index_over_other_entries_works(tmp_path):
    from dekkend.knowledge import load_entries

    entry = INDEX.get("schoolboot-vlieland-terschelling")
    (tmp_path / f"{entry.id}.md").write_text(entry.path.read_text(encoding="utf-8"), encoding="utf-8")
    small = KnowledgeIndex(load_entries(tmp_path))
    assert [h.entry.id for h in small.search("watertaxi").hits] == [entry.id]
    assert small.areas == ("Friesland", "Terschelling", "Vlieland", "Waddeneilanden")
