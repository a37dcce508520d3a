"""Dense distance and cycling-time matrices from home areas (PC4) to vestigingen, built in blocks."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dekkend.errors import ConfiguratieFout
from dekkend.geo.travel import TravelModel
from dekkend.geo.water import CROSSINGS, MAINLAND, Crossing, Port, assign_zones

#: Rows per block when the straight-line matrix is computed (keeps the float64
#: temporaries near 10 MB for 1,750 vestigingen).
BLOCK_ROWS = 768


@dataclass(frozen=True, eq=False)
class DistanceMatrix:
    """Road distance (km) and cycling time (minutes) from every home area to every vestiging.

    Attributes
    ----------
    pc4
        Row labels: the home areas (four-digit postcodes), shape ``(n,)``.
    vestigingen
        Column labels: the vestigingscodes, shape ``(m,)``.
    km, minutes
        ``float32`` arrays of shape ``(n, m)``; ``inf`` where no route is known.
    source
        How the values were made: ``schatting`` or a description of the
        origin-destination file that replaced part of them.
    """

    pc4: np.ndarray
    vestigingen: np.ndarray
    km: np.ndarray
    minutes: np.ndarray
    source: str = "schatting"

    def __post_init__(self) -> None:
        shape = (len(self.pc4), len(self.vestigingen))
        if self.km.shape != shape or self.minutes.shape != shape:
            raise ConfiguratieFout(f"afstandsmatrix heeft vorm {self.km.shape}/{self.minutes.shape}, verwacht {shape}")

    def select(
        self,
        pc4: np.ndarray | list[str] | None = None,
        vestigingen: np.ndarray | list[str] | None = None,
    ) -> DistanceMatrix:
        """The sub-matrix for the given home areas and/or vestigingen (labels not present are dropped)."""
        rows = (
            np.arange(len(self.pc4))
            if pc4 is None
            else np.flatnonzero(np.isin(self.pc4, np.asarray(pc4, dtype=object)))
        )
        cols = (
            np.arange(len(self.vestigingen))
            if vestigingen is None
            else np.flatnonzero(np.isin(self.vestigingen, np.asarray(vestigingen, dtype=object)))
        )
        return DistanceMatrix(
            self.pc4[rows],
            self.vestigingen[cols],
            self.km[np.ix_(rows, cols)],
            self.minutes[np.ix_(rows, cols)],
            self.source,
        )

    def long(self) -> pd.DataFrame:
        """The matrix as a tidy frame ``pc4, vestigingscode, km, minuten`` (the origin-destination file format)."""
        n, m = self.km.shape
        return pd.DataFrame(
            {
                "pc4": np.repeat(self.pc4, m),
                "vestigingscode": np.tile(self.vestigingen, n),
                "km": self.km.ravel(),
                "minuten": self.minutes.ravel(),
            }
        )


def _pairwise_km(ax: np.ndarray, ay: np.ndarray, bx: np.ndarray, by: np.ndarray) -> np.ndarray:
    """Straight-line kilometres between every a and every b (float64)."""
    return np.hypot(ax[:, None] - bx[None, :], ay[:, None] - by[None, :]) / 1000.0


def _port_graph(
    ports: list[Port], crossings: tuple[Crossing, ...], model: TravelModel
) -> tuple[np.ndarray, np.ndarray]:
    """Shortest km and minutes between all ports (Floyd-Warshall over crossings and same-zone legs)."""
    xy = np.array([p.rd for p in ports]).reshape(len(ports), 2)
    zone = np.array([p.zone for p in ports], dtype=object)
    straight = _pairwise_km(xy[:, 0], xy[:, 1], xy[:, 0], xy[:, 1]) * model.detour_factor
    same = zone[:, None] == zone[None, :]
    km = np.where(same, straight, np.inf)
    minutes = np.where(same, straight / model.cycling_speed_kmh * 60.0, np.inf)
    index = {p: i for i, p in enumerate(ports)}
    for c in crossings:
        i, j = index[c.a], index[c.b]
        km[i, j] = km[j, i] = min(km[i, j], c.length_km)
        minutes[i, j] = minutes[j, i] = min(minutes[i, j], c.minutes)
    for k in range(len(ports)):
        km = np.minimum(km, km[:, k, None] + km[None, k, :])
        minutes = np.minimum(minutes, minutes[:, k, None] + minutes[None, k, :])
    return km, minutes


def _via_ports(
    o_xy: np.ndarray,
    d_xy: np.ndarray,
    p_xy: np.ndarray,
    q_xy: np.ndarray,
    g: np.ndarray,
    factor: float,
    per_km: float,
) -> np.ndarray:
    """min over exit port p and entry port q of leg(o, p) + g[p, q] + leg(q, d); legs scaled by ``factor * per_km``."""
    leg_out = _pairwise_km(o_xy[:, 0], o_xy[:, 1], p_xy[:, 0], p_xy[:, 1]) * factor * per_km
    leg_in = _pairwise_km(q_xy[:, 0], q_xy[:, 1], d_xy[:, 0], d_xy[:, 1]) * factor * per_km
    best = np.full((len(o_xy), len(d_xy)), np.inf)
    for p in range(len(p_xy)):
        for q in range(len(q_xy)):
            best = np.minimum(best, leg_out[:, p, None] + g[p, q] + leg_in[None, q, :])
    return best


def estimate_matrix(
    origins: pd.DataFrame,
    destinations: pd.DataFrame,
    model: TravelModel | None = None,
    *,
    crossings: tuple[Crossing, ...] = CROSSINGS,
) -> DistanceMatrix:
    """Estimated road distance and cycling time from every origin to every destination.

    Within a zone the distance is the straight line times the detour factor
    and the time is that distance at the cycling speed. Between zones (see
    :mod:`dekkend.geo.water`) the trip runs through the ports of the
    crossings, adding each crossing's length and time; zones without a
    crossing between them get ``inf``.

    Parameters
    ----------
    origins
        Columns ``pc4``, ``x_rd``, ``y_rd`` and optionally ``zone``.
    destinations
        Columns ``vestigingscode``, ``x_rd``, ``y_rd`` and optionally ``zone``.
    model
        Detour factor and cycling speed (default :class:`TravelModel`).
    crossings
        The fixed connections over water.

    Returns
    -------
    DistanceMatrix
        ``float32`` km and minutes, rows in the order of ``origins``.
    """
    model = model or TravelModel()
    ox, oy = origins["x_rd"].to_numpy(float), origins["y_rd"].to_numpy(float)
    dx, dy = destinations["x_rd"].to_numpy(float), destinations["y_rd"].to_numpy(float)
    if np.isnan(ox).any() or np.isnan(dx).any():
        raise ConfiguratieFout("afstanden: elk postcodegebied en elke vestiging heeft RD-coördinaten nodig")
    oz = origins["zone"].to_numpy(object) if "zone" in origins else np.full(len(ox), MAINLAND, dtype=object)
    dz = destinations["zone"].to_numpy(object) if "zone" in destinations else np.full(len(dx), MAINLAND, dtype=object)
    n, m = len(ox), len(dx)
    km = np.empty((n, m), dtype=np.float32)
    for start in range(0, n, BLOCK_ROWS):
        stop = min(start + BLOCK_ROWS, n)
        km[start:stop] = _pairwise_km(ox[start:stop], oy[start:stop], dx, dy) * model.detour_factor
    minutes = km * np.float32(60.0 / model.cycling_speed_kmh)
    _fill_between_zones(km, minutes, (ox, oy, oz), (dx, dy, dz), model, crossings)
    return DistanceMatrix(
        origins["pc4"].astype(str).to_numpy(object),
        destinations["vestigingscode"].astype(str).to_numpy(object),
        km,
        minutes,
        "schatting",
    )


def _fill_between_zones(
    km: np.ndarray,
    minutes: np.ndarray,
    o: tuple,
    d: tuple,
    model: TravelModel,
    crossings: tuple[Crossing, ...],
) -> None:
    """Overwrite the cells whose origin and destination lie in different zones with routes via the ports."""
    ox, oy, oz = o
    dx, dy, dz = d
    if len(oz) == 0 or len(dz) == 0 or len(set(oz) | set(dz)) == 1:
        return
    ports = list(dict.fromkeys([c.a for c in crossings] + [c.b for c in crossings]))
    g_km, g_min = _port_graph(ports, crossings, model)
    p_xy = np.array([p.rd for p in ports]).reshape(len(ports), 2)
    p_zone = np.array([p.zone for p in ports], dtype=object)
    per_min = 60.0 / model.cycling_speed_kmh
    for za in np.unique(oz):
        rows = np.flatnonzero(oz == za)
        for zb in np.unique(dz):
            if za == zb:
                continue
            cols = np.flatnonzero(dz == zb)
            pa, pb = np.flatnonzero(p_zone == za), np.flatnonzero(p_zone == zb)
            block = np.ix_(rows, cols)
            if len(pa) == 0 or len(pb) == 0:
                km[block], minutes[block] = np.inf, np.inf
                continue
            o_xy = np.column_stack([ox[rows], oy[rows]])
            d_xy = np.column_stack([dx[cols], dy[cols]])
            f = model.detour_factor
            km[block] = _via_ports(o_xy, d_xy, p_xy[pa], p_xy[pb], g_km[np.ix_(pa, pb)], f, 1.0)
            minutes[block] = _via_ports(o_xy, d_xy, p_xy[pa], p_xy[pb], g_min[np.ix_(pa, pb)], f, per_min)


def home_areas(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Home areas with a position: ``pc4, x_rd, y_rd, zone`` from ``pc4_centroiden``."""
    cen = tables.get("pc4_centroiden")
    if cen is None or cen.empty:
        raise ConfiguratieFout("de werkmap heeft geen PC4-middelpunten (pc4_centroiden); importeer het PC4-bestand")
    out = cen[["pc4", "x_rd", "y_rd"]].dropna().drop_duplicates("pc4").reset_index(drop=True)
    out["pc4"] = out["pc4"].astype(str)
    out["zone"] = assign_zones(out["pc4"].to_numpy(object), out["x_rd"].to_numpy(float), out["y_rd"].to_numpy(float))
    return out


