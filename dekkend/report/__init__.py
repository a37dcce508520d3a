"""The regional report (HTML and PDF) with maps and charts.

:func:`write_report` runs the analyses of a region (diagnosis, forecast,
reachability now and ten years ahead, a back-test, the knowledge base) and
writes one self-contained HTML file (plotly's JavaScript inline, no internet
needed) and, on request, a PDF printed by a headless Chromium. See
``docs/methods/report.md``.
"""

from dekkend.report._collect import COLLECT_STEPS, HORIZON, ReportData, collect, total_band
from dekkend.report._geometry import MapGeometry, map_geometry
from dekkend.report._pdf import GeenBrowser, PdfFout, find_browser, install_hint, print_pdf
from dekkend.report._render import render_html
from dekkend.report._sections import SECTIONS
from dekkend.report._write import WRITE_STEPS, ReportResult, report_name, write_report

__all__ = [
    "COLLECT_STEPS",
    "HORIZON",
    "SECTIONS",
    "WRITE_STEPS",
    "GeenBrowser",
    "MapGeometry",
    "PdfFout",
    "ReportData",
    "ReportResult",
    "collect",
    "find_browser",
    "install_hint",
    "map_geometry",
    "print_pdf",
    "render_html",
    "report_name",
    "total_band",
    "write_report",
]
