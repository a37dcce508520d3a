"""DUO's VO pupil prognosis per instelling (BRIN), onderwijstype and year.

Two published layouts are read:

- wide (``11-leerlingenprognose-vo-JJJJ-JJJJ.csv``, ``;``, latin-1): one row per
  instelling with identifying columns and one column per onderwijstype and
  year named ``BRJ.2018``, ``VMBO.2018``, ``HAVO.2018``, ``VWO.2018``,
  ``PRO.2018`` (and totals), as read by the public ``duodata`` tools;
- long (``voprognoses`` on onderwijsdata.duo.nl, "per instelling,
  onderwijsniveau en jaar"): columns for the instelling, the
  onderwijsniveau, ``JAAR`` and ``AANTAL`` (a fraction: prognoses are not
  whole pupils).

Years up to the peiljaar are counts, later years prognoses (``prognose``).
The peiljaar comes from a ``PEILJAAR`` column, else the catalogue, else the
last year of the leading run of years with whole-number amounts only (DUO's
prognoses are fractions; a name like ``2012-2037`` gives the span, not the
peiljaar), else a year in the file name.
"""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import pandas as pd

from dekkend.errors import InvoerFout
from dekkend.ingest import _text
from dekkend.ingest.formats import FileContext, FileFormat, Parsed, Probe, with_source
from dekkend.ingest.formats._common import check_unique, first_true, upper_columns

_WIDE = re.compile(r"^(BRJ|BRUGJAAR|VMBO|HAVO|VWO|PRO|PRAKTIJKONDERWIJS|TOTAAL)[ ._-]?(\d{4})$", re.IGNORECASE)
_INST_COLS = ("INSTELLINGSCODE", "BRIN NUMMER", "BRIN_NUMMER", "BRIN", "BRINNUMMER")
_LEVEL_COLS = ("ONDERWIJSNIVEAU", "ONDERWIJSTYPE", "ONDERWIJSSOORT", "ONDERWIJSTYPE VO")
TYPES = {
    "brj": "brugjaar",
    "brugjaar": "brugjaar",
    "brugjaren": "brugjaar",
    "onderbouw": "brugjaar",
    "vmbo": "vmbo",
    "havo": "havo",
    "vwo": "vwo",
    "pro": "pro",
    "praktijkonderwijs": "pro",
    "totaal": "totaal",
}


def _type(label: str) -> str:
    key = re.sub(r"[^a-z]+", " ", str(label).lower()).strip()
    if key in TYPES:
        return TYPES[key]
    first = key.split(" ")[0] if key else ""
    return TYPES.get(first, "onbekend")


def _inst_col(cols) -> str | None:
    return next((c for c in _INST_COLS if c in cols), None)


def _detect_wide(p: Probe) -> bool:
    return p.kind == "tekst" and _inst_col(p.header) is not None and sum(bool(_WIDE.match(h)) for h in p.header) >= 3


def _detect_long(p: Probe) -> bool:
    return (
        p.kind == "tekst"
        and _inst_col(p.header) is not None
        and p.has("JAAR", "AANTAL")
        and any(c in p.header for c in _LEVEL_COLS)
        and not p.has("VESTIGINGSCODE")
    )


def _amounts(raw: _text.RawTable, column: str) -> pd.Series:
    values = raw.rows[column].astype(str).str.strip()
    blank = values.isin(["", ".", "-", "x"])
    numeric = pd.to_numeric(values.where(~blank, "0").str.replace(",", ".", regex=False), errors="coerce")
    bad = numeric.isna() | (numeric < 0)
    if bad.any():
        pos = first_true(bad)
        raise InvoerFout(
            f"'{values.iloc[pos]}' is geen aantal",
            file=raw.path,
            line=raw.line_of(pos),
            column=column,
            expected="een getal >= 0 (komma of punt)",
        )
    return numeric.astype(float).mask(blank)


def _peiljaar(ctx: FileContext, raw: _text.RawTable, long: pd.DataFrame) -> int:
    if "PEILJAAR" in raw.rows.columns:
        values = raw.rows["PEILJAAR"].astype(str).str.strip().unique()
        if len(values) == 1 and re.fullmatch(r"\d{4}", values[0]):
            return int(values[0])
        raise InvoerFout(
            f"de kolom PEILJAAR bevat {len(values)} waarden",
            file=ctx.path,
            column="PEILJAAR",
            expected="één peiljaar",
        )
    if ctx.known_date is not None:
        return ctx.known_date.year
    whole = long.groupby("jaar")["aantal"].apply(lambda s: bool(np.allclose(s.dropna(), np.round(s.dropna()))))
    counted = [int(y) for y, ok in whole.items() if ok]
    if counted and counted[0] == int(long["jaar"].min()):
        run = [y for i, y in enumerate(counted) if y == counted[0] + i]
        return run[-1]
    return ctx.reference_date().year


