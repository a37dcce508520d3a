"""Small DUO VO files written by the tests, in the old and the new vintage."""

from __future__ import annotations

from pathlib import Path

from conftest import write_bytes

OLD_HEADER = (
    "BRIN NUMMER;VESTIGINGSNUMMER;INSTELLINGSNAAM VESTIGING;PLAATSNAAM VESTIGING;PROVINCIE VESTIGING;"
    "ONDERWIJSTYPE VO EN LEER- OF VERBLIJFSJAAR;VMBO SECTOR;AFDELING;ELEMENTCODE;OPLEIDINGSNAAM;"
    + ";".join(f"LEER- OF VERBLIJFSJAAR {j} - {s}" for j in range(1, 7) for s in ("MAN", "VROUW"))
)
OLD_ROWS = [
    "00AA;00;Scholengemeenschap Één;ÉÉNDORP;Drenthe;Brugjaar 1-2;N.v.t.;N.v.t.;0024;Ljvb op VWO/HAVO;50;48;47;45;0;0;"
    "0;0;0;0;0;0",
    "00AA;00;Scholengemeenschap Één;ÉÉNDORP;Drenthe;VMBO BL lj 3-4;Zorg & Welzijn;Zorg en welzijn;0031;VMBO BB Zorg "
    "en welzijn;0;0;0;0;7;9;6;8;0;0;0;0",
    "00AA;00;Scholengemeenschap Één;ÉÉNDORP;Drenthe;HAVO lj 4-5;N.v.t.;Economie en Maatschappij;0040;HAVO;0;0;0;0;0;"
    "0;20;22;19;18;0;0",
    "00AA;01;Praktijkschool Één;ÉÉNDORP;Drenthe;Praktijkonderwijs alle vj;N.v.t.;N.v.t.;0050;Praktijkonderwijs;9;6;8;"
    "5;7;4;6;3;5;2;1;1",
    "00AB;00;Lyceum Twee;TWEESTAD;Drenthe;VWO lj 4-6;N.v.t.;Natuur en Techniek / Natuur en Gezondheid;0060;"
    "VWO-GYMNASIUMSTROOM;0;0;0;0;0;0;30;31;29;28;27;26",
]


def old_vintage(path: Path, *, encoding: str = "latin-1", newline: str = "\n", rows: list[str] | None = None) -> Path:
    """A 01.-file in the 2019 layout (BRIN + 2-digit VESTIGINGSNUMMER, latin-1, ``;``)."""
    return write_bytes(
        path, "\n".join([OLD_HEADER, *(rows if rows is not None else OLD_ROWS)]) + "\n", encoding, newline
    )


NEW_HEADER = (
    "PEILDATUM;INSTELLINGSCODE;VESTIGINGSCODE;INSTELLINGSNAAM VESTIGING;PLAATSNAAM VESTIGING;PROVINCIE VESTIGING;"
    "ONDERWIJSTYPE VO EN LEER- OF VERBLIJFSJAAR;VMBO SECTOR;AFDELING;ELEMENTCODE;OPLEIDINGSNAAM;"
    + ";".join(f"LEER- OF VERBLIJFSJAAR {j} - {s}" for j in range(1, 7) for s in ("MAN", "VROUW"))
)
NEW_ROWS = [
    "20231001;00AA;00AA00;Scholengemeenschap Één;ÉÉNDORP;Drenthe;Brugjaar 1-2;N.v.t.;N.v.t.;0024;Ljvb op "
    "VMBO-Bbg/Kbg Lw;<5;12;10;<5;0;0;0;0;0;0;0;0",
    "20231001;00AA;00AA00;Scholengemeenschap Één;ÉÉNDORP;Drenthe;VMBO KL lj 3-4;Economie;Economie en ondernemen;0032;"
    "VMBO KB Economie en ondernemen;0;0;0;0;<5;6;5;<5;0;0;0;0",
    "20231001;00AC;00AC00;Nieuwe School;DRIEDORP;Drenthe;HAVO uitbest. aan VAVO;N.v.t.;N.v.t.;0070;HAVO NW naar VAVO;"
    "0;0;0;0;0;0;1;2;3;4;0;0",
]


def new_vintage(path: Path) -> Path:
    """A 01.-file in the newer layout: INSTELLINGSCODE + 6-character VESTIGINGSCODE, UTF-8 with BOM, ``<5``."""
    return write_bytes(path, "\n".join([NEW_HEADER, *NEW_ROWS]) + "\n", "utf-8", "\r\n", bom=True)


ADDRESS_HEADER = (
    "PROVINCIE;BEVOEGD GEZAG NUMMER;BRIN NUMMER;VESTIGINGSNUMMER;VESTIGINGSNAAM;STRAATNAAM;HUISNUMMER-TOEVOEGING;"
    "POSTCODE;PLAATSNAAM;GEMEENTENUMMER;GEMEENTENAAM;DENOMINATIE;ONDERWIJSSTRUCTUUR;NODAAL GEBIED CODE;NODAAL GEBIED "
    "NAAM;"
    "RPA-GEBIED CODE;RPA-GEBIED NAAM;WGR-GEBIED CODE;WGR-GEBIED NAAM;COROPGEBIED CODE;COROPGEBIED NAAM;"
    "ONDERWIJSGEBIED CODE;ONDERWIJSGEBIED NAAM;RMC-REGIO CODE;RMC-REGIO NAAM"
)
ADDRESS_ROWS = [
    "Drenthe;11111;00AA;00AA00;Scholengemeenschap Één;Schoolweg;1;9401 AA;ÉÉNDORP;0106;ASSEN;Openbaar;"
    "VBO/MAVO/HAVO/VWO;11;Assen;03;Centraal-Groningen;07;Noord-Drenthe;07;Noord-Drenthe;04;Assen-Hoogeveen-Emmen;07;"
    "Noord- en Midden Drenthe",
    "Drenthe;11111;00AA;00AA01;Praktijkschool Één;Schoolweg;3;9401 AB;ÉÉNDORP;0106;ASSEN;Openbaar;PRO;11;Assen;03;"
    "Centraal-Groningen;07;Noord-Drenthe;07;Noord-Drenthe;04;Assen-Hoogeveen-Emmen;07;Noord- en Midden Drenthe",
    "Drenthe;22222;00AB;00AB00;Lyceum Twee;Laan;5;7811 AA;TWEESTAD;0114;EMMEN;Rooms-Katholiek;HAVO/VWO;12;Emmen;04;"
    "Drenthe;08;Zuidoost-Drenthe;09;Zuidoost-Drenthe;04;Assen-Hoogeveen-Emmen;08;Zuid-Oost Drenthe",
]


def addresses(path: Path) -> Path:
    """A 02.-address file (``VESTIGINGSNUMMER`` already 6 characters)."""
    return write_bytes(path, "\n".join([ADDRESS_HEADER, *ADDRESS_ROWS]) + "\n", "latin-1")


def centroids(path: Path) -> Path:
    """PC4 centroids with decimal commas and a total row, CRLF."""
    text = "POSTCODE;LAT;LON\n9401;52,99;6,56\n7811;52,78;6,90\nTotaal;52,5;5,5\n"
    return write_bytes(path, text, "utf-8", "\r\n")
