"""CBS population: per PC4 by sex and 5-year age band (2013 CSV, 2018 Excel) and kerncijfers per gemeente.

Rows of the PC4 files are told apart by their code: ``1011`` is a PC4,
``1GGGG`` the total of gemeente GGGG (kept in ``bevolking_gemeente``), and
``8GGGG`` the rest of gemeente GGGG not assigned to a PC4 (kept in
``bevolking_pc4`` without a PC4). Gemeenten are keyed on their code, never
on their name (the 2013 file writes names in Mac-Roman mojibake). A CBS
symbol (``-``, ``x``, ``.``) is missing, never 0.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from dekkend.errors import InvoerFout
from dekkend.ingest import _text
from dekkend.ingest.formats import FileContext, FileFormat, Parsed, Probe, with_source
from dekkend.ingest.formats._common import (
    MISSING_SYMBOLS,
    cell_text,
    check_unique,
    excel_column,
    excel_preview,
    first_true,
    parse_cbs_count,
    parse_cbs_counts,
    read_excel_sheet,
)
from dekkend.ingest.gemeenten import normalise_code, repair_mojibake

_SEX_TOTALS = {"totaalmannenenvrouwen": "totaal", "totaalmannen": "m", "totaalvrouwen": "v"}
_BAND = re.compile(r"(\d+)tot(\d+)jaar")
_OPEN = re.compile(r"(\d+)jaarofouder")


@dataclass(frozen=True)
class PopColumn:
    """One population count column: where it is and what it counts."""

    column: str
    index: int
    geslacht: str
    leeftijdsklasse: str
    leeftijd_van: int | None
    leeftijd_tot: int | None


def _compact(label: str) -> str:
    text = re.sub(r"^k_", "", label.strip().lower())
    text = re.sub(r"_\d+$", "", text)
    return re.sub(r"[^a-z0-9]+", "", text)


def population_columns(headers: list[str]) -> list[PopColumn]:
    """The sex x age-band columns of a CBS PC4 table, in either the CSV or the Excel spelling.

    A ``Totaal mannen``-like column starts a sex block; the age bands after
    it belong to that sex. Columns after the last band are ignored.
    """
    out: list[PopColumn] = []
    sex: str | None = None
    for i, header in enumerate(headers):
        key = _compact(header)
        if key in _SEX_TOTALS:
            sex = _SEX_TOTALS[key]
            out.append(PopColumn(header, i, sex, "totaal", 0, None))
            continue
        if sex is None:
            continue
        band, open_ = _BAND.fullmatch(key), _OPEN.fullmatch(key)
        if band:
            lo, hi = int(band.group(1)), int(band.group(2)) - 1
            out.append(PopColumn(header, i, sex, f"{lo}-{hi}", lo, hi))
        elif open_:
            lo = int(open_.group(1))
            out.append(PopColumn(header, i, sex, f"{lo}+", lo, None))
        elif out and out[-1].geslacht == sex and out[-1].leeftijdsklasse != "totaal":
            sex = None
    return out


def _long(ids: pd.DataFrame, counts: np.ndarray, cols: list[PopColumn]) -> pd.DataFrame:
    """Wide counts (rows x PopColumns, NaN = missing) to one row per id x sex x age band."""
    n, k = len(ids), len(cols)
    out = ids.iloc[np.tile(np.arange(n), k)].reset_index(drop=True)
    out["geslacht"] = np.repeat([c.geslacht for c in cols], n)
    out["leeftijdsklasse"] = np.repeat([c.leeftijdsklasse for c in cols], n)
    out["leeftijd_van"] = pd.array(np.repeat([c.leeftijd_van for c in cols], n), dtype="Int64")
    out["leeftijd_tot"] = pd.array(np.repeat([c.leeftijd_tot for c in cols], n), dtype="Int64")
    flat = counts.ravel(order="F")
    out["aantal"] = pd.array(np.where(np.isnan(flat), 0, flat).astype(np.int64), dtype="Int64")
    out.loc[np.isnan(flat), "aantal"] = pd.NA
    return out


def _split_areas(frame: pd.DataFrame, reference, ctx: FileContext) -> dict[str, pd.DataFrame]:
    """PC4 and 'overig' rows to ``bevolking_pc4``, gemeente totals to ``bevolking_gemeente``."""
    frame = frame.assign(jaar=reference.year)
    pc4 = frame[frame["gebied"] != "gemeente"].drop(columns="gebied_code")
    gem = frame[frame["gebied"] == "gemeente"].drop(columns=["gebied_code", "pc4", "gebied"])
    gem = gem.assign(bronsoort="pc4-bestand")
    return {
        "bevolking_pc4": with_source(pc4.reset_index(drop=True), ctx, reference),
        "bevolking_gemeente": with_source(gem.reset_index(drop=True), ctx, reference),
    }


def _classify(codes: pd.Series) -> tuple[pd.Series, pd.Series]:
    """``gebied`` (pc4/gemeente/overig/None) and the PC4 (or <NA>) for each row code."""
    pc4 = codes.str.fullmatch(r"[1-9]\d{3}")
    gem = codes.str.fullmatch(r"1\d{4}")
    rest = codes.str.fullmatch(r"8\d{4}")
    gebied = pd.Series(np.select([pc4, gem, rest], ["pc4", "gemeente", "overig"], default=""), index=codes.index)
    return gebied.replace("", None), codes.where(pc4, None)


def _notes(frame: pd.DataFrame) -> list[str]:
    n_missing = int(frame["aantal"].isna().sum())
    n_pc4 = int(frame["pc4"].nunique())
    notes = [f"{n_pc4} PC4-gebieden; CBS rondt de aantallen per PC4 af op vijftallen"]
    if n_missing:
        notes.append(f"{n_missing} cellen met een CBS-teken ('-', 'x', '.') bewaard als ontbrekend, niet als 0")
    return notes


# -- 2013: CSV, bare CR, mangled first header cell, Mac-Roman names -----------------
def _detect_2013(p: Probe) -> bool:
    return p.kind == "tekst" and p.has("POSTCODESOP1JANUARI") and any(h.startswith("GEMEENTECODE") for h in p.header)


def _find(columns: list[str], prefix: str, path: Path) -> str:
    for c in columns:
        if c.lower().startswith(prefix.lower()):
            return c
    raise InvoerFout(
        f"kolom '{prefix}…' ontbreekt",
        file=path,
        line=1,
        expected="de kopregel van de CBS-tabel per postcode",
    )


def read_pc4_2013(ctx: FileContext) -> Parsed:
    """Read ``pc4-bevolking-leeftijd-2013.csv`` (StatLine export, CBS 2013)."""
    raw = _text.read_table(ctx.path)
    cols = list(raw.rows.columns)
    code_col = _find(cols, "PostcodesOp1Januari", ctx.path)
    gem_col, name_col = _find(cols, "Gemeentecode", ctx.path), _find(cols, "Gemeentenaam", ctx.path)
    pops = population_columns(cols)
    if not pops:
        raise InvoerFout("geen kolommen met bevolking naar geslacht en leeftijd", file=ctx.path, line=1)
    codes = raw.rows[code_col].astype(str).str.strip()
    gebied, pc4 = _classify(codes)
    if gebied.isna().any():
        pos = first_true(gebied.isna())
        raise InvoerFout(
            f"'{codes.iloc[pos]}' is geen postcode of gemeentecode",
            file=ctx.path,
            line=raw.line_of(pos),
            column=code_col,
            expected="een PC4 (1011), een gemeentetotaal (1GGGG) of overig gebied (8GGGG)",
        )
    check_unique(raw, codes.to_frame(), "postcode/gebied")
    gemcode = raw.rows[gem_col].map(normalise_code)
    _check_gemeente(raw, codes, gebied, gemcode, gem_col)
    names = raw.rows[name_col].astype(str).str.strip()
    repaired = {n: repair_mojibake(n) for n in names.unique()}
    ids = pd.DataFrame(
        {
            "gebied_code": codes,
            "gebied": gebied,
            "pc4": pc4,
            "gemeentecode": gemcode,
            "gemeentenaam": names.map(repaired),
        }
    )
    counts = parse_cbs_counts(raw, [c.column for c in pops])
    reference = ctx.reference_date(month=1)
    frame = _long(ids, counts, pops)
    return Parsed(_split_areas(frame, reference, ctx), reference, len(raw.rows), notes=_notes(frame))


def _check_gemeente(raw: _text.RawTable, codes: pd.Series, gebied: pd.Series, gemcode: pd.Series, column: str) -> None:
    bad = gemcode.isna()
    agg = gebied.isin(["gemeente", "overig"])
    bad |= agg & (codes.str[1:] != gemcode.fillna(""))
    if bad.any():
        pos = first_true(bad)
        raise InvoerFout(
            f"gemeentecode '{raw.rows[column].iloc[pos]}' ontbreekt of past niet bij gebied {codes.iloc[pos]}",
            file=raw.path,
            line=raw.line_of(pos),
            column=column,
            expected="een gemeentecode van 1 tot 4 cijfers",
        )


# -- 2018: Excel, sheet 'Tabel 1', header rows 2-4 ---------------------------------
def _pc4_sheet(p: Probe) -> str | None:
    if p.kind != "excel":
        return None
    for name, rows in excel_preview(p.path).items():
        text = " ".join(cell_text(c) for r in rows[:5] for c in r).lower()
        if "postcode" in text and "totaal mannen en vrouwen" in text and "gemeentecode" in text:
            return name
    return None


def _detect_2018(p: Probe) -> bool:
    return _pc4_sheet(p) is not None


def _excel_headers(rows: list[list[object]], path: Path) -> tuple[list[str], int]:
    """Column labels from the multi-row header (group, sex, age band) and the first data row."""
    first_data = next((i for i, r in enumerate(rows) if r and re.fullmatch(r"\d{4,5}", cell_text(r[0]))), None)
    if first_data is None or first_data < 2:
        raise InvoerFout(
            "geen gegevensregels met een postcode gevonden",
            file=path,
            expected="regels met een PC4 in kolom A",
        )
    width = max(len(r) for r in rows[:first_data])
    labels = []
    for j in range(width):
        parts = [cell_text(rows[i][j]) if j < len(rows[i]) else "" for i in range(1, first_data)]
        parts = [p for p in parts if p and p.lower() not in ("aantal", "code", "naam")]
        labels.append(parts[-1] if parts else f"kolom {excel_column(j)}")
    return labels, first_data


def read_pc4_excel(ctx: FileContext) -> Parsed:
    """Read the CBS Excel ``Bevolking en huishoudens; viercijferige postcode`` (e.g. 1 januari 2018)."""
    sheet = _pc4_sheet(Probe(ctx.path, "excel"))
    if sheet is None:
        raise InvoerFout(
            "geen werkblad met bevolking per postcode gevonden",
            file=ctx.path,
            expected="werkblad 'Tabel 1'",
        )
    rows = read_excel_sheet(ctx.path, sheet)
    labels, start = _excel_headers(rows, ctx.path)
    data = [r + [None] * (len(labels) - len(r)) for r in rows[start:] if r and cell_text(r[0])]
    data = [r for r in data if re.fullmatch(r"\d+", cell_text(r[0]))]
    lines = np.asarray(
        [start + 1 + i for i, r in enumerate(rows[start:]) if r and re.fullmatch(r"\d+", cell_text(r[0]))]
    )
    cells = pd.DataFrame(
        [[cell_text(c) for c in r[: len(labels)]] for r in data],
        columns=_unique(labels),
        dtype=object,
    )
    raw = _text.RawTable(ctx.path, "excel", "", "", tuple(cells.columns), cells, lines)
    gem_col = next((c for c in cells.columns if c.lower() == "gemeentecode"), None)
    name_col = next((c for c in cells.columns if c.lower() == "gemeentenaam"), None)
    if gem_col is None or name_col is None:
        raise InvoerFout(
            "kolommen Gemeentecode en Gemeentenaam ontbreken",
            file=ctx.path,
            line=start,
            expected="de CBS-kopregels",
        )
    pops = [
        PopColumn(
            cells.columns[c.index],
            c.index,
            c.geslacht,
            c.leeftijdsklasse,
            c.leeftijd_van,
            c.leeftijd_tot,
        )
        for c in population_columns(labels)
    ]
    codes = cells.iloc[:, 0]
    gebied, pc4 = _classify(codes)
    if gebied.isna().any():
        pos = first_true(gebied.isna())
        raise InvoerFout(
            f"'{codes.iloc[pos]}' is geen postcode of gemeentecode",
            file=ctx.path,
            line=int(lines[pos]),
            column="A",
        )
    check_unique(raw, codes.to_frame(), "postcode/gebied")
    gemcode = cells[gem_col].map(normalise_code)
    _check_gemeente(raw, codes, gebied, gemcode, gem_col)
    ids = pd.DataFrame(
        {
            "gebied_code": codes,
            "gebied": gebied,
            "pc4": pc4,
            "gemeentecode": gemcode,
            "gemeentenaam": cells[name_col],
        }
    )
    counts = np.column_stack([_excel_count(raw, c.column) for c in pops])
    reference = ctx.reference_date(month=1)
    frame = _long(ids, counts, pops)
    return Parsed(_split_areas(frame, reference, ctx), reference, len(cells), notes=_notes(frame))


def _unique(labels: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    prefix = ""
    for lab in labels:
        key = _compact(lab)
        if key in _SEX_TOTALS:
            prefix = {"totaal": "", "m": "Mannen ", "v": "Vrouwen "}[_SEX_TOTALS[key]]
            out.append(lab)
            continue
        name = f"{prefix}{lab}" if prefix and (_BAND.fullmatch(key) or _OPEN.fullmatch(key)) else lab
        if name in seen:
            seen[name] += 1
            name = f"{name} ({seen[name]})"
        else:
            seen[name] = 0
        out.append(name)
    return out


def _excel_count(raw: _text.RawTable, column: str) -> np.ndarray:
    values = raw.rows[column]
    missing = values.isin(MISSING_SYMBOLS) | values.eq("")
    numeric = pd.to_numeric(values.where(~missing, "0"), errors="coerce")
    bad = numeric.isna() | (numeric < 0) | (numeric % 1 != 0)
    if bad.any():
        pos = first_true(bad)
        letter = excel_column(list(raw.rows.columns).index(column))
        raise InvoerFout(
            f"'{values.iloc[pos]}' is geen aantal",
            file=raw.path,
            line=raw.line_of(pos),
            column=f"{letter} ({column})",
            expected="een geheel getal >= 0 of een CBS-teken",
        )
    out = numeric.to_numpy(dtype=float)
    out[missing.to_numpy()] = np.nan
    return out


# -- Kerncijfers wijken en buurten, gemeente level --------------------------------
_KWB_BANDS = {
    "b_00_14": (0, 14),
    "b_15_24": (15, 24),
    "b_25_44": (25, 44),
    "b_45_64": (45, 64),
    "b_65_oo": (65, None),
}


def _detect_kwb(p: Probe) -> bool:
    return p.kind == "tekst" and p.has("REGION", "UNIQUE_ID", "POPULATION", "MEN", "WOMEN")


def read_kwb(ctx: FileContext) -> Parsed:
    """Read kerncijfers wijken en buurten at gemeente level (population, sex, age bands)."""
    raw = _text.read_table(ctx.path)
    cols = {c.lower(): c for c in raw.rows.columns}
    code = raw.rows[cols["unique_id"]].astype(str).str.strip()
    is_gem = code.str.upper().str.startswith("GM")
    gemcode = code.where(is_gem, "").map(normalise_code)
    bad = is_gem & gemcode.isna()
    if bad.any():
        pos = first_true(bad)
        raise InvoerFout(
            f"'{code.iloc[pos]}' is geen gemeentecode",
            file=ctx.path,
            line=raw.line_of(pos),
            column=cols["unique_id"],
            expected="GM gevolgd door 4 cijfers",
        )
    check_unique(raw, gemcode.to_frame(), "gemeente", mask=is_gem)
    base = pd.DataFrame({"gemeentecode": gemcode, "gemeentenaam": raw.rows[cols["region"]].str.strip()})
    spec: list[tuple[str, str, str, int, int | None]] = [
        ("population", "totaal", "totaal", 0, None),
        ("men", "m", "totaal", 0, None),
        ("women", "v", "totaal", 0, None),
    ]
    spec += [(k, "totaal", f"{lo}-{hi}" if hi is not None else f"{lo}+", lo, hi) for k, (lo, hi) in _KWB_BANDS.items()]
    parts = []
    for col, sex, klasse, lo, hi in spec:
        if col not in cols:
            continue
        part = base.copy()
        part["geslacht"], part["leeftijdsklasse"] = sex, klasse
        part["leeftijd_van"], part["leeftijd_tot"] = lo, hi
        part["aantal"] = parse_cbs_count(raw, cols[col]).to_numpy()
        parts.append(part[is_gem.to_numpy()])
    if not parts:
        raise InvoerFout("kolom 'population' ontbreekt", file=ctx.path, line=1)
    frame = pd.concat(parts, ignore_index=True)
    frame["leeftijd_van"] = frame["leeftijd_van"].astype("Int64")
    frame["leeftijd_tot"] = frame["leeftijd_tot"].astype("Int64")
    reference = ctx.reference_date(month=1)
    frame["jaar"] = reference.year
    frame["bronsoort"] = "kwb"
    skipped = {"geen gemeente (land, wijk of buurt)": int((~is_gem).sum())} if (~is_gem).any() else {}
    return Parsed(
        {"bevolking_gemeente": with_source(frame, ctx, reference)},
        reference,
        len(raw.rows),
        skipped,
    )


FORMATS = [
    FileFormat(
        "cbs-pc4-bevolking-2013",
        "CBS bevolking per PC4 naar geslacht en leeftijd (CSV)",
        _detect_2013,
        read_pc4_2013,
        priority=8,
    ),
    FileFormat(
        "cbs-pc4-bevolking-excel",
        "CBS bevolking per PC4 naar geslacht en leeftijd (Excel)",
        _detect_2018,
        read_pc4_excel,
        priority=8,
    ),
    FileFormat(
        "cbs-kwb-gemeenten",
        "CBS kerncijfers wijken en buurten, gemeenten",
        _detect_kwb,
        read_kwb,
        priority=8,
    ),
]
