"""Small CBS, DUO-po and geo files written by the tests, with the quirks of the real ones."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import write_bytes

# -- CBS population per PC4, 2013 CSV: bare CR, mangled first header cell, Mac-Roman names ----
PC4_2013_HEADER = (
    '"•ÈÀ""ID""",PostcodesOp1Januari,TotaalMannenEnVrouwen_1,k_0Tot5Jaar_2,k_5Tot10Jaar_3,'
    "k_95JaarOfOuder_4,TotaalMannen_5,k_0Tot5Jaar_6,TotaalVrouwen_7,k_0Tot5Jaar_8,"
    "GemiddeldeHuishoudensgrootte_9,Gemeentecode_10,Gemeentenaam_11"
)
#: 'Súdwest-Fryslân' as UTF-8 read as latin-1 and written as Mac-Roman, like the real file.
MOJIBAKE = "Súdwest-Fryslân".encode().decode("latin-1").encode("mac_roman")


def pc4_2013(path: Path, rows: list[str] | None = None) -> Path:
    """The 2013 StatLine PC4 export in miniature (bytes as published: cp1252 + Mac-Roman names, CR)."""
    rows = (
        rows
        if rows is not None
        else [
            "0,1011,100,10,20,5,50,5,50,5,1.5,363,                      Amsterdam",
            "1,8701,30,-,10,0,15,-,15,5,       -,1900,           @NAME@",
            "2,10363,101,11,19,6,51,6,50,5,1.5,363,                      Amsterdam",
            "3,81900,5,0,0,0,5,0,0,0,       -,1900,           @NAME@",
        ]
    )
    text = "\r".join([PC4_2013_HEADER, *rows]) + "\r"
    data = text.encode("cp1252").replace(b"@NAME@", MOJIBAKE)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


