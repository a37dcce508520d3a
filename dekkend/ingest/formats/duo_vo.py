"""DUO VO files: pupils per vestiging x onderwijstype (01.), the address file (02.), the 2013 coordinate file."""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import pandas as pd

from dekkend.errors import InvoerFout
from dekkend.ingest import _text, labels
from dekkend.ingest.formats import FileContext, FileFormat, Parsed, Probe, with_source

TYPE_COL = "ONDERWIJSTYPE VO EN LEER- OF VERBLIJFSJAAR"
_COUNT_COL = re.compile(r"JAAR\s*(\d)\s*-\s*(MAN|VROUW)$", re.IGNORECASE)
_BRIN = re.compile(r"^[0-9A-Z]{2}[0-9A-Z]{2}$")


# -- codes -------------------------------------------------------------------
def vestigingscode(raw: _text.RawTable, brin_col: str | None, vest_col: str) -> pd.Series:
    """The 6-character vestigingscode, from BRIN + 2-digit number or a 6-character column.

    Raises :class:`InvoerFout` on the first value that fits neither form.
    """
    vest = raw.rows[vest_col].astype(str).str.strip().str.upper()
    if brin_col is not None:
        brin = raw.rows[brin_col].astype(str).str.strip().str.upper()
        short = vest.str.fullmatch(r"\d{1,2}")
        code = np.where(short, brin + vest.str.zfill(2), vest)
        code = pd.Series(code, index=raw.rows.index)
    else:
        code = vest
    ok = code.str.fullmatch(r"[0-9A-Z]{4}\d{2}")
    if not ok.all():
        pos = int(np.flatnonzero(~ok.to_numpy())[0])
        raise InvoerFout(
            f"'{code.iloc[pos]}' is geen geldige vestigingscode",
            file=raw.path,
            line=raw.line_of(pos),
            column=vest_col,
            expected="BRIN (4 tekens) + vestigingsnummer (2 cijfers), samen 6 tekens",
        )
    return code


def _key_columns(p_or_raw) -> tuple[str | None, str]:
    cols = p_or_raw.header if isinstance(p_or_raw, Probe) else set(c.upper() for c in p_or_raw.rows.columns)
    if "INSTELLINGSCODE" in cols and "VESTIGINGSCODE" in cols:
        return "INSTELLINGSCODE", "VESTIGINGSCODE"
    if "BRIN NUMMER" in cols:
        return "BRIN NUMMER", "VESTIGINGSNUMMER"
    return None, "VESTIGINGSNUMMER"


def _upper_columns(raw: _text.RawTable) -> _text.RawTable:
    raw.rows.columns = [c.upper() for c in raw.rows.columns]
    return raw


def _content_date(raw: _text.RawTable) -> date | None:
    if "PEILDATUM" not in raw.rows.columns:
        return None
    values = raw.rows["PEILDATUM"].astype(str).str.strip().unique()
    if len(values) != 1 or not re.fullmatch(r"\d{8}", values[0]):
        raise InvoerFout(
            f"de kolom PEILDATUM bevat {len(values)} verschillende waarden ({', '.join(values[:3])})",
            file=raw.path,
            column="PEILDATUM",
            expected="één peildatum JJJJMMDD voor het hele bestand",
        )
    v = values[0]
    return date(int(v[:4]), int(v[4:6]), int(v[6:]))


def _check_unique(raw: _text.RawTable, key: pd.DataFrame, what: str) -> None:
    dup = key.duplicated(keep="first")
    if dup.any():
        pos = int(np.flatnonzero(dup.to_numpy())[0])
        first = int(np.flatnonzero((key == key.iloc[pos]).all(axis=1).to_numpy())[0])
        raise InvoerFout(
            f"dubbele regel: {what} {' / '.join(map(str, key.iloc[pos]))} staat ook op regel {raw.line_of(first)}",
            file=raw.path,
            line=raw.line_of(pos),
            expected="één regel per sleutel",
        )


# -- 01. pupils per vestiging x onderwijstype ---------------------------------
def _detect_onderwijstype(p: Probe) -> bool:
    return (
        p.kind == "tekst"
        and p.has(TYPE_COL, "OPLEIDINGSNAAM")
        and (p.has("BRIN NUMMER", "VESTIGINGSNUMMER") or p.has("INSTELLINGSCODE", "VESTIGINGSCODE"))
    )


