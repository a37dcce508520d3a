"""Helpers shared by the Foundation II formats: counts with CBS symbols, unique keys, Excel previews."""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from dekkend.errors import InvoerFout
from dekkend.ingest import _text

#: CBS symbols for a cell without a number: ``-`` (treated as secret/missing,
#: never 0), ``x`` secret, ``.`` missing, and the numeric codes some CBS files use.
MISSING_SYMBOLS = frozenset({"-", "x", "X", ".", "?", "-99997", "-99995", "-99996", "-99998", "-99999"})


def first_true(mask: pd.Series | np.ndarray) -> int:
    """Position of the first True in a boolean mask."""
    return int(np.flatnonzero(np.asarray(mask, dtype=bool))[0])


def parse_cbs_count(raw: _text.RawTable, column: str, *, blank_is_missing: bool = True) -> pd.Series:
    """Parse a CBS count column: whole numbers, CBS symbols and blanks as <NA> (never 0).

    Raises :class:`InvoerFout` naming the first line and column with any other value.
    """
    values = raw.rows[column].astype(str).str.strip()
    missing = values.isin(MISSING_SYMBOLS) | (values.eq("") if blank_is_missing else False)
    numeric, bad = _text.count_values(values.where(~missing, "0"))
    if bad.any():
        pos = first_true(bad)
        message, expected = _text.count_problem(values.iloc[pos])
        raise InvoerFout(
            message,
            file=raw.path,
            line=raw.line_of(pos),
            column=column,
            expected=expected + ", leeg, of een CBS-teken ('-', 'x', '.')",
        )
    return numeric.astype("Int64").mask(missing)


def parse_cbs_counts(raw: _text.RawTable, columns: list[str]) -> np.ndarray:
    """Parse many CBS count columns at once into a float matrix (rows x columns, NaN = missing).

    Same rules as :func:`parse_cbs_count`; the error names the first bad cell.
    """
    n = len(raw.rows)
    flat = pd.Series(raw.rows[columns].to_numpy(dtype=object).ravel(order="F"), dtype=object).astype(str).str.strip()
    missing = flat.isin(MISSING_SYMBOLS) | flat.eq("")
    numeric, bad = _text.count_values(flat.where(~missing, "0"))
    if bad.any():
        pos = first_true(bad)
        row, col = pos % n, pos // n
        message, expected = _text.count_problem(flat.iloc[pos])
        raise InvoerFout(
            message,
            file=raw.path,
            line=raw.line_of(row),
            column=columns[col],
            expected=expected + ", leeg, of een CBS-teken ('-', 'x', '.')",
        )
    values = numeric.to_numpy(dtype=float, copy=True)
    values[missing.to_numpy()] = np.nan
    return values.reshape((n, len(columns)), order="F")


