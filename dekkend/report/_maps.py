"""Maps as plotly figures in RD kilometres: home areas coloured by distance, vestigingen as points.

No tiles and no internet: the figures are plain scatter traces (filled polygons
and markers) on hidden axes with equal scales, so they render the same in a
browser, offline, and in Chromium's print to PDF.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from dekkend.report._format import kind_nl, km, number
from dekkend.report._geometry import MapGeometry, path_xy, polygons

FONT = "Source Sans 3, Source Sans Pro, Segoe UI, Liberation Sans, Arial, sans-serif"
#: Width of one map in CSS pixels (two maps side by side on an A4 page).
MAP_WIDTH = 322
NEIGHBOUR_FILL = "#f1f1ee"
NEIGHBOUR_LINE = "#c9c9c2"
GEMEENTE_LINE = "#6b6b66"
OUTLINE = "#2b2b28"
SCHOOL = "#10263f"
LOST = "#b2182b"
#: A white halo around map labels (readable on every class colour).
HALO = "1px 1px 1px #fff, -1px -1px 1px #fff, 1px -1px 1px #fff, -1px 1px 1px #fff, 0 0 3px #fff"
#: Colour of the hatch lines per class colour.
HATCH = {"#f4a582": "#d6604d", "#b2182b": "#f4a582"}


@dataclass(frozen=True)
class DistanceClass:
    """One colour class of the maps."""

    label: str
    low: float
    high: float
    color: str
    hatch: bool = False


def distance_classes(norm_km: float) -> tuple[DistanceClass, ...]:
    """The colour classes: three within the norm distance, beyond it (a witte vlek) and unreachable."""
    a, b = (5.0, 8.0) if norm_km > 8.0 else (round(norm_km / 3, 1), round(2 * norm_km / 3, 1))
    n = number(norm_km)
    return (
        DistanceClass(f"tot {number(a)} km", -np.inf, a, "#2166ac"),
        DistanceClass(f"{number(a)}-{number(b)} km", a, b, "#67a9cf"),
        DistanceClass(f"{number(b)}-{n} km", b, norm_km, "#d1e5f0"),
        DistanceClass(f"meer dan {n} km (witte vlek)", norm_km, np.inf, "#f4a582", hatch=True),
        DistanceClass("nergens aangeboden", np.nan, np.nan, "#b2182b", hatch=True),
    )


def classify(distance: pd.Series, classes: tuple[DistanceClass, ...]) -> pd.Series:
    """Index of the class of each distance (the last class for a missing distance)."""
    out = pd.Series(len(classes) - 1, index=distance.index)
    d = distance.astype(float)
    for i, c in enumerate(classes[:-1]):
        out[(d > c.low) & (d <= c.high)] = i
    return out


def _fill_trace(
    xs: list, ys: list, color: str, name: str, hatch: bool = False, line: str = "#ffffff", width: float = 0.4
) -> dict:
    trace = {
        "type": "scatter",
        "x": xs,
        "y": ys,
        "mode": "lines",
        "fill": "toself",
        "fillcolor": color,
        "line": {"color": line, "width": width},
        "hoverinfo": "skip",
        "name": name,
        "showlegend": False,
    }
    if hatch:
        trace["fillpattern"] = {
            "shape": "/",
            "fgcolor": HATCH.get(color, "#ffffff"),
            "bgcolor": color,
            "size": 5,
            "solidity": 0.3,
        }
    return trace


def _line_trace(xs: list, ys: list, color: str, width: float, name: str) -> dict:
    return {
        "type": "scatter",
        "x": xs,
        "y": ys,
        "mode": "lines",
        "line": {"color": color, "width": width},
        "hoverinfo": "skip",
        "name": name,
        "showlegend": False,
    }


def _ranges(geom: MapGeometry, width: int) -> tuple[list[float], list[float], int]:
    """Axis ranges with equal scales and the figure height for ``width``."""
    x0, y0, x1, y1 = geom.extent
    aspect = min(max(geom.aspect, 0.62), 1.35)
    dx, dy = x1 - x0, y1 - y0
    if dy / dx < aspect:
        grow = (dx * aspect - dy) / 2
        y0, y1 = y0 - grow, y1 + grow
    else:
        grow = (dy / aspect - dx) / 2
        x0, x1 = x0 - grow, x1 + grow
    return [x0, x1], [y0, y1], int(round(width * aspect))


def base_traces(geom: MapGeometry) -> list[dict]:
    """Neighbouring gemeenten as a light background."""
    xs: list = []
    ys: list = []
    for g in geom.gemeenten:
        if not g.in_region:
            px, py = path_xy(g.shape)
            xs += px
            ys += py
    return [_fill_trace(xs, ys, NEIGHBOUR_FILL, "buurgemeenten", line=NEIGHBOUR_LINE, width=0.6)] if xs else []


def boundary_traces(geom: MapGeometry) -> list[dict]:
    """Gemeente boundaries of the region and its outline."""
    xs: list = []
    ys: list = []
    for g in geom.gemeenten:
        if g.in_region:
            px, py = path_xy(g.shape, holes=True)
            xs += px
            ys += py
    ox, oy = path_xy(geom.outline)
    return [_line_trace(xs, ys, GEMEENTE_LINE, 0.7, "gemeentegrenzen"), _line_trace(ox, oy, OUTLINE, 1.6, "regiogrens")]


def gemeente_labels(geom: MapGeometry) -> dict:
    """Names of the region's gemeenten as a text trace with a white halo, drawn below the vestigingen."""
    xs, ys, names = [], [], []
    for g in geom.gemeenten:
        parts = polygons(g.shape) if g.in_region else []
        if parts:
            p = shapely.Polygon(max(parts, key=lambda q: q.area).exterior).representative_point()
            xs.append(round(p.x, 2))
            ys.append(round(p.y, 2))
            names.append(g.naam)
    return {
        "type": "scatter",
        "mode": "text",
        "x": xs,
        "y": ys,
        "text": names,
        "hoverinfo": "skip",
        "name": "gemeentenamen",
        "showlegend": False,
        "textfont": {"size": 9, "color": "#1f1f1c", "family": FONT, "shadow": HALO},
    }


