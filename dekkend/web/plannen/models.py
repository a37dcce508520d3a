"""A scenario belongs to a region and to the board of its author; every change is a new version.

Visibility (:class:`Zichtbaarheid`) is set per scenario by its board: ``bestuur`` (the default: the
author's board, or only the author when the author has no board), ``adviseur`` (plus the advisers assigned
to the region) and ``regio`` (every member of the region). A version is never changed once made: its
YAML, and the result computed from it with the data version and dekkend version that produced it.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone

from dekkend.web.models import Bestuur, Gebruiker, Regio, Taak


class Zichtbaarheid(models.TextChoices):
    BESTUUR = "bestuur", "alleen ons bestuur"
    ADVISEUR = "adviseur", "ons bestuur en de adviseur van de regio"
    REGIO = "regio", "alle leden van de regio"


#: Visibility levels from narrow to wide.
NIVEAUS = ("bestuur", "adviseur", "regio")


class Scenario(models.Model):
    """A named scenario of one region, owned by the author's board (or by the author without a board)."""

    regio = models.ForeignKey(Regio, on_delete=models.CASCADE, related_name="scenarios")
    bestuur = models.ForeignKey(Bestuur, null=True, blank=True, on_delete=models.PROTECT, related_name="scenarios")
    auteur = models.ForeignKey(Gebruiker, null=True, on_delete=models.SET_NULL, related_name="scenarios")
    naam = models.CharField(max_length=200)
    zichtbaarheid = models.CharField(max_length=20, choices=Zichtbaarheid.choices, default=Zichtbaarheid.BESTUUR)
    #: The version this scenario was copied from ("fork"), if any.
    afgeleid_van = models.ForeignKey(
        "ScenarioVersie", null=True, blank=True, on_delete=models.SET_NULL, related_name="afgeleid"
    )
    #: Where it came from: made by hand, imported YAML, a copy, or the optimiser.
    herkomst = models.CharField(max_length=20, default="handmatig")
    aangemaakt = models.DateTimeField(default=timezone.now)
    gewijzigd = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "scenario"
        verbose_name_plural = "scenario's"
        ordering: ClassVar = ["-gewijzigd"]

    def __str__(self) -> str:
        return self.naam

    def laatste(self) -> ScenarioVersie | None:
        """The newest version."""
        return self.versies.order_by("-nummer").first()


class ScenarioVersie(models.Model):
    """One immutable version of a scenario's YAML, and the result computed from it."""

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="versies")
    nummer = models.PositiveIntegerField()
    yaml = models.TextField()
    door = models.ForeignKey(Gebruiker, null=True, on_delete=models.SET_NULL, related_name="+")
    aangemaakt = models.DateTimeField(default=timezone.now)
    #: Explanations that came with this version (the optimiser's reasons per change), Dutch text.
    toelichting = models.TextField(blank=True)
    taak = models.ForeignKey(Taak, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    #: The computed result (JSON), with what produced it: the werkmap's data version and dekkend's version.
    resultaat = models.JSONField(null=True, blank=True)
    data_versie = models.CharField(max_length=64, blank=True)
    dekkend_versie = models.CharField(max_length=40, blank=True)

    class Meta:
        verbose_name = "scenarioversie"
        verbose_name_plural = "scenarioversies"
        ordering: ClassVar = ["scenario", "nummer"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["scenario", "nummer"], name="scenarioversie_uniek_nummer"),
        ]

    def __str__(self) -> str:
        return f"{self.scenario} (versie {self.nummer})"


class Opmerking(models.Model):
    """A comment on a scenario; visible to whoever sees the scenario."""

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="opmerkingen")
    versie = models.ForeignKey(ScenarioVersie, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    door = models.ForeignKey(Gebruiker, null=True, on_delete=models.SET_NULL, related_name="+")
    tekst = models.TextField()
    aangemaakt = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "opmerking"
        verbose_name_plural = "opmerkingen"
        ordering: ClassVar = ["aangemaakt"]
