"""Dutch notation for the report: numbers, percentages, dates, school years and names of types."""

from __future__ import annotations

import math
import re

from dekkend.diagnose.rules import type_nl

MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
          "november", "december")

#: Short Dutch names of the onderwijstypen for tables, legends and map captions.
TYPE_SHORT = {"pro": "praktijkonderwijs", "vmbo-b": "vmbo basis", "vmbo-k": "vmbo kader", "vmbo-g": "vmbo gemengd",
              "vmbo-t": "vmbo theoretisch (mavo)", "havo": "havo", "vwo": "vwo", "vmbo": "vmbo", "havo-vwo": "havo/vwo",
              "vo": "voortgezet onderwijs", "vo-openbaar": "openbaar of samenwerkingsonderwijs", "onderbouw": "onderbouw"}

PROFIEL_NL = {
    "bouwen-wonen-interieur": "bouwen, wonen en interieur (BWI)",
    "dienstverlening-producten": "dienstverlening en producten (D&P)",
    "economie-ondernemen": "economie en ondernemen (E&O)",
    "groen": "groen",
    "horeca-bakkerij-recreatie": "horeca, bakkerij en recreatie (HBR)",
    "maritiem-techniek": "maritiem en techniek (MaT)",
    "media-vormgeving-ict": "media, vormgeving en ICT (MVI)",
    "mobiliteit-transport": "mobiliteit en transport (M&T)",
    "produceren-installeren-energie": "produceren, installeren en energie (PIE)",
    "zorg-welzijn": "zorg en welzijn (Z&W)",
}


def number(value: float | int | None, decimals: int = 0) -> str:
    """``12345.6`` as ``12.346`` (or ``12.345,6`` with one decimal); empty for a missing value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def percent(share: float | None, decimals: int = 0, *, sign: bool = False) -> str:
    """A share (``0.253``) as ``25%``; with ``sign`` as ``+25%`` or ``−25%`` (a real minus sign)."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return ""
    value = 100 * share
    text = number(abs(value), decimals)
    if text.strip("0,") == "":
        return f"{text}%"
    if sign:
        return ("+" if value > 0 else "\u2212") + text + "%"
    return ("\u2212" if value < 0 else "") + text + "%"


def km(value: float | None, decimals: int = 1) -> str:
    """Kilometres with a decimal comma: ``12,4 km``."""
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{number(value, decimals)} km"


def school_year(year: int) -> str:
    """``2019`` as ``2019/20``."""
    return f"{year}/{str(year + 1)[-2:]}"


def count_date(year: int) -> str:
    """The count date of a school year: ``1 oktober 2019``."""
    return f"1 oktober {year}"


def long_date(day) -> str:  # noqa: ANN001 - date or Timestamp
    """A date as ``27 november 2026``."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def kind_nl(kind: str) -> str:
    """Dutch name of an onderwijstype, group or ``profiel:slug``."""
    if kind.startswith("profiel:"):
        slug = kind.split(":", 1)[1]
        return "profiel " + PROFIEL_NL.get(slug, slug)
    return TYPE_SHORT.get(kind) or type_nl(kind)


def capital(text: str) -> str:
    """The text with its first letter in upper case."""
    return text[:1].upper() + text[1:]


_SCHOOL_SUFFIX = re.compile(r"\s+(voor|v\.?)\s+.*$", re.IGNORECASE)


def short_school_name(name: str | None) -> str:
    """A school name without the list of school types DUO appends (``... voor Atheneum Havo Mavo``)."""
    if not name or not isinstance(name, str):
        return ""
    short = _SCHOOL_SUFFIX.sub("", " ".join(name.split())).rstrip(" ,")
    return short or name


def place_name(place: str | None) -> str:
    """A place name as written in DUO files (upper case) in normal case: ``'S-HEERENBERG`` -> ``'s-Heerenberg``."""
    if not place or not isinstance(place, str):
        return ""
    words = []
    for word in place.lower().split(" "):
        parts = ["IJ" + p[2:] if p.startswith("ij") else p[:1].upper() + p[1:] for p in word.split("-")]
        if parts and parts[0] in ("'S", "'T"):
            parts[0] = parts[0].lower()
        words.append("-".join(parts))
    return " ".join(words)


def slug(text: str) -> str:
    """A file-name-safe slug: ``COROP-gebied Achterhoek`` -> ``corop-gebied-achterhoek``."""
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s[:60] or "regio"
