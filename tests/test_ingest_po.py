"""DUO po imports (kinderen by home PC4, schools, distances) and the VO home-postcode and prognosis files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import write_bytes
from population_fixtures import (
    HERKOMST_NEW,
    HERKOMST_OLD,
    KINDEREN_HEADER,
    KINDEREN_ROWS,
    PO_2013_HEADER,
    PO_2013_ROWS,
    PO_AFSTAND,
    PROGNOSE_LONG,
    PROGNOSE_WIDE,
    kinderen,
    kinderen_row,
    po_addresses_excel,
)

from dekkend.errors import InvoerFout
from dekkend.ingest import _text, import_paths
from dekkend.ingest.formats import FileContext, probe, recognise
from dekkend.workspace import Workspace


def _read(path: Path):
    fmt = recognise(probe(path))
    assert fmt is not None, f"{path.name} niet herkend"
    return fmt, fmt.read(FileContext(path, _text.sha256_of(path)))


# -- kinderen -------------------------------------------------------------------------------
def test_kinderen_gzip_placeholders_and_flagged_special_education(tmp_path):
    fmt, parsed = _read(kinderen(tmp_path / "03.-leerlingen-po-2017.csv.gz"))
    assert fmt.key == "duo-po-postcode-leeftijd"
    k = parsed.tables["kinderen"]
    assert parsed.pupils == int(k["aantal"].sum()) == 42
    assert parsed.reference_date.isoformat() == "2017-10-01"
    # So and Vso kept but not counted as VO intake
    assert k.loc[k["soort_po"].isin(["so", "vso"]), "aantal"].sum() == 10
    assert not k.loc[k["soort_po"].isin(["so", "vso"]), "vo_instroom"].any()
    assert k.loc[k["soort_po"].isin(["bo", "sbo"]), "vo_instroom"].all()
    # placeholder home codes are kept without a location and reported
    unlocated = k[k["pc4"].isna()]
    assert set(unlocated["postcode_leerling"]) == {"20", "40"} and int(unlocated["aantal"].sum()) == 3
    assert any("'20' (Duitsland) 1" in n and "'40' (onbekend) 2" in n for n in parsed.notes)
    # open-ended ages
    young = k[k["leeftijd_open"] == "jonger"]
    assert young["leeftijd"].tolist() == [3]
    assert k.loc[k["leeftijd_open"] == "ouder", "leeftijd"].tolist() == [25]
    assert set(k["vestigingscode"]) == {"05OC00", "05OC01", "01WX00"}
    schools = parsed.tables["po_vestigingen_bron"]
    assert schools.set_index("vestigingscode").loc["01WX00", "soort_po"] == "so,vso"


def test_kinderen_total_must_add_up(tmp_path):
    rows = [KINDEREN_ROWS[0], kinderen_row("9515", "Bo", {"5": 2}, total=3)]
    with pytest.raises(InvoerFout) as err:
        _read(kinderen(tmp_path / "k-2017.csv", rows, gz=False))
    assert err.value.line == 3 and err.value.column == "TOTAAL"


def test_kinderen_non_numeric_and_duplicate(tmp_path):
    bad = KINDEREN_ROWS[0].replace(";6;10;", ";6;tien;", 1)
    with pytest.raises(InvoerFout) as err:
        _read(kinderen(tmp_path / "a-2017.csv.gz", [bad]))
    assert err.value.line == 2 and err.value.column == "LEEFTIJD_5" and "'tien' is geen aantal" in str(err.value)
    with pytest.raises(InvoerFout) as err:
        _read(kinderen(tmp_path / "b-2017.csv.gz", [KINDEREN_ROWS[0], KINDEREN_ROWS[1], KINDEREN_ROWS[0]]))
    assert err.value.line == 4 and "regel 2" in str(err.value)


def test_kinderen_newer_vintage_censored(tmp_path):
    header = KINDEREN_HEADER.replace("BRIN_NUMMER;VESTIGINGSNUMMER", "INSTELLINGSCODE;VESTIGINGSCODE")
    row = kinderen_row("9514", "Bo", {"5": 7}).replace(";05OC;00;", ";05OC;05OC00;").replace(";7;", ";<5;", 1)
    path = write_bytes(tmp_path / "03-2023.csv", f"{header}\n{row}\n", "utf-8", "\r\n", bom=True)
    _, parsed = _read(path)
    k = parsed.tables["kinderen"]
    assert k["gecensureerd"].tolist() == [True] and k["aantal"].isna().all()


def test_truncated_gzip_is_an_error(tmp_path):
    path = kinderen(tmp_path / "k-2017.csv.gz")
    path.write_bytes(path.read_bytes()[:-20])
    with pytest.raises(InvoerFout) as err:
        import_paths([path], Workspace(tmp_path / "w"))
    assert "gzip" in str(err.value) and not (tmp_path / "w" / "tabellen").exists()


# -- po schools --------------------------------------------------------------------------------------
def test_po_2013_bare_cr_ages_and_rd(tmp_path):
    path = write_bytes(
        tmp_path / "po-vestigingen-2013.csv",
        "\n".join([PO_2013_HEADER, *PO_2013_ROWS]) + "\n",
        "latin-1",
        "\r",
    )
    fmt, parsed = _read(path)
    assert fmt.key == "duo-po-2013-coordinaten" and parsed.reference_date.isoformat() == "2012-10-01"
    schools = parsed.tables["po_vestigingen_bron"].set_index("vestigingscode")
    assert schools.loc["16AH00", "x_rd"] == 257488 and pd.isna(schools.loc["30TF00", "x_rd"])
    assert schools.loc["16AH00", "gemeentecode"] == "0114"
    ages = parsed.tables["po_leerlingen_leeftijd"]
    assert int(ages["aantal"].sum()) == 30 and set(ages["vestigingscode"]) == {"16AH00"}
    assert parsed.notes == ["1 vestigingen zonder leerlingaantallen"]


def test_po_addresses_excel(tmp_path):
    fmt, parsed = _read(po_addresses_excel(tmp_path / "03.-alle-vestigingen-bo-2020.xlsx"))
    assert fmt.key == "duo-po-adressen"
    schools = parsed.tables["po_vestigingen_bron"]
    assert schools["pc6"].tolist() == ["7822HG", "7811LD"] and set(schools["bronsoort"]) == {"adressen"}


def test_po_addresses_excel_duplicate_names_excel_row(tmp_path):
    rows = [
        [
            "Drenthe",
            1,
            "16AH",
            "16AH00",
            "A",
            "S",
            "1",
            "7822 HG",
            "EMMEN",
            "0114",
            "EMMEN",
            "Openbaar",
            "08",
            "Z",
        ]
    ] * 2
    with pytest.raises(InvoerFout) as err:
        _read(po_addresses_excel(tmp_path / "adressen-2020.xlsx", rows))
    assert err.value.line == 3 and "regel 2" in str(err.value)


def test_po_distance_decimal_comma_and_soort_key(tmp_path):
    _, parsed = _read(write_bytes(tmp_path / "po-afstand-2019-2020.csv", PO_AFSTAND, "latin-1"))
    d = parsed.tables["po_afstand"]
    assert d["afstand_m"].round(2).tolist() == [9562.59, 6047.4, 7043.0]
    assert d["soort_po"].tolist() == ["vso", "so", "vso"] and parsed.reference_date.isoformat() == "2019-10-01"
    dup = PO_AFSTAND + PO_AFSTAND.splitlines()[2] + "\n"
    with pytest.raises(InvoerFout) as err:
        _read(write_bytes(tmp_path / "dup-2019.csv", dup))
    assert err.value.line == 5


def test_po_vestigingen_derived_location(tmp_path):
    d = tmp_path / "in"
    write_bytes(
        d / "po-vestigingen-2013.csv",
        "\n".join([PO_2013_HEADER, *PO_2013_ROWS]) + "\n",
        "latin-1",
        "\r",
    )
    po_addresses_excel(d / "03.-alle-vestigingen-bo-2020.xlsx")
    write_bytes(d / "pc4.csv", "POSTCODE;LAT;LON\n7811;52,78;6,90\n7822;52,75;6,95\n")
    ws = Workspace(tmp_path / "w")
    import_paths([d], ws)
    po = ws.table("po_vestigingen").set_index("vestigingscode")
    assert po.loc["16AH00", "locatie_methode"] == "rd-2013"  # same PC6 in 2012/13 and now
    assert po.loc["16BX00", "locatie_methode"] == "pc4-centroide"
    assert po.loc["16AH00", "attribuut_bron"] == "adressen"


# -- VO pupils by home postcode ------------------------------------------------------------------------
def test_herkomst_old_vintage(tmp_path):
    fmt, parsed = _read(
        write_bytes(
            tmp_path / "02.-leerlingen-per-vestiging-naar-postcode-en-leerjaar-2017-2018.csv",
            HERKOMST_OLD,
            "latin-1",
        )
    )
    assert fmt.key == "duo-vo-herkomst"
    assert parsed.reference_date.isoformat() == "2017-10-01"  # a school-year range names its first year
    h = parsed.tables["leerlingen_herkomst"]
    assert parsed.pupils == int(h["aantal"].sum()) == 36
    assert set(h["vestigingscode"]) == {"00AA00", "00AA01"}
    assert h.loc[h["pc4"].isna(), "postcode_leerling"].unique().tolist() == ["10"]
    assert h.loc[h["pc4"] == "9401", "gemeentecode_leerling"].unique().tolist() == ["0106"]


def test_herkomst_new_vintage_bom_and_censored(tmp_path):
    _, parsed = _read(write_bytes(tmp_path / "02-herkomst-2025.csv", HERKOMST_NEW, "utf-8", "\r\n", bom=True))
    h = parsed.tables["leerlingen_herkomst"]
    assert parsed.reference_date.isoformat() == "2025-10-01"
    assert int(h["gecensureerd"].sum()) == 2 and h.loc[h["gecensureerd"], "aantal"].isna().all()


# -- VO prognosis -------------------------------------------------------------------------------------------
def test_prognose_wide_layout_finds_the_peiljaar(tmp_path):
    fmt, parsed = _read(write_bytes(tmp_path / "11-leerlingenprognose-vo-2016-2019.csv", PROGNOSE_WIDE, "latin-1"))
    assert fmt.key == "duo-vo-prognose"
    p = parsed.tables["prognose_vo"]
    assert set(p["onderwijstype"]) == {"brugjaar", "vmbo", "havo", "vwo", "pro"}
    assert (p["peiljaar"] == 2017).all()  # 2016-2017 whole counts, 2018+ fractions
    assert p.loc[p["jaar"] >= 2018, "prognose"].all() and not p.loc[p["jaar"] <= 2017, "prognose"].any()
    assert p.loc[
        (p["brin"] == "00AA") & (p["jaar"] == 2018) & (p["onderwijstype"] == "brugjaar"), "aantal"
    ].tolist() == [95.4]


def test_prognose_long_layout(tmp_path):
    text = PROGNOSE_LONG.replace("INSTELLINGSNAAM;", "PEILJAAR;INSTELLINGSNAAM;").replace(
        "00AA;Scholen", "00AA;2024;Scholen"
    )
    fmt, parsed = _read(write_bytes(tmp_path / "voprognoses.csv", text))
    assert fmt.key == "duo-vo-prognose-lang"
    p = parsed.tables["prognose_vo"]
    assert (p["peiljaar"] == 2024).all()
    assert p.loc[p["label_onderwijstype"] == "Brugjaar 1-2", "onderwijstype"].tolist() == ["brugjaar"]
    assert p.loc[p["jaar"] == 2025, "prognose"].all()


def test_prognose_bad_amount(tmp_path):
    with pytest.raises(InvoerFout) as err:
        _read(write_bytes(tmp_path / "p-2024.csv", PROGNOSE_LONG.replace("49,6", "ongeveer 50")))
    assert err.value.line == 3 and err.value.column == "AANTAL"


# -- real data ---------------------------------------------------------------------------------------------
@pytest.mark.realdata
def test_real_kinderen_total_and_flags(shared_data):
    _, parsed = _read(shared_data / "duo" / "03.-leerlingen-po-per-gemeente-postcode-leerling-leeftijd-2017.csv.gz")
    k = parsed.tables["kinderen"]
    assert parsed.pupils == int(k["aantal"].sum()) == 1_504_901
    by_soort = k.groupby("soort_po")["aantal"].sum()
    assert set(by_soort.index) == {"bo", "sbo", "so", "vso"}
    assert int(k.loc[k["vo_instroom"], "aantal"].sum()) == 1_504_901 - int(by_soort["so"] + by_soort["vso"])
    unlocated = k[k["pc4"].isna()]
    assert set(unlocated["postcode_leerling"]) == {"10", "20", "30", "40"}
    assert int(unlocated["aantal"].sum()) == 747 + 947 + 1708 + 926


@pytest.mark.realdata
def test_real_po_schools(shared_data):
    _, old = _read(shared_data / "duo" / "po-vestigingen-leeftijd-coordinaten-2013.csv")
    assert len(old.tables["po_vestigingen_bron"]) == 6899 and old.pupils == 1_497_076
    _, addr = _read(shared_data / "duo" / "03.-alle-vestigingen-bo-2020.xls")
    assert len(addr.tables["po_vestigingen_bron"]) == 6305
    _, dist = _read(shared_data / "duo" / "po-gemiddelde-afstand-woonadres-schoolvestiging-2019-2020.csv")
    assert len(dist.tables["po_afstand"]) == 7301 and dist.tables["po_afstand"]["afstand_m"].ge(0).all()
