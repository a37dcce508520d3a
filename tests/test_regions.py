"""The one --regio syntax, on the demo region and the real data."""

from __future__ import annotations

import pytest

from dekkend.demo import build_demo_workspace
from dekkend.errors import RegioFout
from dekkend.regions import select_region
from dekkend.workspace import Workspace


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    return build_demo_workspace(Workspace(tmp_path_factory.mktemp("demo") / "w")).tables()


def test_gemeente_by_code_and_by_name(tables):
    by_code = select_region(tables, "gemeente:9901")
    by_name = select_region(tables, "gemeente:veenstad")
    assert by_code.vestigingen == by_name.vestigingen
    assert set(by_code.vestigingen) == set(tables["vestigingen"].query("gemeentecode == '9901'")["vestigingscode"])
    assert by_code.pc4 and all(p.startswith("990") for p in by_code.pc4)


def test_several_gemeenten_and_region_codes(tables):
    two = select_region(tables, "gemeente:9901,9902")
    assert two.gemeenten == ("9901", "9902")
    assert len(select_region(tables, "corop:99").vestigingen) == len(tables["vestigingen"])
    assert (
        select_region(tables, "onderwijsgebied:Veenland").vestigingen == select_region(tables, "corop:99").vestigingen
    )


def test_board(tables):
    sel = select_region(tables, "bestuur:99002")
    assert set(sel.vestigingen) == set(tables["vestigingen"].query("bestuur == '99002'")["vestigingscode"])


def test_yaml_file(tables, tmp_path):
    f = tmp_path / "mijn-regio.yaml"
    f.write_text("naam: Noordrand\ngemeenten: [9902, 9903]\n", encoding="utf-8")
    sel = select_region(tables, str(f))
    assert sel.label == "Noordrand" and sel.gemeenten == ("9902", "9903")


def test_union_with_plus(tables):
    sel = select_region(tables, "gemeente:9902+bestuur:99001")
    assert set(select_region(tables, "bestuur:99001").vestigingen) <= set(sel.vestigingen)


@pytest.mark.parametrize(
    ("expr", "fragment"),
    [
        ("provincie:1", "niet begrepen"),
        ("gemeente:", "noemt geen code"),
        ("gemeente:Atlantis", "komt niet voor"),
        ("bestuur:1", "komt niet voor"),
        ("gemeente:e", "niet eenduidig; kies een van"),
    ],
)
def test_errors_are_dutch_and_specific(tables, expr, fragment):
    with pytest.raises(RegioFout, match=fragment):
        select_region(tables, expr)


def test_national_default(tables):
    assert len(select_region(tables, None).vestigingen) == len(tables["vestigingen"])


def test_real_achterhoek(shared_data, tmp_path):
    from dekkend.ingest import import_paths

    ws = Workspace(tmp_path / "w")
    import_paths(
        [shared_data / "duo" / "02.-alle-vestigingen-vo-2019.csv", shared_data / "geo" / "pc4-woonplaats-gemeente.csv"],
        ws,
    )
    t = ws.tables()
    a = select_region(t, "corop:14")
    assert a.label == "COROP-gebied Achterhoek" and len(a.vestigingen) >= 40
    assert select_region(t, "corop:achterhoek").vestigingen == a.vestigingen
    assert len(a.pc4) > 50


def test_bare_name_is_a_gemeente_first(tables):
    assert select_region(tables, "Veenstad").vestigingen == select_region(tables, "gemeente:9901").vestigingen
    assert select_region(tables, "Veenstad").label == select_region(tables, "gemeente:9901").label


def test_near_miss_gets_a_suggestion(tables):
    with pytest.raises(RegioFout, match="Bedoelde u 'Veenstad'"):
        select_region(tables, "Veenstat")
    with pytest.raises(RegioFout, match="Bedoelde u"):
        select_region(tables, "gemeente:Veenstadt")


def test_bare_name_ambiguous_between_other_kinds_lists_options():
    import pandas as pd

    from dekkend.regions import bare_name

    ves = pd.DataFrame(
        {"gemeentenaam": ["A"], "corop_naam": ["B"], "rmc_naam": ["Heuvelland"], "wgr_naam": ["Heuvelland"]}
    )
    with pytest.raises(RegioFout, match="niet eenduidig; kies een van: rmc:Heuvelland, wgr:Heuvelland"):
        bare_name(ves, "heuvelland")
    assert bare_name(ves, "b") == "corop:B"


def test_real_zeeuws_vlaanderen_spellings_and_bare_place(shared_data, tmp_path):
    from dekkend.ingest import import_paths

    ws = Workspace(tmp_path / "w")
    import_paths(
        [shared_data / "duo" / "02.-alle-vestigingen-vo-2019.csv", shared_data / "geo" / "pc4-woonplaats-gemeente.csv"],
        ws,
    )
    t = ws.tables()
    zv = select_region(t, "corop:31")
    assert select_region(t, "corop:Zeeuws-Vlaanderen").vestigingen == zv.vestigingen
    assert select_region(t, "corop:Zeeuwsch-Vlaanderen").vestigingen == zv.vestigingen
    assert select_region(t, "Zeeuws-Vlaanderen").vestigingen == zv.vestigingen
    terneuzen = select_region(t, "Terneuzen")
    assert terneuzen.gemeenten == ("0715",) and set(terneuzen.vestigingen) < set(zv.vestigingen)
    with pytest.raises(RegioFout, match="Bedoelde u 'Achterhoek'"):
        select_region(t, "corop:Achterhok")
