"""Reachability on the real DUO/CBS data: every PC4, the Wadden islands, Texel, Zeeuws-Vlaanderen, cities."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dekkend.coverage import GROUPS, REACH_KINDS, reachability
from dekkend.geo import CROSSINGS, MAINLAND, home_areas, school_locations
from dekkend.ingest import import_paths
from dekkend.workspace import Workspace

pytestmark = pytest.mark.realdata

FILES = (
    "duo/02.-alle-vestigingen-vo-2019.csv",
    "duo/01.-leerlingen-vo-per-vestiging-naar-onderwijstype-2019.csv",
    "duo/vo-vestigingen-leerlingen-coordinaten-2013.csv",
    "geo/pc4-centroiden.csv",
    "geo/pc4-woonplaats-gemeente.csv",
    "cbs/pc4-bevolking-leeftijd-2018.xls",
)
WADDEN = ("vlieland", "terschelling", "ameland", "schiermonnikoog")
ISLAND_GEMEENTEN = {
    "Texel": "texel",
    "Vlieland": "vlieland",
    "Terschelling": "terschelling",
    "Ameland": "ameland",
    "Schiermonnikoog": "schiermonnikoog",
    "Sluis": "zeeuws-vlaanderen",
    "Terneuzen": "zeeuws-vlaanderen",
    "Hulst": "zeeuws-vlaanderen",
}


@pytest.fixture(scope="module")
def tables(shared_data, tmp_path_factory) -> dict[str, pd.DataFrame]:
    ws = Workspace(tmp_path_factory.mktemp("echt") / "w")
    import_paths([shared_data / f for f in FILES], ws)
    return ws.tables()


@pytest.fixture(scope="module")
def result(tables):
    return reachability(tables, 2019, indicators=True)


@pytest.fixture(scope="module")
def zones(tables) -> pd.Series:
    return home_areas(tables).set_index("pc4")["zone"]


def _by_kind(result, kind: str) -> pd.DataFrame:
    return result.table[result.table["onderwijstype"] == kind].set_index("pc4")


def test_every_pc4_gets_a_distance_for_every_group(tables, result):
    t = result.table
    assert set(t["pc4"]) == set(tables["pc4_centroiden"]["pc4"])
    assert t[t["onderwijstype"].isin(GROUPS)]["afstand_km"].notna().all()
    assert t["afstand_km"].notna().all()  # in 2019 every type and profiel is offered somewhere
    assert set(t["onderwijstype"]) == set(REACH_KINDS)
    assert 900_000 < t.drop_duplicates("pc4")["kinderen_12_17"].sum() < 1_500_000


def test_island_pc4s_are_those_of_the_island_gemeenten(tables, zones):
    wp = tables["pc4_woonplaats"]
    by_name = wp[wp["gemeentenaam"].isin(ISLAND_GEMEENTEN)].groupby("pc4")["gemeentenaam"].first().map(ISLAND_GEMEENTEN)
    located = zones[zones != MAINLAND]
    assert by_name.reindex(located.index).tolist() == located.tolist()
    assert set(by_name.index) & set(zones.index) == set(located.index)


def test_wadden_islands_reach_havo_vwo_only_through_their_ferry(tables, result, zones):
    schools = school_locations(tables).set_index("vestigingscode")["zone"]
    assert set(schools[schools.isin(WADDEN)]) == set(WADDEN)  # each has a school of its own (vmbo/mavo)
    ferry = {c.b.zone: c for c in CROSSINGS if c.a.zone == MAINLAND}
    for kind in ("havo", "vwo"):
        t = _by_kind(result, kind)
        for island in WADDEN:
            rows = t.loc[zones[zones == island].index]
            assert len(rows) >= 1, island
            assert (rows["afstand_km"] > ferry[island].length_km).all() and (rows["afstand_km"] > 12).all(), island
            assert (rows["reistijd_fiets_min"] > ferry[island].minutes).all(), island
            assert (rows["aantal_binnen_10km"] == 0).all(), island
            own = _by_kind(result, "vo").loc[rows.index]
            assert (own["afstand_km"] < 15).all(), island  # their own vmbo/mavo school lies on the island


def test_texel_and_zeeuws_vlaanderen_have_havo_vwo_nearby(result, zones):
    for kind in ("havo", "vwo"):
        t = _by_kind(result, kind)
        texel = t.loc[zones[zones == "texel"].index]
        zv = t.loc[zones[zones == "zeeuws-vlaanderen"].index]
        assert (texel["afstand_km"] < 20).all() and (zv["afstand_km"] < 25).all()
        assert texel["afstand_km"].median() < 10 and zv["afstand_km"].median() < 12


def test_dense_city_pc4s_have_several_vestigingen_within_10_km(result):
    vo = _by_kind(result, "vo")
    for pc4 in ("1012", "1071", "3011", "3512", "2511"):  # Amsterdam, Rotterdam, Utrecht, Den Haag
        assert vo.loc[pc4, "aantal_binnen_10km"] >= 15, pc4
        assert vo.loc[pc4, "aantal_binnen_3km"] >= 3, pc4
        assert vo.loc[pc4, "afstand_km"] < 2, pc4


def test_indicators_are_shares_and_plausible(result):
    ind = result.indicators.set_index("onderwijstype")
    assert ind["aandeel_binnen_norm"].between(0, 1).all()
    assert ind.loc["vo", "aandeel_binnen_norm"] > 0.98 and ind.loc["vo", "gem_km"] < 4
    assert ind.loc["profiel:maritiem-techniek", "aandeel_binnen_norm"] < 0.2
    assert np.isfinite(ind["p90_km"]).all()
