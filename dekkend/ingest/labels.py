"""Normalising DUO's VO labels (onderwijstype, opleiding, afdeling, sector) to dekkend's vocabulary.

Only this module knows DUO's spelling. Every rule here is explicit and an
unknown label is reported, never guessed.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

VMBO_LEERWEGEN = ("vmbo-b", "vmbo-k", "vmbo-g", "vmbo-t")

#: The normalised onderwijstypen. ``internationaal`` holds the international
#: streams (IB, Engelse stroom, European School), which DUO counts apart.
ONDERWIJSTYPEN = (
    "pro",
    *VMBO_LEERWEGEN,
    "havo",
    "vwo",
    "havo-vwo",
    "brugjaar",
    "internationaal",
    "totaal",
)

#: The ten vmbo profielen (since 2016) as slugs.
VMBO_PROFIELEN = {
    "bouwen wonen en interieur": "bouwen-wonen-interieur",
    "dienstverlening en producten": "dienstverlening-producten",
    "economie en ondernemen": "economie-ondernemen",
    "groen": "groen",
    "horeca bakkerij en recreatie": "horeca-bakkerij-recreatie",
    "maritiem en techniek": "maritiem-techniek",
    "media vormgeving en ict": "media-vormgeving-ict",
    "mobiliteit en transport": "mobiliteit-transport",
    "produceren installeren en energie": "produceren-installeren-energie",
    "zorg en welzijn": "zorg-welzijn",
}
PROFIEL_SLUGS = tuple(sorted(VMBO_PROFIELEN.values()))

HAVO_VWO_PROFIELEN = {
    "economie en maatschappij": "EM",
    "cultuur en maatschappij": "CM",
    "natuur en gezondheid": "NG",
    "natuur en techniek": "NT",
}

VMBO_SECTOREN = {
    "techniek": "techniek",
    "economie": "economie",
    "zorg & welzijn": "zorg-welzijn",
    "zorg en welzijn": "zorg-welzijn",
    "landbouw": "landbouw",
    "intersect. programma": "intersectoraal",
    "intersectoraal programma": "intersectoraal",
}

_NVT = {"", "n.v.t.", "nvt", "n.v.t"}


@dataclass(frozen=True)
class TypeLabel:
    """What a DUO ``ONDERWIJSTYPE VO EN LEER- OF VERBLIJFSJAAR`` label means."""

    onderwijstype: str
    vavo: bool = False
    internationaal: bool = False


@dataclass(frozen=True)
class Opleiding:
    """What an ``OPLEIDINGSNAAM`` tells beyond the type: target levels, lwoo, gymnasium."""

    niveau: tuple[str, ...] = ()
    lwoo: bool = False
    gymnasium: bool = False


def _key(label: str) -> str:
    text = unicodedata.normalize("NFKC", str(label)).strip().lower()
    return re.sub(r"\s+", " ", text)


def _words(label: str) -> str:
    return re.sub(r"[^a-z0-9&]+", " ", _key(label)).strip()


_TYPE_PATTERNS: tuple[tuple[str, TypeLabel], ...] = (
    (r"^brugjaar\b", TypeLabel("brugjaar")),
    (r"^praktijkonderwijs\b", TypeLabel("pro")),
    (r"^havo ?/ ?vwo\b", TypeLabel("havo-vwo")),
    (r"^vmbo bl\b", TypeLabel("vmbo-b")),
    # The VM2 experiment (vmbo basis continued into mbo 2, "Borging exp. VM2 ... Basisbg."): basis leerweg.
    (r"^vmbo-mbo2\b", TypeLabel("vmbo-b")),
    (r"^vmbo kl\b", TypeLabel("vmbo-k")),
    (r"^vmbo gl\b", TypeLabel("vmbo-g")),
    (r"^vmbo tl\b", TypeLabel("vmbo-t")),
    (r"^vmbo (gt|g/t|gl/tl)\b", TypeLabel("vmbo-t")),
    (r"^havo uitbest", TypeLabel("havo", vavo=True)),
    (r"^vwo uitbest", TypeLabel("vwo", vavo=True)),
    (r"^vmbo uitbest", TypeLabel("vmbo-t", vavo=True)),
    (r"^havo\b", TypeLabel("havo")),
    (r"^vwo\b", TypeLabel("vwo")),
    (r"^int\.? ?bacc", TypeLabel("internationaal", internationaal=True)),
    (r"^engelse stroom", TypeLabel("internationaal", internationaal=True)),
    (r"^european (secondary )?school", TypeLabel("internationaal", internationaal=True)),
)


def onderwijstype(label: str) -> TypeLabel | None:
    """Map a DUO type label to a :class:`TypeLabel`, or None when unknown.

    ``VMBO uitbest. aan VAVO`` is the theoretical leerweg at a VAVO (the only
    vmbo leerweg VAVO offers; DUO's opleidingsnamen say ``VMBO-TL naar VAVO``).
    """
    key = _key(label)
    for pattern, result in _TYPE_PATTERNS:
        if re.search(pattern, key):
            return result
    return None


_LEVEL_TOKENS = (
    (r"\bvwo\b", ("vwo",)),
    (r"\bhavo\b", ("havo",)),
    (r"\balle\b", VMBO_LEERWEGEN),
    (r"\bb(bg|b)\b", ("vmbo-b",)),
    (r"\bk(bg|b)\b", ("vmbo-k",)),
    (r"\bgm\b", ("vmbo-g",)),
    (r"\bth\b", ("vmbo-t",)),
    (r"\b(mavo|theor)\b", ("vmbo-t",)),
)


def opleiding(label: str, type_label: TypeLabel | None = None) -> Opleiding | None:
    """Read the target levels of a first-year opleiding, and the lwoo/gymnasium marks.

    ``Ljvb op VMBO-Bbg/Kbg Lw`` -> (vmbo-b, vmbo-k); ``VWO-GYMNASIUMSTROOM`` ->
    (vwo,) with gymnasium; ``Lj LWOO vb op Alle Lw`` -> every vmbo leerweg with
    lwoo. Returns None when a first-year label names no level at all.
    """
    words = _words(label)
    lwoo = bool(re.search(r"\blwoo\b", words))
    gymnasium = "gymnasium" in words
    if type_label is None or type_label.onderwijstype != "brugjaar":
        return Opleiding((), lwoo, gymnasium)
    levels: list[str] = []
    for pattern, result in _LEVEL_TOKENS:
        if re.search(pattern, words):
            levels.extend(r for r in result if r not in levels)
    if not levels and "algemeen leerjaar" in words and profiel_from_opleiding(label):
        # A vmbo profiel's general first year (maritiem en techniek) leads to every vmbo leerweg.
        levels = list(VMBO_LEERWEGEN)
    if not levels:
        return None
    order = {t: i for i, t in enumerate(ONDERWIJSTYPEN)}
    return Opleiding(tuple(sorted(levels, key=order.__getitem__)), lwoo, gymnasium)


@dataclass(frozen=True)
class Afdeling:
    """What an ``AFDELING`` label means: a vmbo profiel, havo/vwo profiel(en) or a route."""

    profiel: str | None = None
    hv_profiel: str | None = None
    route: str | None = None


def afdeling(label: str) -> Afdeling | None:
    """Map an ``AFDELING`` label; None when it is not empty and not known."""
    key = _key(label)
    if key in _NVT:
        return Afdeling()
    words = _words(label).replace("&", "en")
    route = re.match(r"^(vakmanschapsroute|beroepsroute)\b", words)
    if route:
        return Afdeling(route=route.group(1))
    if words in VMBO_PROFIELEN:
        return Afdeling(profiel=VMBO_PROFIELEN[words])
    parts = [_words(p) for p in key.split("/")]
    codes = [HAVO_VWO_PROFIELEN.get(p) for p in parts]
    if codes and all(codes):
        return Afdeling(hv_profiel="+".join(codes))  # type: ignore[arg-type]
    return None


def profiel_from_opleiding(label: str) -> str | None:
    """A vmbo profiel named inside an opleidingsnaam (e.g. ``VMBO Maritiem en techniek ...``).

    A programme of the theoretische leerweg (``MAVO/Theor Lw-Profiel Zorg en
    Welzijn``) is a sector choice of exam subjects, not one of the ten
    beroepsgerichte profielen of basis, kader and gemengd: it names none.
    """
    words = _words(label).replace("&", "en")
    if re.search(r"\btheor lw\b", words):
        return None
    if re.search(r"\bkrbvrt\b", words):  # Kust-, Rijn- en Binnenvaart, the forerunner of maritiem en techniek
        return "maritiem-techniek"
    for name, slug in VMBO_PROFIELEN.items():
        if name in words:
            return slug
    return None


def sector(label: str) -> str | None | bool:
    """Map ``VMBO SECTOR``: a slug, None for n.v.t., False when unknown."""
    key = _key(label)
    if key in _NVT:
        return None
    return VMBO_SECTOREN.get(key, False)


# -- the label table: every AFDELING, OPLEIDINGSNAAM, ELEMENTCODE and VMBO SECTOR value ------------
#: The columns of a DUO count file that :data:`LABEL_TABLE` covers, with their key in it.
LABEL_COLUMNS = {
    "AFDELING": "afdeling",
    "OPLEIDINGSNAAM": "opleidingsnaam",
    "ELEMENTCODE": "elementcode",
    "VMBO SECTOR": "sector",
}
#: The data file (``kolom;waarde;profiel;sector;route;toelichting``) next to this module.
LABEL_TABLE = "vo_labels.csv"
#: What a ``route`` in the table means (old programmes count as their successor profiel).
ROUTES = ("oud-programma", "vakmanschapsroute", "beroepsroute", "technologieroute", "tl-programma", "vm2-experiment")
SECTOREN = ("techniek", "economie", "zorg-welzijn", "landbouw", "intersectoraal")


#: DUO's element codes have four digits; the 2016/17 file drops the leading zeros (``24`` for ``0024``).
ELEMENTCODE_WIDTH = 4


def elementcode(value: object) -> str:
    """One form of a DUO ``ELEMENTCODE``: stripped, a numeric code padded to four digits (``24`` -> ``0024``).

    Anything that is not a plain number (empty, a letter code) is returned stripped and unchanged.
    """
    text = str(value).strip()
    return text.zfill(ELEMENTCODE_WIDTH) if text.isdigit() else text


@dataclass(frozen=True)
class LabelMeaning:
    """What one value of a DUO label column means for the offer: profiel, sector and route (empty: none)."""

    profiel: str | None = None
    sector: str | None = None
    route: str | None = None


@lru_cache(maxsize=1)
def label_table() -> dict[tuple[str, str], LabelMeaning]:
    """The label table as ``{(kolom, value): LabelMeaning}``; values compared after :func:`_key`.

    Raises ``ValueError`` when the shipped table names an unknown profiel,
    sector or route (a packaging error, caught by the tests).
    """
    text = resources.files("dekkend.ingest").joinpath(LABEL_TABLE).read_text(encoding="utf-8")
    out: dict[tuple[str, str], LabelMeaning] = {}
    for row in csv.DictReader(text.splitlines(), delimiter=";"):
        meaning = LabelMeaning(row["profiel"] or None, row["sector"] or None, row["route"] or None)
        if meaning.profiel and meaning.profiel not in PROFIEL_SLUGS:
            raise ValueError(f"{LABEL_TABLE}: unknown profiel {meaning.profiel!r}")
        if meaning.sector and meaning.sector not in SECTOREN:
            raise ValueError(f"{LABEL_TABLE}: unknown sector {meaning.sector!r}")
        if meaning.route and meaning.route not in ROUTES:
            raise ValueError(f"{LABEL_TABLE}: unknown route {meaning.route!r}")
        value = elementcode(row["waarde"]) if row["kolom"] == "elementcode" else row["waarde"]
        key = (row["kolom"], _key(value))
        if key in out and out[key] != meaning:
            raise ValueError(f"{LABEL_TABLE}: {row['kolom']} {value!r} has two meanings")
        out[key] = meaning
    return out


def label_meaning(column: str, value: str) -> LabelMeaning | None:
    """The meaning of ``value`` in DUO column ``column`` (e.g. ``AFDELING``); None when the table lacks it.

    An empty cell means nothing and is always known.
    """
    kolom = LABEL_COLUMNS[column.upper()]
    if kolom == "elementcode":
        value = elementcode(value)
    if _key(value) == "":
        return LabelMeaning()
    return label_table().get((kolom, _key(value)))


def combine(meanings: list[LabelMeaning | None], sector_column: LabelMeaning | None) -> LabelMeaning:
    """One row's meaning: the first profiel and route found (afdeling, then opleiding, then elementcode).

    The sector is the ``VMBO SECTOR`` cell when it names one, else the first
    sector of the other columns.
    """
    known = [m for m in meanings if m is not None]
    profiel = next((m.profiel for m in known if m.profiel), None)
    route = next((m.route for m in known if m.route), None)
    sector_ = (sector_column.sector if sector_column else None) or next((m.sector for m in known if m.sector), None)
    return LabelMeaning(profiel, sector_, route)
