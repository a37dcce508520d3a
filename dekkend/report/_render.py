"""The self-contained HTML document: Jinja2 template, inline CSS, plotly's bundled JavaScript and the figures."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import jinja2
from plotly.offline import get_plotlyjs
from plotly.utils import PlotlyJSONEncoder

from dekkend.report import _charts as charts
from dekkend.report._collect import ReportData
from dekkend.report._format import capital, count_date
from dekkend.report._scenarios import scenario_section
from dekkend.report._sections import (
    Figures,
    advice_section,
    board_labels,
    boards_section,
    chapter_numbers,
    cover,
    forecast_section,
    knelpunten_section,
    lost_offer,
    methods_section,
    profielen_section,
    reach_section,
    report_sections,
    summary,
    viability,
)
from dekkend.scenarios import ScenarioResult

TEMPLATES = Path(__file__).parent / "templates"


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        trim_blocks=False,
        lstrip_blocks=False,
        undefined=jinja2.StrictUndefined,
    )
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
    # Escape every "<", ">" and "&" as a JSON unicode escape: no "</script>", "<!--" or "<script"
    # in any name can end the element early or switch the HTML parser into a script-data state.
    for char, escaped in (
        ("&", "\\u0026"),
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escaped)
    return text


def report_context(data: ReportData, scenarios: Sequence[ScenarioResult] = ()) -> tuple[dict, Figures]:
    """The report's sections as plain data (strings, numbers, lists, dicts) and its figures.

    What :func:`render_html` puts into the HTML, without the style sheet and plotly's script, so another
    shell (the web workspace) can show the same sections. With ``scenarios`` (results of
    :func:`dekkend.scenarios.run_scenario` for this region) the chapter "Scenario's vergeleken" is included.
    """
    figs = Figures()
    reach = charts.reach_rows(data)
    changes = charts.vestiging_changes(data)
    advice = advice_section(data)
    sections = report_sections(bool(scenarios))
    nr = chapter_numbers(sections)
    names = [r.scenario.naam for r in scenarios]
    context = {
        "versie": dekkend_version(),
        "cover": cover(data),
        "secties": sections,
        "nr": nr,
        "samenvatting": summary(
            data, reach, lost_offer(data), [a["titel"] for a in advice["aanbevelingen"]], nr, names
        ),
        "prognose": forecast_section(data, figs, changes),
        "bereik": reach_section(data, reach, figs),
        "levensvatbaarheid": viability(data),
        "profielen": profielen_section(data),
        "knelpunten": knelpunten_section(data),
        "besturen": boards_section(data, figs, changes),
        "scenarios": scenario_section(data, scenarios, figs, board_labels(data)),
        "advies": advice,
        "methoden": methods_section(data),
        "voettekst": _css_string(
            f"{data.name} \u00b7 peildatum {count_date(data.origin)}"
            + (" \u00b7 synthetische gegevens" if data.synthetic else "")
        ),
    }
    return context, figs


def render_html(data: ReportData, scenarios: Sequence[ScenarioResult] = ()) -> tuple[str, Figures]:
    """The report as one HTML document (every script and style inline) and the figures in it.

    With ``scenarios`` (results of :func:`dekkend.scenarios.run_scenario` for this region) the report gets the
    chapter "Scenario's vergeleken" after the boards; without, that chapter is absent.
    """
    context, figs = report_context(data, scenarios)
    context["css"] = (TEMPLATES / "rapport.css").read_text(encoding="utf-8")
    context["plotly_js"] = get_plotlyjs()
    context["figuren_json"] = figures_json(figs.items)
    return _environment().get_template("rapport.html.j2").render(**context), figs


def render_section(context: dict, anchor: str) -> str:
    """One chapter of the report as an HTML fragment, from the data of :func:`report_context`.

    ``anchor`` is a chapter's anchor (:data:`SECTIONS`, plus ``scenarios``). The fragment holds the
    figure placeholders (``data-figuur``) but not the figures' data or plotly's script: the caller
    supplies those (the web workspace loads them separately).
    """
    anchors = {a for a, _ in report_sections(with_scenarios=True)}
    if anchor not in anchors:
        raise ValueError(f"unknown report chapter {anchor!r}; expected one of {sorted(anchors)}")
    return _environment().get_template(f"sectie-{anchor}.html.j2").render(**context)


def offer_map(data: ReportData) -> dict:
    """A map of the region's vestigingen with what each offers in the count year (onderwijstypen, vmbo-profielen)."""
    from dekkend.report._maps import offer_figure

    return offer_figure(data.geometry, data.vestigingen, data.offers[data.origin])
