"""After a crash: put interrupted background jobs back in the queue, so none is lost and none is left "bezig".

``dekkend web`` calls :func:`requeue_interrupted` before it starts its task worker; at that moment no worker
of this installation runs (one ``dekkend web`` per database), so a queue entry marked running belongs to a
worker that died. Its job runs again from the start: every job is idempotent (it writes its result under its
own name and records it in one update; see :func:`dekkend.web.tasks.run_job`), so a second run gives the same
result and a finished job is never run again. A job whose queue entry was never made (the server died
between saving the job and queueing it) is queued now.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from dekkend.web.models import Taak
from dekkend.web.tasks import RUNNERS

log = logging.getLogger("dekkend.web")


def requeue_interrupted() -> dict[str, int]:
    """Re-queue what a dead worker or server left behind; returns counts (``opnieuw``, ``in_wachtrij``)."""
    with transaction.atomic():
        running = DBTaskResult.objects.select_for_update().filter(status=TaskResultStatus.RUNNING)
        again = running.update(status=TaskResultStatus.READY, started_at=None)
    queued_ids = {
        str(i)
        for i in DBTaskResult.objects.filter(status=TaskResultStatus.READY).values_list("id", flat=True).iterator()
    }
    restarted = 0
    for taak in Taak.objects.filter(status__in=(Taak.Status.WACHTRIJ, Taak.Status.BEZIG)).order_by("pk"):
        if taak.taak_id and taak.taak_id in queued_ids:
            if taak.status == Taak.Status.BEZIG:  # the person sees the true state: waiting to run again
                Taak.objects.filter(pk=taak.pk).update(
                    status=Taak.Status.WACHTRIJ, stap="opnieuw in de wachtrij na een herstart", voortgang=0
                )
            continue
        runner = RUNNERS.get(str(taak.soort))
        if runner is None:
            continue  # a job kind this installation does not know (an app that is not installed)
        result = runner.enqueue(taak.pk)
        Taak.objects.filter(pk=taak.pk).update(
            taak_id=str(result.id), status=Taak.Status.WACHTRIJ, stap="opnieuw in de wachtrij na een herstart"
        )
        restarted += 1
    if again or restarted:
        log.warning("na een herstart opnieuw in de wachtrij: %s lopende en %s losse taken", again, restarted)
    return {"opnieuw": again, "in_wachtrij": restarted}
