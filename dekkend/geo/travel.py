"""The travel model: road distance as straight line x a detour factor, cycling time at a fixed speed.

The defaults and their sources are described in ``docs/methods/reachability.md``.
"""

from __future__ import annotations

from dataclasses import dataclass

from dekkend.errors import ConfiguratieFout

#: Default detour factor (road or cycle-path distance / straight-line distance).
#:
#: Published detour indices run from about 1.2 in urban street networks
#: (Newell 1980; O'Sullivan 1996: 1.21-1.23, both summarised in *Transportation
#: Geography and Network Science: Circuity*, Wikibooks, which adds that walking
#: and cycling give clearly higher values than driving, Dill 2003). Dutch cycle-network design
#: requires a detour factor below 1.2 for main routes (CROW; Dutch Cycling
#: Embassy), so real school routes lie above it. Within that range, 1.3 is
#: the value at which dekkend's PC4-based estimate reproduces the CBS
#: Nabijheidsstatistiek 2021 for the Netherlands: 2.3 km on average by bicycle
#: to the nearest secondary school and 4.3 schools within 3 km (CBS, 14
#: September 2022). See the sensitivity run in the methods document.
DETOUR_FACTOR = 1.3

#: Default cycling speed in km/h: the GPS-measured averages of the Fiets
#: Telweek 2015 (55,000 participants) were 15.1 km/h (Noord-Holland) to
#: 15.8 km/h (Drenthe, Overijssel); 12 km then takes 48 minutes, close to
#: the "12 km or about 45 minutes" of the policy rule on reasonable distance.
CYCLING_SPEED_KMH = 15.0


@dataclass(frozen=True)
class TravelModel:
    """How a straight line becomes a road distance and a cycling time.

    Parameters
    ----------
    detour_factor
        Road distance divided by straight-line distance, between 1.0 and 3.0.
    cycling_speed_kmh
        Average cycling speed in km/h, between 5 and 40.
    """

    detour_factor: float = DETOUR_FACTOR
    cycling_speed_kmh: float = CYCLING_SPEED_KMH

    def __post_init__(self) -> None:
        problems = []
        if not 1.0 <= self.detour_factor <= 3.0:
            problems.append(f"omrijfactor {self.detour_factor} valt buiten 1,0-3,0")
        if not 5.0 <= self.cycling_speed_kmh <= 40.0:
            problems.append(f"fietssnelheid {self.cycling_speed_kmh} km/u valt buiten 5-40 km/u")
        if problems:
            raise ConfiguratieFout("; ".join(problems))

    def minutes(self, km: float) -> float:
        """Cycling minutes for ``km`` kilometres of road."""
        return km / self.cycling_speed_kmh * 60.0
