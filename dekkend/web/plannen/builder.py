"""The scenario builder's pickers: which fields each kind of measure has, and the options they offer.

The pickers only offer what exists: the region's vestigingen, the types and profielen the chosen
vestiging teaches, and school years within the forecast horizon. What they produce is a measure in
the YAML format of ``docs/scenarios.md``; the library checks it (:func:`services.check`).
"""

from __future__ import annotations

from typing import Any

import yaml
from django.http import QueryDict

from dekkend.scenarios import KINDS
from dekkend.web.plannen.services import Choices

#: The fields of each measure kind in the picker, in order.
FIELDS: dict[str, tuple[str, ...]] = {
    "stop-aanbod": ("vestiging", "onderwijstype", "profiel"),
    "sluit-vestiging": ("vestiging",),
    "verplaats-aanbod": ("van", "naar", "onderwijstype", "profiel"),
    "fuseer": ("vestigingen", "naar"),
    "concentreer-bovenbouw": ("onderwijstype", "naar", "van_lijst"),
    "nevenvestiging": ("code", "naam", "bestuur", "denominatie", "x_rd", "y_rd", "onderwijstype", "profiel"),
    "deel-profiel": ("van", "naar", "onderwijstype", "profiel"),
    "afstandsonderwijs": ("vestiging", "onderwijstype", "profiel", "nutsverlies"),
    "drempels": ("drempels",),
    "denominatie-eis": (),
}
assert set(FIELDS) == set(KINDS), "every measure kind of the format has a picker"

KIND_LABELS = {
    "stop-aanbod": "Stop met aanbod (type of profiel)",
    "sluit-vestiging": "Sluit een vestiging",
    "verplaats-aanbod": "Verplaats aanbod naar een andere vestiging",
    "fuseer": "Fuseer vestigingen",
    "concentreer-bovenbouw": "Concentreer de bovenbouw van een type",
    "nevenvestiging": "Open een nieuwe vestiging",
    "deel-profiel": "Deel een profiel (uitbesteding)",
    "afstandsonderwijs": "Geef aanbod (deels) op afstand",
    "drempels": "Andere drempels voor levensvatbaarheid",
    "denominatie-eis": "Openbaar alternatief voor leerlingen van openbare scholen",
}
ALL_TYPES = ("pro", "vmbo-b", "vmbo-k", "vmbo-g", "vmbo-t", "havo", "vwo", "onderbouw")
UPPER_TYPES = ALL_TYPES[:-1]
THRESHOLDS = ("vmbo-profiel", "vmbo-leerweg", "havo-vwo", "pro")


def picker(choices: Choices, params: QueryDict) -> dict[str, Any]:
    """The picker's context for the kind and vestiging chosen so far (``params``: the form's values)."""
    kind = params.get("soort") or "stop-aanbod"
    if kind not in FIELDS:
        kind = "stop-aanbod"
    by_code = {v["code"]: v for v in choices.vestigingen}
    main = params.get("vestiging") or params.get("van") or ""
    chosen = by_code.get(main)
    if kind == "nevenvestiging":
        types = list(ALL_TYPES)
    elif kind == "concentreer-bovenbouw":
        types = sorted({t for v in choices.vestigingen for t in v["types"] if t in UPPER_TYPES})
    else:
        types = chosen["types"] if chosen else []
    typ = params.get("onderwijstype") or ""
    if typ not in types:
        typ = ""
    if kind == "nevenvestiging":
        # a new location may teach any profiel the region knows
        known = {p for v in choices.vestigingen for p in v["profielen"]}
        profielen = sorted({p.split("/", 1)[1] for p in known}) if typ.startswith("vmbo-") else []
    else:
        source = by_code.get(params.get("naar") or "") if kind == "deel-profiel" else chosen
        profielen = [p.split("/", 1)[1] for p in (source["profielen"] if source else []) if p.startswith(typ + "/")]
    places = {
        name: [
            (v["code"], f"{v['naam']} ({v['plaats']}, {v['code']})", v["code"] in params.getlist(name))
            for v in choices.vestigingen
        ]
        for name in ("vestiging", "van", "naar", "vestigingen", "van_lijst")
    }
    return {
        "soort": kind,
        "soorten": [(k, KIND_LABELS[k]) for k in FIELDS],
        "velden": [{"naam": name, "opties": places.get(name, [])} for name in FIELDS[kind]],
        "vestigingen": choices.vestigingen,
        "types": types,
        "profielen": profielen,
        "jaren": choices.years,
        "besturen": choices.boards,
        "drempels": THRESHOLDS,
        "vanaf": params.get("vanaf", ""),
        "gekozen_type": typ,
    }


def _number(text: str) -> Any:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        return text
    return int(value) if value.is_integer() else value


_TEXT = ("vestiging", "van", "naar", "onderwijstype", "code", "naam", "bestuur", "denominatie")


def _field(name: str, kind: str, params: QueryDict) -> tuple[str, Any] | None:
    """One picker field as ``(YAML key, value)``; ``None`` when left empty."""
    if name in _TEXT:
        value = params.get(name if name != "naam" else "nieuwe_naam", "").strip()
        return (name, value) if value else None
    if name == "profiel":
        return ("profiel", params["profiel"]) if params.get("profiel") and kind != "nevenvestiging" else None
    if name in ("x_rd", "y_rd", "nutsverlies"):
        value = params.get(name, "").strip()
        return (name, _number(value)) if value else None
    if name == "vestigingen":
        return ("vestigingen", params.getlist("vestigingen"))
    if name == "van_lijst":
        return ("van", params.getlist("van_lijst")) if params.getlist("van_lijst") else None
    if name == "drempels":
        return ("waarden", {k: _number(params[f"drempel_{k}"]) for k in THRESHOLDS if params.get(f"drempel_{k}")})
    return None


def measure_from(params: QueryDict) -> dict[str, Any]:
    """The measure the picker describes, as a YAML mapping (the library checks it)."""
    kind = params.get("soort", "")
    out: dict[str, Any] = {"soort": kind, "vanaf": _number(params.get("vanaf", ""))}
    for name in FIELDS.get(kind, ()):
        found = _field(name, kind, params)
        if found is not None:
            out[found[0]] = found[1]
    if kind == "nevenvestiging":
        item = {"onderwijstype": out.pop("onderwijstype", "")}
        if params.get("profiel"):
            item["profiel"] = params["profiel"]
        out["aanbod"] = [item]
    return out


def dump(doc: dict[str, Any]) -> str:
    """A scenario document as YAML text."""
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, default_flow_style=False)
