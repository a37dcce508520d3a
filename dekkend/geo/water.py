"""Open water: the Wadden islands and Zeeuws-Vlaanderen, reached only through ferries and the Westerschelde tunnel.

The country is split into *zones* that no straight line may cross: the
mainland, the five inhabited Wadden islands and Zeeuws-Vlaanderen. A home
area belongs to a zone by its PC4 range (PostNL numbering, checked against
the gemeente names of ``pc4_woonplaats`` in the tests); a PC4 in an island
range whose centroid lies outside the island's box stays on the mainland, so
synthetic or odd data cannot put a village on an island. Between zones a
trip goes through the ports of :data:`CROSSINGS`, with the crossing's
distance and time. Routes through Belgium are not modelled (as in the CBS
Nabijheidsstatistiek). Sources are in ``docs/methods/reachability.md``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dekkend.crs import wgs84_to_rd

MAINLAND = "vasteland"


@dataclass(frozen=True)
class Zone:
    """An area that straight lines may not leave: a PC4 range and a box in RD metres."""

    name: str
    pc4_from: int
    pc4_to: int
    box: tuple[float, float, float, float]

    def contains(self, pc4: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """True for codes in the range whose point (if known) lies in the box."""
        code = pd.to_numeric(pd.Series(pc4, dtype=object), errors="coerce").to_numpy(float)
        in_range = (code >= self.pc4_from) & (code <= self.pc4_to)
        x0, y0, x1, y1 = self.box
        unknown = np.isnan(x) | np.isnan(y)
        in_box = (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)
        return in_range & (unknown | in_box)


#: Zones other than the mainland. Ranges from the PostNL numbering; boxes are
#: the zone's extent in RD with a few kilometres margin.
ZONES = (
    Zone("texel", 1790, 1799, (100_000, 553_000, 130_000, 585_000)),
    Zone("vlieland", 8899, 8899, (120_000, 580_000, 142_000, 596_000)),
    Zone("terschelling", 8880, 8898, (135_000, 590_000, 165_000, 608_000)),
    Zone("ameland", 9160, 9165, (165_000, 600_000, 192_000, 614_000)),
    Zone("schiermonnikoog", 9166, 9169, (197_000, 603_000, 216_000, 616_000)),
    Zone("zeeuws-vlaanderen", 4500, 4599, (5_000, 350_000, 80_000, 384_000)),
)
ZONE_NAMES = (MAINLAND, *(z.name for z in ZONES))


@dataclass(frozen=True)
class Port:
    """A ferry harbour or tunnel mouth; position in WGS84, read from a map (about 0.5 km)."""

    name: str
    zone: str
    lat: float
    lon: float

    @property
    def rd(self) -> tuple[float, float]:
        """The position in RD metres."""
        x, y = wgs84_to_rd(np.array([self.lon]), np.array([self.lat]))
        return float(x[0]), float(y[0])


@dataclass(frozen=True)
class Crossing:
    """A fixed connection over water between two ports.

    ``km`` is the length counted in the road distance (``None``: the straight
    line between the ports); ``minutes`` the crossing time counted in the
    travel time (sailing or driving, without waiting).
    """

    name: str
    a: Port
    b: Port
    minutes: float
    km: float | None
    source: str

    @property
    def length_km(self) -> float:
        """The distance this crossing adds."""
        if self.km is not None:
            return self.km
        (xa, ya), (xb, yb) = self.a.rd, self.b.rd
        return float(np.hypot(xa - xb, ya - yb) / 1000.0)


_P = {
    "den-helder": Port("Den Helder (veerhaven TESO)", MAINLAND, 52.9637, 4.7757),
    "t-horntje": Port("'t Horntje (Texel)", "texel", 53.0020, 4.7930),
    "harlingen": Port("Harlingen (terminal Doeksen)", MAINLAND, 53.1747, 5.4111),
    "west-terschelling": Port("West-Terschelling", "terschelling", 53.3597, 5.2190),
    "oost-vlieland": Port("Oost-Vlieland", "vlieland", 53.2956, 5.0936),
    "holwerd": Port("Holwerd (veerdam)", MAINLAND, 53.3985, 5.8785),
    "nes": Port("Nes (Ameland)", "ameland", 53.4336, 5.7750),
    "lauwersoog": Port("Lauwersoog", MAINLAND, 53.4095, 6.2000),
    "schiermonnikoog": Port("Schiermonnikoog (veerdam)", "schiermonnikoog", 53.4707, 6.2141),
    "vlissingen": Port("Vlissingen (Westerschelde Ferry)", MAINLAND, 51.4432, 3.5960),
    "breskens": Port("Breskens", "zeeuws-vlaanderen", 51.4010, 3.5560),
    "tunnel-noord": Port("Westerscheldetunnel, noordkant (Ellewoutsdijk)", MAINLAND, 51.3980, 3.8150),
    "tunnel-zuid": Port("Westerscheldetunnel, zuidkant (Terneuzen)", "zeeuws-vlaanderen", 51.3400, 3.7850),
}

#: The fixed connections over water (both directions). Times are the regular
#: year-round service; see the methods document for the sources.
CROSSINGS = (
    Crossing(
        "veerdienst Den Helder - Texel (TESO)",
        _P["den-helder"],
        _P["t-horntje"],
        20.0,
        None,
        "TESO; overtocht 20 minuten (dewiki.de/Lexikon/Teso; NRC 5-8-2010)",
    ),
    Crossing(
        "veerdienst Harlingen - Terschelling (Doeksen, snelle dienst)",
        _P["harlingen"],
        _P["west-terschelling"],
        45.0,
        None,
        "Doeksen: autoveer bijna 2 uur, snelle dienst ongeveer 45 minuten",
    ),
    Crossing(
        "veerdienst Harlingen - Vlieland (Doeksen, autoveer)",
        _P["harlingen"],
        _P["oost-vlieland"],
        95.0,
        None,
        "Doeksen: autoveer 1 uur 35 minuten; de snelle dienst vaart alleen in de zomer (Friesch Dagblad 10-10-2017)",
    ),
    Crossing(
        "veerdienst Holwerd - Ameland (Wagenborg)",
        _P["holwerd"],
        _P["nes"],
        50.0,
        None,
        "Wagenborg: de snelle dienst doet 20 minuten, de reguliere veerboot een half uur langer (RTV Noord 2018)",
    ),
    Crossing(
        "veerdienst Lauwersoog - Schiermonnikoog (Wagenborg)",
        _P["lauwersoog"],
        _P["schiermonnikoog"],
        45.0,
        None,
        "Wagenborg: overtocht ongeveer 45 minuten (RTV Noord 2018)",
    ),
    Crossing(
        "fiets- en voetveer Vlissingen - Breskens (Westerschelde Ferry)",
        _P["vlissingen"],
        _P["breskens"],
        23.0,
        None,
        "Westerschelde Ferry: overtocht ruim 20 minuten (Omroep Zeeland), 23 minuten (info-zeeland.de)",
    ),
    Crossing(
        "Westerscheldetunnel (autoweg, met bus of auto)",
        _P["tunnel-noord"],
        _P["tunnel-zuid"],
        6.6 / 100.0 * 60.0,
        6.6,
        "6,6 km (Westerscheldetunnel; Wikipedia); autoweg, maximaal 100 km/u, niet voor fietsers",
    ),
)


def assign_zones(pc4: np.ndarray | pd.Series, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The zone of each point, from its PC4 code and RD position (:data:`MAINLAND` when none fits).

    Parameters
    ----------
    pc4
        Four-digit postcode of the point (home area, or the PC4 of a school's
        address); missing or malformed codes give the mainland.
    x, y
        RD coordinates in metres (NaN when unknown).

    Returns
    -------
    numpy.ndarray
        One zone name per point (object dtype).
    """
    codes = np.asarray(pc4, dtype=object)
    x, y = np.asarray(x, float), np.asarray(y, float)
    out = np.full(len(codes), MAINLAND, dtype=object)
    for zone in ZONES:
        out[zone.contains(codes, x, y)] = zone.name
    return out
