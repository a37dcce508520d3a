"""Reading delimited text files in every vintage: encodings, delimiters, line endings, gzip."""

from __future__ import annotations

import csv
import hashlib
import io
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from dekkend.errors import InvoerFout, LeegBestand

DELIMITERS = (";", ",", "\t", "|")

#: The estimate used in totals for a censored count ``<5`` (a value 1 to 4):
#: the mean of 1..4. The count itself stays censored in the tables.
CENSORED_ESTIMATE = 2.5

#: Largest size a compressed file may unpack to (dekkend's own choice: the largest published DUO/CBS
#: file is far smaller; a file that unpacks to more is refused instead of filling the memory).
MAX_UNPACKED_BYTES = 256 * 2**20

#: Largest count one cell may hold (dekkend's own choice: more than everyone living in the
#: Netherlands); a larger value is a damaged file, not a count.
MAX_COUNT = 20_000_000

_GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class RawTable:
    """A delimited text file read as strings, with the line number of every row.

    ``rows`` has one column per header cell (as written, trimmed) and string
    values; ``lines`` gives the 1-based line in the file of each row, the
    header being line 1 (blank lines are counted, so a user can find the row).
    """

    path: Path
    encoding: str
    delimiter: str
    line_ending: str
    header: tuple[str, ...]
    rows: pd.DataFrame
    lines: np.ndarray = field(repr=False)

    def line_of(self, index: int) -> int:
        """The file line of row ``index`` (positional)."""
        return int(self.lines[index])


def file_bytes(path: Path, limit: int | None = None) -> bytes:
    """The file's content, gunzipped when it is gzip-compressed (by magic bytes, not name).

    Decompression streams in blocks and stops at :data:`MAX_UNPACKED_BYTES` with a
    Dutch error, so a small file that unpacks to gigabytes never fills the memory.
    With ``limit`` only (at least) the first ``limit`` bytes are returned, unpacking
    no more than needed.
    """
    with path.open("rb") as fh:
        if fh.read(2) != _GZIP_MAGIC:
            fh.seek(0)
            return fh.read() if limit is None else fh.read(limit)
        fh.seek(0)
        return _gunzip(fh, path, limit)


def _gunzip(fh: io.BufferedReader, path: Path, limit: int | None) -> bytes:
    out = bytearray()
    cap = MAX_UNPACKED_BYTES
    engine = zlib.decompressobj(wbits=31)
    pending = b""
    while True:
        block = pending or fh.read(1 << 16)
        pending = b""
        if not block:
            break
        stop = cap + 1 if limit is None else min(cap + 1, limit)
        try:
            out += engine.decompress(block, stop - len(out))
            while engine.unconsumed_tail and len(out) < stop:
                out += engine.decompress(engine.unconsumed_tail, stop - len(out))
        except zlib.error as exc:
            raise InvoerFout("het gzip-bestand is beschadigd", file=path, expected="een volledig gzip-bestand") from exc
        if len(out) > cap:
            raise InvoerFout(
                f"het gzip-bestand pakt uit tot meer dan {cap // 2**20} MB; dat is geen DUO/CBS-bestand "
                "(of het is beschadigd)",
                file=path,
                expected=f"uitgepakt hooguit {cap // 2**20} MB",
            )
        if limit is not None and len(out) >= limit:
            return bytes(out)
        if engine.eof:  # a next gzip member may follow (per-gemeente files concatenated)
            pending = engine.unused_data
            engine = zlib.decompressobj(wbits=31)
            if not pending and not (pending := fh.read(1 << 16)):
                return bytes(out)
            if pending.strip(b"\x00") == b"":
                return bytes(out)
    if not engine.eof and limit is None:
        raise InvoerFout(
            "het gzip-bestand is afgebroken (het einde ontbreekt)", file=path, expected="een volledig gzip-bestand"
        )
    return bytes(out)


def is_utf16(head: bytes) -> bool:
    """True for text in UTF-16 (a BOM, or a NUL byte beside most ASCII characters)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    sample = head[:2000]
    return (
        len(sample) >= 8
        and sample.count(b"\x00") > len(sample) // 3
        and (sample[1::2].count(0) > len(sample) // 3 or sample[0::2].count(0) > len(sample) // 3)
    )


def looks_binary(path: Path) -> bool:
    """True when the (unpacked) start of the file is not text: NUL bytes or UTF-16."""
    try:
        head = file_bytes(path, limit=4096)[:4096]
    except InvoerFout:
        return False
    return b"\x00" in head or is_utf16(head)


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of the raw file bytes (as stored, before gunzip)."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def decode(data: bytes) -> tuple[str, str]:
    """Decode bytes as UTF-8 (with or without BOM), else cp1252, else latin-1.

    Returns the text and the encoding name used.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def normalise_newlines(text: str) -> tuple[str, str]:
    """Turn CRLF and bare CR into LF; report which ending the file used."""
    if "\r\n" in text:
        ending = "CRLF"
    elif "\r" in text:
        ending = "CR"
    else:
        ending = "LF"
    if ending != "LF":
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, ending


