"""Derived results cached per werkmap data version (dekkend/cache.py): the same numbers as computing them,
gone after a re-import, and a damaged, foreign or unwritable cache never changes a result."""

from __future__ import annotations

import os
import shutil
import threading

import numpy as np
import pandas as pd
import pytest
from model_checks import assert_same_model

from dekkend.cache import FOLDER, DerivedCache, data_version, tables_and_cache
from dekkend.optimise import optimise
from dekkend.regions import select_region
from dekkend.scenarios.engine import baseline_forecast, calibrated_model
from dekkend.workspace import Workspace

YEAR = 2025


def _figures(result) -> dict:
    out = result.to_dict()
    out.pop("rekentijd_s")  # the solver's wall time
    return out


def test_the_cached_choice_model_and_forecast_are_the_computed_ones(werkmap):
    tables, cache = tables_and_cache(werkmap)
    assert cache is not None and cache.folder == werkmap.path / "tabellen" / FOLDER
    region = select_region(tables, None)
    forecast, origin = baseline_forecast(tables, region, 10)
    computed = calibrated_model(tables, origin)
    stored = calibrated_model(tables, origin, cache=cache)  # computes and stores
    assert len(list(cache.folder.glob("keuzemodel-*.npz"))) == 1
    assert_same_model(calibrated_model(tables, origin, cache=cache), computed)  # read back
    assert_same_model(stored, computed)
    baseline_forecast(tables, region, 10, cache=cache)
    again, origin_again = baseline_forecast(tables, region, 10, cache=cache)
    pd.testing.assert_frame_equal(again, forecast, check_exact=True)
    assert origin_again == origin
    # another decay is another result, not the stored one
    other = calibrated_model(tables, origin, decay=0.2, cache=cache)
    assert other[0].params.decay_per_km == 0.2 and len(list(cache.folder.glob("keuzemodel-*.npz"))) == 2


def test_the_optimiser_gives_the_same_result_with_a_cold_a_warm_and_no_cache(werkmap):
    tables, cache = tables_and_cache(werkmap)
    plain = optimise(tables, None, YEAR)
    cold = optimise(tables, None, YEAR, cache=cache)
    assert {p.name.split("-")[0] for p in cache.folder.glob("*.npz")} == {"keuzemodel", "prognose", "stroomgebied"}
    warm = optimise(tables, None, YEAR, cache=cache)
    assert plain.changes  # the demo has something to decide
    assert _figures(cold) == _figures(plain)
    assert _figures(warm) == _figures(plain)


def test_a_reimport_invalidates_the_cache(werkmap):
    tables, cache = tables_and_cache(werkmap)
    origin = int(tables["leerlingen"]["schooljaar"].max())
    before = calibrated_model(tables, origin, cache=cache)
    assert any(cache.folder.iterdir())
    # a re-import with one vestiging's first-year intake doubled
    changed = dict(tables)
    pupils = changed["leerlingen"].copy()
    code = pupils["vestigingscode"].iloc[0]
    first = (pupils["vestigingscode"] == code) & (pupils["leerjaar"] == 1) & (pupils["schooljaar"] == origin)
    pupils.loc[first, "aantal"] = pupils.loc[first, "aantal"] * 2
    changed["leerlingen"] = pupils
    werkmap.replace(changed)
    assert not cache.folder.exists()  # left with the old tables
    tables2, cache2 = tables_and_cache(Workspace(werkmap.path))
    assert cache2 is not None and cache2.version != cache.version
    assert cache2.load("keuzemodel", {"peiljaar": origin, "verval": float(before[0].params.decay_per_km)}) is None
    after = calibrated_model(tables2, origin, cache=cache2)
    assert_same_model(after, calibrated_model(tables2, origin))
    assert not np.array_equal(after[0].attractiveness, before[0].attractiveness)


def test_a_damaged_or_foreign_file_is_ignored_and_rebuilt(werkmap):
    tables, cache = tables_and_cache(werkmap)
    origin = int(tables["leerlingen"]["schooljaar"].max())
    computed = calibrated_model(tables, origin, cache=cache)
    params = {"peiljaar": origin, "verval": float(computed[0].params.decay_per_km)}
    path = cache.path("keuzemodel", params)
    good = path.read_bytes()
    for damage in (b"", b"not a zip file", good[: len(good) // 2]):
        path.write_bytes(damage)
        assert cache.load("keuzemodel", params) is None
        assert_same_model(calibrated_model(tables, origin, cache=cache), computed)
        assert cache.load("keuzemodel", params) is not None  # rewritten whole
    # a valid file under another key's name (copied, renamed) is not read as that key
    other = {"peiljaar": origin - 1, "verval": params["verval"]}
    shutil.copy(path, cache.path("keuzemodel", other))
    assert cache.load("keuzemodel", other) is None
    # a cache of other tables (another data version) reads nothing from this folder
    assert DerivedCache(cache.folder, "0" * 64).load("keuzemodel", params) is None


def test_an_unwritable_cache_still_gives_the_result(werkmap, tmp_path):
    tables, _ = tables_and_cache(werkmap)
    origin = int(tables["leerlingen"]["schooljaar"].max())
    blocker = tmp_path / "bestand"
    blocker.write_text("x")
    cache = DerivedCache(blocker / FOLDER, "v")  # its folder cannot be made: a file is in the way
    assert_same_model(calibrated_model(tables, origin, cache=cache), calibrated_model(tables, origin))
    assert not cache.store("x", {}, {"a": np.arange(3)})


def test_concurrent_writers_leave_one_complete_file(tmp_path):
    cache = DerivedCache(tmp_path / FOLDER, "v")
    parts = {"a": np.arange(100_000, dtype=float), "t": pd.DataFrame({"code": ["a", "b"], "n": [1.5, 2.0]})}
    errors: list[BaseException] = []

    def write() -> None:
        try:
            for _ in range(5):
                assert cache.store("proef", {"k": 1}, parts)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=write) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert [p.name for p in cache.folder.iterdir()] == [cache.path("proef", {"k": 1}).name]  # no temporary files
    got = cache.load("proef", {"k": 1})
    assert got is not None and np.array_equal(got["a"], parts["a"])
    pd.testing.assert_frame_equal(got["t"], parts["t"])


def test_object_arrays_are_refused_so_no_file_needs_pickle(tmp_path):
    cache = DerivedCache(tmp_path, "v")
    with pytest.raises(TypeError, match="object"):
        cache.store("x", {}, {"codes": np.array(["a", None], dtype=object)})


def test_tables_changed_while_read_give_no_cache(werkmap):
    class ReimportedWhileRead(Workspace):
        """A werkmap that another process re-imports right after this one read its tables."""

        def tables(self) -> dict[str, pd.DataFrame]:
            read = super().tables()
            changed = dict(read)
            changed["vestigingen"] = read["vestigingen"].iloc[:-1]
            Workspace(self.path).replace(changed)
            return read

    before = data_version(werkmap)
    tables, cache = tables_and_cache(ReimportedWhileRead(werkmap.path))
    assert cache is None and tables
    assert data_version(werkmap) != before


def test_the_data_version_follows_the_stored_tables_only(werkmap):
    version = data_version(werkmap)
    (werkmap.path / "tabellen" / FOLDER).mkdir()
    (werkmap.path / "tabellen" / FOLDER / "x.npz").write_bytes(b"cached results do not change the version")
    os.utime(werkmap.path / "tabellen" / "werkmap.json")  # nor does a touched file with the same bytes
    assert data_version(werkmap) == version
