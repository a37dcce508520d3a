"""The Django app of support requests and the knowledge base in the browser (label ``hulpvragen``)."""

from __future__ import annotations

from django.apps import AppConfig


class HulpvragenConfig(AppConfig):
    name = "dekkend.web.hulpvragen"
    label = "hulpvragen"
    verbose_name = "hulpvragen en kennisbank"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from dekkend.web.hulpvragen import tasks  # noqa: F401 - registers the snapshot job and the daily reminders
