"""From a region's knelpunten to ranked entries and support routes, each with a Dutch reason."""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from dekkend.diagnose.model import KNELPUNTTYPEN, Knelpunt
from dekkend.errors import InvoerFout

from ._entries import Entry
from ._search import KnowledgeIndex, area_key
from ._text import words

#: Weight of each severity in the ranking.
ERNST_WEIGHTS: Mapping[str, float] = {"hoog": 3.0, "midden": 2.0, "laag": 1.0}

#: The share of a list each group may take at most (rounded up), so a list mixes kinds.
GROUP_SHARES: Mapping[str, float] = {"voorbeeld": 0.4, "route": 0.4, "steun": 0.3}

#: An entry helping with several knelpunten: its best match counts fully, others this much.
FURTHER_MATCH_FACTOR = 0.5

#: The reason given for a support route that matches none of the knelpunt types.
GENERAL_SUPPORT_REASON = "omdat deze ondersteuning openstaat voor elk bestuur dat met leerlingendaling te maken heeft"

#: The three groups the recommendations are mixed from.
SOORT_GROUPS: Mapping[str, str] = {
    "samenwerkingsvorm": "route",
    "juridische-route": "route",
    "praktijkvoorbeeld": "voorbeeld",
    "handreiking": "steun",
    "ondersteuning": "steun",
    "regeling": "steun",
}

#: Weights of the ranking, documented in docs/kennisbank.md. The first knelpunt type an
#: entry lists counts fully, later ones less (the list is in order of relevance).
POSITION_FACTORS = (1.0, 0.8, 0.7, 0.6)
SPECIFICITY_STEP = 0.04
AREA_BONUS = 0.1
PREFERRED_AREA_BONUS = 0.2
ONDERWIJSTYPE_BONUS = 0.15
TEXT_BONUS = 0.3
TEXT_WORDS = 60

#: Kinds for which the area counts: an example from the same area speaks more to a board;
#: for forms, legal routes, rules, guides and support the area is only illustration.
AREA_KINDS = frozenset({"praktijkvoorbeeld"})

#: Codes of the vmbo-profielen (after removing "&": Z&W becomes zw), and the technical ones.
_PROFIELEN = {"bwi", "pie", "mvi", "mt", "zw", "eo", "hbr", "dp", "gt", "profiel"}
_TECH_PROFIELEN = {"bwi", "pie", "mvi", "mt", "techniek", "technisch", "technische"}

#: The order in which a shared theme is named in a reason, most specific first.
_THEME_ORDER = ("techniek", "praktijkonderwijs", "havo-vwo", "profielen", "vmbo")


@dataclass(frozen=True)
class KnelpuntenFile:
    """The content of a knelpunten JSON file in the diagnose schema.

    Attributes
    ----------
    regio : str or None
        The region analysed.
    peiljaar : int or None
        The reference year.
    knelpunten : tuple of Knelpunt
    path : pathlib.Path or None
    """

    regio: str | None
    peiljaar: int | None
    knelpunten: tuple[Knelpunt, ...]
    path: Path | None = None


