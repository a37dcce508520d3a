"""The optimiser on the demo region: shares equal the scenario engine's, explanations, YAML round trip, CLI."""

from __future__ import annotations

import importlib
import importlib.util
import json

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from dekkend.cli.optimaliseer import optimaliseer
from dekkend.cli.support import DutchCommand
from dekkend.coverage.offer import forecast_upper_years
from dekkend.demo import build_demo_workspace
from dekkend.errors import ConfiguratieFout
from dekkend.formatting import school_year
from dekkend.optimise import (
    OptimiseOptions,
    build_instance,
    optimise,
    scenario_figures,
    solve_instance,
)
from dekkend.optimise.flows import first_order_shares
from dekkend.regions import select_region
from dekkend.scenarios import load_scenario, parse_scenario
from dekkend.scenarios.engine import apply_scenario, baseline_forecast, build_market
from dekkend.scenarios.offer import base_offer
from dekkend.workspace import Workspace

YEAR = 2025


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    ws = build_demo_workspace(Workspace(tmp_path_factory.mktemp("demo") / "w"))
    tables = ws.tables()
    forecast, origin = baseline_forecast(tables, select_region(tables, None), 10)
    market = build_market(tables, origin, None, None)
    return ws, tables, forecast, origin, market


def _optimise(demo, **options):
    _, tables, forecast, origin, market = demo
    return optimise(tables, None, YEAR, OptimiseOptions.of(**options), forecast=forecast, origin=origin, market=market)


@pytest.fixture(scope="module")
def result(demo):
    return _optimise(demo)


@pytest.mark.parametrize(
    ("code", "key"),
    [
        ("99CC01", "havo"),
        ("99CC01", "vmbo-t"),
        ("99DD00", "vmbo-g/groen"),
        ("99BB03", "vmbo-k/maritiem-techniek"),
        ("99BB00", "vmbo-b/zorg-welzijn"),
    ],
)
def test_first_order_shares_are_the_engines_single_stop(demo, code, key):
    _, tables, forecast, origin, market = demo
    candidates: dict[str, set[str]] = {}
    for v, k in base_offer(tables["aanbod"], origin):
        candidates.setdefault(k, set()).add(v)
    shares, reached = first_order_shares(market, candidates, [(code, key)])
    typ, _, prof = key.partition("/")
    stop = parse_scenario(
        {
            "naam": "x",
            "maatregelen": [
                {
                    "soort": "stop-aanbod",
                    "vestiging": code,
                    "onderwijstype": typ,
                    **({"profiel": prof} if prof else {}),
                    "vanaf": YEAR,
                }
            ],
        }
    )
    moves = apply_scenario(forecast, stop, market, tables["aanbod"], origin, select_region(tables, None)).moves
    moves = moves[(moves["jaar"] == YEAR) & (moves["aanbod"] == key)]
    engine = moves.groupby("naar")["leerlingen"].sum() / moves["leerlingen"].sum()
    mine = {name: v for (_, name, _), v in shares.items()}
    assert set(mine) == set(engine.index)
    for name, value in mine.items():
        assert value <= engine[name] + 1e-12  # never more than the engine moves
        assert value / reached[0] == pytest.approx(engine[name], rel=1e-9)
    if prof == "maritiem-techniek":  # nobody else offers it: the leerweg's schools take the pupils
        assert {k for (_, _, k) in shares} == {"vmbo-k"}


def test_the_demo_optimum_is_viable_and_beats_zonder_ingrijpen(result):
    s, after = result.solution, result.after
    assert s.status == "optimaal" and s.gap <= 1e-4
    model = result.instance.model
    kept = np.flatnonzero(after.keep & ~model.ext)
    assert (after.judged_pupils()[kept, 0] >= model.threshold[kept] - 1e-6).all()
    assert after.objective > result.no_action.objective
    assert after.objective <= result.today.objective
    assert len(result.changes) == after.changes > 0


