"""The design of the synthetic demo region: places, home areas, vestigingen, boards and offers.

Everything here is invented (names, codes, numbers); the coordinates are RD
metres in an otherwise empty frame. The region is laid out so that every
knelpunt type of the norms issue can occur:

- a vwo offer only in the town, so the far north-west village lies beyond the
  12 km norm distance (``witte-vlek``);
- openbaar onderwijs only in the town (``openbaar-onbereikbaar``);
- praktijkonderwijs by one board only (``enige-aanbieder``);
- a rural vmbo with the only maritime profiel, in fast decline
  (``sterke-daling``, ``aanbod-verdwijnt``, ``onder-norm``);
- a small havo upper years and a small vmbo-g (``kleine-bovenbouw``);
- a green school whose nearest neighbour with the same vmbo-b/k offer (the small
  rural vmbo, under 8 km away) is about to lose it, so that the green school
  becomes an isolated location (``isolatie-afhankelijk``);
- an onderbouw-only location whose pupils move on in leerjaar 3;
- a border gemeente in the east where some children go to school abroad.
"""

from __future__ import annotations

from dataclasses import dataclass, field

REGION_NAME = "Demoregio Veenland"
PROVINCE = "Demoprovincie"
REGION_CODES = {
    "corop": ("99", "Veenland"),
    "rmc": ("99", "RMC Veenland"),
    "onderwijsgebied": ("99", "Veenland"),
    "nodaal": ("99", "Veenstad"),
    "rpa": ("99", "Veenland"),
    "wgr": ("99", "Veenland"),
}


@dataclass(frozen=True)
class Gemeente:
    code: str
    naam: str
    grens: bool = False


@dataclass(frozen=True)
class Place:
    """A place with its home areas (PC4): centre, spread and yearly births per area around 2005."""

    naam: str
    gemeente: str
    x: float
    y: float
    pc4: tuple[str, ...]
    births_2005: float
    birth_trend: float  # yearly relative change of births
    spread_m: float = 1500.0
    abroad_share: float = 0.0  # share of children going to school across the border


@dataclass(frozen=True)
class Vestiging:
    code: str
    naam: str
    place: str
    dx: float
    dy: float
    bestuur: str
    denominatie: str
    #: levels a first-year pupil can enter with at this location
    intake: tuple[str, ...]
    #: the brugklas group (niveau) each intake level sits in during leerjaar 1-2
    groups: dict[str, str]
    attractiveness: float
    #: vmbo profielen per leerweg, with relative weights
    profielen: dict[str, dict[str, float]] = field(default_factory=dict)
    #: where pupils continue in leerjaar 3 (onderbouw-only location), per level
    continues_at: dict[str, str] = field(default_factory=dict)
    pc6: str = ""
    straat: str = ""


GEMEENTEN = (
    Gemeente("9901", "Veenstad"),
    Gemeente("9902", "Dijkmond"),
    Gemeente("9903", "Wolderveen"),
    Gemeente("9904", "Grensveld", grens=True),
)

PLACES = (
    Place(
        "Veenstad",
        "9901",
        245_000,
        470_000,
        ("9901", "9902", "9903", "9904", "9905", "9906", "9907", "9908"),
        600,
        -0.020,
        1800,
    ),
    Place("Dijkmond", "9902", 229_000, 479_000, ("9911", "9912", "9913", "9914"), 250, -0.030, 1200),
    Place("Haverlo", "9903", 240_000, 479_500, ("9921",), 60, -0.050),
    Place("Esmarke", "9903", 233_000, 463_000, ("9922",), 50, -0.050),
    Place("Zandbrug", "9903", 245_500, 484_800, ("9923",), 45, -0.060),
    Place("Ommerhoek", "9903", 217_000, 494_000, ("9924",), 35, -0.050),
    Place("Lutterbroek", "9903", 236_000, 497_000, ("9925",), 30, -0.050),
    Place("Grensveld", "9904", 262_000, 466_000, ("9931", "9932"), 150, -0.035, 1200),
    Place("Oosterlo", "9904", 270_000, 471_000, ("9933",), 30, -0.040, abroad_share=0.12),
)

