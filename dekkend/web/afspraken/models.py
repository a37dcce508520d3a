"""An agreement (afspraak) of a region: what the boards agreed, on a frozen scenario version and data version.

Its life: ``concept`` (the coordinator writes it) -> ``ter instemming`` (each named board answers) ->
``vastgesteld`` (every named board agreed) -> ``herzien`` (a later agreement that replaces it was
established). A board that declines sends it back to ``concept`` with its reason; the coordinator may
change it and put it up again (a new round). Nothing is ever deleted: every answer of every round is
kept (:class:`Instemming`), a replaced agreement stays readable, and the scenario version it rests on
is immutable (``plannen.ScenarioVersie``) and protected from deletion.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import ClassVar

from django.db import models
from django.utils import timezone

from dekkend.web.models import Bestuur, Gebruiker, Regio
from dekkend.web.plannen.models import ScenarioVersie


class Status(models.TextChoices):
    CONCEPT = "concept", "concept"
    TER_INSTEMMING = "ter_instemming", "ter instemming"
    VASTGESTELD = "vastgesteld", "vastgesteld"
    HERZIEN = "herzien", "herzien"


class Besluit(models.TextChoices):
    INGESTEMD = "ingestemd", "ingestemd"
    AFGEWEZEN = "afgewezen", "afgewezen"


#: The status and answer values as plain strings (for code and type checks).
CONCEPT, TER_INSTEMMING, VASTGESTELD, HERZIEN = "concept", "ter_instemming", "vastgesteld", "herzien"
INGESTEMD, AFGEWEZEN = "ingestemd", "afgewezen"


def status_after_answers(named: Iterable[int], answers: Mapping[int, str]) -> str:
    """The status of an agreement put up for confirmation, given the current round's answers per board.

    Any decline sends it back to ``concept``; it is ``vastgesteld`` exactly when every named board
    (at least one) agreed; otherwise it stays ``ter_instemming``. Answers of boards not named count for nothing.
    """
    boards = set(named)
    relevant = {b: a for b, a in answers.items() if b in boards}
    if any(a == AFGEWEZEN for a in relevant.values()):
        return CONCEPT
    if boards and all(relevant.get(b) == INGESTEMD for b in boards):
        return VASTGESTELD
    return TER_INSTEMMING


class Afspraak(models.Model):
    """One agreement of a region's boards, tied to a scenario version and the data it was computed on."""

    regio = models.ForeignKey(Regio, on_delete=models.PROTECT, related_name="afspraken")
    titel = models.CharField(max_length=200)
    #: What was agreed, in the boards' own words.
    inhoud = models.TextField()
    #: The frozen scenario version the agreement rests on (shared with the whole region when recorded).
    versie = models.ForeignKey(ScenarioVersie, on_delete=models.PROTECT, related_name="afspraken")
    besturen = models.ManyToManyField(Bestuur, related_name="afspraken")
    ingangsdatum = models.DateField()
    #: When the agreement is reviewed; at most five years after it takes effect, as a Regionaal Plan
    #: Onderwijsvoorzieningen (art. 4.19 WVO 2020; knowledge base entry ``regionaal-plan-onderwijsvoorzieningen``).
    herzieningsdatum = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=CONCEPT)
    #: The round of confirmation (0 before it was first put up); answers belong to one round.
    ronde = models.PositiveIntegerField(default=0)
    #: The data snapshot: the werkmap's data version and dekkend's version when it was recorded.
    data_versie = models.CharField(max_length=64)
    dekkend_versie = models.CharField(max_length=40)
    #: The earlier agreement this one replaces; that one becomes ``herzien`` when this one is established.
    vervangt = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="vervangen_door")
    vastgelegd_door = models.ForeignKey(Gebruiker, null=True, on_delete=models.SET_NULL, related_name="+")
    aangemaakt = models.DateTimeField(default=timezone.now)
    gewijzigd = models.DateTimeField(default=timezone.now)
    vastgesteld = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "afspraak"
        verbose_name_plural = "afspraken"
        ordering: ClassVar = ["-aangemaakt"]

    def __str__(self) -> str:
        return self.titel

    def answers(self) -> dict[int, str]:
        """``board id -> besluit`` of the current round."""
        return dict(self.instemmingen.filter(ronde=self.ronde).values_list("bestuur_id", "besluit"))


class Instemming(models.Model):
    """One board's answer in one round: who answered, when, and the reason of a decline."""

    afspraak = models.ForeignKey(Afspraak, on_delete=models.PROTECT, related_name="instemmingen")
    bestuur = models.ForeignKey(Bestuur, on_delete=models.PROTECT, related_name="+")
    ronde = models.PositiveIntegerField()
    besluit = models.CharField(max_length=20, choices=Besluit.choices)
    reden = models.TextField(blank=True)
    door = models.ForeignKey(Gebruiker, null=True, on_delete=models.SET_NULL, related_name="+")
    #: The person's name and e-mail at the time (kept when the account is removed).
    door_naam = models.CharField(max_length=300)
    moment = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "instemming"
        verbose_name_plural = "instemmingen"
        ordering: ClassVar = ["afspraak", "ronde", "moment"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["afspraak", "bestuur", "ronde"], name="instemming_een_per_ronde"),
        ]
