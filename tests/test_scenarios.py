"""Scenarios: the format and its errors, pupil conservation, and known answers for every measure on the demo."""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from dekkend.cli import app
from dekkend.demo import build_demo_workspace
from dekkend.errors import ConfiguratieFout, InvoerFout
from dekkend.regions import Region, select_region
from dekkend.scenarios import baseline, load_scenario, parse_scenario, run_scenario
from dekkend.scenarios.engine import (
    Market,
    _subset,
    apply_scenario,
    baseline_forecast,
    calibrated_model,
)
from dekkend.scenarios.format import Scenario, SluitVestiging, StopAanbod
from dekkend.scenarios.offer import base_offer
from dekkend.workspace import Workspace


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    ws = build_demo_workspace(Workspace(tmp_path_factory.mktemp("demo") / "w"))
    tables = ws.tables()
    region = select_region(tables, None)
    forecast, origin = baseline_forecast(tables, region, 10)
    base = baseline(tables, None, forecast=(forecast, origin))
    return ws, tables, region, forecast, origin, base.market(), base


def _run(demo, measures, name="test"):
    tables, base = demo[1], demo[6]
    return run_scenario(tables, parse_scenario({"naam": name, "maatregelen": measures}), None, baseline=base)


def _total(frame, code, year, typ=None):
    f = frame[(frame["vestigingscode"] == code) & (frame["jaar"] == year)]
    if typ is not None:
        f = f[f["onderwijstype"] == typ]
    return float(f["verwacht"].sum())


# -- format ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("doc", "fragment"),
    [
        (
            {"maatregelen": [{"soort": "sluit-vestiging", "vestiging": "99BB03", "vanaf": 2026}]},
            "veld 'naam' ontbreekt",
        ),
        ({"naam": "x", "maatregelen": []}, "'maatregelen' ontbreekt of is leeg"),
        (
            {"naam": "x", "maatregelen": [{"soort": "opheffen", "vanaf": 2026}]},
            "maatregel 1, veld 'soort': 'opheffen' is onbekend",
        ),
        (
            {"naam": "x", "maatregelen": [{"soort": "sluit-vestiging", "vanaf": 2026}]},
            "maatregel 1 (sluit-vestiging), veld 'vestiging': ontbreekt",
        ),
        (
            {"naam": "x", "maatregelen": [{"soort": "sluit-vestiging", "vestiging": "99B", "vanaf": 2026}]},
            "geen vestigingscode",
        ),
        (
            {
                "naam": "x",
                "maatregelen": [
                    {
                        "soort": "stop-aanbod",
                        "vestiging": "99BB03",
                        "onderwijstype": "havo",
                        "profiel": "groen",
                        "vanaf": 2026,
                    }
                ],
            },
            "veld 'profiel': een profiel hoort bij een vmbo-leerweg",
        ),
        (
            {
                "naam": "x",
                "maatregelen": [{"soort": "stop-aanbod", "vestiging": "99BB03", "onderwijstype": "mbo", "vanaf": 2026}],
            },
            "veld 'onderwijstype': 'mbo' is geen onderwijstype",
        ),
        (
            {
                "naam": "x",
                "maatregelen": [
                    {
                        "soort": "afstandsonderwijs",
                        "vestiging": "99BB03",
                        "onderwijstype": "vmbo-k",
                        "nutsverlies": 2,
                        "vanaf": 2026,
                    }
                ],
            },
            "veld 'nutsverlies'",
        ),
        (
            {
                "naam": "x",
                "maatregelen": [{"soort": "sluit-vestiging", "vestiging": "99BB03", "vanaf": "volgend jaar"}],
            },
            "veld 'vanaf'",
        ),
        (
            {
                "naam": "x",
                "maatregelen": [{"soort": "sluit-vestiging", "vestiging": "99BB03", "vanaf": 2026, "kleur": "rood"}],
            },
            "veld 'kleur': is geen veld van deze maatregel",
        ),
    ],
)
def test_invalid_scenarios_name_measure_and_field(doc, fragment):
    with pytest.raises(InvoerFout, match=re.escape(fragment)):
        parse_scenario(doc)


