"""The Django app of the region's agreements (label ``afspraken``)."""

from __future__ import annotations

from django.apps import AppConfig


class AfsprakenConfig(AppConfig):
    name = "dekkend.web.afspraken"
    label = "afspraken"
    verbose_name = "afspraken"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from dekkend.web.afspraken import tasks  # noqa: F401 - registers the "afspraak" job kind
