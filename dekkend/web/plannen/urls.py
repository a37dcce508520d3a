"""The scenario pages under a region (namespace ``werkruimte``)."""

from __future__ import annotations

from django.urls import path

from dekkend.web.plannen import views

_S = "regio/<int:regio_id>/scenarios/<int:scenario_id>/"

pages = [
    path("regio/<int:regio_id>/scenarios/", views.scenarios, name="scenarios"),
    path("regio/<int:regio_id>/scenarios/nieuw/", views.scenario_nieuw, name="scenario_nieuw"),
    path("regio/<int:regio_id>/scenarios/kiezer/", views.scenario_kiezer, name="scenario_kiezer"),
    path(_S, views.scenario, name="scenario"),
    path(_S + "bewerken/", views.scenario_bewerken, name="scenario_bewerken"),
    path(_S + "presentatie/", views.scenario_presentatie, name="scenario_presentatie"),
    path(_S + "versies/<int:nummer>/yaml/", views.scenario_yaml, name="scenario_yaml"),
    path(_S + "doorrekenen/", views.scenario_doorrekenen, name="scenario_doorrekenen"),
    path(_S + "taken/<int:run_id>/", views.scenario_taak, name="scenario_taak"),
    path(_S + "zichtbaarheid/", views.scenario_zichtbaarheid, name="scenario_zichtbaarheid"),
    path(_S + "opmerkingen/", views.scenario_opmerking, name="scenario_opmerking"),
    path(_S + "kopieren/", views.scenario_kopieren, name="scenario_kopieren"),
]
