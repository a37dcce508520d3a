"""A hulpvraag: a board's or coordinator's request for support, with a frozen snapshot, messages and files.

It goes to the person assigned to the region for its kind: the VO-raad adviser (``adviseur`` and
``visitatie``) or the OCW account manager (``ocw``). A collegial visitation adds themes, proposed dates,
the peer boards that agreed to visit and, at the end, the visitation report.

The knowledge base's own entries (:class:`KennisVersie`) are versions of the Markdown file of an entry
(the library's format, validated by :func:`dekkend.knowledge.parse_entry`); a version becomes public
after a second person's review. :class:`Nuttig` records that a board found an entry helpful.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone

from dekkend.web.models import Bestuur, Gebruiker, Regio, Taak


class Soort(models.TextChoices):
    ADVISEUR = "adviseur", "een ledenadviseur van de VO-raad"
    VISITATIE = "visitatie", "een collegiale bestuurlijke visitatie"
    OCW = "ocw", "een vraag aan de accountmanager van OCW"


class Status(models.TextChoices):
    NIEUW = "nieuw", "nieuw"
    IN_BEHANDELING = "in behandeling", "in behandeling"
    WACHT_OP_BESTUUR = "wacht op bestuur", "wacht op bestuur"
    AFGEROND = "afgerond", "afgerond"


#: The themes of a collegial visitation with krimp questions (VO-academie, see the knowledge base entry
#: collegiale-bestuurlijke-visitatie).
VISITATIETHEMAS = (
    ("kwaliteit", "kwaliteit van onderwijs bij krimp"),
    ("personeel", "strategisch personeelsbeleid en personeelsplanning"),
    ("huisvesting", "huisvesting"),
    ("financien", "financiën"),
    ("regionale-verantwoordelijkheid", "regionale verantwoordelijkheid (Code Goed Onderwijsbestuur)"),
)


class Hulpvraag(models.Model):
    """One request for support about a region (and possibly one of its knelpunten or a scenario version)."""

    regio = models.ForeignKey(Regio, on_delete=models.CASCADE, related_name="hulpvragen")
    #: The requesting board (``None`` when a coordinator asked on behalf of the region).
    bestuur = models.ForeignKey(Bestuur, null=True, blank=True, on_delete=models.PROTECT, related_name="hulpvragen")
    aanvrager = models.ForeignKey(Gebruiker, null=True, on_delete=models.SET_NULL, related_name="hulpvragen")
    soort = models.CharField(max_length=20, choices=Soort.choices)
    onderwerp = models.CharField(max_length=200)
    tekst = models.TextField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NIEUW)
    #: Who handles it: the adviser or account manager assigned to the region when it was made (or later).
    behandelaar = models.ForeignKey(
        Gebruiker, null=True, blank=True, on_delete=models.SET_NULL, related_name="te_behandelen"
    )
    #: The knelpunt it was raised from (its title as the analysis names it), if any.
    knelpunt = models.CharField(max_length=300, blank=True)
    scenario_versie = models.ForeignKey(
        "plannen.ScenarioVersie", null=True, blank=True, on_delete=models.SET_NULL, related_name="hulpvragen"
    )
    #: What the request referred to, frozen when it was made: knelpunten, the scenario version and its result.
    momentopname = models.JSONField(default=dict, blank=True)
    #: The job that wrote the region's report of that moment (or the latest report it reused).
    rapport = models.ForeignKey(Taak, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    streefdatum = models.DateField("gewenst antwoord vóór", null=True, blank=True)
    herinnerd = models.DateTimeField(null=True, blank=True)
    # collegial visitation
    themas = models.JSONField(default=list, blank=True)
    voorgestelde_data = models.JSONField(default=list, blank=True)
    #: Whether the requesting board shares the visitation report with every member of the region.
    verslag_gedeeld = models.BooleanField(default=False)
    aangemaakt = models.DateTimeField(default=timezone.now, db_index=True)
    gewijzigd = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "hulpvraag"
        verbose_name_plural = "hulpvragen"
        ordering: ClassVar = ["-gewijzigd"]

    def __str__(self) -> str:
        return self.onderwerp

    def verslag(self) -> Bijlage | None:
        """The visitation report, when it was uploaded."""
        return self.bijlagen.filter(verslag=True).order_by("-aangemaakt").first()


class Bericht(models.Model):
    """A message in a request's thread (a status change is a message too, with ``status`` set)."""

    hulpvraag = models.ForeignKey(Hulpvraag, on_delete=models.CASCADE, related_name="berichten")
    door = models.ForeignKey(Gebruiker, null=True, on_delete=models.SET_NULL, related_name="+")
    tekst = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    aangemaakt = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "bericht"
        verbose_name_plural = "berichten"
        ordering: ClassVar = ["aangemaakt", "pk"]


