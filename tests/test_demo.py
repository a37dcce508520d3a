"""The synthetic demo region: deterministic, and rich enough for every knelpunt type."""

from __future__ import annotations

import pandas as pd
import pytest

from dekkend.demo import build_demo_workspace, demo_tables, design
from dekkend.workspace import Workspace


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return build_demo_workspace(Workspace(tmp_path_factory.mktemp("demo") / "w"), seed=2024).tables()


def test_same_seed_same_workspace(tmp_path, demo):
    again = build_demo_workspace(Workspace(tmp_path / "w2"), seed=2024).tables()
    assert again.keys() == demo.keys()
    for name in demo:
        pd.testing.assert_frame_equal(demo[name], again[name], obj=name)


def test_other_seed_other_counts():
    a = demo_tables(1)["leerlingen"]["aantal"].sum()
    b = demo_tables(2)["leerlingen"]["aantal"].sum()
    assert a != b


def test_shape_of_the_region(demo):
    ves = demo["vestigingen"]
    assert 8 <= len(ves) <= 12
    assert 3 <= ves["bestuur"].nunique() <= 4
    openbaar = ves.loc[ves["denominatie"] == "Openbaar", "bestuur"].unique()
    assert len(openbaar) == 1
    assert ves["plaatsnaam"].nunique() >= 3 and ves["gemeentecode"].nunique() >= 3
    assert (ves["locatie_methode"] == "rd-adres").all()
    years = sorted(demo["leerlingen"]["schooljaar"].unique())
    assert len(years) >= 7 and years == list(range(years[0], years[-1] + 1))


def test_every_type_and_several_profielen_offered(demo):
    offer = demo["aanbod"]
    last = offer[offer["schooljaar"] == offer["schooljaar"].max()]
    assert {"pro", "vmbo-b", "vmbo-k", "vmbo-g", "vmbo-t", "havo", "vwo"} <= set(last["onderwijstype"])
    assert last["profiel"].nunique() >= 6


def test_one_vestiging_with_only_first_years(demo):
    pupils = demo["leerlingen"]
    per_ves = pupils.groupby("vestigingscode")["leerjaar"].max()
    only_lower = per_ves[per_ves <= 2].index.tolist()
    assert len(only_lower) == 1
    assert demo["vestigingen"].set_index("vestigingscode").loc[only_lower[0], "structuur"] == "BRUGJAAR"


def test_falling_births_and_pupils(demo):
    kids = demo["kinderen"]
    four = kids[kids["leeftijd"] == 4].groupby("schooljaar")["aantal"].sum()
    assert four.iloc[-1] < 0.9 * four.iloc[0]
    total = demo["leerlingen"].groupby("schooljaar")["aantal"].sum()
    assert total.iloc[-1] < 0.9 * total.iloc[0]


def test_border_gemeente_and_remote_village(demo):
    assert any(g.grens for g in design.GEMEENTEN)
    pc4 = demo["pc4_centroiden"].set_index("pc4")
    ves = demo["vestigingen"]
    vwo_codes = demo["aanbod"].query("onderwijstype == 'vwo'")["vestigingscode"].unique()
    vwo = ves[ves["vestigingscode"].isin(vwo_codes)]
    far = (
        (pc4["x_rd"].to_numpy()[:, None] - vwo["x_rd"].to_numpy()) ** 2
        + (pc4["y_rd"].to_numpy()[:, None] - vwo["y_rd"].to_numpy()) ** 2
    ) ** 0.5 / 1000
    assert far.min(axis=1).max() > 12  # some home area is beyond the 12 km norm distance to vwo


def test_sources_are_traceable(demo):
    files = set(demo["bestanden"]["bron_id"])
    for name, table in demo.items():
        if "bron_id" in table.columns and name != "bestanden":
            assert set(table["bron_id"].dropna()) <= files, name