def parse_counts(raw: _text.RawTable, columns: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Parse many DUO count columns at once: ``(counts, censored)`` matrices (rows x columns).

    Fast path for files of plain whole numbers; any blank, ``<5`` or bad
    value falls back to :func:`dekkend.ingest._text.parse_count` per column,
    which keeps its rules (blank = 0, ``<5`` censored) and its error messages.
    """
    block = raw.rows[columns].to_numpy(dtype=object)
    try:
        counts = block.astype(np.int64)
        if ((counts >= 0) & (counts <= _text.MAX_COUNT)).all():
            return counts, np.zeros(counts.shape, dtype=bool)
    except (ValueError, TypeError, OverflowError):
        pass
    parsed = [_text.parse_count(raw, c) for c in columns]
    counts = np.column_stack([p[0].fillna(0).to_numpy(dtype=np.int64) for p in parsed])
    censored = np.column_stack([p[1].to_numpy(dtype=bool) for p in parsed])
    return counts, censored


def check_unique(raw: _text.RawTable, key: pd.DataFrame, what: str, *, mask: pd.Series | None = None) -> None:
    """Raise a Dutch error naming both lines when a key occurs twice (rows outside ``mask`` ignored)."""
    sub = key if mask is None else key[mask.to_numpy()]
    dup = sub.duplicated(keep="first")
    if not dup.any():
        return
    pos_sub = first_true(dup)
    row = sub.iloc[pos_sub]
    same = (sub == row).all(axis=1).to_numpy()
    first_sub = int(np.flatnonzero(same)[0])
    index = sub.index
    pos, first = key.index.get_loc(index[pos_sub]), key.index.get_loc(index[first_sub])
    raise InvoerFout(
        f"dubbele regel: {what} {' / '.join(map(str, row))} staat ook op regel {raw.line_of(first)}",
        file=raw.path,
        line=raw.line_of(pos),
        expected="één regel per sleutel",
    )


def yyyymmdd(raw: _text.RawTable, column: str) -> date | None:
    """The single date in a ``PEILDATUM``-like column (JJJJMMDD), or None when the column is absent."""
    if column not in raw.rows.columns:
        return None
    values = raw.rows[column].astype(str).str.strip().unique()
    if len(values) != 1 or not re.fullmatch(r"\d{8}", values[0]):
        raise InvoerFout(
            f"de kolom {column} bevat {len(values)} verschillende waarden ({', '.join(values[:3])})",
            file=raw.path,
            column=column,
            expected="één peildatum JJJJMMDD voor het hele bestand",
        )
    v = values[0]
    return date(int(v[:4]), int(v[4:6]), int(v[6:]))


def upper_columns(raw: _text.RawTable) -> _text.RawTable:
    """Upper-case the column names in place (DUO changes their case between vintages)."""
    raw.rows.columns = [c.upper() for c in raw.rows.columns]
    return raw


# -- Excel ----------------------------------------------------------------------
@lru_cache(maxsize=8)
def _preview(path: str, mtime: float, size: int, nrows: int) -> dict[str, list[list[object]]]:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(path)
    out: dict[str, list[list[object]]] = {}
    for name in book.sheet_names:
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False, nrows=nrows)
        out[name] = [list(r) for r in rows]
    return out


def excel_preview(path: Path, nrows: int = 6) -> dict[str, list[list[object]]]:
    """The first rows of every sheet of an Excel file (cached; empty dict when unreadable)."""
    try:
        st = path.stat()
        return _preview(str(path), st.st_mtime, st.st_size, nrows)
    except Exception:  # noqa: BLE001 - an unreadable workbook is simply not recognised
        return {}


def read_excel_sheet(path: Path, sheet: str) -> list[list[object]]:
    """Every row of one sheet as Python values; a damaged workbook raises :class:`InvoerFout`."""
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        return [list(r) for r in book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)]
    except Exception as exc:  # noqa: BLE001
        raise InvoerFout(
            f"het Excel-bestand is beschadigd of onleesbaar ({exc})",
            file=path,
            expected=f"een werkblad '{sheet}'",
        ) from exc


def excel_column(index: int) -> str:
    """``0`` -> ``A``, ``27`` -> ``AB``: the Excel column letter for a 0-based index."""
    name = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        name = chr(65 + rem) + name
    return name


def cell_text(value: object) -> str:
    """An Excel cell as trimmed text (``1011.0`` -> ``1011``; empty for None)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def school_year_reference(ctx, content: date | None, *, month: int = 10) -> date:
    """The reference date of a DUO school-year file.

    In order: a date in the content, the catalogue, a school-year range in the
    name (``2017-2018`` is counted on 1 October 2017), a single year in the name.
    """
    if content is None and ctx.known_date is None:
        m = re.search(r"(?<!\d)(20\d{2})[-_](20\d{2})(?!\d)", ctx.path.name)
        if m and int(m.group(2)) == int(m.group(1)) + 1:
            content = date(int(m.group(1)), month, 1)
    return ctx.reference_date(month=month, from_content=content)
