"""Why the optimiser changes nothing while the diagnosis has viability or reach knelpunten.

When a configuration keeps today's offer, every knelpunt of :func:`dekkend.diagnose.diagnose` about
viability (``onder-norm``, ``kleine-bovenbouw``, ``aanbod-verdwijnt``) or reach (``witte-vlek``,
``openbaar-onbereikbaar``) gets one Dutch sentence with one of these reasons:

- ``vastgezet``: the offering concerned is locked (``--vast``, a declared offering, or no forecast);
- ``bestuur``: with ``--besturen-houden`` it is its board's only offering of its kind;
- ``buiten-de-jaren``: the knelpunt lies after the years the configuration is judged on;
- ``niet-beslist``: the run decides other kinds only (``--soort``);
- ``geen-haalbare-verbetering``: no configuration of the model does better (with the reason in the
  model's terms: the offering meets the model's threshold, the norm is not one the model decides,
  or the model cannot add offer where children are beyond the norm distance).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from dekkend.formatting import school_year
from dekkend.optimise.explain import dutch_number as _num
from dekkend.optimise.explain import kind_label, label

if TYPE_CHECKING:
    from dekkend.diagnose.model import Knelpunt
    from dekkend.optimise.instance import Instance
    from dekkend.optimise.results import Evaluation

VIABILITY = ("onder-norm", "kleine-bovenbouw", "aanbod-verdwijnt")
REACH = ("witte-vlek", "openbaar-onbereikbaar")
REASONS = ("vastgezet", "bestuur", "buiten-de-jaren", "niet-beslist", "geen-haalbare-verbetering")


@dataclass(frozen=True)
class KnelpuntNote:
    """One knelpunt of the diagnosis and why the optimiser leaves it (``reden``: a REASON)."""

    type: str
    ernst: str
    titel: str
    reden: str
    toelichting: str

    def to_dict(self) -> dict:
        """The JSON form in ``optimalisatie.json`` (``knelpunten``)."""
        return {
            "type": self.type,
            "ernst": self.ernst,
            "titel": self.titel,
            "reden": self.reden,
            "toelichting": self.toelichting,
        }


def knelpunt_notes(inst: Instance, after: Evaluation) -> list[KnelpuntNote]:
    """One note per viability or reach knelpunt of the region's diagnosis (same forecast)."""
    from dekkend.diagnose import diagnose

    rc = inst.reach
    if rc is None:
        return []
    diagnosis = diagnose(
        rc.tables,
        inst.region.expression,
        matrix=rc.matrix,
        forecast=inst.forecast,
        settings=inst.settings,
        children=rc.children,
    )  # the diagnosis derives its own no-action offer, so its knelpunten are those of `dekkend diagnose`
    return [note(inst, after, k) for k in diagnosis.knelpunten if k.type in VIABILITY + REACH]


def note(inst: Instance, after: Evaluation, k: Knelpunt) -> KnelpuntNote:
    """The reason the configuration ``after`` leaves knelpunt ``k`` as it is."""
    reden, text = _reason(inst, after, k)
    return KnelpuntNote(k.type, k.ernst, k.titel, reden, f"{k.titel}: {text}")


def _rows(inst: Instance, k: Knelpunt) -> np.ndarray:
    """The model's region offerings the knelpunt is about (its vestigingen and kinds)."""
    o = inst.offerings
    mask = o["in_regio"].to_numpy(bool) & o["vestigingscode"].isin(k.vestigingen).to_numpy()
    kinds = [s.strip() for s in (k.onderwijstype or "").split(",") if s.strip()]
    if kinds and not set(kinds) & {"vo", "vmbo", "havo-vwo", "vo-openbaar", "onderbouw"}:
        mask &= (o["onderwijstype"].isin(kinds) | o["kind"].isin(kinds)).to_numpy()
    if kinds == ["vmbo"]:
        mask &= o["onderwijstype"].str.startswith("vmbo").to_numpy()
    return np.flatnonzero(mask)


def _years(inst: Instance) -> str:
    first, last = inst.years[0], inst.years[-1]
    return f"{school_year(first)}" + (f" tot en met {school_year(last)}" if last != first else "")


