"""Background work of support requests: the report of the moment a request was made, and daily reminders."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from django.conf import settings
from django_tasks import task

from dekkend import report
from dekkend.web import notify, tasks
from dekkend.web.models import Taak
from dekkend.workspace import Workspace


@task()
def write_request_report(taak_id: int) -> None:
    """Write the region's report (HTML and PDF) for a request's snapshot into the web map."""

    def work(taak: Taak) -> dict:
        folder = Path(settings.WEB_MAP) / "rapporten" / f"taak-{taak.pk}"
        tables = Workspace(settings.WERKMAP).require().tables()
        written = report.write_report(
            tables,
            taak.regio.selectie,
            folder,
            pdf=bool(taak.parameters.get("pdf", True)),
            progress=tasks.progress(taak),
        )
        files = {"html": str(written.html.relative_to(settings.WEB_MAP))}
        if written.pdf is not None:
            files["pdf"] = str(written.pdf.relative_to(settings.WEB_MAP))
        if written.pdf_message:
            files["pdf_melding"] = written.pdf_message
        return files

    tasks.run_job(taak_id, work)


def _reminders(now: datetime) -> int:
    from dekkend.web.hulpvragen.werk import remind

    return remind(now)


tasks.register("hulpvraag", write_request_report)
notify.register_daily("herinneringen", _reminders)
