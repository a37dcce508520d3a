"""PC4 geography files: centroids (decimal commas) and PC4 to woonplaats/gemeente."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dekkend.crs import wgs84_to_rd
from dekkend.errors import InvoerFout
from dekkend.ingest import _text
from dekkend.ingest.formats import FileContext, FileFormat, Parsed, Probe, with_source


def _pc4(raw: _text.RawTable, column: str) -> tuple[pd.Series, pd.Series]:
    """Valid PC4 codes and a mask of rows that are not a PC4 (totals, blanks)."""
    v = raw.rows[column].astype(str).str.strip()
    ok = v.str.fullmatch(r"[1-9]\d{3}")
    return v.where(ok, None), ~ok


def _check_latlon(raw: _text.RawTable, lat: pd.Series, lon: pd.Series, keep: pd.Series, lat_col: str) -> None:
    bad = keep & ~(lat.between(50.5, 53.8) & lon.between(3.0, 7.4))
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        raise InvoerFout(
            f"coördinaat {lat.iloc[pos]}, {lon.iloc[pos]} ligt niet in Nederland",
            file=raw.path,
            line=raw.line_of(pos),
            column=lat_col,
            expected="breedtegraad 50,5-53,8 en lengtegraad 3,0-7,4",
        )


def _detect_centroids(p: Probe) -> bool:
    return p.kind == "tekst" and p.has("POSTCODE", "LAT", "LON") and len(p.header) <= 4


def read_centroids(ctx: FileContext) -> Parsed:
    """Read PC4 centroids; rows that are not a PC4 (the total row) are skipped and counted."""
    raw = _text.read_table(ctx.path)
    cols = {c.upper(): c for c in raw.rows.columns}
    pc4, not_pc4 = _pc4(raw, cols["POSTCODE"])
    keep = ~not_pc4
    lat = _text.parse_decimal(raw, cols["LAT"], required=False)
    lon = _text.parse_decimal(raw, cols["LON"], required=False)
    missing = keep & (lat.isna() | lon.isna())
    if missing.any():
        pos = int(np.flatnonzero(missing.to_numpy())[0])
        raise InvoerFout(
            "coördinaat ontbreekt", file=ctx.path, line=raw.line_of(pos), column=cols["LAT"], expected="LAT en LON"
        )
    _check_latlon(raw, lat, lon, keep, cols["LAT"])
    frame = pd.DataFrame({"pc4": pc4, "lat": lat, "lon": lon})[keep.to_numpy()]
    dup = frame["pc4"].duplicated()
    if dup.any():
        pos = int(np.flatnonzero(keep.to_numpy())[int(np.flatnonzero(dup.to_numpy())[0])])
        raise InvoerFout(
            "dubbele postcode",
            file=ctx.path,
            line=raw.line_of(pos),
            column=cols["POSTCODE"],
            expected="één regel per PC4",
        )
    x, y = wgs84_to_rd(frame["lon"].to_numpy(), frame["lat"].to_numpy())
    frame["x_rd"], frame["y_rd"] = x, y
    reference = ctx.reference_date(month=1, required=False)
    skipped = {"geen PC4 (totaalregel of leeg)": int(not_pc4.sum())} if not_pc4.any() else {}
    return Parsed({"pc4_centroiden": with_source(frame, ctx, reference)}, reference, len(raw.rows), skipped)


def _detect_woonplaats(p: Probe) -> bool:
    return p.kind == "tekst" and p.has("POSTCODE", "WOONPLAATS", "GEMEENTE", "LATITUDE", "LONGITUDE")


def read_woonplaats(ctx: FileContext) -> Parsed:
    """Read PC4 -> woonplaats/gemeente/provincie; several rows per PC4 are allowed."""
    raw = _text.read_table(ctx.path)
    cols = {c.upper(): c for c in raw.rows.columns}
    pc4, not_pc4 = _pc4(raw, cols["POSTCODE"])
    lat = _text.parse_decimal(raw, cols["LATITUDE"], required=False)
    lon = _text.parse_decimal(raw, cols["LONGITUDE"], required=False)
    keep = ~not_pc4 & lat.notna() & lon.notna()
    _check_latlon(raw, lat, lon, keep, cols["LATITUDE"])
    r = raw.rows
    frame = pd.DataFrame(
        {
            "pc4": pc4,
            "woonplaats": r[cols["WOONPLAATS"]].str.strip(),
            "gemeentenaam": r[cols["GEMEENTE"]].str.strip(),
            "provincie": r[cols.get("PROVINCIE", cols["GEMEENTE"])].str.strip() if "PROVINCIE" in cols else None,
            "soort": r[cols["SOORT"]].str.strip() if "SOORT" in cols else None,
            "lat": lat,
            "lon": lon,
        }
    )[keep.to_numpy()]
    reference = ctx.reference_date(month=1, required=False)
    skipped = {"geen PC4 of geen coördinaat": int((~keep).sum())} if (~keep).any() else {}
    return Parsed({"pc4_woonplaats": with_source(frame, ctx, reference)}, reference, len(r), skipped)


FORMATS = [
    FileFormat("pc4-centroiden", "PC4-centroïden", _detect_centroids, read_centroids, priority=5),
    FileFormat("pc4-woonplaats", "PC4 naar woonplaats en gemeente", _detect_woonplaats, read_woonplaats, priority=5),
]