def test_yaml_roundtrip_and_file_errors(tmp_path):
    text = tmp_path / "s.yaml"
    doc = {
        "naam": "Rond",
        "maatregelen": [
            {"soort": "fuseer", "vestigingen": ["99DD00", "99DD01"], "naar": "99DD01", "vanaf": 2027},
            {"soort": "drempels", "waarden": {"vmbo-profiel": 15}, "vanaf": 2026},
        ],
    }
    text.write_text(yaml.safe_dump(doc), encoding="utf-8")
    s = load_scenario(text)
    assert parse_scenario(yaml.safe_load(s.to_yaml())).maatregelen == s.maatregelen
    bad = tmp_path / "kapot.yaml"
    bad.write_text("naam: x\nmaatregelen: [\n", encoding="utf-8")
    with pytest.raises(InvoerFout, match="kapot.yaml.*geen geldige YAML"):
        load_scenario(bad)


@pytest.mark.parametrize(
    ("measure", "fragment"),
    [
        ({"soort": "sluit-vestiging", "vestiging": "12AB00", "vanaf": 2026}, "komt niet voor in de werkmap"),
        (
            {"soort": "stop-aanbod", "vestiging": "99AA01", "onderwijstype": "havo", "vanaf": 2026},
            "biedt havo niet aan",
        ),
        ({"soort": "sluit-vestiging", "vestiging": "99BB03", "vanaf": 2020}, "ligt niet na het laatste teljaar"),
        (
            {
                "soort": "deel-profiel",
                "van": "99DD00",
                "naar": "99DD01",
                "onderwijstype": "vmbo-k",
                "profiel": "groen",
                "vanaf": 2026,
            },
            "minstens één profiel",
        ),
        (
            {
                "soort": "nevenvestiging",
                "code": "99BB00",
                "naam": "x",
                "bestuur": "1",
                "denominatie": "Openbaar",
                "x_rd": 200000,
                "y_rd": 470000,
                "aanbod": [{"onderwijstype": "onderbouw"}],
                "vanaf": 2026,
            },
            "bestaat al",
        ),
    ],
)
def test_scenario_checked_against_the_workspace(demo, measure, fragment):
    with pytest.raises(InvoerFout, match=re.escape(fragment)):
        _run(demo, [measure])


# -- conservation and monotonicity ------------------------------------------------------
def _offerings(tables, origin):
    a = tables["aanbod"][
        (tables["aanbod"]["schooljaar"] == origin) & (tables["aanbod"]["onderwijstype"] != "onderbouw")
    ]
    return list(a[["vestigingscode", "onderwijstype", "profiel"]].itertuples(index=False, name=None))


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(st.data())
def test_pupils_are_conserved_and_closures_never_lower_another(demo, data):
    _, tables, region, forecast, origin, market, _ = demo
    offers = _offerings(tables, origin)
    chosen = data.draw(st.lists(st.sampled_from(offers), min_size=1, max_size=4, unique=True))
    close = data.draw(st.lists(st.sampled_from(sorted(region.vestigingen)), max_size=1))
    start = data.draw(st.integers(origin + 1, origin + 5))
    measures = tuple(StopAanbod(start, v, t, p if isinstance(p, str) else None) for v, t, p in chosen)
    measures += tuple(SluitVestiging(start, v) for v in close)
    moved = apply_scenario(forecast, Scenario("p", "", measures), market, tables["aanbod"], origin, region)
    before = forecast.groupby("jaar")["verwacht"].sum()
    gone = moved.moves[moved.moves["naar"] == "geen-aanbod"].groupby("jaar")["leerlingen"].sum()
    after = moved.forecast.groupby("jaar")["verwacht"].sum().add(gone, fill_value=0.0)
    pd.testing.assert_series_equal(before, after, check_exact=False, rtol=1e-9, check_names=False)
    b = forecast.groupby(["vestigingscode", "jaar"])["verwacht"].sum()
    a = moved.forecast.groupby(["vestigingscode", "jaar"])["verwacht"].sum().reindex(b.index, fill_value=0.0)
    touched = {v for v, _, _ in chosen} | set(close)
    others = b.index.get_level_values(0).map(lambda c: c not in touched)
    assert (a[others] >= b[others] - 1e-9).all()
    assert (moved.forecast["verwacht"] >= -1e-9).all()


