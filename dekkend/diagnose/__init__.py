"""Diagnosis: the typed knelpunten of a region, with their evidence and what they mean per board.

- :func:`diagnose`: the one call behind ``dekkend diagnose``, returning a :class:`Diagnosis`;
- :class:`Knelpunt` and :data:`KNELPUNT_TYPES`: the one knelpunt record and the one list of
  knelpunt types (with Dutch labels) that the knowledge base, the optimiser and the report share;
- :func:`offer_thresholds` (the no-action thresholds) and :func:`type_nl` (Dutch names of types);
- :class:`ProfielView`: per vmbo profiel where it is taught and who keeps it
  (``Diagnosis.profielen``).
"""

from dekkend.diagnose.context import offer_thresholds
from dekkend.diagnose.model import (
    KNELPUNT_TYPES,
    KNELPUNTTYPEN,
    SEVERITIES,
    TYPES,
    Diagnosis,
    Knelpunt,
    KnelpuntType,
)
from dekkend.diagnose.profielen import VERDICTS, ProfielLocation, ProfielView
from dekkend.diagnose.rules import type_nl
from dekkend.diagnose.run import diagnose

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
