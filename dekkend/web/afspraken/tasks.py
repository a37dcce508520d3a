"""The agreement's background job: its PDF annex (job kind ``afspraak``)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django_tasks import task

from dekkend.web import tasks
from dekkend.web.afspraken import annex
from dekkend.web.afspraken.models import Afspraak
from dekkend.web.models import Taak


@task()
def write_annex(taak_id: int) -> None:
    """Compute the agreement's scenario and write its annex (HTML, and PDF when Chromium is there)."""

    def work(taak: Taak) -> dict:
        afspraak = Afspraak.objects.select_related("regio", "versie__scenario").get(
            pk=taak.parameters["afspraak"], regio=taak.regio
        )
        folder = Path(settings.WEB_MAP) / "afspraken" / f"taak-{taak.pk}"
        return annex.write(afspraak, folder, tasks.progress(taak))

    tasks.run_job(taak_id, work)


tasks.register("afspraak", write_annex)
