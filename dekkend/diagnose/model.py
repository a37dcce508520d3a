"""Knelpunten and the diagnosis of a region, as frozen records with a documented JSON form.

This module holds the one :class:`Knelpunt` and the one list of knelpunt types
(:data:`KNELPUNT_TYPES`) that the diagnosis, the knowledge base, the optimiser's knelpunt notes
and the report share. It sits in the diagnose layer, the lowest layer all of them may import.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from dekkend.errors import InvoerFout

if TYPE_CHECKING:  # only for annotations: the knowledge base imports this module without pandas
    import pandas as pd


@dataclass(frozen=True)
class KnelpuntType:
    """One knelpunt type: its slug (in JSON and the knowledge base) and its Dutch texts."""

    slug: str
    #: Short Dutch label, e.g. in the report's chips and the knowledge base's reasons.
    label: str
    #: One Dutch sentence saying what the type means (the report's explanation).
    uitleg: str


#: The knelpunt types, in the order the diagnosis sorts and reports them.
KNELPUNT_TYPES: tuple[KnelpuntType, ...] = (
    KnelpuntType(
        "onder-norm",
        "aanbod onder de norm",
        "Een schoolsoort op een vestiging zit onder een norm of vuistregel, of zakt er binnen de termijn onder.",
    ),
    KnelpuntType(
        "aanbod-verdwijnt",
        "aanbod verdwijnt uit de regio",
        "Een schoolsoort of vmbo-profiel dreigt uit de regio te verdwijnen of houdt nog maar één plaats.",
    ),
    KnelpuntType(
        "witte-vlek",
        "witte vlek (te ver van het aanbod)",
        "Kinderen wonen verder dan de normafstand van het aanbod, nu of na een verwacht verlies.",
    ),
    KnelpuntType(
        "isolatie-afhankelijk",
        "isolatietoeslag hangt af van een buur",
        "De isolatiestatus (en de toeslag) van een vestiging hangt af van het aanbod bij een buur.",
    ),
    KnelpuntType("sterke-daling", "sterke leerlingendaling", "Het aantal leerlingen daalt sterk in vijf of tien jaar."),
    KnelpuntType(
        "enige-aanbieder",
        "enige aanbieder in de regio",
        "Eén bestuur draagt het enige aanbod van een schoolsoort of profiel in de regio.",
    ),
    KnelpuntType(
        "openbaar-onbereikbaar",
        "openbaar onderwijs onbereikbaar",
        "Kinderen hebben geen openbare of samenwerkingsschool binnen redelijke afstand.",
    ),
    KnelpuntType(
        "kleine-bovenbouw",
        "kleine bovenbouw",
        "Bovenbouwgroepen van een schoolsoort of profiel zijn kleiner dan de drempel.",
    ),
)

#: Slug -> Dutch label of every knelpunt type (the knowledge base matches on these slugs).
KNELPUNTTYPEN: Mapping[str, str] = MappingProxyType({t.slug: t.label for t in KNELPUNT_TYPES})

#: The knelpunt type slugs, in order.
TYPES: tuple[str, ...] = tuple(KNELPUNTTYPEN)

#: The severities, most severe first.
SEVERITIES: tuple[str, ...] = ("hoog", "midden", "laag")


@dataclass(frozen=True)
class Knelpunt:
    """One bottleneck with its evidence: numbers a test can recompute from the workspace.

    The diagnosis fills every field. A knelpunt read from a JSON file (:meth:`from_dict`) may
    carry a ``type`` this version does not know (a file from a newer dekkend); the knowledge base
    then skips it with a Dutch note, and a :class:`Diagnosis` refuses it.

    Attributes
    ----------
    type : str
        A slug of :data:`KNELPUNTTYPEN`.
    ernst : str
        One of :data:`SEVERITIES`.
    titel, toelichting : str
        Dutch title and explanation.
    vestigingen, besturen : tuple of str
        The locations (vestigingscodes) and boards concerned.
    gebieden : tuple of str
        The areas concerned (PC4 codes in the diagnosis; gemeenten or regions in hand-made files).
    onderwijstype : str or None
        The school type(s) or vmbo-profiel concerned, e.g. ``havo``, ``vmbo-k,vmbo-b``,
        ``profiel:techniek``.
    jaren : tuple of int
        School years (2021 = 2021/22) in which it happens.
    bewijs : dict
        The numbers it rests on.
    bronnen : tuple of str
        Norms and settings with where they are found.
    """

    type: str
    ernst: str
    titel: str
    toelichting: str = ""
    vestigingen: tuple[str, ...] = ()
    besturen: tuple[str, ...] = ()
    gebieden: tuple[str, ...] = ()
    onderwijstype: str | None = None
    jaren: tuple[int, ...] = ()
    bewijs: dict[str, Any] = field(default_factory=dict)
    bronnen: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.ernst not in SEVERITIES:
            raise ValueError(f"unknown severity {self.ernst!r}")

    @property
    def label(self) -> str:
        """The Dutch label of the type (the slug itself for a type this version does not know)."""
        return KNELPUNTTYPEN.get(self.type, self.type)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (``docs/diagnose.md``)."""
        return {
            "type": self.type,
            "ernst": self.ernst,
            "titel": self.titel,
            "toelichting": self.toelichting,
            "vestigingen": list(self.vestigingen),
            "besturen": list(self.besturen),
            "gebieden": list(self.gebieden),
            "onderwijstype": self.onderwijstype,
            "jaren": list(self.jaren),
            "bewijs": _plain(self.bewijs),
            "bronnen": list(self.bronnen),
        }

    @classmethod
    def from_dict(cls, data: Any, *, file: str | Path | None = None, position: int | None = None) -> Knelpunt:
        """A knelpunt from its JSON form, also from files of older versions or made by hand.

        ``type``, ``ernst`` and ``titel`` are required; every other field may be missing. Lists of
        names may hold objects with ``naam``, ``code`` or ``id``. ``ernst`` ignores case.

        Parameters
        ----------
        data : Mapping
            One element of ``knelpunten``.
        file : str or pathlib.Path, optional
            The file it came from, for messages.
        position : int, optional
            Its 1-based position in the list, for messages.

        Raises
        ------
        InvoerFout
            When it is no object, ``type``, ``ernst`` or ``titel`` is missing, ``ernst`` is not
            allowed, or ``jaren`` holds no years.
        """
        where = f"knelpunt {position}" if position is not None else "knelpunt"
        if not isinstance(data, Mapping):
            raise InvoerFout(f"{where} is geen JSON-object", file=file)
        missing = [k for k in ("type", "ernst", "titel") if not isinstance(data.get(k), str) or not data[k]]
        if missing:
            raise InvoerFout(
                f"{where} mist {', '.join(repr(m) for m in missing)}",
                file=file,
                expected="'type', 'ernst' en 'titel' als tekst",
            )
        ernst = data["ernst"].strip().lower()
        if ernst not in SEVERITIES:
            raise InvoerFout(f"{where} heeft ernst '{data['ernst']}'", file=file, expected="hoog, midden of laag")
        onderwijstype = data.get("onderwijstype")
        bewijs = data.get("bewijs")
        return cls(
            type=data["type"].strip(),
            ernst=ernst,
            titel=data["titel"].strip(),
            toelichting=str(data.get("toelichting") or ""),
            vestigingen=_names(data.get("vestigingen")),
            besturen=_names(data.get("besturen")),
            gebieden=_names(data.get("gebieden")),
            onderwijstype=None if onderwijstype in (None, "") else str(onderwijstype),
            jaren=_years(data.get("jaren"), where, file),
            bewijs=dict(bewijs) if isinstance(bewijs, Mapping) else {},
            bronnen=_names(data.get("bronnen")),
        )


