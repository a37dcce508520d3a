"""The real DUO VO files of ../shared/data (skipped when absent)."""

from __future__ import annotations

import random
import shutil

import pandas as pd
import pytest

from dekkend.ingest import _text, import_paths
from dekkend.ingest.formats import FileContext
from dekkend.ingest.formats.duo_vo import read_onderwijstype
from dekkend.workspace import Workspace

VO_FILES = (
    "duo/01.-leerlingen-vo-per-vestiging-naar-onderwijstype-2019.csv",
    "duo/02.-alle-vestigingen-vo-2019.csv",
    "duo/vo-vestigingen-leerlingen-coordinaten-2013.csv",
    "geo/pc4-centroiden.csv",
    "geo/pc4-woonplaats-gemeente.csv",
)


@pytest.fixture(scope="module")
def vo_workspace(shared_data, tmp_path_factory):
    ws = Workspace(tmp_path_factory.mktemp("echt") / "w")
    result = import_paths([shared_data / f for f in VO_FILES], ws)
    return result, ws


def test_2019_totals(vo_workspace):
    result, ws = vo_workspace
    pupils = ws.table("leerlingen")
    y2019 = pupils[pupils["schooljaar"] == 2019]
    assert y2019["vestigingscode"].nunique() == 1450
    assert int(y2019["aantal"].sum()) == 956_857
    report = next(f for f in result.files if f.format_key == "duo-vo-onderwijstype")
    assert report.pupils == 956_857 and str(report.reference_date) == "2019-10-01"


def test_2013_file_is_school_year_2012(vo_workspace):
    _, ws = vo_workspace
    pupils = ws.table("leerlingen")
    old = pupils[pupils["schooljaar"] == 2012]
    assert (old["onderwijstype"] == "totaal").all() and old["vestigingscode"].nunique() > 1300


def test_every_2019_vestiging_located_with_region_and_method(vo_workspace):
    _, ws = vo_workspace
    ves = ws.table("vestigingen")
    codes = ws.table("leerlingen").query("schooljaar == 2019")["vestigingscode"].unique()
    v = ves[ves["vestigingscode"].isin(codes)]
    assert len(v) == 1450
    assert v["x_rd"].notna().all() and v["lat"].notna().all()
    assert (v["locatie_methode"] != "onbekend").all()
    assert set(v["locatie_methode"]) <= {"rd-2013", "pc4-centroide", "plaats-centroide"}
    for col in (
        "gemeentecode",
        "corop_code",
        "rmc_code",
        "onderwijsgebied_code",
        "nodaal_code",
        "rpa_code",
        "wgr_code",
    ):
        assert v[col].notna().all(), col
    assert (v["regio_methode"] != "onbekend").all() and (v["gemeente_methode"] != "onbekend").all()
    # the 2013 point is only used where the postcode did not change
    moved = v[v["locatie_methode"] == "pc4-centroide"]
    assert 100 <= len(moved) <= 600


def test_every_label_of_2019_normalised(shared_data):
    path = shared_data / VO_FILES[0]
    parsed = read_onderwijstype(FileContext(path, _text.sha256_of(path)))
    pupils = parsed.tables["leerlingen"]
    assert parsed.skipped == {}, parsed.skipped
    assert "onbekend" not in set(pupils["onderwijstype"])
    brug = pupils[pupils["onderwijstype"] == "brugjaar"]
    assert brug["niveau"].notna().all()
    vmbo_upper = pupils[pupils["onderwijstype"].isin(["vmbo-b", "vmbo-k", "vmbo-g"]) & pupils["route"].isna()]
    assert vmbo_upper["profiel"].notna().mean() > 0.99
    tl = pupils[(pupils["onderwijstype"] == "vmbo-t") & ~pupils["vavo"]]
    tl = tl[~tl["label_opleiding"].str.contains("Profielloos")]  # leerjaar 3 before choosing a sector
    assert tl["sector"].notna().mean() > 0.97
    assert set(pupils["profiel"].dropna()) == {
        "bouwen-wonen-interieur",
        "dienstverlening-producten",
        "economie-ondernemen",
        "groen",
        "horeca-bakkerij-recreatie",
        "maritiem-techniek",
        "media-vormgeving-ict",
        "mobiliteit-transport",
        "produceren-installeren-energie",
        "zorg-welzijn",
    }


def test_renamed_shared_files_give_identical_workspace(shared_data, tmp_path, vo_workspace):
    _, ws1 = vo_workspace
    rng = random.Random(7)
    folder = tmp_path / "hernoemd"
    folder.mkdir()
    for f in VO_FILES:
        shutil.copy(shared_data / f, folder / f"{rng.getrandbits(40):x}.{rng.choice(['csv', 'dat', 'txt'])}")
    ws2 = Workspace(tmp_path / "w2")
    import_paths([folder], ws2)
    for name in ws1.table_names():
        a, b = ws1.table(name), ws2.table(name)
        if name == "bestanden":
            a, b = a.drop(columns="bestandsnaam"), b.drop(columns="bestandsnaam")
        pd.testing.assert_frame_equal(a, b, obj=name)


COUNT_FILES = (
    "01.-leerlingen-vo-per-vestiging-naar-onderwijstype-2016-2017.csv",
    "01.-leerlingen-vo-per-vestiging-naar-onderwijstype-2017-2018.csv",
    "01.-leerlingen-vo-per-vestiging-naar-onderwijstype-2019.csv",
)


@pytest.mark.parametrize("name", COUNT_FILES)
def test_every_label_value_of_every_vintage_is_in_the_label_table(shared_data, name):
    from dekkend.ingest import labels

    path = shared_data / "duo" / name
    if not path.is_file():
        pytest.skip(f"{name} ontbreekt in de gedeelde gegevens")
    raw = _text.read_table(path)
    raw.rows.columns = [c.upper() for c in raw.rows.columns]
    missing = []
    for column in labels.LABEL_COLUMNS:
        for value in raw.rows[column].unique():
            if labels.label_meaning(column, value) is None:
                missing.append(f"{column}={value!r}")
    assert not missing, missing
    parsed = read_onderwijstype(FileContext(path, _text.sha256_of(path)))
    assert parsed.skipped == {}, parsed.skipped


def test_technical_programmes_of_zeeuws_vlaanderen_are_visible(shared_data):
    """2019/20: vakmanschapsroute techniek (basis/kader) and the mavo techniek programme have sector techniek."""
    path = shared_data / "duo" / COUNT_FILES[2]
    p = read_onderwijstype(FileContext(path, _text.sha256_of(path))).tables["leerlingen"]
    route = p[p["vestigingscode"].isin(["00AQ00", "25FX01", "31JW01"]) & (p["route"] == "vakmanschapsroute")]
    assert set(route["sector"]) == {"techniek"} and set(route["onderwijstype"]) == {"vmbo-b", "vmbo-k"}
    n = route["aantal"].fillna(2.5).sum()
    assert 150 <= n <= 200, n
    tl = p[(p["onderwijstype"] == "vmbo-t") & (p["label_opleiding"].str.contains("Profiel Techniek"))]
    assert (tl["sector"] == "techniek").all() and (tl["route"] == "tl-programma").all()