def school_locations(tables: dict[str, pd.DataFrame], areas: pd.DataFrame | None = None) -> pd.DataFrame:
    """Vestigingen with a position: ``vestigingscode, x_rd, y_rd, zone``.

    The zone comes from the PC4 of the address (``pc6``); without a usable
    postcode, from the nearest home-area centroid (a KD-tree query).
    Vestigingen without coordinates are left out.
    """
    from scipy.spatial import cKDTree

    ves = tables.get("vestigingen")
    if ves is None or ves.empty:
        raise ConfiguratieFout("de werkmap bevat geen vestigingen; importeer eerst gegevens")
    out = (
        ves[["vestigingscode", "pc6", "x_rd", "y_rd"]].dropna(subset=["x_rd", "y_rd"]).drop_duplicates("vestigingscode")
    )
    out = out.reset_index(drop=True)
    pc4 = out["pc6"].astype("string").str.slice(0, 4)
    valid = pc4.str.fullmatch(r"[1-9]\d{3}").fillna(False).to_numpy(bool)
    x, y = out["x_rd"].to_numpy(float), out["y_rd"].to_numpy(float)
    zone = assign_zones(pc4.where(pd.Series(valid), None).to_numpy(object), x, y)
    areas = home_areas(tables) if areas is None else areas
    if (~valid).any() and len(areas):
        _, nearest = cKDTree(areas[["x_rd", "y_rd"]].to_numpy(float)).query(np.column_stack([x[~valid], y[~valid]]))
        zone[~valid] = areas["zone"].to_numpy(object)[nearest]
    return pd.DataFrame({"vestigingscode": out["vestigingscode"].astype(str), "x_rd": x, "y_rd": y, "zone": zone})


def distance_matrix(tables: dict[str, pd.DataFrame], model: TravelModel | None = None) -> DistanceMatrix:
    """The estimated matrix from every home area to every located vestiging of the workspace tables."""
    areas = home_areas(tables)
    return estimate_matrix(areas, school_locations(tables, areas), model)
