"""Diagnosis: the typed bottlenecks (knelpunten) of a region, with their evidence and what they mean per board."""

from dekkend.diagnose.model import SEVERITIES, TYPES, Diagnosis, Knelpunt
from dekkend.diagnose.run import diagnose

__all__ = ["SEVERITIES", "TYPES", "Diagnosis", "Knelpunt", "diagnose"]
