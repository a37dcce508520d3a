"""What the scenarios of one workspace share, computed once: the calibrated choice model, the child estimates.

Scenarios of one region differ only in their measures. The choice model of the
count year (built and calibrated on the counted intake), the children per home
area, the distance matrix (unless a scenario adds a location) and the
reachability indicators "zonder ingrijpen" do not depend on them,
so :func:`remember` keeps them in a small memo keyed on the identity of the
frames they were computed from. A second scenario on the same tables reuses
them; :func:`dekkend.scenarios.run.zonder_ingrijpen` fills the memo up front.

The frames are treated as read-only: a workspace table that changes is a new
frame (as ``Workspace.tables()`` returns), and so a new key. The memo holds only
weak references to the frames, checked on every look-up, so it keeps no tables
alive and an identity reused by a new frame never matches; it keeps the few most
recent entries per kind.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

import pandas as pd

from dekkend.coverage.children import ChildEstimator
from dekkend.geo import DistanceMatrix, distance_matrix

T = TypeVar("T")

#: Entries kept per kind of shared value (one region and workspace needs one).
MEMO_SIZE = 4

_LOCK = threading.Lock()
#: Per kind: key -> (weak references to the key's objects, value).
_MEMO: dict[str, OrderedDict[Hashable, tuple[tuple[Callable[[], object], ...], object]]] = {}
#: Entries whose objects were collected; dropped at the next :func:`remember` (not inside a collector callback).
_DEAD: list[tuple[str, Hashable]] = []


def _none() -> None:
    """Stands for a missing table in a key."""
    return None


def remember(kind: str, objects: tuple[object, ...], extra: Hashable, make: Callable[[], T]) -> T:
    """The value ``make()`` for these ``objects`` (by identity) and ``extra`` (by value), computed once.

    Only weak references to ``objects`` are kept: the memo never keeps a workspace's
    tables alive, and an entry counts only while all its objects are the same ones.
    """
    key = (tuple(id(o) for o in objects), extra)
    with _LOCK:
        while _DEAD:
            gone_kind, gone_key = _DEAD.pop()
            _MEMO.get(gone_kind, OrderedDict()).pop(gone_key, None)
        entries = _MEMO.setdefault(kind, OrderedDict())
        hit = entries.get(key)
        if hit is not None and all(ref() is o for ref, o in zip(hit[0], objects, strict=True)):
            entries.move_to_end(key)
            return hit[1]  # type: ignore[return-value]
    value = make()

    def dead(_: object) -> None:
        _DEAD.append((kind, key))

    refs = tuple(_reference(o, dead) for o in objects)
    with _LOCK:
        entries[key] = (refs, value)
        while len(entries) > MEMO_SIZE:
            entries.popitem(last=False)
    return value


def _reference(obj: object, dead: Callable[[object], None]) -> Callable[[], object]:
    """A weak reference to ``obj`` (a strong one for objects that allow none, such as ``None``)."""
    if obj is None:
        return _none
    try:
        return weakref.ref(obj, dead)
    except TypeError:
        return lambda: obj


def forget() -> None:
    """Drop every shared value (for tests, or to free memory)."""
    with _LOCK:
        _MEMO.clear()
        _DEAD.clear()


def all_tables(tables: dict[str, pd.DataFrame]) -> tuple[tuple[object, ...], tuple[str, ...]]:
    """Every frame of ``tables`` and their names, in a fixed order (the key of a value that reads many tables)."""
    names = tuple(sorted(tables))
    return tuple(tables[n] for n in names), names


def child_estimator(tables: dict[str, pd.DataFrame]) -> ChildEstimator:
    """One :class:`ChildEstimator` per ``kinderen`` and ``bevolking_pc4`` (the only tables it reads)."""
    frames = tuple(tables.get(k) for k in ("kinderen", "bevolking_pc4"))
    return remember("kinderen", frames, None, lambda: ChildEstimator(tables))


def distances(tables: dict[str, pd.DataFrame]) -> DistanceMatrix:
    """:func:`dekkend.geo.distance_matrix` of ``tables``, once per ``vestigingen`` and ``pc4_centroiden`` (what it reads).

    A scenario with a new location has a new ``vestigingen`` frame, and so its own matrix.
    """
    frames = tuple(tables.get(k) for k in ("vestigingen", "pc4_centroiden"))
    return remember("afstanden", frames, None, lambda: distance_matrix(tables))
