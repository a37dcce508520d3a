"""Nearest offering and counts within given distances, for many sets of vestigingen at once.

Every row of the distance matrix is sorted once (only its nearest ``L``
columns, where ``L`` covers every vestiging within the largest radius); a set
of vestigingen is then a boolean mask gathered through that order, so each
extra set costs ``O(n L)`` instead of ``O(n m)``. Small sets are read from
their own columns directly. The results are exact: the same as a brute-force
minimum and count.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dekkend.geo.matrix import DistanceMatrix

#: Sets with at most this many vestigingen are answered from their own columns.
SMALL_SET = 96
#: The sorted prefix is at least this wide.
MIN_PREFIX = 48


@dataclass(frozen=True, eq=False)
class Nearest:
    """For ``k`` sets of vestigingen and ``n`` home areas.

    Attributes
    ----------
    km, minutes
        ``(k, n)``: distance and cycling time to the nearest vestiging of the
        set (``nan`` when the set is empty or unreachable).
    index
        ``(k, n)``: column of that vestiging in the matrix (``-1`` if none).
    counts
        ``(k, r, n)``: vestigingen of the set within each radius.
    radii
        The radii in km.
    """

    km: np.ndarray
    minutes: np.ndarray
    index: np.ndarray
    counts: np.ndarray
    radii: tuple[float, ...]


@dataclass(frozen=True, eq=False)
class _Sorted:
    order: np.ndarray
    km: np.ndarray
    within: tuple[np.ndarray, ...]


def _sorted_prefix(km: np.ndarray, radii: tuple[float, ...]) -> _Sorted:
    n, m = km.shape
    widest = int((km <= max(radii)).sum(axis=1).max()) if n and radii else 0
    width = min(m, max(MIN_PREFIX, widest))
    if width < m:
        part = np.argpartition(km, width - 1, axis=1)[:, :width]
        sub = np.take_along_axis(km, part, axis=1)
        inner = np.argsort(sub, axis=1, kind="stable")
        order = np.take_along_axis(part, inner, axis=1)
    else:
        order = np.argsort(km, axis=1, kind="stable")
    skm = np.take_along_axis(km, order, axis=1)
    return _Sorted(order, skm, tuple(skm <= r for r in radii))


def _small(
    matrix: DistanceMatrix, cols: np.ndarray, radii: tuple[float, ...]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    sub = matrix.km[:, cols]
    j = np.argmin(sub, axis=1)
    rows = np.arange(sub.shape[0])
    counts = np.stack([(sub <= r).sum(axis=1) for r in radii]) if radii else np.zeros((0, sub.shape[0]), int)
    return sub[rows, j], cols[j], counts


def _large(matrix: DistanceMatrix, mask: np.ndarray, pre: _Sorted) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    hit = mask[pre.order]
    first = hit.argmax(axis=1)
    rows = np.arange(hit.shape[0])
    found = hit[rows, first]
    km = pre.km[rows, first].astype(np.float64)
    idx = pre.order[rows, first]
    missing = np.flatnonzero(~found)
    if len(missing):
        cols = np.flatnonzero(mask)
        sub = matrix.km[np.ix_(missing, cols)]
        j = np.argmin(sub, axis=1)
        km[missing] = sub[np.arange(len(missing)), j]
        idx[missing] = cols[j]
    counts = np.stack([(hit & w).sum(axis=1) for w in pre.within]) if pre.within else np.zeros((0, hit.shape[0]), int)
    return km, idx, counts


class NearestIndex:
    """A distance matrix prepared for many :meth:`query` calls (rows sorted once).

    Parameters
    ----------
    matrix
        Distances from ``n`` home areas to ``m`` vestigingen.
    radii
        Distances in km for the counts.
    """

    def __init__(self, matrix: DistanceMatrix, radii: tuple[float, ...] = (3.0, 5.0, 10.0)) -> None:
        self.matrix = matrix
        self.radii = tuple(float(r) for r in radii)
        self._pre: _Sorted | None = None

    def _prefix(self) -> _Sorted:
        if self._pre is None:
            self._pre = _sorted_prefix(self.matrix.km, self.radii)
        return self._pre

    def query(self, masks: np.ndarray) -> Nearest:
        """Distance to the nearest vestiging of each set and the number within each radius.

        ``masks`` is boolean ``(k, m)``: which vestigingen belong to each set;
        identical sets are computed once. The results are exact.
        """
        matrix, radii = self.matrix, self.radii
        masks = np.asarray(masks, dtype=bool)
        n, m = matrix.km.shape
        k = masks.shape[0]
        out_km = np.full((k, n), np.nan)
        out_min = np.full((k, n), np.nan)
        out_idx = np.full((k, n), -1, dtype=np.int64)
        out_cnt = np.zeros((k, len(radii), n), dtype=np.int32)
        done: dict[bytes, int] = {}
        rows = np.arange(n)
        for i in range(k):
            key = np.packbits(masks[i]).tobytes()
            if key in done:
                j = done[key]
                out_km[i], out_min[i], out_idx[i], out_cnt[i] = (
                    out_km[j],
                    out_min[j],
                    out_idx[j],
                    out_cnt[j],
                )
                continue
            done[key] = i
            cols = np.flatnonzero(masks[i])
            if len(cols) == 0 or n == 0:
                continue
            if len(cols) <= SMALL_SET:
                km, idx, counts = _small(matrix, cols, radii)
            else:
                km, idx, counts = _large(matrix, masks[i], self._prefix())
            reachable = np.isfinite(km)
            out_km[i] = np.where(reachable, km, np.nan)
            out_idx[i] = np.where(reachable, idx, -1)
            out_min[i] = np.where(reachable, matrix.minutes[rows, idx], np.nan)
            out_cnt[i] = counts
        return Nearest(out_km, out_min, out_idx, out_cnt, radii)


def nearest_offering(matrix: DistanceMatrix, masks: np.ndarray, radii: tuple[float, ...] = (3.0, 5.0, 10.0)) -> Nearest:
    """Distance to the nearest vestiging of each set and the number within each radius (one-off :class:`NearestIndex`).

    Parameters
    ----------
    matrix
        Distances from ``n`` home areas to ``m`` vestigingen.
    masks
        Boolean ``(k, m)``: which vestigingen belong to each set.
    radii
        Distances in km for the counts.

    Returns
    -------
    Nearest
        Exact nearest distances, the time to that vestiging, and counts.
    """
    return NearestIndex(matrix, radii).query(masks)
