"""Checking an attached file by its content: PDF, XLSX or CSV, within size limits, before anything is stored.

The name's extension must agree with what the content is: a PDF starts with ``%PDF-``; an XLSX is a zip
archive with an Excel workbook inside whose members unpack to at most :data:`MAX_UNPACKED` bytes (read, not
trusted from the archive's own header, so a zip bomb is refused without unpacking it all); a CSV is text
(UTF-8 or Windows-1252) without NUL bytes whose first lines a CSV reader can split. Limits are dekkend's own
choice.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from typing import IO

#: Largest file accepted (bytes).
MAX_SIZE = 10 * 1024 * 1024
#: Most bytes an XLSX may unpack to, all members together.
MAX_UNPACKED = 50 * 1024 * 1024
#: Most members in an XLSX archive.
MAX_MEMBERS = 2000
KINDS = {"pdf": "PDF", "xlsx": "Excel (XLSX)", "csv": "CSV"}


class BijlageFout(ValueError):
    """A Dutch message why a file is refused (shown to the person, nothing is stored)."""


@dataclass(frozen=True)
class Checked:
    naam: str
    soort: str
    grootte: int


def check(name: str, handle: IO[bytes], size: int) -> Checked:
    """Check the upload ``name`` (content in ``handle``, ``size`` bytes); raises :class:`BijlageFout`."""
    clean = name.replace("\\", "/").rsplit("/", 1)[-1].strip()[:200]
    extension = clean.rsplit(".", 1)[-1].lower() if "." in clean else ""
    if extension not in KINDS:
        raise BijlageFout(f"'{clean}': alleen PDF-, XLSX- en CSV-bestanden kunnen als bijlage mee.")
    if size > MAX_SIZE:
        raise BijlageFout(
            f"'{clean}' is {size / 1024 / 1024:.1f} MB; een bijlage mag hoogstens {MAX_SIZE // 1024 // 1024} MB zijn."
        )
    if size == 0:
        raise BijlageFout(f"'{clean}' is leeg.")
    handle.seek(0)
    data = handle.read(MAX_SIZE + 1)
    handle.seek(0)
    {"pdf": _pdf, "xlsx": _xlsx, "csv": _csv}[extension](clean, data)
    return Checked(clean, extension, len(data))


def _pdf(name: str, data: bytes) -> None:
    if not data.startswith(b"%PDF-"):
        raise BijlageFout(f"'{name}' heet een PDF, maar de inhoud is geen PDF-bestand.")


def _xlsx(name: str, data: bytes) -> None:
    not_excel = BijlageFout(f"'{name}' heet een Excel-bestand (XLSX), maar de inhoud is geen Excel-werkmap.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise not_excel from exc
    names = {m.filename for m in members}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise not_excel
    if len(members) > MAX_MEMBERS:
        raise BijlageFout(f"'{name}' bevat {len(members)} onderdelen; dat is te veel voor een werkmap.")
    too_big = BijlageFout(
        f"'{name}' pakt uit tot meer dan {MAX_UNPACKED // 1024 // 1024} MB (een 'zipbom' of een veel te grote "
        "werkmap) en is geweigerd."
    )
    unpacked = 0
    try:
        for member in members:
            if unpacked + member.file_size > MAX_UNPACKED:
                raise too_big
            with archive.open(member) as stream:
                while chunk := stream.read(1 << 20):
                    unpacked += len(chunk)
                    if unpacked > MAX_UNPACKED:
                        raise too_big
    except BijlageFout:
        raise
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise not_excel from exc


def _csv(name: str, data: bytes) -> None:
    if b"\x00" in data:
        raise BijlageFout(f"'{name}' heet een CSV-bestand, maar bevat binaire gegevens (geen tekst).")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise BijlageFout(f"'{name}' is geen leesbare tekst (verwacht UTF-8 of Windows-1252).") from exc
    head = text[:65536]
    if head.lstrip().startswith(("%PDF-", "PK")) or not head.strip():
        raise BijlageFout(f"'{name}' heet een CSV-bestand, maar de inhoud is geen tabel met tekst.")
    try:
        dialect = csv.Sniffer().sniff(head, delimiters=",;\t")
        rows = list(csv.reader(io.StringIO(head), dialect))
    except csv.Error:
        rows = list(csv.reader(io.StringIO(head)))
    if not rows:
        raise BijlageFout(f"'{name}' heet een CSV-bestand, maar de inhoud is geen tabel met tekst.")