def test_rechoose_respects_the_public_rule():
    m = Market(
        areas=np.array(["1", "2"]),
        codes=np.array(["A", "B", "C"]),
        prob=np.array([[0.2, 0.7, 0.1], [0.1, 0.1, 0.8]]),
        km=np.array([[1.0, 2.0, 5.0], [30.0, 30.0, 40.0]]),
        children=np.array([1.0, 1.0]),
        openbaar=np.array([True, False, True]),
    )
    share, names = m.rechoose(np.array([[1.0, 0.0]]), ["B", "C"], public_only=True, limit_km=12)
    assert names == ["B", "C"] and share.ravel().tolist() == pytest.approx([0.0, 1.0])
    share, _ = m.rechoose(
        np.array([[0.0, 1.0]]), ["B", "C"], public_only=True, limit_km=12
    )  # none within 12 km: free choice
    assert share.ravel().tolist() == pytest.approx([0.1 / 0.9, 0.8 / 0.9])


# -- known answers per measure -------------------------------------------------------
def test_stop_aanbod_and_close(demo):
    r = _run(
        demo,
        [
            {"soort": "stop-aanbod", "vestiging": "99BB03", "onderwijstype": "vmbo-k", "vanaf": 2027},
            {"soort": "sluit-vestiging", "vestiging": "99BB02", "vanaf": 2026},
        ],
    )
    assert _total(r.forecast, "99BB03", 2027, "vmbo-k") == 0 and _total(r.forecast, "99BB03", 2026, "vmbo-k") > 0
    assert _total(r.forecast, "99BB02", 2026) == 0 and _total(r.baseline, "99BB02", 2026) > 0
    assert set(r.moves.loc[r.moves["van"] == "99BB02", "naar"]) <= set(r.region.vestigingen) | set(r.moves["naar"])
    assert r.summary["leerlingen_met_scenario"] == pytest.approx(
        r.summary["leerlingen_zonder_ingrijpen"] - r.summary["naar_buiten_de_regio"], rel=1e-6
    )
    assert r.summary["zonder_aanbod"] == 0
    # the only pro school stops pro: its pupils have nowhere to go, counted apart from those leaving the region
    r = _run(demo, [{"soort": "stop-aanbod", "vestiging": "99AA01", "onderwijstype": "pro", "vanaf": 2027}])
    nowhere = r.moves[(r.moves["naar"] == "geen-aanbod") & (r.moves["jaar"] == r.summary["eindjaar"])][
        "leerlingen"
    ].sum()
    assert r.summary["zonder_aanbod"] == pytest.approx(nowhere, abs=0.05) and nowhere > 0
    assert r.summary["naar_buiten_de_regio"] == 0
    assert r.summary["leerlingen_met_scenario"] == pytest.approx(
        r.summary["leerlingen_zonder_ingrijpen"] - r.summary["zonder_aanbod"], abs=0.2
    )


def test_a_closed_vestiging_gets_no_knelpunten_about_its_own_size(demo):
    size = {"sterke-daling", "kleine-bovenbouw", "onder-norm"}

    def own(diagnosis, code):
        return {k.type for k in diagnosis.knelpunten if k.type in size and k.vestigingen == (code,)}

    for measures, code in (
        ([{"soort": "sluit-vestiging", "vestiging": "99DD00", "vanaf": 2026}], "99DD00"),
        ([{"soort": "fuseer", "vestigingen": ["99BB03", "99BB00"], "naar": "99BB00", "vanaf": 2027}], "99BB03"),
    ):
        r = _run(demo, measures)
        assert own(r.baseline_diagnosis, code), code  # without the measure the small school has them
        assert not own(r.diagnosis, code), code
    # a closure after the lookahead (count year + 5) leaves today's knelpunten alone
    r = _run(demo, [{"soort": "sluit-vestiging", "vestiging": "99DD00", "vanaf": 2031}])
    assert own(r.diagnosis, "99DD00") == own(r.baseline_diagnosis, "99DD00") != set()
    # a vestiging that stays keeps its own knelpunten
    r = _run(demo, [{"soort": "stop-aanbod", "vestiging": "99DD00", "onderwijstype": "vmbo-g", "vanaf": 2027}])
    assert own(r.diagnosis, "99DD00")


