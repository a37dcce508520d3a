"""Progression ratios from count years with gaps, credibility shrinkage, the band of a sum."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dekkend.forecast import IntervalCalibration, make_model, sum_band
from dekkend.forecast.ratios import count_pairs, credibility_kappa, pooled_ratios, shrunk_ratios
from tests.forecast_fixtures import workspace


def _history(ratios: np.ndarray, years: list[int], n: int, intake: float = 100.0) -> dict[int, np.ndarray]:
    """Counts of ``n`` identical vestigingen whose cohorts follow ``ratios`` exactly, constant intake."""
    level = intake * np.concatenate([[1.0], np.cumprod(ratios[1:])])
    return {y: np.tile(level, (n, 1)) for y in years}


def test_pairs_keep_their_real_gap():
    assert count_pairs([2012, 2016, 2017, 2019]) == [(2016, 2017), (2017, 2019)]
    r = np.array([np.nan, 0.98, 1.02, 1.07, 0.5, 0.4])
    # only a two-year pair: the one-year ratios are still recovered, not the two-year products
    # only a two-year pair: the data show two years of progression, which the estimates reproduce
    national, ev = pooled_ratios(_history(r, [2017, 2019], 3))
    assert ev.pairs == ((2017, 2019),)
    assert np.isnan(national[:2]).all()  # leerjaar 2 needs a one-year pair
    np.testing.assert_allclose(national[3:] * national[2:-1], r[3:] * r[2:-1], rtol=1e-6)
    # with a one-year pair as well, every one-year ratio is recovered
    national, _ = pooled_ratios(_history(r, [2016, 2017, 2019], 3))
    np.testing.assert_allclose(national[1:], r[1:], rtol=1e-6)


def test_little_evidence_is_shrunk_towards_the_region_much_evidence_is_not():
    rng = np.random.default_rng(0)
    n = 60
    size = np.where(np.arange(n) < 30, 400.0, 4.0)  # half large, half tiny vestigingen
    theta = rng.lognormal(0, 0.1, n)  # each vestiging its own ratio, the same every year
    hist = {
        y: np.outer(size, np.ones(6)) * theta[:, None] ** np.arange(6) * rng.lognormal(0, 0.02, (n, 6))
        for y in (2016, 2017, 2019)
    }
    hist[2019][0, 4] *= 1.5  # a large vestiging with a real change
    hist[2019][40, 4] *= 6.0  # a tiny one: a few pupils become many
    out = shrunk_ratios(hist, np.array(["a"] * n))
    assert out is not None and 0 < out.kappa[4] < np.inf
    assert out.ratio[0, 4] - theta[0] > 0.2 * theta[0]  # much evidence: the change is kept
    assert out.ratio[40, 4] < 2.0 < 0.5 * 6.0 * theta[40]  # little evidence: pulled back towards the region


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(0.2, 5.0), min_size=4, max_size=20), st.integers(0, 10_000))
def test_kappa_is_never_negative(xs, seed):
    rng = np.random.default_rng(seed)
    e = rng.uniform(1, 100, (2, len(xs)))
    o = e * np.array(xs) * rng.lognormal(0, 0.1, e.shape)
    assert credibility_kappa(o, e) >= 0


def _frame(rng: np.random.Generator, n: int) -> pd.DataFrame:
    m = rng.uniform(20, 400, n)
    return pd.DataFrame(
        {
            "vestigingscode": [f"{i:04d}00" for i in range(n)],
            "jaar": 2020,
            "verwacht": m,
            "hoog80": m * 1.2,
            "hoog95": m * 1.35,
            "laag80": m / 1.2,
            "laag95": m / 1.35,
            "regio": np.where(np.arange(n) % 2 == 0, "x", "y"),
        }
    )


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 60), st.integers(0, 10_000), st.sampled_from([80, 95]))
def test_band_of_a_sum_contains_the_sum_and_is_narrower_than_adding_rows(n, seed, level):
    f = _frame(np.random.default_rng(seed), n)
    b = sum_band(f, level).iloc[0]
    assert b["laag"] <= b["verwacht"] <= b["hoog"]
    assert b["verwacht"] == np.float64(f["verwacht"].sum()) or np.isclose(b["verwacht"], f["verwacht"].sum())
    assert b["hoog"] <= f[f"hoog{level}"].sum() + 1e-6  # never wider than adding the row quantiles
    if n >= 20:
        assert (b["hoog"] - b["verwacht"]) < 0.5 * (f[f"hoog{level}"].sum() - f["verwacht"].sum())


def test_band_per_group_and_full_correlation_equals_adding_rows():
    f = _frame(np.random.default_rng(1), 40)
    per = sum_band(f, 80, by="regio")
    assert sorted(per["regio"]) == ["x", "y"]
    np.testing.assert_allclose(per["verwacht"].sum(), f["verwacht"].sum())
    # rho = 1: the common spreads add up like the rows (only the count noise differs)
    full = sum_band(f, 80, rho=1.0).iloc[0]
    assert full["hoog"] / full["verwacht"] > 1.15 > sum_band(f, 80).iloc[0]["hoog"] / full["verwacht"]


def _calibration(q90: float) -> IntervalCalibration:
    return IntervalCalibration(
        "vestiging",
        pd.DataFrame(
            [
                {
                    "model": "cohort",
                    "horizon": 1,
                    "klasse": "alle",
                    "n": 100,
                    "q10": -q90,
                    "q90": q90,
                    "q025": -1.6 * q90,
                    "q975": 1.6 * q90,
                }
            ]
        ),
    )


def test_band_from_the_rule_equals_the_band_read_back_from_the_rows():
    """The rows of a forecast carry their unit's error and their own count noise; reading the unit's
    spread back from a row's bound gives what the calibration says for the unit."""
    cal = _calibration(0.12)
    rng = np.random.default_rng(3)
    parts = rng.uniform(0.5, 80.0, (5, 8))  # 5 vestigingen of 8 streams each, some tiny
    rows = pd.DataFrame(
        {"vestigingscode": np.repeat([f"{i:02d}AB00" for i in range(5)], 8), "jaar": 2020, "verwacht": parts.ravel()}
    )
    size = rows.groupby("vestigingscode")["verwacht"].transform("sum").to_numpy()
    for level in (80, 95):
        rows[f"laag{level}"], rows[f"hoog{level}"] = cal.bounds(
            rows["verwacht"].to_numpy(), np.ones(len(rows), int), np.zeros(len(rows)), level, "cohort", size
        )
    by_rule = sum_band(rows, 80, rule=cal, origin=2019, model="cohort").iloc[0]
    by_rows = sum_band(rows, 80).iloc[0]
    np.testing.assert_allclose([by_rows["laag"], by_rows["hoog"]], [by_rule["laag"], by_rule["hoog"]], rtol=1e-9)
    # one vestiging alone: its band is its unit's spread and the count noise of its total
    one = rows[rows["vestigingscode"] == "00AB00"]
    b = sum_band(one, 80, rule=cal, origin=2019).iloc[0]
    z = 1.2815515655446004
    expected = np.sqrt((0.12 / z) ** 2 + 1 / one["verwacht"].sum())
    np.testing.assert_allclose(np.log((b["hoog"] + 1) / (b["verwacht"] + 1)), z * expected, rtol=1e-9)
    # a single row keeps its own band
    row = rows.iloc[[0]]
    np.testing.assert_allclose(
        sum_band(row, 80).iloc[0][["laag", "hoog"]].to_numpy(float),
        row[["laag80", "hoog80"]].to_numpy(float).ravel(),
        rtol=1e-9,
    )


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 200), st.floats(50.0, 2000.0))
def test_band_of_independent_equal_vestigingen_shrinks_with_their_number(n, size):
    cal = _calibration(0.1)
    f = pd.DataFrame({"vestigingscode": [f"{i:04d}00" for i in range(n)], "jaar": 2020, "verwacht": size, "horizon": 1})
    b = sum_band(f, 80, rule=cal).iloc[0]
    z = 1.2815515655446004
    s = np.sqrt((0.1 / z) ** 2 / n + 1 / (n * size))
    np.testing.assert_allclose(np.log((b["hoog"] + 1) / (b["verwacht"] + 1)), z * s, rtol=1e-9)
    assert b["laag"] <= b["verwacht"] <= b["hoog"]


