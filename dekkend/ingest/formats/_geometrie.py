"""Small polygon helpers on GeoJSON geometries (no GIS dependency): point in polygon, area, centroid."""

from __future__ import annotations

import numpy as np

Ring = np.ndarray  # (n, 2) array of x, y


def polygons(geometry: dict) -> list[list[Ring]]:
    """The polygons of a GeoJSON Polygon or MultiPolygon, each a list of rings (outer first)."""
    kind, coords = geometry.get("type"), geometry.get("coordinates", [])
    if kind == "Polygon":
        coords = [coords]
    elif kind != "MultiPolygon":
        return []
    return [[np.asarray(ring, dtype=float)[:, :2] for ring in poly if len(ring) >= 3] for poly in coords]


def _in_ring(x: np.ndarray, y: np.ndarray, ring: Ring) -> np.ndarray:
    """Even-odd ray casting: True where (x, y) lies inside the ring."""
    xs, ys = ring[:, 0], ring[:, 1]
    x0, y0 = xs[:, None], ys[:, None]
    x1, y1 = np.roll(xs, -1)[:, None], np.roll(ys, -1)[:, None]
    crosses = (y0 > y) != (y1 > y)
    with np.errstate(divide="ignore", invalid="ignore"):
        x_cross = x0 + (y - y0) * (x1 - x0) / (y1 - y0)
    return (np.count_nonzero(crosses & (x < x_cross), axis=0) % 2) == 1


def contains(geometry: dict, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """True for each point inside the (multi)polygon; holes are outside."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    inside = np.zeros(x.shape, dtype=bool)
    for poly in polygons(geometry):
        outer = poly[0]
        box = (x >= outer[:, 0].min()) & (x <= outer[:, 0].max()) & (y >= outer[:, 1].min()) & (y <= outer[:, 1].max())
        if not box.any():
            continue
        idx = np.flatnonzero(box)
        hit = _in_ring(x[idx], y[idx], outer)
        for hole in poly[1:]:
            hit &= ~_in_ring(x[idx], y[idx], hole)
        inside[idx[hit]] = True
    return inside


def ring_area(ring: Ring) -> float:
    """Signed shoelace area of a ring (in the units of its coordinates squared)."""
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y))


def area_and_centroid(rings_by_polygon: list[list[Ring]]) -> tuple[float, float, float]:
    """Total area (holes subtracted) and the area-weighted centroid of projected polygons."""
    total, cx, cy = 0.0, 0.0, 0.0
    for poly in rings_by_polygon:
        for k, ring in enumerate(poly):
            a = abs(ring_area(ring)) * (1 if k == 0 else -1)
            if a == 0:
                continue
            x, y = ring[:, 0], ring[:, 1]
            x1, y1 = np.roll(x, -1), np.roll(y, -1)
            cross = x * y1 - x1 * y
            signed = 0.5 * cross.sum()
            if signed == 0:
                continue
            rx = ((x + x1) * cross).sum() / (6 * signed)
            ry = ((y + y1) * cross).sum() / (6 * signed)
            total += a
            cx += a * rx
            cy += a * ry
    if total <= 0:
        return 0.0, float("nan"), float("nan")
    return total, cx / total, cy / total