def sniff_delimiter(header_line: str) -> str:
    """The delimiter that splits the header line into the most cells (quotes respected)."""
    best, best_n = ";", 0
    for delim in DELIMITERS:
        try:
            n = len(next(csv.reader([header_line], delimiter=delim)))
        except (csv.Error, StopIteration):
            continue
        if n > best_n:
            best, best_n = delim, n
    return best


def header_line(path: Path, max_bytes: int = 64_000) -> tuple[str, ...]:
    """Only the header cells of a delimited text file (cheap: reads the start)."""
    data = file_bytes(path, limit=max_bytes)[:max_bytes]
    text, _ = decode_prefix(data)
    text, _ = normalise_newlines(text)
    for line in text.split("\n"):
        if line.strip():
            delim = sniff_delimiter(line)
            return tuple(clean_cell(c) for c in next(csv.reader([line], delimiter=delim)))
    return ()


def decode_prefix(data: bytes) -> tuple[str, str]:
    """Like :func:`decode` but tolerant of a multi-byte character cut at the end."""
    try:
        return decode(data)
    except UnicodeDecodeError:
        return decode(data[:-3])


def clean_cell(cell: str) -> str:
    """Trim a header cell: whitespace, stray quotes and a BOM or its mojibake."""
    cell = cell.strip().strip("\ufeff")
    for junk in ("ï»¿", "\ufffd"):
        cell = cell.replace(junk, "")
    return cell.strip().strip('"').strip()


def read_table(path: Path, *, min_columns: int = 2) -> RawTable:
    """Read a delimited text file into a :class:`RawTable`.

    Handles UTF-8 with or without BOM, cp1252/latin-1, ``;``/``,``/tab,
    LF/CRLF/bare-CR line endings and gzip. Blank lines are skipped (their
    line numbers still count). Every row must have as many cells as the
    header; a row with fewer or more cells raises :class:`InvoerFout` naming
    the line, which is also how a truncated file is caught.
    """
    text, encoding, ending = _decoded_text(path)
    first = next((i for i, ln in enumerate(text.split("\n", 50)) if ln.strip()), 0)
    head = text.split("\n", first + 1)[first]
    delimiter = sniff_delimiter(head)
    header, records, lines = _records(text, delimiter, path, min_columns)
    if header is None:
        raise LeegBestand("het bestand heeft geen kopregel", file=path, expected="een kopregel")
    if not records:
        raise LeegBestand("het bestand heeft een kopregel maar geen gegevens", file=path)
    frame = pd.DataFrame(records, columns=list(_dedupe(header)), dtype=object)
    return RawTable(
        path=path,
        encoding=encoding,
        delimiter=delimiter,
        line_ending=ending,
        header=header,
        rows=frame,
        lines=np.asarray(lines, dtype=np.int64),
    )


def _decoded_text(path: Path) -> tuple[str, str, str]:
    """The file's text with ``\n`` line endings, its encoding and its original line ending; or why it is no text."""
    data = file_bytes(path)
    if not data.strip():
        raise LeegBestand("het bestand is leeg", file=path, expected="een kopregel en gegevensregels")
    if is_utf16(data[:4096]):
        raise InvoerFout(
            "het bestand is in UTF-16 opgeslagen",
            file=path,
            expected="CSV in UTF-8 of Windows-1252 (in Excel: 'CSV UTF-8')",
        )
    try:
        text, encoding = decode(data)
    except UnicodeDecodeError as exc:
        raise InvoerFout(
            f"het bestand begint met een UTF-8-kenmerk (BOM) maar byte {exc.start + 1} is geen geldige UTF-8",
            file=path,
            expected="een volledig UTF-8-bestand, of een bestand zonder BOM",
        ) from exc
    del data
    text, ending = normalise_newlines(text)
    nul = text.find("\x00")
    if nul >= 0:
        raise InvoerFout(
            "de regel bevat een NUL-teken (een beschadigd of binair bestand?)",
            file=path,
            line=text.count("\n", 0, nul) + 1,
            expected="alleen tekst",
        )
    return text, encoding, ending