# -- CBS population per PC4, Excel: sheet 'Tabel 1', header rows 2-4 ----------------------------
def pc4_excel(path: Path, data_rows: list[list[object]] | None = None) -> Path:
    """The 2018-style Excel table (written as .xlsx; the real one is Excel 97)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Tabel 1"
    sheet.append(["Tabel 1. Bevolking en huishoudens; viercijferige postcode, 1 januari 2018"])
    sheet.append(
        [
            "Alle postcodes 1)",
            "Bevolking naar geslacht en leeftijd",
            None,
            None,
            None,
            None,
            None,
            None,
            "Lokalisering van de postcode",
        ]
    )
    sheet.append(
        [
            None,
            "Totaal mannen en vrouwen",
            None,
            None,
            "Mannen",
            None,
            "Vrouwen",
            None,
            "Gemeentecode",
            "Gemeentenaam",
        ]
    )
    sheet.append(
        [
            None,
            "Totaal mannen en vrouwen",
            "0 tot 5 jaar",
            "95 jaar of ouder",
            "Totaal mannen",
            "0 tot 5 jaar",
            "Totaal vrouwen",
            "0 tot 5 jaar",
        ]
    )
    sheet.append([None, "aantal", None, None, None, None, None, None, "code", "naam"])
    for row in (
        data_rows
        if data_rows is not None
        else [
            [1011, 100, 10, 0, 50, 5, 50, 5, "0363", "Amsterdam"],
            [1012, 200, 20, 5, 100, 10, 100, 10, "0363", "Amsterdam"],
            [10363, 302, 29, 5, 151, 14, 151, 15, "0363", "Amsterdam"],
            [80363, 0, 0, 0, 0, 0, 0, 0, "0363", "Amsterdam"],
        ]
    ):
        sheet.append(row)
    book.create_sheet("Toelichting").append(
        ["Indien er een 1 vóór de postcode staat betekent dit het totaal van de gemeente."]
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


KWB = (
    "region,unique_id,population,men,women,b_00_14,b_15_24,b_25_44,b_45_64,b_65_oo,unmarried,married,divorced,widowed\n"
    "Nederland,NL00,100,50,50,20,20,20,20,20,1,1,1,1\n"
    "Appingedam,GM0003,11721,5720,6001,1718,1238,2376,3491,2898,4981,4874,1048,818\n"
    '"Nuenen, Gerwen en Nederwetten",GM0820,23186,11460,11726,-99997,2434,4387,6960,5915,9325,10800,1773,1288\n'
)


# -- CBS StatLine 85701NED -------------------------------------------------------------------------
H85701 = '"Geslacht";"Onderwijssoort";"Perioden";"Regiokenmerken";"Leerlingen/studenten (aantal)"'
R85701 = [
    '"Totaal mannen en vrouwen";"Totaal voortgezet onderwijs";"2013/\'14";"Groningen (gemeente)";100',
    '"Totaal mannen en vrouwen";"Totaal voortgezet onderwijs";"2013/\'14";"Haren";20',
    '"Totaal mannen en vrouwen";"Totaal voortgezet onderwijs";"2019/\'20";"Haren";',
    '"Totaal mannen en vrouwen";"Totaal voortgezet onderwijs";"2019/\'20";"Groningen (gemeente)";130',
    '"Totaal mannen en vrouwen";"Totaal voortgezet onderwijs";"2013/\'14";"Gemeenten; niet in te delen";10',
    '"Totaal mannen en vrouwen";"Voortgezet speciaal ondewijs ";"2013/\'14";"Beek (L.)";5',
    '"Totaal mannen en vrouwen";"Totaal voortgezet onderwijs";"2019/\'20";"Haaren";40',
    '"Totaal mannen en vrouwen";"Totaal voortgezet onderwijs";"2023/\'24*";"Utrecht (gemeente) ";50',
    '"Totaal mannen en vrouwen";"Totaal voortgezet onderwijs";"2019/\'20";"Anna Paulowna";',
]


def statline_85701(path: Path, rows: list[str] | None = None) -> Path:
    """A StatLine 85701NED export: UTF-8 with BOM, ``;``, CRLF, names not codes."""
    return write_bytes(
        path,
        "\n".join([H85701, *(R85701 if rows is None else rows)]) + "\n",
        "utf-8",
        "\r\n",
        bom=True,
    )


GEMEENTEN_PER_JAAR = (
    "jaar,gemeentenaam,code\n2024,Groningen,0014\n2024,s-Gravenhage,0518\n2025,Groningen,"
    "0014\n2025,s-Gravenhage,0518\n2025,S˙dwest-Frysl‚n,1900\n"
)
SAMENVOEGINGEN = (
    "jaar,code_oud,gemeentenaam_oud,code_nieuw,gemeentenaam_nieuw\n"
    "2016,1921,De Friese Meren1,1940,De Fryske Marren\n"
    "2015,1671,Maasdonk,0000,s-Hertogenbosch/Oss\n"
    "2019,0009,Ten Boer,0014,Groningen\n2019,0014,Groningen,0014,Groningen\n"
)
OPSPLITSINGEN = (
    "jaar,code_oud,gemeentenaam_oud,code_nieuw,gemeente_naam_nieuw\n2018,0140,Littenseradiel,1949,"
    "Waadhoeke\n2018,0140,Littenseradiel,0080,Leeuwarden\n"
)


# -- DUO po: pupils by home PC4 and age ---------------------------------------------------------------
AGES = ["JONGER", *map(str, range(4, 25)), "OUDER"]
KINDEREN_HEADER = (
    "PEILDATUM;GEMEENTENUMMER;GEMEENTENAAM;POSTCODE_LEERLING;GEMEENTENAAM_LEERLING;BRIN_NUMMER;VESTIGINGSNUMMER;"
    "INSTELLINGSNAAM_VESTIGING;POSTCODE_VESTIGING;PLAATSNAAM;PROVINCIE;SOORT_PO;DENOMINATIE_VESTIGING;"
    "BEVOEGD_GEZAG_NUMMER;" + ";".join(f"LEEFTIJD_{a}" for a in AGES) + ";TOTAAL"
)


def kinderen_row(
    home: str,
    soort: str,
    ages: dict[str, int],
    *,
    brin: str = "05OC",
    vest: str = "00",
    home_name: str = "Aa en Hunze",
    total: int | None = None,
) -> str:
    """One row of the 03.-file: school 05OC00 in Aa en Hunze, pupils from ``home`` by age."""
    counts = [str(ages.get(a, 0)) for a in AGES]
    tot = sum(ages.values()) if total is None else total
    return (
        f"20171001;1680;Aa en Hunze;{home};{home_name};{brin};{vest};C.D.S. 't Kompas;9514CA;GASSELTERNIJVEEN;"
        f"Drenthe;{soort};"
        f"Protestants-Christelijk;41486;" + ";".join(counts) + f";{tot}"
    )


KINDEREN_ROWS = [
    kinderen_row("9514", "Bo", {"4": 6, "5": 10, "11": 7}),
    kinderen_row("9515", "Bo", {"JONGER": 1, "12": 2}),
    kinderen_row("  20", "Bo", {"6": 1}, home_name="Duitsland"),
    kinderen_row("  40", "Bo", {"7": 2}, home_name="Onbekend"),
    kinderen_row("9514", "Sbo", {"9": 3}, vest="01"),
    kinderen_row("9514", "So", {"8": 4}, brin="01WX"),
    kinderen_row("9514", "Vso", {"15": 5, "OUDER": 1}, brin="01WX"),
]


def kinderen(path: Path, rows: list[str] | None = None, *, gz: bool = True) -> Path:
    """The 03.-file (UTF-8, ``;``), gzip-compressed like the shared copy."""
    import gzip

    text = "\n".join([KINDEREN_HEADER, *(KINDEREN_ROWS if rows is None else rows)]) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(text.encode("utf-8")) if gz else text.encode("utf-8"))
    return path


PO_2013_HEADER = (
    "objectid,bevoegd_gezag_nummer,brin_nummer,vestigingsnummer,vestigingsnaam,denominatie,straatnaam,"
    "huisnummer_toevoeging,"
    "pc6,plaatsnaam,gem_code,gemeentenaam,provincie,ggd,internetadres,xcoord,ycoord,geocod,opmerking_geocode,"
    "leerlingen," + ",".join(f"lftd_{a}_jaar" for a in range(3, 15))
)
PO_2013_ROWS = [
    "1,10249,16AH,16AH00,Openbare Basisschool 't Eenspan,Openbaar,Oosterstraat,58,7822HG,EMMEN,114,EMMEN,Drenthe,GGD "
    "Drenthe,www.x.nl,257488,534033,pc6,,30,0,3,3,3,3,3,3,3,3,6,0,0",
    "2,10249,30TF,30TF00,Leeg,Openbaar,Straat,1,7811LD,EMMEN,114,EMMEN,Drenthe,GGD Drenthe,,,,pc6,,,,,,,,,,,,,,",
]

PO_AFSTAND = (
    "PEILDATUM;BRIN_NUMMER;VESTIGINGSNUMMER;INSTELLINGSNAAM_VESTIGING;POSTCODE_VESTIGING;PLAATSNAAM;GEMEENTENUMMER;"
    "GEMEENTENAAM;PROVINCIE;SOORT_PO;DENOMINATIE_VESTIGING;BEVOEGD_GEZAG_NUMMER;AFSTAND;LEERLINGEN\n"
    "20191001;00AO;00;VSO De Bolster;7383BH;VOORST GEM VOORST;285;Voorst;Gelderland;Vso;Protestants-Christelijk;"
    "20137;9562,58992805755;139\n"
    "20191001;00KK;00;School;7383BH;VOORST;285;Voorst;Gelderland;So;Openbaar;1;6047,4;230\n"
    "20191001;00KK;00;School;7383BH;VOORST;285;Voorst;Gelderland;Vso;Openbaar;1;7043;10\n"
)

PO_ADDRESS_HEADER = [
    "PROVINCIE",
    "BEVOEGD GEZAG NUMMER",
    "BRIN NUMMER",
    "VESTIGINGSNUMMER",
    "VESTIGINGSNAAM",
    "STRAATNAAM",
    "HUISNUMMER-TOEVOEGING",
    "POSTCODE",
    "PLAATSNAAM",
    "GEMEENTENUMMER",
    "GEMEENTENAAM",
    "DENOMINATIE",
    "COROPGEBIED CODE",
    "COROPGEBIED NAAM",
]
PO_ADDRESS_ROWS = [
    [
        "Drenthe",
        10249,
        "16AH",
        "16AH00",
        "Openbare Basisschool 't Eenspan",
        "Oosterstraat",
        "58",
        "7822 HG",
        "EMMEN",
        "0114",
        "EMMEN",
        "Openbaar",
        "08",
        "Zuidoost-Drenthe",
    ],
    [
        "Drenthe",
        10249,
        "16BX",
        "16BX00",
        "OBS 2",
        "Bargermeerweg",
        "113",
        "7811 LD",
        "EMMEN",
        "0114",
        "EMMEN",
        "Openbaar",
        "08",
        "Zuidoost-Drenthe",
    ],
]


def po_addresses_excel(path: Path, rows: list[list[object]] | None = None) -> Path:
    """The '03. Alle vestigingen bo' sheet (header in row 1)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "03. Alle vestigingen basisonder"
    sheet.append(PO_ADDRESS_HEADER)
    for row in PO_ADDRESS_ROWS if rows is None else rows:
        sheet.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


