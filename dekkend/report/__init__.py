"""The regional report (HTML and PDF) with maps and charts.

:func:`write_report` runs the analyses of a region (diagnosis, forecast,
reachability now and ten years ahead, a back-test, the knowledge base) and
writes one self-contained HTML file (plotly's JavaScript inline, no internet
needed) and, on request, a PDF printed by a headless Chromium. Given
scenarios, it runs them next to "zonder ingrijpen" and adds the chapter
"Scenario's vergeleken". See ``docs/methods/report.md``.
"""

from dekkend.report._collect import COLLECT_STEPS, HORIZON, ReportData, collect, total_band
from dekkend.report._geometry import MapGeometry, map_geometry
from dekkend.report._pdf import GeenBrowser, PdfFout, find_browser, install_hint, print_pdf
from dekkend.report._prepare import Preparation, prepare_national, smallest_current_region
from dekkend.report._render import figures_json, offer_map, render_html, render_section, report_context
from dekkend.report._scenarios import check_scenarios, knelpunt_changes, measure_text, scenario_numbers
from dekkend.report._sections import SCENARIO_SECTION, SECTIONS, report_sections
from dekkend.report._write import WRITE_STEPS, ReportResult, report_name, scenario_step, write_report

__all__ = [
    "COLLECT_STEPS",
    "HORIZON",
    "SCENARIO_SECTION",
    "SECTIONS",
    "WRITE_STEPS",
    "GeenBrowser",
    "MapGeometry",
    "PdfFout",
    "Preparation",
    "ReportData",
    "ReportResult",
    "check_scenarios",
    "collect",
    "figures_json",
    "find_browser",
    "install_hint",
    "knelpunt_changes",
    "map_geometry",
    "measure_text",
    "offer_map",
    "prepare_national",
    "print_pdf",
    "render_html",
    "render_section",
    "report_context",
    "report_name",
    "report_sections",
    "scenario_numbers",
    "scenario_step",
    "smallest_current_region",
    "total_band",
    "write_report",
]
