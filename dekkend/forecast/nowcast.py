"""Nowcast: a board's registrations (aanmeldingen) for leerjaar 1 adjust the forecast intake of 1 October.

Registrations counted on a date are a share of the pupils counted on the next 1 October: the *ratio*
``r = registrations on that date / October count``. With a history of that ratio for about the same date
(past years of the same board, type or school) the October count is estimated as ``registrations / r``
with an interval from the spread of the past ratios; without a history, :func:`prior_ratio` gives a
stated prior that is dekkend's own choice (not measured: real registration histories are not public).

The registration estimate and the cohort model's forecast are combined on the ``log(n + 1)`` scale by
inverse-variance weighting, each variance read from its own interval (normal approximation), so a late,
complete registration count dominates and an early one moves the forecast a little. See
``docs/methods/nowcast.md``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist, fmean, stdev

import numpy as np
import pandas as pd

from dekkend.formatting import number

#: dekkend's own choice: a history whose registrations average under this share of the October count says nothing
#: (and dividing by a ratio near zero would make any number of pupils).
MIN_RATIO = 0.05
#: Smallest relative half-width of a ratio interval (two years with the same ratio are no proof of certainty).
MIN_RATIO_SPREAD = 0.02
#: Smallest standard deviation on the log scale (avoids dividing by zero for a zero count).
_MIN_SD = 1e-3
#: dekkend's own choice: a past year's registrations count as history only when they were counted within this many
#: days of the same moment before 1 October as this year's (the ratio rises steeply in the registration period).
WINDOW_DAYS = 21
#: Years of history a ratio needs (with fewer, the prior is used and the reason is given).
MIN_HISTORY = 2


@dataclass(frozen=True)
class Ratio:
    """The ratio registrations / October count at a date, with its interval and where it comes from."""

    verwacht: float
    laag: float
    hoog: float
    bron: str  # "historie" or "aanname"
    uitleg: str
    jaren: tuple[int, ...] = ()  # the history years the ratio rests on (empty for the prior)


@dataclass(frozen=True)
class Nowcast:
    """The October intake estimated with registrations, and what it rests on (all text Dutch)."""

    verwacht: float
    laag: float
    hoog: float
    niveau: int
    zonder: tuple[float, float, float] | None  # the model's forecast (mean, lo, hi) without registrations
    aanmeldingen: float
    ratio: Ratio | None
    uitleg: str


def _days_into(date: dt.date, month: int, day: int) -> int:
    return (date - dt.date(date.year, month, day)).days


def prior_ratio(count_date: dt.date) -> Ratio | None:
    """dekkend's own assumption of the registration ratio on ``count_date`` when there is no history.

    Most Dutch regions register pupils for leerjaar 1 in a central period in March. The assumption
    (dekkend's own choice, not measured): before 1 February registrations say nothing (``None``);
    from 1 February to 31 March the ratio rises linearly from 0.60 to 0.92 with a relative half-width
    (the 80% interval) falling from 25% to 10%; from 1 April to 30 September it rises from 0.95 to
    1.00 with a half-width falling from 10% to 6%. On or after 1 October the count itself is known.
    """
    if count_date.month < 2 or count_date.month >= 10:
        return None
    if count_date.month <= 3:
        share = _days_into(count_date, 2, 1) / _days_into(dt.date(count_date.year, 3, 31), 2, 1)
        mean, half = 0.60 + 0.32 * share, 0.25 - 0.15 * share
    else:
        share = _days_into(count_date, 4, 1) / _days_into(dt.date(count_date.year, 9, 30), 4, 1)
        mean, half = 0.95 + 0.05 * share, 0.10 - 0.04 * share
    return Ratio(
        verwacht=mean,
        laag=mean * (1 - half),
        hoog=mean * (1 + half),
        bron="aanname",
        uitleg=(
            f"aanname van dekkend (eigen keuze, niet gemeten) dat op {count_date:%d-%m} "
            f"ongeveer {mean:.0%} van de leerlingen van 1 oktober is aangemeld (marge {1 - half:.0%}–{1 + half:.0%})"
        ),
    )


def ratio_from_history(history: Sequence[tuple[float, float]], level: int = 80) -> Ratio | None:
    """The ratio from past ``(registrations on about the same date, October count)`` pairs.

    Mean of the past ratios; the interval is a prediction interval for next year's ratio
    (``mean +- t * sd * sqrt(1 + 1/n)``, Student's t with ``n - 1`` degrees of freedom), at least
    :data:`MIN_RATIO_SPREAD` wide either side. Needs :data:`MIN_HISTORY` years with a positive
    October count and a mean ratio of at least :data:`MIN_RATIO`; ``None`` otherwise.
    """
    from scipy.stats import t as student

    ratios = [reg / october for reg, october in history if october > 0 and reg >= 0]
    if len(ratios) < MIN_HISTORY:
        return None
    mean = fmean(ratios)
    if mean < MIN_RATIO:
        return None
    n = len(ratios)
    q = float(student.ppf(0.5 + level / 200.0, n - 1))
    half = max(q * stdev(ratios) * math.sqrt(1 + 1 / n), MIN_RATIO_SPREAD * mean)
    low = max(mean - half, mean * MIN_RATIO_SPREAD)
    return Ratio(
        verwacht=mean,
        laag=low,
        hoog=mean + half,
        bron="historie",
        uitleg=f"verhouding aanmeldingen / 1 oktober in {n} eerdere jaren: gemiddeld {number(mean, 2)}",
    )


def days_before_october(date: dt.date) -> int:
    """Days from ``date`` to the 1 October its registrations are for (that year's, or the next one's after it)."""
    target = dt.date(date.year if date.month < 10 else date.year + 1, 10, 1)
    return (target - date).days


def registration_history(
    registrations: pd.DataFrame, pupils: pd.DataFrame, count_date: dt.date, window: int = WINDOW_DAYS
) -> pd.DataFrame:
    """A board's past registrations matched to the October count DUO published later for the same vestigingen/types.

    ``registrations`` has the upload columns ``vestigingscode``, ``onderwijstype``, ``peildatum`` (ISO date),
    ``schooljaar`` and ``aantal``, newest version first (a later row for the same vestiging, type and date is
    ignored); ``pupils`` is the werkmap's ``leerlingen`` table. For every schooljaar DUO counted, the count date
    nearest to ``count_date`` (as days before 1 October) within ``window`` days is taken, and its registrations
    are set against the leerjaar-1 count of those same vestigingen x types (absent from DUO's count: 0 pupils).
    Returns one row per year: ``jaar``, ``peildatum``, ``aanmeldingen``, ``oktober``, ``rijen``.
    """
    columns = ["jaar", "peildatum", "aanmeldingen", "oktober", "rijen"]
    counted = set(pupils["schooljaar"].astype(int))
    past = registrations[registrations["schooljaar"].astype(int).isin(counted)]
    if past.empty:
        return pd.DataFrame(columns=columns)
    first = pupils[pupils["leerjaar"] == 1]
    october = first.groupby(["vestigingscode", "onderwijstype", "schooljaar"])["aantal"].sum()
    wanted = days_before_october(count_date)
    found = []
    for year, group in past.groupby(past["schooljaar"].astype(int)):
        offset = group["peildatum"].map(lambda d: abs(days_before_october(dt.date.fromisoformat(d)) - wanted))
        if offset.min() > window:
            continue
        near = group[offset == offset.min()]
        date = max(near["peildatum"])  # two dates equally near: the later one
        rows = near[near["peildatum"] == date].drop_duplicates(["vestigingscode", "onderwijstype"])
        keys = zip(rows["vestigingscode"], rows["onderwijstype"], strict=True)
        counts = [float(october.get((code, kind, year), 0)) for code, kind in keys]
        found.append((int(year), date, float(rows["aantal"].sum()), float(sum(counts)), len(rows)))
    return pd.DataFrame(found, columns=columns)


def board_ratio(matched: pd.DataFrame, count_date: dt.date, level: int = 80) -> Ratio | None:
    """The ratio for a board's registrations on ``count_date``: from its history (:func:`registration_history`)
    when :data:`MIN_HISTORY` years with an October count match, else :func:`prior_ratio` saying why.

    ``None`` only when there is no history and the date is outside the prior's months.
    """
    usable = matched[matched["oktober"] > 0] if len(matched) else matched
    ratio = ratio_from_history(list(zip(usable["aanmeldingen"], usable["oktober"], strict=True)), level)
    if ratio is not None:
        years = tuple(int(y) for y in usable["jaar"])
        text = (
            f"verhouding aanmeldingen / 1 oktober uit uw eigen historie ({len(years)} jaar: "
            f"{', '.join(str(y) for y in years)}; rond dezelfde datum, ±{WINDOW_DAYS} dagen): gemiddeld "
            f"{number(ratio.verwacht, 2)}, marge {number(ratio.laag, 2)}–{number(ratio.hoog, 2)}"
        )
        return Ratio(ratio.verwacht, ratio.laag, ratio.hoog, ratio.bron, text, years)
    prior = prior_ratio(count_date)
    if prior is None:
        return None
    n = len(usable)
    if n >= MIN_HISTORY:
        why = f"eigen historie onbruikbaar (aanmeldingen gemiddeld minder dan {MIN_RATIO:.0%} van de telling)"
    elif n:
        why = (
            f"te weinig eigen historie ({n} eerder jaar met aanmeldingen rond deze datum en een DUO-telling; "
            f"minstens {MIN_HISTORY} nodig)"
        )
    else:
        why = "geen eigen historie"
    return Ratio(prior.verwacht, prior.laag, prior.hoog, prior.bron, f"{why}; {prior.uitleg}")


def nowcast(
    registrations: float,
    count_date: dt.date,
    forecast: tuple[float, float, float] | None = None,
    history: Sequence[tuple[float, float]] = (),
    level: int = 80,
    ratio: Ratio | None = None,
) -> Nowcast:
    """The intake of the coming 1 October from ``registrations`` counted on ``count_date``.

    ``forecast`` is the model's ``(mean, lo, hi)`` at ``level`` without registrations (or ``None``);
    ``history`` past ``(registrations, October count)`` pairs for about the same date, or ``ratio`` the ratio
    already chosen (:func:`board_ratio`; it wins over ``history``). The result always has
    ``laag <= verwacht <= hoog``. Before February without history, the forecast is returned unchanged.
    """
    if registrations < 0 or not math.isfinite(registrations):
        raise ValueError("registrations must be a non-negative number")
    ratio = ratio or ratio_from_history(history, level) or prior_ratio(count_date)
    z = NormalDist().inv_cdf(0.5 + level / 200.0)
    parts: list[tuple[float, float]] = []  # (centre, sd) on log(n + 1)
    if forecast is not None:
        mean, lo, hi = (max(float(v), 0.0) for v in forecast)
        lo, hi = min(lo, mean), max(hi, mean)
        sd = max((math.log1p(hi) - math.log1p(lo)) / (2 * z), _MIN_SD)
        parts.append((math.log1p(mean), sd))
    if ratio is not None:
        lo_r, hi_r = math.log1p(registrations / ratio.hoog), math.log1p(registrations / ratio.laag)
        parts.append((math.log1p(registrations / ratio.verwacht), max((hi_r - lo_r) / (2 * z), _MIN_SD)))
    if not parts:
        raise ValueError("neither a forecast nor a usable registration date: nothing to estimate")
    if ratio is None:
        text = "aanmeldingen vóór februari zeggen nog niets: de prognose zonder aanmeldingen"
        return Nowcast(mean, lo, hi, level, (mean, lo, hi), float(registrations), None, text)
    weights = np.array([1 / sd**2 for _, sd in parts])
    centre = float(np.dot(weights, [c for c, _ in parts]) / weights.sum())
    sd = float(1 / math.sqrt(weights.sum()))
    if forecast is None:
        text = f"alleen uit de aanmeldingen; {ratio.uitleg}"
    else:
        share = float(weights[1] / weights.sum())
        text = f"prognose en aanmeldingen gewogen (aanmeldingen wegen {share:.0%}); {ratio.uitleg}"
    return Nowcast(
        verwacht=math.expm1(centre),
        laag=max(math.expm1(centre - z * sd), 0.0),
        hoog=math.expm1(centre + z * sd),
        niveau=level,
        zonder=None if forecast is None else (mean, lo, hi),
        aanmeldingen=float(registrations),
        ratio=ratio,
        uitleg=text,
    )


def simulate_registrations(
    october: Sequence[float], count_date: dt.date, rng: np.random.Generator, spread: float = 0.05
) -> np.ndarray:
    """Simulated registrations on ``count_date`` for the given October counts (for tests and benchmarks only).

    Each year gets its own true ratio, drawn around :func:`prior_ratio`'s mean with relative standard
    deviation ``spread``; each pupil is then registered with that probability (binomial; a ratio above 1,
    pupils who register but go elsewhere, adds the excess as a Poisson count). Real registration histories
    are not public: this is how ``docs/methods/nowcast.md`` tests the method.
    """
    prior = prior_ratio(count_date)
    if prior is None:
        raise ValueError("no registrations before February")
    counts = np.maximum(np.asarray(october, dtype=float), 0).round().astype(int)
    ratio = np.clip(rng.normal(prior.verwacht, spread * prior.verwacht, size=len(counts)), 0.05, 1.5)
    registered = rng.binomial(counts, np.minimum(ratio, 1.0))
    extra = rng.poisson(counts * np.maximum(ratio - 1.0, 0.0))
    return (registered + extra).astype(float)


def intake_forecast(tables: dict[str, pd.DataFrame], codes: Sequence[str], horizon: int = 5) -> pd.DataFrame:
    """The cohort model's leerjaar-1 forecast of the vestigingen ``codes`` (the region's intake, without registrations).

    Rows per vestiging x onderwijstype x ``jaar`` with ``verwacht``, ``laag80``/``hoog80`` and ``laag95``/``hoog95``
    (the model's calibrated intervals; sum rows with :func:`dekkend.forecast.sum_band`). ``peiljaar`` in
    ``frame.attrs`` is the last counted year.
    """
    from dekkend.forecast.models import make_model

    pupils = tables["leerlingen"]
    as_of = int(pupils.loc[pupils["vestigingscode"].isin(list(codes)), "schooljaar"].max())
    forecast = make_model("cohort").fit(tables, as_of, tuple(codes)).predict(horizon)
    first = forecast[forecast["leerjaar"] == 1]
    keys = ["vestigingscode", "onderwijstype", "jaar"]
    frame = first.groupby(keys, as_index=False)[["verwacht", "laag80", "hoog80", "laag95", "hoog95"]].sum()
    frame.attrs["peiljaar"] = as_of
    return frame
