"""File formats dekkend can import, each recognised by its header (never by its name).

Every module in this package exposes ``FORMATS``, a list of :class:`FileFormat`,
and may expose ``DERIVE``, a list of functions that rebuild derived tables
after an import. Adding a format means adding a module here.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Literal, overload

import pandas as pd

from dekkend.errors import InvoerFout
from dekkend.ingest import _text

ProbeKind = Literal["tekst", "excel", "json", "shapefile", "onbekend"]

#: Columns every imported row carries.
SOURCE_COLUMNS = ("bron_id", "peildatum")


@dataclass(frozen=True)
class Probe:
    """What is cheap to know about a file before parsing it."""

    path: Path
    kind: ProbeKind
    header: frozenset[str] = frozenset()
    raw_header: tuple[str, ...] = ()

    def has(self, *columns: str) -> bool:
        """True when every column (case-insensitive) is in the text header."""
        return all(c.upper() in self.header for c in columns)


@dataclass(frozen=True)
class FileContext:
    """Identity of the file being read: its content hash and catalogue facts."""

    path: Path
    sha256: str
    known_date: date | None = None

    @property
    def bron_id(self) -> str:
        """Short content hash: the same file under any name has the same id."""
        return self.sha256[:16]

    @overload
    def reference_date(
        self,
        *,
        month: int = ...,
        day: int = ...,
        year_offset: int = ...,
        from_content: date | None = ...,
        required: Literal[True] = ...,
    ) -> date: ...

    @overload
    def reference_date(
        self,
        *,
        month: int = ...,
        day: int = ...,
        year_offset: int = ...,
        from_content: date | None = ...,
        required: bool,
    ) -> date | None: ...

    def reference_date(
        self,
        *,
        month: int = 10,
        day: int = 1,
        year_offset: int = 0,
        from_content: date | None = None,
        required: bool = True,
    ) -> date | None:
        """The file's reference date (peildatum).

        In order: a date in the file's content, the catalogue entry for this
        exact file (by checksum), a year and month in the file name (``-2020-10``:
        the first of that month), a year in the file name plus ``year_offset``
        (then ``month``/``day``): DUO names a school-year file by either year.
        Without any of these: None when not ``required`` (reference geography),
        else a Dutch error.
        """
        if from_content is not None:
            return from_content
        if self.known_date is not None:
            return self.known_date
        stamp = re.search(r"(?<!\d)(20[0-4]\d|19[89]\d)[-_](0[1-9]|1[0-2])(?!\d)", self.path.name)
        if stamp:  # a snapshot named by year and month, e.g. an address list "...-2020-10.csv"
            return date(int(stamp.group(1)), int(stamp.group(2)), 1)
        span = re.search(r"(?<!\d)(20[0-4]\d|19[89]\d)[-_](20[0-4]\d|19[89]\d)(?!\d)", self.path.name)
        if span and int(span.group(2)) == int(span.group(1)) + 1:  # a school year "2019-2020": its first year
            return date(int(span.group(1)) + year_offset, month, day)
        years = re.findall(r"(?<!\d)(20[0-4]\d|19[89]\d)(?!\d)", self.path.name)
        if years:
            return date(int(years[-1]) + year_offset, month, day)
        if not required:
            return None
        raise InvoerFout(
            "de peildatum van dit bestand is onbekend: het bestand staat niet in de catalogus "
            "van bekende DUO/CBS-bestanden en de naam bevat geen jaartal",
            file=self.path,
            expected="een bestandsnaam met het jaartal van de telling, zoals DUO die publiceert",
        )


@dataclass
class Parsed:
    """The result of reading one file: normalised tables plus what was skipped."""

    tables: dict[str, pd.DataFrame]
    reference_date: date | None
    rows_read: int
    skipped: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: Pupils in the file (for the summary), when it counts pupils.
    pupils: int | None = None
    #: School years (start year) the file covers, for the summary.
    years: tuple[int, ...] = ()


@dataclass(frozen=True)
class FileFormat:
    """A known file format: how to recognise it and how to read it."""

    key: str
    title: str
    detect: Callable[[Probe], bool]
    read: Callable[[FileContext], Parsed]
    #: Higher wins when several formats recognise the same header.
    priority: int = 0
    #: Columns a text file of this format must have (checked before reading; case-insensitive).
    #: A recognised file without one of them is an error, never a smaller total.
    required: tuple[str, ...] = ()


Deriver = Callable[[dict[str, pd.DataFrame]], dict[str, pd.DataFrame]]


@cache
def _modules() -> tuple[object, ...]:
    mods = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not info.name.startswith("_"):
            mods.append(importlib.import_module(f"{__name__}.{info.name}"))
    return tuple(mods)


def all_formats() -> list[FileFormat]:
    """Every registered format, highest priority first."""
    formats = [f for mod in _modules() for f in getattr(mod, "FORMATS", [])]
    return sorted(formats, key=lambda f: -f.priority)


def all_derivers() -> list[Deriver]:
    """Functions that rebuild derived tables, in module order."""
    return [d for mod in _modules() for d in getattr(mod, "DERIVE", [])]


def probe(path: Path) -> Probe:
    """Look at a file's first bytes and header to classify it."""
    with path.open("rb") as fh:
        head = fh.read(8)
    suffix = path.suffix.lower()
    if head.startswith(b"\xd0\xcf\x11\xe0") or head.startswith(b"PK\x03\x04") and suffix in (".xlsx", ".xls"):
        return Probe(path, "excel")
    if suffix == ".shp":
        return Probe(path, "shapefile")
    if suffix in (".geojson", ".json"):
        return Probe(path, "json")
    if suffix in (".dbf", ".shx", ".prj", ".cpg", ".sbn", ".sbx", ".qix", ".xml"):
        return Probe(path, "onbekend")
    if _text.looks_binary(path):
        return Probe(path, "onbekend")
    try:
        cells = _text.header_line(path)
    except InvoerFout:
        raise
    except (OSError, UnicodeDecodeError):
        return Probe(path, "onbekend")
    if len(cells) < 2:
        return Probe(path, "onbekend", raw_header=cells)
    return Probe(path, "tekst", frozenset(c.upper() for c in cells), cells)


