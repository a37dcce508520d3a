"""The cohort forecast beyond the engine.

Children per home area, migration, matched units, calibrated intervals, DUO comparison, Monte Carlo, CLI.
"""

from __future__ import annotations

import contextlib

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import dekkend.forecast.backtest as bt
from dekkend.cli import app
from dekkend.demo import build_demo_workspace
from dekkend.errors import ConfiguratieFout
from dekkend.forecast import (
    OUTPUT_COLUMNS,
    Uncertainty,
    area_children,
    as_of,
    decay_sensitivity,
    estimate_migration,
    make_model,
    match_units,
    reference_cohorts,
    run_backtest,
    simulate,
)
from dekkend.forecast.intervals import IntervalCalibration, calibrate, size_class
from dekkend.ingest import import_paths
from dekkend.workspace import Workspace


@pytest.fixture(scope="module")
def demo_ws(tmp_path_factory):
    return build_demo_workspace(Workspace(tmp_path_factory.mktemp("demo2") / "w"))


@pytest.fixture(scope="module")
def demo(demo_ws):
    return demo_ws.tables()


@pytest.fixture(scope="module")
def fitted(demo):
    model = make_model("cohort").fit(demo, 2020)
    return model, model.predict(8)


# -- children and migration ------------------------------------------------------------------------------------
def _po_series(years, gems, start, rate):
    rows = [
        {
            "schooljaar": y,
            "onderwijssoort": "bao",
            "geslacht": "totaal",
            "gemeentecode": g,
            "aantal": start[g] * np.exp(rate[g] * (y - years[0])),
        }
        for y in years
        for g in gems
    ]
    return pd.DataFrame(rows)


def test_migration_is_estimated_from_the_primary_pupil_series(demo):
    known = as_of(demo, 2020)
    cohorts = reference_cohorts(known, 2040)
    gems = sorted(cohorts.table["gemeentecode"].unique())
    years = [2017, 2018, 2019, 2020]
    kids = cohorts.table.pivot_table(index="gemeentecode", columns="instroomjaar", values="kinderen")
    start = {g: kids.loc[g, list(range(2018, 2026))].sum() for g in gems}
    grow = {g: (0.02 if g == gems[0] else -0.02) for g in gems}
    # the cohorts themselves do not move, so the pupils' drift relative to them is migration
    series = _po_series(years, gems, start, grow)
    series["aantal"] *= np.array(
        [
            kids.loc[g, list(range(y + 1, y + 9))].sum() / start[g]
            for y, g in zip(series["schooljaar"], series["gemeentecode"], strict=True)
        ]
    )
    m = estimate_migration({**known, "leerlingen_woongemeente_huidig": series}, cohorts)
    assert m.source == "po-reeks" and m.years == tuple(years)
    assert m.rate[gems[0]] > 0 > m.rate[gems[1]]
    assert (m.rate.abs() <= 0.03 + 1e-12).all()


def test_area_children_add_up_to_the_gemeente_cohorts(demo):
    known = as_of(demo, 2020)
    cohorts = reference_cohorts(known, 2035)
    none = estimate_migration({}, cohorts)
    kids = area_children(known, cohorts, none, range(2014, 2036))
    assert none.source == "geen"
    per_gem = kids.by_gemeente()
    table = cohorts.table.pivot_table(index="gemeentecode", columns="instroomjaar", values="kinderen")
    for g in per_gem.index:
        assert per_gem.loc[g, 2022] == pytest.approx(table.loc[g, 2022])
    assert (kids.lead >= 0).all() and kids.unplaced.sum() == 0


