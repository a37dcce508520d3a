"""The diagnosis on the real data: every COROP region, and the krimp regions (skipped without ../shared)."""

from __future__ import annotations

import pytest

from dekkend.diagnose import TYPES, diagnose
from dekkend.forecast import make_model
from dekkend.geo import distance_matrix
from dekkend.ingest import import_paths
from dekkend.workspace import Workspace


@pytest.fixture(scope="module")
def national_ws(shared_data, tmp_path_factory):
    ws = Workspace(tmp_path_factory.mktemp("nl") / "w")
    import_paths([shared_data], ws)
    return ws


@pytest.fixture(scope="module")
def national(national_ws):
    tables = national_ws.tables()
    forecast = make_model("cohort").fit(tables, 2019).predict(10)
    return tables, distance_matrix(tables), forecast


def test_every_corop_region_completes(national):
    tables, matrix, forecast = national
    corops = sorted(tables["vestigingen"]["corop_code"].dropna().unique())
    assert len(corops) == 40
    seen = set()
    for code in corops:
        d = diagnose(tables, f"corop:{code}", matrix=matrix, forecast=forecast)
        assert d.peiljaar == 2019 and d.regio.startswith("COROP-gebied")
        assert d.besturen["vestigingen"].sum() == len(d.besturen) or d.besturen["vestigingen"].sum() > 0
        seen |= {k.type for k in d.knelpunten}
    assert seen == set(TYPES)


@pytest.mark.parametrize("corop", ["14", "31"], ids=["Achterhoek", "Zeeuws-Vlaanderen"])
def test_krimp_regions_show_decline(national, corop):
    tables, matrix, forecast = national
    d = diagnose(tables, f"corop:{corop}", matrix=matrix, forecast=forecast)
    decline = d.of_type("sterke-daling")
    assert decline, [k.titel for k in d.knelpunten]
    assert all(k.bewijs["daling_10"] > 0 or k.bewijs["daling_5"] > 0 for k in decline)


@pytest.mark.parametrize("expression", ["corop:31", "corop:Achterhoek", "gemeente:0715", "bestuur:42770",
                                        "onderwijsgebied:19"])
def test_regio_command_lists_real_regions(national_ws, expression):
    from typer.testing import CliRunner

    from dekkend.cli import app

    res = CliRunner().invoke(app, ["regio", "--werkmap", str(national_ws.path), "--regio", expression])
    assert res.exit_code == 0, res.output + repr(res.exception)
    assert "vestigingen" in res.output and "Traceback" not in res.output


@pytest.fixture(scope="module")
def zeeuws_vlaanderen(national):
    tables, matrix, forecast = national
    return diagnose(tables, "corop:31", matrix=matrix, forecast=forecast)


@pytest.fixture(scope="module")
def achterhoek(national):
    tables, matrix, forecast = national
    return diagnose(tables, "corop:14", matrix=matrix, forecast=forecast)


def test_zorg_welzijn_does_not_disappear_from_zeeuws_vlaanderen(zeeuws_vlaanderen):
    gone = [k for k in zeeuws_vlaanderen.of_type("aanbod-verdwijnt")
            if k.onderwijstype == "profiel:zorg-welzijn" and k.ernst == "hoog"]
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
        lost = k.bewijs["leerlingen_nu"] - min(v for v in (k.bewijs["over_5_jaar"], k.bewijs["over_10_jaar"],
                                                           k.bewijs["leerlingen_nu"]) if v == v and v is not None)
        assert lost >= 20
        assert k.ernst != "hoog" or lost >= 100
    assert (d.besturen["leerlingen_nu"] > 0).all()
    for k in d.knelpunten:
        for code in k.vestigingen:
            assert k.toelichting.count(f"({code}") <= 1, (code, k.toelichting)