def unreadable_reason(path: Path) -> str:
    """Why no format recognises this file, in Dutch: leeg, UTF-16, beschadigd, binair, scheidingsteken, kopregel."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        return f"onleesbaar ({exc.strerror or exc})"
    if size == 0:
        return "het bestand is leeg (0 bytes)"
    if head.startswith(b"\x1f\x8b"):
        try:
            _text.file_bytes(path)
        except InvoerFout as exc:
            return exc.detail
        head = _text.file_bytes(path, limit=4096)[:4096]
    if _text.is_utf16(head):
        return "UTF-16-codering; sla het op als CSV in UTF-8 of Windows-1252"
    return _container_reason(path, head) or _header_reason(path)


def _container_reason(path: Path, head: bytes) -> str | None:
    """Why an Excel, JSON, shapefile or other binary file is not recognised; None for a text file."""
    suffix = path.suffix.lower()
    if suffix in (".xls", ".xlsx") or head.startswith((b"\xd0\xcf\x11\xe0", b"PK\x03\x04")):
        from dekkend.ingest.formats._common import excel_preview

        if not excel_preview(path):
            return "beschadigd of afgebroken Excel-bestand (kan niet worden geopend)"
        return "onbekend formaat (geen bekend DUO/CBS-werkblad herkend)"
    if suffix in (".geojson", ".json"):
        return "onbekend formaat (JSON niet herkend als gemeentegrenzen)"
    if suffix == ".shp":
        return "onbekend formaat (shapefile niet herkend)"
    if _text.looks_binary(path):
        return "binair bestand, geen tekst (geen CSV, Excel of gzip)"
    return None


def _header_reason(path: Path) -> str:
    """Why the header line of a text file is not recognised."""
    try:
        cells = _text.header_line(path)
    except InvoerFout as exc:
        return exc.detail
    except UnicodeDecodeError as exc:
        return f"het bestand begint met een UTF-8-kenmerk (BOM) maar byte {exc.start + 1} is geen geldige UTF-8"
    except OSError as exc:
        return f"onleesbaar ({exc.strerror or exc})"
    if not cells:
        return "het bestand bevat alleen lege regels"
    if len(cells) < 2:
        return (
            "onbekend scheidingsteken: de kopregel is één kolom "
            f"('{cells[0][:60]}'); verwacht kolommen gescheiden door ';', ',', tab of '|'"
        )
    shown = ", ".join(cells[:4]) + (", ..." if len(cells) > 4 else "")
    return f"onbekend formaat (kopregel niet herkend: {shown})"


def recognise(p: Probe) -> FileFormat | None:
    """The format that recognises this probe, or None."""
    for fmt in all_formats():
        if fmt.detect(p):
            return fmt
    return None


def with_source(frame: pd.DataFrame, ctx: FileContext, reference: date | None) -> pd.DataFrame:
    """Add the source columns every stored row carries (an unknown date is stored as NaT)."""
    frame = frame.copy()
    frame["bron_id"] = ctx.bron_id
    frame["peildatum"] = pd.Timestamp(reference)
    return frame