def map_figure(
    geom: MapGeometry,
    reach: pd.DataFrame,
    kind: str,
    offers: pd.Series,
    lost: pd.Series,
    ves: pd.DataFrame,
    norm_km: float,
    *,
    width: int = MAP_WIDTH,
) -> dict:
    """One map: home areas coloured by distance to ``kind``, and the vestigingen that offer it.

    Parameters
    ----------
    geom
        Boundaries and cells.
    reach
        Rows of the reachability table for ``kind`` (``pc4, afstand_km, reistijd_fiets_min, kinderen_12_17``).
    offers
        Boolean per vestigingscode: offers ``kind`` in the map's year.
    lost
        Boolean per vestigingscode: offered ``kind`` in the count year but no longer (no action).
    ves
        Vestigingen with ``vestigingscode, x, y, korte_naam, plaats, in_regio``.
    norm_km
        The norm distance (the witte-vlek class).
    """
    classes = distance_classes(norm_km)
    reach = reach.assign(pc4=reach["pc4"].astype(str))
    reach = reach.assign(klasse=classify(reach["afstand_km"], classes))
    traces = base_traces(geom)
    if geom.cells:
        paths = geom.cell_paths
        for i, c in enumerate(classes):
            xs: list = []
            ys: list = []
            for pc4 in reach.loc[reach["klasse"] == i, "pc4"]:
                if pc4 in paths:
                    xs += paths[pc4][0]
                    ys += paths[pc4][1]
            if xs:
                traces.append(_fill_trace(xs, ys, c.color, c.label, hatch=c.hatch))
    traces += boundary_traces(geom)
    traces.append(gemeente_labels(geom))
    cen = geom.centroids.merge(reach, on="pc4", how="inner")
    if len(cen):
        traces.append(_home_points(cen, classes, kind, visible=not geom.cells))
    traces += _school_traces(in_view(ves, geom, width), offers, lost, kind)
    return {"data": traces, "layout": _map_layout(geom, width)}


def _map_layout(geom: MapGeometry, width: int) -> dict:
    """The layout every map shares: the view of ``geom`` at ``width`` pixels, no axes, no zoom."""
    xr, yr, height = _ranges(geom, width)
    return {
        "width": width,
        "height": height,
        "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
        "showlegend": False,
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "hovermode": "closest",
        "dragmode": False,
        "font": {"family": FONT, "size": 11},
        "xaxis": {"range": xr, "visible": False, "fixedrange": True},
        "yaxis": {"range": yr, "visible": False, "fixedrange": True, "scaleanchor": "x", "scaleratio": 1},
        "hoverlabel": {"font": {"family": FONT, "size": 11}},
    }


def in_view(ves: pd.DataFrame, geom: MapGeometry, width: int = MAP_WIDTH) -> pd.DataFrame:
    """The located vestigingen within a map's view (pass the result to :func:`map_figure` to filter once)."""
    xr, yr, _ = _ranges(geom, width)
    cols = ["vestigingscode", "x", "y", "korte_naam", "plaats", "in_regio"]
    return ves.loc[ves["x"].between(*xr) & ves["y"].between(*yr), cols].reset_index(drop=True)


