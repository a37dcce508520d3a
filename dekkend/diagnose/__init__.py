"""Diagnosis: the typed bottlenecks (knelpunten) of a region, with their evidence."""
