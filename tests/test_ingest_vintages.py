"""Every VO vintage as first-class data: the 2016/2017 count files and two address vintages.

Small synthetic files pin each quirk of the older DUO files (cp1252, CRLF, the ``LWOO INDICATIE``
split rows, stripped leading zeros, the ``VMBO-MBO2`` type, quoted names) and the rule for two
address lists of one kind; the real files of ``../shared/data`` check the totals SOURCES.md gives.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from conftest import write_bytes
from vo_fixtures import ADDRESS_HEADER, ADDRESS_ROWS, centroids

from dekkend.ingest import catalogue, import_paths
from dekkend.ingest.formats import FileContext
from dekkend.workspace import Workspace

# -- synthetic files in the 2016/2017 layout ------------------------------------------
LWOO_HEADER = (
    "BRIN NUMMER;VESTIGINGSNUMMER;INSTELLINGSNAAM VESTIGING;PLAATSNAAM VESTIGING;"
    "PROVINCIE VESTIGING;"
    "ONDERWIJSTYPE VO EN LEER- OF VERBLIJFSJAAR;LWOO INDICATIE;VMBO SECTOR;AFDELING;ELEMENTCODE;"
    "OPLEIDINGSNAAM;" + ";".join(f"LEER- OF VERBLIJFSJAAR {j} - {s}" for j in range(1, 7) for s in ("MAN", "VROUW"))
)
ZEROS = "0;0;0;0;0;0;0;0"
AA = "SGM ’t Één;ÉÉNDORP;Drenthe"  # ’ exists in cp1252, not in latin-1
PRO = "Praktijkschool Één;ÉÉNDORP;Drenthe;Praktijkonderwijs alle vj;N;N.v.t.;N.v.t."
ROWS_2016 = [
    # one vestiging x type x leerjaar in two rows, LWOO yes and no: both count
    f"00AA;0;{AA};Brugjaar 1-2;J;N.v.t.;N.v.t.;46;Lj LWOO vb op Alle Lw;3;2;1;1;{ZEROS}",
    f"00AA;0;{AA};Brugjaar 1-2;N;N.v.t.;N.v.t.;24;Ljvb op VWO/HAVO/VMBO-Alle Lw;75;70;60;65;{ZEROS}",
    f"00AA;0;{AA};VMBO-MBO2 lj 3-6;J;Landbouw;N.v.t.;4271;"
    "Borging exp. VM2 LWOO Basisbg. LW Landb LNO;0;0;0;0;0;0;0;0;8;2;0;0",
    f"00AA;0;{AA};HAVO uitbest. aan VAVO;N;N.v.t.;N.v.t.;4031;HAVO NW naar VAVO;0;0;0;0;0;0;0;0;1;1;0;0",
    f"00AA;1;{PRO};50;Praktijkonderwijs;9;6;{ZEROS};1;1",
    '19EO;0;"VMBO ""De Jutter"" Vlieland";VLIELAND;Friesland;Brugjaar 1-2;N;N.v.t.;N.v.t.;400;'
    f"MAVO/Theor Lw-VMBO;5;6;3;10;{ZEROS}",
]
# The 2017 layout: same columns, codes zero-padded again.
ROWS_2017 = [
    f"00AA;00;{AA};Brugjaar 1-2;N;N.v.t.;N.v.t.;0024;Ljvb op VWO/HAVO/VMBO-Alle Lw;70;70;60;60;{ZEROS}",
    f"00AA;01;{PRO};0050;Praktijkonderwijs;8;6;{ZEROS};1;1",
]


def lwoo_vintage(path: Path, rows: list[str]) -> Path:
    """A 01.-file in the 2016/2017 layout: cp1252, CRLF, with ``LWOO INDICATIE``."""
    return write_bytes(path, "\n".join([LWOO_HEADER, *rows]) + "\n", "cp1252", "\r\n")


def _counts(row: str) -> list[int]:
    cells = row.replace('""', "").split(";")
    return [int(x) for x in cells[-12:]]


@pytest.fixture
def ws_2016(tmp_path):
    d = tmp_path / "bestanden"
    lwoo_vintage(d / "leerlingen-vo-2016-2017.csv", ROWS_2016)
    ws = Workspace(tmp_path / "w")
    import_paths([d], ws)
    return ws


def test_school_year_name_cp1252_and_crlf(ws_2016):
    pupils = ws_2016.table("leerlingen")
    assert (pupils["peildatum"] == pd.Timestamp("2016-10-01")).all()  # "2016-2017" is the count of 1 Oct 2016
    assert (pupils["schooljaar"] == 2016).all()
    assert int(pupils["aantal"].sum()) == sum(sum(_counts(r)) for r in ROWS_2016)
    names = ws_2016.table("vestigingen").set_index("vestigingscode")["naam"]
    assert names["00AA00"] == "SGM ’t Één"  # cp1252-only character, not latin-1 mojibake
    assert not pupils["label_onderwijstype"].str.contains("\r").any()


def test_lwoo_split_rows_are_summed(ws_2016):
    pupils = ws_2016.table("leerlingen")
    brug = pupils[(pupils["vestigingscode"] == "00AA00") & (pupils["label_onderwijstype"] == "Brugjaar 1-2")]
    per_year = brug.groupby("leerjaar")["aantal"].sum()
    assert per_year.to_dict() == {1: 3 + 2 + 75 + 70, 2: 1 + 1 + 60 + 65}
    assert set(brug["lwoo"]) == {True, False}  # the LWOO row stays recognisable


def test_stripped_vestigingsnummer_gets_its_zeros_back(ws_2016, tmp_path):
    assert set(ws_2016.table("leerlingen")["vestigingscode"]) == {"00AA00", "00AA01", "19EO00"}
    d = tmp_path / "later"
    lwoo_vintage(d / "leerlingen-vo-2017-2018.csv", ROWS_2017)
    import_paths([d], ws_2016)
    pupils = Workspace(ws_2016.path).table("leerlingen")
    by_year = pupils.groupby("schooljaar")["vestigingscode"].agg(set)
    assert by_year[2017] == {"00AA00", "00AA01"} and by_year[2017] <= by_year[2016]  # one code across vintages


def test_stripped_elementcode_gets_its_zeros_back(ws_2016, tmp_path):
    """2016/17 stores ELEMENTCODE 24 for 0024: after import every vintage carries the one four-digit code."""
    from dekkend.ingest import labels

    codes_2016 = set(ws_2016.table("leerlingen")["elementcode"])
    assert {"0024", "0046", "0400", "4271"} <= codes_2016 and not {"24", "46", "400"} & codes_2016
    d = tmp_path / "later"
    lwoo_vintage(d / "leerlingen-vo-2017-2018.csv", ROWS_2017)
    import_paths([d], ws_2016)
    pupils = Workspace(ws_2016.path).table("leerlingen")
    brug = pupils[
        (pupils["vestigingscode"] == "00AA00") & (pupils["label_onderwijstype"] == "Brugjaar 1-2") & ~pupils["lwoo"]
    ]
    assert brug.groupby("schooljaar")["elementcode"].agg(set).to_dict() == {2016: {"0024"}, 2017: {"0024"}}
    # the label table knows each code once, under its four-digit form; the short form finds the same meaning
    assert labels.label_meaning("ELEMENTCODE", "24") == labels.label_meaning("ELEMENTCODE", "0024") is not None
    table = labels.label_table()
    assert all(len(value) >= 4 for kolom, value in table if kolom == "elementcode" and value.isdigit())


def test_vmbo_mbo2_type_kept_and_counted(ws_2016):
    pupils = ws_2016.table("leerlingen")
    vm2 = pupils[pupils["label_onderwijstype"] == "VMBO-MBO2 lj 3-6"]
    assert vm2.groupby("leerjaar")["aantal"].sum().to_dict() == {5: 10}  # kept with its label, never dropped


def test_vavo_rows_flagged_so_a_total_can_leave_them_out(ws_2016):
    pupils = ws_2016.table("leerlingen")
    vavo = [r for r in ROWS_2016 if "VAVO" in r]
    assert int(pupils.loc[pupils["vavo"], "aantal"].sum()) == sum(sum(_counts(r)) for r in vavo)


def test_name_with_embedded_quotes(ws_2016):
    ves = ws_2016.table("vestigingen").set_index("vestigingscode")
    assert ves.loc["19EO00", "naam"] == 'VMBO "De Jutter" Vlieland'
    assert ves.loc["19EO00", "plaatsnaam"] == "VLIELAND"


# -- two address vintages ------------------------------------------------------------
def _address_row(row: str, **changes: str) -> str:
    cols = ADDRESS_HEADER.split(";")
    cells = row.split(";")
    for name, value in changes.items():
        cells[cols.index(name.replace("_", " "))] = value
    return ";".join(cells)


OLDER = [
    _address_row(ADDRESS_ROWS[0], **{"BEVOEGD_GEZAG NUMMER": "99999", "ONDERWIJSSTRUCTUUR": "VBO/MAVO"}),
    ADDRESS_ROWS[1],
    ADDRESS_ROWS[2],
]
NEWER = [
    ADDRESS_ROWS[0],
    _address_row(ADDRESS_ROWS[1], STRAATNAAM=""),
]  # 00AB00 is missing from the newer list


def _address_file(path: Path, rows: list[str]) -> Path:
    return write_bytes(path, "\n".join([ADDRESS_HEADER, *rows]) + "\n", "cp1252", "\r\n")


def test_name_stamp_year_month_and_school_year(tmp_path):
    ctx = lambda name: FileContext(tmp_path / name, "0" * 64)  # noqa: E731
    assert ctx("02.-alle-vestigingen-vo-2020-10.csv").reference_date(month=12) == date(2020, 10, 1)
    assert ctx("02.-alle-vestigingen-vo-2019.csv").reference_date(month=12) == date(2019, 12, 1)
    assert ctx("01.-leerlingen-2016-2017.csv").reference_date() == date(2016, 10, 1)
    assert ctx("85701NED-2013-2023.csv").reference_date() == date(2023, 10, 1)  # not a month


def _two_lists(tmp_path: Path, together: bool = True) -> Workspace:
    older = _address_file(tmp_path / "oud" / "adressen-2020-10.csv", OLDER)
    newer = _address_file(tmp_path / "nieuw" / "adressen-2020-12.csv", NEWER)
    centroids(tmp_path / "nieuw" / "pc4.csv")
    ws = Workspace(tmp_path / "w")
    if together:
        import_paths([older.parent, newer.parent], ws)
    else:  # the newer list first, the older one later: it must not replace the newer
        import_paths([newer.parent], ws)
        import_paths([older.parent], ws)
    return Workspace(ws.path)


@pytest.mark.parametrize("together", [True, False])
def test_two_address_vintages_keep_their_own_peildatum(tmp_path, together):
    ws = _two_lists(tmp_path, together)
    files = ws.table("bestanden").set_index("bestandsnaam")["peildatum"]
    assert files["adressen-2020-10.csv"] == pd.Timestamp("2020-10-01")
    assert files["adressen-2020-12.csv"] == pd.Timestamp("2020-12-01")
    src = ws.table("vestigingen_bron")
    assert src.groupby("peildatum")["vestigingscode"].agg(set).to_dict() == {
        pd.Timestamp("2020-10-01"): {"00AA00", "00AA01", "00AB00"},
        pd.Timestamp("2020-12-01"): {"00AA00", "00AA01"},
    }


@pytest.mark.parametrize("together", [True, False])
def test_newest_list_wins_and_the_older_fills_gaps(tmp_path, together):
    ves = _two_lists(tmp_path, together).table("vestigingen").set_index("vestigingscode")
    # in both lists: the newer one's board and structure, whatever the older says
    assert ves.loc["00AA00", "bestuur"] == "11111" and ves.loc["00AA00", "structuur"] == "VBO/MAVO/HAVO/VWO"
    assert ves.loc["00AA00", "peildatum"] == pd.Timestamp("2020-12-01")
    # a blank in the newer list is filled from the older one
    assert ves.loc["00AA01", "straat"] == "Schoolweg"
    # missing from the newer list: address, gemeente, regions and board from the older one
    gone = ves.loc["00AB00"]
    assert (gone["bestuur"], gone["pc6"], gone["gemeentecode"], gone["corop_code"]) == (
        "22222",
        "7811AA",
        "0114",
        "09",
    )
    assert gone["peildatum"] == pd.Timestamp("2020-10-01") and gone["regio_methode"] == "adressen"
    assert gone["locatie_methode"] == "pc4-centroide"
    assert ves["in_adressenbestand"].all()
    assert ves["in_nieuwste_adressenbestand"].to_dict() == {
        "00AA00": True,
        "00AA01": True,
        "00AB00": False,
    }


def test_equal_dates_do_not_depend_on_file_names(tmp_path):
    tables = []
    for i, names in enumerate((("a-2020.csv", "b-2020.csv"), ("b-2020.csv", "a-2020.csv"))):
        d = tmp_path / f"map{i}"
        _address_file(d / names[0], OLDER)
        _address_file(d / names[1], NEWER)
        ws = Workspace(tmp_path / f"w{i}")
        import_paths([d], ws)
        tables.append(ws.table("vestigingen"))
    pd.testing.assert_frame_equal(*tables)


# -- the real files ------------------------------------------------------------------
COUNT_FILES = {
    2016: "duo/01.-leerlingen-vo-per-vestiging-naar-onderwijstype-2016-2017.csv",
    2017: "duo/01.-leerlingen-vo-per-vestiging-naar-onderwijstype-2017-2018.csv",
    2019: "duo/01.-leerlingen-vo-per-vestiging-naar-onderwijstype-2019.csv",
}
ADDRESS_FILES = {
    "2020-10-01": "duo/02.-alle-vestigingen-vo-2020-10.csv",
    "2020-12-01": "duo/02.-alle-vestigingen-vo-2019.csv",
}
OTHER_FILES = ("duo/vo-vestigingen-leerlingen-coordinaten-2013.csv", "geo/pc4-centroiden.csv")


@pytest.fixture(scope="module")
def real(shared_data, tmp_path_factory):
    ws = Workspace(tmp_path_factory.mktemp("jaargangen") / "w")
    files = [*COUNT_FILES.values(), *ADDRESS_FILES.values(), *OTHER_FILES]
    import_paths([shared_data / f for f in files], ws)
    return ws


def test_real_catalogue_knows_every_vo_vintage(shared_data):
    expected = {
        **{f: date(y, 10, 1) for y, f in COUNT_FILES.items()},
        **{f: date.fromisoformat(d) for d, f in ADDRESS_FILES.items()},
    }
    for rel, day in expected.items():
        known = catalogue.by_checksum(hashlib.sha256((shared_data / rel).read_bytes()).hexdigest())
        assert known is not None and known.reference_date == day and known.filename == Path(rel).name, rel


@pytest.mark.parametrize(
    ("year", "vestigingen", "pupils", "without_vavo"),
    [(2016, 1_457, 1_002_338, 995_794), (2017, 1_462, 992_195, 985_500)],  # SOURCES.md
)
def test_real_totals_of_2016_and_2017(real, year, vestigingen, pupils, without_vavo):
    p = real.table("leerlingen").query("schooljaar == @year")
    assert p["vestigingscode"].nunique() == vestigingen
    assert int(p["aantal"].sum()) == pupils
    assert int(p.loc[~p["vavo"].eq(True), "aantal"].sum()) == without_vavo  # object column: NaN for 2012


def test_real_2016_per_vestiging_matches_the_raw_file(real, shared_data):
    """LWOO rows summed, zeros restored, quoted names read: checked against pandas' CSV reader."""
    raw = pd.read_csv(shared_data / COUNT_FILES[2016], sep=";", encoding="cp1252", dtype=str)
    code = raw["BRIN NUMMER"].str.strip() + raw["VESTIGINGSNUMMER"].str.strip().str.zfill(2)
    counts = raw.filter(regex=r"JAAR \d - (MAN|VROUW)$").astype(int).sum(axis=1)
    want = counts.groupby(code).sum()
    got = real.table("leerlingen").query("schooljaar == 2016").groupby("vestigingscode")["aantal"].sum()
    pd.testing.assert_series_equal(
        got.astype(int), want.rename_axis("vestigingscode").rename("aantal"), check_names=False
    )
    assert (raw["LWOO INDICATIE"] == "J").sum() > 1000  # the split is real, not a corner case
    vm2 = raw["ONDERWIJSTYPE VO EN LEER- OF VERBLIJFSJAAR"] == "VMBO-MBO2 lj 3-6"
    assert int(counts[vm2].sum()) == 75
    names = real.table("vestigingen").set_index("vestigingscode")["naam"]
    assert names["19EO00"] == 'VMBO "De Jutter" Vlieland'


