"""The diagnosis on the real data: every COROP region, and the krimp regions (skipped without ../shared)."""

from __future__ import annotations

import pytest

from dekkend.diagnose import TYPES, diagnose
from dekkend.forecast import make_model
from dekkend.geo import distance_matrix


@pytest.fixture(scope="module")
def national_ws(national_workspace):
    return national_workspace


@pytest.fixture(scope="module")
def national(national_ws):
    tables = national_ws.tables()
    forecast = make_model("cohort").fit(tables, 2019).predict(10)
    return tables, distance_matrix(tables), forecast


@pytest.fixture(scope="module")
def children(national):
    from dekkend.coverage.children import ChildEstimator

    return ChildEstimator(national[0])


def _corops(tables) -> list[str]:
    return sorted(tables["vestigingen"]["corop_code"].dropna().unique())


def _without_reach(tables, code: str, forecast, loaded: tuple | None = None):
    """A COROP's context and every knelpunt rule that needs no reachability (the costly part of a diagnosis).

    The rules, settings and norms are the ones :func:`dekkend.diagnose.diagnose` uses; only ``witte-vlek`` and
    ``openbaar-onbereikbaar`` (distances from every postcode area, twice) are left to the sample below.
    ``loaded``: the settings, norms and funding rules read once for many regions (read here when absent).
    """
    from dekkend.diagnose import rules
    from dekkend.diagnose.boards import board_impact
    from dekkend.diagnose.context import build_context
    from dekkend.norms import load_norms, load_settings
    from dekkend.norms.funding import load_funding
    from dekkend.regions import select_region

    settings, norms, funding = loaded or (load_settings(), load_norms(), load_funding())
    ctx = build_context(tables, select_region(tables, f"corop:{code}"), settings, norms, forecast=forecast)
    found = [
        *rules.kleine_bovenbouw(ctx),
        *rules.onder_norm(ctx)[0],
        *rules.sterke_daling(ctx),
        *rules.aanbod_verdwijnt(ctx),
        *rules.enige_aanbieder(ctx),
        *rules.isolatie_afhankelijk(ctx, funding.isolation_supplement()),
    ]
    return ctx, found, board_impact(ctx, found)


def _check_trusted_rules(knelpunten, besturen) -> None:
    """Issue 16's rules a board trusts: one sole-provider item per board, no HOOG for a small fall, boards
    with pupils only, each vestiging named once per knelpunt."""
    boards = [k.bewijs["bestuur"] for k in knelpunten if k.type == "enige-aanbieder"]
    assert len(boards) == len(set(boards))
    for k in knelpunten:
        if k.type == "sterke-daling":
            values = (k.bewijs["over_5_jaar"], k.bewijs["over_10_jaar"], k.bewijs["leerlingen_nu"])
            lost = k.bewijs["leerlingen_nu"] - min(v for v in values if v == v and v is not None)
            assert lost >= 20 and (k.ernst != "hoog" or lost >= 100), k.toelichting
        for code in k.vestigingen:
            assert k.toelichting.count(f"({code}") <= 1, (code, k.toelichting)
    assert (besturen["leerlingen_nu"] > 0).all()


def test_every_corop_region_without_reachability(national):
    """All 40 COROPs: forecast, offer, every rule without distances, board impact and the per-profiel view."""
    from dekkend.diagnose.profielen import profiel_overview

    tables, matrix, forecast = national
    from dekkend.norms import load_norms, load_settings
    from dekkend.norms.funding import load_funding

    corops = _corops(tables)
    assert len(corops) == 40
    loaded = (load_settings(), load_norms(), load_funding())
    for code in corops:
        ctx, found, besturen = _without_reach(tables, code, forecast, loaded)
        assert ctx.origin == 2019 and ctx.region.label.startswith("COROP-gebied"), code
        _check_trusted_rules(found, besturen)
        for view in profiel_overview(ctx):  # a profiel taught by many pupils keeps a location
            if view.samen_per_jaar.get(2019, 0) >= 2 * view.drempel:
                assert view.of("zelfstandig") or view.of("samen"), (code, view.profiel)


