"""Diagnosis: the typed knelpunten of a region, with their evidence and what they mean per board.

- :func:`diagnose`: the one call behind ``dekkend diagnose``, returning a :class:`Diagnosis`;
- :class:`Knelpunt` and :data:`KNELPUNT_TYPES`: the one knelpunt record and the one list of
  knelpunt types (with Dutch labels) that the knowledge base, the optimiser and the report share;
- :func:`offer_thresholds` (the no-action thresholds) and :func:`type_nl` (Dutch names of types);
- :class:`ProfielView`: per vmbo profiel where it is taught and who keeps it
  (``Diagnosis.profielen``).
"""

from __future__ import annotations

import importlib as _importlib
import typing as _typing

from dekkend.diagnose.model import (
    KNELPUNT_TYPES,
    KNELPUNTTYPEN,
    SEVERITIES,
    TYPES,
    Diagnosis,
    Knelpunt,
    KnelpuntType,
)

if _typing.TYPE_CHECKING:
    from dekkend.diagnose.context import offer_thresholds
    from dekkend.diagnose.profielen import VERDICTS, ProfielLocation, ProfielView
    from dekkend.diagnose.rules import type_nl
    from dekkend.diagnose.run import diagnose

#: Names loaded on first use (they need pandas, the forecast and coverage), with their module;
#: the knelpunt record and types above load without them, for the knowledge base.
_LAZY = {
    "diagnose": "dekkend.diagnose.run",
    "offer_thresholds": "dekkend.diagnose.context",
    "type_nl": "dekkend.diagnose.rules",
    "VERDICTS": "dekkend.diagnose.profielen",
    "ProfielLocation": "dekkend.diagnose.profielen",
    "ProfielView": "dekkend.diagnose.profielen",
}


def __getattr__(name: str) -> _typing.Any:
    """Load a lazy name on first use (the import system caches its module)."""
    if name in _LAZY:
        return getattr(_importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'dekkend.diagnose' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "KNELPUNTTYPEN",
    "KNELPUNT_TYPES",
    "SEVERITIES",
    "TYPES",
    "VERDICTS",
    "Diagnosis",
    "Knelpunt",
    "KnelpuntType",
    "ProfielLocation",
    "ProfielView",
    "diagnose",
    "offer_thresholds",
    "type_nl",
]
