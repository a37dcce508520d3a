"""The PDF annex of an agreement: what was agreed, the scenario's key figures and maps, the confirmations.

The figures are the library's, computed afresh from the agreement's frozen scenario YAML on the werkmap
(:func:`dekkend.scenarios.run_scenario` next to "zonder ingrijpen", on the report's own forecast and
diagnosis); the maps and tables are the report's chapter "Scenario's vergeleken"
(:func:`dekkend.report.render_section`). The HTML is printed to PDF by Chromium with
:func:`dekkend.report.print_pdf`, as the regional report is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from plotly.offline import get_plotlyjs

import dekkend
from dekkend import report
from dekkend.errors import GeenBrowser, InvoerFout, PdfFout
from dekkend.scenarios import baseline, parse_scenario, run_scenario
from dekkend.web import jobs
from dekkend.web.afspraken.models import Afspraak
from dekkend.web.analysis import data_version
from dekkend.workspace import Workspace

ProgressFn = Callable[[str, int, int], None]
_FIGURE = re.compile(r'data-figuur="([^"]+)"')


def _nl(value: float, decimals: int = 0) -> str:
    """``12.345`` / ``1.234,5``: a number the Dutch way."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def _euro(value: float) -> str:
    sign = "−\u202f" if value < 0 else ""
    return f"{sign}€\u202f{_nl(abs(value))}"


#: The key figures of the annex: (label, key without scenario, key with scenario, format).
KEY_FIGURES = (
    (
        "Leerlingen in de regio in het laatste prognosejaar",
        "leerlingen_zonder_ingrijpen",
        "leerlingen_met_scenario",
        "n",
    ),
    ("Knelpunten", "knelpunten_zonder", "knelpunten_met", "n"),
    ("Knelpunten met ernst hoog", "knelpunten_hoog_zonder", "knelpunten_hoog_met", "n"),
    ("Kinderen buiten de normafstand", "kinderen_buiten_norm_zonder", "kinderen_buiten_norm_met", "n"),
    ("Isolatietoeslag per jaar", "toeslag_zonder", "toeslag_met", "euro"),
)
#: Figures that only exist with the scenario: (label, key, format).
SCENARIO_FIGURES = (
    ("Leerlingen die in het laatste prognosejaar een andere school kiezen", "verplaatst", "n"),
    ("Leerlingen die les volgen bij een andere vestiging (gedeeld aanbod)", "gedeeld", "n"),
    ("Leerlingen die buiten de regio terechtkomen", "naar_buiten_de_regio", "n"),
    ("Leerlingen zonder passend aanbod", "zonder_aanbod", "n"),
    ("Extra leerlingkilometers per schooldag (enkele reis)", "extra_leerlingkilometers_per_dag_enkele_reis", "n"),
    ("Knelpunten die verdwijnen", "knelpunten_weg", "n"),
    ("Knelpunten die erbij komen", "knelpunten_erbij", "n"),
)


def _fmt(value: Any, kind: str) -> str:
    return _euro(float(value)) if kind == "euro" else _nl(float(value))


@dataclass(frozen=True)
class Annex:
    html: str
    numbers: dict[str, Any]


def scenario_of(afspraak: Afspraak) -> Any:
    """The agreement's frozen scenario, parsed by the library (Dutch error for an invalid document)."""
    try:
        doc = yaml.safe_load(afspraak.versie.yaml)
    except yaml.YAMLError as exc:
        raise InvoerFout(f"de scenarioversie van deze afspraak is geen geldige YAML ({exc})") from exc
    return parse_scenario(doc)


def build(afspraak: Afspraak, progress: ProgressFn | None = None) -> Annex:
    """Compute the scenario of ``afspraak`` on the werkmap and render the annex as one HTML document."""
    tables = Workspace(settings.WERKMAP).require().tables()
    scenario = scenario_of(afspraak)
    selectie = afspraak.regio.selectie
    report.check_scenarios(tables, selectie, [scenario])
    data = report.collect(tables, selectie, progress=progress)
    if progress is not None:
        progress(report.scenario_step(scenario), len(report.COLLECT_STEPS), len(report.COLLECT_STEPS) + 1)
    base = baseline(
        tables, selectie, horizon=report.HORIZON, forecast=(data.forecast, data.origin), diagnosis=data.diagnosis
    )
    result = run_scenario(tables, scenario, selectie, horizon=report.HORIZON, baseline=base)
    numbers = report.scenario_numbers(result)
    context, figs = report.report_context(data, [result])
    boards = jobs.board_display_names(afspraak.regio)
    chapter = jobs.with_board_names(report.render_section(context, "scenarios"), boards)
    used = set(_FIGURE.findall(chapter))
    figures = {name: fig for name, fig in figs.items.items() if name in used}
    v = data.vestigingen
    names = {c: f"{n} ({p})" for c, n, p in zip(v["vestigingscode"], v["korte_naam"], v["plaats"], strict=True)}
    current = data_version(settings.WERKMAP)
    answers = list(afspraak.instemmingen.select_related("bestuur").order_by("ronde", "moment"))
    latest = {i.bestuur_id: i for i in answers if i.ronde == afspraak.ronde}
    html = render_to_string(
        "werkruimte/afspraak_bijlage.html",
        {
            "afspraak": afspraak,
            "besturen": [(b, latest.get(b.pk)) for b in afspraak.besturen.order_by("naam")],
            "instemmingen": answers,
            "scenario": scenario,
            "maatregelen": [report.measure_text(m, names) for m in scenario.maatregelen],
            "kerncijfers": [
                (label, _fmt(numbers[a], kind), _fmt(numbers[b], kind)) for label, a, b, kind in KEY_FIGURES
            ],
            "effecten": [(label, _fmt(numbers[k], kind)) for label, k, kind in SCENARIO_FIGURES],
            "peiljaar": numbers["peiljaar"],
            "eindjaar": numbers["eindjaar"],
            "hoofdstuk": mark_safe(chapter),  # noqa: S308 - rendered by the report's autoescaping templates
            "figuren": mark_safe(report.figures_json(jobs.with_board_names(figures, boards))),  # noqa: S308
            "css": mark_safe(_report_css()),  # noqa: S308 - the package's own style sheet
            "plotly_js": mark_safe(get_plotlyjs()),  # noqa: S308
            "data_versie_nu": current,
            "gegevens_gewijzigd": current != afspraak.data_versie,
            "dekkend_versie_nu": dekkend.__version__,
            "gemaakt": timezone.localtime(),
        },
    )
    return Annex(html, numbers)


def _report_css() -> str:
    return (resources.files("dekkend.report") / "templates" / "rapport.css").read_text(encoding="utf-8")


def write(afspraak: Afspraak, folder: Path, progress: ProgressFn | None = None) -> dict[str, str]:
    """Write the annex's HTML and (with Chromium) PDF into ``folder``; returns the files relative to the web map."""
    annex = build(afspraak, progress)
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"bijlage-afspraak-{afspraak.pk}"
    html = folder / f"{stem}.html"
    html.write_text(annex.html, encoding="utf-8")
    root = Path(settings.WEB_MAP)
    numbers = folder / f"{stem}-kerncijfers.json"
    numbers.write_text(json.dumps(annex.numbers, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    files = {"html": str(html.relative_to(root)), "kerncijfers": str(numbers.relative_to(root))}
    if progress is not None:
        progress("PDF afdrukken", 99, 100)
    try:
        pdf = report.print_pdf(html, folder / f"{stem}.pdf")
    except (GeenBrowser, PdfFout) as exc:
        files["pdf_melding"] = str(exc)
    else:
        files["pdf"] = str(pdf.relative_to(root))
    return files
