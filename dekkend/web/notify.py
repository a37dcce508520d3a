"""Notifications: a :class:`~dekkend.web.models.Melding` per person, and an e-mail through Django's mail framework.

:func:`notify` records the notifications and, once the surrounding transaction commits, queues one
background task that e-mails those whose owners want e-mail at once (``meldingen_per_dag`` false);
the others wait for the daily digest. A failing SMTP server never fails the request that notified:
the notification stays in the workspace and ``gemaild`` stays empty.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from dekkend.web.models import Gebruiker, Melding

log = logging.getLogger("dekkend.web")


def notify(ontvangers: Iterable[Gebruiker], onderwerp: str, tekst: str, link: str = "") -> list[Melding]:
    """Notify each active person in ``ontvangers`` once (duplicates and inactive accounts are skipped)."""
    people = {p.pk: p for p in ontvangers if p.is_active}
    made = [
        Melding.objects.create(ontvanger=p, onderwerp=onderwerp[:200], tekst=tekst, link=link) for p in people.values()
    ]
    at_once = [m.pk for m in made if not m.ontvanger.meldingen_per_dag]
    if at_once:
        transaction.on_commit(lambda: send_notifications.enqueue(at_once))
    return made


def absolute(link: str) -> str:
    """``link`` as a full address for an e-mail (``DEKKEND_WEB_URL``), or as it is when that is not set."""
    return f"{settings.SITE_URL}{link}" if link.startswith("/") and settings.SITE_URL else link


def email_text(melding: Melding) -> str:
    """The body of the e-mail for one notification (Dutch)."""
    lines = [melding.tekst.strip()] if melding.tekst.strip() else []
    if melding.link:
        lines.append(f"Bekijk het in de werkruimte: {absolute(melding.link)}")
    lines.append(
        "Dit bericht komt van de regionale werkruimte van dekkend. Per e-mail of eens per dag: zie uw profiel."
    )
    return "\n\n".join(lines)


@task()
def send_notifications(melding_ids: list[int]) -> None:
    """E-mail the notifications ``melding_ids`` that were not e-mailed yet."""
    for melding in Melding.objects.select_related("ontvanger").filter(pk__in=melding_ids, gemaild__isnull=True):
        try:
            send_mail(
                f"[dekkend] {melding.onderwerp}",
                email_text(melding),
                settings.DEFAULT_FROM_EMAIL,
                [melding.ontvanger.email],
            )
        except OSError:  # SMTP down or refusing: the notification stays in the workspace, unsent
            log.exception("melding %s niet gemaild", melding.pk)
            continue
        Melding.objects.filter(pk=melding.pk).update(gemaild=timezone.now())