@dataclass(frozen=True)
class Recommendation:
    """One entry recommended, with its score and the reasons, each starting with "omdat".

    Attributes
    ----------
    entry : Entry
    score : float
        Higher is better; comparable within one advice only.
    redenen : tuple of str
        Dutch reasons ("omdat ...").
    knelpunten : tuple of str
        The titles of the knelpunten the entry helps with.
    """

    entry: Entry
    score: float
    redenen: tuple[str, ...]
    knelpunten: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The recommendation as a JSON-ready dictionary."""
        return {
            "id": self.entry.id,
            "titel": self.entry.titel,
            "soort": self.entry.soort,
            "regio": self.entry.regio,
            "score": round(self.score, 3),
            "redenen": list(self.redenen),
            "knelpunten": list(self.knelpunten),
            "samenvatting": self.entry.samenvatting,
            "bronnen": [s.url for s in self.entry.bronnen],
        }


@dataclass(frozen=True)
class KnelpuntAdvice:
    """The recommendations for one knelpunt, best first."""

    knelpunt: Knelpunt
    aanbevelingen: tuple[Recommendation, ...]


@dataclass(frozen=True)
class Advice:
    """Advice for a region: per knelpunt, one overall ranking, and the support routes.

    Attributes
    ----------
    regio : str or None
    peiljaar : int or None
    gebied : str or None
        The preferred area, as the knowledge base names it.
    per_knelpunt : tuple of KnelpuntAdvice
        In order of severity (hoog first), then as given.
    ranglijst : tuple of Recommendation
        Entries over all knelpunten; an entry that helps with several knelpunten rises.
    ondersteuning : tuple of Recommendation
        Support routes (soort ``ondersteuning``): who to ask for help.
    overgeslagen : tuple of str
        Dutch notes on knelpunten that could not be matched.
    """

    regio: str | None
    peiljaar: int | None
    gebied: str | None
    per_knelpunt: tuple[KnelpuntAdvice, ...]
    ranglijst: tuple[Recommendation, ...]
    ondersteuning: tuple[Recommendation, ...]
    overgeslagen: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The advice as a JSON-ready dictionary with Dutch keys."""
        return {
            "regio": self.regio,
            "peiljaar": self.peiljaar,
            "gebied": self.gebied,
            "knelpunten": [
                {"knelpunt": ka.knelpunt.to_dict(), "aanbevelingen": [r.to_dict() for r in ka.aanbevelingen]}
                for ka in self.per_knelpunt
            ],
            "ranglijst": [r.to_dict() for r in self.ranglijst],
            "ondersteuning": [r.to_dict() for r in self.ondersteuning],
            "overgeslagen": list(self.overgeslagen),
        }


