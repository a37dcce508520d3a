"""Writing the report: collect, render, write the HTML atomically, print the PDF when asked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from dekkend.errors import DekkendError
from dekkend.output import ensure_folder, write_text_atomic
from dekkend.report._collect import COLLECT_STEPS, HORIZON, ProgressFn, ReportData, collect
from dekkend.report._format import slug
from dekkend.report._pdf import find_browser, print_pdf
from dekkend.report._render import render_html
from dekkend.report._scenarios import check_scenarios
from dekkend.scenarios import Baseline, Scenario, ScenarioResult, baseline, run_scenario

#: Progress steps after collecting.
WRITE_STEPS = ("HTML schrijven", "PDF afdrukken")


@dataclass(frozen=True)
class ReportResult:
    """What :func:`write_report` wrote.

    Attributes
    ----------
    html
        The self-contained HTML report.
    pdf
        The PDF, or ``None`` when it was not asked for or could not be made.
    pdf_message
        Why there is no PDF and what to install (Dutch), or ``None``.
    figures
        Number of charts and maps in the report.
    scenarios
        The scenario results shown in the chapter "Scenario's vergeleken" (empty without scenarios).
    """

    html: Path
    pdf: Path | None
    pdf_message: str | None
    figures: int = 0
    scenarios: tuple[ScenarioResult, ...] = ()


def scenario_step(scenario: Scenario) -> str:
    """The progress step of one scenario (Dutch)."""
    return f"scenario: {scenario.naam}"


def report_name(data: ReportData) -> str:
    """The file name of the report without extension: ``regiorapport-<regio>-<jaar>``."""
    return f"regiorapport-{slug(data.name)}-{data.origin}"


def _write_atomic(path: Path, text: str) -> None:
    write_text_atomic(path, text)


def write_report(
    tables: dict[str, pd.DataFrame],
    regio: str | None,
    out_dir: str | Path,
    *,
    pdf: bool = False,
    progress: ProgressFn | None = None,
    today: dt.date | None = None,
    scenarios: Sequence[Scenario] = (),
) -> ReportResult:
    """Write the regional report of ``regio`` into ``out_dir``: an HTML file and, with ``pdf``, a PDF.

    Parameters
    ----------
    tables
        The workspace tables (``Workspace(path).require().tables()``).
    regio
        A ``--regio`` expression; ``None`` takes every vestiging of the workspace (the demo region).
    out_dir
        Folder for the files (created when missing); names are ``regiorapport-<regio>-<jaar>.html/.pdf``.
    pdf
        Also print a PDF with a headless Chromium. When no browser is found or printing fails, the HTML is
        still written and ``pdf_message`` says what to install.
    progress
        Called as ``progress(step, i, n)`` while working (Dutch step names).
    today
        The date printed in the report (default: today).
    scenarios
        Scenarios (:func:`dekkend.scenarios.load_scenario`) to compare with "zonder ingrijpen" in the chapter
        "Scenario's vergeleken"; without scenarios that chapter is left out. Each runs with
        :func:`dekkend.scenarios.run_scenario` on the report's own forecast and diagnosis (the same cohort
        forecast and diagnosis :func:`dekkend.scenarios.baseline` makes; one
        :class:`~dekkend.scenarios.Baseline` is built from them, once, for all scenarios).

    Raises
    ------
    WerkmapFout
        The workspace lacks a table the report needs.
    RegioFout
        ``regio`` selects nothing.
    InvoerFout
        A scenario does not fit the workspace (unknown vestiging, offer it does not have, ...); checked before
        the analyses, and nothing is written.
    """
    scenarios = tuple(scenarios)
    n = len(COLLECT_STEPS) + len(scenarios) + len(WRITE_STEPS)

    def inner(step: str, i: int, _n: int) -> None:
        if progress:
            progress(step, i, n)

    check_scenarios(tables, regio, scenarios)
    data = collect(tables, regio, progress=inner, today=today)
    results = []
    base: Baseline | None = None  # "zonder ingrijpen" on the report's forecast and diagnosis, once
    for i, s in enumerate(scenarios):
        inner(scenario_step(s), len(COLLECT_STEPS) + i, n)
        if base is None:
            base = baseline(
                tables, regio, horizon=HORIZON, forecast=(data.forecast, data.origin), diagnosis=data.diagnosis
            )
        results.append(run_scenario(tables, s, regio, horizon=HORIZON, baseline=base))
    done = len(COLLECT_STEPS) + len(scenarios)
    inner(WRITE_STEPS[0], done, n)
    html, figs = render_html(data, results)
    folder = ensure_folder(out_dir)
    html_path = folder / f"{report_name(data)}.html"
    _write_atomic(html_path, html)
    pdf_path: Path | None = None
    message: str | None = None
    if pdf:
        inner(WRITE_STEPS[1], done + 1, n)
        try:
            pdf_path = print_pdf(html_path, html_path.with_suffix(".pdf"), browser=find_browser())
        except DekkendError as exc:
            message = f"{exc}. Het HTML-rapport is wel geschreven: {html_path}"
    inner("klaar", n, n)
    return ReportResult(html_path, pdf_path, message, len(figs.items), tuple(results))
