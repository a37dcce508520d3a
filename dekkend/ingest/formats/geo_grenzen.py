"""Gemeente boundaries: the CBS/Kadaster shapefile (e.g. 2019) and GeoJSON (e.g. 2022, generalised).

Geometries are stored as GeoJSON text in WGS84 (RD input is converted), with
the area and centroid computed in RD. The year comes from the content
(``jrstatcode`` like ``2022GM0014``), else the catalogue, else the file name.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from dekkend.crs import rd_to_wgs84, wgs84_to_rd
from dekkend.errors import InvoerFout, LeegBestand
from dekkend.ingest.formats import FileContext, FileFormat, Parsed, Probe, with_source
from dekkend.ingest.formats._geometrie import area_and_centroid, polygons
from dekkend.ingest.gemeenten import normalise_code

_CODE_FIELDS = ("statcode", "gemeenteco", "gemeentecode", "gm_code", "gmcode", "code")
_NAME_FIELDS = ("statnaam", "gemeentena", "gemeentenaam", "gm_naam", "gmnaam", "naam")


def _pick(keys: list[str], wanted: tuple[str, ...]) -> str | None:
    lower = {k.lower(): k for k in keys}
    return next((lower[w] for w in wanted if w in lower), None)


def _is_rd(x: np.ndarray) -> bool:
    return bool(np.nanmax(np.abs(x)) > 1000) if x.size else False


def _transform(geometry: dict, to_wgs84: bool) -> dict:
    """Round coordinates (and convert RD to WGS84 when needed); keep the GeoJSON structure."""
    polys = polygons(geometry)
    out = []
    for poly in polys:
        rings = []
        for ring in poly:
            x, y = ring[:, 0], ring[:, 1]
            if to_wgs84:
                x, y = rd_to_wgs84(x, y)
            rings.append(np.round(np.column_stack([x, y]), 6).tolist())
        out.append(rings)
    return {"type": "MultiPolygon", "coordinates": out}


def _row(code: str, name: str, geometry: dict) -> dict:
    polys = polygons(geometry)
    lon = np.concatenate([p[0][:, 0] for p in polys]) if polys else np.array([])
    lat = np.concatenate([p[0][:, 1] for p in polys]) if polys else np.array([])
    rd = []
    for poly in polys:
        rd.append([np.column_stack(wgs84_to_rd(r[:, 0], r[:, 1])) for r in poly])
    area, cx, cy = area_and_centroid(rd)
    clon, clat = rd_to_wgs84(np.array([cx]), np.array([cy]))
    return {
        "gemeentecode": code,
        "gemeentenaam": name,
        "geometrie": json.dumps(geometry, separators=(",", ":")),
        "lon": float(clon[0]),
        "lat": float(clat[0]),
        "x_rd": cx,
        "y_rd": cy,
        "oppervlakte_km2": area / 1e6,
        "min_lon": float(lon.min()) if lon.size else np.nan,
        "min_lat": float(lat.min()) if lat.size else np.nan,
        "max_lon": float(lon.max()) if lon.size else np.nan,
        "max_lat": float(lat.max()) if lat.size else np.nan,
    }


def _build(
    ctx: FileContext,
    features: list[tuple[int, str, str, dict]],
    rd: bool,
    year: int | None,
    what: str,
) -> Parsed:
    """Rows from (position, raw code, name, geometry); validate codes and uniqueness."""
    if not features:
        raise LeegBestand("het bestand bevat geen gemeenten", file=ctx.path)
    rows: list[dict] = []
    seen: dict[str, int] = {}
    for pos, raw_code, name, geometry in features:
        code = normalise_code(raw_code)
        if code is None:
            raise InvoerFout(
                f"'{raw_code}' is geen gemeentecode",
                file=ctx.path,
                line=pos,
                column=what,
                expected="GM gevolgd door 4 cijfers",
            )
        if code in seen:
            raise InvoerFout(
                f"dubbele gemeente {code}: staat ook op {what} {seen[code]}",
                file=ctx.path,
                line=pos,
                expected="één vlak per gemeente",
            )
        if not polygons(geometry):
            raise InvoerFout(
                f"gemeente {code} heeft geen vlak",
                file=ctx.path,
                line=pos,
                expected="een Polygon of MultiPolygon",
            )
        seen[code] = pos
        rows.append(_row(code, name, _transform(geometry, rd)))
    reference = ctx.reference_date(month=1, from_content=date(year, 1, 1) if year else None)
    frame = pd.DataFrame(rows)
    frame.insert(0, "jaar", reference.year)
    notes = ["coördinaten omgezet van RD naar WGS84"] if rd else []
    return Parsed({"gemeentegrenzen": with_source(frame, ctx, reference)}, reference, len(rows), notes=notes)


# -- GeoJSON --------------------------------------------------------------------
def _detect_geojson(p: Probe) -> bool:
    if p.kind != "json":
        return False
    try:
        head = p.path.read_bytes()[:65536].decode("utf-8", errors="ignore").lower()
    except OSError:
        return False
    return '"featurecollection"' in head and any(f'"{f}"' in head for f in ("statcode", "gemeentecode", "gm_code"))


def read_geojson(ctx: FileContext) -> Parsed:
    """Read a GeoJSON FeatureCollection of gemeenten (``statcode``/``statnaam`` or similar)."""
    try:
        doc = json.loads(ctx.path.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        raise InvoerFout(
            f"geen geldige GeoJSON ({exc})",
            file=ctx.path,
            line=line,
            expected="een volledig GeoJSON-bestand",
        ) from exc
    feats = doc.get("features") or []
    out, years = [], set()
    for i, feat in enumerate(feats, start=1):
        props = feat.get("properties") or {}
        if str(props.get("rubriek", "gemeente")).lower() not in ("gemeente", ""):
            continue
        code_key, name_key = _pick(list(props), _CODE_FIELDS), _pick(list(props), _NAME_FIELDS)
        if code_key is None:
            raise InvoerFout(
                "eigenschap met de gemeentecode ontbreekt",
                file=ctx.path,
                line=i,
                column="properties",
                expected="statcode",
            )
        m = re.match(r"(\d{4})GM", str(props.get("jrstatcode", "")))
        if m:
            years.add(int(m.group(1)))
        out.append(
            (
                i,
                str(props[code_key]),
                str(props.get(name_key, "") or "").strip(),
                feat.get("geometry") or {},
            )
        )
    crs = json.dumps(doc.get("crs", "")).lower()
    first = polygons(out[0][3]) if out else []
    rd = "28992" in crs or (bool(first) and _is_rd(first[0][0][:, 0]))
    return _build(ctx, out, rd, years.pop() if len(years) == 1 else None, "feature")


# -- Shapefile ------------------------------------------------------------------
def _reader(path: Path):
    import shapefile

    return shapefile.Reader(str(path))


def _detect_shapefile(p: Probe) -> bool:
    if p.kind != "shapefile":
        return False
    try:
        with _reader(p.path) as r:
            names = [f[0] for f in r.fields[1:]]
            if _pick(names, _CODE_FIELDS) is None or _pick(names, _NAME_FIELDS) is None or len(r) == 0:
                return False
            rec = r.record(0).as_dict()
            return normalise_code(rec[_pick(names, _CODE_FIELDS)]) is not None and r.shapeType in (
                5,
                15,
                25,
            )
    except Exception:  # noqa: BLE001 - an unreadable shapefile is not ours
        return False


def read_shapefile(ctx: FileContext) -> Parsed:
    """Read a gemeente shapefile (needs the .dbf and .shx beside the .shp)."""
    try:
        reader = _reader(ctx.path)
    except Exception as exc:  # noqa: BLE001
        raise InvoerFout(
            f"de shapefile is onleesbaar ({exc})",
            file=ctx.path,
            expected=".shp met .dbf en .shx ernaast",
        ) from exc
    with reader as r:
        names = [f[0] for f in r.fields[1:]]
        code_key, name_key = _pick(names, _CODE_FIELDS), _pick(names, _NAME_FIELDS)
        prefer = [k for k in names if k.lower() in ("gemeenteco", "statcode", "gm_code")]
        code_key = prefer[0] if prefer else code_key
        out = []
        try:
            for i, sr in enumerate(r.iterShapeRecords(), start=1):
                rec = sr.record.as_dict()
                out.append(
                    (
                        i,
                        str(rec[code_key]),
                        str(rec.get(name_key, "") or "").strip(),
                        sr.shape.__geo_interface__,
                    )
                )
        except Exception as exc:  # noqa: BLE001
            raise InvoerFout(
                f"de shapefile is beschadigd ({exc})",
                file=ctx.path,
                line=len(out) + 1,
                expected="een volledige shapefile",
            ) from exc
    prj = ctx.path.with_suffix(".prj")
    prj_text = prj.read_text(errors="ignore").lower() if prj.is_file() else ""
    first = polygons(out[0][3]) if out else []
    rd = "amersfoort" in prj_text or "rd_new" in prj_text or (bool(first) and _is_rd(first[0][0][:, 0]))
    return _build(ctx, out, rd, None, "record")


FORMATS = [
    FileFormat(
        "gemeentegrenzen-geojson",
        "Gemeentegrenzen (GeoJSON)",
        _detect_geojson,
        read_geojson,
        priority=5,
    ),
    FileFormat(
        "gemeentegrenzen-shapefile",
        "Gemeentegrenzen (shapefile)",
        _detect_shapefile,
        read_shapefile,
        priority=5,
    ),
]
