"""Scenarios side by side with "zonder ingrijpen": the table rows and the figures of the stored results.

Only presentation: every number is one the library computed and :func:`services.result_json` stored.
The maps draw each scenario's receivers (green) and losers (red) over the region's own offer map from
the cached analysis (its gemeenten and boundaries), sized by the net change, as the report's scenario map.
"""

from __future__ import annotations

import math
from typing import Any

from dekkend.web.plannen.models import Scenario

#: Colours of the scenarios (``zonder ingrijpen`` is navy), the report's palette.
COLORS = ("#d9822b", "#2a9d8f", "#8e5ea2", "#b5651d", "#5b8e23", "#c2185b")
NAVY = "#1f3a5f"
GAIN, LOSS = "#1b7837", "#b2182b"

#: Rows of the comparison: (label, key "zonder ingrijpen", key "met scenario", kind).
ROWS = (
    ("Leerlingen in het eindjaar", "leerlingen_zonder_ingrijpen", "leerlingen_met_scenario", "aantal"),
    ("Knelpunten", "knelpunten_zonder", "knelpunten_met", "aantal"),
    ("waarvan ernst hoog", "knelpunten_hoog_zonder", "knelpunten_hoog_met", "aantal"),
    ("Knelpunten opgelost", None, "knelpunten_weg", "aantal"),
    ("Knelpunten erbij", None, "knelpunten_erbij", "aantal"),
    ("Kinderen verder dan de normafstand", "kinderen_buiten_norm_zonder", "kinderen_buiten_norm_met", "aantal"),
    ("Leerlingen die van school wisselen", None, "verplaatst", "aantal"),
    ("Naar buiten de regio", None, "naar_buiten_de_regio", "aantal"),
    ("Zonder aanbod", None, "zonder_aanbod", "aantal"),
    ("Extra leerlingkilometers per dag (enkele reis)", None, "extra_leerlingkilometers_per_dag_enkele_reis", "aantal"),
    ("Isolatietoeslag per jaar", "isolatietoeslag_zonder_euro", "isolatietoeslag_met_euro", "euro"),
    ("Bekostigingseffect per jaar", None, "bekostigingseffect_euro", "euro"),
)