def test_every_change_is_explained_in_dutch(result):
    for c in result.changes:
        assert c.toelichting.startswith(f"{c.onderwijstype}")
        assert f"stopt vanaf {school_year(YEAR)}" in c.toelichting and "Reden:" in c.toelichting
        assert c.bindend in ("drempel", "concentratie", "gelijk")
        assert "wonen" in c.toelichting  # children newly beyond the norm, or none
        listed = sum(m.leerlingen for m in c.verplaatst) + c.elders
        own = float(result.instance.model.u[_rows(result, c), 0].sum())
        assert listed == pytest.approx(own, abs=0.5 * (len(c.verplaatst) + 1))
    threshold = [c for c in result.changes if c.bindend == "drempel"]
    assert threshold and all("drempel" in c.toelichting for c in threshold)
    assert result.saved and all("blijft" in x.toelichting for x in result.saved)


def _rows(result, change):
    """The rows a change stops: the offering, and for a leerweg its profielen."""
    o = result.instance.offerings
    mask = (o["vestigingscode"] == change.vestigingscode) & (o["onderwijstype"] == change.onderwijstype)
    if change.profiel is not None:
        mask &= o["profiel"] == change.profiel
    return np.flatnonzero(mask.to_numpy())


def test_yaml_implies_the_optimisers_figures(result, tmp_path):
    yaml_path, json_path = result.write(tmp_path)
    scenario = load_scenario(yaml_path)
    assert len(scenario.maatregelen) == len(result.changes)
    assert all(m.vanaf == YEAR for m in scenario.maatregelen)
    mine, again = result.figures(), scenario_figures(result.instance, scenario)
    assert np.allclose(mine.coverage["kinderen_binnen_norm"], again.coverage["kinderen_binnen_norm"])
    assert np.allclose(mine.pupils["leerlingen"], again.pupils["leerlingen"])
    data = json.loads(json_path.read_text(encoding="utf-8"))
    assert data["status"] == "optimaal" and data["jaar"] == YEAR
    assert {"dekking", "wijzigingen", "behouden", "aanbod", "gap", "rekentijd_s"} <= set(data)
    assert len(data["wijzigingen"]) == len(result.changes)


_HAS_ENGINE = importlib.util.find_spec("dekkend.scenarios") is not None and hasattr(
    importlib.import_module("dekkend.scenarios"), "run_scenario"
)


@pytest.mark.skipif(not _HAS_ENGINE, reason="dekkend.scenarios biedt nog geen run_scenario (issue 8)")
def test_round_trip_through_dekkend_scenario(demo, result, tmp_path):
    from dekkend.scenarios import baseline, run_scenario

    _, tables, forecast, origin, _ = demo
    yaml_path, _ = result.write(tmp_path)
    run = run_scenario(
        tables, load_scenario(yaml_path), None, baseline=baseline(tables, None, forecast=(forecast, origin))
    )
    ind = run.indicators[(run.indicators["variant"] == "met scenario") & (run.indicators["jaar"] == YEAR)]
    ind = ind.set_index("onderwijstype")["aandeel_binnen_norm"]
    mine = result.figures()
    for kind, share in zip(mine.coverage["onderwijstype"], mine.coverage["aandeel_binnen_norm"], strict=True):
        assert ind[kind] == pytest.approx(share, abs=1e-12), kind
    # pupils: the engine moves pupils with the full logit, the optimiser with its first-order (never larger) part
    up = forecast_upper_years(run.forecast)
    up = up[up["jaar"] == YEAR].assign(p=lambda d: d["profiel"].fillna(""))
    engine = up.set_index(["vestigingscode", "onderwijstype", "p"])["verwacht"]
    kept = {(r.vestigingscode, r.onderwijstype, r.profiel) for r in mine.pupils.itertuples(index=False)}
    for r in mine.pupils.itertuples(index=False):
        prof = r.profiel if isinstance(r.profiel, str) else ""
        got = float(engine.get((r.vestigingscode, r.onderwijstype, prof), 0.0))
        assert got >= r.leerlingen - 1e-6, r
        if prof:  # a profiel meets its threshold across the leerwegen it keeps at the vestiging
            got = sum(
                float(engine.get((r.vestigingscode, t, prof), 0.0))
                for (v, t, p) in kept
                if v == r.vestigingscode and p == prof
            )
        assert got >= r.drempel - 1e-6, r


