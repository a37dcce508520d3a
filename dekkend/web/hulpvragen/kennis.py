"""The knowledge base of the workspace: the shipped entries (the seed) plus the workspace's own published ones.

The workspace keeps its own entries as versions of the entry's Markdown file (:class:`KennisVersie`,
validated with :func:`dekkend.knowledge.parse_entry`); the newest published version of an id joins the
shipped entries through :func:`dekkend.knowledge.combine_entries`, replacing a shipped entry with the same
id. Nothing of the seed is copied into the database, so a new dekkend version brings its new seed and the
local edits stay; a local edit of a shipped entry whose seed changed since says so on the entry's page.
The index is rebuilt in each process when what is published changes (keyed by the published versions).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from dekkend import knowledge
from dekkend.errors import DekkendError
from dekkend.knowledge import Entry, KnowledgeIndex
from dekkend.web.hulpvragen.models import KennisVersie
from dekkend.web.models import Gebruiker, Rol

_LOCK = threading.Lock()
_CACHE: dict[str, tuple[tuple[tuple[int, str, str], ...], KnowledgeIndex]] = {}

#: A skeleton for a new practice example (the fields the library requires; docs/kennisbank.md).
NEW_EXAMPLE = """---
id: nieuw-praktijkvoorbeeld
titel: Titel van het voorbeeld
soort: praktijkvoorbeeld
regio: Naam van de regio
gebieden: [Plaats]
jaar: "2026"
partijen:
  - naam van een bestuur
samenvatting: >
  Twee of drie zinnen over wat de besturen samen deden en wat het opleverde, met een
  verwijzing naar de bron [1].
themas: [bestuur]
knelpunttypen:
  sterke-daling: het voorbeeld laat zien hoe besturen bij sterke daling samen het aanbod hielden
bronnen:
  - {url: "https://www.example.org/bron", titel: "Titel van de bron", gezien: 2026-01-01}
---

## Aanpak

Beschrijf hier de aanpak [1].

## Resultaat

