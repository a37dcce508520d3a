"""Knelpunten and the diagnosis of a region, as frozen records with a documented JSON form."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

#: The knelpunt types; the knowledge base matches on these slugs.
TYPES = (
    "onder-norm",
    "aanbod-verdwijnt",
    "witte-vlek",
    "isolatie-afhankelijk",
    "sterke-daling",
    "enige-aanbieder",
    "openbaar-onbereikbaar",
    "kleine-bovenbouw",
)
SEVERITIES = ("hoog", "midden", "laag")


@dataclass(frozen=True)
class Knelpunt:
    """One bottleneck with its evidence: numbers a test can recompute from the workspace."""

    type: str
    ernst: str
    titel: str
    toelichting: str
    vestigingen: tuple[str, ...] = ()
    besturen: tuple[str, ...] = ()
    gebieden: tuple[str, ...] = ()
    onderwijstype: str | None = None
    jaren: tuple[int, ...] = ()
    bewijs: dict = field(default_factory=dict)
    bronnen: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"unknown knelpunt type {self.type!r}")
        if self.ernst not in SEVERITIES:
            raise ValueError(f"unknown severity {self.ernst!r}")

    def to_dict(self) -> dict:
        """The JSON form (``docs/diagnose.md``)."""
        return {
            "type": self.type, "ernst": self.ernst, "titel": self.titel, "toelichting": self.toelichting,
            "vestigingen": list(self.vestigingen), "besturen": list(self.besturen), "gebieden": list(self.gebieden),
            "onderwijstype": self.onderwijstype, "jaren": list(self.jaren), "bewijs": _plain(self.bewijs),
            "bronnen": list(self.bronnen),
        }


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

    def of_type(self, kind: str) -> tuple[Knelpunt, ...]:
        """The knelpunten of one type."""
        return tuple(k for k in self.knelpunten if k.type == kind)

    def to_dict(self) -> dict:
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
