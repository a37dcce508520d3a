"""Notifications: a :class:`~dekkend.web.models.Melding` per person, and an e-mail through Django's mail framework.

:func:`notify` records the notifications and, once the surrounding transaction commits, queues one
background task that e-mails those whose owners want e-mail at once (``meldingen_per_dag`` false);
the others wait for the daily digest. A failing SMTP server never fails the request that notified:
the notification stays in the workspace and ``gemaild`` stays empty.

:func:`run_daily` is the once-a-day run (``dekkend web meldingen``, from cron or a systemd timer): the
daily jobs feature modules registered with :func:`register_daily` (due-date reminders), then one digest
e-mail per person who chose it, with every notification not e-mailed yet.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime

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


#: Jobs of the daily run, by name: each returns how many things it did (reminders sent, ...).
DAILY: dict[str, Callable[[datetime], int]] = {}


def register_daily(name: str, job: Callable[[datetime], int]) -> None:
    """Run ``job(now)`` in every daily run (before the digest), reported under ``name``."""
    DAILY[name] = job


def digest_text(meldingen: list[Melding]) -> str:
    """The body of one person's daily digest (Dutch), oldest notification first."""
    parts = [f"U heeft {len(meldingen)} nieuwe melding{'en' if len(meldingen) != 1 else ''} in de werkruimte:"]
    for m in meldingen:
        line = f"- {timezone.localtime(m.aangemaakt):%d-%m-%Y %H:%M} {m.onderwerp}"
        if m.tekst.strip():
            line += f"\n  {m.tekst.strip()}"
        if m.link:
            line += f"\n  {absolute(m.link)}"
        parts.append(line)
    parts.append("U krijgt deze samenvatting eens per dag; op de pagina Meldingen kiest u voor losse e-mails.")
    return "\n\n".join(parts)


def send_digests() -> int:
    """E-mail each person who chose the daily digest their notifications not e-mailed yet; returns e-mails sent."""
    pending = Melding.objects.select_related("ontvanger").filter(
        gemaild__isnull=True, ontvanger__meldingen_per_dag=True, ontvanger__is_active=True
    )
    per_person: dict[int, list[Melding]] = {}
    for melding in pending.order_by("aangemaakt", "pk"):
        per_person.setdefault(melding.ontvanger_id, []).append(melding)
    sent = 0
    for items in per_person.values():
        person = items[0].ontvanger
        try:
            send_mail(
                f"[dekkend] Dagelijkse samenvatting: {len(items)} melding{'en' if len(items) != 1 else ''}",
                digest_text(items),
                settings.DEFAULT_FROM_EMAIL,
                [person.email],
            )
        except OSError:  # tried again in the next daily run
            log.exception("dagelijkse samenvatting voor %s niet gemaild", person.pk)
            continue
        Melding.objects.filter(pk__in=[m.pk for m in items]).update(gemaild=timezone.now())
        sent += 1
    return sent


def run_daily(now: datetime | None = None) -> dict[str, int]:
    """The daily run: the registered daily jobs, then the digests. Returns what each did."""
    moment = now or timezone.now()
    done = {name: job(moment) for name, job in DAILY.items()}
    done["samenvattingen"] = send_digests()
    return done


@task()
def daily_notifications() -> dict[str, int]:
    """:func:`run_daily` as a background task."""
    return run_daily()
