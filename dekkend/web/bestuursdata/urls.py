"""The bestuursdata pages (in the ``werkruimte`` namespace)."""

from __future__ import annotations

from django.urls import path

from dekkend.web.bestuursdata import views

_BASE = "regio/<int:regio_id>/eigen-gegevens/"

pages = [
    path(_BASE, views.eigen_gegevens, name="eigen_gegevens"),
    path(_BASE + "upload/", views.upload, name="bd_upload"),
    path(_BASE + "sjabloon/<str:sjabloon>/", views.sjabloon, name="bd_sjabloon"),
    path(_BASE + "export/", views.exporteren, name="bd_export"),
    path(_BASE + "verwijderen/", views.alles_verwijderen, name="bd_alles_verwijderen"),
    path(_BASE + "<int:upload_id>/", views.bekijken, name="bd_upload_bekijken"),
    path(_BASE + "<int:upload_id>/delen/", views.delen, name="bd_delen"),
    path(_BASE + "<int:upload_id>/verwijderen/", views.verwijderen, name="bd_verwijderen"),
]
