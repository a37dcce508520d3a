"""The diagnosis: every knelpunt type on the demo region, with evidence recomputed from the workspace."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from dekkend.cli import app
from dekkend.coverage.children import ChildEstimator
from dekkend.coverage.kinds import is_openbaar
from dekkend.coverage.offer import offer_by_year
from dekkend.demo import build_demo_workspace
from dekkend.diagnose import TYPES, diagnose
from dekkend.diagnose.context import build_context, series_of, upper_series
from dekkend.forecast import make_model
from dekkend.ingest._text import estimated_count
from dekkend.knowledge import match_knelpunten
from dekkend.norms import load_norms, load_settings
from dekkend.regions import select_region
from dekkend.workspace import Workspace


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    ws = build_demo_workspace(Workspace(tmp_path_factory.mktemp("demo") / "w"))
    return ws, ws.tables()


@pytest.fixture(scope="module")
def result(demo):
    return diagnose(demo[1], None)


def test_every_type_occurs_on_the_demo(result):
    found = {k.type for k in result.knelpunten}
    assert found == set(TYPES)
    for k in result.knelpunten:
        assert k.titel and k.toelichting and k.ernst in ("hoog", "midden", "laag")
        assert k.bewijs
        assert k.vestigingen or k.gebieden


def test_sterke_daling_evidence_recomputed(demo, result):
    _, tables = demo
    fc = make_model("cohort").fit(tables, result.peiljaar, tuple(tables["vestigingen"]["vestigingscode"])).predict(10)
    base = tables["leerlingen"].query(f"schooljaar == {result.peiljaar}")
    now = base.assign(n=estimated_count(base)).groupby("vestigingscode")["n"].sum()
    later = fc.groupby(["vestigingscode", "jaar"])["verwacht"].sum()
    for k in result.of_type("sterke-daling"):
        b = k.bewijs
        if b["niveau"] == "vestiging":
            code = b["vestigingscode"]
            assert b["leerlingen_nu"] == pytest.approx(now[code], abs=0.1)
            assert b["over_10_jaar"] == pytest.approx(later[(code, result.peiljaar + 10)], abs=0.1)
            assert (b["daling_10"] or 0) > b["grens_10"] or (b["daling_5"] or 0) > b["grens_5"]


def test_aanbod_verdwijnt_evidence(demo, result):
    _, tables = demo
    offer = tables["aanbod"].query(f"schooljaar == {result.peiljaar}")
    for k in result.of_type("aanbod-verdwijnt"):
        kind = k.bewijs["soort"]
        if kind.startswith("profiel:"):
            places = offer[offer["profiel"] == kind.split(":", 1)[1]]
        else:
            places = offer[(offer["onderwijstype"] == kind) & offer["profiel"].isna()]
        assert set(places["vestigingscode"]) == set(k.vestigingen)
        assert k.bewijs["plaatsen_nu"] == places["vestigingscode"].nunique()


def test_openbaar_and_witte_vlek_evidence(demo, result):
    _, tables = demo
    ves = tables["vestigingen"]
    public = ves[is_openbaar(ves["denominatie"])]
    cent = tables["pc4_centroiden"].set_index("pc4")
    (k,) = result.of_type("openbaar-onbereikbaar")
    for pc4 in k.gebieden:
        d = np.hypot(public["x_rd"] - cent.at[pc4, "x_rd"], public["y_rd"] - cent.at[pc4, "y_rd"]).min() / 1000 * 1.3
        assert d > k.bewijs["normafstand_km"]
    vo = [w for w in result.of_type("witte-vlek") if w.onderwijstype == "vo" and w.jaren == (result.peiljaar,)]
    for w in vo:
        for pc4 in w.gebieden:
            d = np.hypot(ves["x_rd"] - cent.at[pc4, "x_rd"], ves["y_rd"] - cent.at[pc4, "y_rd"]).min() / 1000 * 1.3
            assert d > 12


def test_isolatie_evidence(demo, result):
    _, tables = demo
    ves = tables["vestigingen"].set_index("vestigingscode")
    for k in result.of_type("isolatie-afhankelijk"):
        code, buur = k.bewijs["vestigingscode"], k.bewijs["buur_nu"]
        d = np.hypot(ves.at[code, "x_rd"] - ves.at[buur, "x_rd"], ves.at[code, "y_rd"] - ves.at[buur, "y_rd"]) / 1000
        assert k.bewijs["typen"][0]["afstand_nu_km"] == pytest.approx(d, abs=0.01)
        assert (k.bewijs["typen"][0]["afstand_nu_km"] < 8) != (k.bewijs["typen"][0]["afstand_later_km"] < 8)


def test_enige_aanbieder_evidence(demo, result):
    _, tables = demo
    offer = (
        tables["aanbod"]
        .query(f"schooljaar == {result.peiljaar}")
        .merge(tables["vestigingen"][["vestigingscode", "bestuur"]])
    )
    boards = [k.bewijs["bestuur"] for k in result.of_type("enige-aanbieder")]
    assert len(boards) == len(set(boards))  # one knelpunt per board
    for k in result.of_type("enige-aanbieder"):
        for kind in k.bewijs["soorten"]:
            rows = (
                offer[offer["profiel"] == kind.split(":", 1)[1]]
                if kind.startswith("profiel:")
                else offer[(offer["onderwijstype"] == kind) & offer["profiel"].isna()]
            )
            assert set(rows["bestuur"]) == {k.bewijs["bestuur"]}


def test_board_table_adds_up(demo, result):
    b = result.besturen
    assert set(b["bestuur"]) == set(demo[1]["vestigingen"]["bestuur"])
    assert b["vestigingen"].sum() == len(demo[1]["vestigingen"])
    for kind in TYPES:
        assert (b[kind] >= 0).all()


def test_json_schema_and_cli(demo, tmp_path):
    ws, _ = demo
    out = tmp_path / "knelpunten.json"
    res = CliRunner().invoke(
        app, ["diagnose", "--werkmap", str(ws.path), "--uitvoer", str(out), "--besturen", str(tmp_path / "b.csv")]
    )
    assert res.exit_code == 0, res.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert {"regio", "peiljaar", "knelpunten"} <= set(doc)
    for k in doc["knelpunten"]:
        assert set(k) == {
            "type",
            "ernst",
            "titel",
            "toelichting",
            "vestigingen",
            "besturen",
            "gebieden",
            "onderwijstype",
            "jaren",
            "bewijs",
            "bronnen",
        }
    assert pd.read_csv(tmp_path / "b.csv")["bestuur"].notna().all()


def test_knowledge_matches_every_demo_knelpunt(result):
    advice = match_knelpunten(result.knelpunten, regio=result.regio, peiljaar=result.peiljaar)
    matched = {a.knelpunt.type for a in advice.per_knelpunt if a.aanbevelingen}
    assert matched == set(TYPES)
    for a in advice.per_knelpunt:
        for rec in a.aanbevelingen:
            assert all(r.startswith("omdat") for r in rec.redenen)


def test_kennis_advies_from_workspace(demo):
    ws, _ = demo
    res = CliRunner().invoke(app, ["kennis", "advies", "--werkmap", str(ws.path), "-n", "1", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert doc["knelpunten"] and doc["ranglijst"] and doc["peiljaar"] == 2024


def test_thresholds_change_the_result(demo, tmp_path):
    f = tmp_path / "d.yaml"
    f.write_text("instellingen:\n  normafstand_km: 100\n", encoding="utf-8")
    wide = diagnose(demo[1], None, thresholds_file=f)
    assert not wide.of_type("witte-vlek") and not wide.of_type("openbaar-onbereikbaar")


def test_series_lookup_matches_series_of(demo):
    region = select_region(demo[1], None)
    ctx = build_context(demo[1], region, load_settings(), load_norms())
    up = upper_series(ctx)
    for (code, typ), rows in up.groupby(["vestigingscode", "onderwijstype"]):
        for prof in [None, *sorted(rows["profiel"].dropna().unique())]:
            assert ctx.upper.of(code, typ, prof) == series_of(up, vestigingscode=code, onderwijstype=typ, profiel=prof)
    assert ctx.upper.of("00XX00", "havo") == {}
    assert ctx.name("00XX00") == "00XX00" and ctx.board("00XX00") == ""


def test_shared_offer_and_children_give_the_same_diagnosis(demo, result):
    tables = demo[1]
    ctx = build_context(tables, select_region(tables, None), load_settings(), load_norms())
    offer = offer_by_year(tables["aanbod"], ctx.forecast, ctx.thresholds, opgave=tables.get("aanbod_opgave"))
    again = diagnose(tables, None, offer=offer, children=ChildEstimator(tables))
    assert [(k.type, k.titel, k.toelichting) for k in again.knelpunten] == [
        (k.type, k.titel, k.toelichting) for k in result.knelpunten
    ]
