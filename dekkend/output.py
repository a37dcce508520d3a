"""Writing tables: the file's extension decides the format (``.csv`` or ``.xlsx``)."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from dekkend.errors import ConfiguratieFout, SchrijfFout, describe_os_error

FORMATS = (".csv", ".xlsx")

#: Temporary files carry the writer's process id: a later writer removes those of a killed one.
_TEMP = re.compile(r"^\.(?:tmp|bezig)-(\d+)-")

#: A text cell a spreadsheet would run as a formula: starting with = + @ tab or CR, or starting with - unless
#: the whole cell is one plain number ("-1+1" and "-2+3+cmd|..." are formulas; "-4" and "-0.5" are not).
_FORMULA = re.compile(r"^(?:[=+@\t\r]|-(?!\d*(?:[.,]\d+)?(?:[eE][+-]?\d+)?$))")


def defuse_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would run as a formula, prefixed with ``'`` (shown as text).

    A scenario or school name such as ``=HYPERLINK(...)`` stays a name in Excel and
    LibreOffice. Numbers and other cells are unchanged.
    """
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or isinstance(out[col].dtype, pd.StringDtype):
            values = out[col]
            risky = values.map(lambda v: isinstance(v, str) and bool(_FORMULA.match(v)))
            if risky.any():
                out[col] = values.where(~risky, "'" + values.astype(str))
    return out


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (a process we may not signal counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def sweep_temporaries(folder: Path) -> None:
    """Remove half-written files a killed writer left in ``folder`` (its process is gone)."""
    try:
        entries = list(folder.iterdir())
    except OSError:
        return
    for entry in entries:
        m = _TEMP.match(entry.name)
        if m and int(m.group(1)) != os.getpid() and not process_alive(int(m.group(1))):
            entry.unlink(missing_ok=True)


def ensure_folder(folder: str | Path) -> Path:
    """Create an output folder and its parents; a file in the way is a :class:`SchrijfFout`."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise SchrijfFout(f"uitvoer {folder} is een bestand, geen map; kies een (nieuwe) map")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as exc:
        raise SchrijfFout(f"uitvoermap {folder} kan niet worden gemaakt: een deel van het pad is een bestand") from exc
    except OSError as exc:
        raise SchrijfFout(f"uitvoermap {folder} kan niet worden gemaakt: {describe_os_error(exc)}") from exc
    sweep_temporaries(folder)
    return folder


def temporary_beside(path: Path) -> Path:
    """A hidden temporary name beside ``path``, tagged with this process id."""
    fd, tmp = tempfile.mkstemp(prefix=f".tmp-{os.getpid()}-", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    return Path(tmp)


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write a text file beside its target and rename it into place (never half a file)."""
    path = Path(path)
    ensure_folder(path.parent)
    if path.is_dir():
        raise SchrijfFout(f"uitvoer {path} is een map, geen bestand")
    return _replace_atomically(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def _replace_atomically(path: Path, write: Callable[[Path], object]) -> Path:
    """``write`` a temporary file beside ``path`` and rename it into place; a Dutch :class:`SchrijfFout`
    (and no temporary left) when that fails."""
    tmp: Path | None = None
    try:
        tmp = temporary_beside(path)
        write(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        raise SchrijfFout(
            f"uitvoer {path} kan niet worden geschreven: {describe_os_error(exc)}; er is niets half geschreven"
        ) from exc
    finally:
        if tmp is not None and tmp.exists():
            tmp.unlink()
    return path


def _prepare_target(path: Path) -> None:
    if path.is_dir():
        raise SchrijfFout(f"uitvoer {path} is een map; geef een bestandsnaam met .csv of .xlsx")
    ensure_folder(path.parent)


def write_table(frame: pd.DataFrame, path: str | Path, *, sheet: str = "gegevens") -> Path:
    """Write ``frame`` to ``path``: ``.csv`` (comma, decimal point, UTF-8) or ``.xlsx``.

    The file is written beside its target and renamed into place, so a reader
    never sees half a file. Text that a spreadsheet would run as a formula stays
    text: a text cell in ``.xlsx``, prefixed with ``'`` in ``.csv`` (:func:`defuse_formulas`).
    Raises :class:`ConfiguratieFout` for another extension and :class:`SchrijfFout` when the
    target cannot be written (a folder in the way, no permission, a full disk).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ConfiguratieFout(
            f"uitvoerbestand {path}: onbekende extensie '{path.suffix or '(geen)'}'; "
            "gebruik .csv (machineleesbaar, komma en punt) of .xlsx (Excel)"
        )
    _prepare_target(path)

    def write(tmp: Path) -> None:
        if suffix == ".csv":
            defuse_formulas(frame).to_csv(tmp, index=False, sep=",", decimal=".", encoding="utf-8", lineterminator="\n")
        else:
            _write_xlsx(frame, tmp, sheet)

    return _replace_atomically(path, write)


def _write_xlsx(frame: pd.DataFrame, tmp: Path, sheet: str) -> None:
    out = frame.copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.DatetimeTZDtype):
            out[col] = out[col].dt.tz_localize(None)
    with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
        out.to_excel(writer, index=False, sheet_name=sheet[:31])
        for row in writer.sheets[sheet[:31]].iter_rows():
            for cell in row:
                if cell.data_type == "f":  # openpyxl turns any text starting with "=" into a formula
                    cell.data_type = "s"
