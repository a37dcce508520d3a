"""The workspace's URLs: pages, the JSON API and the admin (``/beheer/``)."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from dekkend.web import views, views_leden
from dekkend.web.afspraken import urls as afspraken_urls
from dekkend.web.api import api
from dekkend.web.bestuursdata import urls as bestuursdata_urls
from dekkend.web.hulpvragen import urls as hulpvragen_urls
from dekkend.web.plannen import urls as plannen_urls
from dekkend.web.plannen import urls_optimalisatie

pages = [
    path("", views.start, name="start"),
    path("inloggen/", views.inloggen, name="inloggen"),
    path("uitloggen/", views.uitloggen, name="uitloggen"),
    path("hulp/", views.hulp, name="hulp"),
    path("profiel/", views.profiel, name="profiel"),
    path("profiel/tokens/<int:token_id>/intrekken/", views.token_intrekken, name="token_intrekken"),
    path("regio/<int:regio_id>/", views.regio, name="regio"),
    path("regio/<int:regio_id>/bereikbaarheid/", views.bereikbaarheid, name="bereikbaarheid"),
    path("regio/<int:regio_id>/kaart/", views.kaart, name="kaart"),
    path("regio/<int:regio_id>/knelpunten/", views.knelpunten, name="knelpunten"),
    path("regio/<int:regio_id>/besturen/", views.besturen, name="besturen"),
    path("regio/<int:regio_id>/advies/", views.advies, name="advies"),
    path("regio/<int:regio_id>/bronnen/", views.bronnen, name="bronnen"),
    path("regio/<int:regio_id>/rapport/", views.rapport, name="rapport"),
    path("regio/<int:regio_id>/taken/<int:taak_id>/", views.taak, name="taak"),
    path("regio/<int:regio_id>/rapport/<int:taak_id>/<str:soort>/", views.rapport_bestand, name="rapport_bestand"),
    path("regio/<int:regio_id>/leden/", views_leden.leden, name="leden"),
    path("regio/<int:regio_id>/leden/uitnodigen/", views_leden.uitnodigen, name="uitnodigen"),
    path(
        "regio/<int:regio_id>/leden/uitnodigingen/<int:uitnodiging_id>/intrekken/",
        views_leden.uitnodiging_intrekken,
        name="uitnodiging_intrekken",
    ),
    path(
        "regio/<int:regio_id>/leden/<int:gebruiker_id>/verwijderen/",
        views_leden.lid_verwijderen,
        name="lid_verwijderen",
    ),
    path("regio/<int:regio_id>/leden/besturen/<int:bestuur_id>/naam/", views_leden.bestuursnaam, name="bestuursnaam"),
    path("uitnodiging/<str:sleutel>/", views_leden.uitnodiging, name="uitnodiging"),
]
pages += hulpvragen_urls.pages

pages += urls_optimalisatie.pages

pages += afspraken_urls.pages
pages += plannen_urls.pages
pages += bestuursdata_urls.pages

urlpatterns = [
    path("", include((pages, "werkruimte"))),
    path("api/", api.urls),
    path("beheer/", admin.site.urls),
]