def number(value: Any, kind: str = "aantal") -> str:
    """Dutch notation: ``12.345``, ``€ 1.200``; empty for a missing value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = f"{round(float(value)):,}".replace(",", ".")
    return f"€ {text}" if kind == "euro" else text


def comparison(shown: list[Scenario]) -> dict[str, Any]:
    """The comparison table: a column "zonder ingrijpen" and one per scenario with a result."""
    results = [s.laatste().resultaat for s in shown]  # type: ignore[union-attr]
    if not results:
        return {"kolommen": [], "rijen": [], "besturen": [], "bereik": [], "eindjaar": None}
    first = results[0]["samenvatting"]
    rows = []
    for label, without, with_, kind in ROWS:
        rows.append(
            {
                "label": label,
                "zonder": number(first.get(without), kind) if without else "",
                "met": [number(r["samenvatting"].get(with_), kind) for r in results],
            }
        )
    return {
        "kolommen": [s.naam for s in shown],
        "rijen": rows,
        "eindjaar": first.get("eindjaar"),
        "scenarios": list(zip(shown, results, strict=True)),
        # "zonder ingrijpen" is the first scenario's; results of other data versions are not strictly comparable
        "andere_gegevens": len({s.laatste().data_versie for s in shown}) > 1,  # type: ignore[union-attr]
    }


def _line_chart(shown: list[Scenario], results: list[dict]) -> dict:
    base = results[0]["leerlingen_per_jaar"]
    data = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": "zonder ingrijpen",
            "x": [r["jaar"] for r in base],
            "y": [r["zonder_ingrijpen"] for r in base],
            "line": {"color": NAVY},
        }
    ]
    for i, (s, r) in enumerate(zip(shown, results, strict=True)):
        rows = r["leerlingen_per_jaar"]
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": s.naam,
                "x": [x["jaar"] for x in rows],
                "y": [x["met_scenario"] for x in rows],
                "line": {"color": COLORS[i % len(COLORS)]},
            }
        )
    layout = {
        "height": 320,
        "margin": {"l": 60, "r": 10, "t": 10, "b": 40},
        "yaxis": {"title": {"text": "leerlingen in de regio"}, "separatethousands": True},
        "xaxis": {"title": {"text": "schooljaar (begin)"}},
        "legend": {"orientation": "h"},
        "separators": ",.",
    }
    return {"data": data, "layout": layout}


def _reach_chart(shown: list[Scenario], results: list[dict]) -> dict:
    base = [r for r in results[0]["bereik"] if r["variant"] == "zonder ingrijpen"]
    types = [r["onderwijstype"] for r in base]
    data = [
        {
            "type": "bar",
            "name": "zonder ingrijpen",
            "x": types,
            "y": [round(100 * (r["aandeel_binnen_norm"] or 0), 1) for r in base],
            "marker": {"color": NAVY},
        }
    ]
    for i, (s, r) in enumerate(zip(shown, results, strict=True)):
        rows = {x["onderwijstype"]: x for x in r["bereik"] if x["variant"] == "met scenario"}
        data.append(
            {
                "type": "bar",
                "name": s.naam,
                "x": types,
                "y": [round(100 * (rows.get(t, {}).get("aandeel_binnen_norm") or 0), 1) for t in types],
                "marker": {"color": COLORS[i % len(COLORS)]},
            }
        )
    layout = {
        "barmode": "group",
        "height": 320,
        "margin": {"l": 60, "r": 10, "t": 10, "b": 60},
        "yaxis": {"title": {"text": "% kinderen binnen de normafstand"}, "range": [0, 100]},
        "legend": {"orientation": "h"},
        "separators": ",.",
    }
    return {"data": data, "layout": layout}


def _map(result: dict, background: dict | None, scale: float = 1.0) -> dict | None:
    flows = [f for f in result["stromen"] if f.get("x") is not None and abs(f["netto"]) >= 0.5]
    if background is None or not flows:
        return None
    traces = [t for t in background["data"] if not str(t.get("name", "")).startswith("vestigingen-")]
    largest = max(abs(f["netto"]) for f in flows)
    for part, color, name in (
        ([f for f in flows if f["netto"] < 0], LOSS, "verliest leerlingen"),
        ([f for f in flows if f["netto"] > 0], GAIN, "krijgt leerlingen erbij"),
    ):
        if not part:
            continue
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": name,
                "x": [f["x"] for f in part],
                "y": [f["y"] for f in part],
                "marker": {
                    "color": color,
                    "opacity": 0.8,
                    "size": [max(7.0, 34.0 * math.sqrt(abs(f["netto"]) / largest)) for f in part],
                    "line": {"color": "#ffffff", "width": 1},
                },
                "text": [
                    f"<b>{f['naam']}</b> ({f['vestigingscode']})<br>eraf {number(f['verlies'])}, "
                    f"erbij {number(f['winst'])}, netto {'+' if f['netto'] > 0 else ''}{number(f['netto'])}"
                    for f in part
                ],
                "hoverinfo": "text",
                "showlegend": False,
            }
        )
    layout = dict(background["layout"])
    for side in ("width", "height"):
        if isinstance(layout.get(side), int | float):
            layout[side] = round(layout[side] * scale)
    return {"data": traces, "layout": layout}


def figures(shown: list[Scenario], analysis: dict | None, scale: float = 1.0) -> dict[str, dict]:
    """The comparison's figures by element id: pupils per year, reach per type, a map per scenario.

    ``scale`` enlarges the maps (the presentation view).
    """
    results = [s.laatste().resultaat for s in shown]  # type: ignore[union-attr]
    if not results:
        return {}
    out = {"grafiek-leerlingen": _line_chart(shown, results), "grafiek-bereik": _reach_chart(shown, results)}
    background = analysis["figuren"].get("kaart-aanbod") if analysis else None
    for s, r in zip(shown, results, strict=True):
        found = _map(r, background, scale)
        if found is not None:
            out[f"kaart-scenario-{s.pk}"] = found
    return out