# -- DUO vo: pupils by home postcode, prognosis ------------------------------------------------------------
HERKOMST_OLD = (
    "BRIN NUMMER;VESTIGINGSNUMMER;INSTELLINGSNAAM VESTIGING;POSTCODE LEERLING;PLAATSNAAM LEERLING;GEMEENTENUMMER "
    "LEERLING;"
    "GEMEENTENAAM LEERLING;LEER- OF VERBLIJFSJAAR 1;LEER- OF VERBLIJFSJAAR 2;LEER- OF VERBLIJFSJAAR 3;"
    "LEER- OF VERBLIJFSJAAR 4;LEER- OF VERBLIJFSJAAR 5;LEER- OF VERBLIJFSJAAR 6\n"
    "00AA;0;School Één;9401;ASSEN;106;Assen;10;9;8;7;0;0\n"
    "00AA;0;School Één;9402;ASSEN;106;Assen;1;0;0;0;0;0\n"
    "00AA;1;School Één;10;BELGIE;;Buitenland;0;1;0;0;0;0\n"
)
HERKOMST_NEW = (
    "PEILDATUM;INSTELLINGSCODE;VESTIGINGSCODE;POSTCODE LEERLING;PLAATSNAAM LEERLING;GEMEENTENUMMER LEERLING;"
    "GEMEENTENAAM LEERLING;LEER- OF VERBLIJFSJAAR 1;LEER- OF VERBLIJFSJAAR 2;LEER- OF VERBLIJFSJAAR 3;"
    "LEER- OF VERBLIJFSJAAR 4;LEER- OF VERBLIJFSJAAR 5;LEER- OF VERBLIJFSJAAR 6\n"
    "20251001;00AA;00AA00;9401;ASSEN;0106;Assen;12;<5;8;7;0;0\n"
    "20251001;00AA;00AA00;9402;ASSEN;0106;Assen;<5;0;0;0;0;0\n"
)