def read_knelpunten(path: str | Path) -> KnelpuntenFile:
    """Read a knelpunten JSON file in the diagnose schema.

    The file has top-level ``regio``, ``peiljaar`` and ``knelpunten``, a list of objects
    with at least ``type``, ``ernst`` and ``titel``; the other fields of the diagnose schema
    are read when present (:meth:`dekkend.diagnose.Knelpunt.from_dict`), unknown fields are
    ignored. Files written by earlier versions of ``dekkend diagnose`` read the same way.

    Parameters
    ----------
    path : str or pathlib.Path

    Returns
    -------
    KnelpuntenFile

    Raises
    ------
    InvoerFout
        When the file is missing, is not JSON, or lacks required fields.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise InvoerFout("het bestand met knelpunten bestaat niet", file=path) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InvoerFout(f"het bestand met knelpunten is onleesbaar: {exc}", file=path) from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvoerFout(
            f"geen geldige JSON ({exc.msg}, teken {exc.colno})",
            file=path,
            line=exc.lineno,
            expected="een JSON-object met 'knelpunten'",
        ) from exc
    if not isinstance(data, dict) or not isinstance(data.get("knelpunten"), list):
        raise InvoerFout(
            "het bestand heeft geen lijst 'knelpunten'",
            file=path,
            expected="een JSON-object met 'regio', 'peiljaar' en 'knelpunten'",
        )
    peiljaar = data.get("peiljaar")
    if peiljaar is not None and not isinstance(peiljaar, int):
        raise InvoerFout(f"'peiljaar' is geen jaartal: {peiljaar!r}", file=path, expected="bijv. 2024")
    knelpunten = tuple(
        knelpunt_from_mapping(item, file=path, position=i) for i, item in enumerate(data["knelpunten"], start=1)
    )
    regio = data.get("regio")
    return KnelpuntenFile(
        regio=None if regio is None else str(regio), peiljaar=peiljaar, knelpunten=knelpunten, path=path
    )


def knelpunt_from_mapping(data: Any, *, file: str | Path | None = None, position: int | None = None) -> Knelpunt:
    """Build a :class:`Knelpunt` from a dictionary in the diagnose schema.

    The same as :meth:`dekkend.diagnose.Knelpunt.from_dict`, kept under this name for callers
    of the knowledge API.

    Raises
    ------
    InvoerFout
        When ``type``, ``ernst`` or ``titel`` is missing or ``ernst`` is not allowed.
    """
    return Knelpunt.from_dict(data, file=file, position=position)


def match_knelpunten(
    knelpunten: Iterable[Knelpunt | Mapping[str, Any] | Any],
    *,
    regio: str | None = None,
    peiljaar: int | None = None,
    gebied: str | None = None,
    per_knelpunt: int = 5,
    limit: int = 10,
    index: KnowledgeIndex | None = None,
) -> Advice:
    """Match a region's knelpunten to entries of the knowledge base.

    Every entry names the knelpunt types it helps with, most relevant first, and why.
    A match scores ``ernst × (position × specificity + area + school type + text)``:
    the severity weight (hoog 3, midden 2, laag 1); the position of the type in the
    entry's list (1.0, 0.8, 0.7, 0.6); specificity (4% less per further type the entry
    names); for practice examples +0.2 from the preferred ``gebied`` and +0.1 from the
    area of the knelpunt or region; +0.15 for the same school type; and up to +0.3 for
    words shared with the knelpunt's title and explanation. Lists mix kinds: routes,
    examples and support take at most 40%, 40% and 30% of the places. In the overall
    ranking an entry's best match counts fully and each further one for half.

    Parameters
    ----------
    knelpunten : iterable of Knelpunt, mapping, or object
        Knelpunten as :class:`Knelpunt`, as dictionaries in the diagnose schema, or as
        any object with the attributes ``type``, ``ernst`` and ``titel`` (and optionally
        ``gebieden`` and ``onderwijstype``).
    regio : str, optional
        The region analysed; entries from it get the area bonus.
    peiljaar : int, optional
        The reference year, passed through to the advice.
    gebied : str, optional
        An area whose entries are preferred, e.g. ``"Zeeland"``.
    per_knelpunt : int, default 5
        Recommendations per knelpunt.
    limit : int, default 10
        Length of the overall ranking.
    index : KnowledgeIndex, optional
        The knowledge base; the shipped one by default.

    Returns
    -------
    Advice

    Raises
    ------
    ConfiguratieFout
        When ``gebied`` is unknown to the knowledge base.
    InvoerFout
        When a knelpunt lacks ``type``, ``ernst`` or ``titel``.
    """
    index = index or KnowledgeIndex.default()
    preferred = index.resolve_area(gebied) if gebied else None
    items = [_as_knelpunt(k) for k in knelpunten]
    skipped = tuple(
        f"Knelpunt '{k.titel}' heeft het onbekende type '{k.type}' en is overgeslagen "
        f"(bekende typen: {', '.join(KNELPUNTTYPEN)})."
        for k in items
        if k.type not in KNELPUNTTYPEN
    )
    known = sorted((k for k in items if k.type in KNELPUNTTYPEN), key=lambda k: -ERNST_WEIGHTS[k.ernst])
    scorer = _Scorer(index, regio, preferred)
    per = tuple(KnelpuntAdvice(k, _mix(scorer.for_knelpunt(k), per_knelpunt)) for k in known)
    overall = scorer.overall(known)
    support = tuple(r for r in overall if r.entry.soort == "ondersteuning")
    if known:
        support += scorer.general_support(exclude={r.entry.id for r in support})
    return Advice(
        regio=regio,
        peiljaar=peiljaar,
        gebied=preferred,
        per_knelpunt=per,
        ranglijst=_mix(overall, limit),
        ondersteuning=support,
        overgeslagen=skipped,
    )


def advice_for_file(
    path: str | Path,
    *,
    gebied: str | None = None,
    per_knelpunt: int = 5,
    limit: int = 10,
    index: KnowledgeIndex | None = None,
) -> Advice:
    """Read a knelpunten JSON file and match it; see :func:`match_knelpunten`."""
    found = read_knelpunten(path)
    return match_knelpunten(
        found.knelpunten,
        regio=found.regio,
        peiljaar=found.peiljaar,
        gebied=gebied,
        per_knelpunt=per_knelpunt,
        limit=limit,
        index=index,
    )


class _Scorer:
    """Scores entries against knelpunten and writes the reasons."""

    def __init__(self, index: KnowledgeIndex, regio: str | None, preferred: str | None) -> None:
        self.index = index
        self.regio = regio
        self.preferred = preferred
        self._text: dict[str, dict[str, float]] = {}

    def text_bonus(self, entry: Entry, knelpunt: Knelpunt) -> tuple[float, str | None]:
        text = " ".join(filter(None, [knelpunt.titel, knelpunt.toelichting]))
        text = " ".join(text.split()[:TEXT_WORDS])
        if text not in self._text:
            self._text[text] = self.index.text_relevance(text)
        share = self._text[text].get(entry.id, 0.0)
        shared = self.index.shared_words(entry, text) if share >= 0.3 else []
        if not shared:
            return TEXT_BONUS * share, None
        listed = ", ".join(f"'{w}'" for w in shared)
        reason = f"omdat de tekst aansluit bij de beschrijving van het knelpunt ({listed})"
        return TEXT_BONUS * share, reason

    def candidates(self, knelpunt: Knelpunt) -> list[Entry]:
        return [e for e in self.index.entries if knelpunt.type in e.knelpunt_types]

    def relevance(self, entry: Entry, knelpunt: Knelpunt) -> float:
        types = entry.knelpunt_types
        position = min(types.index(knelpunt.type), len(POSITION_FACTORS) - 1)
        specificity = 1.0 - SPECIFICITY_STEP * (len(types) - 1)
        return POSITION_FACTORS[position] * specificity

    def type_reason(self, entry: Entry, knelpunt: Knelpunt, *, named: bool) -> str:
        reason = f"omdat {entry.reason_for(knelpunt.type)}"
        if not named:
            return reason
        label = KNELPUNTTYPEN[knelpunt.type]
        return f"{reason} (bij knelpunt '{knelpunt.titel}': {label}, ernst {knelpunt.ernst})"

    def area_bonus(self, entry: Entry, knelpunten: Sequence[Knelpunt]) -> tuple[float, list[str]]:
        bonus, reasons = 0.0, list[str]()
        if entry.soort not in AREA_KINDS:
            return bonus, reasons
        if self.preferred and self.index.entry_in_area(entry, self.preferred):
            bonus += PREFERRED_AREA_BONUS
            reasons.append(f"omdat dit voorbeeld uit het gekozen gebied {self.preferred} komt")
        local = self._shared_area(entry, knelpunten)
        if local and local != self.preferred:
            bonus += AREA_BONUS
            reasons.append(f"omdat dit voorbeeld uit hetzelfde gebied komt als de knelpunten ({local})")
        return bonus, reasons

    def school_type_bonus(self, entry: Entry, knelpunt: Knelpunt, *, named: bool = False) -> tuple[float, str | None]:
        themes = school_type_themes(knelpunt.onderwijstype)
        shared = [t for t in _THEME_ORDER if t in themes and t in entry.themas]
        if not shared:
            return 0.0, None
        which = f"knelpunt '{knelpunt.titel}'" if named else "dit knelpunt"
        return ONDERWIJSTYPE_BONUS, (
            f"omdat het over {shared[0].replace('-', '/')} gaat, net als {which} ({knelpunt.onderwijstype})"
        )

    def for_knelpunt(self, knelpunt: Knelpunt) -> list[Recommendation]:
        result = []
        weight = ERNST_WEIGHTS[knelpunt.ernst]
        for entry in self.candidates(knelpunt):
            bonus, extra = self.area_bonus(entry, [knelpunt])
            tbonus, treason = self.school_type_bonus(entry, knelpunt)
            xbonus, xreason = self.text_bonus(entry, knelpunt)
            score = weight * (self.relevance(entry, knelpunt) + bonus + tbonus + xbonus)
            reasons = [self.type_reason(entry, knelpunt, named=False), *extra, *(r for r in (treason, xreason) if r)]
            result.append(Recommendation(entry, score, tuple(reasons), (knelpunt.titel,)))
        return sorted(result, key=lambda r: (-r.score, r.entry.id))

    def overall(self, knelpunten: Sequence[Knelpunt]) -> list[Recommendation]:
        matched: dict[str, list[Knelpunt]] = defaultdict(list)
        for knelpunt in knelpunten:
            for entry in self.candidates(knelpunt):
                matched[entry.id].append(knelpunt)
        result = []
        for entry_id, ks in matched.items():
            entry = self.index.get(entry_id)
            bonus, extra = self.area_bonus(entry, ks)
            scores: list[float] = []
            reasons: list[str] = []
            type_reason: str | None = None
            seen_types: set[str] = set()
            for k in ks:
                tbonus, treason = self.school_type_bonus(entry, k, named=True)
                xbonus, _ = self.text_bonus(entry, k)
                scores.append(ERNST_WEIGHTS[k.ernst] * (self.relevance(entry, k) + bonus + tbonus + xbonus))
                if k.type not in seen_types:
                    seen_types.add(k.type)
                    reasons.append(self.type_reason(entry, k, named=True))
                type_reason = type_reason or treason
            reasons += extra + ([type_reason] if type_reason else [])
            scores.sort(reverse=True)
            score = scores[0] + FURTHER_MATCH_FACTOR * sum(scores[1:])
            result.append(Recommendation(entry, score, tuple(reasons), tuple(dict.fromkeys(k.titel for k in ks))))
        return sorted(result, key=lambda r: (-r.score, r.entry.id))

    def general_support(self, exclude: set[str]) -> tuple[Recommendation, ...]:
        """Support routes that match no knelpunt type but are open to every board."""
        return tuple(
            Recommendation(e, 0.0, (GENERAL_SUPPORT_REASON,), ())
            for e in self.index.entries
            if e.soort == "ondersteuning" and e.id not in exclude
        )

    def _shared_area(self, entry: Entry, knelpunten: Sequence[Knelpunt]) -> str | None:
        names = [g for k in knelpunten for g in k.gebieden]
        if self.regio:
            names.append(self.regio)
        mine = {area_key(self.index.synonyms.canonical_area(g)): g for g in entry.gebieden}
        for name in names:
            key = area_key(self.index.synonyms.canonical_area(name))
            if key in mine:
                return mine[key]
        return None


def school_type_themes(onderwijstype: str | None) -> set[str]:
    """The entry themes that correspond to a school type or vmbo-profiel.

    Parameters
    ----------
    onderwijstype : str or None
        E.g. ``"pro"``, ``"vmbo-k"``, ``"vmbo PIE"``, ``"havo"``, ``"havo/vwo"``.

    Returns
    -------
    set of str
        Themes from :data:`THEMAS`, empty when nothing is recognised.

    Examples
    --------
    >>> sorted(school_type_themes("vmbo PIE"))
    ['profielen', 'techniek', 'vmbo']
    """
    if not onderwijstype:
        return set()
    tokens = set(words(onderwijstype.replace("&", "")))
    themes: set[str] = set()
    if tokens & {"pro", "praktijkonderwijs"}:
        themes.add("praktijkonderwijs")
    if tokens & {"vmbo", "vbo", "mavo", "bb", "kb", "gl", "tl", "profiel"}:
        themes.add("vmbo")
    if tokens & {"havo", "vwo", "atheneum", "gymnasium"}:
        themes.add("havo-vwo")
    if tokens & _PROFIELEN:
        themes.update({"vmbo", "profielen"})
    if tokens & _TECH_PROFIELEN:
        themes.add("techniek")
    return themes


def _as_knelpunt(item: Knelpunt | Mapping[str, Any] | Any) -> Knelpunt:
    if isinstance(item, Knelpunt):
        return item
    if isinstance(item, Mapping):
        return Knelpunt.from_dict(item)
    data = {k: getattr(item, k, None) for k in _FIELDS}
    return Knelpunt.from_dict(data)


#: The fields read from a knelpunt-like object that is no :class:`Knelpunt`.
_FIELDS = tuple(f.name for f in fields(Knelpunt))


def _mix(ranked: Sequence[Recommendation], n: int) -> tuple[Recommendation, ...]:
    """The best ``n``, mixing kinds: each group takes at most its share of the list.

    Groups are routes (cooperation forms and legal routes), examples, and support
    (guides, regulations and support). When a group has too few entries, the others fill
    the list beyond their share.
    """
    if n <= 0 or not ranked:
        return ()
    caps = {g: math.ceil(n * share) for g, share in GROUP_SHARES.items()}
    taken: Counter[str] = Counter()
    picked: list[Recommendation] = []
    for r in ranked:
        group = SOORT_GROUPS[r.entry.soort]
        if len(picked) < n and taken[group] < caps[group]:
            picked.append(r)
            taken[group] += 1
    for r in ranked:
        if len(picked) >= n:
            break
        if all(p.entry.id != r.entry.id for p in picked):
            picked.append(r)
    return tuple(sorted(picked, key=lambda r: (-r.score, r.entry.id)))
