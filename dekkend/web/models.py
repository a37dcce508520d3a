"""The workspace's own records: boards, regions, people and roles, invitations, tokens, tasks and the audit log.

What a board owns (its scenarios, uploads: later issues) hangs off :class:`Bestuur`; what a region
shares is derived from the werkmap's public data and cached per data version (``analysis.py``).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone


class Rol(models.TextChoices):
    """The roles of the workspace (one per person)."""

    BESTUUR = "bestuur", "bestuur (medewerker van één schoolbestuur)"
    REGIOCOORDINATOR = "regiocoordinator", "regiocoördinator"
    ADVISEUR = "adviseur", "adviseur (VO-raad)"
    ACCOUNTMANAGER = "accountmanager", "accountmanager (OCW)"
    BEHEERDER = "beheerder", "beheerder"


class Bestuur(models.Model):
    """A bevoegd gezag from the DUO data; the display name can be set by a regional administrator."""

    code = models.CharField("bevoegd-gezagnummer", max_length=12, unique=True)
    naam = models.CharField("naam volgens DUO", max_length=300)
    weergavenaam = models.CharField("weergavenaam", max_length=200, blank=True)

    class Meta:
        verbose_name = "bestuur"
        verbose_name_plural = "besturen"
        ordering: ClassVar = ["naam"]

    def __str__(self) -> str:
        return self.weergavenaam or self.naam


class Regio(models.Model):
    """A region of the workspace: a COROP area, a set of gemeenten or a named partnership of boards."""

    class Soort(models.TextChoices):
        COROP = "corop", "COROP-gebied"
        GEMEENTEN = "gemeenten", "gemeenten"
        SAMENWERKING = "samenwerking", "samenwerkingsverband van besturen"

    naam = models.CharField(max_length=200)
    soort = models.CharField(max_length=20, choices=Soort.choices)
    #: The region in the library's ``--regio`` syntax (``corop:31``, ``gemeente:0715,0716``, ``bestuur:1+bestuur:2``).
    selectie = models.CharField(max_length=2000, unique=True)
    besturen = models.ManyToManyField(Bestuur, related_name="regios", blank=True)
    aangemaakt = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "regio"
        verbose_name_plural = "regio's"
        ordering: ClassVar = ["naam"]

    def __str__(self) -> str:
        return self.naam


class Gebruiker(AbstractUser):
    """A person with one role; ``bestuur`` people belong to one board, others are assigned to regions."""

    email = models.EmailField("e-mailadres", unique=True)
    rol = models.CharField(max_length=20, choices=Rol.choices, default=Rol.BESTUUR)
    bestuur = models.ForeignKey(Bestuur, null=True, blank=True, on_delete=models.PROTECT, related_name="medewerkers")
    #: Regions a coordinator, adviser or account manager is assigned to (a board's staff see their board's regions).
    regios = models.ManyToManyField(Regio, related_name="toegewezen", blank=True)
    #: E-mail notifications once a day in one message instead of one e-mail per notification.
    meldingen_per_dag = models.BooleanField("dagelijkse samenvatting van meldingen", default=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["username"]
    objects: ClassVar[UserManager] = UserManager()

    class Meta:
        verbose_name = "gebruiker"
        verbose_name_plural = "gebruikers"

    def __str__(self) -> str:
        return self.get_full_name() or self.email


def _token_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class ApiToken(models.Model):
    """A personal token for the JSON API; only its SHA-256 is stored, the key is shown once."""

    PREFIX = "dk_"

    gebruiker = models.ForeignKey(Gebruiker, on_delete=models.CASCADE, related_name="tokens")
    naam = models.CharField(max_length=100)
    sleutel_hash = models.CharField(max_length=64, unique=True)
    begin = models.CharField("eerste tekens", max_length=12)
    aangemaakt = models.DateTimeField(default=timezone.now)
    laatst_gebruikt = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API-token"
        verbose_name_plural = "API-tokens"

    @classmethod
    def create_for(cls, gebruiker: Gebruiker, naam: str) -> tuple[ApiToken, str]:
        """A new token; returns it and the key (which is never stored)."""
        key = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(gebruiker=gebruiker, naam=naam, sleutel_hash=_token_hash(key), begin=key[:10])
        return token, key

    @classmethod
    def lookup(cls, key: str) -> ApiToken | None:
        """The active token for ``key`` (constant-time by hash lookup), or ``None``."""
        if not key.startswith(cls.PREFIX):
            return None
        token = cls.objects.select_related("gebruiker").filter(sleutel_hash=_token_hash(key)).first()
        if token is None or not token.gebruiker.is_active:
            return None
        return token


class Taak(models.Model):
    """A background job a person started (a report, an analysis), with its true status and progress."""

    class Status(models.TextChoices):
        WACHTRIJ = "wachtrij", "in de wachtrij"
        BEZIG = "bezig", "bezig"
        KLAAR = "klaar", "klaar"
        MISLUKT = "mislukt", "mislukt"

    class Soort(models.TextChoices):
        RAPPORT = "rapport", "regiorapport"
        ANALYSE = "analyse", "regio-analyse"
        SCENARIO = "scenario", "scenarioberekening"
        OPTIMALISATIE = "optimalisatie", "optimalisatie"
        AFSPRAAK = "afspraak", "bijlage bij een afspraak"
        HULPVRAAG = "hulpvraag", "momentopname bij een hulpvraag"
        UPLOAD = "upload", "verwerking van eigen gegevens"

    soort = models.CharField(max_length=20, choices=Soort.choices)
    regio = models.ForeignKey(Regio, on_delete=models.CASCADE, related_name="taken")
    aangevraagd_door = models.ForeignKey(Gebruiker, null=True, on_delete=models.SET_NULL, related_name="taken")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.WACHTRIJ)
    voortgang = models.PositiveSmallIntegerField(default=0)  # percent
    stap = models.CharField(max_length=200, blank=True)
    fout = models.TextField(blank=True)
    #: Result files relative to the web map (``rapporten/...html``), as a JSON object ``{"html": ..., "pdf": ...}``.
    resultaat = models.JSONField(default=dict, blank=True)
    parameters = models.JSONField(default=dict, blank=True)
    taak_id = models.CharField(max_length=64, blank=True)
    aangemaakt = models.DateTimeField(default=timezone.now)
    gestart = models.DateTimeField(null=True, blank=True)
    klaar = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "taak"
        verbose_name_plural = "taken"
        ordering: ClassVar = ["-aangemaakt"]


class AuditRegel(models.Model):
    """Who did what, when: logins, changes, tasks, reads of shared board data."""

    moment = models.DateTimeField(default=timezone.now, db_index=True)
    gebruiker = models.ForeignKey(Gebruiker, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    wie = models.CharField(max_length=254)  # kept when the account is deleted
    actie = models.CharField(max_length=60, db_index=True)
    object = models.CharField(max_length=200, blank=True)
    details = models.JSONField(default=dict, blank=True)
    adres = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = "auditregel"
        verbose_name_plural = "auditlog"
        ordering: ClassVar = ["-moment"]


class Uitnodiging(models.Model):
    """An invitation a coordinator made: one e-mail address, one role, one region (and a board for ``bestuur``).

    Only the SHA-256 of the link's key is stored; the key is shown once to the person who invited.
    An invitation is open until it is used, withdrawn or past its expiry.
    """

    PREFIX = "nu_"
    GELDIG = timedelta(days=7)
    #: The roles a coordinator can invite (site administrators are made by another administrator).
    ROLLEN = (Rol.BESTUUR, Rol.REGIOCOORDINATOR, Rol.ADVISEUR, Rol.ACCOUNTMANAGER)

    email = models.EmailField("e-mailadres")
    rol = models.CharField(max_length=20, choices=Rol.choices)
    regio = models.ForeignKey(Regio, on_delete=models.CASCADE, related_name="uitnodigingen")
    bestuur = models.ForeignKey(Bestuur, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    sleutel_hash = models.CharField(max_length=64, unique=True)
    uitgenodigd_door = models.ForeignKey(
        Gebruiker, null=True, blank=True, on_delete=models.SET_NULL, related_name="uitnodigingen"
    )
    aangemaakt = models.DateTimeField(default=timezone.now)
    verloopt = models.DateTimeField()
    gebruikt = models.DateTimeField(null=True, blank=True)
    gebruikt_door = models.ForeignKey(Gebruiker, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    ingetrokken = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "uitnodiging"
        verbose_name_plural = "uitnodigingen"
        ordering: ClassVar = ["-aangemaakt"]

    def __str__(self) -> str:
        return f"{self.email} ({self.rol}, {self.regio})"

    @classmethod
    def create_for(
        cls, door: Gebruiker, regio: Regio, email: str, rol: str, bestuur: Bestuur | None = None
    ) -> tuple[Uitnodiging, str]:
        """A new invitation; returns it and the link's key (which is never stored)."""
        key = cls.PREFIX + secrets.token_urlsafe(32)
        now = timezone.now()
        found = cls.objects.create(
            email=email,
            rol=rol,
            regio=regio,
            bestuur=bestuur,
            sleutel_hash=_token_hash(key),
            uitgenodigd_door=door,
            aangemaakt=now,
            verloopt=now + cls.GELDIG,
        )
        return found, key

    @classmethod
    def lookup(cls, key: str) -> Uitnodiging | None:
        """The invitation with link key ``key`` (open or not), or ``None``."""
        if not key.startswith(cls.PREFIX):
            return None
        return cls.objects.select_related("regio", "bestuur").filter(sleutel_hash=_token_hash(key)).first()

    @classmethod
    def open(cls) -> models.QuerySet[Uitnodiging]:
        """Invitations that can still be used."""
        return cls.objects.filter(gebruikt__isnull=True, ingetrokken__isnull=True, verloopt__gt=timezone.now())

    def status(self) -> str:
        """``open``, ``gebruikt``, ``ingetrokken`` or ``verlopen``."""
        if self.gebruikt is not None:
            return "gebruikt"
        if self.ingetrokken is not None:
            return "ingetrokken"
        if self.verloopt <= timezone.now():
            return "verlopen"
        return "open"


class Melding(models.Model):
    """A notification for one person: shown in the workspace and sent by e-mail (at once or in the daily digest)."""

    ontvanger = models.ForeignKey(Gebruiker, on_delete=models.CASCADE, related_name="meldingen")
    onderwerp = models.CharField(max_length=200)
    tekst = models.TextField(blank=True)
    #: A path inside the workspace (``/regio/3/scenarios/7/``) that the notification is about.
    link = models.CharField(max_length=500, blank=True)
    aangemaakt = models.DateTimeField(default=timezone.now, db_index=True)
    gelezen = models.DateTimeField(null=True, blank=True)
    gemaild = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "melding"
        verbose_name_plural = "meldingen"
        ordering: ClassVar = ["-aangemaakt"]

    def __str__(self) -> str:
        return f"{self.onderwerp} ({self.ontvanger})"
