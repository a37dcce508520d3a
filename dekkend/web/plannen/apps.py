"""The Django app of the workspace's scenarios (label ``plannen``)."""

from __future__ import annotations

from django.apps import AppConfig


class PlannenConfig(AppConfig):
    name = "dekkend.web.plannen"
    label = "plannen"
    verbose_name = "scenario's"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from dekkend.web.plannen import tasks  # noqa: F401 - registers the scenario job
