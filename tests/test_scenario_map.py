"""The report's scenario map: receivers beside losers, with the numbers of ``gains_and_losses``."""

from __future__ import annotations

import pandas as pd
import pytest

from dekkend.demo import build_demo_workspace, demo_scenario_files
from dekkend.regions import select_region
from dekkend.report._collect import _vestigingen
from dekkend.report._geometry import map_geometry
from dekkend.report._scenario_map import GAIN, LOSS, scenario_map, scenario_map_block
from dekkend.report._sections import Figures
from dekkend.scenarios import load_scenario, run_scenario
from dekkend.workspace import Workspace


@pytest.fixture(scope="module")
def demo_closure(tmp_path_factory):
    """The demo's geometry and vestigingen as the report has them, and the closure's result."""
    tables = build_demo_workspace(Workspace(tmp_path_factory.mktemp("demo") / "w")).tables()
    region = select_region(tables, None)
    closure = next(p for p in demo_scenario_files() if p.name == "sluit-zandbrug.yaml")
    result = run_scenario(tables, load_scenario(closure), None)
    pc4 = sorted(tables["pc4_centroiden"]["pc4"].astype(str).unique())
    return map_geometry(tables, region, pc4), _vestigingen(tables, region, result.origin), result


def _circles(fig: dict, color: str) -> list[dict]:
    return [t for t in fig["data"] if t.get("mode") == "markers" and t["marker"].get("color") == color]


def test_map_shows_receivers_and_losers_with_the_numbers_of_the_table(demo_closure):
    geom, ves, result = demo_closure
    flows = result.flows
    assert (flows["netto"] > 0).any() and (flows["netto"] < 0).any()  # the closure has both sides
    m = scenario_map(geom, ves, flows, "2034/2035")
    assert m.figure is not None
    gains, losses = _circles(m.figure, GAIN), _circles(m.figure, LOSS)
    assert len(gains) == 1 and len(losses) == 1
    got = pd.Series(gains[0]["customdata"], dtype=float)
    lost = pd.Series(losses[0]["customdata"], dtype=float)
    assert (got > 0).all() and (lost < 0).all()  # green gains, red loses
    assert m.ontvangers == len(got) and m.verliezers == len(lost)
    # every touched vestiging is drawn or counted as out of view; the sums are those of the table
    touched = flows[flows["netto"].abs() >= 0.5]
    assert m.ontvangers + m.verliezers + m.buiten_beeld == len(touched)
    assert m.buiten_beeld == 0  # the demo's receivers all lie within the map
    assert got.sum() == pytest.approx(touched.loc[touched["netto"] > 0, "netto"].sum(), abs=0.05 * len(got))
    assert lost.sum() == pytest.approx(touched.loc[touched["netto"] < 0, "netto"].sum(), abs=0.05 * len(lost))
    # what the map's losers lose, its receivers gain (the moves conserve pupils: the table nets 0)
    assert flows["netto"].sum() == pytest.approx(0.0, abs=1e-6)
    assert got.sum() + lost.sum() == pytest.approx(touched["netto"].sum(), abs=0.05 * (len(got) + len(lost)))
    # bigger change, bigger circle; Dutch hover text with the signed net change
    sizes = pd.Series(losses[0]["marker"]["size"] + gains[0]["marker"]["size"])
    nets = pd.concat([lost.abs(), got], ignore_index=True)
    assert sizes.iloc[nets.idxmax()] == sizes.max()
    assert all("leerlingen netto" in t and ("eraf" in t and "erbij" in t) for t in losses[0]["text"] + gains[0]["text"])
    assert all("\u2212" in t for t in losses[0]["text"]) and all("+" in t for t in gains[0]["text"])


def test_map_block_registers_a_numbered_map_with_its_sentence(demo_closure):
    geom, ves, result = demo_closure
    figs = Figures()
    block = scenario_map_block(geom, ves, result.flows, "2034/2035", "A", figs)
    assert block["kaart"]["nummer"] == "Kaart scenario A"
    assert figs.kinds[block["kaart"]["id"]] == "kaart"
    assert "groen" in block["kaart_zin"] and "rood" in block["kaart_zin"]


def test_no_moves_no_map(demo_closure):
    geom, ves, result = demo_closure
    empty = result.flows.iloc[0:0]
    assert scenario_map(geom, ves, empty, "2034/2035").figure is None
    figs = Figures()
    assert scenario_map_block(geom, ves, empty, "2034/2035", "B", figs) == {
        "kaart": None,
        "kaart_zin": "",
    }
    assert not figs.items
