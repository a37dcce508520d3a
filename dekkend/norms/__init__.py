"""Norms: the cited, versioned legal norms (stichting, opheffing, isolatie), rules of thumb and user thresholds."""

from dekkend.norms.checks import DREIGT, NIET_GEVERIFIEERD, ONDER_NORM, VOLDOET, NormCheck, check
from dekkend.norms.table import Norm, Settings, Source, load_norms, load_settings, norm_by_id

__all__ = [
    "DREIGT",
    "NIET_GEVERIFIEERD",
    "ONDER_NORM",
    "VOLDOET",
    "Norm",
    "NormCheck",
    "Settings",
    "Source",
    "check",
    "load_norms",
    "load_settings",
    "norm_by_id",
]