BOARDS = {
    "99001": "Stichting Openbaar Voortgezet Onderwijs Veenstad",
    "99002": "Stichting Christelijk Onderwijs Veenland",
    "99003": "RK Scholengroep De Linde",
    "99004": "Stichting Groen Onderwijs Veenland",
}

_VMBO_BASIS = {"vmbo-b": "vmbo-b,vmbo-k", "vmbo-k": "vmbo-b,vmbo-k"}

VESTIGINGEN = (
    Vestiging(
        "99AA00",
        "Veenstad College",
        "Veenstad",
        600,
        400,
        "99001",
        "Openbaar",
        ("vmbo-t", "havo", "vwo"),
        {"vmbo-t": "vmbo-t,havo", "havo": "vmbo-t,havo", "vwo": "havo,vwo"},
        1.0,
        pc6="9902AB",
        straat="Schoolstraat 1",
    ),
    Vestiging(
        "99AA01",
        "Praktijkschool Veenstad",
        "Veenstad",
        -900,
        -300,
        "99001",
        "Openbaar",
        ("pro",),
        {"pro": "pro"},
        1.0,
        pc6="9905CD",
        straat="Werkplaats 4",
    ),
    Vestiging(
        "99BB00",
        "Het Baken",
        "Veenstad",
        -400,
        900,
        "99002",
        "Protestants-Christelijk",
        ("vmbo-b", "vmbo-k", "vmbo-g", "vmbo-t"),
        {**_VMBO_BASIS, "vmbo-g": "vmbo-g,vmbo-t", "vmbo-t": "vmbo-g,vmbo-t"},
        1.1,
        {
            "vmbo-b": {
                "zorg-welzijn": 3,
                "economie-ondernemen": 2,
                "produceren-installeren-energie": 2,
                "mobiliteit-transport": 0.7,
            },
            "vmbo-k": {
                "zorg-welzijn": 3,
                "economie-ondernemen": 2.5,
                "produceren-installeren-energie": 2,
                "bouwen-wonen-interieur": 1,
            },
            "vmbo-g": {"zorg-welzijn": 2, "economie-ondernemen": 2, "dienstverlening-producten": 1},
        },
        pc6="9903EF",
        straat="Bakenlaan 10",
    ),
    Vestiging(
        "99BB01",
        "Het Baken Dijkmond",
        "Dijkmond",
        200,
        -300,
        "99002",
        "Protestants-Christelijk",
        ("vmbo-b", "vmbo-k", "vmbo-t", "havo"),
        {**_VMBO_BASIS, "vmbo-t": "vmbo-t,havo", "havo": "vmbo-t,havo"},
        0.9,
        {
            "vmbo-b": {"zorg-welzijn": 2, "dienstverlening-producten": 2},
            "vmbo-k": {"zorg-welzijn": 2, "dienstverlening-producten": 2},
        },
        pc6="9912GH",
        straat="Dijkweg 2",
    ),
    Vestiging(
        "99BB02",
        "Het Baken Esmarke",
        "Esmarke",
        150,
        100,
        "99002",
        "Protestants-Christelijk",
        ("vmbo-b", "vmbo-k", "vmbo-t"),
        {
            "vmbo-b": "vmbo-b,vmbo-k,vmbo-g,vmbo-t",
            "vmbo-k": "vmbo-b,vmbo-k,vmbo-g,vmbo-t",
            "vmbo-t": "vmbo-b,vmbo-k,vmbo-g,vmbo-t",
        },
        3.0,
        continues_at={"vmbo-b": "99BB00", "vmbo-k": "99BB00", "vmbo-t": "99BB01"},
        pc6="9922IJ",
        straat="Brink 3",
    ),
    Vestiging(
        "99BB03",
        "Het Baken Zandbrug",
        "Zandbrug",
        -200,
        200,
        "99002",
        "Protestants-Christelijk",
        ("vmbo-b", "vmbo-k"),
        dict(_VMBO_BASIS),
        2.5,
        {
            "vmbo-b": {"maritiem-techniek": 1, "produceren-installeren-energie": 2},
            "vmbo-k": {"maritiem-techniek": 1, "produceren-installeren-energie": 2},
        },
        pc6="9923KL",
        straat="Havenkade 7",
    ),
    Vestiging(
        "99CC00",
        "Lindecollege",
        "Veenstad",
        900,
        -700,
        "99003",
        "Rooms-Katholiek",
        ("havo", "vwo"),
        {"havo": "havo,vwo", "vwo": "havo,vwo"},
        1.2,
        pc6="9906MN",
        straat="Lindelaan 20",
    ),
    Vestiging(
        "99CC01",
        "Lindecollege Grensveld",
        "Grensveld",
        0,
        300,
        "99003",
        "Rooms-Katholiek",
        ("vmbo-k", "vmbo-g", "vmbo-t", "havo"),
        {"vmbo-k": "vmbo-k,vmbo-g", "vmbo-g": "vmbo-k,vmbo-g", "vmbo-t": "vmbo-t,havo", "havo": "vmbo-t,havo"},
        1.0,
        {
            "vmbo-k": {"economie-ondernemen": 2, "zorg-welzijn": 2, "media-vormgeving-ict": 1},
            "vmbo-g": {"economie-ondernemen": 1, "media-vormgeving-ict": 1},
        },
        pc6="9931OP",
        straat="Grensweg 5",
    ),
    Vestiging(
        "99DD00",
        "Groencollege Haverlo",
        "Haverlo",
        100,
        -100,
        "99004",
        "Algemeen bijzonder",
        ("vmbo-b", "vmbo-k", "vmbo-g"),
        {"vmbo-b": "vmbo-b,vmbo-k,vmbo-g", "vmbo-k": "vmbo-b,vmbo-k,vmbo-g", "vmbo-g": "vmbo-b,vmbo-k,vmbo-g"},
        1.6,
        {"vmbo-b": {"groen": 1}, "vmbo-k": {"groen": 1}, "vmbo-g": {"groen": 1}},
        pc6="9921QR",
        straat="Akkerweg 1",
    ),
    Vestiging(
        "99DD01",
        "Groencollege Veenstad",
        "Veenstad",
        -1200,
        600,
        "99004",
        "Algemeen bijzonder",
        ("vmbo-b", "vmbo-k", "vmbo-g"),
        {"vmbo-b": "vmbo-b,vmbo-k", "vmbo-k": "vmbo-b,vmbo-k", "vmbo-g": "vmbo-g"},
        0.6,
        {
            "vmbo-b": {"groen": 2, "horeca-bakkerij-recreatie": 1},
            "vmbo-k": {"groen": 2, "horeca-bakkerij-recreatie": 1},
            "vmbo-g": {"groen": 1},
        },
        pc6="9907ST",
        straat="Tuinbouwstraat 8",
    ),
)

#: Share of a birth cohort entering each level of VO (towns; villages shift a little to vmbo).
LEVEL_SHARES = {
    "pro": 0.035,
    "vmbo-b": 0.12,
    "vmbo-k": 0.15,
    "vmbo-g": 0.06,
    "vmbo-t": 0.20,
    "havo": 0.235,
    "vwo": 0.20,
}
#: Leerjaren per level (the last one is the exam year).
LEERJAREN = {"pro": 6, "vmbo-b": 4, "vmbo-k": 4, "vmbo-g": 4, "vmbo-t": 4, "havo": 5, "vwo": 6}
#: Share of boys per level.
BOYS = {"pro": 0.6, "vmbo-b": 0.58, "vmbo-k": 0.55, "vmbo-g": 0.5, "vmbo-t": 0.5, "havo": 0.47, "vwo": 0.45}
VMBO_T_SECTORS = {"economie": 0.35, "zorg-welzijn": 0.3, "techniek": 0.25, "landbouw": 0.1}
DISTANCE_DECAY_PER_KM = 0.3  # each extra km makes a school about 30% less attractive (see docs/demo.md)

FIRST_YEAR = 2013
LAST_YEAR = 2024
WARMUP_FROM = 2005
