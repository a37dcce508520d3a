"""Full-text search over the knowledge base: SQLite FTS5 on Dutch stems, synonyms, facets."""

from __future__ import annotations

import difflib
import re
import sqlite3
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from dekkend.errors import ConfiguratieFout, InvoerFout

from ._entries import KNELPUNTTYPEN, SOORTEN, Entry, load_entries
from ._text import STOPWORDS, stem, stems, strip_citations, words

#: Column weights for bm25: id, title, summary, metadata, body.
COLUMN_WEIGHTS = (0.0, 8.0, 4.0, 3.0, 1.0)

#: Score factor for entries about an area named in the query (``leerlingendaling Zeeland``).
AREA_BOOST = 2.5


#: Most distinct search terms used from one query (dekkend's own choice: a question is a few
#: words, a knelpunt text a few dozen); the rest of a longer text is not searched on.
MAX_TERMS = 64


def synonyms_path() -> Path:
    """The synonym list shipped with dekkend."""
    return Path(__file__).with_name("synoniemen.yaml")


@dataclass(frozen=True)
class Synonyms:
    """Groups of equivalent search terms and of alternative area names.

    Attributes
    ----------
    terms : Mapping of tuple of str to frozenset of tuple of str
        For every term (as a tuple of stems) all equivalent terms, itself included.
    areas : Mapping of str to str
        For every normalised area name the name dekkend shows.
    """

    terms: Mapping[tuple[str, ...], frozenset[tuple[str, ...]]]
    areas: Mapping[str, str]

    @property
    def longest(self) -> int:
        """The number of stems in the longest term."""
        return max((len(k) for k in self.terms), default=1)

    def canonical_area(self, name: str) -> str:
        """The shown name of area ``name`` when it has aliases, else ``name`` itself."""
        return self.areas.get(area_key(name), name)


def area_key(name: str) -> str:
    """Normalised form of an area name for comparisons (case, accents, punctuation)."""
    return " ".join(words(name))


def load_synonyms(path: str | Path | None = None) -> Synonyms:
    """Read a synonym list (YAML with ``termen`` and ``gebieden``).

    Parameters
    ----------
    path : str or pathlib.Path, optional
        The file; the list shipped with dekkend by default.

    Returns
    -------
    Synonyms

    Raises
    ------
    InvoerFout
        When the file is not a valid synonym list.
    """
    if path is None:
        return _default_synonyms()
    return _read_synonyms(Path(path))


@lru_cache(maxsize=1)
def _default_synonyms() -> Synonyms:
    return _read_synonyms(synonyms_path())


def _read_synonyms(path: Path) -> Synonyms:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise InvoerFout(f"de synoniemenlijst is onleesbaar: {exc}", file=path) from exc
    if not isinstance(data, dict):
        data = {"termen": None}
    groups: list[list[Any]] = data.get("termen", [])
    areas: list[list[Any]] = data.get("gebieden", [])
    if not _is_groups(groups) or not _is_groups(areas):
        raise InvoerFout(
            "de synoniemenlijst heeft geen geldige groepen",
            file=path,
            expected="'termen:' en 'gebieden:' met lijsten van woorden",
        )
    terms: dict[tuple[str, ...], set[tuple[str, ...]]] = {}
    for group in groups:
        keys = {k for k in (tuple(stems(str(term))) for term in group) if k}
        for key in keys:
            terms.setdefault(key, set()).update(keys)
    area_names = {area_key(str(alias)): str(group[0]) for group in areas for alias in group}
    return Synonyms(terms={k: frozenset(v) for k, v in terms.items()}, areas=area_names)


def _is_groups(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(g, list) and g for g in value)


@dataclass(frozen=True)
class SearchHit:
    """One entry found, with its rank score and a matching sentence.

    Attributes
    ----------
    entry : Entry
        The entry.
    score : float
        Higher is better; comparable within one search only.
    fragment : str
        The sentence of the entry that matches the query best.
    """

    entry: Entry
    score: float
    fragment: str