def test_pupils_in_a_type_the_school_does_not_list_move_only_when_it_closes(demo):
    _, tables, region, forecast, origin, market, _ = demo
    listed = {k for v, k in base_offer(tables["aanbod"], origin) if v == "99BB03"}
    assert "vwo" not in listed
    stray = (
        forecast[forecast["vestigingscode"] == "99BB03"]
        .head(1)
        .assign(
            onderwijstype="vwo", profiel=None, leerjaar=4, verwacht=1.0, laag80=0.5, hoog80=1.5, laag95=0.2, hoog95=2.0
        )
    )
    stray = pd.concat([stray.assign(jaar=y) for y in sorted(forecast["jaar"].unique())], ignore_index=True)
    fc = pd.concat([forecast, stray], ignore_index=True)
    unrelated = parse_scenario(
        {
            "naam": "x",
            "maatregelen": [{"soort": "stop-aanbod", "vestiging": "99BB03", "onderwijstype": "vmbo-k", "vanaf": 2028}],
        }
    )
    moved = apply_scenario(fc, unrelated, market, tables["aanbod"], origin, region)
    assert not ((moved.moves["van"] == "99BB03") & (moved.moves["jaar"] < 2028)).any()
    assert not (moved.moves["aanbod"] == "vwo").any()
    kept = moved.forecast[(moved.forecast["vestigingscode"] == "99BB03") & (moved.forecast["onderwijstype"] == "vwo")]
    assert kept["verwacht"].sum() == pytest.approx(stray["verwacht"].sum())
    closed = parse_scenario(
        {"naam": "y", "maatregelen": [{"soort": "sluit-vestiging", "vestiging": "99BB03", "vanaf": 2028}]}
    )
    moved = apply_scenario(fc, closed, market, tables["aanbod"], origin, region)
    gone = moved.moves[(moved.moves["aanbod"] == "vwo") & (moved.moves["van"] == "99BB03")]
    assert set(gone["jaar"]) == {y for y in stray["jaar"] if y >= 2028}
    assert (
        moved.forecast.loc[
            (moved.forecast["vestigingscode"] == "99BB03") & (moved.forecast["jaar"] >= 2028), "verwacht"
        ].sum()
        == 0
    )


def test_knelpunten_of_a_vestiging_without_a_known_board_count_for_onbekend(demo):
    _, tables, _, forecast, origin, _, _ = demo
    t = dict(tables)
    ves = t["vestigingen"].copy()
    ves["bestuur"] = ves["bestuur"].astype(object)
    # every vestiging of BRIN 99DD: a missing board is otherwise taken from the BRIN's other vestigingen
    ves.loc[ves["vestigingscode"].str.startswith("99DD"), "bestuur"] = None
    t["vestigingen"] = ves
    r = run_scenario(
        t,
        parse_scenario(
            {
                "naam": "x",
                "maatregelen": [
                    {"soort": "stop-aanbod", "vestiging": "99BB03", "onderwijstype": "vmbo-k", "vanaf": 2027}
                ],
            }
        ),
        None,
        baseline=baseline(t, None, forecast=(forecast, origin)),
    )
    unknown = sum(1 for k in r.baseline_diagnosis.knelpunten for b in k.besturen if not b)
    assert unknown > 0
    row = r.boards.set_index("bestuur").loc["onbekend"]
    assert row["knelpunten_zonder"] == unknown and row["zonder_ingrijpen"] > 0


def test_move_merge_and_concentrate(demo):
    r = _run(
        demo,
        [
            {
                "soort": "verplaats-aanbod",
                "van": "99BB03",
                "naar": "99DD00",
                "onderwijstype": "vmbo-k",
                "profiel": "maritiem-techniek",
                "vanaf": 2026,
            }
        ],
    )
    moved = r.forecast[(r.forecast["vestigingscode"] == "99DD00") & (r.forecast["profiel"] == "maritiem-techniek")]
    assert moved["verwacht"].sum() > 0
    r = _run(demo, [{"soort": "fuseer", "vestigingen": ["99DD00", "99DD01"], "naar": "99DD01", "vanaf": 2026}])
    assert _total(r.forecast, "99DD00", 2030) == 0 and _total(r.forecast, "99DD01", 2030) > _total(
        r.baseline, "99DD01", 2030
    )
    r = _run(demo, [{"soort": "concentreer-bovenbouw", "onderwijstype": "havo", "naar": "99AA00", "vanaf": 2026}])
    havo = r.forecast[
        (r.forecast["onderwijstype"] == "havo") & (r.forecast["jaar"] == 2028) & (r.forecast["verwacht"] > 0)
    ]
    assert set(havo["vestigingscode"]) == {"99AA00"}


