"""Distances from a routing engine: an origin-destination file ``pc4,vestigingscode,km,minuten``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from dekkend.errors import InvoerFout
from dekkend.geo.matrix import DistanceMatrix
from dekkend.ingest import _text

OD_COLUMNS = ("pc4", "vestigingscode", "km", "minuten")


@dataclass(frozen=True)
class OdReport:
    """What an origin-destination file contributed to a matrix."""

    path: Path
    rows: int
    used: int
    unknown_pc4: int
    unknown_vestigingen: int
    estimated_pairs: int

    def summary(self) -> str:
        """One Dutch sentence for the command line."""
        text = f"{self.used} van {self.rows} paren uit {self.path.name} gebruikt"
        if self.unknown_pc4 or self.unknown_vestigingen:
            text += (
                f"; overgeslagen: {self.unknown_pc4} regels met een onbekend postcodegebied, "
                f"{self.unknown_vestigingen} met een onbekende of niet-gelokaliseerde vestiging"
            )
        if self.estimated_pairs:
            text += f"; {self.estimated_pairs} paren niet in het bestand en dus geschat"
        return text


def _fail(raw: _text.RawTable, mask: pd.Series, message: str, column: str, expected: str) -> None:
    if mask.any():
        pos = int(np.flatnonzero(mask.to_numpy())[0])
        raise InvoerFout(
            message.format(value=raw.rows[column].iloc[pos]),
            file=raw.path,
            line=raw.line_of(pos),
            column=column,
            expected=expected,
        )


def read_od_file(path: str | Path) -> pd.DataFrame:
    """Read and check an origin-destination file.

    The header is exactly ``pc4,vestigingscode,km,minuten`` (any case, ``;``
    or ``,``); ``km`` and ``minuten`` are numbers >= 0 (decimal point or
    comma); every pair appears once. A problem raises
    :class:`~dekkend.errors.InvoerFout` naming the line and column.
    """
    path = Path(path)
    raw = _text.read_table(path)
    raw.rows.columns = [c.strip().lower() for c in raw.rows.columns]
    if tuple(raw.rows.columns) != OD_COLUMNS:
        raise InvoerFout(
            f"kopregel {', '.join(raw.rows.columns)} is geen herkomst-bestemmingsbestand",
            file=path,
            line=1,
            expected=",".join(OD_COLUMNS),
        )
    pc4 = raw.rows["pc4"].astype(str).str.strip()
    _fail(
        raw,
        ~pc4.str.fullmatch(r"[1-9]\d{3}"),
        "'{value}' is geen postcode van vier cijfers",
        "pc4",
        "bijv. 9401",
    )
    code = raw.rows["vestigingscode"].astype(str).str.strip().str.upper()
    _fail(
        raw,
        ~code.str.fullmatch(r"[0-9A-Z]{4}\d{2}"),
        "'{value}' is geen vestigingscode",
        "vestigingscode",
        "BRIN (4 tekens) + vestigingsnummer (2 cijfers), bijv. 00AA01",
    )
    km = _text.parse_decimal(raw, "km")
    minutes = _text.parse_decimal(raw, "minuten")
    _fail(raw, km < 0, "'{value}' is negatief", "km", "een afstand >= 0")
    _fail(raw, minutes < 0, "'{value}' is negatief", "minuten", "een reistijd >= 0")
    frame = pd.DataFrame({"pc4": pc4, "vestigingscode": code, "km": km, "minuten": minutes})
    _fail(
        raw,
        frame.duplicated(["pc4", "vestigingscode"]),
        "het paar staat dubbel in het bestand (postcode {value})",
        "pc4",
        "elk paar pc4, vestigingscode één keer",
    )
    frame.attrs["path"] = str(path)
    return frame


def apply_od(
    matrix: DistanceMatrix, od: pd.DataFrame, path: str | Path = "herkomst-bestemming"
) -> tuple[DistanceMatrix, OdReport]:
    """Replace the matrix cells given in ``od``; pairs the file does not give keep their estimate.

    Rows for home areas or vestigingen that are not in the matrix are
    skipped and counted in the report.
    """
    rows = pd.Index(matrix.pc4).get_indexer(od["pc4"].astype(str))
    cols = pd.Index(matrix.vestigingen).get_indexer(od["vestigingscode"].astype(str))
    ok = (rows >= 0) & (cols >= 0)
    km, minutes = matrix.km.copy(), matrix.minutes.copy()
    km[rows[ok], cols[ok]] = od["km"].to_numpy(float)[ok]
    minutes[rows[ok], cols[ok]] = od["minuten"].to_numpy(float)[ok]
    path = Path(path)
    used = int(ok.sum())
    report = OdReport(
        path,
        len(od),
        used,
        int((rows < 0).sum()),
        int(((rows >= 0) & (cols < 0)).sum()),
        int(km.size - used),
    )
    source = f"herkomst-bestemmingsbestand {path.name} ({used} paren; de overige {km.size - used} geschat)"
    return DistanceMatrix(matrix.pc4, matrix.vestigingen, km, minutes, source), report
