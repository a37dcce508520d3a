"""Funding parameters (``bekostiging.yaml``): the isolated-location supplement and what a change costs."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from dekkend.errors import ConfiguratieFout


@dataclass(frozen=True)
class FundingParameter:
    """One cited, user-editable funding parameter."""

    name: str
    value: float
    unit: str
    status: str
    source: str


@dataclass(frozen=True)
class FundingTable:
    """The funding parameters and the vestigingen excluded from the isolation supplement."""

    school_year: int
    parameters: dict[str, FundingParameter]
    excluded: tuple[str, ...]
    excluded_source: str

    def value(self, name: str) -> float:
        """A parameter's value; a Dutch error for an unknown name."""
        if name not in self.parameters:
            raise ConfiguratieFout(f"onbekende bekostigingsparameter '{name}' (bekend: {', '.join(self.parameters)})")
        return self.parameters[name].value

    def isolation_supplement(self) -> float:
        """The yearly supplement a vestiging gains or loses with its isolation status (the fixed amount).

        Only the fixed amount is used: how the per-pupil share enters the
        supplement is not verified (see the table's sources).
        """
        return self.value("isolatie_vaste_voet")


def load_funding(user_file: Path | None = None) -> FundingTable:
    """The funding table shipped with dekkend, or a user's edited copy."""
    text = (
        Path(user_file).read_text(encoding="utf-8")
        if user_file
        else resources.files("dekkend.norms").joinpath("bekostiging.yaml").read_text(encoding="utf-8")
    )
    doc = yaml.safe_load(text)
    params = {}
    for name, p in doc["parameters"].items():
        if not p.get("bron"):
            raise ConfiguratieFout(f"bekostigingsparameter '{name}' heeft geen bron")
        params[name] = FundingParameter(name, float(p["waarde"]), p.get("eenheid", ""), p.get("status", ""), p["bron"])
    excl = doc.get("uitgezonderd") or {}
    return FundingTable(int(doc.get("schooljaar", 0)), params, tuple(excl.get("vestigingen", [])), excl.get("bron", ""))
