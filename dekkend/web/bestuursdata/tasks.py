"""Background work of the bestuursdata app: the region's leerjaar-1 forecast that nowcast and check compare with."""

from __future__ import annotations

from django_tasks import task

from dekkend.web import tasks
from dekkend.web.models import Taak


@task()
def compute_region_intake(taak_id: int) -> None:
    """Compute and cache the leerjaar-1 forecast of the job's region (public data only)."""
    from dekkend.web.bestuursdata import data

    def work(taak: Taak) -> dict:
        tasks.progress(taak)("prognose leerjaar 1", 0, 1)
        return {"versie": data.compute_intake(taak.regio)["versie"]}

    tasks.run_job(taak_id, work)


tasks.register("upload", compute_region_intake)