def _names(value: Any) -> tuple[str, ...]:
    """Names from a text, a list of texts, or objects with ``naam``, ``code`` or ``id``."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,) if value.strip() else ()
    names = []
    for item in value if isinstance(value, list | tuple) else [value]:
        if isinstance(item, Mapping):
            item = item.get("naam") or item.get("code") or item.get("id") or ""
        if str(item).strip():
            names.append(str(item).strip())
    return tuple(names)


def _years(value: Any, where: str, file: str | Path | None) -> tuple[int, ...]:
    """School years from a year or a list of years (whole numbers, also as text)."""
    if value is None:
        return ()
    items = value if isinstance(value, list | tuple) else [value]
    try:
        return tuple(int(str(v).strip()) for v in items)
    except ValueError:
        raise InvoerFout(
            f"{where} heeft 'jaren' {value!r}", file=file, expected="een lijst van jaartallen, bijv. [2024, 2025]"
        ) from None


def _plain(value: object) -> object:
    """Numbers and containers as plain JSON types."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "item"):
        value = value.item()  # numpy scalar
    if isinstance(value, float):
        return round(value, 3)
    return value


@dataclass(frozen=True)
class Diagnosis:
    """A region's knelpunten, the per-board impact and the offerings checked, as of a count year."""

    regio: str
    regio_expressie: str
    peiljaar: int
    horizon: int
    knelpunten: tuple[Knelpunt, ...]
    besturen: pd.DataFrame
    checks: pd.DataFrame
    settings: dict[str, float]
    #: What the per-board table leaves out, in Dutch (ISK/VAVO units, boards without pupils).
    notities: tuple[str, ...] = ()
    #: Per vmbo profiel taught now: locations, pupils over the years and who keeps it
    #: (:class:`dekkend.diagnose.profielen.ProfielView`).
    profielen: tuple = ()

    def __post_init__(self) -> None:
        unknown = sorted({k.type for k in self.knelpunten} - set(TYPES))
        if unknown:
            raise ValueError(f"unknown knelpunt type(s) {unknown} (known: {', '.join(TYPES)})")

    def of_type(self, kind: str) -> tuple[Knelpunt, ...]:
        """The knelpunten of one type."""
        return tuple(k for k in self.knelpunten if k.type == kind)

    def to_dict(self) -> dict[str, Any]:
        """The JSON document written by ``dekkend diagnose``."""
        return {
            "regio": self.regio,
            "regio_expressie": self.regio_expressie,
            "peiljaar": self.peiljaar,
            "horizon": self.horizon,
            "instellingen": _plain(self.settings),
            "knelpunten": [k.to_dict() for k in self.knelpunten],
            "besturen": _plain(self.besturen.to_dict(orient="records")),
            "notities": list(self.notities),
            "profielen": [p.to_dict() for p in self.profielen],
        }
