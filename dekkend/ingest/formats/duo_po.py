"""DUO primary-school (po) files: schools with ages and RD (2012/13), addresses, home-school distances.

The pupils by home PC4 and age (``kinderen``) are in :mod:`.duo_po_kinderen`;
this module also derives ``po_vestigingen`` (one row per po vestiging).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from dekkend.errors import InvoerFout
from dekkend.ingest import _text
from dekkend.ingest.formats import FileContext, FileFormat, Parsed, Probe, with_source
from dekkend.ingest.formats._common import (
    cell_text,
    check_unique,
    excel_preview,
    first_true,
    read_excel_sheet,
    upper_columns,
    yyyymmdd,
)
from dekkend.ingest.formats.duo_vo import normalise_gemeentecode, normalise_pc6, vestigingscode


def key_columns(cols: set[str]) -> tuple[str | None, str]:
    """The (BRIN, vestiging) columns of a po file: old ``BRIN_NUMMER`` or new ``INSTELLINGSCODE``."""
    if "INSTELLINGSCODE" in cols and "VESTIGINGSCODE" in cols:
        return "INSTELLINGSCODE", "VESTIGINGSCODE"
    for brin in ("BRIN_NUMMER", "BRIN NUMMER", "BRIN"):
        if brin in cols:
            return brin, "VESTIGINGSNUMMER" if "VESTIGINGSNUMMER" in cols else "VESTIGINGSCODE"
    return None, "VESTIGINGSNUMMER" if "VESTIGINGSNUMMER" in cols else "VESTIGINGSCODE"


def text_column(rows: pd.DataFrame, *names: str) -> pd.Series:
    """The first of ``names`` that exists, trimmed; an all-None column when none does."""
    for n in names:
        if n in rows.columns:
            return rows[n].astype(str).str.strip()
    return pd.Series(None, index=rows.index, dtype=object)


def school_year(reference) -> int:
    """The school year (start year) of a count date: 1 October 2017 -> 2017."""
    return reference.year if reference.month >= 8 else reference.year - 1


SCHOOL_COLUMNS = (
    "vestigingscode",
    "brin",
    "naam",
    "straat",
    "huisnummer",
    "pc6",
    "plaatsnaam",
    "gemeentecode",
    "gemeentenaam",
    "provincie",
    "denominatie",
    "bestuur",
    "soort_po",
    "x_rd",
    "y_rd",
    "bronsoort",
)


def school_columns(frame: pd.DataFrame, bronsoort: str) -> pd.DataFrame:
    """``frame`` with exactly :data:`SCHOOL_COLUMNS` (missing ones empty) and its ``bronsoort``."""
    frame = frame.copy()
    for col in SCHOOL_COLUMNS:
        if col not in frame.columns:
            frame[col] = np.nan if col in ("x_rd", "y_rd") else None
    frame["bronsoort"] = bronsoort
    return frame[list(SCHOOL_COLUMNS)]


# -- 2012/13 po vestigingen with ages and RD coordinates ---------------------------------
def _detect_2013(p: Probe) -> bool:
    return p.kind == "tekst" and p.has("XCOORD", "YCOORD", "BRIN_NUMMER", "VESTIGINGSNUMMER", "LFTD_4_JAAR")


def read_coordinaten_2013(ctx: FileContext) -> Parsed:
    """Read the 2012/13 po vestigingen file with RD coordinates and pupils per age."""
    raw = upper_columns(_text.read_table(ctx.path))
    code = vestigingscode(raw, "BRIN_NUMMER", "VESTIGINGSNUMMER")
    check_unique(raw, code.to_frame(), "vestigingscode")
    r = raw.rows
    reference = ctx.reference_date(year_offset=-1)
    schools = pd.DataFrame(
        {
            "vestigingscode": code,
            "brin": code.str[:4],
            "naam": text_column(r, "VESTIGINGSNAAM"),
            "straat": text_column(r, "STRAATNAAM"),
            "huisnummer": text_column(r, "HUISNUMMER_TOEVOEGING"),
            "pc6": normalise_pc6(text_column(r, "PC6")),
            "plaatsnaam": text_column(r, "PLAATSNAAM"),
            "gemeentecode": normalise_gemeentecode(text_column(r, "GEM_CODE")),
            "gemeentenaam": text_column(r, "GEMEENTENAAM"),
            "provincie": text_column(r, "PROVINCIE"),
            "denominatie": text_column(r, "DENOMINATIE"),
            "bestuur": text_column(r, "BEVOEGD_GEZAG_NUMMER"),
            "x_rd": _text.parse_decimal(raw, "XCOORD", required=False).to_numpy(),
            "y_rd": _text.parse_decimal(raw, "YCOORD", required=False).to_numpy(),
        }
    )
    parts = []
    for col in r.columns:
        m = re.fullmatch(r"LFTD_(\d+)_JAAR", col)
        if not m:
            continue
        count, censored = _text.parse_count(raw, col)
        part = pd.DataFrame(
            {
                "vestigingscode": code,
                "leeftijd": int(m.group(1)),
                "aantal": count,
                "gecensureerd": censored,
            }
        )
        parts.append(part[(count.fillna(1) > 0).to_numpy()])
    pupils = pd.concat(parts, ignore_index=True)
    pupils["leeftijd"] = pupils["leeftijd"].astype("Int64")
    pupils["schooljaar"] = school_year(reference)
    pupils = pupils.sort_values(["vestigingscode", "leeftijd"], kind="stable").reset_index(drop=True)
    no_count = int(r.get("LEERLINGEN", pd.Series("", index=r.index)).astype(str).str.strip().eq("").sum())
    notes = [f"{no_count} vestigingen zonder leerlingaantallen"] if no_count else []
    return Parsed(
        {
            "po_vestigingen_bron": with_source(school_columns(schools, "coordinaten-2013"), ctx, reference),
            "po_leerlingen_leeftijd": with_source(pupils, ctx, reference),
        },
        reference,
        len(r),
        notes=notes,
        pupils=int(pupils["aantal"].fillna(0).sum()),
        years=(school_year(reference),),
    )


# -- all po vestigingen (addresses): Excel 97 or CSV ---------------------------------------
_ADDRESS_HEADER = ("POSTCODE", "GEMEENTENUMMER", "DENOMINATIE", "PLAATSNAAM")


def _address_sheet(p: Probe) -> tuple[str, int] | None:
    for name, rows in excel_preview(p.path).items():
        for i, row in enumerate(rows):
            cells = {cell_text(c).upper() for c in row}
            if (
                all(h in cells for h in _ADDRESS_HEADER)
                and ("VESTIGINGSNUMMER" in cells or "VESTIGINGSCODE" in cells)
                and "ONDERWIJSSTRUCTUUR" not in cells
            ):
                return name, i
    return None


def _detect_adressen(p: Probe) -> bool:
    if p.kind == "excel":
        return _address_sheet(p) is not None
    return (
        p.kind == "tekst"
        and p.has(*_ADDRESS_HEADER)
        and (p.has("VESTIGINGSNUMMER") or p.has("VESTIGINGSCODE"))
        and not p.has("ONDERWIJSSTRUCTUUR")
        and not p.has("POSTCODE_LEERLING")
    )


def _excel_table(ctx: FileContext) -> _text.RawTable:
    found = _address_sheet(Probe(ctx.path, "excel"))
    if found is None:
        raise InvoerFout(
            "geen werkblad met vestigingsadressen gevonden",
            file=ctx.path,
            expected="een kopregel met VESTIGINGSNUMMER en POSTCODE",
        )
    sheet, head = found
    rows = read_excel_sheet(ctx.path, sheet)
    header = [cell_text(c).upper() for c in rows[head]]
    body = [(i, r) for i, r in enumerate(rows[head + 1 :], start=head + 2) if any(cell_text(c) for c in r)]
    cells = pd.DataFrame(
        [[cell_text(c) for c in r[: len(header)]] + [""] * (len(header) - len(r)) for _, r in body],
        columns=header,
        dtype=object,
    )
    return _text.RawTable(
        ctx.path,
        "excel",
        "",
        "",
        tuple(header),
        cells,
        np.asarray([i for i, _ in body], dtype=np.int64),
    )


def read_adressen(ctx: FileContext) -> Parsed:
    """Read the DUO list of all po vestigingen with addresses (Excel 97 or CSV)."""
    with ctx.path.open("rb") as fh:
        magic = fh.read(4)
    is_excel = magic in (b"\xd0\xcf\x11\xe0", b"PK\x03\x04")
    raw = _excel_table(ctx) if is_excel else upper_columns(_text.read_table(ctx.path))
    brin_col, vest_col = key_columns(set(raw.rows.columns))
    code = vestigingscode(raw, brin_col if brin_col and brin_col != "INSTELLINGSCODE" else None, vest_col)
    check_unique(raw, code.to_frame(), "vestigingscode")
    r = raw.rows
    frame = pd.DataFrame(
        {
            "vestigingscode": code,
            "brin": code.str[:4],
            "naam": text_column(r, "VESTIGINGSNAAM", "INSTELLINGSNAAM"),
            "straat": text_column(r, "STRAATNAAM"),
            "huisnummer": text_column(r, "HUISNUMMER-TOEVOEGING"),
            "pc6": normalise_pc6(text_column(r, "POSTCODE")),
            "plaatsnaam": text_column(r, "PLAATSNAAM"),
            "gemeentecode": normalise_gemeentecode(text_column(r, "GEMEENTENUMMER")),
            "gemeentenaam": text_column(r, "GEMEENTENAAM"),
            "provincie": text_column(r, "PROVINCIE"),
            "denominatie": text_column(r, "DENOMINATIE"),
            "bestuur": text_column(r, "BEVOEGD GEZAG NUMMER"),
            "soort_po": "bo",
        }
    )
    reference = ctx.reference_date(month=3, from_content=yyyymmdd(raw, "PEILDATUM"))
    return Parsed(
        {"po_vestigingen_bron": with_source(school_columns(frame, "adressen"), ctx, reference)},
        reference,
        len(r),
    )


# -- mean home-school distance per po vestiging ----------------------------------------------
def _detect_afstand(p: Probe) -> bool:
    return p.kind == "tekst" and p.has("AFSTAND", "LEERLINGEN", "SOORT_PO") and not p.has("POSTCODE_LEERLING")


def read_afstand(ctx: FileContext) -> Parsed:
    """Read the mean home-school distance (metres, decimal comma) per po vestiging and soort."""
    raw = upper_columns(_text.read_table(ctx.path))
    brin_col, vest_col = key_columns(set(raw.rows.columns))
    code = vestigingscode(raw, brin_col, vest_col)
    soort = raw.rows["SOORT_PO"].astype(str).str.strip().str.lower()
    check_unique(raw, pd.DataFrame({"v": code, "s": soort}), "vestiging/soort po")
    distance = _text.parse_decimal(raw, "AFSTAND", required=False)
    negative = distance < 0
    if negative.any():
        pos = first_true(negative)
        raise InvoerFout(
            f"afstand {distance.iloc[pos]} is negatief",
            file=ctx.path,
            line=raw.line_of(pos),
            column="AFSTAND",
            expected="meters >= 0",
        )
    pupils, censored = _text.parse_count(raw, "LEERLINGEN")
    reference = ctx.reference_date(from_content=yyyymmdd(raw, "PEILDATUM"))
    frame = pd.DataFrame(
        {
            "vestigingscode": code,
            "brin": code.str[:4],
            "soort_po": soort,
            "afstand_m": distance,
            "leerlingen": pupils,
            "gecensureerd": censored,
        }
    )
    frame["schooljaar"] = school_year(reference)
    r = raw.rows
    schools = pd.DataFrame(
        {
            "vestigingscode": code,
            "brin": code.str[:4],
            "naam": text_column(r, "INSTELLINGSNAAM_VESTIGING"),
            "pc6": normalise_pc6(text_column(r, "POSTCODE_VESTIGING")),
            "plaatsnaam": text_column(r, "PLAATSNAAM"),
            "gemeentecode": normalise_gemeentecode(text_column(r, "GEMEENTENUMMER")),
            "gemeentenaam": text_column(r, "GEMEENTENAAM"),
            "provincie": text_column(r, "PROVINCIE"),
            "denominatie": text_column(r, "DENOMINATIE_VESTIGING"),
            "bestuur": text_column(r, "BEVOEGD_GEZAG_NUMMER"),
            "soort_po": soort,
        }
    )
    soorten = schools.groupby("vestigingscode")["soort_po"].agg(lambda s: ",".join(sorted(set(s))))
    schools = schools.drop_duplicates("vestigingscode").assign(soort_po=lambda f: f["vestigingscode"].map(soorten))
    notes = [f"{int(distance.isna().sum())} vestigingen zonder afstand"] if distance.isna().any() else []
    return Parsed(
        {
            "po_afstand": with_source(frame, ctx, reference),
            "po_vestigingen_bron": with_source(school_columns(schools, "afstand"), ctx, reference),
        },
        reference,
        len(r),
        notes=notes,
        pupils=int(pupils.fillna(0).sum()),
        years=(school_year(reference),),
    )


FORMATS = [
    FileFormat(
        "duo-po-2013-coordinaten",
        "DUO po-vestigingen 2012/13 met leeftijden en RD-coördinaten",
        _detect_2013,
        read_coordinaten_2013,
        priority=9,
    ),
    FileFormat(
        "duo-po-adressen",
        "DUO alle vestigingen basisonderwijs (adressen)",
        _detect_adressen,
        read_adressen,
        priority=7,
    ),
    FileFormat(
        "duo-po-afstand",
        "DUO gemiddelde afstand woonadres-schoolvestiging po",
        _detect_afstand,
        read_afstand,
        priority=9,
    ),
]


# -- derived: one row per po vestiging ------------------------------------------------------
_PRIORITY = {"adressen": 0, "afstand": 1, "kinderen": 2, "coordinaten-2013": 3}
#: Attributes taken from the best source: every school column but the key, location and source kind.
_ATTRS = tuple(c for c in SCHOOL_COLUMNS if c not in ("vestigingscode", "x_rd", "y_rd", "bronsoort"))


def derive_po_vestigingen(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """``po_vestigingen``: the best-known attributes and a location per po vestiging.

    Attributes come from the address file first, then the distance file, the
    pupil file and the 2012/13 file (newest first within a source). Location
    (``locatie_methode``): ``rd-2013`` where the 2012/13 postcode equals the
    current one, else ``pc4-centroide`` of the current postcode, else ``onbekend``.
    """
    src = tables.get("po_vestigingen_bron")
    if src is None or src.empty:
        return {}
    src = src.assign(_prio=src["bronsoort"].map(_PRIORITY).fillna(9))
    src = src.sort_values(["vestigingscode", "_prio", "peildatum"], ascending=[True, True, False], kind="stable")
    cols = list(_ATTRS)
    src[cols] = src[cols].replace("", np.nan)
    best = src.groupby("vestigingscode", sort=True)[cols].first()
    first = src.groupby("vestigingscode", sort=True)[["bronsoort", "bron_id", "peildatum"]].first()
    best["attribuut_bron"] = first["bronsoort"]
    old = (
        src[src["bronsoort"] == "coordinaten-2013"]
        .drop_duplicates("vestigingscode")
        .set_index("vestigingscode")
        .reindex(best.index)
    )
    x = np.where(
        old["pc6"].eq(best["pc6"]).fillna(False).to_numpy(dtype=bool),
        old["x_rd"].to_numpy(dtype=float),
        np.nan,
    )
    y = np.where(np.isnan(x), np.nan, old["y_rd"].to_numpy(dtype=float))
    method = np.where(np.isnan(x), "onbekend", "rd-2013").astype(object)
    cent = tables.get("pc4_centroiden")
    if cent is not None and len(cent):
        c = cent.drop_duplicates("pc4").set_index("pc4")
        pc4 = best["pc6"].str[:4]
        cx, cy = pc4.map(c["x_rd"]).to_numpy(dtype=float), pc4.map(c["y_rd"]).to_numpy(dtype=float)
        use = np.isnan(x) & ~np.isnan(cx)
        x[use], y[use] = cx[use], cy[use]
        method[use] = "pc4-centroide"
    from dekkend.crs import rd_to_wgs84

    lon, lat = rd_to_wgs84(x, y)
    best["x_rd"], best["y_rd"], best["lon"], best["lat"], best["locatie_methode"] = (
        x,
        y,
        lon,
        lat,
        method,
    )
    best["in_adressenbestand"] = best.index.isin(src.loc[src["bronsoort"] == "adressen", "vestigingscode"])
    best["gemeentecode_huidig"] = _current_code(best["gemeentecode"], tables.get("gemeente_naar_huidig"))
    best["bron_id"], best["peildatum"] = first["bron_id"], first["peildatum"]
    return {"po_vestigingen": best.reset_index()}


def _current_code(codes: pd.Series, to_current: pd.DataFrame | None) -> pd.Series:
    """Today's gemeente for each code (the largest share for a split gemeente)."""
    if to_current is None or to_current.empty:
        return codes
    mapping = to_current.drop_duplicates("gemeentecode").set_index("gemeentecode")["huidige_code"]
    return codes.map(mapping).where(codes.isin(mapping.index), codes)


DERIVE = [derive_po_vestigingen]
