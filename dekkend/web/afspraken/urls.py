"""The agreement pages (in the ``werkruimte`` namespace)."""

from __future__ import annotations

from django.urls import path

from dekkend.web.afspraken import views

_ONE = "regio/<int:regio_id>/afspraken/<int:afspraak_id>/"

pages = [
    path("regio/<int:regio_id>/afspraken/", views.afspraken, name="afspraken"),
    path("regio/<int:regio_id>/afspraken/nieuw/", views.nieuw, name="afspraak_nieuw"),
    path(_ONE, views.afspraak, name="afspraak"),
    path(_ONE + "wijzigen/", views.wijzigen, name="afspraak_wijzigen"),
    path(_ONE + "voorleggen/", views.voorleggen, name="afspraak_voorleggen"),
    path(_ONE + "instemming/", views.instemming, name="afspraak_instemming"),
    path(_ONE + "bijlage/", views.bijlage, name="afspraak_bijlage"),
    path(_ONE + "bijlage/<int:taak_id>/", views.bijlage_taak, name="afspraak_bijlage_taak"),
    path(_ONE + "bijlage/<int:taak_id>/<str:soort>/", views.bijlage_bestand, name="afspraak_bijlage_bestand"),
]
