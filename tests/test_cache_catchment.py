"""The national catchment of the cohort forecast, cached per werkmap data version (issues 17 and 19):
the stored catchment is the computed one, bit for bit; every region and the back-test share it; a
re-import or another method version never reads it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from model_checks import assert_same_fields

import dekkend.cache
from dekkend.cache import FOLDER, tables_and_cache
from dekkend.forecast.backtest import backtest_units
from dekkend.forecast.catchment import CACHE_KIND, decode_catchment, encode_catchment
from dekkend.forecast.models import CohortModel
from dekkend.report import collect
from dekkend.report._collect import BACKTEST_MODELS, backtest_years
from dekkend.workspace import Workspace

HORIZON = 10


def _stored(cache) -> list[Path]:
    return sorted(cache.folder.glob(f"{CACHE_KIND}-*.npz")) if cache.folder.is_dir() else []


def _origin(tables) -> int:
    return int(tables["leerlingen"]["schooljaar"].max())


def test_the_cached_catchment_and_forecast_are_the_computed_ones(werkmap):
    tables, cache = tables_and_cache(werkmap)
    origin = _origin(tables)
    plain = CohortModel().fit(tables, origin)
    expected = plain.predict(HORIZON)
    cold = CohortModel(cache=cache).fit(tables, origin)
    pd.testing.assert_frame_equal(cold.predict(HORIZON), expected, check_exact=True)
    assert len(_stored(cache)) == 1
    warm = CohortModel(cache=cache).fit(tables, origin)
    pd.testing.assert_frame_equal(warm.predict(HORIZON), expected, check_exact=True)
    assert_same_fields(warm.catchment, plain.catchment)  # read back: every array, table and number
    assert_same_fields(cold.catchment, plain.catchment)
    # one region's forecast reads the national catchment another region stored
    codes = tuple(sorted(tables["leerlingen"]["vestigingscode"].unique())[:4])
    region = CohortModel(cache=cache).fit(tables, origin, codes).predict(HORIZON)
    pd.testing.assert_frame_equal(region, CohortModel().fit(tables, origin, codes).predict(HORIZON), check_exact=True)
    assert len(_stored(cache)) == 1
    # another horizon covers other entry years: another result
    CohortModel(cache=cache).fit(tables, origin).predict(HORIZON + 3)
    assert len(_stored(cache)) == 2


def test_no_catchment_round_trips_as_none():
    assert decode_catchment(encode_catchment(None)) is None


def test_the_report_and_its_back_test_give_the_same_numbers_with_the_cache(werkmap):
    tables, cache = tables_and_cache(werkmap)
    report = collect(tables, None, cache=cache)  # cold: computes and stores the catchments
    assert _stored(cache) and report.backtest is not None
    codes = tuple(report.region.vestigingen)
    plain = CohortModel().fit(tables, report.origin, codes).predict(HORIZON)
    pd.testing.assert_frame_equal(report.forecast, plain, check_exact=True)
    plan = backtest_years(report.history, report.origin)
    assert plan is not None
    args = (tables, plan[0], plan[1], "vestiging")
    expected = backtest_units(*args, models=BACKTEST_MODELS, units=codes)
    warm = backtest_units(*args, models=BACKTEST_MODELS, units=codes, cache=cache)
    for got in (report.backtest, warm):
        pd.testing.assert_frame_equal(got.detail, expected.detail, check_exact=True)
        pd.testing.assert_frame_equal(got.scores, expected.scores, check_exact=True)


def test_a_reimport_or_a_new_method_version_never_reads_the_stored_catchment(werkmap, monkeypatch):
    tables, cache = tables_and_cache(werkmap)
    origin = _origin(tables)
    before = CohortModel(cache=cache).fit(tables, origin)
    before.predict(HORIZON)
    (path,) = _stored(cache)
    # another method version (a changed dekkend): the key differs, the file is not read but computed anew
    monkeypatch.setattr(dekkend.cache, "method_version", lambda: "een andere versie")
    again = CohortModel(cache=cache).fit(tables, origin)
    again.predict(HORIZON)
    assert len(_stored(cache)) == 2 and path in _stored(cache)
    assert_same_fields(again.catchment, before.catchment)
    monkeypatch.undo()
    # a re-import with one vestiging's first-year intake doubled: a new data version, another catchment
    changed = dict(tables)
    pupils = changed["leerlingen"].copy()
    first = (pupils["leerjaar"] == 1) & (pupils["schooljaar"] == origin)
    pupils.loc[first & (pupils["vestigingscode"] == pupils.loc[first, "vestigingscode"].iloc[0]), "aantal"] *= 2
    changed["leerlingen"] = pupils
    werkmap.replace(changed)
    assert not (werkmap.path / "tabellen" / FOLDER).exists()  # the old results left with the old tables
    tables2, cache2 = tables_and_cache(Workspace(werkmap.path))
    assert cache2 is not None and cache2.version != cache.version
    after = CohortModel(cache=cache2).fit(tables2, origin)
    after.predict(HORIZON)
    plain = CohortModel().fit(tables2, origin)
    plain.predict(HORIZON)
    assert_same_fields(after.catchment, plain.catchment)
    assert not np.array_equal(after.catchment.intake, before.catchment.intake)
