"""The forecast engine: output contract, as-of rule, awkward cases and invariants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from forecast_fixtures import STREAMS, pupil_rows, workspace
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dekkend.demo import build_demo_workspace
from dekkend.errors import ConfiguratieFout
from dekkend.forecast import OUTPUT_COLUMNS, as_of, make_model, run_backtest
from dekkend.ingest._text import estimated_count
from dekkend.workspace import Workspace

MODELS = ("geen-verandering", "trend", "cohort")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return build_demo_workspace(Workspace(tmp_path_factory.mktemp("demo") / "w")).tables()


@pytest.mark.parametrize("model", MODELS)
def test_output_contract_and_disjoint_rows(demo, model):
    fc = make_model(model).fit(demo, 2020).predict(5)
    assert list(fc.columns) == OUTPUT_COLUMNS
    assert sorted(fc["jaar"].unique()) == [2021, 2022, 2023, 2024, 2025]
    key = ["vestigingscode", "jaar", "onderwijstype", "profiel", "leerjaar"]
    assert not fc.duplicated(key).any()
    if model == "geen-verandering":  # the rows of one vestiging and year add up to its total
        base = demo["leerlingen"].query("schooljaar == 2020")
        total = base.assign(n=estimated_count(base)).groupby("vestigingscode")["n"].sum()
        got = fc[fc["jaar"] == 2023].groupby("vestigingscode")["verwacht"].sum()
        pd.testing.assert_series_equal(got.sort_index(), total.sort_index(), check_names=False)
    prof = fc[fc["profiel"].notna()]
    assert prof["onderwijstype"].isin(["vmbo-b", "vmbo-k", "vmbo-g", "vmbo-t"]).all() and (prof["leerjaar"] >= 3).all()


def _later(tables, year):
    """Plant data dated after 1 October of ``year`` (a later count, later children, later population)."""
    t = {k: v.copy() for k, v in tables.items()}
    late = t["leerlingen"][t["leerlingen"]["schooljaar"] == t["leerlingen"]["schooljaar"].max()].copy()
    late["schooljaar"], late["peildatum"], late["aantal"] = year + 1, pd.Timestamp(year + 1, 10, 1), late["aantal"] * 3
    t["leerlingen"] = pd.concat([t["leerlingen"], late], ignore_index=True)
    kids = t["kinderen"][t["kinderen"]["schooljaar"] == t["kinderen"]["schooljaar"].max()].copy()
    kids["schooljaar"], kids["peildatum"], kids["aantal"] = year + 3, pd.Timestamp(year + 3, 10, 1), kids["aantal"] * 5
    t["kinderen"] = pd.concat([t["kinderen"], kids], ignore_index=True)
    pop = t["bevolking_pc4"][t["bevolking_pc4"]["jaar"] == t["bevolking_pc4"]["jaar"].max()].copy()
    pop["jaar"], pop["peildatum"], pop["aantal"] = year + 2, pd.Timestamp(year + 2, 1, 1), pop["aantal"] * 2
    t["bevolking_pc4"] = pd.concat([t["bevolking_pc4"], pop], ignore_index=True)
    return t


@pytest.mark.parametrize("model", MODELS)
def test_as_of_rule_later_files_change_nothing(demo, model):
    truncated = as_of(demo, 2019)
    a = make_model(model).fit(truncated, 2019).predict(6)
    b = make_model(model).fit(_later(demo, 2024), 2019).predict(6)
    pd.testing.assert_frame_equal(a, b)


def test_as_of_cutoff_is_1_october():
    t = {
        "kinderen": pd.DataFrame(
            {"schooljaar": [2018, 2019, 2020], "peildatum": pd.to_datetime(["2018-10-01"] * 3), "bron_id": "x"}
        ),
        "bevolking_pc4": pd.DataFrame(
            {"jaar": [2019, 2020], "peildatum": pd.to_datetime(["2019-01-01", "2020-01-01"]), "bron_id": "y"}
        ),
        "po_afstand": pd.DataFrame({"peildatum": pd.to_datetime(["2019-10-01", "2019-10-02"]), "bron_id": "z"}),
    }
    k = as_of(t, 2019)
    assert k["kinderen"]["schooljaar"].tolist() == [2018, 2019]
    assert k["bevolking_pc4"]["jaar"].tolist() == [2019]
    assert len(k["po_afstand"]) == 1


def _one(tables, model, code):
    fc = make_model(model).fit(tables, 2019).predict(3)
    return fc[fc["vestigingscode"] == code]


def test_awkward_cases_each_get_a_method():
    t = workspace(np.random.default_rng(1), n_ves=3, years=range(2016, 2020))
    extra = []
    extra += pupil_rows("00NW00", 2019, {("brugjaar", None, 1): 90})  # new this year
    extra += pupil_rows("00GS00", 2018, {("brugjaar", None, 1): 40})  # closed after 2018
    extra += pupil_rows("00EJ00", 2019, {("havo", None, 4): 30})  # one year only, not new (no 2018 count)
    t["leerlingen"] = pd.concat([t["leerlingen"], pd.DataFrame(extra)], ignore_index=True)
    t["vestigingen"] = pd.concat(
        [t["vestigingen"]]
        + [
            t["vestigingen"].iloc[[0]].assign(vestigingscode=c, pc6=f"9{i}99ZZ")
            for i, c in enumerate(("00NW00", "00GS00", "00EJ00"))
        ]
    )
    t["leerlingen"] = t["leerlingen"][
        ~((t["leerlingen"]["vestigingscode"] == "00EJ00") & (t["leerlingen"]["schooljaar"] < 2019))
    ]
    fc = make_model("cohort").fit(t, 2019).predict(3)
    method = fc.drop_duplicates("vestigingscode").set_index("vestigingscode")["methode"]
    assert method["00T000"] == "cohort"
    assert method["00NW00"] == "nieuw"
    assert "00GS00" not in method.index  # no pupils in the origin year: it stopped, no forecast
    assert make_model("cohort").fit(t, 2019).prepared.closed == ("00GS00",)
    new = fc[fc["vestigingscode"] == "00NW00"].groupby("jaar")["verwacht"].sum()
    assert new[2021] > new[2020] > 0  # a new school grows into its next leerjaren
    assert np.isfinite(fc[["verwacht", "laag80", "hoog95"]].to_numpy(float)).all()


def test_single_year_history_is_a_cross_section():
    t = workspace(np.random.default_rng(2), n_ves=2, years=range(2019, 2020))
    fc = make_model("cohort").fit(t, 2019).predict(2)
    assert set(fc["methode"]) == {"geen-historie"}


def test_region_without_children():
    t = workspace(np.random.default_rng(3), kids=False)
    fc = make_model("cohort").fit(t, 2019).predict(2)
    assert set(fc["methode"]) == {"cohort-zonder-kinderen"}
    assert (fc["verwacht"] >= 0).all()


def test_changed_code_inherits_history():
    t = workspace(np.random.default_rng(4), n_ves=2, years=range(2016, 2020))
    p = t["leerlingen"]
    p.loc[(p["vestigingscode"] == "00T100") & (p["schooljaar"] == 2019), "vestigingscode"] = "00Z100"
    t["vestigingen"] = pd.concat(
        [t["vestigingen"], t["vestigingen"].query("vestigingscode == '00T100'").assign(vestigingscode="00Z100")]
    )
    fc = make_model("cohort").fit(t, 2019).predict(2)
    method = fc.drop_duplicates("vestigingscode").set_index("vestigingscode")["methode"]
    assert method["00Z100"] == "code-gewijzigd" and "00T100" not in method.index


def test_zero_and_censored_counts():
    t = workspace(np.random.default_rng(5), censor=0.3, zero=0.3)
    for model in MODELS:
        fc = make_model(model).fit(t, 2019).predict(4)
        assert (fc["verwacht"] >= 0).all() and fc["verwacht"].notna().all()


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(0, 10_000), st.integers(1, 4), st.floats(0, 0.4), st.floats(0, 0.3), st.booleans(), st.integers(1, 12)
)
def test_invariants(seed, n_ves, zero, censor, kids, horizon):
    t = workspace(np.random.default_rng(seed), n_ves=n_ves, zero=zero, censor=censor, kids=kids)
    for model in MODELS:
        fc = make_model(model).fit(t, 2019).predict(horizon)
        v = fc[["laag95", "laag80", "verwacht", "hoog80", "hoog95"]].to_numpy(float)
        assert np.isfinite(v).all() and (v >= 0).all()
        assert (np.diff(v, axis=1) >= -1e-9).all()  # laag95 <= laag80 <= verwacht <= hoog80 <= hoog95


def test_bad_settings_are_dutch(demo):
    with pytest.raises(ConfiguratieFout, match="onbekend model"):
        make_model("orakel")
    with pytest.raises(ConfiguratieFout, match="geen leerlingentellingen"):
        make_model("cohort").fit(demo, 1990)
    with pytest.raises(ConfiguratieFout, match="horizon"):
        make_model("cohort").fit(demo, 2020).predict(0)


def test_cohort_beats_no_change_on_the_demo(demo, monkeypatch):
    import dekkend.forecast.backtest as bt

    monkeypatch.setattr(bt, "MAX_CALIBRATION_ORIGINS", 1)  # speed: the scores do not depend on the intervals
    r = run_backtest(demo, 2017, (2022, 2024), "vestiging")
    w = r.scores.set_index(["model", "jaar"])["wape"]
    for year in (2022, 2024):
        assert w[("cohort", year)] < w[("geen-verandering", year)]


def test_streams_fixture_is_meaningful():
    assert len(STREAMS) > 5
