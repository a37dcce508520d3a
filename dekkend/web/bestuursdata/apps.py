"""The Django app of a board's own data (label ``bestuursdata``)."""

from __future__ import annotations

from django.apps import AppConfig


class BestuursdataConfig(AppConfig):
    name = "dekkend.web.bestuursdata"
    label = "bestuursdata"
    verbose_name = "eigen gegevens van besturen"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from dekkend.web.bestuursdata import tasks  # noqa: F401 - registers the upload job
