"""Importing DUO VO files of every vintage into a workspace: labels, codes, atomicity, idempotence."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from conftest import write_bytes
from vo_fixtures import ADDRESS_HEADER, OLD_HEADER, OLD_ROWS, addresses, centroids, new_vintage, old_vintage

from dekkend.errors import InvoerFout, LeegBestand
from dekkend.ingest import import_paths
from dekkend.workspace import Workspace


@pytest.fixture
def folder(tmp_path):
    d = tmp_path / "bestanden"
    old_vintage(d / "leerlingen-2019.csv")
    addresses(d / "adressen-2020.csv")
    centroids(d / "pc4.csv")
    return d


def _import(folder, tmp_path, name="w"):
    ws = Workspace(tmp_path / name)
    return import_paths([folder], ws), ws


def test_old_vintage_codes_labels_and_totals(folder, tmp_path):
    result, ws = _import(folder, tmp_path)
    pupils = ws.table("leerlingen")
    assert set(pupils["vestigingscode"]) == {"00AA00", "00AA01", "00AB00"}
    assert int(pupils["aantal"].sum()) == result.imported[0].pupils if result.imported[0].pupils else True
    expected_total = sum(int(x) for row in OLD_ROWS for x in row.split(";")[10:])
    assert int(pupils["aantal"].sum()) == expected_total
    first = pupils[pupils["onderwijstype"] == "brugjaar"].iloc[0]
    assert first["niveau"] == "havo,vwo"
    assert pupils.loc[pupils["label_afdeling"] == "Zorg en welzijn", "profiel"].unique().tolist() == ["zorg-welzijn"]
    assert pupils.loc[pupils["onderwijstype"] == "vwo", "hv_profiel"].unique().tolist() == ["NT+NG"]
    assert pupils.loc[pupils["onderwijstype"] == "vwo", "gymnasium"].all()
    assert (pupils["peildatum"] == pd.Timestamp("2019-10-01")).all()
    assert (pupils["schooljaar"] == 2019).all()


def test_new_vintage_with_bom_and_censored(tmp_path):
    d = tmp_path / "nieuw"
    new_vintage(d / "a.csv")
    _, ws = _import(d, tmp_path)
    pupils = ws.table("leerlingen")
    assert set(pupils["vestigingscode"]) == {"00AA00", "00AC00"}
    assert (pupils["peildatum"] == pd.Timestamp("2023-10-01")).all()  # from the PEILDATUM column
    cens = pupils[pupils["gecensureerd"]]
    assert len(cens) == 4 and cens["aantal"].isna().all()  # never 0, never dropped
    assert pupils.loc[pupils["onderwijstype"] == "brugjaar", "niveau"].unique().tolist() == ["vmbo-b,vmbo-k"]
    vavo = pupils[pupils["vavo"]]
    assert vavo["onderwijstype"].unique().tolist() == ["havo"]


def test_offer_derived_from_counts(folder, tmp_path):
    _, ws = _import(folder, tmp_path)
    offer = ws.table("aanbod")
    whole = offer[offer["profiel"].isna()]
    got = set(zip(whole["vestigingscode"], whole["onderwijstype"], strict=True))
    assert got == {
        ("00AA00", "onderbouw"),
        ("00AA00", "vmbo-b"),
        ("00AA00", "havo"),
        ("00AA01", "pro"),
        ("00AB00", "vwo"),
    }
    prof = offer[offer["profiel"].notna()]
    assert prof[["vestigingscode", "onderwijstype", "profiel", "leerlingen"]].values.tolist() == [
        ["00AA00", "vmbo-b", "zorg-welzijn", 30.0]
    ]


def test_vestigingen_get_address_region_and_location(folder, tmp_path):
    _, ws = _import(folder, tmp_path)
    ves = ws.table("vestigingen").set_index("vestigingscode")
    assert ves.loc["00AA00", "corop_code"] == "07" and ves.loc["00AA00", "bestuur"] == "11111"
    assert ves.loc["00AA00", "pc6"] == "9401AA"
    assert set(ves["locatie_methode"]) == {"pc4-centroide"}
    assert ves["x_rd"].between(0, 300_000).all() and ves["lat"].between(52, 54).all()


def test_renamed_files_give_the_identical_workspace(folder, tmp_path):
    _, ws1 = _import(folder, tmp_path, "w1")
    other = tmp_path / "anders"
    other.mkdir()
    # Unknown files keep only their year in the name (the real, catalogued files need not: see test_realdata_vo).
    for f, new in zip(sorted(folder.iterdir()), ("q-2020.txt", "a-2019.dat", "zonder-jaar"), strict=True):
        shutil.copy(f, other / new)
    _, ws2 = _import(other, tmp_path, "w2")
    assert ws1.table_names() == ws2.table_names()
    for name in ws1.table_names():
        a, b = ws1.table(name), ws2.table(name)
        if name == "bestanden":
            a, b = (t.drop(columns="bestandsnaam").sort_values("bron_id").reset_index(drop=True) for t in (a, b))
        pd.testing.assert_frame_equal(a, b, obj=name)


def test_reimport_is_idempotent(folder, tmp_path):
    _, ws = _import(folder, tmp_path)
    before = ws.tables()
    import_paths([folder], ws)
    after = Workspace(ws.path).tables()
    for name in before:
        pd.testing.assert_frame_equal(before[name], after[name], obj=name)


def _snapshot(ws):
    return {k: v.copy() for k, v in ws.tables().items()}


@pytest.mark.parametrize(
    ("content", "error", "fragment"),
    [
        (OLD_HEADER + "\n" + OLD_ROWS[0] + "\n" + OLD_ROWS[1][:40], InvoerFout, "regel 3"),
        (
            OLD_HEADER + "\n" + OLD_ROWS[0].replace(";50;", ";vijftig;"),
            InvoerFout,
            "kolom 'LEER- OF VERBLIJFSJAAR 1 - MAN'",
        ),
        (OLD_HEADER + "\n" + OLD_ROWS[0] + "\n" + OLD_ROWS[0], InvoerFout, "dubbele regel"),
        (OLD_HEADER + "\n" + OLD_ROWS[0].replace("00AA;00", "00AA;0X"), InvoerFout, "geen geldige vestigingscode"),
        (OLD_HEADER + "\n", LeegBestand, "geen gegevens"),
        (ADDRESS_HEADER.replace(";", "\t") + "\n", LeegBestand, "geen gegevens"),
    ],
    ids=["afgebroken", "geen-getal", "dubbele-sleutel", "foute-code", "alleen-kop", "leeg-tab"],
)
def test_bad_file_fails_and_leaves_the_workspace_unchanged(folder, tmp_path, content, error, fragment):
    _, ws = _import(folder, tmp_path)
    before = _snapshot(ws)
    bad = tmp_path / "slecht"
    write_bytes(bad / "adressen-2020.csv", (folder / "adressen-2020.csv").read_text("latin-1"), "latin-1")
    write_bytes(bad / "kapot-2021.csv", content, "latin-1")
    with pytest.raises(error) as err:
        import_paths([bad], ws)
    assert fragment in str(err.value) and "kapot-2021.csv" in str(err.value)
    after = Workspace(ws.path).tables()
    assert before.keys() == after.keys()
    for name in before:
        pd.testing.assert_frame_equal(before[name], after[name], obj=name)
    assert not list(ws.path.glob(".nieuw-*")) and not (ws.path / ".bezig").exists()


def test_wrong_delimiter_is_reported(tmp_path):
    d = tmp_path / "d"
    write_bytes(d / "f-2019.csv", OLD_HEADER + "\n" + OLD_ROWS[0].replace(";", ","), "latin-1")
    with pytest.raises(InvoerFout, match="regel 2: deze regel heeft 1 velden"):
        import_paths([d], Workspace(tmp_path / "w"))


def test_unknown_file_is_skipped_with_reason(folder, tmp_path):
    write_bytes(folder / "iets.csv", "x;y;z\n1;2;3\n")
    result, _ = _import(folder, tmp_path)
    skipped = {f.path.name: f.reason for f in result.files if f.status == "overgeslagen"}
    assert "onbekend formaat" in skipped["iets.csv"]


def test_file_without_date_in_name_or_catalogue_fails_clearly(tmp_path):
    d = tmp_path / "d"
    old_vintage(d / "leerlingen.csv")
    with pytest.raises(InvoerFout, match="peildatum van dit bestand is onbekend"):
        import_paths([d], Workspace(tmp_path / "w"))


def test_newer_release_of_same_vintage_replaces_older(folder, tmp_path):
    _, ws = _import(folder, tmp_path)
    corrected = tmp_path / "correctie"
    rows = [r.replace(";9;6;8;5;", ";10;6;8;5;") for r in OLD_ROWS]
    old_vintage(corrected / "leerlingen-2019-v2.csv", rows=rows)
    import_paths([corrected], ws)
    pupils = Workspace(ws.path).table("leerlingen")
    assert pupils["bron_id"].nunique() == 1
    files = Workspace(ws.path).table("bestanden")
    assert (files["formaat"] == "duo-vo-onderwijstype").sum() == 1
