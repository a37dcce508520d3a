"""Preparing a werkmap after an import (issues 17 and 19): the national results every region shares are
computed once, so the first analysis of any other region and the scenarios' choice model only read them."""

from __future__ import annotations

import pytest

from dekkend.cache import DerivedCache, tables_and_cache
from dekkend.regions import select_region
from dekkend.report import collect, prepare_national, smallest_current_region
from dekkend.scenarios.engine import calibrated_model

#: Kinds of derived results that depend on the data version only, never on the region.
NATIONAL = {"stroomgebied", "keuzemodel"}


@pytest.fixture
def computed(monkeypatch) -> list[str]:
    """The kinds of derived results computed (not read from the cache) while the test runs."""
    kinds: list[str] = []
    original = DerivedCache.get

    def recording(self, kind, params, compute, encode, decode):
        def counted():
            kinds.append(kind)
            return compute()

        return original(self, kind, params, counted, encode, decode)

    monkeypatch.setattr(DerivedCache, "get", recording)
    return kinds


def test_the_smallest_region_is_a_gemeente_counted_in_the_last_year(werkmap):
    tables = werkmap.tables()
    regio = smallest_current_region(tables)
    assert regio is not None and regio.startswith("gemeente:")
    codes = select_region(tables, regio).vestigingen
    pupils = tables["leerlingen"]
    last = pupils["schooljaar"].max()
    assert set(codes) & set(pupils.loc[pupils["schooljaar"] == last, "vestigingscode"])


def test_after_preparing_another_region_computes_nothing_national(werkmap, computed):
    tables, cache = tables_and_cache(werkmap)
    done = prepare_national(tables, cache)
    assert done is not None and done.peiljaar == int(tables["leerlingen"]["schooljaar"].max())
    assert NATIONAL <= set(computed), computed  # the preparation computed them (a new werkmap)
    computed.clear()

    tables, cache = tables_and_cache(werkmap)  # as a new process (the web's task worker) would
    other = collect(tables, "nl", cache=cache)  # the whole demo region, not the prepared gemeente
    calibrated_model(tables, other.origin, None, cache)
    assert computed and not NATIONAL & set(computed), computed  # only the region's own forecast


def test_nothing_to_prepare_without_a_cache_or_counts(werkmap):
    tables = werkmap.tables()
    assert prepare_national(tables, None) is None
    empty = {**tables, "leerlingen": tables["leerlingen"].iloc[0:0]}
    assert smallest_current_region(empty) is None
