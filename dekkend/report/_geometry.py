"""Map geometry without internet: gemeente boundaries and home-area cells in RD kilometres.

Gemeente boundaries come from the table ``gemeentegrenzen`` (GeoJSON in WGS84).
A workspace without it (the demo region) gets *synthetic* boundaries: the
Voronoi cells of the region's PC4 centroids, bounded by their convex hull
widened by 3 km, merged per gemeente. There are no PC4 polygons in the data, so
a home area is drawn as the Voronoi cell of its centroid among the centroids
of its own gemeente, clipped to that gemeente: together the cells cover every
gemeente of the region exactly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPoint, Polygon, box, shape
from shapely.geometry.base import BaseGeometry

from dekkend.crs import wgs84_to_rd
from dekkend.regions import Region, pc4_gemeenten

#: Widening of the synthetic outline around the outermost centroids (km).
SYNTHETIC_MARGIN_KM = 3.0
#: Simplification tolerance of drawn outlines (km).
SIMPLIFY_KM = 0.04
#: Above this many home areas the maps show points instead of cells (a national report).
MAX_CELLS = 900


@dataclass(frozen=True, eq=False)
class Gemeente:
    """One gemeente on the map (RD km)."""

    code: str
    naam: str
    shape: BaseGeometry
    in_region: bool


@dataclass(frozen=True, eq=False)
class MapGeometry:
    """Everything a map draws besides the data: boundaries, home-area cells, the extent.

    Attributes
    ----------
    gemeenten
        Region gemeenten and their neighbours within the extent.
    cells
        PC4 -> its cell (RD km); empty when the maps show points.
    centroids
        ``pc4, x, y`` (RD km) of the region's home areas.
    outline
        The region's outline.
    extent
        ``(x0, y0, x1, y1)`` in RD km, with a margin.
    synthetic
        True when the gemeente boundaries were derived from PC4 centroids.
    """

    gemeenten: tuple[Gemeente, ...]
    cells: dict[str, BaseGeometry]
    centroids: pd.DataFrame
    outline: BaseGeometry
    extent: tuple[float, float, float, float]
    synthetic: bool

    @cached_property
    def cell_paths(self) -> dict[str, tuple[list, list]]:
        """PC4 -> the coordinates of its cell as a plotly path (computed once, used by every map)."""
        return {pc4: path_xy(cell) for pc4, cell in self.cells.items()}

    @property
    def aspect(self) -> float:
        """Height over width of the extent."""
        x0, y0, x1, y1 = self.extent
        return (y1 - y0) / max(x1 - x0, 1e-9)

    @property
    def description(self) -> str:
        """Dutch description of where the boundaries come from, for the map notes."""
        if self.synthetic:
            return (
                "Gemeentegrenzen synthetisch: afgeleid uit de middelpunten van de postcodegebieden "
                "(de werkmap heeft geen gemeentegrenzen)."
            )
        return "Gemeentegrenzen uit de werkmap (tabel gemeentegrenzen)."


def _to_km(geom: BaseGeometry) -> BaseGeometry:
    """A WGS84 geometry in RD kilometres."""

    def project(coords: np.ndarray) -> np.ndarray:
        x, y = wgs84_to_rd(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y]) / 1000.0

    return shapely.transform(geom, project)


def _region_centroids(tables: dict[str, pd.DataFrame], pc4: list[str]) -> pd.DataFrame:
    cen = tables["pc4_centroiden"].drop_duplicates("pc4")
    cen = cen[cen["pc4"].astype(str).isin(pc4)].dropna(subset=["x_rd", "y_rd"])
    return pd.DataFrame(
        {
            "pc4": cen["pc4"].astype(str).to_numpy(),
            "x": cen["x_rd"].to_numpy(float) / 1000.0,
            "y": cen["y_rd"].to_numpy(float) / 1000.0,
        }
    )


def _boundaries(tables: dict[str, pd.DataFrame], wanted: set[str], window: BaseGeometry) -> list[Gemeente]:
    """Gemeenten from ``gemeentegrenzen`` that are wanted or touch the window; the latest year per code."""
    g = tables["gemeentegrenzen"].sort_values("jaar", ascending=False).drop_duplicates("gemeentecode")
    lon0, lat0, lon1, lat1 = _window_lonlat(window)
    near = (g["max_lon"] >= lon0) & (g["min_lon"] <= lon1) & (g["max_lat"] >= lat0) & (g["min_lat"] <= lat1)
    g = g[near | g["gemeentecode"].isin(wanted)]
    out = []
    for r in g.itertuples(index=False):
        geom = _to_km(shape(json.loads(r.geometrie)))
        if not geom.is_valid:
            geom = shapely.make_valid(geom)
        if r.gemeentecode in wanted or geom.intersects(window):
            out.append(Gemeente(str(r.gemeentecode), str(r.gemeentenaam), geom, r.gemeentecode in wanted))
    return out


def _window_lonlat(window: BaseGeometry) -> tuple[float, float, float, float]:
    from dekkend.crs import rd_to_wgs84

    x0, y0, x1, y1 = window.bounds
    lon, lat = rd_to_wgs84(np.array([x0, x1, x0, x1]) * 1000, np.array([y0, y0, y1, y1]) * 1000)
    return float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max())


def _voronoi(points: np.ndarray, envelope: BaseGeometry) -> list[BaseGeometry]:
    """Voronoi cells of ``points`` (in input order), extended to ``envelope``."""
    if len(points) == 1:
        return [envelope]
    cells = shapely.voronoi_polygons(MultiPoint(points), extend_to=envelope, ordered=True)
    return list(cells.geoms)


def _synthetic(
    centroids: pd.DataFrame, gem_of: dict[str, str], names: dict[str, str]
) -> tuple[list[Gemeente], BaseGeometry]:
    pts = centroids[["x", "y"]].to_numpy(float)
    hull = MultiPoint(pts).convex_hull.buffer(SYNTHETIC_MARGIN_KM, quad_segs=4)
    cells = [c.intersection(hull) for c in _voronoi(pts, hull)]
    by_gem: dict[str, list[BaseGeometry]] = {}
    for pc4, cell in zip(centroids["pc4"], cells, strict=True):
        by_gem.setdefault(gem_of.get(pc4, "?"), []).append(cell)
    gems = [
        Gemeente(code, names.get(code, code), shapely.union_all(parts), True) for code, parts in sorted(by_gem.items())
    ]
    return gems, hull


def _gemeente_names(tables: dict[str, pd.DataFrame]) -> dict[str, str]:
    names: dict[str, str] = {}
    for table in ("pc4_gemeente", "vestigingen"):
        t = tables.get(table)
        if t is not None and {"gemeentecode", "gemeentenaam"} <= set(t.columns):
            for code, name in (
                t[["gemeentecode", "gemeentenaam"]].dropna().drop_duplicates("gemeentecode").itertuples(index=False)
            ):
                names.setdefault(str(code), str(name).title() if str(name).isupper() else str(name))
    return names


def map_geometry(tables: dict[str, pd.DataFrame], region: Region, pc4: list[str]) -> MapGeometry:
    """Boundaries and home-area cells of ``region`` for the home areas ``pc4``.

    Parameters
    ----------
    tables
        Workspace tables; ``pc4_centroiden`` is required, ``gemeentegrenzen`` optional.
    region
        The region (its gemeenten are drawn as the region).
    pc4
        The home areas drawn (those of the reachability table).
    """
    centroids = _region_centroids(tables, pc4)
    mapping = pc4_gemeenten(tables)
    gem_of = dict(zip(mapping["pc4"].astype(str), mapping["gemeentecode"].astype(str), strict=True))
    wanted = set(region.gemeenten) | {gem_of[p] for p in centroids["pc4"] if p in gem_of}
    if centroids.empty:
        ves = tables["vestigingen"]
        ves = ves[ves["vestigingscode"].isin(region.vestigingen)].dropna(subset=["x_rd"])
        centroids = pd.DataFrame({"pc4": [], "x": [], "y": []})
        pts = ves[["x_rd", "y_rd"]].to_numpy(float) / 1000.0
    else:
        pts = centroids[["x", "y"]].to_numpy(float)
    base = MultiPoint(pts).convex_hull.buffer(SYNTHETIC_MARGIN_KM) if len(pts) else box(0, 0, 1, 1)
    grenzen = tables.get("gemeentegrenzen")
    synthetic = grenzen is None or grenzen.empty
    if not synthetic:
        gems = _boundaries(tables, wanted, base.buffer(2.0))
        inside = [g.shape for g in gems if g.in_region]
        synthetic = not inside
    if synthetic:
        gems, outline = _synthetic(centroids, gem_of, _gemeente_names(tables)) if len(centroids) else ([], base)
    else:
        outline = shapely.union_all([g.shape for g in gems if g.in_region])
    x0, y0, x1, y1 = outline.union(base if synthetic else outline).bounds
    pad = 0.03 * max(x1 - x0, y1 - y0)
    extent = (x0 - pad, y0 - pad, x1 + pad, y1 + pad)
    window = box(*extent)
    drawn = tuple(
        Gemeente(g.code, g.naam, g.shape.intersection(window).simplify(SIMPLIFY_KM), g.in_region)
        for g in gems
        if g.in_region or g.shape.intersects(window)
    )
    cells = _cells(centroids, gem_of, drawn, outline) if 0 < len(centroids) <= MAX_CELLS else {}
    return MapGeometry(drawn, cells, centroids, outline.simplify(SIMPLIFY_KM), extent, synthetic)


def _cells(
    centroids: pd.DataFrame, gem_of: dict[str, str], gems: tuple[Gemeente, ...], outline: BaseGeometry
) -> dict[str, BaseGeometry]:
    """Voronoi cells of the home areas within their gemeente, so every gemeente is covered by its own areas.

    Home areas of a gemeente that is not drawn (unknown mapping) share the region's outline.
    """
    shapes = {g.code: g.shape for g in gems if g.in_region and not g.shape.is_empty}
    keys = [gem_of.get(p, "") if gem_of.get(p, "") in shapes else "" for p in centroids["pc4"]]
    cells: dict[str, BaseGeometry] = {}
    for key, group in centroids.groupby(pd.Series(keys, index=centroids.index), sort=False):
        area = shapes.get(key, outline)
        pts = group[["x", "y"]].to_numpy(float)
        _, first = np.unique(np.round(pts, 3), axis=0, return_index=True)
        first = np.sort(first)
        raw = _voronoi(pts[first], area.envelope.buffer(1.0))
        by_point = {tuple(np.round(pts[i], 3)): cell for i, cell in zip(first, raw, strict=True)}
        for pc4, xy in zip(group["pc4"], pts, strict=True):
            piece = by_point[tuple(np.round(xy, 3))].intersection(area)
            if not piece.is_empty:
                cells[pc4] = piece.simplify(SIMPLIFY_KM / 2)
    return cells


def path_xy(geom: BaseGeometry, *, holes: bool = False) -> tuple[list[float | None], list[float | None]]:
    """Coordinates of every polygon ring of ``geom`` as one path, rings separated by ``None`` (plotly's gaps)."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    for poly in polygons(geom):
        rings = [poly.exterior, *(poly.interiors if holes else ())]
        for ring in rings:
            c = np.round(np.asarray(ring.coords), 2)
            xs.extend(c[:, 0].tolist())
            ys.extend(c[:, 1].tolist())
            xs.append(None)
            ys.append(None)
    return xs, ys


def polygons(geom: BaseGeometry) -> list[Polygon]:
    if geom.is_empty:
        return []
    if isinstance(geom, Polygon):
        return [geom]
    if hasattr(geom, "geoms"):
        return [p for g in geom.geoms for p in polygons(g)]
    return []