def _home_points(cen: pd.DataFrame, classes: tuple, kind: str, *, visible: bool) -> dict:
    text = [
        f"<b>{r.pc4}</b><br>{kind_nl(kind)}: "
        + (
            f"{km(r.afstand_km)} (±{number(r.reistijd_fiets_min)} min fietsen)"
            if pd.notna(r.afstand_km)
            else "nergens aangeboden"
        )
        + f"<br>kinderen 12-17 jaar: {number(r.kinderen_12_17)}"
        for r in cen.itertuples(index=False)
    ]
    colors = [classes[int(k)].color for k in cen["klasse"]]
    return {
        "type": "scatter",
        "mode": "markers",
        "x": cen["x"].round(2).tolist(),
        "y": cen["y"].round(2).tolist(),
        "marker": {"size": 7 if visible else 10, "color": colors, "opacity": 1 if visible else 0, "line": {"width": 0}},
        "text": text,
        "hoverinfo": "text",
        "name": "postcodegebieden",
        "showlegend": False,
    }


def _school_traces(ves: pd.DataFrame, offers: pd.Series, lost: pd.Series, kind: str) -> list[dict]:
    codes = ves["vestigingscode"].to_numpy(str)
    region = ves["in_regio"].to_numpy(bool)
    offered = offers.reindex(codes).fillna(False).to_numpy(bool)
    gone = lost.reindex(codes).fillna(False).to_numpy(bool)
    groups = (
        (
            "elders",
            offered & ~region,
            {"symbol": "circle", "size": 7, "color": "#ffffff", "line": {"color": "#3a3a36", "width": 1.2}},
            "biedt het aan (buiten de regio)",
        ),
        (
            "regio",
            offered & region,
            {"symbol": "circle", "size": 9, "color": SCHOOL, "line": {"color": "#ffffff", "width": 1.2}},
            "biedt het aan",
        ),
        (
            "weg",
            gone,
            {"symbol": "x", "size": 11, "color": LOST, "line": {"color": "#ffffff", "width": 1}},
            "verdwijnt zonder ingrijpen",
        ),
    )
    out = []
    for name, mask, marker, what in groups:
        if not mask.any():
            continue
        sub = ves[mask]
        text = [
            f"<b>{n}</b> ({c}, {p})<br>{kind_nl(kind)}: {what}"
            for c, n, p in zip(sub["vestigingscode"], sub["korte_naam"], sub["plaats"], strict=True)
        ]
        out.append(
            {
                "type": "scatter",
                "mode": "markers",
                "x": sub["x"].round(2).tolist(),
                "y": sub["y"].round(2).tolist(),
                "marker": marker,
                "text": text,
                "hoverinfo": "text",
                "name": f"vestigingen-{name}",
                "showlegend": False,
            }
        )
    return out


def legend_items(norm_km: float) -> list[dict]:
    """The shared map legend (drawn in HTML above the maps)."""
    items = [
        {"soort": "vlak", "kleur": c.color, "arcering": c.hatch, "tekst": c.label} for c in distance_classes(norm_km)
    ]
    items += [
        {"soort": "punt", "kleur": SCHOOL, "tekst": "vestiging in de regio die het aanbiedt"},
        {"soort": "punt-open", "kleur": "#3a3a36", "tekst": "vestiging buiten de regio die het aanbiedt"},
        {"soort": "kruis", "kleur": LOST, "tekst": "aanbod verdwijnt zonder ingrijpen"},
    ]
    return items


def offer_figure(geom: MapGeometry, ves: pd.DataFrame, offers: pd.DataFrame, *, width: int = MAP_WIDTH) -> dict:
    """A map of the region's vestigingen, each with what it offers (hover): onderwijstypen and vmbo-profielen.

    ``offers`` is a boolean frame per vestigingscode (index) and kind (columns), as ``ReportData.offers[year]``.
    Vestigingen outside the region that are in view are drawn open, as on the reachability maps.
    """
    traces = base_traces(geom) + boundary_traces(geom)
    traces.append(gemeente_labels(geom))
    local = in_view(ves, geom, width)
    for inside, marker, where in (
        (
            False,
            {"symbol": "circle", "size": 7, "color": "#ffffff", "line": {"color": "#3a3a36", "width": 1.2}},
            "buiten",
        ),
        (True, {"symbol": "circle", "size": 10, "color": SCHOOL, "line": {"color": "#ffffff", "width": 1.2}}, "in"),
    ):
        sub = local[local["in_regio"].astype(bool) == inside]
        if sub.empty:
            continue
        text = []
        for code, name, place in zip(sub["vestigingscode"], sub["korte_naam"], sub["plaats"], strict=True):
            row = offers.loc[code] if code in offers.index else pd.Series(dtype=bool)
            kinds = [kind_nl(k) for k, on in row.items() if bool(on)]
            text.append(
                f"<b>{name}</b> ({code}, {place})<br>" + ("<br>".join(kinds) if kinds else "geen aanbod geteld")
            )
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "x": sub["x"].round(2).tolist(),
                "y": sub["y"].round(2).tolist(),
                "marker": marker,
                "text": text,
                "hoverinfo": "text",
                "name": f"vestigingen-{where}",
                "showlegend": False,
            }
        )
    return {"data": traces, "layout": _map_layout(geom, width)}