def _records(
    text: str, delimiter: str, path: Path, min_columns: int
) -> tuple[tuple[str, ...] | None, list[list[str]], list[int]]:
    """The header, the records and the line each record starts on; a malformed row raises :class:`InvoerFout`."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header: tuple[str, ...] | None = None
    records: list[list[str]] = []
    lines: list[int] = []
    start = 0
    while True:
        start = reader.line_num + 1  # the line this record starts on (a quoted field may span lines)
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise InvoerFout(_csv_error(exc), file=path, line=start, expected="geldige CSV") from exc
        if not row or all(not c.strip() for c in row):
            continue
        if header is None:
            header = tuple(clean_cell(c) for c in row)
            if len(header) < min_columns:
                raise InvoerFout(
                    f"de kopregel heeft maar {len(header)} kolom(men); het scheidingsteken is niet herkend",
                    file=path,
                    line=start,
                    expected="kolommen gescheiden door ';', ',', tab of '|'",
                )
            continue
        if len(row) != len(header):
            if len(row) == len(header) + 1 and not row[-1].strip():
                row = row[:-1]
            else:
                raise InvoerFout(
                    _field_count_error(len(row), len(header), start, reader.line_num),
                    file=path,
                    line=start,
                    expected=f"{len(header)} velden gescheiden door '{delimiter}'",
                )
        records.append(row)
        lines.append(start)
    return header, records, lines


def _csv_error(exc: csv.Error) -> str:
    text = str(exc)
    if "field larger than field limit" in text:
        return (
            'een veld is groter dan 128 kB: waarschijnlijk een aanhalingsteken (") op deze regel '
            "dat niet wordt gesloten"
        )
    if "NUL" in text:
        return "de regel bevat een NUL-teken (een binair of UTF-16-bestand?)"
    if "unexpected end of data" in text:
        return 'het bestand eindigt binnen een veld tussen aanhalingstekens (") dat op deze regel begint'
    return f"onleesbare CSV-regel ({text})"


def _field_count_error(found: int, wanted: int, start: int, end: int) -> str:
    if end > start:
        return (
            f'een aanhalingsteken (") op deze regel wordt niet gesloten: de regel loopt door tot regel '
            f"{end} en heeft daardoor {found} velden, de kopregel {wanted}"
        )
    return f"deze regel heeft {found} velden, de kopregel {wanted} (afgebroken bestand of verkeerd scheidingsteken?)"


def count_values(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Strictly parse whole-number text: ``(numbers as float, bad mask)``.

    Only digits count (``1e3``, ``1.5``, ``-1`` and ``0x10`` are bad); ``12.0`` as Excel
    writes it is 12. A value above :data:`MAX_COUNT` is bad (implausible), also when it
    would not fit a 64-bit integer.
    """
    text = values.astype(str).str.strip().str.replace(r"\.0+$", "", regex=True)
    digits = text.str.fullmatch(r"\d{1,9}")
    numeric = pd.to_numeric(text.where(digits, "0"), errors="coerce").astype(float)
    bad = ~digits | (numeric > MAX_COUNT)
    return numeric, bad


def count_problem(value: str) -> tuple[str, str]:
    """The Dutch message and expectation for a bad count cell."""
    text = value.strip().removesuffix(".0")
    if text.isdigit():
        return (
            f"'{value}' is geen aannemelijk aantal (meer dan {MAX_COUNT:,} in één cel)".replace(",", "."),
            f"een aantal tot {MAX_COUNT:,}".replace(",", "."),
        )
    return f"'{value}' is geen aantal", "een geheel getal >= 0, alleen cijfers"


def _dedupe(names: tuple[str, ...]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        if name in seen:
            seen[name] += 1
            out.append(f"{name}.{seen[name]}")
        else:
            seen[name] = 0
            out.append(name)
    return out


def parse_count(raw: RawTable, column: str, *, allow_censored: bool = True) -> tuple[pd.Series, pd.Series]:
    """Parse a count column: whole numbers >= 0, blank as 0, ``<5`` as censored.

    Returns ``(count, censored)`` where a censored cell has count <NA> and
    censored True: a censored count is 1 to 4, never 0, and is kept. Any other
    value raises :class:`InvoerFout` naming the first bad line and column.
    """
    values = raw.rows[column].astype(str).str.strip()
    censored = values.str.fullmatch(r"<\s*5") if allow_censored else values.eq("\0")
    blank = values.eq("")
    numeric, bad = count_values(values.where(~censored & ~blank, "0"))
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        message, expected = count_problem(values.iloc[pos])
        raise InvoerFout(
            message,
            file=raw.path,
            line=raw.line_of(pos),
            column=column,
            expected=expected + (" of '<5'" if allow_censored else ""),
        )
    count = numeric.astype("Int64").mask(censored)
    return count, censored.astype(bool)


def parse_decimal(raw: RawTable, column: str, *, required: bool = True) -> pd.Series:
    """Parse a decimal column written with a decimal comma or point."""
    values = raw.rows[column].astype(str).str.strip().str.replace(",", ".", regex=False)
    out = pd.to_numeric(values.where(values != "", None), errors="coerce")
    bad = out.isna() & (values != "") if not required else out.isna()
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        raise InvoerFout(
            f"'{raw.rows[column].iloc[pos]}' is geen getal",
            file=raw.path,
            line=raw.line_of(pos),
            column=column,
            expected="een decimaal getal (komma of punt)",
        )
    return out.astype(float)


def require_columns(raw: RawTable, columns: list[str] | tuple[str, ...]) -> None:
    """Raise a Dutch error listing every required column missing from the header."""
    missing = [c for c in columns if c not in raw.rows.columns]
    if missing:
        raise InvoerFout(
            "kolom(men) ontbreken: " + ", ".join(missing),
            file=raw.path,
            line=1,
            expected="de kopregel van dit DUO/CBS-formaat",
        )


def estimated_count(frame: pd.DataFrame) -> pd.Series:
    """``aantal`` as floats with censored cells at :data:`CENSORED_ESTIMATE`."""
    n = frame["aantal"].astype("Float64")
    if "gecensureerd" in frame.columns:
        n = n.mask(frame["gecensureerd"].astype(bool), CENSORED_ESTIMATE)
    return n.fillna(0.0).astype(float)
