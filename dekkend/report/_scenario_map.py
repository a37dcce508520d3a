"""The map of a scenario: the vestigingen that gain pupils beside those that lose them.

One plotly figure per scenario, drawn like the reachability maps (:mod:`dekkend.report._maps`:
the same geometry, neighbouring gemeenten and boundaries, no tiles): every vestiging the
scenario's moves touch in the last year is a circle, green when it gains pupils on balance
and red when it loses them, its area in proportion to the net change. The numbers are those
of :func:`dekkend.scenarios.run.gains_and_losses` (``ScenarioResult.flows``, the table
"Wie leerlingen verliest en wie ze krijgt" and ``winst-en-verlies.csv``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dekkend.report._format import number, signed
from dekkend.report._geometry import MapGeometry, path_xy
from dekkend.report._maps import (
    FONT,
    SCHOOL,
    _fill_trace,
    _ranges,
    base_traces,
    boundary_traces,
    gemeente_labels,
)
from dekkend.report._sections import Figures

#: Width of the scenario map in CSS pixels (one map across the page).
SCENARIO_MAP_WIDTH = 560
#: Fill of the region under the circles (ColorBrewer BrBG, lightest brown).
REGION_FILL = "#f6e8c3"
GAIN = "#1b7837"
LOSS = "#b2182b"
#: Vestigingen whose net change is smaller than this (pupils) are drawn as unchanged.
MIN_CHANGE = 0.5
#: Marker diameter (px) of the largest net change; the others scale by area.
MAX_SIZE = 34.0
MIN_SIZE = 7.0


def _region_fill(geom: MapGeometry) -> dict:
    """The region's gemeenten as one light sand-coloured area under the circles (the reachability maps
    fill it with their distance classes; here it only marks which area the scenario is about)."""
    xs: list = []
    ys: list = []
    for g in geom.gemeenten:
        if g.in_region:
            px, py = path_xy(g.shape)
            xs += px
            ys += py
    return _fill_trace(xs, ys, REGION_FILL, "regio", line=REGION_FILL, width=0.0)


@dataclass(frozen=True)
class ScenarioMap:
    """A scenario's map and what the text around it needs.

    ``figure`` is ``None`` when no located vestiging in view gains or loses pupils;
    ``ontvangers``/``verliezers`` count the vestigingen drawn green/red; ``buiten_beeld``
    the touched vestigingen outside the map's view or without coordinates (they are in
    the table).
    """

    figure: dict | None
    ontvangers: int
    verliezers: int
    buiten_beeld: int


def scenario_map(
    geom: MapGeometry,
    vestigingen: pd.DataFrame,
    flows: pd.DataFrame,
    year: str,
    *,
    width: int = SCENARIO_MAP_WIDTH,
) -> ScenarioMap:
    """The map of one scenario's receivers and losers in school year ``year`` (``2034/2035``).

    Parameters
    ----------
    geom
        The report's map geometry (the region and its neighbours).
    vestigingen
        The report's vestigingen: ``vestigingscode, x, y, korte_naam, plaats, in_regio``.
    flows
        ``ScenarioResult.flows``: ``vestigingscode, verlies, winst, netto`` per vestiging.
    year
        The school year the flows are about, for the hover text.
    """
    touched = flows[flows["netto"].abs() >= MIN_CHANGE] if len(flows) else flows
    xr, yr, height = _ranges(geom, width)
    ves = vestigingen.drop_duplicates("vestigingscode").set_index("vestigingscode")
    at = touched[["vestigingscode", "naam", "plaats", "verlies", "winst", "netto"]].merge(
        ves[["x", "y", "korte_naam"]], left_on="vestigingscode", right_index=True, how="left"
    )
    at["korte_naam"] = at["korte_naam"].where(at["korte_naam"].notna(), at["naam"])
    seen = at["x"].between(*xr) & at["y"].between(*yr)
    shown = at[seen]
    gains, losses = shown[shown["netto"] > 0], shown[shown["netto"] < 0]
    if shown.empty:
        return ScenarioMap(None, 0, 0, len(touched))
    largest = float(shown["netto"].abs().max())
    traces = base_traces(geom) + [_region_fill(geom)] + boundary_traces(geom) + [gemeente_labels(geom)]
    traces.append(_others(ves, set(touched["vestigingscode"]), xr, yr))
    for part, color, name in (
        (losses, LOSS, "verliest leerlingen"),
        (gains, GAIN, "krijgt leerlingen erbij"),
    ):
        if len(part):
            traces.append(_circles(part, color, name, largest, year))
    layout = {
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
        "yaxis": {
            "range": yr,
            "visible": False,
            "fixedrange": True,
            "scaleanchor": "x",
            "scaleratio": 1,
        },
        "hoverlabel": {"font": {"family": FONT, "size": 11}},
    }
    return ScenarioMap({"data": traces, "layout": layout}, len(gains), len(losses), int((~seen).sum()))


def marker_size(netto: pd.Series, largest: float) -> np.ndarray:
    """Marker diameters: a circle's area grows with the net change (at least :data:`MIN_SIZE`)."""
    scale = np.sqrt(netto.abs().to_numpy(float) / max(largest, 1e-9))
    return np.maximum(MIN_SIZE, MAX_SIZE * scale).round(1)


