"""Coordinate reference systems: Dutch RD New (EPSG:28992) and WGS84 (EPSG:4326)."""

from __future__ import annotations

from functools import cache

import numpy as np
from pyproj import Transformer

RD = "EPSG:28992"
WGS84 = "EPSG:4326"


@cache
def _transformer(src: str, dst: str) -> Transformer:
    return Transformer.from_crs(src, dst, always_xy=True)


def wgs84_to_rd(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Longitude/latitude (degrees) to RD x/y (metres)."""
    x, y = _transformer(WGS84, RD).transform(np.asarray(lon, float), np.asarray(lat, float))
    return np.asarray(x), np.asarray(y)


def rd_to_wgs84(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """RD x/y (metres) to longitude/latitude (degrees)."""
    lon, lat = _transformer(RD, WGS84).transform(np.asarray(x, float), np.asarray(y, float))
    return np.asarray(lon), np.asarray(lat)


#: Rough bounding box of the Netherlands in RD, used to reject impossible coordinates.
RD_BOUNDS = (-7_000.0, 289_000.0, 300_000.0, 629_000.0)


def in_netherlands_rd(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """True where an RD coordinate lies within the Dutch bounding box."""
    x0, y0, x1, y1 = RD_BOUNDS
    x, y = np.asarray(x, float), np.asarray(y, float)
    return (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)
