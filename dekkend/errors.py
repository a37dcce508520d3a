"""The one exception tree of dekkend; every message a user reads is Dutch.

::

    DekkendError
    ├── InvoerFout            bad input: a file, a line, a column, what was expected
    │   ├── OnbekendBestand   a file whose header matches no known format
    │   └── LeegBestand       a file without data rows
    ├── WerkmapFout           the workspace is missing, damaged or locked
    ├── RegioFout             a --regio that selects nothing or is ambiguous
    ├── ConfiguratieFout      a setting or option with a value outside its range
    │   └── GeenPrognose      a future year was asked for, but no forecast is available
    ├── DownloadFout          a published file could not be fetched
    │   └── GeenVerbinding    no connection to the publisher (offline)
    ├── GeenBrowser           no Chromium, Chrome or Edge to print the report's PDF with
    ├── PdfFout               the browser was found, but printing the PDF failed
    └── SchrijfFout           an output could not be written (a file in the way, no permission, disk full)
"""

from __future__ import annotations

from pathlib import Path


class DekkendError(Exception):
    """Base class of every error dekkend raises on purpose."""


class InvoerFout(DekkendError):
    """Bad input, with the file, line and column where it was found.

    ``line`` is 1-based and counts the header as line 1; ``column`` is the
    column name as written in the file.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        column: str | None = None,
        expected: str | None = None,
    ) -> None:
        self.file = str(file) if file is not None else None
        self.line = line
        self.column = column
        self.expected = expected
        self.detail = message
        super().__init__(self._format())

    def _format(self) -> str:
        where = []
        if self.file:
            where.append(f"bestand {self.file}")
        if self.line is not None:
            where.append(f"regel {self.line}")
        if self.column:
            where.append(f"kolom '{self.column}'")
        text = self.detail
        if where:
            text = f"{', '.join(where)}: {text}"
        if self.expected:
            text += f" (verwacht: {self.expected})"
        return text


class OnbekendBestand(InvoerFout):
    """A file whose header matches none of the known DUO/CBS formats."""


class LeegBestand(InvoerFout):
    """A file that has a header but no data rows, or nothing at all."""


class WerkmapFout(DekkendError):
    """The workspace folder is missing, incomplete or damaged."""


class RegioFout(DekkendError):
    """A region expression that selects nothing or matches several candidates."""


class ConfiguratieFout(DekkendError):
    """An option or setting whose value is outside what is allowed."""


class GeenPrognose(ConfiguratieFout):
    """A future school year was asked for, but no forecast covers it (dekkend invents no future offer)."""


class DownloadFout(DekkendError):
    """A published file could not be fetched (bad address, server error, not a data file)."""


class GeenVerbinding(DownloadFout):
    """No connection to the publisher: the computer is offline or the host is unreachable."""


class GeenBrowser(DekkendError):
    """No Chromium, Chrome or Edge was found to print the report's PDF with."""


class PdfFout(DekkendError):
    """The browser was found, but printing the PDF failed."""


class SchrijfFout(DekkendError):
    """An output file or folder could not be written: a file in the way, no permission, or a full disk.

    Nothing half-written is left behind: every writer writes beside its target and renames.
    """


def describe_os_error(exc: OSError) -> str:
    """A Dutch phrase for why a file operation failed (disk full, no permission, ...)."""
    import errno

    reasons = {
        errno.ENOSPC: "de schijf is vol",
        errno.EDQUOT: "de schijfruimte (quotum) is op",
        errno.EACCES: "geen toestemming om hier te schrijven",
        errno.EPERM: "geen toestemming om hier te schrijven",
        errno.EROFS: "de schijf is alleen-lezen",
        errno.ENOTDIR: "een deel van het pad is een bestand, geen map",
        errno.EISDIR: "dit is een map, geen bestand",
        errno.EEXIST: "er staat al een bestand met die naam",
        errno.ENAMETOOLONG: "de naam is te lang",
    }
    return reasons.get(exc.errno or -1, f"systeemfout: {exc.strerror or exc}")
