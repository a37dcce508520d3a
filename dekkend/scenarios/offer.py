"""The offer under a scenario: which vestiging offers which type or profiel in a year, and where."""

from __future__ import annotations

import pandas as pd

from dekkend.scenarios.format import (
    ConcentreerBovenbouw,
    Fuseer,
    Nevenvestiging,
    Scenario,
    SluitVestiging,
    StopAanbod,
    VerplaatsAanbod,
)


def offer_key(onderwijstype: str, profiel: str | None) -> str:
    """``vmbo-k`` or ``vmbo-k/zorg-welzijn`` or ``onderbouw``."""
    return f"{onderwijstype}/{profiel}" if profiel else onderwijstype


def base_offer(aanbod: pd.DataFrame, origin: int) -> set[tuple[str, str]]:
    """(vestiging, key) pairs offered in the count year ``origin``, every vestiging of the country."""
    a = aanbod[aanbod["schooljaar"] == origin]
    keys = [
        offer_key(t, p if isinstance(p, str) else None) for t, p in zip(a["onderwijstype"], a["profiel"], strict=True)
    ]
    return set(zip(a["vestigingscode"], keys, strict=True))


def _drop(offer: set[tuple[str, str]], code: str, typ: str, profiel: str | None) -> set[tuple[str, str]]:
    if typ == "onderbouw":
        return {(v, k) for v, k in offer if not (v == code and k == "onderbouw")}
    if profiel:
        return {(v, k) for v, k in offer if not (v == code and k == offer_key(typ, profiel))}
    return {(v, k) for v, k in offer if not (v == code and (k == typ or k.startswith(typ + "/")))}


def _copy(offer: set[tuple[str, str]], src: str, dst: str, typ: str, profiel: str | None) -> set[tuple[str, str]]:
    keys = {
        k
        for v, k in offer
        if v == src
        and (k == offer_key(typ, profiel) if profiel or typ == "onderbouw" else (k == typ or k.startswith(typ + "/")))
    }
    return offer | {(dst, k) for k in keys} | {(dst, offer_key(typ, profiel))}


def offer_in_year(
    base: set[tuple[str, str]], scenario: Scenario, year: int, region: tuple[str, ...]
) -> set[tuple[str, str]]:
    """The offer in ``year`` after every measure that started by then, in order."""
    offer = set(base)
    for m in scenario.maatregelen:
        if m.vanaf > year:
            continue
        if isinstance(m, StopAanbod):
            offer = _drop(offer, m.vestiging, m.onderwijstype, m.profiel)
        elif isinstance(m, SluitVestiging):
            offer = {(v, k) for v, k in offer if v != m.vestiging}
        elif isinstance(m, VerplaatsAanbod):
            offer = _drop(_copy(offer, m.van, m.naar, m.onderwijstype, m.profiel), m.van, m.onderwijstype, m.profiel)
        elif isinstance(m, Fuseer):
            offer = _merged(offer, m)
        elif isinstance(m, ConcentreerBovenbouw):
            offer = _concentrated(offer, m, region)
        elif isinstance(m, Nevenvestiging):
            offer |= {(m.code, offer_key(t, p)) for t, p in m.aanbod}
            offer |= {(m.code, t) for t, p in m.aanbod if p}  # a profiel implies its leerweg
    return offer


def _merged(offer: set[tuple[str, str]], m: Fuseer) -> set[tuple[str, str]]:
    """The offer after a merger: every merged vestiging's offer moves to ``m.naar``."""
    for code in m.vestigingen:
        if code != m.naar:
            moved = {k for v, k in offer if v == code}
            offer = {(v, k) for v, k in offer if v != code} | {(m.naar, k) for k in moved}
    return offer


def _concentrated(
    offer: set[tuple[str, str]], m: ConcentreerBovenbouw, region: tuple[str, ...]
) -> set[tuple[str, str]]:
    """The offer after the upper years of a type move from the sources (default: the rest of the region) to
    ``m.naar``."""
    sources = m.van or tuple(c for c in region if c != m.naar)
    had = {k for v, k in offer if v in sources and (k == m.onderwijstype or k.startswith(m.onderwijstype + "/"))}
    for code in sources:
        offer = _drop(offer, code, m.onderwijstype, None)
    if had:  # the destination teaches what the sources taught (every profiel of the type)
        offer |= {(m.naar, m.onderwijstype)} | {(m.naar, k) for k in had}
    return offer