def _finish(ctx: FileContext, raw: _text.RawTable, long: pd.DataFrame) -> Parsed:
    peil = _peiljaar(ctx, raw, long)
    long["peiljaar"] = peil
    long["prognose"] = long["jaar"] > peil
    reference = date(peil, 10, 1)
    unknown = long["onderwijstype"] == "onbekend"
    skipped = (
        {
            f"onbekend onderwijstype: {', '.join(long.loc[unknown, 'label_onderwijstype'].unique()[:3])}": int(
                unknown.sum()
            )
        }
        if unknown.any()
        else {}
    )
    years = tuple(int(y) for y in sorted(long["jaar"].unique()))
    notes = [
        f"telling tot en met {peil}, prognose {peil + 1}-{years[-1]}"
        if years and years[-1] > peil
        else f"alleen tellingen tot en met {peil}"
    ]
    return Parsed(
        {"prognose_vo": with_source(long.reset_index(drop=True), ctx, reference)},
        reference,
        len(raw.rows),
        skipped=skipped,
        notes=notes,
        years=years,
    )


def _ids(raw: _text.RawTable) -> pd.DataFrame:
    inst = _inst_col(raw.rows.columns)
    brin = raw.rows[inst].astype(str).str.strip().str.upper()
    ok = brin.str.fullmatch(r"[0-9A-Z]{4}")
    if not ok.all():
        pos = first_true(~ok)
        raise InvoerFout(
            f"'{brin.iloc[pos]}' is geen instellingscode (BRIN)",
            file=raw.path,
            line=raw.line_of(pos),
            column=inst,
            expected="4 tekens, zoals 00AB",
        )
    name_col = next(
        (c for c in ("INSTELLINGSNAAM", "NAAM INSTELLING", "INSTELLINGSNAAM VESTIGING") if c in raw.rows.columns),
        None,
    )
    names = (
        raw.rows[name_col].astype(str).str.strip() if name_col else pd.Series(None, index=raw.rows.index, dtype=object)
    )
    return pd.DataFrame({"brin": brin, "instellingsnaam": names})


def read_wide(ctx: FileContext) -> Parsed:
    """Read the wide prognosis layout (one column per onderwijstype and year)."""
    raw = upper_columns(_text.read_table(ctx.path))
    ids = _ids(raw)
    check_unique(raw, ids[["brin"]], "instelling")
    parts = []
    for col in raw.rows.columns:
        m = _WIDE.match(col)
        if not m:
            continue
        part = ids.copy()
        part["label_onderwijstype"] = m.group(1).upper()
        part["onderwijstype"] = _type(m.group(1))
        part["jaar"] = int(m.group(2))
        part["aantal"] = _amounts(raw, col).to_numpy()
        parts.append(part)
    return _finish(ctx, raw, pd.concat(parts, ignore_index=True))


def read_long(ctx: FileContext) -> Parsed:
    """Read the long prognosis layout (instelling, onderwijsniveau, JAAR, AANTAL)."""
    raw = upper_columns(_text.read_table(ctx.path))
    ids = _ids(raw)
    level_col = next(c for c in _LEVEL_COLS if c in raw.rows.columns)
    years = raw.rows["JAAR"].astype(str).str.strip()
    ok = years.str.fullmatch(r"(19|20)\d{2}")
    if not ok.all():
        pos = first_true(~ok)
        raise InvoerFout(
            f"'{years.iloc[pos]}' is geen jaar",
            file=ctx.path,
            line=raw.line_of(pos),
            column="JAAR",
            expected="een jaar als 2030",
        )
    labels = raw.rows[level_col].astype(str).str.strip()
    check_unique(
        raw,
        pd.DataFrame({"b": ids["brin"], "n": labels, "j": years}),
        "instelling/onderwijsniveau/jaar",
    )
    long = ids.assign(
        label_onderwijstype=labels,
        onderwijstype=labels.map(_type),
        jaar=years.astype(int),
        aantal=_amounts(raw, "AANTAL"),
    )
    return _finish(ctx, raw, long)


FORMATS = [
    FileFormat(
        "duo-vo-prognose",
        "DUO leerlingenprognose vo per instelling (breed)",
        _detect_wide,
        read_wide,
        priority=9,
    ),
    FileFormat(
        "duo-vo-prognose-lang",
        "DUO prognoses vo per instelling (lang)",
        _detect_long,
        read_long,
        priority=9,
    ),
]
