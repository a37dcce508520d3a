"""The Django app of the web workspace."""

from __future__ import annotations

from django.apps import AppConfig


class WerkruimteConfig(AppConfig):
    name = "dekkend.web"
    label = "werkruimte"
    verbose_name = "dekkend werkruimte"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from dekkend.web import signals  # noqa: F401 - connects the login/logout audit handlers
