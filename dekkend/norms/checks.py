"""Checking a value (now, and in forecast years) against a norm: status, margin, years until a breach."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from dekkend.norms.table import Norm

VOLDOET = "voldoet"
ONDER_NORM = "onder-norm"
DREIGT = "dreigt-onder-norm"
NIET_GEVERIFIEERD = "niet-geverifieerd"


@dataclass(frozen=True)
class NormCheck:
    """The result of one check, with everything needed to explain it."""

    norm_id: str
    kind: str
    unit: str
    subject: str
    status: str
    observed: float
    norm_value: float | None
    margin: float | None
    years_until_breach: int | None
    breach_year: int | None
    citation: str
    explanation: str


def _below(norm: Norm, value: float) -> bool:
    if norm.direction == "maximaal":
        return value > norm.value  # type: ignore[operator]
    return value < norm.value  # type: ignore[operator]


def check(
    norm: Norm,
    subject: str,
    year: int,
    observed: float,
    forecast: Mapping[int, float] | None = None,
    value: float | None = None,
    history: Mapping[int, float] | None = None,
) -> NormCheck:
    """Check ``observed`` (in ``year``) and the ``forecast`` years against ``norm``.

    ``history`` holds earlier observed years; it counts towards a run of years
    below a closure norm.

    ``value`` overrides the norm's value (e.g. a per-profiel norm times the
    number of profielen). A closure norm (``years_below``) is breached in the
    first year that closes a run of that many consecutive years below it; other
    norms in the first year below. ``years_until_breach`` is 0 when the breach
    is already there.
    """
    if value is not None:
        norm = Norm(**{**norm.__dict__, "value": float(value)})
    citation = norm.source.citation()
    if not norm.verified:
        return NormCheck(
            norm.id,
            norm.kind,
            norm.unit,
            subject,
            NIET_GEVERIFIEERD,
            observed,
            None,
            None,
            None,
            None,
            citation,
            norm.explanation,
        )
    series = {
        **{y: v for y, v in (history or {}).items() if y < year},
        year: observed,
        **{y: v for y, v in (forecast or {}).items() if y > year},
    }
    run_needed = norm.years_below or 1
    run = 0
    breach = None
    for y in sorted(series):
        run = run + 1 if _below(norm, series[y]) else 0
        if run >= run_needed and y >= year:
            breach = y
            break
    margin = (observed - norm.value) if norm.direction == "minimaal" else (norm.value - observed)  # type: ignore[operator]
    if breach == year:
        status = ONDER_NORM
    elif breach is not None or _below(norm, observed):
        status = DREIGT
    else:
        status = VOLDOET
    until = None if breach is None else breach - year
    return NormCheck(
        norm.id,
        norm.kind,
        norm.unit,
        subject,
        status,
        observed,
        norm.value,
        margin,
        until,
        breach,
        citation,
        norm.explanation,
    )