def _label_frame(raw: _text.RawTable) -> tuple[pd.DataFrame, dict[str, int], list[str]]:
    """Normalised label columns for every row, plus unknown-label counts and notes."""
    rows = raw.rows
    unknown: dict[str, int] = {}
    notes: list[str] = []

    def tally(kind: str, label: str, n: int) -> None:
        key = f"onbekend {kind}-label '{label}'"
        unknown[key] = unknown.get(key, 0) + n

    types = {lab: labels.onderwijstype(lab) for lab in rows[TYPE_COL].unique()}
    out = pd.DataFrame(index=rows.index)
    tl = rows[TYPE_COL].map(types)
    out["onderwijstype"] = tl.map(lambda t: t.onderwijstype if t else "onbekend")
    out["vavo"] = tl.map(lambda t: bool(t and t.vavo))
    out["internationaal"] = tl.map(lambda t: bool(t and t.internationaal))
    for lab, t in types.items():
        if t is None:
            tally("onderwijstype", lab, int((rows[TYPE_COL] == lab).sum()))

    pairs = rows[["OPLEIDINGSNAAM", TYPE_COL]].drop_duplicates().itertuples(index=False)
    opl = {(o, t): labels.opleiding(o, types[t]) for o, t in pairs}
    parsed = [opl[(o, t)] for o, t in zip(rows["OPLEIDINGSNAAM"], rows[TYPE_COL], strict=True)]
    out["niveau"] = [",".join(p.niveau) if p and p.niveau else None for p in parsed]
    out["lwoo"] = [bool(p and p.lwoo) for p in parsed]
    out["gymnasium"] = [bool(p and p.gymnasium) for p in parsed]
    for (o, t), p in opl.items():
        if p is None:
            tally(
                "opleiding (brugjaar zonder niveau)",
                o,
                int(((rows["OPLEIDINGSNAAM"] == o) & (rows[TYPE_COL] == t)).sum()),
            )

    afd_col = "AFDELING" if "AFDELING" in rows.columns else None
    afd = {lab: labels.afdeling(lab) for lab in rows[afd_col].unique()} if afd_col else {}
    a = rows[afd_col].map(afd) if afd_col else pd.Series([labels.Afdeling()] * len(rows), index=rows.index)
    out["hv_profiel"] = a.map(lambda x: x.hv_profiel if x else None)
    meaning = _meanings(rows, tally)
    is_vmbo = out["onderwijstype"].isin(labels.VMBO_LEERWEGEN) | out["niveau"].fillna("").str.contains("vmbo")
    out["profiel"] = meaning.map(lambda m: m.profiel).where(is_vmbo, None)
    out["route"] = meaning.map(lambda m: m.route)
    out["sector"] = meaning.map(lambda m: m.sector)
    if unknown:
        notes.append(f"{sum(unknown.values())} regels met een onbekend label (bewaard, niet geraden)")
    return out, unknown, notes


def _meanings(rows: pd.DataFrame, tally) -> pd.Series:  # noqa: ANN001 - tally(kind, label, n)
    """Profiel, sector and route of every row from the label table (``dekkend/ingest/vo_labels.csv``).

    Every value of AFDELING, OPLEIDINGSNAAM, ELEMENTCODE and VMBO SECTOR is
    looked up; a value the table lacks is tallied (listed by ``dekkend
    importeer``) and contributes nothing, so it is never guessed.
    """
    cols = [c for c in ("AFDELING", "OPLEIDINGSNAAM", "ELEMENTCODE", "VMBO SECTOR") if c in rows.columns]
    per_col: dict[str, dict[str, labels.LabelMeaning | None]] = {}
    for c in cols:
        per_col[c] = {v: labels.label_meaning(c, str(v)) for v in rows[c].unique()}
        for v, m in per_col[c].items():
            if m is None:
                tally(f"{c.lower()} (niet in de labeltabel)", v, int((rows[c] == v).sum()))
    found: dict[tuple, labels.LabelMeaning] = {}
    for combo in rows[cols].drop_duplicates().itertuples(index=False, name=None):
        looked = {c: per_col[c][v] for c, v in zip(cols, combo, strict=True)}
        others = [looked[c] for c in ("AFDELING", "OPLEIDINGSNAAM", "ELEMENTCODE") if c in looked]
        found[combo] = labels.combine(others, looked.get("VMBO SECTOR"))
    keys = pd.Series(list(rows[cols].itertuples(index=False, name=None)), index=rows.index)
    meaning = keys.map(found)
    # A profiel named only in the opleidingsnaam (the maritime general first year).
    named = {v: labels.profiel_from_opleiding(v) for v in rows["OPLEIDINGSNAAM"].unique()}  # once per name
    from_opl = [named.get(v) for v in rows["OPLEIDINGSNAAM"]]
    return pd.Series(
        [
            m if m.profiel or not p else labels.LabelMeaning(p, m.sector, m.route)
            for m, p in zip(meaning, from_opl, strict=True)
        ],
        index=rows.index,
    )