PROGNOSE_WIDE = (
    "BRIN NUMMER;INSTELLINGSNAAM;GEMEENTENAAM;"
    + ";".join(f"{t}.{y}" for y in (2016, 2017, 2018, 2019) for t in ("BRJ", "VMBO", "HAVO", "VWO", "PRO"))
    + "\n00AA;Scholengemeenschap Één;ASSEN;"
    + ";".join(["100;50;40;30;0", "98;52;41;29;0", "95,4;50,2;40,1;28,7;0", "93,1;48,9;39,0;27,5;0"])
    + "\n00AB;Lyceum Twee;EMMEN;"
    + ";".join(["80;0;60;70;0", "82;0;61;69;0", "81,5;0;60,2;68,3;0", "80,7;0;59,8;67,1;0"])
    + "\n"
)
PROGNOSE_LONG = (
    "INSTELLINGSCODE;INSTELLINGSNAAM;ONDERWIJSNIVEAU;JAAR;AANTAL\n"
    "00AA;Scholengemeenschap Één;VMBO;2024;50\n00AA;Scholengemeenschap Één;VMBO;2025;49,6\n"
    "00AA;Scholengemeenschap Één;HAVO;2024;40\n00AA;Scholengemeenschap Één;HAVO;2025;38,9\n"
    "00AA;Scholengemeenschap Één;Brugjaar 1-2;2025;101,2\n"
)


# -- geo ------------------------------------------------------------------------------------------
def square(x0: float, y0: float, size: float) -> list[list[float]]:
    """A closed square ring."""
    return [[x0, y0], [x0 + size, y0], [x0 + size, y0 + size], [x0, y0 + size], [x0, y0]]


def geojson(
    path: Path,
    features: list[tuple[str, str, list]] | None = None,
    *,
    year: int = 2022,
    crs: str | None = None,
) -> Path:
    """A gemeente FeatureCollection like PDOK's ``gemeente_gegeneraliseerd`` (``statcode``, ``statnaam``)."""
    features = (
        features
        if features is not None
        else [
            ("GM0014", "Groningen", [[square(6.5, 53.1, 0.1)]]),
            ("GM0034", "Almere", [[square(5.1, 52.3, 0.2), square(5.15, 52.35, 0.05)]]),
        ]
    )
    doc = {
        "type": "FeatureCollection",
        "numberMatched": len(features),
        "name": "gemeente_gegeneraliseerd",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "statcode": c,
                    "jrstatcode": f"{year}{c}",
                    "statnaam": n,
                    "rubriek": "gemeente",
                },
                "geometry": {"type": "MultiPolygon", "coordinates": coords},
            }
            for c, n, coords in features
        ],
    }
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def shapefile(path: Path, features: list[tuple[str, str, str, list]] | None = None) -> Path:
    """A gemeente shapefile like CBS' 2019 one (fields Code, Gemeentena, Gemeenteco), WGS84."""
    import shapefile as shp

    features = (
        features
        if features is not None
        else [
            ("0014", "Groningen", "GM0014", [square(6.5, 53.1, 0.1)]),
            ("0034", "Almere", "GM0034", [square(5.1, 52.3, 0.2)]),
        ]
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with shp.Writer(str(path), shapeType=shp.POLYGON) as w:
        w.field("Code", "C", 80)
        w.field("Gemeentena", "C", 80)
        w.field("Gemeenteco", "C", 80)
        for code, name, gm, rings in features:
            w.poly([list(reversed(r)) for r in rings])
            w.record(code, name, gm)
    path.with_suffix(".prj").write_text(
        'GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137,298.257223563]]]'
    )
    return path
