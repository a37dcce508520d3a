"""Writing the report: collect, render, write the HTML atomically, print the PDF when asked."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from dekkend.errors import DekkendError
from dekkend.report._collect import COLLECT_STEPS, ProgressFn, ReportData, collect
from dekkend.report._format import slug
from dekkend.report._pdf import find_browser, print_pdf
from dekkend.report._render import render_html

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
    """

    html: Path
    pdf: Path | None
    pdf_message: str | None
    figures: int = 0


def report_name(data: ReportData) -> str:
    """The file name of the report without extension: ``regiorapport-<regio>-<jaar>``."""
    return f"regiorapport-{slug(data.name)}-{data.origin}"


def _write_atomic(path: Path, text: str) -> None:
    partial = path.with_name(f".{path.name}.bezig")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def write_report(
    tables: dict[str, pd.DataFrame],
    regio: str | None,
    out_dir: str | Path,
    *,
    pdf: bool = False,
    progress: ProgressFn | None = None,
    today: dt.date | None = None,
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

    Raises
    ------
    WerkmapFout
        The workspace lacks a table the report needs.
    RegioFout
        ``regio`` selects nothing.
    """
    n = len(COLLECT_STEPS) + len(WRITE_STEPS)

    def inner(step: str, i: int, _n: int) -> None:
        if progress:
            progress(step, i, n)

    data = collect(tables, regio, progress=inner, today=today)
    inner(WRITE_STEPS[0], len(COLLECT_STEPS), n)
    html, figs = render_html(data)
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    html_path = folder / f"{report_name(data)}.html"
    _write_atomic(html_path, html)
    pdf_path: Path | None = None
    message: str | None = None
    if pdf:
        inner(WRITE_STEPS[1], len(COLLECT_STEPS) + 1, n)
        try:
            pdf_path = print_pdf(html_path, html_path.with_suffix(".pdf"), browser=find_browser())
        except DekkendError as exc:
            message = f"{exc}. Het HTML-rapport is wel geschreven: {html_path}"
    inner("klaar", n, n)
    return ReportResult(html_path, pdf_path, message, len(figs.items))