def read_onderwijstype(ctx: FileContext) -> Parsed:
    """Read a ``01.-leerlingen-vo-per-vestiging-naar-onderwijstype`` file of any vintage."""
    raw = _upper_columns(_text.read_table(ctx.path))
    if "ELEMENTCODE" in raw.rows.columns:  # 2016/17 stores 24 for 0024: one code for every vintage
        raw.rows["ELEMENTCODE"] = raw.rows["ELEMENTCODE"].map(labels.elementcode)
    brin_col, vest_col = _key_columns(raw)
    _text.require_columns(raw, [c for c in (brin_col, vest_col, TYPE_COL, "OPLEIDINGSNAAM") if c])
    count_cols = {c: m for c in raw.rows.columns if (m := _COUNT_COL.search(c))}
    if not count_cols:
        raise InvoerFout(
            "geen kolommen met aantallen per leerjaar en geslacht gevonden",
            file=ctx.path,
            line=1,
            expected="kolommen zoals 'LEER- OF VERBLIJFSJAAR 1 - MAN'",
        )
    reference = ctx.reference_date(from_content=_content_date(raw))
    code = vestigingscode(raw, brin_col, vest_col)
    key_cols = [
        c for c in (TYPE_COL, "VMBO SECTOR", "AFDELING", "ELEMENTCODE", "OPLEIDINGSNAAM") if c in raw.rows.columns
    ]
    _check_unique(raw, pd.concat([code.rename("vestiging"), raw.rows[key_cols]], axis=1), "vestiging/opleiding")
    norm, unknown, notes = _label_frame(raw)

    base = pd.DataFrame(
        {
            "vestigingscode": code,
            "brin": code.str[:4],
            "regel": raw.lines,
            "label_onderwijstype": raw.rows[TYPE_COL].str.strip(),
            "label_opleiding": raw.rows["OPLEIDINGSNAAM"].str.strip(),
            "label_afdeling": raw.rows.get("AFDELING", pd.Series("", index=raw.rows.index)).str.strip(),
            "label_sector": raw.rows.get("VMBO SECTOR", pd.Series("", index=raw.rows.index)).str.strip(),
            "elementcode": raw.rows.get("ELEMENTCODE", pd.Series("", index=raw.rows.index)).str.strip(),
        }
    ).join(norm)
    parts = []
    for col, m in count_cols.items():
        count, censored = _text.parse_count(raw, col)
        part = base.copy()
        part["leerjaar"] = int(m.group(1))
        part["geslacht"] = "m" if m.group(2).upper() == "MAN" else "v"
        part["aantal"] = count
        part["gecensureerd"] = censored
        parts.append(part[(count.fillna(1) > 0).to_numpy()])
    long = pd.concat(parts, ignore_index=True)
    long["schooljaar"] = reference.year if reference.month >= 8 else reference.year - 1
    long = long.sort_values(["vestigingscode", "regel", "leerjaar", "geslacht"], kind="stable")
    long = with_source(long.drop(columns="regel").reset_index(drop=True), ctx, reference)
    pupils = int(long["aantal"].fillna(0).sum())
    if long["gecensureerd"].any():
        notes.append(f"{int(long['gecensureerd'].sum())} cellen '<5' bewaard als gecensureerd (1-4)")
    names = (
        pd.DataFrame(
            {
                "vestigingscode": code,
                "brin": code.str[:4],
                "naam": raw.rows.get("INSTELLINGSNAAM VESTIGING", pd.Series(None, index=raw.rows.index)),
                "plaatsnaam": raw.rows.get("PLAATSNAAM VESTIGING", pd.Series(None, index=raw.rows.index)),
                "provincie": raw.rows.get("PROVINCIE VESTIGING", pd.Series(None, index=raw.rows.index)),
            }
        )
        .drop_duplicates("vestigingscode")
        .reset_index(drop=True)
    )
    names["bronsoort"] = "leerlingen"
    return Parsed(
        tables={"leerlingen": long, "vestigingen_bron": with_source(names, ctx, reference)},
        reference_date=reference,
        rows_read=len(raw.rows),
        skipped=unknown,
        notes=notes,
        pupils=pupils,
        years=(int(long["schooljaar"].iloc[0]),),
    )