def test_new_location_brings_school_closer(demo):
    r = _run(
        demo,
        [
            {
                "soort": "nevenvestiging",
                "code": "99BB09",
                "naam": "Het Baken Ommerhoek",
                "bestuur": "99002",
                "denominatie": "Protestants-Christelijk",
                "x_rd": 217500,
                "y_rd": 494000,
                "aanbod": [{"onderwijstype": "onderbouw"}, {"onderwijstype": "vmbo-k"}],
                "vanaf": 2026,
            }
        ],
    )
    assert _total(r.forecast, "99BB09", 2030) > 0
    assert r.summary["kinderen_buiten_norm_met"] < r.summary["kinderen_buiten_norm_zonder"]
    assert "99BB09" in r.region.vestigingen
    # the pupils it attracts live near it: on average they travel less (pupil-km fall)
    new = r.moves[r.moves["reden"] == "nieuwe locatie"]
    assert len(new) and (new["leerlingen"] * new["extra_km_per_leerling"]).sum() < 0
    assert r.summary["extra_leerlingkilometers_per_dag_enkele_reis"] < 0


def test_shared_profiel_remote_and_thresholds(demo):
    r = _run(
        demo,
        [
            {
                "soort": "deel-profiel",
                "van": "99CC01",
                "naar": "99BB00",
                "onderwijstype": "vmbo-k",
                "profiel": "media-vormgeving-ict",
                "vanaf": 2026,
            }
        ],
    )
    assert (r.shared["naar"] == "99BB00").all() and r.shared["leerlingen"].sum() > 0
    r = _run(
        demo,
        [
            {
                "soort": "afstandsonderwijs",
                "vestiging": "99CC01",
                "onderwijstype": "vmbo-k",
                "nutsverlies": 0.5,
                "vanaf": 2026,
            }
        ],
    )
    lost = _total(r.baseline, "99CC01", 2028, "vmbo-k") - _total(r.forecast, "99CC01", 2028, "vmbo-k")
    assert 0 < lost < _total(r.baseline, "99CC01", 2028, "vmbo-k")
    remote = r.moves[r.moves["reden"] == "afstandsonderwijs"]
    assert (remote["extra_km_per_leerling"] != 0).all()  # they now travel to another school, counted in pupil-km
    low = _run(
        demo, [{"soort": "drempels", "waarden": {"vmbo-profiel": 1, "vmbo-leerweg": 1, "havo-vwo": 1}, "vanaf": 2026}]
    )
    assert len(low.diagnosis.of_type("kleine-bovenbouw")) < len(low.baseline_diagnosis.of_type("kleine-bovenbouw"))


def test_cli_side_by_side(demo, tmp_path):
    ws = demo[0]
    f1, f2 = tmp_path / "a.yaml", tmp_path / "b.yaml"
    f1.write_text(
        "naam: Sluit Zandbrug\nmaatregelen:\n  - {soort: sluit-vestiging, vestiging: 99BB03, vanaf: 2026}\n",
        encoding="utf-8",
    )
    f2.write_text(
        "naam: Sluit Esmarke\nmaatregelen:\n  - {soort: sluit-vestiging, vestiging: 99BB02, vanaf: 2026}\n",
        encoding="utf-8",
    )
    res = CliRunner().invoke(
        app, ["scenario", str(f1), str(f2), "--werkmap", str(ws.path), "--uitvoer", str(tmp_path / "uit")]
    )
    assert res.exit_code == 0, res.output
    comp = pd.read_csv(tmp_path / "uit" / "vergelijking.csv")
    assert list(comp["scenario"]) == ["Sluit Zandbrug", "Sluit Esmarke"]
    assert (tmp_path / "uit" / "sluit-zandbrug" / "besturen.csv").exists()
    bad = tmp_path / "c.yaml"
    bad.write_text(
        "naam: x\nmaatregelen:\n  - {soort: sluit-vestiging, vestiging: 99ZZ00, vanaf: 2026}\n", encoding="utf-8"
    )
    res = CliRunner().invoke(app, ["scenario", str(bad), "--werkmap", str(ws.path), "--uitvoer", str(tmp_path / "u2")])
    assert res.exit_code == 2 and "maatregel 1 (sluit-vestiging), veld 'vestiging'" in res.output


