"""Forecast III: progression per school (BRIN), structural zeros, interpolated intervals, matching."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from dekkend.forecast import make_model
from dekkend.forecast.intervals import IntervalCalibration
from dekkend.forecast.ratios import shrunk_ratios
from dekkend.forecast.units import addresses
from tests.forecast_fixtures import pupil_rows

YEARS = (2016, 2017, 2019)


def _tables(schools: dict[str, dict[int, list[float]]]) -> dict[str, pd.DataFrame]:
    """Counts per vestiging and year (a list of six leerjaar totals, one stream per leerjaar)."""
    rows, ves = [], []
    for i, (code, per_year) in enumerate(schools.items()):
        ves.append(
            {
                "vestigingscode": code,
                "gemeentecode": "0001",
                "corop_code": "01",
                "pc6": f"100{i}AA",
                "huisnummer": "1",
                "x_rd": 150_000.0 + 2000 * i,
                "y_rd": 450_000.0,
                "naam": code,
                "bestuur": "1",
            }
        )
        for year, counts in per_year.items():
            rows += pupil_rows(code, year, {("havo", None, k + 1): int(n) for k, n in enumerate(counts) if n})
    pupils = pd.DataFrame(rows)
    pupils["aantal"] = pupils["aantal"].astype("Int64")
    return {"leerlingen": pupils, "vestigingen": pd.DataFrame(ves)}


def _forecast(tables: dict[str, pd.DataFrame], horizon: int = 2) -> pd.DataFrame:
    fc = make_model("cohort").fit(tables, 2019).predict(horizon)
    return fc.groupby(["vestigingscode", "jaar", "leerjaar"])["verwacht"].sum().unstack(fill_value=0.0)


def test_pupils_moving_to_the_upper_years_location_of_their_school_are_neither_lost_nor_doubled():
    lower = [100, 100, 0, 0, 0, 0]  # 00S000 teaches leerjaar 1-2 only
    upper = [0, 0, 100, 100, 100, 100]  # 00S001 takes them from leerjaar 3
    tables = _tables({"00S000": {y: lower for y in YEARS}, "00S001": {y: upper for y in YEARS}})
    fc = _forecast(tables)
    for year in (2020, 2021):
        assert fc.loc[("00S000", year), 3:6].sum() == 0  # no phantom upper years at the lower location
        np.testing.assert_allclose(fc.loc[("00S001", year), 3], 100.0, rtol=1e-6)  # they arrive upstairs
        np.testing.assert_allclose(fc.xs(year, level="jaar").to_numpy().sum(), 600.0, rtol=1e-6)


def test_a_leerjaar_a_school_does_not_teach_stays_empty_however_little_evidence():
    vmbo = [30, 30, 30, 30, 0, 0]  # small school, no leerjaar 5 ever
    havo = [200, 200, 200, 220, 110, 45]
    tables = _tables({"00V000": {y: vmbo for y in YEARS}, "00H000": {y: havo for y in YEARS}})
    fc = _forecast(tables, horizon=3)
    assert (fc.loc["00V000", [5, 6]].to_numpy() == 0).all()
    assert (fc.loc["00H000", 5].to_numpy() > 50).all()


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 400), min_size=6, max_size=6), st.integers(5, 40))
def test_structural_zeros_are_zero_and_other_ratios_stay_in_range(sizes, small):
    hist = {y: np.array([sizes, [small, small, small, small, 0, 0]], dtype=float) for y in YEARS}
    r = shrunk_ratios(hist, np.array(["01", "01"]))
    assert r is not None
    if small >= 10:  # leerjaar 4 -> 5 expected at least ten pupils and saw none
        assert r.ratio[1, 4] == 0.0
    finite = r.ratio[:, 1:][np.isfinite(r.ratio[:, 1:])]
    assert ((finite >= 0) & (finite <= 2)).all()


def test_a_horizon_between_two_calibrated_ones_is_interpolated():
    table = pd.DataFrame(
        [
            {
                "model": "cohort",
                "horizon": h,
                "klasse": "alle",
                "n": 100,
                "q10": -0.1 * h,
                "q90": 0.1 * h,
                "q025": -0.2 * h,
                "q975": 0.2 * h,
            }
            for h in (1, 3)
        ]
    )
    cal = IntervalCalibration("vestiging", table)
    cell = cal._cell("cohort", 2).set_index("klasse")
    # the squared quantile (a variance) is linear in the horizon: halfway between 0.1 and 0.3
    np.testing.assert_allclose(cell.loc["alle", "q90"], np.sqrt((0.1**2 + 0.3**2) / 2))
    np.testing.assert_allclose(cell.loc["alle", "q025"], -np.sqrt((0.2**2 + 0.6**2) / 2))
    assert 0.2 < cell.loc["alle", "q90"] < 0.3  # wider than the linear mean, narrower than the far side
    # quantiles of different sign (a biased horizon) are interpolated linearly
    skew = table.assign(q10=[-0.1, 0.1])
    np.testing.assert_allclose(
        IntervalCalibration("vestiging", skew)._cell("cohort", 2).set_index("klasse").loc["alle", "q10"],
        0.0,
        atol=1e-12,
    )
    # beyond the last calibrated horizon it still scales with sqrt(h / h0)
    far = cal._cell("cohort", 12).set_index("klasse")
    np.testing.assert_allclose(far.loc["alle", "q90"], 0.3 * 2.0)


def test_count_file_rows_without_an_address_do_not_hide_an_older_address():
    src = pd.DataFrame(
        [
            {
                "vestigingscode": "00LY00",
                "pc6": "4535GZ",
                "huisnummer": "2",
                "x_rd": 1.0,
                "y_rd": 2.0,
                "peildatum": "2012-10-01",
            },
            {
                "vestigingscode": "00LY00",
                "pc6": None,
                "huisnummer": None,
                "x_rd": None,
                "y_rd": None,
                "peildatum": "2017-10-01",
            },
        ]
    )
    got = addresses({"vestigingen_bron": src}, 2017, "origin")
    assert got.loc["00LY00", "adres"] == "4535GZ|2"


def test_leerjaar_weights_are_the_mean_over_every_count_known():
    from dekkend.forecast.backtest import DEFAULT_WEIGHTS, leerjaar_weights

    rows = [
        {
            "vestigingscode": "01AA00",
            "schooljaar": y,
            "leerjaar": k,
            "aantal": n * (1.0 if y == 2012 else 0.5 if k == 6 else 1.0),
            "gecensureerd": False,
        }
        for y in (2012, 2016)
        for k, n in zip(range(1, 7), (100, 100, 100, 90, 60, 40), strict=True)
    ]
    w = leerjaar_weights({"leerlingen": pd.DataFrame(rows)})
    np.testing.assert_allclose(w, [1.0, 1.0, 1.0, 0.9, 0.6, (0.4 + 0.2) / 2])
    assert (
        leerjaar_weights({"leerlingen": pd.DataFrame(columns=["schooljaar", "leerjaar", "aantal"])}) == DEFAULT_WEIGHTS
    ).all()