def test_band_per_vestiging_is_each_vestigings_own_sum():
    f = _frame(np.random.default_rng(2), 6)
    f = pd.concat([f, f.assign(verwacht=f["verwacht"] / 2, hoog80=f["hoog80"] / 2, laag80=f["laag80"] / 2)])
    per = sum_band(f, 80, by="vestigingscode").set_index("vestigingscode")
    for code, g in f.groupby("vestigingscode"):
        alone = sum_band(g, 80).iloc[0]
        np.testing.assert_allclose(
            per.loc[code, ["verwacht", "laag", "hoog"]].to_numpy(float),
            alone[["verwacht", "laag", "hoog"]].to_numpy(float),
        )


def test_a_band_with_a_rule_needs_the_horizon():
    f = pd.DataFrame({"vestigingscode": ["0001AA"], "jaar": [2020], "verwacht": [10.0]})
    with pytest.raises(ValueError, match="origin"):
        sum_band(f, 80, rule=_calibration(0.1))


def test_stopped_vestiging_is_listed_not_forecast():
    t = workspace(np.random.default_rng(4), n_ves=3, years=range(2016, 2020))
    gone = t["leerlingen"]["vestigingscode"].iloc[0]
    t["leerlingen"] = t["leerlingen"][
        ~((t["leerlingen"]["vestigingscode"] == gone) & (t["leerlingen"]["schooljaar"] == 2019))
    ]
    m = make_model("cohort").fit(t, 2019)
    assert gone in m.prepared.closed
    assert gone not in set(m.predict(2)["vestigingscode"])


def test_cli_refuses_a_peiljaar_far_after_the_last_count_and_prints_region_bands(tmp_path):
    from typer.testing import CliRunner

    from dekkend.cli import app
    from dekkend.demo import build_demo_workspace
    from dekkend.workspace import Workspace

    ws = build_demo_workspace(Workspace(tmp_path / "w"))
    last = int(ws.tables()["leerlingen"]["schooljaar"].max())
    out = tmp_path / "p.csv"
    res = CliRunner().invoke(
        app, ["prognose", "--werkmap", str(ws.path), "--peiljaar", str(last + 11), "--uitvoer", str(out)]
    )
    assert res.exit_code != 0 and f"de laatste telling in de werkmap is van 1 oktober {last}" in " ".join(
        res.output.split()
    )
    assert not out.exists()
    res = CliRunner().invoke(
        app,
        ["prognose", "--werkmap", str(ws.path), "--peiljaar", str(last + 1), "--horizon", "3", "--uitvoer", str(out)],
    )
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.split())
    assert "ligt na de laatste telling" in text and "(80%:" in text
