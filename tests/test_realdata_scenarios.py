"""Real data: the COROP 31 concentration of the vwo upper years of 00AQ00 (Oostburg) at 31JW00 (Terneuzen)."""

from __future__ import annotations

import pytest

from dekkend.scenarios import baseline, parse_scenario, run_scenario

START = 2021


@pytest.fixture(scope="module")
def corop31(national_workspace):
    tables = national_workspace.tables()
    base = baseline(tables, "corop:31", horizon=10)
    scenario = parse_scenario(
        {
            "naam": "vwo-bovenbouw naar Terneuzen",
            "maatregelen": [
                {
                    "soort": "concentreer-bovenbouw",
                    "onderwijstype": "vwo",
                    "van": ["00AQ00"],
                    "naar": "31JW00",
                    "vanaf": START,
                }
            ],
        }
    )
    return run_scenario(tables, scenario, "corop:31", baseline=base)


def test_continuing_vwo_pupils_go_to_31jw00(corop31):
    m = corop31.moves
    first = m[(m["jaar"] == START) & (m["van"] == "00AQ00") & (m["aanbod"] == "vwo")]
    # vwo 4-6 of 00AQ00 at the start: those already in the upper years follow the department (same board 42770)
    follow = first[first["reden"] == "volgt de afdeling"]
    assert set(follow["naar"]) == {"31JW00"} and follow["leerlingen"].sum() > 0
    at_destination = first.loc[first["naar"] == "31JW00", "leerlingen"].sum()
    assert at_destination > 0.5 * first["leerlingen"].sum()
    # pupils conserved: what 00AQ00 loses in vwo arrives somewhere
    base = corop31.baseline
    lost = base[
        (base["vestigingscode"] == "00AQ00")
        & (base["jaar"] == START)
        & (base["onderwijstype"] == "vwo")
        & (base["leerjaar"] >= 4)
    ]["verwacht"].sum()
    assert first["leerlingen"].sum() == pytest.approx(lost, rel=1e-6)


def test_receivers_and_places_outside_the_region_are_named(corop31):
    flows = corop31.flows.set_index("vestigingscode")
    assert flows.loc["31JW00", "winst"] > 0 and bool(flows.loc["31JW00", "in_regio"])
    assert flows.loc["00AQ00", "verlies"] > 0
    places = corop31.summary["naar_buiten_de_regio_plaatsen"]
    assert places and all(p["plaats"] for p in places)
    assert sum(p["leerlingen"] for p in places) == pytest.approx(corop31.summary["naar_buiten_de_regio"], abs=0.5)
    km = corop31.summary["extra_leerlingkilometers_per_dag_enkele_reis"]
    assert km >= 0 or corop31.summary["toelichting_leerlingkilometers"]
