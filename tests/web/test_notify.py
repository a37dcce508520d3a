"""Notifications: recorded for each person once, e-mailed through a real SMTP server, never failing the caller."""

from __future__ import annotations

import pytest


@pytest.mark.django_db(transaction=True)
def test_notifications_are_recorded_once_and_emailed_at_once_or_left_for_the_digest(world, smtp_server, settings):
    from django.db import transaction

    from dekkend.web.models import Melding
    from dekkend.web.notify import notify

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = smtp_server.host, smtp_server.port
    board, adviser = world["people"]["bestuur"], world["people"]["adviseur"]
    adviser.meldingen_per_dag = True
    adviser.save()
    with transaction.atomic():
        made = notify([board, adviser, board], "Nieuwe opmerking", "Bij scenario Sluiting", "/regio/1/")
    assert len(made) == 2  # one per person
    mail = smtp_server.wait_for(1)
    assert [m.rcpt_tos for m in mail] == [(board.email,)]
    body = mail[0].message.get_body(("plain",)).get_content()
    assert mail[0].message["Subject"] == "[dekkend] Nieuwe opmerking" and "/regio/1/" in body
    assert Melding.objects.get(ontvanger=board).gemaild is not None
    assert Melding.objects.get(ontvanger=adviser).gemaild is None  # waits for the daily digest


@pytest.mark.django_db(transaction=True)
def test_a_refusing_smtp_server_leaves_the_notification_unsent_without_failing(world, settings):
    from django.db import transaction
    from services import free_port

    from dekkend.web.models import Melding
    from dekkend.web.notify import notify

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    with transaction.atomic():
        notify([world["people"]["bestuur"]], "Status gewijzigd", "")
    melding = Melding.objects.get()
    assert melding.gemaild is None and melding.onderwerp == "Status gewijzigd"
