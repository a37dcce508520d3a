"""Dutch notation for the report: numbers, percentages, dates, school years and names of types."""

from __future__ import annotations

import re

from dekkend.diagnose.rules import type_nl
from dekkend.formatting import (  # noqa: F401 - re-exported for the report modules
    count,
    euro,
    km,
    number,
    percent,
    place_name,
    school_year,
    short_school_name,
)

MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)

#: Short Dutch names of the onderwijstypen for tables, legends and map captions.
TYPE_SHORT = {
    "pro": "praktijkonderwijs",
    "vmbo-b": "vmbo basis",
    "vmbo-k": "vmbo kader",
    "vmbo-g": "vmbo gemengd",
    "vmbo-t": "vmbo theoretisch (mavo)",
    "havo": "havo",
    "vwo": "vwo",
    "vmbo": "vmbo",
    "havo-vwo": "havo/vwo",
    "vo": "voortgezet onderwijs",
    "vo-openbaar": "openbaar of samenwerkingsonderwijs",
    "onderbouw": "onderbouw",
    "vmbo-techniek": "technisch vmbo (profiel of route)",
}

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
        return "profiel " + PROFIEL_NL[slug] if slug in PROFIEL_NL else type_nl(kind)
    return TYPE_SHORT.get(kind) or type_nl(kind)


def capital(text: str) -> str:
    """The text with its first letter in upper case."""
    return text[:1].upper() + text[1:]


def slug(text: str) -> str:
    """A file-name-safe slug: ``COROP-gebied Achterhoek`` -> ``corop-gebied-achterhoek``."""
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s[:60] or "regio"


def signed(value: float, decimals: int = 0) -> str:
    """``+12``, ``−3`` (a real minus) or ``0``."""
    text = number(abs(value), decimals)
    if text.strip("0,") == "":
        return text
    return ("+" if value > 0 else "\u2212") + text
