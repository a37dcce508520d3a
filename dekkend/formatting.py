"""Dutch notation for everything a user reads: numbers, kilometres, euros, school years, school names.

One module for the CLI, the report, the JSON text fields and the knowledge
advice, so that a number reads the same everywhere: ``1.160 kinderen``,
``35,4 km``, ``EUR 454.322``, school year ``2019/20``. It imports nothing
from dekkend, so every layer may use it.
"""

from __future__ import annotations

import math
import re


def _missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(math.isnan(float(value)))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def number(value: float | int | None, decimals: int = 0) -> str:
    """``12345.6`` as ``12.346`` (or ``12.345,6`` with one decimal); empty for a missing value."""
    if _missing(value):
        return ""
    v = round(float(value), decimals) + 0.0  # type: ignore[arg-type]  # + 0.0: no "-0"
    text = f"{v:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def count(value: float | int | None, noun: str = "") -> str:
    """A rounded count with thousands separator and an optional noun: ``1.160 kinderen``."""
    text = number(value, 0)
    return f"{text} {noun}".strip() if text else ""


def km(value: float | None, decimals: int = 1) -> str:
    """Kilometres with a decimal comma: ``35,4 km``; empty for a missing value."""
    return "" if _missing(value) else f"{number(value, decimals)} km"


def euro(value: float | None) -> str:
    """Euros, rounded, with the sign before the amount: ``EUR 454.322``, ``-EUR 1.200``."""
    if _missing(value):
        return ""
    v = float(value)  # type: ignore[arg-type]
    return ("-" if v < -0.5 else "") + f"EUR {number(abs(v), 0)}"


def percent(share: float | None, decimals: int = 0, *, sign: bool = False) -> str:
    """A share (``0.253``) as ``25%``; with ``sign`` as ``+25%`` or ``−25%`` (a real minus sign)."""
    if _missing(share):
        return ""
    value = 100 * float(share)  # type: ignore[arg-type]
    text = number(abs(value), decimals)
    if text.strip("0,") == "":
        return f"{text}%"
    if sign:
        return ("+" if value > 0 else "\u2212") + text + "%"
    return ("\u2212" if value < 0 else "") + text + "%"


def school_year(year: int) -> str:
    """A school year by its first calendar year: ``2019`` -> ``2019/20`` (the one form dekkend writes)."""
    return f"{int(year)}/{str(int(year) + 1)[-2:]}"


#: Words DUO appends to a school's name to list its school types (``... voor Atheneum Havo Mavo``).
_TYPE_WORDS = {
    "atheneum",
    "gymnasium",
    "lyceum",
    "havo",
    "vwo",
    "mavo",
    "vmbo",
    "lbo",
    "leao",
    "lhno",
    "lto",
    "mhno",
    "hbs",
    "en",
    "lavo",
    "avo",
    "vbo",
    "ivbo",
    "beroepsonderwijs",
    "algemeen",
    "voortgezet",
    "onderwijs",
    "middelbaar",
    "lager",
    "secundair",
    "tl",
    "gl",
    "kb",
    "bb",
    "bbl",
    "kbl",
    "g",
    "t",
    "mavo-vbo",
    "vbo-mavo",
    "lwoo",
    "vmbo-t",
    "havo-vwo",
    "ath",
    "gymn",
    "lyc",
}
_SUFFIX = re.compile(r"\s+(voor|v\.?)\s+(?P<rest>.+)$", re.IGNORECASE)


def short_school_name(name: object) -> str:
    """A school name without the list of school types DUO appends.

    ``Lodewijk College voor Atheneum Havo Mavo`` -> ``Lodewijk College``; a name
    whose "voor ..." part says more than school types keeps it whole
    (``School voor Praktijkonderwijs De Sprong`` stays as it is).
    """
    if not isinstance(name, str) or not name.strip():
        return ""
    text = " ".join(name.split())
    m = _SUFFIX.search(text)
    if m:
        rest, location = m.group("rest"), ""
        loc = re.search(r"\b(loc\.?|locatie)\s", rest, re.IGNORECASE)
        if loc:  # "... voor Lyc. Havo Mavo loc. Baudartius College": keep the location's name
            rest, location = rest[: loc.start()], rest[loc.start() :]
        words = re.split(r"[\s,/.]+", rest.lower().strip(" ,."))
        head = text[: m.start()].rstrip(" ,")
        if head and all(w in _TYPE_WORDS for w in words if w):
            return f"{head}, {location}" if location else head
    return _without_trailing_types(text)


def _without_trailing_types(text: str) -> str:
    """``Reynaert College Lyceum Havo Mavo Vbo Lwoo`` -> ``Reynaert College``.

    Only a run of at least two school-type words at the end goes, and only when
    at least two words stay (``Stedelijk Gymnasium`` keeps its name).
    """
    words = text.split(" ")
    cut = len(words)
    while cut > 0 and words[cut - 1].lower().strip(",.") in _TYPE_WORDS - {"en"}:
        cut -= 1
    if len(words) - cut >= 2 and cut >= 2:
        return " ".join(words[:cut]).rstrip(" ,")
    return text


def place_name(place: object) -> str:
    """A place name as written in DUO files (upper case) in normal case: ``'S-HEERENBERG`` -> ``'s-Heerenberg``."""
    if not isinstance(place, str) or not place.strip():
        return ""
    words = []
    for word in place.lower().split(" "):
        parts = ["IJ" + p[2:] if p.startswith("ij") else p[:1].upper() + p[1:] for p in word.split("-")]
        if parts and parts[0] in ("'S", "'T"):
            parts[0] = parts[0].lower()
        words.append("-".join(parts))
    return " ".join(words)
