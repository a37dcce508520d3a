"""Writing tables: the file's extension decides the format (``.csv`` or ``.xlsx``)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd

from dekkend.errors import ConfiguratieFout

FORMATS = (".csv", ".xlsx")


def write_table(frame: pd.DataFrame, path: str | Path, *, sheet: str = "gegevens") -> Path:
    """Write ``frame`` to ``path``: ``.csv`` (comma, decimal point, UTF-8) or ``.xlsx``.

    The file is written beside its target and renamed into place, so a reader
    never sees half a file. Raises :class:`ConfiguratieFout` for another extension.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ConfiguratieFout(
            f"uitvoerbestand {path}: onbekende extensie '{path.suffix or '(geen)'}'; "
            "gebruik .csv (machineleesbaar, komma en punt) of .xlsx (Excel)"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=suffix, dir=path.parent)
    os.close(fd)
    try:
        if suffix == ".csv":
            frame.to_csv(tmp, index=False, sep=",", decimal=".", encoding="utf-8", lineterminator="\n")
        else:
            out = frame.copy()
            for col in out.columns:
                if isinstance(out[col].dtype, pd.DatetimeTZDtype):
                    out[col] = out[col].dt.tz_localize(None)
            with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
                out.to_excel(writer, index=False, sheet_name=sheet[:31])
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path