def test_new_location_ignores_candidates_outside_the_regional_market():
    """Vestigingen that offer the type but lie outside a regional market are no candidates.

    They once broke the columns.
    """
    market = Market(
        areas=np.array(["1", "2"]),
        codes=np.array(["99AA00", "99NN00"]),
        prob=np.array([[0.6, 0.4], [0.9, 0.1]]),
        km=np.array([[2.0, 3.0], [4.0, 8.0]]),
        children=np.array([10.0, 10.0]),
        openbaar=np.array([False, True]),
    )
    aanbod = pd.DataFrame(
        {
            "schooljaar": 2020,
            "vestigingscode": ["99AA00", "99BB00", "99YY00"],
            "onderwijstype": "havo",
            "profiel": [None, None, None],
        }
    )
    forecast = pd.DataFrame(
        {
            "vestigingscode": ["99AA00"],
            "jaar": [2021],
            "onderwijstype": ["havo"],
            "profiel": [None],
            "leerjaar": [4],
            "verwacht": [100.0],
            "laag80": [90.0],
            "hoog80": [110.0],
            "laag95": [80.0],
            "hoog95": [120.0],
            "methode": ["cohort"],
        }
    )
    scenario = parse_scenario(
        {
            "naam": "n",
            "maatregelen": [
                {
                    "soort": "nevenvestiging",
                    "code": "99NN00",
                    "naam": "Nieuw",
                    "bestuur": "1",
                    "denominatie": "Openbaar",
                    "x_rd": 200000,
                    "y_rd": 470000,
                    "aanbod": [{"onderwijstype": "havo"}],
                    "vanaf": 2021,
                }
            ],
        }
    )
    region = Region("test", "test", ("99AA00", "99NN00"), (), ())
    moved = apply_scenario(forecast, scenario, market, aanbod, 2020, region)
    # pupils of 99AA00 live in area 1 (0.4) and 2 (0.6); the new location takes 0.4 and 0.1 of them
    assert _total(moved.forecast, "99NN00", 2021) == pytest.approx(22.0)
    assert _total(moved.forecast, "99AA00", 2021) == pytest.approx(78.0)


def test_subset_keeps_area_shares_aligned(demo):
    model, _ = calibrated_model(demo[1], demo[4])
    rows = np.arange(len(model.areas)) % 2 == 0
    cols = np.ones(len(model.codes), dtype=bool)
    sub = _subset(replace(model, area_shares=np.ones((len(model.areas), 5))), rows, cols)
    assert sub.area_shares.shape[0] == len(sub.areas) == int(rows.sum())


def test_shared_values_give_the_same_result(demo):
    """A second scenario on one Baseline (calibrated model, distances, indicators "zonder ingrijpen") gives the
    same numbers as the first, and as a run that computes its own baseline."""
    measures = [{"soort": "sluit-vestiging", "vestiging": "99BB02", "vanaf": 2026}]
    first = _run(demo, measures)
    again = _run(demo, measures)
    fresh = run_scenario(demo[1], parse_scenario({"naam": "test", "maatregelen": measures}), None, horizon=10)
    for r in (again, fresh):
        assert r.summary == first.summary
        pd.testing.assert_frame_equal(r.per_vestiging, first.per_vestiging)
        pd.testing.assert_frame_equal(r.indicators, first.indicators)
        assert [k.titel for k in r.diagnosis.knelpunten] == [k.titel for k in first.diagnosis.knelpunten]


