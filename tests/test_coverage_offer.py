"""The offer per year: observed, and in forecast years "zonder ingrijpen" with synthetic forecast frames."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dekkend.coverage import (
    FORECAST_COLUMNS,
    OFFER_COLUMNS,
    OfferThresholds,
    forecast_upper_years,
    observed_offer,
    offer_by_year,
    offer_in_year,
)
from dekkend.errors import ConfiguratieFout

AANBOD = pd.DataFrame(
    [
        ("00AA00", 2024, "havo", None, 40.0),
        ("00AA00", 2024, "vwo", None, 30.0),
        ("00AA00", 2024, "onderbouw", None, 200.0),
        ("00BB00", 2024, "vmbo-b", None, 20.0),
        ("00BB00", 2024, "vmbo-b", "groen", 12.0),
        ("00BB00", 2024, "vmbo-b", "zorg-welzijn", 8.0),
        ("00BB00", 2024, "pro", None, 0.5),
        ("00CC00", 2024, "havo", None, 25.0),
        ("00AA00", 2023, "havo", None, 45.0),
    ],
    columns=["vestigingscode", "schooljaar", "onderwijstype", "profiel", "leerlingen"],
)


def forecast(rows: list[tuple]) -> pd.DataFrame:
    """A synthetic forecast frame: (vestiging, jaar, type, profiel, leerjaar, verwacht)."""
    f = pd.DataFrame(rows, columns=FORECAST_COLUMNS[:6])
    f["laag80"] = f["hoog80"] = f["laag95"] = f["hoog95"] = f["verwacht"]
    f["methode"] = "test"
    return f[list(FORECAST_COLUMNS)]


def test_observed_offer_uses_the_minimum_and_adds_declared_rows():
    opgave = pd.DataFrame(
        {
            "vestigingscode": ["00CC00", "00CC00"],
            "onderwijstype": ["vwo", "pro"],
            "profiel": [None, None],
            "vanaf_jaar": [2020, 2030],
            "tot_jaar": [None, None],
        }
    )
    got = observed_offer(AANBOD, 2024, opgave=opgave)
    keys = set(zip(got["vestigingscode"], got["onderwijstype"], got["profiel"].fillna(""), strict=True))
    assert ("00BB00", "pro", "") not in keys  # 0.5 pupil is not an offering
    assert ("00CC00", "vwo", "") in keys and ("00CC00", "pro", "") not in keys
    assert got.loc[got["vestigingscode"].eq("00CC00") & got["onderwijstype"].eq("vwo"), "bron"].item() == "opgave"
    assert len(observed_offer(AANBOD, 2024, min_leerlingen=25)) == 4


def test_forecast_upper_years_sums_streams_like_the_aanbod():
    f = forecast(
        [
            ("00BB00", 2025, "vmbo-b", "groen", 3, 5.0),
            ("00BB00", 2025, "vmbo-b", "groen", 4, 4.0),
            ("00BB00", 2025, "vmbo-b", "zorg-welzijn", 3, 2.0),
            ("00BB00", 2025, "vmbo-b", None, 2, 30.0),
            ("00BB00", 2025, "brugjaar", None, 1, 50.0),
            ("00AA00", 2025, "havo-vwo", None, 3, 60.0),
            ("00AA00", 2025, "havo", None, 4, 20.0),
            ("00AA00", 2025, "havo", None, 3, 99.0),
            ("00AA00", 2025, "vwo", None, 6, 7.0),
        ]
    )
    up = forecast_upper_years(f).set_index(["vestigingscode", "onderwijstype", "profiel"], drop=False)
    value = {
        (v, t, p): x
        for v, t, p, x in zip(
            up["vestigingscode"],
            up["onderwijstype"],
            up["profiel"].fillna(""),
            up["verwacht"],
            strict=True,
        )
    }
    assert value[("00BB00", "vmbo-b", "")] == 11.0  # leerjaar 3-4 of every stream
    assert value[("00BB00", "vmbo-b", "groen")] == 9.0
    assert value[("00BB00", "onderbouw", "")] == 80.0  # brugjaar + vmbo-b leerjaar 2
    assert value[("00AA00", "onderbouw", "")] == 60.0 + 99.0  # havo-vwo 3 + havo leerjaar 3
    assert value[("00AA00", "havo", "")] == 20.0 and value[("00AA00", "vwo", "")] == 7.0


def _f_2025_2026(groen_2025: float, groen_2026: float) -> pd.DataFrame:
    rows = []
    for year, groen in ((2025, groen_2025), (2026, groen_2026)):
        rows += [
            ("00BB00", year, "vmbo-b", "groen", 3, groen),
            ("00BB00", year, "vmbo-b", "zorg-welzijn", 3, 10.0),
            ("00AA00", year, "havo", None, 4, 30.0),
            ("00AA00", year, "vwo", None, 4, 0.2),
            ("00AA00", year, "brugjaar", None, 1, 100.0),
        ]
    return forecast(rows)


def test_below_threshold_is_at_risk_and_disappears_for_good():
    off = offer_by_year(AANBOD, _f_2025_2026(0.4, 3.0))
    assert list(off.columns) == OFFER_COLUMNS
    assert sorted(off["jaar"].unique()) == [2024, 2025, 2026]

    def row(year, ves, typ, prof=None):
        sel = off[
            (off["jaar"] == year)
            & (off["vestigingscode"] == ves)
            & (off["onderwijstype"] == typ)
            & (off["profiel"].fillna("") == (prof or ""))
        ]
        assert len(sel) == 1
        return sel.iloc[0]

    assert not row(2024, "00BB00", "vmbo-b", "groen")["at_risk"]
    g25, g26 = row(2025, "00BB00", "vmbo-b", "groen"), row(2026, "00BB00", "vmbo-b", "groen")
    assert g25["at_risk"] and g25["verdwijnt"] and g25["leerlingen"] == 0.4
    assert not g26["at_risk"] and g26["verdwijnt"]  # gone stays gone without action
    assert row(2025, "00AA00", "vwo")["verdwijnt"]
    assert not row(2025, "00AA00", "havo")["verdwijnt"]
    # the vestiging is in the forecast but has no vmbo-b whole-type stream in leerjaar 3-4 except profielen
    assert row(2025, "00BB00", "vmbo-b")["leerlingen"] == pytest.approx(10.4)
    cc = row(2025, "00CC00", "havo")  # not in the forecast: kept, unknown
    assert not cc["prognose"] and not cc["verdwijnt"] and pd.isna(cc["leerlingen"]) and cc["bron"] == "geen-prognose"
    present = offer_in_year(off, 2026)
    assert ("00BB00", "vmbo-b", "groen") not in set(
        zip(present["vestigingscode"], present["onderwijstype"], present["profiel"], strict=True)
    )


def test_not_lasting_and_thresholds_per_type_and_profiel():
    off = offer_by_year(AANBOD, _f_2025_2026(0.4, 3.0), blijvend=False)
    g26 = off[(off["jaar"] == 2026) & (off["profiel"] == "groen")].iloc[0]
    assert not g26["verdwijnt"]
    th = OfferThresholds.parse(["2", "havo=31", "profiel:zorg-welzijn=12"])
    off = offer_by_year(AANBOD, _f_2025_2026(5.0, 5.0), th)
    y = off[off["jaar"] == 2025]
    y = y.set_index(["vestigingscode", "onderwijstype", y["profiel"].fillna("")])
    assert y.loc[("00AA00", "havo", ""), "at_risk"] and y.loc[("00AA00", "havo", ""), "drempel"] == 31
    assert (
        y.loc[("00BB00", "vmbo-b", "zorg-welzijn"), "at_risk"]
        and y.loc[("00BB00", "vmbo-b", "zorg-welzijn"), "drempel"] == 12
    )
    assert not y.loc[("00BB00", "vmbo-b", "groen"), "at_risk"] and y.loc[("00BB00", "vmbo-b", "groen"), "drempel"] == 2


def test_declared_offer_stays_while_valid_and_ends_after_tot_jaar():
    opgave = pd.DataFrame(
        {
            "vestigingscode": ["00AA00", "00BB00"],
            "onderwijstype": ["vwo", "vmbo-b"],
            "profiel": [None, "zorg-welzijn"],
            "vanaf_jaar": [2020, 2020],
            "tot_jaar": [None, 2025],
        }
    )
    off = offer_by_year(AANBOD, _f_2025_2026(5.0, 5.0), opgave=opgave)
    vwo = off[(off["vestigingscode"] == "00AA00") & (off["onderwijstype"] == "vwo") & (off["jaar"] == 2026)].iloc[0]
    assert vwo["bron"] == "opgave" and not vwo["verdwijnt"]  # forecast 0.2, but declared
    zw = off[(off["profiel"] == "zorg-welzijn")].set_index("jaar")
    assert not zw.loc[2025, "verdwijnt"] and zw.loc[2026, "verdwijnt"]


def test_bad_thresholds_and_forecast_columns_give_dutch_errors():
    with pytest.raises(ConfiguratieFout, match="onbekend onderwijstype 'mavo'"):
        OfferThresholds.parse(["mavo=3"])
    with pytest.raises(ConfiguratieFout, match="onbekend profiel"):
        OfferThresholds.parse(["profiel:sport=3"])
    with pytest.raises(ConfiguratieFout, match="niet begrepen"):
        OfferThresholds.parse(["veel"])
    with pytest.raises(ConfiguratieFout, match="mist kolom"):
        offer_by_year(AANBOD, pd.DataFrame({"vestigingscode": ["00AA00"], "jaar": [2025]}))


def _prof_rows(spec):
    """(vestiging, leerweg, eigen, drempel) -> rows for :func:`rechoose`."""
    return pd.DataFrame(
        [
            {
                "vestigingscode": v,
                "onderwijstype": t,
                "_p": "zorg-welzijn",
                "eigen": e,
                "drempel": d,
                "weg": False,
                "vast": False,
            }
            for v, t, e, d in spec
        ]
    )


LOC = pd.DataFrame({"vestigingscode": ["A", "B", "C"], "x_rd": [0.0, 1000.0, 50000.0], "y_rd": [0.0, 0.0, 0.0]})


def test_rechoice_moves_pupils_to_the_nearest_offering_that_stays():
    from dekkend.coverage.offer import rechoose

    # "eigen" is the profiel summed over the leerwegen of the vestiging (30 basis + 30 kader at A)
    rows = _prof_rows(
        [
            ("A", "vmbo-b", 60.0, 40.0),
            ("A", "vmbo-k", 60.0, 40.0),
            ("B", "vmbo-b", 10.0, 40.0),
            ("C", "vmbo-k", 45.0, 40.0),
        ]
    )
    got = rechoose(rows, LOC)
    assert list(got["at_risk"]) == [False, False, True, False]
    assert got["opvang"].iloc[2] == "A" and got["met_opvang"].iloc[0] == 70.0


def test_a_profiel_survives_once_when_the_pooled_pupils_reach_the_threshold():
    from dekkend.coverage.offer import rechoose

    rows = _prof_rows([("A", "vmbo-b", 25.0, 40.0), ("B", "vmbo-b", 20.0, 40.0)])
    got = rechoose(rows, LOC)
    assert list(got["at_risk"]) == [False, True] and got["opvang"].iloc[1] == "A"
    low = rechoose(_prof_rows([("A", "vmbo-b", 15.0, 40.0), ("B", "vmbo-b", 20.0, 40.0)]), LOC)
    assert low["at_risk"].all()  # 35 pooled is still below 40: the profiel goes


@given(st.lists(st.tuples(st.sampled_from(["A", "B", "C"]), st.floats(0, 100)), min_size=1, max_size=6))
def test_rechoice_conserves_pupils_and_never_drops_a_profiel_that_can_stand(spec):
    from dekkend.coverage.offer import rechoose

    per = {}
    for v, e in spec:
        per[v] = e
    rows = _prof_rows([(v, "vmbo-b", e, 40.0) for v, e in per.items()])
    got = rechoose(rows, LOC)
    stays = ~got["at_risk"]
    if stays.any():  # every pupil of a stopping offering lands at one that stays
        assert got.loc[stays, "met_opvang"].sum() == pytest.approx(sum(per.values()))
    if sum(per.values()) >= 40.0:
        assert stays.any()
    assert (got.loc[stays, "met_opvang"] >= 40.0 - 1e-9).all()
