"""The scenario job: run one scenario version with the library (Taak soort ``scenario``)."""

from __future__ import annotations

from django_tasks import task

from dekkend.web import tasks
from dekkend.web.plannen import services


@task()
def run_scenario_version(taak_id: int) -> None:
    """Compute (or recompute and compare) the result of the job's scenario version."""
    tasks.run_job(taak_id, services.run_version)


tasks.register("scenario", run_scenario_version)
