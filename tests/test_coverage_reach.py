"""Reachability on the demo region: known answers, indicators, forecast years, regions and the command."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import typer
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from dekkend.cli.bereikbaarheid import bereikbaarheid
from dekkend.cli.support import DutchCommand
from dekkend.coverage import (
    FORECAST_COLUMNS,
    INDICATOR_COLUMNS,
    RADII,
    REACH_KINDS,
    TABLE_COLUMNS,
    GeenPrognose,
    Norms,
    OfferThresholds,
    indicator_rows,
    reachability,
)
from dekkend.demo import build_demo_workspace
from dekkend.errors import ConfiguratieFout
from dekkend.geo import DETOUR_FACTOR, Nearest
from dekkend.regions import select_region
from dekkend.workspace import Workspace

app = typer.Typer()
app.command(cls=DutchCommand)(bereikbaarheid)
runner = CliRunner()


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Workspace, dict[str, pd.DataFrame]]:
    ws = build_demo_workspace(Workspace(tmp_path_factory.mktemp("demo") / "w"))
    return ws, ws.tables()


@pytest.fixture(scope="module")
def now(demo):
    _, tables = demo
    year = int(tables["aanbod"]["schooljaar"].max())
    return year, reachability(tables, year, indicators=True)


def _row(table: pd.DataFrame, pc4: str, kind: str) -> pd.Series:
    return table[(table["pc4"] == pc4) & (table["onderwijstype"] == kind)].iloc[0]


def _decline(tables: dict[str, pd.DataFrame], base: int, years: int, gone: tuple[str, str]) -> pd.DataFrame:
    """A synthetic forecast: every stream of the base year kept, except one vestiging x profiel set to zero."""
    p = tables["leerlingen"]
    p = p[(p["schooljaar"] == base) & (p["onderwijstype"] != "totaal")]
    streams = (
        p.groupby(["vestigingscode", "onderwijstype", "profiel", "leerjaar"], dropna=False)["aantal"]
        .sum()
        .reset_index()
    )
    parts = []
    for h in range(1, years + 1):
        f = streams.rename(columns={"aantal": "verwacht"}).assign(jaar=base + h)
        hit = (f["vestigingscode"] == gone[0]) & (f["profiel"] == gone[1])
        f.loc[hit, "verwacht"] = 0.0
        parts.append(f)
    f = pd.concat(parts, ignore_index=True)
    for c in ("laag80", "hoog80", "laag95", "hoog95"):
        f[c] = f["verwacht"]
    f["methode"] = "test"
    return f[list(FORECAST_COLUMNS)]


def test_table_has_exactly_the_columns_and_one_row_per_pc4_and_kind(demo, now):
    _, tables = demo
    _, res = now
    t = res.table
    assert list(t.columns) == TABLE_COLUMNS
    assert len(t) == tables["pc4_centroiden"]["pc4"].nunique() * len(REACH_KINDS)
    assert not t.duplicated(["pc4", "onderwijstype"]).any()
    assert len(REACH_KINDS) == 7 + 10 + 6 and "profiel:groen" in REACH_KINDS and "vo-openbaar" in REACH_KINDS


def test_known_answer_nearest_havo_from_veenstad(demo, now):
    _, tables = demo
    _, res = now
    c = tables["pc4_centroiden"].set_index("pc4").loc["9901"]
    v = tables["vestigingen"].set_index("vestigingscode").loc["99AA00"]  # Veenstad College, the nearest with havo
    expected = math.hypot(c["x_rd"] - v["x_rd"], c["y_rd"] - v["y_rd"]) / 1000 * DETOUR_FACTOR
    r = _row(res.table, "9901", "havo")
    assert r["afstand_km"] == pytest.approx(expected, rel=1e-5)
    assert r["reistijd_fiets_min"] == pytest.approx(expected / 15 * 60, rel=1e-5)
    assert r["aantal_binnen_3km"] == 2  # Veenstad College and the Lindecollege
    assert r["kinderen_12_17"] > 0


def test_known_answers_from_the_demo_design(demo, now):
    _, tables = demo
    _, res = now
    t = res.table
    veenstad = tables["pc4_gemeente"].query("gemeentecode == '9901'")["pc4"]
    vwo = t[t["onderwijstype"] == "vwo"].set_index("pc4")["afstand_km"]
    assert (vwo[veenstad] <= 12).all()  # vwo only in the city ...
    assert vwo["9924"] > 12  # ... so Ommerhoek is a white spot
    # the only maritime profiel is at Het Baken Zandbrug: its own PC4 is nearest
    mar = t[t["onderwijstype"] == "profiel:maritiem-techniek"].set_index("pc4")
    assert mar["afstand_km"].idxmin() == "9923" and (mar["aantal_binnen_10km"] <= 1).all()
    # groups are never further than their members
    for group, members in (
        ("vmbo", ["vmbo-b", "vmbo-k", "vmbo-g", "vmbo-t"]),
        ("havo-vwo", ["havo", "vwo"]),
        ("vo", ["pro", "vmbo", "havo-vwo", "onderbouw"]),
    ):
        g = t[t["onderwijstype"] == group].set_index("pc4")["afstand_km"]
        best = t[t["onderwijstype"].isin(members)].groupby("pc4")["afstand_km"].min()
        assert np.allclose(g, best.reindex(g.index))
    # public schools only in the city: vo-openbaar is never nearer than vo
    op = t[t["onderwijstype"] == "vo-openbaar"].set_index("pc4")["afstand_km"]
    vo = t[t["onderwijstype"] == "vo"].set_index("pc4")["afstand_km"]
    assert (op >= vo - 1e-9).all() and (op[veenstad] < 5).all()


def test_indicators_shares_and_white_spots(now):
    year, res = now
    ind = res.indicators
    assert list(ind.columns) == INDICATOR_COLUMNS and set(ind["jaar"]) == {year}
    assert ind["aandeel_binnen_norm"].between(0, 1).all()
    total = res.table.drop_duplicates("pc4")["kinderen_12_17"].sum()
    for r in ind.itertuples():
        within = res.table[(res.table["onderwijstype"] == r.onderwijstype) & (res.table["afstand_km"] <= 12)][
            "kinderen_12_17"
        ].sum()
        assert r.aandeel_binnen_norm == pytest.approx(within / total)
        assert r.kinderen_buiten_norm == pytest.approx(total - within)
    vwo = ind.set_index("onderwijstype").loc["vwo"]
    assert vwo["pc4_buiten_norm"] >= 1 and vwo["p90_km"] > 12


def test_norm_per_type_changes_only_that_type(demo, now):
    _, tables = demo
    year, res = now
    wide = reachability(tables, year, indicators=True, norms=Norms.parse(["pro=100"])).indicators.set_index(
        "onderwijstype"
    )
    base = res.indicators.set_index("onderwijstype")
    assert wide.loc["pro", "aandeel_binnen_norm"] == 1.0
    assert wide.loc["vwo", "aandeel_binnen_norm"] == base.loc["vwo", "aandeel_binnen_norm"]
    with pytest.raises(ConfiguratieFout, match="onbekend onderwijstype"):
        Norms.parse(["mavo=10"])


def test_future_year_without_forecast_is_refused_in_dutch(demo, now):
    _, tables = demo
    year, _ = now
    with pytest.raises(GeenPrognose, match="nog geen prognose beschikbaar"):
        reachability(tables, year + 2)
    with pytest.raises(ConfiguratieFout, match="komt niet voor in het aanbod"):
        reachability(tables, 1990)


def test_forecast_years_use_the_offer_without_action(demo, now):
    _, tables = demo
    year, _ = now
    fc = _decline(tables, year, 3, ("99BB03", "maritiem-techniek"))
    res = reachability(tables, year + 2, forecast=fc, indicators=True, thresholds=OfferThresholds())
    assert res.prognosejaren == (year + 1, year + 2, year + 3)
    mar = res.table[res.table["onderwijstype"] == "profiel:maritiem-techniek"]
    assert mar["afstand_km"].isna().all() and (mar["aantal_binnen_10km"] == 0).all()  # the only one has gone
    assert set(res.indicators["jaar"]) == {year, year + 1, year + 2, year + 3}
    gone = res.indicators[
        (res.indicators["onderwijstype"] == "profiel:maritiem-techniek") & (res.indicators["jaar"] > year)
    ]
    assert (gone["aandeel_binnen_norm"] == 0).all()
    havo_now = res.indicators.query("jaar == @year and onderwijstype == 'havo'")["gem_km"].item()
    havo_later = res.indicators.query("jaar == @year + 1 and onderwijstype == 'havo'")["gem_km"].item()
    assert havo_later == pytest.approx(havo_now, rel=0.2)  # unchanged offer; only the children weights age
    with pytest.raises(GeenPrognose, match="loopt van"):
        reachability(tables, year + 5, forecast=fc)


def test_region_restricts_home_areas_but_not_schools(demo, now):
    _, tables = demo
    year, res = now
    region = select_region(tables, "gemeente:Dijkmond")
    sub = reachability(tables, year, region=region)
    assert set(sub.table["pc4"]) == set(region.pc4)
    full = res.table.set_index(["pc4", "onderwijstype"])
    part = sub.table.set_index(["pc4", "onderwijstype"])
    pd.testing.assert_series_equal(part["afstand_km"], full.loc[part.index, "afstand_km"])
    assert (part.xs("vwo", level=1)["afstand_km"] > 0).all()  # vwo lies outside Dijkmond and still counts
    board = reachability(tables, year, region=select_region(tables, "bestuur:99003"))
    gems = tables["pc4_gemeente"].set_index("pc4")["gemeentecode"]
    assert set(gems[board.table["pc4"].unique()]) == {"9901", "9904"}  # Veenstad and Grensveld


def test_command_writes_csv_and_xlsx(demo, now, tmp_path):
    ws, _ = demo
    year, _ = now
    out, ind = tmp_path / "b.csv", tmp_path / "i.xlsx"
    res = runner.invoke(
        app,
        [
            "--werkmap",
            str(ws.path),
            "--jaar",
            str(year),
            "--uitvoer",
            str(out),
            "--indicatoren",
            str(ind),
        ],
    )
    assert res.exit_code == 0, res.output
    frame = pd.read_csv(out, dtype={"pc4": str})
    assert list(frame.columns) == TABLE_COLUMNS and "Binnen de normafstand" in res.output
    assert list(pd.read_excel(ind, engine="openpyxl").columns) == INDICATOR_COLUMNS


def test_command_forecasts_a_future_year_itself(demo, now, tmp_path):
    ws, _ = demo
    year, _ = now
    res = runner.invoke(
        app,
        ["--werkmap", str(ws.path), "--jaar", str(year + 3), "--uitvoer", str(tmp_path / "b.csv")],
    )
    assert res.exit_code == 0, res.output
    assert "cohortmodel" in res.output and (tmp_path / "b.csv").exists()


def test_command_with_forecast_file_and_od_file(demo, now, tmp_path):
    ws, tables = demo
    year, _ = now
    fc = tmp_path / "prognose.csv"
    _decline(tables, year, 2, ("99BB03", "maritiem-techniek")).to_csv(fc, index=False)
    od = tmp_path / "od.csv"
    od.write_text("pc4,vestigingscode,km,minuten\n9901,99AA00,0.5,2\n", encoding="utf-8")
    out = tmp_path / "b.csv"
    res = runner.invoke(
        app,
        [
            "--werkmap",
            str(ws.path),
            "--jaar",
            str(year + 1),
            "--uitvoer",
            str(out),
            "--prognose",
            str(fc),
            "--afstanden",
            str(od),
            "--drempel",
            "1",
            "--norm",
            "pro=20",
        ],
    )
    assert res.exit_code == 0, res.output
    assert "1 van 1 paren" in res.output and "verdwenen" in res.output
    frame = pd.read_csv(out, dtype={"pc4": str}).set_index(["pc4", "onderwijstype"])
    assert frame.loc[("9901", "havo"), "afstand_km"] == 0.5 and frame.loc[("9901", "havo"), "reistijd_fiets_min"] == 2.0
    bad = runner.invoke(
        app,
        ["--werkmap", str(ws.path), "--jaar", str(year), "--uitvoer", str(out), "--norm", "veel"],
    )
    assert bad.exit_code == 2 and "niet begrepen" in bad.output


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 30),
    st.lists(st.one_of(st.floats(0, 60), st.just(float("nan"))), min_size=30, max_size=30),
    st.lists(st.floats(0, 500), min_size=30, max_size=30),
    st.floats(0.5, 40),
)
def test_indicator_shares_lie_between_0_and_1(n, distances, kids, norm):
    km = np.tile(np.array(distances[:n]), (len(REACH_KINDS), 1))
    nearest = Nearest(
        km,
        km / 15 * 60,
        np.zeros_like(km, dtype=int),
        np.zeros((len(REACH_KINDS), 3, n), int),
        RADII,
    )
    ind = indicator_rows(nearest, np.array(kids[:n]), Norms(norm), "test", 2024)
    assert ind["aandeel_binnen_norm"].between(0, 1).all()
    assert (ind["pc4_buiten_norm"] <= n).all()
    finite = ind["p90_km"].dropna()
    assert (finite >= 0).all() and (finite <= 60).all()
