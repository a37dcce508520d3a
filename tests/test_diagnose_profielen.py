"""Per profiel on the demo region, the technical route without profiel, and dekkend's own thresholds as settings."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from dekkend.cli import app
from dekkend.coverage.kinds import REACH_KINDS, offer_masks
from dekkend.coverage.offer import TECHNIEK_ROUTE, offer_by_year, route_offer
from dekkend.demo import build_demo_workspace
from dekkend.diagnose import diagnose
from dekkend.diagnose.profielen import VERDICTS
from dekkend.norms import load_settings
from dekkend.workspace import Workspace


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    ws = build_demo_workspace(Workspace(tmp_path_factory.mktemp("demo") / "w"))
    return ws, ws.tables()


@pytest.fixture(scope="module")
def result(demo):
    return diagnose(demo[1], None)


def test_every_profiel_taught_now_has_one_view(demo, result):
    a = demo[1]["aanbod"]
    origin = result.peiljaar
    taught = set(a.loc[(a["schooljaar"] == origin) & a["profiel"].notna(), "profiel"])
    assert {v.profiel for v in result.profielen} == taught
    for view in result.profielen:
        codes = set(a.loc[(a["schooljaar"] == origin) & (a["profiel"] == view.profiel), "vestigingscode"])
        assert {loc.vestigingscode for loc in view.locaties} == codes
        assert all(loc.oordeel in VERDICTS for loc in view.locaties)
        base = a[(a["schooljaar"] == origin) & (a["profiel"] == view.profiel)]
        assert view.samen_per_jaar[origin] == pytest.approx(base["leerlingen"].astype(float).sum())
        assert set(view.besturen) <= {loc.bestuur for loc in view.locaties}


def test_verdicts_follow_the_no_action_offer(result):
    for view in result.profielen:
        for loc in view.of("stopt"):
            assert loc.opvang is None or loc.opvang in {x.vestigingscode for x in view.locaties}
        for loc in view.of("zelfstandig"):
            assert loc.jaar_onder_drempel is None
        for loc in view.of("samen"):
            assert loc.jaar_onder_drempel is not None


def test_per_profiel_cli_and_json(demo, tmp_path):
    out = tmp_path / "k.json"
    res = CliRunner().invoke(
        app, ["diagnose", "--werkmap", str(demo[0].path), "--uitvoer", str(out), "--per-profiel"], terminal_width=200
    )
    assert res.exit_code == 0, res.output
    assert "Besturen die hierover beslissen" in res.output and "bovenbouw samen" in res.output
    import json

    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["profielen"] and {"profiel", "locaties", "samen_per_jaar", "besturen"} <= set(doc["profielen"][0])


def _pupils(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(
        rows,
        columns=[
            "vestigingscode",
            "schooljaar",
            "onderwijstype",
            "leerjaar",
            "aantal",
            "gecensureerd",
            "profiel",
            "sector",
            "vavo",
        ],
    )


def test_route_offer_counts_technical_routes_in_beroepsgerichte_leerwegen_only():
    p = _pupils(
        [
            ("A", 2019, "vmbo-b", 3, 10, False, None, "techniek", False),
            ("A", 2019, "vmbo-k", 4, 12, False, None, "techniek", False),
            ("A", 2019, "vmbo-k", 2, 50, False, None, "techniek", False),  # lower year: no offer
            ("A", 2019, "vmbo-t", 3, 30, False, None, "techniek", False),  # tl programme: a subject choice
            ("A", 2019, "vmbo-b", 3, 9, False, "bouwen-wonen-interieur", "techniek", False),  # has a profiel
            ("B", 2019, "vmbo-b", 3, 7, False, None, "economie", False),
            ("C", 2019, "vmbo-k", 3, 8, False, None, "techniek", True),  # VAVO
        ]
    )
    out = route_offer(p)
    assert set(zip(out["vestigingscode"], out["onderwijstype"], strict=True)) == {("A", "vmbo-b"), ("A", "vmbo-k")}
    assert (out["profiel"] == TECHNIEK_ROUTE).all() and out["leerlingen"].sum() == 22


def test_route_counts_for_vmbo_techniek_reach_not_for_a_profiel():
    offer = pd.DataFrame(
        {
            "vestigingscode": ["A", "B", "C"],
            "onderwijstype": ["vmbo-k", "vmbo-b", "vmbo-t"],
            "profiel": [TECHNIEK_ROUTE, "produceren-installeren-energie", None],
        }
    )
    m = offer_masks(offer, ["A", "B", "C"])
    row = {k: i for i, k in enumerate(REACH_KINDS)}
    assert m[row["vmbo-techniek"]].tolist() == [True, True, False]
    assert m[row["profiel:produceren-installeren-energie"]].tolist() == [False, True, False]
    assert not any(m[row[k]][0] for k in REACH_KINDS if k.startswith("profiel:"))


def test_route_forecast_keeps_its_share_of_the_pupils_without_profiel():
    aanbod = pd.DataFrame(
        {
            "vestigingscode": ["A"] * 3,
            "schooljaar": [2019] * 3,
            "onderwijstype": ["vmbo-k"] * 3,
            "profiel": [None, "zorg-welzijn", TECHNIEK_ROUTE],
            "leerlingen": [100.0, 60.0, 30.0],
        }
    )
    rows = []
    for lj in (3, 4):
        rows.append(("A", 2020, "vmbo-k", None, lj, 10.0))  # 20 pupils without profiel (base: 40)
        rows.append(("A", 2020, "vmbo-k", "zorg-welzijn", lj, 30.0))
    fc = pd.DataFrame(rows, columns=["vestigingscode", "jaar", "onderwijstype", "profiel", "leerjaar", "verwacht"])
    out = offer_by_year(aanbod, fc)
    route = out[(out["jaar"] == 2020) & (out["profiel"] == TECHNIEK_ROUTE)]
    assert route["leerlingen"].iloc[0] == pytest.approx(30.0 * 20 / 40)


def test_own_thresholds_are_settings_with_a_source(demo, tmp_path):
    s = load_settings()
    for key in ("losse_telling_per_leerjaar", "daling_min_leerlingen", "daling_hoog_min_leerlingen"):
        assert key in s.values and "eigen keuze dekkend" in s.sources[key]
    f = tmp_path / "d.yaml"
    f.write_text("instellingen:\n  daling_min_leerlingen: 100000\n", encoding="utf-8")
    strict = diagnose(demo[1], None, thresholds_file=f)
    assert not [k for k in strict.of_type("sterke-daling")]