# -- matched units -------------------------------------------------------------------------------------------------
def test_a_new_code_at_the_same_address_is_the_same_unit(demo):
    t = {k: v.copy() for k, v in demo.items()}
    p = t["leerlingen"]
    p.loc[(p["vestigingscode"] == "99BB01") & (p["schooljaar"] >= 2022), "vestigingscode"] = "99XX00"
    t["vestigingen"] = pd.concat(
        [
            t["vestigingen"],
            t["vestigingen"].query("vestigingscode == '99BB01'").assign(vestigingscode="99XX00", brin="99XX"),
        ]
    )
    codes_2020 = sorted(p.loc[p["schooljaar"] == 2020, "vestigingscode"].unique())
    codes_2023 = sorted(p.loc[p["schooljaar"] == 2023, "vestigingscode"].unique())
    m = match_units(t, codes_2020, codes_2023, 2020, 2023)
    unit = m.set_index(["vestigingscode", "kant"]).loc[("99XX00", "doeljaar")]
    assert unit["eenheid"] == "99BB01+99XX00" and "zelfde adres" in unit["koppeling"]
    b = match_units(t, codes_2020, codes_2023, 2020, 2023, level="brin")
    assert "99BB+99XX" in set(b["eenheid"])


# -- intervals --------------------------------------------------------------------------------------------------
def test_interval_calibration_never_sees_the_coverage_origin(demo, monkeypatch):
    calls = []
    original = bt.unit_detail

    def spy(tables, as_of_, *args, **kwargs):
        calls.append(as_of_)
        return original(tables, as_of_, *args, **kwargs)

    monkeypatch.setattr(bt, "unit_detail", spy)
    r = run_backtest(demo, 2017, (2022, 2024), "vestiging")
    assert calls[0] == 2017 and 2017 not in calls[1:]
    assert r.calibration.method == "andere-peiljaren" and r.calibration.origins and 2017 not in r.calibration.origins
    assert set(calls[1:]) == set(r.calibration.origins)
    assert {"model", "horizon", "klasse", "eenheden", "dekking80", "dekking95"} <= set(r.coverage.columns)
    assert set(r.coverage["horizon"]) == {5, 7}


