"""The self-contained HTML document: Jinja2 template, inline CSS, plotly's bundled JavaScript and the figures."""

from __future__ import annotations

import json
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import jinja2
from plotly.offline import get_plotlyjs
from plotly.utils import PlotlyJSONEncoder

from dekkend.report import _charts as charts
from dekkend.report._collect import ReportData
from dekkend.report._format import capital, count_date
from dekkend.report._sections import (
    SECTIONS,
    Figures,
    advice_section,
    boards_section,
    cover,
    forecast_section,
    knelpunten_section,
    lost_offer,
    methods_section,
    reach_section,
    summary,
    viability,
)

TEMPLATES = Path(__file__).parent / "templates"


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, trim_blocks=False,
                             lstrip_blocks=False, undefined=jinja2.StrictUndefined)
    env.filters["capitalize_first"] = capital
    return env


def dekkend_version() -> str:
    """The installed version of dekkend."""
    try:
        return version("dekkend")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree without installing
        return "onbekend"


def _css_string(text: str) -> str:
    """A value for a CSS string literal."""
    return text.replace("\\", "\\\\").replace('"', '\\"')


def figures_json(items: dict[str, dict]) -> str:
    """The figures as JSON that is safe inside a ``<script>`` element."""
    text = json.dumps(items, cls=PlotlyJSONEncoder, separators=(",", ":"), ensure_ascii=False)
    return text.replace("</", "<\\/")


def render_html(data: ReportData) -> tuple[str, Figures]:
    """The report as one HTML document (every script and style inline) and the figures in it."""
    figs = Figures()
    reach = charts.reach_rows(data)
    changes = charts.vestiging_changes(data)
    advice = advice_section(data)
    context = {
        "versie": dekkend_version(),
        "cover": cover(data),
        "secties": SECTIONS,
        "samenvatting": summary(data, reach, lost_offer(data), [a["titel"] for a in advice["aanbevelingen"]]),
        "prognose": forecast_section(data, figs, changes),
        "bereik": reach_section(data, reach, figs),
        "levensvatbaarheid": viability(data),
        "knelpunten": knelpunten_section(data),
        "besturen": boards_section(data, figs, changes),
        "advies": advice,
        "methoden": methods_section(data),
        "css": (TEMPLATES / "rapport.css").read_text(encoding="utf-8"),
        "voettekst": _css_string(f"{data.name} \u00b7 peildatum {count_date(data.origin)}"
                                 + (" \u00b7 synthetische gegevens" if data.synthetic else "")),
        "plotly_js": get_plotlyjs(),
        "figuren_json": figures_json(figs.items),
    }
    return _environment().get_template("rapport.html.j2").render(**context), figs
