"""The choices a user makes for one optimisation, in one frozen value (:class:`OptimiseOptions`).

The command line (``dekkend optimaliseer``) maps its Dutch options onto these English fields:
``--vast`` -> ``locked``, ``--max-wijzigingen`` -> ``max_changes``,
``--tot-jaar`` -> ``until_year``, ``--besturen-houden`` -> ``boards_keep``,
``--toewijzing`` -> ``assignment``, ``--soort`` -> ``kinds``, ``--tijdslimiet`` -> ``time_limit``,
``--gap`` -> ``mip_gap`` (a fraction here, a percentage there).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

#: Default cut-off for closest assignment (km): displaced pupils further from every kept offering
#: are lost.
CLOSEST_CUTOFF_KM = 20.0


@dataclass(frozen=True)
class OptimiseOptions:
    """What to optimise and under which limits.

    Attributes
    ----------
    locked
        Offerings locked open, as ``CODE:TYPE`` (``TYPE``: a type, ``profiel:slug``, ``vmbo-k/slug``
        or ``alles``; see :func:`dekkend.optimise.instance.parse_locks`).
    max_changes
        At most this many closed offerings (``None``: no limit).
    until_year
        The last school year whose pupils must meet the thresholds (``None``: the first year only).
    boards_keep
        Every board keeps each kind of offering it has in the region.
    assignment
        How the pupils of a closed offering move: ``keuze`` (the scenario engine's choice model,
        first order) or ``dichtstbij`` (to the closest kept offering). The values are the Dutch
        names the command line and the results use.
    kinds
        Limit the problem to these types (with their profielen) or ``profiel:slug`` (``None``: all).
    time_limit
        Seconds for HiGHS per solve.
    mip_gap
        Relative optimality gap at which HiGHS stops (a fraction: ``1e-4`` is 0.01%).
    cutoff_km
        Closest assignment: displaced pupils further than this from every kept offering are lost.
    """

    locked: tuple[str, ...] = ()
    max_changes: int | None = None
    until_year: int | None = None
    boards_keep: bool = False
    assignment: str = "keuze"
    kinds: tuple[str, ...] | None = None
    time_limit: float = 60.0
    mip_gap: float = 1e-4
    cutoff_km: float = CLOSEST_CUTOFF_KM

    @classmethod
    def of(cls, *, locked: Iterable[str] = (), kinds: Iterable[str] | None = None, **rest: object) -> OptimiseOptions:
        """The options with ``locked`` and ``kinds`` from any iterable (a command-line list)."""
        kinds_ = None if kinds is None else tuple(kinds)
        return cls(locked=tuple(locked), kinds=kinds_, **rest)  # type: ignore[arg-type]
