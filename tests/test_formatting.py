"""The one Dutch formatter: numbers, kilometres, euros, school years and school names."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from dekkend.formatting import count, euro, km, number, percent, school_year, short_school_name


def test_dutch_separators():
    assert number(1160) == "1.160"
    assert count(1160, "kinderen") == "1.160 kinderen"
    assert km(35.43) == "35,4 km"
    assert km(1.94) == "1,9 km"
    assert number(4646.4) == "4.646"
    assert euro(454322.4) == "EUR 454.322"
    assert euro(-1200) == "-EUR 1.200"
    assert percent(0.253) == "25%"
    assert number(-0.2) == "0"
    assert number(None) == "" and km(math.nan) == ""


def test_school_year_has_one_form():
    assert school_year(2019) == "2019/20"
    assert school_year(1999) == "1999/00"


def test_short_names_keep_names_that_say_more_than_types():
    assert short_school_name("Lodewijk College voor Atheneum Havo Mavo") == "Lodewijk College"
    assert short_school_name("School voor Praktijkonderwijs De Sprong") == "School voor Praktijkonderwijs De Sprong"
    assert short_school_name("  ") == ""


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False))
def test_number_round_trips(value):
    text = number(value, 1)
    back = float(text.replace(".", "").replace(",", "."))
    assert abs(back - value) <= 0.05 + 1e-9 * abs(value)


def test_trailing_school_type_list_goes_but_short_names_stay():
    from dekkend.formatting import short_school_name

    assert short_school_name("Rooms Katholieke Scholengemeenschap Reynaert College Lyceum Havo Mavo Vbo Lwoo") == (
        "Rooms Katholieke Scholengemeenschap Reynaert College"
    )
    assert short_school_name("Lodewijk College voor Vwo Havo Mavo Vmbo Lwoo") == "Lodewijk College"
    assert short_school_name("Stedelijk Gymnasium") == "Stedelijk Gymnasium"
    assert short_school_name("Christelijk Lyceum Havo") == "Christelijk Lyceum Havo"
