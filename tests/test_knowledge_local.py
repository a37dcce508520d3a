"""Entries kept outside the package (the web workspace's own) joining search and matching; the ``jaar`` facet."""

from __future__ import annotations

import dataclasses

import pytest

from dekkend.errors import ConfiguratieFout
from dekkend.knowledge import KnowledgeIndex, combine_entries, entry_year, load_entries, match_knelpunten

SEED = load_entries()


def _example(entry_id: str, titel: str, jaar: str | None = "2025") -> object:
    base = next(e for e in SEED if e.soort == "praktijkvoorbeeld")
    return dataclasses.replace(base, id=entry_id, titel=titel, jaar=jaar)


def test_a_local_entry_is_found_and_a_local_edit_replaces_the_seed_entry_by_id():
    seed_entry = next(e for e in SEED if e.id == "collegiale-bestuurlijke-visitatie")
    edited = dataclasses.replace(seed_entry, titel="Visitatie door collega-bestuurders in Oostwoud")
    new = _example("oostwoud-gedeelde-techniek", "Gedeelde techniekroute Oostwoud")
    combined = combine_entries(SEED, [edited, new])
    assert len(combined) == len(SEED) + 1
    index = KnowledgeIndex(combined)
    assert index.get("collegiale-bestuurlijke-visitatie").titel.endswith("Oostwoud")
    assert "oostwoud-gedeelde-techniek" in {h.entry.id for h in index.search("Oostwoud", limit=20).hits}
    assert "oostwoud-gedeelde-techniek" not in {e.id for e in KnowledgeIndex.default().entries}  # seed untouched


def test_two_local_entries_with_one_id_are_refused_in_dutch():
    new = _example("dubbel", "Een")
    with pytest.raises(ConfiguratieFout, match="twee keer"):
        combine_entries(SEED, [new, new])


def test_matching_uses_the_given_index_so_a_local_example_can_be_advised():
    base = next(e for e in SEED if e.soort == "praktijkvoorbeeld" and e.knelpunt_types)
    kind = base.knelpunt_types[0]
    local = dataclasses.replace(base, id="lokaal-voorbeeld", titel="Lokaal voorbeeld")
    index = KnowledgeIndex(combine_entries(SEED, [local]))
    advice = match_knelpunten([{"type": kind, "ernst": "hoog", "titel": "knelpunt"}], index=index, per_knelpunt=50)
    assert "lokaal-voorbeeld" in {r.entry.id for r in advice.per_knelpunt[0].aanbevelingen}


def test_entry_year_is_the_first_year_named():
    assert entry_year(_example("a", "a", "sinds 2015; krimppilot 2020")) == 2015
    assert entry_year(_example("b", "b", "vóór 2002 (guldentijd)")) == 2002
    assert entry_year(_example("c", "c", None)) is None
    assert entry_year(_example("d", "d", "regeling 12345")) is None


def test_the_year_filter_keeps_that_year_and_its_facet_ignores_its_own_filter():
    index = KnowledgeIndex.default()
    everything = index.search("krimp", limit=200)
    years = everything.facets["jaar"]
    assert years and sum(years.values()) <= everything.total
    year = int(next(iter(years)))
    only = index.search("krimp", jaar=year, limit=200)
    assert only.total == years[str(year)]
    assert all(entry_year(h.entry) == year for h in only.hits)
    assert only.facets["jaar"] == years  # choosing a year does not change what the other years would give
    assert only.to_dict()["jaar"] == year
    by_kind = index.search("krimp", soort="praktijkvoorbeeld", jaar=year, limit=200)
    assert by_kind.total == only.facets["soort"].get("praktijkvoorbeeld", 0)
