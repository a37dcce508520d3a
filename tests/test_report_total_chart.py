"""Figure 1 of the report: counted totals only where there were counts, apart from the forecast."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from dekkend.report._charts import counted_points, total_chart

COUNT_YEARS = (2012, 2016, 2017, 2019)  # the count years of ../shared/data


def _data() -> SimpleNamespace:
    history = pd.DataFrame(
        {
            "jaar": [y for y in COUNT_YEARS for _ in range(2)],
            "leerlingen": [500.0, 480.0, 470.0, 460.0, 465.0, 455.0, 450.0, 440.0],
        }
    )
    years = np.repeat([2020, 2021, 2022], 2)
    m = np.full(len(years), 440.0)
    forecast = pd.DataFrame(
        {
            "vestigingscode": np.tile(["00AA00", "00BB00"], 3),
            "jaar": years,
            "verwacht": m,
            "hoog80": m * 1.05,
            "laag80": m / 1.05,
            "hoog95": m * 1.08,
            "laag95": m / 1.08,
        }
    )
    return SimpleNamespace(history=history, forecast=forecast, origin=2019)


def _trace(fig: dict, name: str) -> dict:
    return next(t for t in fig["data"] if t["name"] == name)


def test_counted_line_breaks_between_count_years_that_are_not_consecutive():
    fig = total_chart(_data())
    counted = _trace(fig, "geteld")
    assert counted["x"] == [2012, None, 2016, 2017, None, 2019]
    assert counted["y"] == [980.0, None, 930.0, 920.0, None, 890.0]
    assert counted["connectgaps"] is False and "markers" in counted["mode"]
    # the forecast starts at the last count and looks different from the counts
    forecast = _trace(fig, "prognose")
    assert forecast["x"][0] == 2019 and forecast["x"][1:] == [2020, 2021, 2022]
    assert forecast["line"]["dash"] == "dash" and counted["line"].get("dash") is None
    assert forecast["line"]["color"] != counted["line"]["color"]
    for band in ("80%-band", "95%-band"):
        assert min(x for x in _trace(fig, band)["x"]) == 2019  # no band over the counted years


@given(st.sets(st.integers(2000, 2040), min_size=1, max_size=15))
def test_every_count_is_a_point_and_only_consecutive_years_are_joined(years):
    seen = pd.Series({y: float(y) for y in years})
    xs, ys = counted_points(seen)
    assert [x for x in xs if x is not None] == sorted(years)
    assert [y for y in ys if y is not None] == [float(y) for y in sorted(years)]
    for a, b in zip(xs, xs[1:], strict=False):
        assert a is not None or b is not None  # never two breaks in a row
        if a is not None and b is not None:
            assert b - a == 1  # a drawn segment spans exactly one year
    assert xs[0] is not None and xs[-1] is not None