def test_a_sample_of_corops_has_every_knelpunt_type(national, children, zeeuws_vlaanderen, achterhoek):
    """The whole diagnosis (with reachability) on every fifth COROP and the two krimp regions."""
    tables, matrix, forecast = national
    seen = {k.type for d in (zeeuws_vlaanderen, achterhoek) for k in d.knelpunten}
    for code in _corops(tables)[::5]:
        d = diagnose(tables, f"corop:{code}", matrix=matrix, forecast=forecast, children=children)
        assert d.peiljaar == 2019 and d.regio.startswith("COROP-gebied")
        _check_trusted_rules(d.knelpunten, d.besturen)
        seen |= {k.type for k in d.knelpunten}
    assert seen == set(TYPES)


@pytest.mark.parametrize("which", ["achterhoek", "zeeuws_vlaanderen"])
def test_krimp_regions_show_decline(which, request):
    d = request.getfixturevalue(which)  # the module's diagnosis of COROP 14 / 31, made once
    decline = d.of_type("sterke-daling")
    assert decline, [k.titel for k in d.knelpunten]
    assert all(k.bewijs["daling_10"] > 0 or k.bewijs["daling_5"] > 0 for k in decline)


@pytest.mark.parametrize(
    "expression",
    [
        "corop:31",
        "corop:Achterhoek",
        "gemeente:0715",
        "bestuur:42770",
        "onderwijsgebied:19",
        "Terneuzen",
        "corop:Zeeuws-Vlaanderen",
    ],
)
def test_regio_command_lists_real_regions(national_ws, expression):
    from typer.testing import CliRunner

    from dekkend.cli import app

    res = CliRunner().invoke(app, ["regio", "--werkmap", str(national_ws.path), "--regio", expression])
    assert res.exit_code == 0, res.output + repr(res.exception)
    assert "vestigingen" in res.output and "Traceback" not in res.output


@pytest.fixture(scope="module")
def zeeuws_vlaanderen(national, children):
    tables, matrix, forecast = national
    return diagnose(tables, "corop:31", matrix=matrix, forecast=forecast, children=children)


@pytest.fixture(scope="module")
def achterhoek(national, children):
    tables, matrix, forecast = national
    return diagnose(tables, "corop:14", matrix=matrix, forecast=forecast, children=children)


def test_zorg_welzijn_does_not_disappear_from_zeeuws_vlaanderen(zeeuws_vlaanderen):
    gone = [
        k
        for k in zeeuws_vlaanderen.of_type("aanbod-verdwijnt")
        if k.onderwijstype == "profiel:zorg-welzijn" and k.ernst == "hoog"
    ]
    assert not gone, [k.toelichting for k in gone]


def test_achterhoek_keeps_its_technical_profielen(achterhoek):
    gone = {k.onderwijstype for k in achterhoek.of_type("aanbod-verdwijnt") if k.ernst == "hoog"}
    assert not gone & {"profiel:bouwen-wonen-interieur", "profiel:economie-ondernemen"}, gone


@pytest.mark.parametrize("which", ["zeeuws_vlaanderen", "achterhoek"])
def test_one_sole_provider_knelpunt_per_board_and_no_hoog_for_a_small_fall(which, request):
    d = request.getfixturevalue(which)
    boards = [k.bewijs["bestuur"] for k in d.of_type("enige-aanbieder")]
    assert len(boards) == len(set(boards))
    for k in d.of_type("sterke-daling"):
        lost = k.bewijs["leerlingen_nu"] - min(
            v
            for v in (k.bewijs["over_5_jaar"], k.bewijs["over_10_jaar"], k.bewijs["leerlingen_nu"])
            if v == v and v is not None
        )
        assert lost >= 20
        assert k.ernst != "hoog" or lost >= 100
    assert (d.besturen["leerlingen_nu"] > 0).all()
    for k in d.knelpunten:
        for code in k.vestigingen:
            assert k.toelichting.count(f"({code}") <= 1, (code, k.toelichting)


