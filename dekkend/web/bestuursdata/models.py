"""A board's uploaded figures: one immutable row per upload version, with the board's choice of disclosure.

The checked rows are kept in the database (what pages and checks read); the file as uploaded is kept
under ``<web map>/bestuursdata/`` for the board's export. Only the newest version of each kind counts;
a new version starts private.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone

from dekkend.web.models import Bestuur, Gebruiker


class Upload(models.Model):
    """One version of a board's registrations or own forecast."""

    class Soort(models.TextChoices):
        AANMELDINGEN = "aanmeldingen", "aanmeldingen voor leerjaar 1"
        PROGNOSE = "prognose", "eigen prognose leerjaar 1"

    class Niveau(models.TextChoices):
        NIETS = "niets", "niets delen"
        TOTALEN = "totalen", "totalen per onderwijstype"
        DETAIL = "detail", "alles per vestiging"

    class Met(models.TextChoices):
        ADVISEUR = "adviseur", "alleen de adviseur"
        REGIO = "regio", "de hele regio"

    bestuur = models.ForeignKey(Bestuur, on_delete=models.CASCADE, related_name="uploads")
    soort = models.CharField(max_length=20, choices=Soort.choices)
    versie = models.PositiveIntegerField()
    bestandsnaam = models.CharField(max_length=200)
    #: The file as uploaded, relative to the web map.
    bestand = models.CharField(max_length=300)
    #: The checked rows: ``vestigingscode``, ``onderwijstype``, ``peildatum``, ``schooljaar``, ``aantal``.
    rijen = models.JSONField(default=list)
    geupload_door = models.ForeignKey(Gebruiker, null=True, on_delete=models.SET_NULL, related_name="+")
    aangemaakt = models.DateTimeField(default=timezone.now)
    niveau = models.CharField(max_length=10, choices=Niveau.choices, default=Niveau.NIETS)
    met = models.CharField(max_length=10, choices=Met.choices, default=Met.ADVISEUR)
    gedeeld_sinds = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "upload"
        verbose_name_plural = "uploads"
        ordering: ClassVar = ["-aangemaakt", "-versie"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["bestuur", "soort", "versie"], name="upload_versie_uniek")
        ]

    def __str__(self) -> str:
        return f"{self.get_soort_display()} v{self.versie} ({self.bestuur})"

    def is_current(self) -> bool:
        """Whether this is the newest version of its kind for its board (only that one can be shared)."""
        newest = Upload.objects.filter(bestuur_id=self.bestuur_id, soort=self.soort).order_by("-versie").first()
        return newest is not None and newest.pk == self.pk