def test_real_every_2019_vestiging_has_board_gemeente_regions_and_location(real):
    ves = real.table("vestigingen")
    codes = real.table("leerlingen").query("schooljaar == 2019")["vestigingscode"].unique()
    v = ves[ves["vestigingscode"].isin(codes)]
    assert len(v) == 1_450
    for col in (
        "bestuur",
        "pc6",
        "gemeentecode",
        "corop_code",
        "rmc_code",
        "onderwijsgebied_code",
        "x_rd",
        "lat",
    ):
        assert v[col].notna().all(), col
    assert (v["locatie_methode"] != "onbekend").all() and (v["regio_methode"] == "adressen").all()
    missing = v[~v["in_nieuwste_adressenbestand"]]
    assert len(missing) == 11  # SOURCES.md: the Dec 2020 list misses 11 of the 2019 count
    assert (missing["peildatum"] == pd.Timestamp("2020-10-01")).all()


def test_real_newest_address_list_wins_where_both_have_the_vestiging(real):
    src = real.table("vestigingen_bron").query("bronsoort == 'adressen'")
    newest = src[src["peildatum"] == src["peildatum"].max()].set_index("vestigingscode")
    ves = real.table("vestigingen").set_index("vestigingscode").loc[newest.index]
    assert (ves["peildatum"] == pd.Timestamp("2020-12-01")).all()
    for col in (
        "bestuur",
        "pc6",
        "structuur",
        "corop_code",
    ):  # gemeentecode: mapped to today's gemeente
        given = newest[col].replace("", pd.NA).notna()
        assert (ves.loc[given, col] == newest.loc[given, col]).all(), col
    older = src[src["peildatum"] < src["peildatum"].max()].set_index("vestigingscode")
    both = older.index.intersection(newest.index)
    assert (older.loc[both, "bestuur"] != newest.loc[both, "bestuur"]).sum() > 0  # the vintages really differ