def _upload_path(instance: Bijlage, filename: str) -> str:
    return f"hulpvragen/{instance.hulpvraag_id}/{timezone.now():%Y%m%d%H%M%S}-{filename}"


class Bijlage(models.Model):
    """A file attached to a request (PDF, XLSX or CSV, checked by content), or the visitation report."""

    hulpvraag = models.ForeignKey(Hulpvraag, on_delete=models.CASCADE, related_name="bijlagen")
    bericht = models.ForeignKey(Bericht, null=True, blank=True, on_delete=models.SET_NULL, related_name="bijlagen")
    door = models.ForeignKey(Gebruiker, null=True, on_delete=models.SET_NULL, related_name="+")
    naam = models.CharField(max_length=200)
    bestand = models.FileField(upload_to=_upload_path, max_length=400)
    soort = models.CharField(max_length=10)  # pdf, xlsx, csv
    grootte = models.PositiveIntegerField()
    verslag = models.BooleanField(default=False)
    aangemaakt = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "bijlage"
        verbose_name_plural = "bijlagen"
        ordering: ClassVar = ["aangemaakt", "pk"]


class Visitatiepartner(models.Model):
    """A board from another region asked to visit; its staff agree or decline."""

    class Antwoord(models.TextChoices):
        GEVRAAGD = "gevraagd", "gevraagd"
        TOEGEZEGD = "toegezegd", "toegezegd"
        AFGESLAGEN = "afgeslagen", "afgeslagen"

    hulpvraag = models.ForeignKey(Hulpvraag, on_delete=models.CASCADE, related_name="visitatiepartners")
    bestuur = models.ForeignKey(Bestuur, on_delete=models.CASCADE, related_name="visitaties")
    antwoord = models.CharField(max_length=20, choices=Antwoord.choices, default=Antwoord.GEVRAAGD)
    beantwoord_door = models.ForeignKey(Gebruiker, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    aangemaakt = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "visitatiepartner"
        verbose_name_plural = "visitatiepartners"
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["hulpvraag", "bestuur"], name="visitatiepartner_uniek"),
        ]


class KennisVersie(models.Model):
    """One version of a knowledge base entry made in the workspace: the entry's Markdown file (front matter + text).

    ``concept`` -> ``ter beoordeling`` -> ``gepubliceerd`` (by a second person) or ``afgewezen``. The newest
    published version of an id is what search and matching use, replacing a shipped entry with that id.
    """

    class Staat(models.TextChoices):
        CONCEPT = "concept", "concept"
        TER_BEOORDELING = "ter beoordeling", "ter beoordeling"
        GEPUBLICEERD = "gepubliceerd", "gepubliceerd"
        AFGEWEZEN = "afgewezen", "afgewezen"

    artikel = models.CharField("id van het artikel", max_length=120, db_index=True)
    nummer = models.PositiveIntegerField()
    tekst = models.TextField("Markdown met YAML-kop")
    titel = models.CharField(max_length=300)
    soort = models.CharField(max_length=30)
    staat = models.CharField(max_length=20, choices=Staat.choices, default=Staat.CONCEPT)
    auteur = models.ForeignKey(Gebruiker, null=True, on_delete=models.SET_NULL, related_name="+")
    beoordelaar = models.ForeignKey(Gebruiker, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    opmerking = models.TextField("toelichting bij de beoordeling", blank=True)
    #: SHA-256 of the shipped entry this version was edited from ('' for a new entry): shows a newer seed.
    basis = models.CharField(max_length=64, blank=True)
    aangemaakt = models.DateTimeField(default=timezone.now)
    gepubliceerd = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "kennisbankversie"
        verbose_name_plural = "kennisbankversies"
        ordering: ClassVar = ["artikel", "-nummer"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["artikel", "nummer"], name="kennisversie_uniek_nummer"),
        ]

    def __str__(self) -> str:
        return f"{self.artikel} (versie {self.nummer}, {self.staat})"


class Nuttig(models.Model):
    """A board marked a knowledge base entry as helpful for its situation in a region."""

    artikel = models.CharField(max_length=120, db_index=True)
    regio = models.ForeignKey(Regio, on_delete=models.CASCADE, related_name="+")
    bestuur = models.ForeignKey(Bestuur, on_delete=models.CASCADE, related_name="+")
    door = models.ForeignKey(Gebruiker, null=True, on_delete=models.SET_NULL, related_name="+")
    aangemaakt = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "nuttig artikel"
        verbose_name_plural = "nuttige artikelen"
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["artikel", "regio", "bestuur"], name="nuttig_uniek"),
        ]
