"""The optimiser's pages (wired into the ``werkruimte`` namespace by :mod:`dekkend.web.urls`)."""

from __future__ import annotations

from django.urls import path

from dekkend.web.plannen import optimalisatie

pages = [
    path("regio/<int:regio_id>/optimaliseren/", optimalisatie.optimaliseren, name="optimaliseren"),
    path(
        "regio/<int:regio_id>/optimaliseren/<int:optimalisatie_id>/",
        optimalisatie.optimalisatie_taak,
        name="optimalisatie_taak",
    ),
]