# -- 02. all VO vestigingen (addresses, boards, regions) ------------------------
REGION_COLUMNS = {
    "corop": ("COROPGEBIED CODE", "COROPGEBIED NAAM"),
    "rmc": ("RMC-REGIO CODE", "RMC-REGIO NAAM"),
    "onderwijsgebied": ("ONDERWIJSGEBIED CODE", "ONDERWIJSGEBIED NAAM"),
    "nodaal": ("NODAAL GEBIED CODE", "NODAAL GEBIED NAAM"),
    "rpa": ("RPA-GEBIED CODE", "RPA-GEBIED NAAM"),
    "wgr": ("WGR-GEBIED CODE", "WGR-GEBIED NAAM"),
}


def _detect_adressen(p: Probe) -> bool:
    return (
        p.kind == "tekst"
        and p.has("POSTCODE", "ONDERWIJSSTRUCTUUR", "COROPGEBIED CODE", "GEMEENTENUMMER")
        and (p.has("VESTIGINGSNUMMER") or p.has("VESTIGINGSCODE"))
        and not p.has(TYPE_COL)
    )


def normalise_pc6(values: pd.Series) -> pd.Series:
    """``9406 NN`` -> ``9406NN``; anything that is not a PC6 becomes <NA>."""
    v = values.astype(str).str.upper().str.replace(r"\s+", "", regex=True)
    return v.where(v.str.fullmatch(r"[1-9]\d{3}[A-Z]{2}"), None)


def normalise_gemeentecode(values: pd.Series) -> pd.Series:
    """``197``, ``0197``, ``GM0197`` -> ``0197``; anything else becomes <NA>."""
    v = values.astype(str).str.strip().str.upper().str.removeprefix("GM")
    v = v.where(v.str.fullmatch(r"\d{1,4}"), None)
    return v.str.zfill(4)


def read_adressen(ctx: FileContext) -> Parsed:
    """Read the ``02.-alle-vestigingen-vo`` address file."""
    raw = _upper_columns(_text.read_table(ctx.path))
    brin_col, vest_col = _key_columns(raw)
    if brin_col == "INSTELLINGSCODE":
        brin_col, vest_col = None, "VESTIGINGSCODE"
    needed = ["POSTCODE", "GEMEENTENUMMER", "ONDERWIJSSTRUCTUUR", vest_col]
    _text.require_columns(raw, needed)
    code = vestigingscode(raw, brin_col if brin_col else None, vest_col)
    _check_unique(raw, code.to_frame("vestigingscode"), "vestigingscode")
    r = raw.rows
    get = lambda c: r[c].str.strip() if c in r.columns else pd.Series(None, index=r.index, dtype=object)  # noqa: E731
    frame = pd.DataFrame(
        {
            "vestigingscode": code,
            "brin": code.str[:4],
            "naam": get("VESTIGINGSNAAM"),
            "bestuur": get("BEVOEGD GEZAG NUMMER"),
            "denominatie": get("DENOMINATIE"),
            "straat": get("STRAATNAAM"),
            "huisnummer": get("HUISNUMMER-TOEVOEGING"),
            "pc6": normalise_pc6(r["POSTCODE"]),
            "plaatsnaam": get("PLAATSNAAM"),
            "gemeentecode": normalise_gemeentecode(r["GEMEENTENUMMER"]),
            "gemeentenaam": get("GEMEENTENAAM"),
            "provincie": get("PROVINCIE"),
            "structuur": get("ONDERWIJSSTRUCTUUR"),
        }
    )
    for name, (code_col, name_col) in REGION_COLUMNS.items():
        frame[f"{name}_code"] = get(code_col)
        frame[f"{name}_naam"] = get(name_col)
    reference = ctx.reference_date(month=12, day=1, from_content=_content_date(raw))
    frame["x_rd"] = np.nan
    frame["y_rd"] = np.nan
    frame["bronsoort"] = "adressen"
    return Parsed(
        tables={"vestigingen_bron": with_source(frame, ctx, reference)},
        reference_date=reference,
        rows_read=len(r),
    )


# -- 2013 VO vestigingen with RD coordinates and pupils per leerjaar -------------
def _detect_2013(p: Probe) -> bool:
    return p.kind == "tekst" and p.has(
        "XCOORD", "YCOORD", "BRIN_NUMMER", "VESTIGINGSNUMMER", "JAAR_1", "ONDERWIJSSTRUCTUUR"
    )


