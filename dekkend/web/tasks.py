"""Background work of the workspace: a region's analysis and its report, run by the task worker.

Each job is a :class:`~dekkend.web.models.Taak` row that the person sees (status, progress, step,
result); the queue itself is Django's tasks framework with its database backend, so it runs on
SQLite and PostgreSQL alike. A job that is picked up twice (a worker killed after it finished but
before the queue knew) finds its row finished and does nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from dekkend import report
from dekkend.errors import DekkendError
from dekkend.web.analysis import AnalysisStore
from dekkend.web.models import Taak
from dekkend.workspace import Workspace

log = logging.getLogger("dekkend.web")


def store() -> AnalysisStore:
    """The analysis store of the configured werkmap."""
    return AnalysisStore(Path(settings.WERKMAP), Path(settings.WEB_MAP))


#: The task that runs each kind of job; the workspace's feature modules add theirs with :func:`register`.
RUNNERS: dict[str, Any] = {}


def register(soort: str, runner: Any) -> None:
    """Let :func:`start_job` run jobs of kind ``soort`` (a :class:`Taak.Soort` value) with the task ``runner``."""
    RUNNERS[soort] = runner


def start_job(taak: Taak) -> Taak:
    """Queue ``taak`` after the surrounding transaction commits."""
    runner = RUNNERS[str(taak.soort)]

    def enqueue() -> None:
        result = runner.enqueue(taak.pk)
        Taak.objects.filter(pk=taak.pk, taak_id="").update(taak_id=str(result.id))

    transaction.on_commit(enqueue)
    return taak


def _claim(taak_id: int) -> Taak | None:
    """Mark the job as running unless it already finished; ``None`` when there is nothing to do."""
    with transaction.atomic():
        taak = Taak.objects.select_for_update().select_related("regio").filter(pk=taak_id).first()
        if taak is None or taak.status in (Taak.Status.KLAAR, Taak.Status.MISLUKT):
            return None
        taak.status, taak.gestart, taak.voortgang, taak.fout = Taak.Status.BEZIG, timezone.now(), 0, ""
        taak.save(update_fields=["status", "gestart", "voortgang", "fout"])
        return taak


def progress(taak: Taak) -> Callable[[str, int, int], None]:
    """A progress callback for the library that writes the job's step and percentage."""

    def report_step(step: str, i: int, n: int) -> None:
        percent = min(99, int(100 * i / max(n, 1)))
        Taak.objects.filter(pk=taak.pk).update(stap=step[:200], voortgang=percent)

    return report_step


def _finish(taak: Taak, *, result: dict | None = None, error: str = "") -> None:
    taak.status = Taak.Status.MISLUKT if error else Taak.Status.KLAAR
    taak.voortgang = 100 if not error else taak.voortgang
    taak.resultaat = result or {}
    taak.fout = error
    taak.klaar = timezone.now()
    taak.save(update_fields=["status", "voortgang", "resultaat", "fout", "klaar"])


def run_job(taak_id: int, work: Callable[[Taak], dict]) -> None:
    """Run the job ``taak_id`` once: claim it, call ``work`` and record its result or its Dutch error."""
    taak = _claim(taak_id)
    if taak is None:
        return
    try:
        result = work(taak)
    except DekkendError as exc:
        _finish(taak, error=str(exc))
    except Exception:  # the person sees that it failed; the log has the trace
        log.exception("taak %s mislukt", taak_id)
        _finish(taak, error="Er ging iets mis bij deze taak; de beheerder kan de details in het serverlog vinden.")
    else:
        _finish(taak, result=result)


@task()
def analyse_region(taak_id: int) -> None:
    """Compute and cache the analysis of the job's region."""

    def work(taak: Taak) -> dict:
        analysis = store().compute(taak.regio_id, taak.regio.selectie, progress=progress(taak))
        return {"versie": analysis["versie"]}

    run_job(taak_id, work)


@task()
def write_region_report(taak_id: int) -> None:
    """Write the region's report (HTML and, when Chromium is there, PDF) into the web map."""

    def work(taak: Taak) -> dict:
        folder = Path(settings.WEB_MAP) / "rapporten" / f"taak-{taak.pk}"
        tables = Workspace(settings.WERKMAP).require().tables()
        written = report.write_report(
            tables, taak.regio.selectie, folder, pdf=bool(taak.parameters.get("pdf", True)), progress=progress(taak)
        )
        files = {"html": str(written.html.relative_to(settings.WEB_MAP))}
        if written.pdf is not None:
            files["pdf"] = str(written.pdf.relative_to(settings.WEB_MAP))
        if written.pdf_message:
            files["pdf_melding"] = written.pdf_message
        return files

    run_job(taak_id, work)


register("analyse", analyse_region)
register("rapport", write_region_report)