def _synthetic_details(spread: dict[int, float], seed: int = 3) -> dict[int, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    out = {}
    for y, s in spread.items():
        rows = []
        for h in (1, 2, 3):
            f = np.full(60, 2000.0)
            rows.append(
                pd.DataFrame(
                    {
                        "model": "cohort",
                        "eenheid": [f"g{i}" for i in range(60)],
                        "jaar": y + h,
                        "horizon": h,
                        "verwacht": f,
                        "werkelijk": f * np.exp(rng.normal(0, s * np.sqrt(h), 60)),
                    }
                )
            )
        out[y] = pd.concat(rows, ignore_index=True)
    return out


def test_origin_coverage_leaves_each_origin_out_of_its_own_calibration(monkeypatch):
    details = _synthetic_details({2013: 0.02, 2014: 0.02, 2015: 0.02, 2016: 0.02})
    seen = []
    original = bt._calibration_from

    def spy(d, exclude):
        cal = original(d, exclude)
        seen.append((set(exclude), set(cal.origins)))
        return cal

    monkeypatch.setattr(bt, "_calibration_from", spy)
    oc = bt.origin_coverage(details)
    assert sorted(oc["peiljaar"].unique()) == [2013, 2014, 2015, 2016] and set(oc["horizon"]) == {1, 2, 3}
    assert oc["dekking80"].between(0, 1).all() and (oc["eenheden"] == 60).all()
    assert all(not (excl & used) and used for excl, used in seen)
    # behaviour: one origin with ten times the spread falls far below 80% on its own, and widens the others
    wild = _synthetic_details({2013: 0.02, 2014: 0.02, 2015: 0.2, 2016: 0.02})
    calm = oc.groupby("peiljaar")["dekking80"].mean()
    mixed = bt.origin_coverage(wild).groupby("peiljaar")["dekking80"].mean()
    assert mixed[2015] < 0.5 < calm[2015]
    assert all(mixed[y] > calm[y] for y in (2013, 2014, 2016))


def test_calibrated_bounds_are_ordered_and_scale_with_horizon():
    rng = np.random.default_rng(3)
    f = rng.uniform(50, 3000, 600)
    errors = pd.DataFrame(
        {"model": "cohort", "horizon": 4, "verwacht": f, "werkelijk": f * np.exp(rng.normal(0, 0.2, 600))}
    )
    cal = calibrate(errors, "vestiging", origins=(2015,))
    lo80, hi80 = cal.bounds(f, np.full(600, 4), np.zeros(600), 80, "cohort")
    lo95, hi95 = cal.bounds(f, np.full(600, 4), np.zeros(600), 95, "cohort")
    assert (lo95 <= lo80 + 1e-9).all() and (lo80 <= f).all() and (f <= hi80).all() and (hi80 <= hi95 + 1e-9).all()
    inside = (errors["werkelijk"] >= lo80) & (errors["werkelijk"] <= hi80)
    assert 0.75 <= inside.mean() <= 0.85
    _, far = cal.bounds(f, np.full(600, 16), np.zeros(600), 80, "cohort")
    assert (far >= hi80 - 1e-9).all()  # a longer horizon is scaled up, never down
    assert set(size_class(np.array([50, 5000]), "vestiging")) == {"<100", ">=1500"}


def test_calibration_file_round_trip(tmp_path):
    errors = pd.DataFrame(
        {"model": "cohort", "horizon": 2, "verwacht": np.arange(1, 101.0), "werkelijk": np.arange(1, 101.0) * 1.1}
    )
    cal = calibrate(errors, "brin", origins=(2014, 2015))
    back = IntervalCalibration.read(cal.write(tmp_path / "k.csv"))
    assert back.level == "brin" and back.origins == (2014, 2015)
    pd.testing.assert_frame_equal(back.table.round(4), cal.table.round(4), check_dtype=False)


# -- DUO's prognosis as a comparison model -----------------------------------------------------------------------------
def _prognosis_file(path, peiljaar, factor):
    years = list(range(peiljaar, peiljaar + 9))
    head = "PEILJAAR;BRIN NUMMER;INSTELLINGSNAAM;GEMEENTENAAM;" + ";".join(
        f"{t}.{y}" for y in years for t in ("BRJ", "VMBO", "HAVO", "VWO", "PRO")
    )
    lines = [head]
    for brin, size in (("99AA", 600.0), ("99BB", 900.0), ("99CC", 500.0), ("99DD", 400.0)):
        cells = []
        for y in years:
            total = size * factor ** (y - peiljaar)
            cells += [f"{total * s:.1f}".replace(".", ",") for s in (0.4, 0.2, 0.2, 0.15, 0.05)]
        lines.append(f"{peiljaar};{brin};School {brin};VEENSTAD;" + ";".join(cells))
    path.write_text("\n".join(lines) + "\n", encoding="latin-1")
    return path


def test_duo_prognosis_is_a_comparison_model_known_from_its_count_date(demo_ws, tmp_path, monkeypatch):
    monkeypatch.setattr(bt, "MAX_CALIBRATION_ORIGINS", 2)  # speed: two calibration origins are enough here
    tables = dict(demo_ws.tables())
    folder = tmp_path / "duo"
    folder.mkdir()
    _prognosis_file(folder / "11-leerlingenprognose-vo-2016-2024.csv", 2016, 0.98)
    _prognosis_file(folder / "11-leerlingenprognose-vo-2019-2027.csv", 2019, 1.10)
    side = Workspace(tmp_path / "p")
    import_paths([folder], side)
    tables["prognose_vo"] = side.table("prognose_vo")
    assert set(tables["prognose_vo"]["peiljaar"]) == {2016, 2019}
    r = run_backtest(tables, 2017, (2022,), "brin")
    assert "duo" in set(r.scores["model"])
    duo = r.detail[(r.detail["model"] == "duo") & (r.detail["jaar"] == 2022)].set_index("eenheid")["verwacht"]
    assert duo.sum() == pytest.approx(2400 * 0.98**6, rel=1e-3)  # the 2016 file, not the later one
    assert r.calibration is not None and "duo" not in set(r.calibration.table["model"])


def test_as_of_dates_a_prognosis_by_its_file():
    prog = pd.DataFrame(
        {
            "brin": "99AA",
            "jaar": [2017, 2030],
            "aantal": [1.0, 2.0],
            "peiljaar": 2016,
            "peildatum": pd.Timestamp(2016, 10, 1),
            "bron_id": "p",
        }
    )
    assert len(as_of({"prognose_vo": prog}, 2016)["prognose_vo"]) == 2
    assert len(as_of({"prognose_vo": prog}, 2015)["prognose_vo"]) == 0


# -- Monte Carlo -------------------------------------------------------------------------------------------------
def test_monte_carlo_draws_are_reproducible_and_centred(fitted):
    model, fc = fitted
    a = simulate(model, 8, 60, seed=5)
    b = simulate(model, 8, 60, seed=5)
    c = simulate(model, 8, 60, seed=6)
    np.testing.assert_array_equal(a.totals, b.totals)
    assert not np.array_equal(a.totals, c.totals)
    assert a.totals.shape == (60, len(model.prepared.codes), 8)
    assert set(np.round(a.loss, 2)) <= {0.2, 0.3, 0.4}
    point = fc.groupby("jaar")["verwacht"].sum().to_numpy()
    mean = a.totals.sum(axis=1).mean(axis=0)
    assert np.allclose(mean, point, rtol=0.05)
    summary = a.summary()
    assert (summary["p10"] <= summary["p90"]).all() and len(summary) == len(model.prepared.codes) * 8
    narrow = simulate(model, 8, 60, seed=5, uncertainty=Uncertainty(0.0, 0.0, 0.0, (0.3,)))
    assert narrow.totals.std(axis=0).max() < 1e-3


def test_monte_carlo_needs_the_cohort_model(demo):
    with pytest.raises(ConfiguratieFout, match="cohortmodel"):
        simulate(make_model("trend").fit(demo, 2020), 5, 10)


def test_output_contract_with_calibrated_intervals(fitted):
    _, fc = fitted
    assert list(fc.columns) == OUTPUT_COLUMNS
    v = fc[["laag95", "laag80", "verwacht", "hoog80", "hoog95"]].to_numpy(float)
    assert (np.diff(v, axis=1) >= -1e-9).all() and (v >= 0).all()


def test_sensitivity_output_exists(demo):
    out = decay_sensitivity(demo, 2017, 2022, (0.2, 0.3), forecast_as_of=2020, horizon=5)
    assert list(out["verlies_per_km"]) == [0.2, 0.3]
    assert {"wape_vestiging", "wape_brin", "verschuiving_vestiging"} <= set(out.columns)
    assert out.loc[out["verlies_per_km"] == 0.3, "verschuiving_vestiging"].iloc[0] == pytest.approx(0.0)


# -- CLI --------------------------------------------------------------------------------------------------
def test_cli_prognose_with_draws_and_backtest_brin(demo_ws, tmp_path, monkeypatch):
    monkeypatch.setattr(bt, "MAX_CALIBRATION_ORIGINS", 2)  # speed
    out = tmp_path / "p.csv"
    res = CliRunner().invoke(
        app,
        [
            "prognose",
            "--werkmap",
            str(demo_ws.path),
            "--peiljaar",
            "2020",
            "--horizon",
            "5",
            "--uitvoer",
            str(out),
            "--trekkingen",
            "40",
            "--zaad",
            "3",
            "--verval",
            "0,3".replace(",", "."),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "Schoolkeuze: verval 30% per km" in res.output
    draws = pd.read_csv(tmp_path / "p-trekkingen.csv", dtype={"vestigingscode": str})
    assert {"p10", "p50", "p90"} <= set(draws.columns)
    report = tmp_path / "acc.md"
    res = CliRunner().invoke(
        app,
        [
            "backtest",
            "--werkmap",
            str(demo_ws.path),
            "--peiljaar",
            "2017",
            "--doel",
            "2022",
            "--niveau",
            "brin",
            "--verslag",
            str(report),
        ],
    )
    assert res.exit_code == 0, res.output
    text = report.read_text(encoding="utf-8")
    assert "Niveau school (BRIN, gekoppeld)" in text and "grootteklasse" in text and "Doel" in text
    here = tmp_path / "leeg"
    here.mkdir()
    with contextlib.chdir(here):  # without --verslag nothing is written
        res = CliRunner().invoke(
            app,
            ["backtest", "--werkmap", str(demo_ws.path), "--peiljaar", "2017", "--doel", "2022", "--niveau", "brin"],
        )
    assert res.exit_code == 0, res.output
    assert not list(here.rglob("*")) and "Bijgewerkt" not in res.output
    res = CliRunner().invoke(
        app,
        [
            "prognose",
            "--werkmap",
            str(demo_ws.path),
            "--peiljaar",
            "2020",
            "--uitvoer",
            str(out),
            "--model",
            "trend",
            "--trekkingen",
            "5",
        ],
    )
    assert res.exit_code == 2 and "cohortmodel" in res.output


def test_cohort_model_estimates_the_decay_from_a_herkomst_file(demo, fitted, tmp_path):
    """With pupils by home postcode known as of the forecast year, the cohort model uses the estimated decay."""
    from forecast_fixtures import herkomst_csv

    model, _ = fitted
    cal = model.catchment.calibration
    kids = model.catchment.children.children[:, model.catchment.children.col(2019)] * cal.transition
    rng = np.random.default_rng(4)
    p = cal.model.probabilities().toarray()
    flows = np.array(
        [
            rng.multinomial(int(round(n)), row / row.sum()) if row.sum() > 0 else np.zeros(len(row), int)
            for n, row in zip(kids * 4, p, strict=True)
        ]
    )
    path = herkomst_csv(
        tmp_path / "02.-leerlingen-per-vestiging-naar-postcode-en-leerjaar-2019-2020.csv",
        cal.model.areas,
        cal.model.schools,
        flows,
    )
    side = Workspace(tmp_path / "h")
    import_paths([path], side)
    tables = {**demo, "leerlingen_herkomst": side.table("leerlingen_herkomst")}
    est = make_model("cohort").fit(tables, 2020)
    est.predict(3)
    assert est.catchment.decay_source == "herkomst 2019"
    # the flows were drawn from the fitted model's own decay (the default without a herkomst file)
    assert est.catchment.calibration.model.params.loss_per_km == pytest.approx(cal.model.params.loss_per_km, abs=0.05)
    before = make_model("cohort").fit(as_of(tables, 2018), 2018)
    before.predict(2)
    assert before.catchment.decay_source == "kalibratie"  # the 2019 file is not known in 2018


def test_a_year_without_cohort_index_gives_no_trend_and_no_english_warning():
    """The national ratio of a year without any cohort index is infinite (seen in early back-tests on the real
    data): its slope is not finite, so no national trend is used, and numpy prints nothing on the user's screen."""
    import warnings

    from dekkend.forecast.children import _loglinear_slope

    ratios = pd.DataFrame([[np.inf, 1.01, 1.02, 1.03], [1.0, 1.01, 1.02, 1.03]], columns=[2016, 2017, 2018, 2019])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        slopes = _loglinear_slope(ratios)
    assert not np.isfinite(slopes.iloc[0])
    assert slopes.iloc[1] == pytest.approx(np.polyfit([2016, 2017, 2018, 2019], np.log(ratios.iloc[1]), 1)[0])
