"""Knowledge-base entries: the schema, reading one Markdown file, loading and validating all."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from dekkend.diagnose.model import KNELPUNTTYPEN
from dekkend.errors import InvoerFout

from ._text import citations, strip_citations, words

#: The kinds of entry, with the Dutch label shown to users.
SOORTEN: Mapping[str, str] = {
    "samenwerkingsvorm": "Samenwerkingsvorm",
    "juridische-route": "Juridische route",
    "praktijkvoorbeeld": "Praktijkvoorbeeld",
    "handreiking": "Handreiking",
    "ondersteuning": "Ondersteuning",
    "regeling": "Regeling",
}

#: The controlled vocabulary of themes.
THEMAS: frozenset[str] = frozenset(
    """
    bestuur fusie identiteit openbaar-onderwijs vmbo techniek havo-vwo bovenbouw praktijkonderwijs
    mbo po-vo personeel huisvesting campus vervoer afstandsonderwijs kleine-vakken bekostiging
    subsidie planning prognoses medezeggenschap gemeente bedrijfsleven sluiting nieuwe-school
    eilanden grensregio proces beleid toezicht voorlichting kleine-locatie profielen
    """.split()
)

#: A body must have at least this many words, a summary at least this many.
MIN_BODY_WORDS = 100
MIN_SUMMARY_WORDS = 15

#: Headings a praktijkvoorbeeld body must have.
PRAKTIJK_HEADINGS = ("## Aanpak", "## Resultaat")

_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_URL = re.compile(r"^https?://\S+$")
_REQUIRED = ("id", "titel", "soort", "samenvatting", "themas", "knelpunttypen", "bronnen")
_OPTIONAL = ("regio", "gebieden", "jaar", "partijen", "voorwaarden", "juridische_basis")


@dataclass(frozen=True)
class Source:
    """One source of an entry: its address, its title and the date it was seen.

    Attributes
    ----------
    url : str
        The web address.
    titel : str
        The title of the page or document, as published.
    gezien : datetime.date
        The date the source was consulted.
    datum : str or None
        The publication date as far as known (``2019-07`` or ``2019-07-15``).
    """

    url: str
    titel: str
    gezien: dt.date
    datum: str | None = None


@dataclass(frozen=True)
class Entry:
    """One entry of the knowledge base, read from ``entries/<id>.md``.

    The attributes mirror the YAML front matter; ``body`` is the Markdown after it.
    Citation markers ``[n]`` in the body and summary refer to ``bronnen[n - 1]``.

    Attributes
    ----------
    id : str
        Lower-case slug, equal to the file name without ``.md``.
    titel, soort, samenvatting, body : str
        Title, kind (a key of :data:`SOORTEN`), summary and Markdown body (Dutch).
    bronnen : tuple of Source
        The sources; every one is cited in the text.
    regio : str
        The region the entry is about, ``landelijk`` for national ones.
    gebieden : tuple of str
        Named areas (province, region, towns) for the ``--gebied`` facet and matching.
    jaar : str or None
        Year or period.
    partijen : tuple of str
        The parties involved.
    voorwaarden, juridische_basis : tuple of str
        Conditions, and the legal basis (laws, articles, regulations).
    themas : tuple of str
        Themes from :data:`THEMAS`.
    knelpunttypen : tuple of (str, str)
        Per knelpunt type the entry helps with, the reason that completes "omdat ...".
    path : pathlib.Path or None
        The file the entry was read from.
    """

    id: str
    titel: str
    soort: str
    samenvatting: str
    body: str
    bronnen: tuple[Source, ...]
    regio: str = "landelijk"
    gebieden: tuple[str, ...] = ()
    jaar: str | None = None
    partijen: tuple[str, ...] = ()
    voorwaarden: tuple[str, ...] = ()
    juridische_basis: tuple[str, ...] = ()
    themas: tuple[str, ...] = ()
    knelpunttypen: tuple[tuple[str, str], ...] = ()
    path: Path | None = field(default=None, compare=False, repr=False)

    @property
    def soort_label(self) -> str:
        """The Dutch label of the kind."""
        return SOORTEN[self.soort]

    @property
    def knelpunt_types(self) -> tuple[str, ...]:
        """The knelpunt types this entry helps with, the primary one first."""
        return tuple(t for t, _ in self.knelpunttypen)

    def reason_for(self, knelpunt_type: str) -> str | None:
        """The reason ("omdat ...") the entry helps with ``knelpunt_type``, or None."""
        return dict(self.knelpunttypen).get(knelpunt_type)

    def plain_text(self) -> str:
        """Title, summary, body, conditions and legal basis as plain text without markers."""
        parts = [self.titel, self.samenvatting, self.body, *self.voorwaarden, *self.juridische_basis]
        return strip_citations("\n".join(parts))

    def to_dict(self) -> dict[str, Any]:
        """The entry as a JSON-ready dictionary with Dutch keys."""
        return {
            "id": self.id,
            "titel": self.titel,
            "soort": self.soort,
            "regio": self.regio,
            "gebieden": list(self.gebieden),
            "jaar": self.jaar,
            "partijen": list(self.partijen),
            "samenvatting": self.samenvatting,
            "voorwaarden": list(self.voorwaarden),
            "juridische_basis": list(self.juridische_basis),
            "themas": list(self.themas),
            "knelpunttypen": dict(self.knelpunttypen),
            "bronnen": [
                {"url": s.url, "titel": s.titel, "datum": s.datum, "gezien": s.gezien.isoformat()} for s in self.bronnen
            ],
            "body": self.body,
        }


def entries_directory() -> Path:
    """The folder of the entries shipped with dekkend."""
    return Path(__file__).with_name("entries")


def parse_entry(text: str, *, path: str | Path) -> Entry:
    """Read one entry from the text of its Markdown file and validate it.

    Parameters
    ----------
    text : str
        The file content: YAML front matter between ``---`` lines, then Markdown.
    path : str or pathlib.Path
        The file name, used for messages and to check the id.

    Returns
    -------
    Entry
        The validated entry.

    Raises
    ------
    InvoerFout
        Listing every problem found, with the line of the first one.
    """
    path = Path(path)
    front, body, body_line = _split_front_matter(text, path)
    try:
        data = yaml.safe_load(front)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else None
        raise InvoerFout(
            f"de YAML-kop is onleesbaar: {getattr(exc, 'problem', exc)}",
            file=path,
            line=line,
            expected="geldige YAML tussen twee regels '---'",
        ) from exc
    if not isinstance(data, dict):
        raise InvoerFout("de YAML-kop bevat geen velden", file=path, line=2, expected="velden als 'id:' en 'soort:'")
    problems: list[tuple[int | None, str]] = []
    key_lines = _key_lines(front)
    entry = _build(data, body, path, problems, key_lines, body_line)
    if problems:
        problems.sort(key=lambda p: p[0] or 0)
        if len(problems) == 1:
            raise InvoerFout(problems[0][1], file=path, line=problems[0][0])
        listed = "; ".join(f"regel {ln}: {msg}" if ln else msg for ln, msg in problems)
        raise InvoerFout(
            f"{len(problems)} problemen in dit kennisbankartikel: {listed}", file=path, line=problems[0][0]
        )
    assert entry is not None
    return entry


def load_entries(directory: str | Path | None = None) -> tuple[Entry, ...]:
    """Load and validate every ``*.md`` entry in ``directory``, sorted by id.

    Parameters
    ----------
    directory : str or pathlib.Path, optional
        The folder to read; the entries shipped with dekkend by default.

    Returns
    -------
    tuple of Entry

    Raises
    ------
    InvoerFout
        For the first file with problems, or a folder without entries.
    """
    if directory is None:
        return _default_entries()
    return _load(Path(directory))


@lru_cache(maxsize=1)
def _default_entries() -> tuple[Entry, ...]:
    return _load(entries_directory())


def _load(folder: Path) -> tuple[Entry, ...]:
    files = sorted(folder.glob("*.md"))
    if not files:
        raise InvoerFout("de map bevat geen kennisbankartikelen", file=folder, expected="bestanden <id>.md")
    entries = [parse_entry(f.read_text(encoding="utf-8"), path=f) for f in files]
    return tuple(sorted(entries, key=lambda e: e.id))


def _split_front_matter(text: str, path: Path) -> tuple[str, str, int]:
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != "---":
        raise InvoerFout(
            "het bestand begint niet met een YAML-kop", file=path, line=1, expected="'---' op de eerste regel"
        )
    for i in range(1, len(lines)):
        if lines[i].strip() == "---":
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1 :]).strip(), i + 2
    raise InvoerFout(
        "de YAML-kop wordt niet afgesloten", file=path, line=1, expected="een tweede regel '---' na de velden"
    )


def _key_lines(front: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for number, line in enumerate(front.splitlines(), start=2):
        m = re.match(r"^([A-Za-z_][\w-]*)\s*:", line)
        if m and m.group(1) not in found:
            found[m.group(1)] = number
    return found


def _build(
    data: dict[str, Any],
    body: str,
    path: Path,
    problems: list[tuple[int | None, str]],
    key_lines: dict[str, int],
    body_line: int,
) -> Entry | None:
    def add(key: str | None, message: str) -> None:
        problems.append((key_lines.get(key) if key else body_line, message))

    _check_keys(data, add)
    entry_id = _check_id(data, path, add)
    soort = _text(data, "soort", add)
    if soort and soort not in SOORTEN:
        add("soort", f"onbekende soort '{soort}' (toegestaan: {', '.join(SOORTEN)})")
    samenvatting = " ".join(_text(data, "samenvatting", add).split())
    if samenvatting and len(words(strip_citations(samenvatting))) < MIN_SUMMARY_WORDS:
        add("samenvatting", f"de samenvatting is korter dan {MIN_SUMMARY_WORDS} woorden")
    themas = _list(data, "themas", add)
    for t in themas:
        if t not in THEMAS:
            add("themas", f"onbekend thema '{t}' (toegestaan: {', '.join(sorted(THEMAS))})")
    knelpunten = _knelpunttypen(data.get("knelpunttypen"), add)
    bronnen = _sources(data.get("bronnen"), add)
    _check_body(body, soort, bronnen, samenvatting, add)
    _check_kind_fields(data, soort, add)
    if problems:
        return None
    jaar = data.get("jaar")
    return Entry(
        id=entry_id,
        titel=_text(data, "titel", add),
        soort=soort,
        samenvatting=samenvatting,
        body=body,
        bronnen=bronnen,
        regio=str(data.get("regio") or "landelijk"),
        gebieden=tuple(_list(data, "gebieden", add)),
        jaar=None if jaar is None else str(jaar),
        partijen=tuple(_list(data, "partijen", add)),
        voorwaarden=tuple(_list(data, "voorwaarden", add)),
        juridische_basis=tuple(_list(data, "juridische_basis", add)),
        themas=tuple(themas),
        knelpunttypen=knelpunten,
        path=path,
    )


def _check_keys(data: Mapping[str, Any], add: Any) -> None:
    for key in _REQUIRED:
        if data.get(key) in (None, "", [], {}):
            add(key, f"verplicht veld '{key}' ontbreekt of is leeg")
    allowed = ", ".join(_REQUIRED + _OPTIONAL)
    for key in sorted(set(data) - set(_REQUIRED) - set(_OPTIONAL)):
        add(key, f"onbekend veld '{key}' (toegestaan: {allowed})")


def _check_id(data: Mapping[str, Any], path: Path, add: Any) -> str:
    entry_id = _text(data, "id", add)
    if entry_id and not _ID.match(entry_id):
        add("id", f"id '{entry_id}' is geen slug van kleine letters, cijfers en streepjes")
    if entry_id and entry_id != path.stem:
        add("id", f"id '{entry_id}' wijkt af van de bestandsnaam '{path.stem}'")
    return entry_id


def _check_kind_fields(data: Mapping[str, Any], soort: str, add: Any) -> None:
    if soort == "praktijkvoorbeeld":
        for key in ("regio", "jaar", "partijen"):
            if not data.get(key):
                add(key, f"een praktijkvoorbeeld heeft het veld '{key}' nodig")
    if soort == "juridische-route" and not data.get("juridische_basis"):
        add("juridische_basis", "een juridische route heeft het veld 'juridische_basis' nodig")


def _text(data: Mapping[str, Any], key: str, add: Any) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, str | int):
        add(key, f"veld '{key}' moet tekst zijn")
        return ""
    return str(value).strip()


def _list(data: Mapping[str, Any], key: str, add: Any) -> list[str]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        add(key, f"veld '{key}' moet een lijst van teksten zijn")
        return []
    return [str(v).strip() for v in value]


def _knelpunttypen(value: Any, add: Any) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    if not isinstance(value, dict):
        add(
            "knelpunttypen",
            "veld 'knelpunttypen' moet per knelpunttype een reden geven ('type: reden die \"omdat ...\" afmaakt')",
        )
        return ()
    result = []
    for key, reason in value.items():
        if key not in KNELPUNTTYPEN:
            allowed = ", ".join(KNELPUNTTYPEN)
            add("knelpunttypen", f"onbekend knelpunttype '{key}' (toegestaan: {allowed})")
        elif not isinstance(reason, str) or len(reason.split()) < 5:
            add("knelpunttypen", f"knelpunttype '{key}' heeft geen reden van minstens vijf woorden")
        elif reason.strip().lower().startswith("omdat"):
            add("knelpunttypen", f"de reden bij '{key}' begint met 'omdat'; dat woord zet dekkend er zelf voor")
        else:
            result.append((str(key), " ".join(reason.split()).rstrip(".")))
    return tuple(result)


def _sources(value: Any, add: Any) -> tuple[Source, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        add("bronnen", "veld 'bronnen' moet een lijst zijn met url, titel en gezien")
        return ()
    result = []
    for number, item in enumerate(value, start=1):
        if not isinstance(item, dict):
            add("bronnen", f"bron {number} is geen veld-lijst met url, titel en gezien")
            continue
        url, titel, gezien = item.get("url"), item.get("titel"), item.get("gezien")
        if not isinstance(url, str) or not _URL.match(url):
            add("bronnen", f"bron {number} heeft geen geldige url (http of https)")
            continue
        if not isinstance(titel, str) or not titel.strip():
            add("bronnen", f"bron {number} heeft geen titel")
            continue
        if isinstance(gezien, str):
            try:
                gezien = dt.date.fromisoformat(gezien)
            except ValueError:
                gezien = None
        if not isinstance(gezien, dt.date):
            add("bronnen", f"bron {number} heeft geen datum 'gezien' als JJJJ-MM-DD")
            continue
        datum = item.get("datum")
        datum_text = datum.isoformat() if isinstance(datum, dt.date) else datum
        result.append(
            Source(
                url=url,
                titel=" ".join(titel.split()),
                gezien=gezien,
                datum=None if datum_text is None else str(datum_text),
            )
        )
        extra = set(item) - {"url", "titel", "gezien", "datum"}
        if extra:
            add("bronnen", f"bron {number} heeft onbekende velden: {', '.join(sorted(extra))}")
    return tuple(result)


def _check_body(body: str, soort: str, bronnen: Sequence[Source], samenvatting: str, add: Any) -> None:
    n_words = len(words(strip_citations(body)))
    if n_words < MIN_BODY_WORDS:
        add(None, f"de tekst heeft {n_words} woorden, minder dan de {MIN_BODY_WORDS} die nodig zijn")
    cited = citations(body) + citations(samenvatting)
    if not citations(body):
        add(None, "de tekst verwijst naar geen enkele bron; zet [1], [2], ... achter de feiten")
    for n in sorted(set(cited)):
        if n < 1 or n > len(bronnen):
            add(None, f"bronverwijzing [{n}] bestaat niet (er zijn {len(bronnen)} bronnen)")
    for n in range(1, len(bronnen) + 1):
        if bronnen and n not in cited:
            add("bronnen", f"bron {n} wordt nergens in de tekst aangehaald")
    if soort == "praktijkvoorbeeld":
        for heading in PRAKTIJK_HEADINGS:
            if not re.search(rf"^{re.escape(heading)}\s*$", body, re.MULTILINE):
                add(None, f"een praktijkvoorbeeld heeft een kopje '{heading}' nodig")