def _reason(inst: Instance, after: Evaluation, k: Knelpunt) -> tuple[str, str]:
    model = inst.model
    rows = _rows(inst, k)
    locked = [h for h in rows if model.locked[h]]
    if locked:
        h = locked[0]
        bron = str(inst.offerings["bron"].iat[h])
        why = {
            "opgave": "opgegeven aanbod (aanbod_opgave)",
            "geen-prognose": "geen prognose voor deze vestiging",
        }.get(bron, "vastgezet met --vast")
        return "vastgezet", (
            f"{label(inst, h)} op {inst.name(str(inst.offerings['vestigingscode'].iat[h]))} staat "
            f"vast ({why}); de optimalisatie mag het niet sluiten of verplaatsen."
        )
    if model.boards_keep and len(rows):
        only = [
            h
            for h in rows
            if model.board[h]
            and model.kind_of[h] >= 0
            and int(((model.board == model.board[h]) & (model.kind_of == model.kind_of[h]) & ~model.ext).sum()) == 1
        ]
        if only:
            h = only[0]
            return "bestuur", (
                f"bestuur {model.board[h]} moet {kind_label(model.kinds[model.kind_of[h]])} houden "
                "(--besturen-houden) en heeft daarvoor alleen dit aanbod; concentreren bij een "
                "ander "
                "bestuur mag dan niet."
            )
    later = [y for y in k.jaren if y > inst.years[-1]]
    if k.jaren and len(later) == len(k.jaren):
        return "buiten-de-jaren", (
            f"de diagnose ziet dit vanaf {school_year(later[0])}; de opstelling moet "
            f"leefbaar zijn in {_years(inst)}. Kies --tot-jaar {later[0]} om dat jaar mee "
            "te nemen."
        )
    kinds = [s.strip() for s in (k.onderwijstype or "").split(",") if s.strip()]
    decided = set(model.kinds) | set(inst.offerings["onderwijstype"])
    if not len(rows) and kinds and not any(_decides(kind, decided) for kind in kinds):
        return "niet-beslist", (
            "deze optimalisatie beslist alleen over "
            f"{', '.join(kind_label(x) for x in model.kinds)} (--soort); draai haar zonder "
            "--soort om dit aanbod mee te nemen."
        )
    if k.type in REACH:
        return "geen-haalbare-verbetering", (
            "geen haalbare verbetering: de optimalisatie kiest welk bestaand aanbod blijft en "
            "voegt geen aanbod toe; sluiten of concentreren brengt geen kind dichter bij, dus deze "
            "kinderen "
            "blijven verder dan "
            f"{_num(inst.norm_km)} km van dit aanbod wonen."
        )
    return "geen-haalbare-verbetering", _viable_text(inst, after, k, rows)


def _decides(kind: str, decided: set[str]) -> bool:
    """Whether a knelpunt kind (a type, ``profiel:slug`` or a group) is among the decided kinds."""
    groups = {"vmbo": ("vmbo-",), "havo-vwo": ("havo", "vwo"), "vmbo-profielen": ("profiel:",)}
    if kind in groups:
        return any(d.startswith(groups[kind]) for d in decided)
    if kind in ("vo", "vo-openbaar", "onderbouw"):
        return True
    return kind in decided


def _viable_text(inst: Instance, after: Evaluation, k: Knelpunt, rows: np.ndarray) -> str:
    model = inst.model
    judged = after.judged_pupils()
    kept = [h for h in rows if after.keep[h] and model.threshold[h] > 0]
    if kept:
        h = min(kept, key=lambda g: float((judged[g] - model.threshold[g]).min()))
        t = int(np.argmin(judged[h] - model.threshold[h]))
        code = str(inst.offerings["vestigingscode"].iat[h])
        return (
            f"geen haalbare verbetering: {label(inst, h)} op {inst.name(code)} haalt in "
            f"{school_year(inst.years[t])} de drempel van de optimalisatie "
            f"({_num(judged[h, t], 1)} leerlingen in de bovenbouw, drempel "
            f"{_num(model.threshold[h])}); de diagnose meet met een andere maat (een norm voor de "
            "hele "
            "school, of kleine groepen per leerjaar), die de optimalisatie niet beslist. Een "
            "opstelling die het sluit of concentreert, houdt niet "
            "meer kinderen binnen de normafstand."
        )
    return (
        "geen haalbare verbetering: het knelpunt gaat niet over een aanbod dat de optimalisatie "
        "beslist (het bovenbouwaanbod van de regio in de laatste telling), en geen opstelling van "
        "het bestaande aanbod geeft "
        f"meer kinderen binnen de normafstand met elk aanbod boven zijn drempel in {_years(inst)}."
    )
