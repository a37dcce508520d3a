"""URLs of support requests, notifications and the knowledge base (in the ``werkruimte`` namespace)."""

from __future__ import annotations

from django.urls import path

from dekkend.web.hulpvragen import views

_H = "regio/<int:regio_id>/hulpvragen/<int:hulpvraag_id>/"

pages = [
    path("hulp/ondersteuning/", views.hulp_ondersteuning, name="hulp_ondersteuning"),
    path("hulpvragen/", views.inbox, name="hulpvragen"),
    path("meldingen/", views.meldingen, name="meldingen"),
    path("regio/<int:regio_id>/ondersteuning/", views.ondersteuning, name="ondersteuning"),
    path("regio/<int:regio_id>/hulpvragen/nieuw/", views.hulpvraag_nieuw, name="hulpvraag_nieuw"),
    path(_H, views.hulpvraag, name="hulpvraag"),
    path(_H + "status/", views.hulpvraag_status, name="hulpvraag_status"),
    path(_H + "bijlagen/<int:bijlage_id>/", views.hulpvraag_bijlage, name="hulpvraag_bijlage"),
    path(_H + "rapport/<str:soort>/", views.hulpvraag_rapport, name="hulpvraag_rapport"),
    path(_H + "verslag/", views.hulpvraag_verslag, name="hulpvraag_verslag"),
    path(_H + "verslag/delen/", views.hulpvraag_delen, name="hulpvraag_delen"),
    path(_H + "visiteurs/", views.hulpvraag_partner, name="hulpvraag_partner"),
    path(_H + "visitatie/", views.visitatie, name="visitatie"),
    path("kennisbank/", views.kennisbank, name="kennisbank"),
    path("kennisbank/nieuw/", views.kennis_bewerken, name="kennis_nieuw"),
    path("kennisbank/beoordelen/", views.kennis_beoordelen, name="kennis_beoordelen"),
    path("kennisbank/versies/<int:versie_id>/", views.kennis_versie, name="kennis_versie"),
    path("kennisbank/<str:artikel>/", views.kennisartikel, name="kennisartikel"),
    path("kennisbank/<str:artikel>/bewerken/", views.kennis_bewerken, name="kennis_bewerken"),
    path("regio/<int:regio_id>/kennis/", views.kennis_regio, name="kennis_regio"),
    path("regio/<int:regio_id>/kennis/<str:artikel>/nuttig/", views.kennis_nuttig, name="kennis_nuttig"),
]