def read_coordinaten_2013(ctx: FileContext) -> Parsed:
    """Read the 2012/13 VO vestigingen file with RD coordinates and pupils per leerjaar."""
    raw = _upper_columns(_text.read_table(ctx.path))
    code = vestigingscode(raw, "BRIN_NUMMER", "VESTIGINGSNUMMER")
    _check_unique(raw, code.to_frame("vestigingscode"), "vestigingscode")
    r = raw.rows
    # "...-coordinaten-2013" describes school year 2012/13 (count date 1 Oct 2012).
    reference = ctx.reference_date(year_offset=-1)
    x = _text.parse_decimal(raw, "XCOORD", required=False)
    y = _text.parse_decimal(raw, "YCOORD", required=False)
    frame = pd.DataFrame(
        {
            "vestigingscode": code,
            "brin": code.str[:4],
            "naam": r["VESTIGINGSNAAM"].str.strip(),
            "bestuur": r["BEVOEGD_GEZAG_NUMMER"].str.strip(),
            "denominatie": r["DENOMINATIE"].str.strip(),
            "straat": r.get("STRAATNAAM", pd.Series(None, index=r.index)),
            "huisnummer": r.get("HUISNUMMER_TOEVOEGING", pd.Series(None, index=r.index)),
            "pc6": normalise_pc6(r["PC6"]),
            "plaatsnaam": r["PLAATSNAAM"].str.strip(),
            "gemeentecode": normalise_gemeentecode(r["GEM_CODE"]),
            "gemeentenaam": r["GEMEENTENAAM"].str.strip(),
            "provincie": r["PROVINCIE"].str.strip(),
            "structuur": r["ONDERWIJSSTRUCTUUR"].str.strip(),
        }
    )
    for name in REGION_COLUMNS:
        frame[f"{name}_code"] = None
        frame[f"{name}_naam"] = None
    frame["x_rd"] = x.to_numpy()
    frame["y_rd"] = y.to_numpy()
    frame["bronsoort"] = "coordinaten-2013"
    parts = []
    for lj in range(1, 7):
        col = f"JAAR_{lj}"
        if col not in r.columns:
            continue
        count, censored = _text.parse_count(raw, col)
        parts.append(
            pd.DataFrame(
                {
                    "vestigingscode": code,
                    "brin": code.str[:4],
                    "onderwijstype": "totaal",
                    "leerjaar": lj,
                    "geslacht": None,
                    "aantal": count,
                    "gecensureerd": censored,
                }
            )[(count.fillna(1) > 0).to_numpy()]
        )
    pupils = pd.concat(parts, ignore_index=True)
    pupils["schooljaar"] = reference.year if reference.month >= 8 else reference.year - 1
    pupils = pupils.sort_values(["vestigingscode", "leerjaar"], kind="stable").reset_index(drop=True)
    return Parsed(
        tables={
            "vestigingen_bron": with_source(frame, ctx, reference),
            "leerlingen": with_source(pupils, ctx, reference),
        },
        reference_date=reference,
        rows_read=len(r),
        pupils=int(pupils["aantal"].fillna(0).sum()),
        years=(int(pupils["schooljaar"].iloc[0]),) if len(pupils) else (),
    )


#: Every vintage has a count column per leerjaar 1-6 and sex; a file without one of them is damaged.
COUNT_COLUMNS = tuple(f"LEER- OF VERBLIJFSJAAR {j} - {s}" for j in range(1, 7) for s in ("MAN", "VROUW"))
_COLUMNS_2013 = (
    "VESTIGINGSNAAM",
    "BEVOEGD_GEZAG_NUMMER",
    "DENOMINATIE",
    "PC6",
    "PLAATSNAAM",
    "GEM_CODE",
    "GEMEENTENAAM",
    "PROVINCIE",
    *(f"JAAR_{j}" for j in range(1, 7)),
)

FORMATS = [
    FileFormat(
        "duo-vo-onderwijstype",
        "DUO VO leerlingen per vestiging naar onderwijstype",
        _detect_onderwijstype,
        read_onderwijstype,
        priority=10,
        required=(TYPE_COL, "OPLEIDINGSNAAM", *COUNT_COLUMNS),
    ),
    FileFormat(
        "duo-vo-adressen",
        "DUO alle vestigingen VO (adressen, besturen, regio's)",
        _detect_adressen,
        read_adressen,
        priority=10,
    ),
    FileFormat(
        "duo-vo-2013-coordinaten",
        "DUO VO-vestigingen 2012/13 met RD-coördinaten",
        _detect_2013,
        read_coordinaten_2013,
        priority=10,
        required=_COLUMNS_2013,
    ),
]