def test_locked_offering_that_cannot_be_viable_is_explained(demo):
    res = _optimise(demo, locked=["99BB03:vmbo-k"])
    assert not res.feasible and res.solution.status == "onhaalbaar"
    text = " ".join(res.infeasible)
    assert "vmbo-k op Het Baken Zandbrug (99BB03" in text and "vastgezet met --vast" in text
    assert "te weinig" in text
    (short,) = [s for s in res.solution.shortfalls if s.offering >= 0 and res.instance.model.parent[s.offering] < 0]
    assert 0 < short.amount < short.required == 50.0


def test_change_limit_explained_and_minimal(demo, result):
    res = _optimise(demo, max_changes=2)
    assert not res.feasible
    (short,) = res.solution.shortfalls
    needed = int(short.required + short.amount)
    assert f"minstens {needed} wijzigingen nodig" in res.infeasible[0]
    assert needed <= result.after.changes
    ok = solve_instance(
        build_instance(
            demo[1], None, YEAR, OptimiseOptions(max_changes=needed), forecast=demo[2], origin=demo[3], market=demo[4]
        )
    )
    assert ok.feasible and ok.after.changes <= needed


def test_every_offering_locked_returns_today_or_names_the_short_ones(demo):
    _, tables, forecast, origin, market = demo
    codes = sorted(select_region(tables, None).vestigingen)
    res = _optimise(demo, locked=[f"{c}:alles" for c in codes if c != "99BB02"])
    model = res.instance.model
    short = np.flatnonzero(~model.ext & (res.today.judged_pupils()[:, 0] < model.threshold - 1e-6))
    assert not res.feasible
    assert {s.offering for s in res.solution.shortfalls} == set(short)


def test_without_changes_no_scenario_is_written(demo, tmp_path):
    res = _optimise(demo, kinds=["pro"])
    assert res.feasible and not res.changes and res.scenario() is None
    yaml_path, json_path = res.write(tmp_path)
    assert yaml_path is None and json_path.is_file()
    assert list(res.coverage_table()["onderwijstype"]) == ["pro"]


def test_board_rule_explained(demo):
    res = _optimise(demo, boards_keep=True)
    assert not res.feasible
    assert any("(bestuur 99002 houdt anders geen vmbo-g)" in line for line in res.infeasible)
    assert all(s.constraint in ("drempel", "bestuur") for s in res.solution.shortfalls)


def test_bad_options_give_dutch_errors(demo):
    with pytest.raises(ConfiguratieFout, match="ligt niet na de laatste telling"):
        _optimise_year(demo, 2024)
    with pytest.raises(ConfiguratieFout, match="--vast: .*99ZZ00 hoort niet bij de regio.*biedt 'havo' niet aan"):
        _optimise(demo, locked=["99ZZ00:vmbo-k", "99BB03:havo"])
    with pytest.raises(ConfiguratieFout, match="soort mbo onbekend"):
        _optimise(demo, kinds=["mbo"])
    with pytest.raises(ConfiguratieFout, match="toewijzing 'ver' onbekend"):
        _optimise(demo, assignment="ver")


def _optimise_year(demo, year):
    _, tables, forecast, origin, market = demo
    return optimise(tables, None, year, forecast=forecast, origin=origin, market=market)


def test_cli_writes_scenario_and_reports(demo, tmp_path):
    app = typer.Typer()
    app.command(cls=DutchCommand)(optimaliseer)
    ws = demo[0]
    res = CliRunner().invoke(app, ["--werkmap", str(ws.path), "--jaar", str(YEAR), "--uitvoer", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert "Kinderen binnen" in res.output and "gap" in res.output and "Status: optimaal" in res.output
    assert (tmp_path / "optimalisatie.yaml").is_file() and (tmp_path / "optimalisatie.json").is_file()
    res = CliRunner().invoke(
        app,
        ["--werkmap", str(ws.path), "--jaar", str(YEAR), "--uitvoer", str(tmp_path / "b"), "--vast", "99BB03:vmbo-k"],
    )
    assert res.exit_code == 1 and "Geen opstelling mogelijk" in res.output and "te weinig" in res.output
    res = CliRunner().invoke(app, ["--werkmap", str(ws.path), "--jaar", "2024"])
    assert res.exit_code == 2 and "Fout:" in res.output
