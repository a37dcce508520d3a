"""Forecasts and back-tests on the real data of ../shared/data (skipped when absent)."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from dekkend.cli import app
from dekkend.forecast import OUTPUT_COLUMNS, run_backtest
from dekkend.ingest import import_paths
from dekkend.workspace import Workspace


@pytest.fixture(scope="module")
def national(shared_data, tmp_path_factory):
    ws = Workspace(tmp_path_factory.mktemp("nl") / "w")
    import_paths([shared_data], ws)
    return ws


def test_cli_national_forecast_as_of_2019(national, tmp_path):
    out = tmp_path / "prognose.csv"
    res = CliRunner().invoke(app, ["prognose", "--werkmap", str(national.path), "--peiljaar", "2019", "--horizon", "15",
                                   "--uitvoer", str(out)])
    assert res.exit_code == 0, res.output
    fc = pd.read_csv(out, dtype={"vestigingscode": str, "profiel": str})
    assert list(fc.columns) == OUTPUT_COLUMNS
    assert fc["vestigingscode"].nunique() == 1450
    assert sorted(fc["jaar"].unique()) == list(range(2020, 2035))
    first = fc[fc["jaar"] == 2020]["verwacht"].sum()
    assert 0.9 * 956_857 < first < 1.05 * 956_857
    assert (fc[["laag95", "laag80", "verwacht", "hoog80", "hoog95"]].diff(axis=1).iloc[:, 1:] >= -0.011).all().all()


def test_case_g_cohort_beats_no_change_after_two_years(national):
    r = run_backtest(national.tables(), 2016, (2018, 2019, 2020, 2021), "gemeente")
    w = r.scores.set_index(["model", "jaar"])["wape"]
    assert r.scores["eenheden"].min() > 300
    for year in (2018, 2019, 2020, 2021):
        assert w[("cohort", year)] < w[("geen-verandering", year)]


def test_case_v_uses_only_2012_counts(national):
    r = run_backtest(national.tables(), 2013, (2019,), "vestiging")
    assert set(r.scores["model"]) == {"geen-verandering", "trend", "cohort"}
    base = r.detail[r.detail["model"] == "geen-verandering"]
    assert round(base["verwacht"].sum()) == 970_022  # the 2012/13 total, carried forward unchanged
