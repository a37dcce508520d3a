"""Generalised travel cost for school choice: km of cycling plus the time lost at water crossings.

A pupil weighs a trip by its effort, not its length: a ferry's sailing time and
the wait for a departure count, a tunnel a cyclist cannot ride means a bus and
a wait for it. The generalised cost of a trip is expressed in *equivalent
cycling km*: within a zone the road km (straight line x detour factor, as
everywhere in dekkend); at a crossing ``(minutes + wait + fare / value of time)
x cycling speed / 60``. Sources of the crossing figures are in
``docs/methods/choice.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from dekkend.geo.matrix import DistanceMatrix, estimate_matrix
from dekkend.geo.travel import TravelModel
from dekkend.geo.water import CROSSINGS, Crossing


@dataclass(frozen=True)
class CrossingCost:
    """What a crossing costs a pupil beyond its sailing or driving time.

    ``wait_minutes``: the mean wait for a departure (half the interval of the school-year
    service); ``fare_eur``: the fare a pupil pays one way; ``source``: where the figures come from.
    """

    name: str
    wait_minutes: float
    fare_eur: float
    source: str


#: Wait and fare per crossing (by :attr:`Crossing.name`). Crossings not listed cost their time only.
CROSSING_COSTS = (
    CrossingCost(
        "fiets- en voetveer Vlissingen - Breskens (Westerschelde Ferry)",
        30.0,
        0.0,
        "in het laagseizoen (schooljaar) één afvaart per uur, halve interval 30 min (Omroep Zeeland "
        "28-12-2016; PZC over de uurdienst in de winter); scholieren varen sinds 2019 gratis "
        "(Omroep Zeeland, december 2018)",
    ),
    CrossingCost(
        "Westerscheldetunnel (autoweg, met bus of auto)",
        15.0,
        0.0,
        "niet voor fietsers: de leerling neemt de bus; 15 min wachten/overstappen is een eigen keuze "
        "van dekkend (halve interval van een halfuursdienst); tol geldt voor auto's, niet voor de bus",
    ),
)
#: Value of a pupil's travel time in EUR per hour, used only for fares (all fares above are 0).
VALUE_OF_TIME_EUR_PER_HOUR = 10.0


def generalised_crossings(
    model: TravelModel | None = None, crossings: tuple[Crossing, ...] = CROSSINGS
) -> tuple[Crossing, ...]:
    """The crossings with their length replaced by the equivalent cycling km of time, wait and fare."""
    model = model or TravelModel()
    costs = {c.name: c for c in CROSSING_COSTS}
    out = []
    for c in crossings:
        extra = costs.get(c.name)
        wait = extra.wait_minutes if extra else 0.0
        fare = extra.fare_eur / VALUE_OF_TIME_EUR_PER_HOUR * 60.0 if extra else 0.0
        minutes = c.minutes + wait + fare
        out.append(replace(c, km=minutes * model.cycling_speed_kmh / 60.0, minutes=minutes))
    return tuple(out)


def generalised_matrix(
    origins: pd.DataFrame, destinations: pd.DataFrame, model: TravelModel | None = None
) -> DistanceMatrix:
    """Generalised cost (equivalent cycling km in ``km``, minutes in ``minutes``) of every origin-destination pair.

    Same inputs as :func:`dekkend.geo.estimate_matrix`; differs from it only between zones.
    """
    return estimate_matrix(origins, destinations, model, crossings=generalised_crossings(model))