Beschrijf hier het resultaat.
"""


def may_edit(user: Gebruiker) -> bool:
    """Advisers and site administrators write and review entries."""
    return bool(user.is_authenticated and user.is_active and user.rol in (Rol.ADVISEUR, Rol.BEHEERDER))


def seed_text(entry_id: str) -> str | None:
    """The shipped Markdown file of ``entry_id``, or ``None`` for an id that is not shipped."""
    path = knowledge.entries_directory() / f"{entry_id}.md"
    return path.read_text(encoding="utf-8") if path.is_file() else None


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def published() -> dict[str, KennisVersie]:
    """The newest published version of each local id."""
    newest: dict[str, KennisVersie] = {}
    for version in KennisVersie.objects.filter(staat=KennisVersie.Staat.GEPUBLICEERD).order_by("artikel", "-nummer"):
        newest.setdefault(version.artikel, version)
    return newest


def parse(text: str, artikel: str) -> Entry:
    """The entry in ``text`` (raises :class:`dekkend.errors.InvoerFout` with a Dutch message)."""
    return knowledge.parse_entry(text.replace("\r\n", "\n"), path=f"{artikel}.md")


def index() -> KnowledgeIndex:
    """The search index over the seed and the published local entries (rebuilt after a publication)."""
    # what is published, to the second: a new publication (or a deleted version) gives a new key
    key = tuple(
        (pk, artikel, str(moment))
        for pk, artikel, moment in KennisVersie.objects.filter(staat=KennisVersie.Staat.GEPUBLICEERD)
        .order_by("pk")
        .values_list("pk", "artikel", "gepubliceerd")
    )
    with _LOCK:
        cached = _CACHE.get("index")
        if cached is not None and cached[0] == key:
            return cached[1]
    if not key:
        built = KnowledgeIndex.default()
    else:
        local = []
        for artikel, version in published().items():
            try:
                local.append(parse(version.tekst, artikel))
            except DekkendError:  # validated when it was saved; a newer dekkend may be stricter
                continue
        built = KnowledgeIndex(knowledge.combine_entries(knowledge.load_entries(), local))
    with _LOCK:
        _CACHE["index"] = (key, built)
    return built


def origin(entry_id: str) -> str:
    """``meegeleverd``, ``lokaal`` (a new entry of the workspace) or ``lokaal bewerkt`` (a shipped one edited)."""
    local = entry_id in published()
    shipped = seed_text(entry_id) is not None
    if local:
        return "lokaal bewerkt" if shipped else "lokaal"
    return "meegeleverd"


def next_number(artikel: str) -> int:
    return int(KennisVersie.objects.filter(artikel=artikel).aggregate(m=Max("nummer"))["m"] or 0) + 1


def save_version(user: Gebruiker, text: str, artikel: str | None = None) -> KennisVersie:
    """A new concept version (``artikel``: the id being edited; ``None`` for a new entry, its id from the text).

    Raises :class:`dekkend.errors.InvoerFout` when the text is not a valid entry, or when a new entry's id
    is already in use.
    """
    from dekkend.errors import InvoerFout

    entry = parse(text, artikel or _id_in(text))
    if artikel is None and (seed_text(entry.id) is not None or KennisVersie.objects.filter(artikel=entry.id).exists()):
        raise InvoerFout(
            f"er is al een artikel met id '{entry.id}'; bewerk dat artikel of kies een ander id", column="id"
        )
    seed = seed_text(entry.id)
    with transaction.atomic():
        return KennisVersie.objects.create(
            artikel=entry.id,
            nummer=next_number(entry.id),
            tekst=text.replace("\r\n", "\n"),
            titel=entry.titel,
            soort=entry.soort,
            auteur=user,
            basis=text_hash(seed) if seed is not None else "",
        )


def _id_in(text: str) -> str:
    for line in text.replace("\r\n", "\n").split("\n")[1:40]:
        if line.startswith("id:"):
            return line[3:].strip().strip("'\"") or "nieuw-artikel"
    return "nieuw-artikel"


def submit(version: KennisVersie) -> None:
    """Ask for review (concept -> ter beoordeling)."""
    if version.staat != KennisVersie.Staat.CONCEPT:
        raise ValueError("alleen een concept kan ter beoordeling worden aangeboden")
    version.staat = KennisVersie.Staat.TER_BEOORDELING
    version.save(update_fields=["staat"])


def review(version: KennisVersie, reviewer: Gebruiker, *, publish: bool, opmerking: str = "") -> None:
    """A second person publishes or rejects a version under review (never its author)."""
    if version.staat != KennisVersie.Staat.TER_BEOORDELING:
        raise ValueError("deze versie wacht niet op beoordeling")
    if version.auteur_id == reviewer.pk:
        raise PermissionError("een tweede persoon beoordeelt: u kunt uw eigen versie niet publiceren")
    version.staat = KennisVersie.Staat.GEPUBLICEERD if publish else KennisVersie.Staat.AFGEWEZEN
    version.beoordelaar, version.opmerking = reviewer, opmerking
    version.gepubliceerd = timezone.now() if publish else None
    version.save(update_fields=["staat", "beoordelaar", "opmerking", "gepubliceerd"])


#: Most knelpunten shown with advice on a region's page, most severe first (dekkend's own choice: a COROP
#: area can have a hundred; matching each takes tens of milliseconds).
MAX_KNELPUNTEN = 25
_ADVICE: OrderedDict[tuple[str, int, KnowledgeIndex], tuple[list[tuple[int, Any]], Any]] = OrderedDict()


def region_advice(analysis: dict[str, Any], regio_id: int) -> tuple[list[tuple[int, Any]], Any, int]:
    """The most severe knelpunten of a region's analysis with their matched entries, memoised per process.

    Returns ``([(position in the analysis, KnelpuntAdvice)], Advice, number of knelpunten left out)``.
    """
    found = list(analysis["diagnose"].get("knelpunten", []))
    order = sorted(range(len(found)), key=lambda i: -knowledge.ERNST_WEIGHTS.get(str(found[i].get("ernst")), 0))
    chosen = order[:MAX_KNELPUNTEN]
    current = index()
    key = (str(analysis["versie"]), regio_id, current)
    with _LOCK:
        if key in _ADVICE:
            _ADVICE.move_to_end(key)
            rows, advice = _ADVICE[key]
            return rows, advice, len(found) - len(chosen)
    advice = knowledge.match_knelpunten([found[i] for i in chosen], index=current, per_knelpunt=4)
    by_content = {(found[i].get("titel"), found[i].get("type")): i for i in chosen}
    rows = [(by_content.get((a.knelpunt.titel, a.knelpunt.type), -1), a) for a in advice.per_knelpunt]
    with _LOCK:
        _ADVICE[key] = (rows, advice)
        while len(_ADVICE) > 32:
            _ADVICE.popitem(last=False)
    return rows, advice, len(found) - len(chosen)
