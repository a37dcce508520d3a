"""Scenario rules of issue 17/16: a department follows within a board, receivers, invariants, clear errors."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dekkend.demo import build_demo_workspace
from dekkend.errors import InvoerFout
from dekkend.regions import Region, select_region
from dekkend.scenarios import baseline, parse_scenario, run_scenario
from dekkend.scenarios.engine import (
    NO_OFFER,
    apply_scenario,
    baseline_forecast,
    build_market,
    enrolled_before,
)
from dekkend.scenarios.offer import base_offer, offer_in_year
from dekkend.scenarios.run import check_region, gains_and_losses, pupil_km_note
from dekkend.workspace import Workspace


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    ws = build_demo_workspace(Workspace(tmp_path_factory.mktemp("demo") / "w"))
    tables = ws.tables()
    region = select_region(tables, None)
    forecast, origin = baseline_forecast(tables, region, 6)
    return tables, region, forecast, origin, build_market(tables, origin)


@pytest.fixture(scope="module")
def base(demo):
    tables, _, forecast, origin, _ = demo
    return baseline(tables, None, forecast=(forecast, origin))


def _apply(demo, measures):
    tables, region, forecast, origin, market = demo
    s = parse_scenario({"naam": "t", "maatregelen": measures})
    return s, apply_scenario(forecast, s, market, tables["aanbod"], origin, region)


# -- errors and warnings -------------------------------------------------------------
def test_the_same_measure_twice_is_an_error_naming_both():
    stop = {"soort": "stop-aanbod", "vestiging": "99BB03", "onderwijstype": "vmbo-k", "vanaf": 2026}
    with pytest.raises(
        InvoerFout,
        match=re.escape("maatregel 2 (stop-aanbod) herhaalt maatregel 1 (vanaf 2026 en 2026)"),
    ):
        parse_scenario({"naam": "x", "maatregelen": [stop, stop]})
    with pytest.raises(
        InvoerFout,
        match=re.escape("maatregel 3 (stop-aanbod) herhaalt maatregel 1 (vanaf 2026 en 2028)"),
    ):
        parse_scenario(
            {
                "naam": "x",
                "maatregelen": [stop, {**stop, "onderwijstype": "vmbo-b"}, {**stop, "vanaf": 2028}],
            }
        )


def test_a_measure_after_the_horizon_is_an_error(demo, base):
    tables, _, forecast, origin, _ = demo
    last = int(forecast["jaar"].max())
    s = parse_scenario(
        {
            "naam": "laat",
            "maatregelen": [{"soort": "sluit-vestiging", "vestiging": "99BB03", "vanaf": last + 1}],
        }
    )
    with pytest.raises(
        InvoerFout,
        match=rf"maatregel 1 \(sluit-vestiging\), veld 'vanaf': {last + 1} ligt na het laatste prognosejaar {last}",
    ):
        run_scenario(tables, s, None, baseline=base)


def test_a_measure_outside_the_region_is_an_error_or_a_warning():
    region = Region("gemeente:9901", "gemeente Test", ("99AA00", "99BB00"), ("9901",), ())
    closes_outside = parse_scenario(
        {
            "naam": "x",
            "maatregelen": [{"soort": "sluit-vestiging", "vestiging": "99DD00", "vanaf": 2026}],
        }
    )
    with pytest.raises(
        InvoerFout,
        match=r"maatregel 1 \(sluit-vestiging\), veld 'vestiging': 99DD00 ligt buiten de regio",
    ):
        check_region(closes_outside, region)
    moves_out = parse_scenario(
        {
            "naam": "x",
            "maatregelen": [
                {
                    "soort": "verplaats-aanbod",
                    "van": "99BB00",
                    "naar": "99DD00",
                    "onderwijstype": "vmbo-k",
                    "vanaf": 2026,
                }
            ],
        }
    )
    (warning,) = check_region(moves_out, region)
    assert "maatregel 1 (verplaats-aanbod): 99DD00 ligt buiten de regio" in warning


# -- a department follows within a board -----------------------------------------------
def test_enrolled_pupils_are_those_in_the_years_before_the_start():
    assert enrolled_before(2026, 5, "vwo", 2026)  # vwo 4 in 2025
    assert not enrolled_before(2026, 4, "vwo", 2026)  # enters vwo 4 in the measure's first year
    assert enrolled_before(2027, 6, "vwo", 2026) and not enrolled_before(2027, 5, "vwo", 2026)
    assert not enrolled_before(2026, None, "vwo", 2026)


def test_concentration_within_a_board_takes_the_enrolled_pupils_along(demo):
    _, _, forecast, origin, _ = demo
    start = origin + 2
    # 99BB01 and 99BB00 share board 99002: vmbo-k upper years of 99BB01 move to 99BB00
    _, moved = _apply(
        demo,
        [
            {
                "soort": "concentreer-bovenbouw",
                "onderwijstype": "vmbo-k",
                "van": ["99BB01"],
                "naar": "99BB00",
                "vanaf": start,
            }
        ],
    )
    m = moved.moves
    first = m[(m["jaar"] == start) & (m["van"] == "99BB01")]
    follow = first[first["reden"] == "volgt de afdeling"]
    assert len(follow) and set(follow["naar"]) == {"99BB00"}
    # the pupils in leerjaar 4 at the start were in leerjaar 3 before: all of them at 99BB00
    before = forecast[
        (forecast["vestigingscode"] == "99BB01")
        & (forecast["jaar"] == start)
        & (forecast["onderwijstype"] == "vmbo-k")
        & (forecast["leerjaar"] == 4)
    ]["verwacht"].sum()
    assert follow["leerlingen"].sum() == pytest.approx(before, rel=1e-9)
    later = m[(m["jaar"] == start + 2) & (m["van"] == "99BB01")]
    assert not (later["reden"] == "volgt de afdeling").any()  # by then every pupil entered after the start
    assert set(later["reden"]) <= {"maatregel", "elders duidelijk beter"}


# -- invariants --------------------------------------------------------------------------
CODES = ["99AA00", "99BB00", "99BB01", "99BB03", "99CC00", "99CC01", "99DD00", "99DD01"]
TYPES = ["vmbo-b", "vmbo-k", "vmbo-g", "vmbo-t", "havo", "vwo"]


@st.composite
def measures(draw):
    kind = draw(
        st.sampled_from(
            [
                "stop-aanbod",
                "sluit-vestiging",
                "verplaats-aanbod",
                "fuseer",
                "concentreer-bovenbouw",
            ]
        )
    )
    year = draw(st.integers(2025, 2029))
    a, b = draw(st.lists(st.sampled_from(CODES), min_size=2, max_size=2, unique=True))
    typ = draw(st.sampled_from(TYPES))
    if kind == "stop-aanbod":
        return {"soort": kind, "vestiging": a, "onderwijstype": typ, "vanaf": year}
    if kind == "sluit-vestiging":
        return {"soort": kind, "vestiging": a, "vanaf": year}
    if kind == "verplaats-aanbod":
        return {"soort": kind, "van": a, "naar": b, "onderwijstype": typ, "vanaf": year}
    if kind == "fuseer":
        return {"soort": kind, "vestigingen": [a, b], "naar": b, "vanaf": year}
    return {"soort": kind, "onderwijstype": typ, "van": [a], "naar": b, "vanaf": year}


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    st.lists(
        measures(),
        min_size=1,
        max_size=3,
        unique_by=lambda m: tuple(sorted((k, str(v)) for k, v in m.items())),
    )
)
def test_pupils_conserved_and_moves_land_on_an_existing_offering(demo, ms):
    tables, region, forecast, origin, _ = demo
    try:
        scenario, moved = _apply(demo, ms)
    except InvoerFout:
        return  # e.g. the same measure twice: refused, nothing moved
    out, moves = moved.forecast, moved.moves
    nowhere = moves[moves["naar"] == NO_OFFER].groupby("jaar")["leerlingen"].sum()
    for year, rows in forecast.groupby("jaar"):
        after = float(out.loc[out["jaar"] == year, "verwacht"].sum()) + float(nowhere.get(year, 0.0))
        assert after == pytest.approx(float(rows["verwacht"].sum()), rel=1e-9, abs=1e-6)
    assert (out[["verwacht", "laag80", "laag95"]] >= -1e-9).all().all()
    base = base_offer(tables["aanbod"], origin)
    for year, m in moves[moves["naar"] != NO_OFFER].groupby("jaar"):
        offer = offer_in_year(base, scenario, int(year), tuple(region.vestigingen))
        open_now = {v for v, _ in offer}
        for naar, key in zip(m["naar"], m["aanbod"], strict=True):
            if key == "totaal":  # rows without type detail: any vestiging that is open that year
                assert naar in open_now, (year, naar)
                continue
            assert (naar, key) in offer or (naar, key.split("/")[0]) in offer, (year, naar, key)


# -- receivers beside losers ----------------------------------------------------------------
def test_gains_and_losses_name_receivers_and_places(demo):
    tables, region, _, origin, _ = demo
    start = origin + 2
    _, moved = _apply(demo, [{"soort": "sluit-vestiging", "vestiging": "99BB03", "vanaf": start}])
    last = int(moved.moves["jaar"].max())
    inner = Region("x", "deelregio", tuple(c for c in region.vestigingen if c != "99DD00"), (), ())
    flows = gains_and_losses(moved.moves, last, tables["vestigingen"], inner)
    lost = flows.set_index("vestigingscode")
    assert lost.loc["99BB03", "verlies"] > 0 and lost.loc["99BB03", "winst"] == 0
    gainers = flows[flows["winst"] > 0]
    assert len(gainers) and np.isclose(gainers["winst"].sum(), lost.loc["99BB03", "verlies"])
    assert flows["netto"].is_monotonic_decreasing
    assert flows["plaats"].notna().all()
    assert pupil_km_note(moved.moves, last) == "" or "dichter bij huis" in pupil_km_note(moved.moves, last)