def test_technical_vmbo_is_visible_in_zeeuws_vlaanderen(national, children, zeeuws_vlaanderen):
    from dekkend.coverage import reachability
    from dekkend.coverage.offer import TECHNIEK_ROUTE
    from dekkend.regions import select_region

    tables, matrix, forecast = national
    route = {v.profiel: v for v in zeeuws_vlaanderen.profielen}[TECHNIEK_ROUTE]
    assert {"00AQ00", "25FX01", "31JW01"} <= {loc.vestigingscode for loc in route.locaties}
    assert route.samen_per_jaar[2019] > 150  # DUO 2019: about 172 basis/kader pupils in Vakmanschapsroute Techniek
    r = reachability(
        tables, 2019, region=select_region(tables, "corop:31"), matrix=matrix, children=children, indicators=True
    )
    ind = r.indicators[(r.indicators["jaar"] == 2019) & (r.indicators["onderwijstype"] == "vmbo-techniek")]
    assert float(ind["aandeel_binnen_norm"].iloc[0]) > 0.5
    terneuzen = select_region(tables, "gemeente:0715").pc4
    t = r.table[(r.table["onderwijstype"] == "vmbo-techniek") & r.table["pc4"].isin(terneuzen)]
    assert len(t) and t["afstand_km"].max() < 25  # was ~100 km to the nearest M&T before the routes counted


def test_no_false_alarms_pinned(zeeuws_vlaanderen, achterhoek):
    # no HOOG decline knelpunt of its own for 20DH09 (5 -> 4 pupils); the region's own decline may be HOOG
    assert not [k for k in achterhoek.of_type("sterke-daling") if k.vestigingen == ("20DH09",) and k.ernst == "hoog"]
    for k in zeeuws_vlaanderen.of_type("kleine-bovenbouw"):
        if k.vestigingen == ("31JW00",):
            assert "vmbo-b" not in {g["onderwijstype"] for g in k.bewijs["groepen"]}, k.toelichting


def test_isolation_baseline_only_from_offers_that_really_go(national, zeeuws_vlaanderen, achterhoek):
    tables = national[0]
    a = tables["aanbod"]
    assert sum(k.bewijs["bekostigingseffect_euro"] for k in zeeuws_vlaanderen.of_type("isolatie-afhankelijk")) == 0
    effect = sum(k.bewijs["bekostigingseffect_euro"] for k in achterhoek.of_type("isolatie-afhankelijk"))
    assert effect < 1_000_000  # EUR 1.36M a year before stray counts stopped making an offer
    upper_years = {"vmbo-b": 2, "vmbo-k": 2, "vmbo-g": 2, "vmbo-t": 2, "havo": 2, "vwo": 3, "pro": 6}
    for k in achterhoek.of_type("isolatie-afhankelijk"):
        for item in k.bewijs["typen"]:
            typ, neighbour = item["onderwijstype"], k.bewijs["buur_nu"]
            n = a[
                (a["vestigingscode"] == neighbour)
                & (a["schooljaar"] == 2019)
                & (a["onderwijstype"] == typ)
                & a["profiel"].isna()
            ]["leerlingen"].sum()
            assert n >= 5 * upper_years[typ], (neighbour, typ, n)  # a real offer, not a stray count


def test_zorg_welzijn_per_profiel_keeps_a_location(zeeuws_vlaanderen, achterhoek):
    for d in (zeeuws_vlaanderen, achterhoek):
        for view in d.profielen:
            if view.samen_per_jaar.get(2019, 0) >= 2 * view.drempel:
                assert view.of("zelfstandig") or view.of("samen"), view.profiel


def test_regio_command_works_for_every_corop(national_ws, national, tmp_path):
    from typer.testing import CliRunner

    from dekkend.cli import app
    from dekkend.regions import select_region

    tables = national[0]
    corops = sorted(tables["vestigingen"]["corop_code"].dropna().unique())
    for code in corops:
        assert select_region(tables, f"corop:{code}").vestigingen, code
    everything = "+".join(f"corop:{c}" for c in corops)  # one call renders and writes every COROP's rows
    out = tmp_path / "alle.csv"
    res = CliRunner().invoke(
        app, ["regio", "--werkmap", str(national_ws.path), "--regio", everything, "--uitvoer", str(out)]
    )
    assert res.exit_code == 0 and "Traceback" not in res.output, res.output[-500:]
    assert out.exists()