def _circles(part: pd.DataFrame, color: str, name: str, largest: float, year: str) -> dict:
    text = [
        f"<b>{n if isinstance(n, str) else c}</b> ({c}{_place(p)})"
        f"<br>in {year}: {signed(float(net))} leerlingen netto"
        f"<br>eraf {number(float(lost))}, erbij {number(float(got))}"
        for c, n, p, net, lost, got in zip(
            part["vestigingscode"],
            part["korte_naam"],
            part["plaats"],
            part["netto"],
            part["verlies"],
            part["winst"],
            strict=True,
        )
    ]
    return {
        "type": "scatter",
        "mode": "markers",
        "x": part["x"].round(2).tolist(),
        "y": part["y"].round(2).tolist(),
        "marker": {
            "symbol": "circle",
            "size": marker_size(part["netto"], largest).tolist(),
            "color": color,
            "opacity": 0.8,
            "line": {"color": "#ffffff", "width": 1.2},
        },
        "customdata": part["netto"].round(1).tolist(),
        "text": text,
        "hoverinfo": "text",
        "name": name,
        "showlegend": False,
    }


def _place(p: object) -> str:
    return f", {p}" if isinstance(p, str) and p else ""


def _others(ves: pd.DataFrame, touched: set[str], xr: list[float], yr: list[float]) -> dict:
    """The region's other vestigingen as small dots, for orientation."""
    rest = ves[ves["in_regio"].astype(bool) & ~ves.index.isin(touched) & ves["x"].between(*xr) & ves["y"].between(*yr)]
    text = [f"<b>{n}</b> ({c})<br>geen verandering" for c, n in zip(rest.index, rest["korte_naam"], strict=True)]
    return {
        "type": "scatter",
        "mode": "markers",
        "x": rest["x"].round(2).tolist(),
        "y": rest["y"].round(2).tolist(),
        "marker": {
            "symbol": "circle",
            "size": 5,
            "color": SCHOOL,
            "opacity": 0.45,
            "line": {"width": 0},
        },
        "text": text,
        "hoverinfo": "text",
        "name": "onveranderd",
        "showlegend": False,
    }


def scenario_map_legend() -> list[dict]:
    """The legend above the scenario maps (same items as the reachability legend)."""
    return [
        {"soort": "punt", "kleur": GAIN, "tekst": "krijgt leerlingen erbij (netto)"},
        {"soort": "punt", "kleur": LOSS, "tekst": "verliest leerlingen (netto)"},
        {"soort": "punt", "kleur": SCHOOL, "tekst": "vestiging in de regio zonder verandering"},
    ]


def scenario_map_block(
    geom: MapGeometry,
    vestigingen: pd.DataFrame,
    flows: pd.DataFrame,
    year: str,
    letter: str,
    figs: Figures,
) -> dict:
    """The block's map (registered with ``figs`` as "Kaart scenario A") and its sentence."""
    m = scenario_map(geom, vestigingen, flows, year)
    if m.figure is None:
        return {"kaart": None, "kaart_zin": ""}
    ref = figs.map(f"scenario-{letter.lower()}", m.figure, f"scenario {letter}")
    ref["titel"] = f"Wie leerlingen krijgt en wie ze verliest, in {year}"
    parts = [
        f"{m.ontvangers} {'vestiging krijgt' if m.ontvangers == 1 else 'vestigingen krijgen'} er "
        f"netto leerlingen bij (groen), {m.verliezers} "
        f"{'verliest' if m.verliezers == 1 else 'verliezen'} er (rood); "
        "de oppervlakte van een cirkel is evenredig met het aantal leerlingen netto erbij of eraf"
    ]
    if m.buiten_beeld:
        parts.append(
            f"{m.buiten_beeld} "
            f"{'vestiging ligt' if m.buiten_beeld == 1 else 'vestigingen liggen'} buiten "
            "het kaartbeeld of heeft geen locatie (zie de tabel)"
        )
    return {"kaart": ref, "kaart_zin": "; ".join(parts) + "."}