def test_a_baseline_of_other_tables_or_another_region_is_refused(demo):
    tables, base = demo[1], demo[6]
    s = parse_scenario(
        {"naam": "x", "maatregelen": [{"soort": "sluit-vestiging", "vestiging": "99BB02", "vanaf": 2026}]}
    )
    other = {**tables, "vestigingen": tables["vestigingen"].copy()}
    with pytest.raises(ConfiguratieFout, match="hoort bij een andere werkmap"):
        run_scenario(other, s, None, baseline=base)
    with pytest.raises(ConfiguratieFout, match="hoort bij regio"):
        run_scenario(tables, s, "gemeente:9901", baseline=base)


def test_merged_rows_get_the_band_of_a_sum_not_the_summed_bounds():
    """Pupils moved into a receiver's row: the row's band follows sum_band (pieces of different vestigingen
    almost independent), so it is narrower than the added quantiles; a row of one piece keeps its band."""
    from statistics import NormalDist

    from dekkend.forecast import sum_band
    from dekkend.forecast.aggregate import RHO
    from dekkend.scenarios.format import SluitVestiging

    market = Market(
        areas=np.array(["1", "2"]),
        codes=np.array(["99AA00", "99BB00"]),
        prob=np.array([[0.7, 0.3], [0.4, 0.6]]),
        km=np.array([[2.0, 6.0], [5.0, 3.0]]),
        children=np.array([10.0, 10.0]),
        openbaar=np.array([True, True]),
    )
    aanbod = pd.DataFrame(
        {"schooljaar": 2020, "vestigingscode": ["99AA00", "99BB00"], "onderwijstype": "havo", "profiel": [None, None]}
    )
    forecast = pd.DataFrame(
        {
            "vestigingscode": ["99AA00", "99AA00", "99BB00"],
            "jaar": 2021,
            "onderwijstype": "havo",
            "profiel": None,
            "leerjaar": [4, 5, 4],
            "verwacht": [100.0, 80.0, 50.0],
            "laag80": [85.0, 70.0, 38.0],
            "hoog80": [115.0, 91.0, 63.0],
            "laag95": [78.0, 64.0, 33.0],
            "hoog95": [124.0, 97.0, 70.0],
            "methode": "cohort",
        }
    )
    region = Region("test", "test", ("99AA00", "99BB00"), (), ())
    moved = apply_scenario(forecast, Scenario("s", "", (SluitVestiging(2021, "99BB00"),)), market, aanbod, 2020, region)
    f = moved.forecast.set_index(["vestigingscode", "leerjaar"])
    row = f.loc[("99AA00", 4)]
    assert row["verwacht"] == pytest.approx(150.0)
    for level in (80, 95):
        # the rule, written out: each piece's common log spread, correlation RHO between vestigingen, count noise back
        z = NormalDist().inv_cdf(0.5 + level / 200)
        m = np.array([100.0, 50.0])
        hi = forecast.loc[forecast["leerjaar"] == 4, f"hoog{level}"].to_numpy(float)
        ms = m * np.sqrt(np.log((hi + 1) / (m + 1)) ** 2 - z**2 / m) / z  # the rows' bounds read back on m + 1
        spread = np.sqrt(((1 - RHO) * (ms**2).sum() + RHO * ms.sum() ** 2) / 150.0**2 + 1 / 150.0)
        assert row[f"hoog{level}"] == pytest.approx(151.0 * np.exp(z * spread) - 1.0)
        assert row[f"laag{level}"] == pytest.approx(151.0 * np.exp(-z * spread) - 1.0)
        pieces = forecast[forecast["leerjaar"] == 4]
        assert row[f"hoog{level}"] == pytest.approx(float(sum_band(pieces, level)["hoog"].iloc[0]))
        assert row[f"laag{level}"] <= row["verwacht"] <= row[f"hoog{level}"]
        assert row[f"hoog{level}"] < hi.sum()  # narrower than the added quantiles
    single = f.loc[("99AA00", 5)]  # nothing moved into it: its own band
    assert (single["laag80"], single["hoog80"], single["laag95"], single["hoog95"]) == (70.0, 91.0, 64.0, 97.0)
    closed = f.loc[("99BB00", 4)]
    assert closed["verwacht"] == 0.0 and closed["hoog80"] == 0.0