@dataclass(frozen=True)
class SearchResult:
    """The outcome of one search.

    Attributes
    ----------
    query : str
        The query as typed.
    terms : tuple of str
        The query terms after stop words, with their synonyms (for display).
    hits : tuple of SearchHit
        The best entries, best first.
    total : int
        The number of entries that match the query and the filters.
    facets : Mapping of str to Mapping of str to int
        Counts per ``soort``, per ``gebied`` and per ``jaar`` (:func:`entry_year`; entries without a
        year are left out of that facet) among the matches. The count for a facet
        ignores the filter on that same facet, so it shows what choosing another value gives.
    soort, gebied : str or None
        The filters applied.
    jaar : int or None
        The year filter applied.
    """

    query: str
    terms: tuple[str, ...]
    hits: tuple[SearchHit, ...]
    total: int
    facets: Mapping[str, Mapping[str, int]]
    soort: str | None = None
    gebied: str | None = None
    jaar: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The result as a JSON-ready dictionary with Dutch keys."""
        return {
            "zoekvraag": self.query,
            "termen": list(self.terms),
            "soort": self.soort,
            "gebied": self.gebied,
            "jaar": self.jaar,
            "aantal": self.total,
            "resultaten": [
                {
                    "id": h.entry.id,
                    "titel": h.entry.titel,
                    "soort": h.entry.soort,
                    "regio": h.entry.regio,
                    "jaar": h.entry.jaar,
                    "score": round(h.score, 3),
                    "samenvatting": h.entry.samenvatting,
                    "fragment": h.fragment,
                }
                for h in self.hits
            ],
            "facetten": {k: dict(v) for k, v in self.facets.items()},
        }


class KnowledgeIndex:
    """An in-memory SQLite FTS5 index of entries, searched on Dutch stems with synonyms.

    Parameters
    ----------
    entries : sequence of Entry
        The entries to index.
    synonyms : Synonyms, optional
        The synonym list; the one shipped with dekkend by default.

    Examples
    --------
    >>> index = KnowledgeIndex.default()
    >>> result = index.search("profielen verdelen", soort="praktijkvoorbeeld")
    >>> result.hits[0].entry.id  # doctest: +SKIP
    'emmen-vmbo-profielen-verdeeld'
    """

    def __init__(self, entries: Sequence[Entry], synonyms: Synonyms | None = None) -> None:
        self.entries: tuple[Entry, ...] = tuple(entries)
        self.synonyms = synonyms if synonyms is not None else load_synonyms()
        self._by_id = {e.id: e for e in self.entries}
        self._areas = self._collect_areas()
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.execute(
            "CREATE VIRTUAL TABLE kennis USING fts5(id UNINDEXED, titel, samenvatting, meta, body, "
            "tokenize = 'unicode61')"
        )
        rows = [_index_row(e) for e in self.entries]
        self._db.executemany("INSERT INTO kennis (id, titel, samenvatting, meta, body) VALUES (?, ?, ?, ?, ?)", rows)
        # Stems of each entry's own text, without the shared knelpunt-type labels.
        self._stems = {e.id: frozenset(_content_stems(e)) for e in self.entries}
        self._document_frequency: Counter[str] = Counter(s for st in self._stems.values() for s in st)

    @classmethod
    def default(cls) -> KnowledgeIndex:
        """The index of the entries shipped with dekkend (built once, then reused)."""
        return _default_index()

    @property
    def areas(self) -> tuple[str, ...]:
        """The named areas known to the entries, sorted."""
        return tuple(sorted(set(self._areas.values())))

    def get(self, entry_id: str) -> Entry:
        """The entry with id ``entry_id``.

        Raises
        ------
        ConfiguratieFout
            When there is no such entry; the message suggests similar ids.
        """
        key = entry_id.strip().lower()
        if key in self._by_id:
            return self._by_id[key]
        close = difflib.get_close_matches(key, list(self._by_id), n=3, cutoff=0.5)
        hint = (
            f" Bedoelde u: {', '.join(close)}?"
            if close
            else (" Zoek eerst met 'dekkend kennis zoek' om de id's te zien.")
        )
        raise ConfiguratieFout(f"Geen kennisbankartikel met id '{entry_id}'.{hint}")

    def resolve_area(self, name: str) -> str:
        """The shown name of area ``name`` as the entries know it.

        Raises
        ------
        ConfiguratieFout
            When no entry mentions the area; the message suggests similar names.
        """
        key = area_key(self.synonyms.canonical_area(name))
        if key in self._areas:
            return self._areas[key]
        close = difflib.get_close_matches(key, list(self._areas), n=4, cutoff=0.6)
        names = [self._areas[c] for c in close]
        hint = f" Bedoelde u: {', '.join(names)}?" if names else " Laat --gebied weg om in alle gebieden te zoeken."
        raise ConfiguratieFout(f"Onbekend gebied '{name}': geen artikel in de kennisbank gaat over dat gebied.{hint}")

    def entry_in_area(self, entry: Entry, area: str) -> bool:
        """Whether ``entry`` is about the area with shown name ``area``."""
        key = area_key(area)
        return any(area_key(self.synonyms.canonical_area(g)) == key for g in entry.gebieden)

    def search(
        self,
        query: str,
        *,
        soort: str | None = None,
        gebied: str | None = None,
        jaar: int | None = None,
        limit: int = 10,
    ) -> SearchResult:
        """Search the entries, best first.

        All query terms must match (a word or one of its synonyms, on Dutch stems); when
        fewer than ``limit`` entries match all terms, entries matching some follow.

        Parameters
        ----------
        query : str
            What a user types, e.g. ``"kleine examenklassen havo"``.
        soort : str, optional
            Only entries of this kind (a key of :data:`SOORTEN`).
        gebied : str, optional
            Only entries about this named area, e.g. ``"Zeeland"``.
        jaar : int, optional
            Only entries whose year (:func:`entry_year`, the first year their ``jaar`` names) is this one.
        limit : int, default 10
            The maximum number of hits.

        Returns
        -------
        SearchResult

        Raises
        ------
        ConfiguratieFout
            For an empty query, an unknown ``soort`` or ``gebied``, or a limit below 1.
        """
        if soort is not None and soort not in SOORTEN:
            close = difflib.get_close_matches(soort, list(SOORTEN), n=1)
            hint = f" Bedoelde u '{close[0]}'?" if close else ""
            raise ConfiguratieFout(f"Onbekende soort '{soort}'. Kies uit: {', '.join(SOORTEN)}.{hint}")
        area = self.resolve_area(gebied) if gebied is not None else None
        if limit < 1:
            raise ConfiguratieFout(f"Het aantal resultaten moet minstens 1 zijn, niet {limit}.")
        groups = self.query_groups(query)
        ranked = self._boost_named_areas(self._rank(groups), query)

        def keep(entry: Entry, *, skip: str) -> bool:
            return (
                (skip == "soort" or soort is None or entry.soort == soort)
                and (skip == "gebied" or area is None or self.entry_in_area(entry, area))
                and (skip == "jaar" or jaar is None or entry_year(entry) == jaar)
            )

        matches = [(e, s) for e, s in ranked if keep(e, skip="")]
        facets = {
            "soort": _count(e.soort for e, _ in ranked if keep(e, skip="soort")),
            "gebied": _count(self._entry_areas(e) for e, _ in ranked if keep(e, skip="gebied")),
            "jaar": _count(_year_key(e) for e, _ in ranked if keep(e, skip="jaar")),
        }
        term_stems = {s for g in groups for alt in g for s in alt}
        hits = tuple(SearchHit(e, s, _fragment(e, term_stems)) for e, s in matches[:limit])
        return SearchResult(
            query=query,
            terms=tuple(_describe(g) for g in groups),
            hits=hits,
            total=len(matches),
            facets=facets,
            soort=soort,
            gebied=area,
            jaar=jaar,
        )

    def query_groups(self, query: str) -> list[frozenset[tuple[str, ...]]]:
        """Split ``query`` into term groups: per term its stems and those of its synonyms.

        Raises
        ------
        ConfiguratieFout
            When the query has no searchable words.
        """
        tokens = [stem(w) for w in words(query) if w not in STOPWORDS]
        if not tokens:
            if words(query):
                raise ConfiguratieFout(
                    f"De zoekvraag '{query.strip()}' bevat alleen woorden als 'de', 'het' "
                    "en 'hoe', "
                    "waarop niet gezocht wordt. Geef een inhoudelijk zoekwoord, bijvoorbeeld "
                    "'profielen delen' of 'kleine bovenbouw'."
                )
            raise ConfiguratieFout(
                "De zoekvraag is leeg. Geef een of meer zoekwoorden, bijvoorbeeld "
                "'profielen delen' of 'kleine bovenbouw'."
            )
        groups: list[frozenset[tuple[str, ...]]] = []
        i = 0
        while i < len(tokens):
            for size in range(min(self.synonyms.longest, len(tokens) - i), 0, -1):
                key = tuple(tokens[i : i + size])
                if key in self.synonyms.terms:
                    groups.append(self.synonyms.terms[key])
                    i += size
                    break
            else:
                groups.append(frozenset({(tokens[i],)}))
                i += 1
        # A repeated word adds nothing; beyond MAX_TERMS distinct terms the cost of ranking grows
        # with the square of the query's length while the ranking no longer changes.
        return list(dict.fromkeys(groups))[:MAX_TERMS]

    def _rank(self, groups: list[frozenset[tuple[str, ...]]]) -> list[tuple[Entry, float]]:
        """Entries matching all groups first (bm25), then those matching some.

        In the second tier the bm25 score is scaled by the square of the share of groups
        matched and by 1/10, so a partial match never outranks a full one of similar weight.
        """
        clauses = ["(" + " OR ".join(_fts_term(alt) for alt in sorted(g)) + ")" for g in groups]
        full = dict(self._match(" AND ".join(clauses)))
        ranked = {i: -r for i, r in full.items()}
        if len(clauses) > 1:
            hits: Counter[str] = Counter()
            for clause in clauses:
                hits.update(i for i, _ in self._match(clause))
            for entry_id, rank in self._match(" OR ".join(clauses)):
                if entry_id not in ranked:
                    share = hits[entry_id] / len(clauses)
                    ranked[entry_id] = -rank * share * share / 10
        order = sorted(ranked.items(), key=lambda kv: (-kv[1], kv[0]))
        return [(self._by_id[i], s) for i, s in order]

    def _match(self, expression: str) -> list[tuple[str, float]]:
        weights = ", ".join(map(str, COLUMN_WEIGHTS))
        return self._db.execute(
            f"SELECT id, bm25(kennis, {weights}) FROM kennis WHERE kennis MATCH ?", (expression,)
        ).fetchall()

    def text_relevance(self, text: str) -> dict[str, float]:
        """How well each entry matches free ``text``, scaled so the best match is 1.0.

        Used to fine-tune matching with the title and explanation of a knelpunt. Names of
        areas are left out (matching weighs areas separately). Entries that share no word
        with the text are absent; text without searchable words gives an empty result.
        """
        text = self.without_area_names(text)
        if not any(w not in STOPWORDS for w in words(text)):
            return {}
        ranked = self._rank(self.query_groups(text))
        best = max((s for _, s in ranked), default=0.0)
        return {e.id: s / best for e, s in ranked} if best > 0 else {}

    def shared_words(self, entry: Entry, text: str, *, limit: int = 3) -> list[str]:
        """Distinctive words of ``text`` whose stem occurs in ``entry``, at most ``limit``.

        Words found in more than 40% of the entries, stop words and area names are skipped.
        """
        found: list[str] = []
        for word in words(self.without_area_names(text)):
            key = stem(word)
            if (
                word not in STOPWORDS
                and key in self._stems[entry.id]
                and word not in found
                and self._document_frequency[key] <= 0.4 * len(self.entries)
            ):
                found.append(word)
        return found[:limit]

    def without_area_names(self, text: str) -> str:
        """``text`` as normalised words, without the names of known areas."""
        tokens = words(text)
        keep = [True] * len(tokens)
        for size in (3, 2, 1):
            for i in range(len(tokens) - size + 1):
                if " ".join(tokens[i : i + size]) in self._areas:
                    keep[i : i + size] = [False] * size
        return " ".join(t for t, k in zip(tokens, keep, strict=True) if k)

    def areas_named_in(self, text: str) -> list[str]:
        """The known areas whose name occurs in ``text`` (as whole words)."""
        tokens = words(text)
        found = []
        for size in (3, 2, 1):
            for i in range(len(tokens) - size + 1):
                key = " ".join(tokens[i : i + size])
                if key in self._areas and self._areas[key] not in found:
                    found.append(self._areas[key])
        return found

    def _boost_named_areas(self, ranked: list[tuple[Entry, float]], query: str) -> list[tuple[Entry, float]]:
        named = self.areas_named_in(query)
        if not named:
            return ranked
        boosted = [(e, s * AREA_BOOST if any(self.entry_in_area(e, a) for a in named) else s) for e, s in ranked]
        return sorted(boosted, key=lambda es: -es[1])

    def _collect_areas(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for entry in self.entries:
            for name in entry.gebieden:
                shown = self.synonyms.canonical_area(name)
                found.setdefault(area_key(shown), shown)
        for alias, shown in self.synonyms.areas.items():
            if area_key(shown) in found:
                found.setdefault(alias, found[area_key(shown)])
        return found

    def _entry_areas(self, entry: Entry) -> list[str]:
        return sorted({self.synonyms.canonical_area(g) for g in entry.gebieden})


@lru_cache(maxsize=1)
def _default_index() -> KnowledgeIndex:
    return KnowledgeIndex(load_entries())


def search(
    query: str,
    *,
    soort: str | None = None,
    gebied: str | None = None,
    jaar: int | None = None,
    limit: int = 10,
    index: KnowledgeIndex | None = None,
) -> SearchResult:
    """Search the knowledge base; see :meth:`KnowledgeIndex.search`.

    Parameters
    ----------
    query : str
        The query.
    soort, gebied : str, optional
        Facet filters.
    jaar : int, optional
        Year filter (:func:`entry_year`).
    limit : int, default 10
        The maximum number of hits.
    index : KnowledgeIndex, optional
        The index to use; the shipped knowledge base by default.

    Returns
    -------
    SearchResult
    """
    index = index or KnowledgeIndex.default()
    return index.search(query, soort=soort, gebied=gebied, jaar=jaar, limit=limit)


def _index_row(entry: Entry) -> tuple[str, str, str, str, str]:
    meta = " ".join(
        [
            entry.soort,
            SOORTEN[entry.soort],
            entry.regio,
            *entry.gebieden,
            *entry.partijen,
            *entry.themas,
            *entry.knelpunt_types,
            *(KNELPUNTTYPEN[t] for t in entry.knelpunt_types),
            *(reason for _, reason in entry.knelpunttypen),
            *entry.voorwaarden,
            *entry.juridische_basis,
            entry.jaar or "",
        ]
    )

    def prep(text: str) -> str:
        return " ".join(stems(strip_citations(text)))

    return (entry.id, prep(entry.titel), prep(entry.samenvatting), prep(meta), prep(entry.body))


def _content_stems(entry: Entry) -> list[str]:
    text = " ".join(
        [
            entry.titel,
            entry.samenvatting,
            entry.body,
            entry.regio,
            *entry.gebieden,
            *entry.partijen,
            *entry.themas,
            *(r for _, r in entry.knelpunttypen),
            *entry.voorwaarden,
            *entry.juridische_basis,
        ]
    )
    return stems(strip_citations(text))


def _fts_term(alternative: tuple[str, ...]) -> str:
    return '"' + " ".join(alternative).replace('"', "") + '"'


def _describe(group: frozenset[tuple[str, ...]]) -> str:
    return " | ".join(sorted(" ".join(alt) for alt in group))


_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")


def entry_year(entry: Entry) -> int | None:
    """The year of an entry for the ``jaar`` facet: the first four-digit year its ``jaar`` names, or ``None``.

    ``jaar`` is free text (``"sinds 2015; krimppilot 2020"``, ``"circa 2018"``); the facet uses the
    first year in it, which is when the entry's story starts (dekkend's own choice).
    """
    found = _YEAR.search(entry.jaar or "")
    return int(found.group(1)) if found else None


def _year_key(entry: Entry) -> list[str]:
    year = entry_year(entry)
    return [] if year is None else [str(year)]


def combine_entries(seed: Sequence[Entry], local: Sequence[Entry]) -> tuple[Entry, ...]:
    """The seed entries with ``local`` ones added: a local entry replaces the seed entry with the same id.

    This is how entries kept elsewhere (the web workspace's own, edited in the browser) join the
    search and the matching: build a :class:`KnowledgeIndex` over the result. Sorted by id.

    Raises
    ------
    ConfiguratieFout
        When ``local`` holds two entries with the same id.
    """
    by_id = {e.id: e for e in seed}
    seen: set[str] = set()
    for entry in local:
        if entry.id in seen:
            raise ConfiguratieFout(f"Het kennisbankartikel '{entry.id}' komt twee keer voor in de eigen artikelen.")
        seen.add(entry.id)
        by_id[entry.id] = entry
    return tuple(sorted(by_id.values(), key=lambda e: e.id))


def _count(values: Iterable[str | list[str]]) -> dict[str, int]:
    counter: Counter[str] = Counter()
    for value in values:
        counter.update([value] if isinstance(value, str) else value)
    return dict(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_ITEM = re.compile(r"^\s*(?:[-*]|\d+\.)\s+")


def _paragraphs(markdown: str) -> list[str]:
    """Plain paragraphs and list items of a Markdown body, each on one line."""
    result: list[str] = []
    current: list[str] = []
    for line in markdown.splitlines() + [""]:
        stripped = line.strip()
        starts_item = bool(_ITEM.match(line))
        if not stripped or stripped.startswith(("#", "|")) or starts_item:
            if current:
                result.append(" ".join(current))
            current = [_ITEM.sub("", line).strip()] if starts_item else []
        else:
            current.append(stripped)
    return [p.replace("**", "") for p in result if p]


def _fragment(entry: Entry, term_stems: set[str]) -> str:
    best, best_hits = entry.samenvatting, 0
    for paragraph in _paragraphs(strip_citations(entry.body)):
        for sentence in _SENTENCE.split(paragraph):
            if len(sentence) < 20:
                continue
            hits = len(set(stems(sentence)) & term_stems)
            if hits > best_hits:
                best, best_hits = sentence, hits
    best = " ".join(strip_citations(best).split())
    return best if len(best) <= 240 else best[:237].rsplit(" ", 1)[0] + " ..."
