"""What pages and API do with an agreement: record, change, put up for confirmation, answer, make the annex.

Every action checks the agreement's status (a Dutch :class:`StatusFout` otherwise), writes the audit log
and notifies: the named boards' staff when it is put up for confirmation, the coordinator on every answer.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

import dekkend
from dekkend.web import audit, tasks
from dekkend.web.afspraken.forms import AfspraakForm
from dekkend.web.afspraken.models import (
    AFGEWEZEN,
    CONCEPT,
    HERZIEN,
    INGESTEMD,
    TER_INSTEMMING,
    VASTGESTELD,
    Afspraak,
    Instemming,
    status_after_answers,
)
from dekkend.web.analysis import data_version
from dekkend.web.models import Bestuur, Gebruiker, Regio, Rol, Taak
from dekkend.web.notify import notify


class StatusFout(Exception):
    """The action does not fit the agreement's status (Dutch message; 409 in the API)."""


def link(afspraak: Afspraak) -> str:
    return reverse("werkruimte:afspraak", kwargs={"regio_id": afspraak.regio_id, "afspraak_id": afspraak.pk})


def board_staff(afspraak: Afspraak) -> QuerySet[Gebruiker]:
    """The active staff of the boards named in the agreement."""
    return Gebruiker.objects.filter(bestuur__in=afspraak.besturen.all(), is_active=True)


def coordinators(afspraak: Afspraak) -> QuerySet[Gebruiker]:
    """Who recorded the agreement and the region's coordinators."""
    condition = Q(rol=Rol.REGIOCOORDINATOR, regios=afspraak.regio)
    if afspraak.vastgelegd_door_id is not None:
        condition |= Q(pk=afspraak.vastgelegd_door_id)
    return Gebruiker.objects.filter(condition, is_active=True).distinct()


@transaction.atomic
def record(request: HttpRequest, regio: Regio, form: AfspraakForm) -> Afspraak:
    """Save a new agreement (``concept``) from a valid form, with the current data snapshot."""
    from django.conf import settings

    afspraak: Afspraak = form.save(commit=False)
    afspraak.regio = regio
    afspraak.vastgelegd_door = request.user
    afspraak.data_versie = data_version(settings.WERKMAP)
    afspraak.dekkend_versie = dekkend.__version__
    afspraak.save()
    form.save_m2m()
    audit.record(request, "afspraak vastgelegd", object=f"afspraak {afspraak.pk}", regio=regio.pk)
    return afspraak


@transaction.atomic
def change(request: HttpRequest, afspraak: Afspraak, form: AfspraakForm) -> Afspraak:
    """Save changes to a ``concept`` agreement from a valid form."""
    locked = Afspraak.objects.select_for_update().get(pk=afspraak.pk)
    if locked.status != CONCEPT:
        raise StatusFout("alleen een concept kan worden gewijzigd")
    form.instance.gewijzigd = timezone.now()
    saved: Afspraak = form.save()
    audit.record(request, "afspraak gewijzigd", object=f"afspraak {saved.pk}", regio=saved.regio_id)
    return saved


@transaction.atomic
def submit(request: HttpRequest, afspraak: Afspraak) -> Afspraak:
    """Put a ``concept`` up for confirmation (a new round) and notify the named boards' staff."""
    locked = Afspraak.objects.select_for_update().get(pk=afspraak.pk)
    if locked.status != CONCEPT:
        raise StatusFout("alleen een concept kan ter instemming worden voorgelegd")
    if not locked.besturen.exists():
        raise StatusFout("kies eerst de besturen die moeten instemmen")
    locked.status, locked.ronde, locked.gewijzigd = TER_INSTEMMING, locked.ronde + 1, timezone.now()
    locked.save(update_fields=["status", "ronde", "gewijzigd"])
    audit.record(request, "afspraak ter instemming", object=f"afspraak {locked.pk}", ronde=locked.ronde)
    notify(
        board_staff(locked),
        f"Ter instemming: {locked.titel}",
        f"De regiocoördinator van {locked.regio} legt de afspraak '{locked.titel}' voor. "
        "Stem in of wijs af (met reden) namens uw bestuur.",
        link(locked),
    )
    return locked


def _who(user: Gebruiker) -> str:
    name = user.get_full_name()
    return f"{name} <{user.email}>" if name else user.email


@transaction.atomic
def answer(request: HttpRequest, afspraak: Afspraak, bestuur: Bestuur, besluit: str, reden: str = "") -> Instemming:
    """Record ``bestuur``'s answer in the current round and update the status (see :func:`status_after_answers`)."""
    locked = Afspraak.objects.select_for_update().get(pk=afspraak.pk)
    if locked.status != TER_INSTEMMING:
        raise StatusFout("deze afspraak ligt nu niet ter instemming")
    if locked.instemmingen.filter(ronde=locked.ronde, bestuur=bestuur).exists():
        raise StatusFout(f"{bestuur} heeft in deze ronde al geantwoord")
    user: Gebruiker = request.user
    made = Instemming.objects.create(
        afspraak=locked,
        bestuur=bestuur,
        ronde=locked.ronde,
        besluit=besluit,
        reden=reden.strip(),
        door=user,
        door_naam=_who(user),
    )
    new_status = status_after_answers(locked.besturen.values_list("pk", flat=True), locked.answers())
    locked.status, locked.gewijzigd = new_status, timezone.now()
    if new_status == VASTGESTELD:
        locked.vastgesteld = made.moment
        if locked.vervangt_id is not None:
            Afspraak.objects.filter(pk=locked.vervangt_id, status=VASTGESTELD).update(
                status=HERZIEN, gewijzigd=timezone.now()
            )
    locked.save(update_fields=["status", "gewijzigd", "vastgesteld"])
    audit.record(
        request, f"afspraak {besluit}", object=f"afspraak {locked.pk}", bestuur=bestuur.code, ronde=locked.ronde
    )
    word = "stemt in met" if besluit == INGESTEMD else "wijst af:"
    text = f"{bestuur} ({_who(user)}) {word} '{locked.titel}'."
    if besluit == AFGEWEZEN:
        text += f" Reden: {made.reden} De afspraak is terug in concept."
    elif new_status == VASTGESTELD:
        text += " Alle besturen hebben ingestemd: de afspraak is vastgesteld."
    notify(coordinators(locked), f"Antwoord van {bestuur}: {locked.titel}", text, link(locked))
    if new_status == VASTGESTELD:
        notify(board_staff(locked), f"Vastgesteld: {locked.titel}", text, link(locked))
    return made


def start_annex(afspraak: Afspraak, user: Gebruiker) -> Taak:
    """Queue the agreement's PDF annex (job kind ``afspraak``)."""
    with transaction.atomic():
        job = Taak.objects.create(
            soort=Taak.Soort.AFSPRAAK, regio=afspraak.regio, aangevraagd_door=user, parameters={"afspraak": afspraak.pk}
        )
        return tasks.start_job(job)
