"""Where the pupils of a closed offering go: first-order choice shares and home areas, from the scenario market.

The scenario engine (:mod:`dekkend.scenarios.engine`) moves the pupils of a stopped
offering ``k`` of key ``c`` (``vmbo-k`` or ``vmbo-k/groen``) like this: they live in
area ``i`` in proportion to ``P[i, k] * children_i`` (the calibrated choice model) and
choose again among the vestigingen that offer ``c``, in proportion to ``P[i, j]``
(independence of irrelevant alternatives); an area without any candidate in its
choice set sends its pupils to the nearest candidate. :func:`first_order_shares`
gives, for every offering, the share that goes to every other offering of its key
when only that offering stops: the linear part of the engine's reallocation.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

import numpy as np
from scipy import sparse


class MarketLike(Protocol):
    """What is read from :class:`dekkend.scenarios.engine.Market`."""

    areas: np.ndarray
    codes: np.ndarray
    prob: np.ndarray
    km: np.ndarray
    children: np.ndarray


def origins(market: MarketLike, codes: Sequence[str]) -> np.ndarray:
    """``(len(codes), n_areas)``: where the pupils of each vestiging live (rows sum to 1; 0 when unknown).

    The same weights as ``Market.origin_of``: ``P[:, j] * children``, or
    ``exp(-km) * children`` when the choice model gives the vestiging no one.
    """
    col = {str(c): j for j, c in enumerate(market.codes)}
    out = np.zeros((len(codes), len(market.areas)))
    for r, code in enumerate(codes):
        j = col.get(str(code))
        if j is None:
            continue
        w = market.prob[:, j] * market.children
        if w.sum() <= 0:
            w = np.exp(-market.km[:, j]) * market.children
        total = w.sum()
        out[r] = w / total if total > 0 else w
    return out


def first_order_shares(
    market: MarketLike,
    candidates: dict[str, Iterable[str]],
    senders: Sequence[tuple[str, str]],
) -> tuple[dict[tuple[int, str], float], np.ndarray]:
    """Shares of each sender's pupils per receiving vestiging when only that sender stops.

    Parameters
    ----------
    market
        The scenario market (choice probabilities, distances, children per area).
    candidates
        Per key (``havo``, ``vmbo-k/groen``) the vestigingen that offer it (the
        engine's candidate set: the count year's offer, anywhere).
    senders
        ``(vestigingscode, key)`` of every offering that may stop.

    Returns
    -------
    (dict, numpy.ndarray)
        ``{(sender index, receiving vestigingscode): share}`` and, per sender,
        the total share that reaches some candidate (1, or 0 when the sender is
        unknown to the market or has no alternative).
    """
    col = {str(c): j for j, c in enumerate(market.codes)}
    out: dict[tuple[int, str], float] = {}
    reached = np.zeros(len(senders))
    by_key: dict[str, list[int]] = {}
    for s, (_, key) in enumerate(senders):
        by_key.setdefault(key, []).append(s)
    for key, idx in by_key.items():
        cands = sorted({str(c) for c in candidates.get(key, ()) if str(c) in col})
        if not cands:
            continue
        ccols = np.array([col[c] for c in cands])
        p = market.prob[:, ccols]
        total = p.sum(axis=1)
        km = market.km[:, ccols]
        w = origins(market, [senders[s][0] for s in idx])
        for r, s in enumerate(idx):
            share = _one_sender(p, total, km, w[r], cands, senders[s][0])
            for code, value in share.items():
                out[(s, code)] = value
            reached[s] = sum(share.values())
    return out, reached


def _one_sender(p: np.ndarray, total: np.ndarray, km: np.ndarray, weights: np.ndarray, cands: list[str],
                code: str) -> dict[str, float]:
    """``weights @ q`` over the candidates without ``code``; areas with no candidate go to the nearest one."""
    keep = np.array([c != code for c in cands])
    if not keep.any() or weights.sum() <= 0:
        return {}
    own = p[:, ~keep].sum(axis=1)
    rest = total - own
    none = rest <= 0
    share = np.zeros(len(cands))
    ok = ~none & (weights > 0)
    if ok.any():
        share += (weights[ok] / rest[ok]) @ p[ok]
    lost = none & (weights > 0)
    if lost.any():
        sub = np.where(keep[None, :], km[lost], np.inf)
        nearest = np.argmin(sub, axis=1)
        np.add.at(share, nearest, weights[lost])
    share[~keep] = 0.0
    return {c: float(v) for c, v in zip(cands, share, strict=True) if v > 0}


def homes_matrix(market: MarketLike, codes: Sequence[str], areas: Sequence[str], *, coverage: float = 0.99
                 ) -> sparse.csr_matrix:
    """``(len(codes), len(areas))`` home areas of each vestiging's pupils for closest assignment.

    The smallest set of areas that holds ``coverage`` of the pupils is kept and
    renormalised to 1 (small tails make the model large and change little).
    """
    w = origins(market, codes)
    index = {str(a): i for i, a in enumerate(areas)}
    cols = np.array([index.get(str(a), -1) for a in market.areas])
    rows_out, cols_out, vals_out = [], [], []
    for r in range(len(codes)):
        order = np.argsort(-w[r], kind="stable")
        cum = np.cumsum(w[r, order])
        n_keep = int(np.searchsorted(cum, coverage * cum[-1])) + 1 if cum[-1] > 0 else 0
        pick = order[:n_keep]
        pick = pick[(cols[pick] >= 0) & (w[r, pick] > 0)]
        if not len(pick):
            continue
        v = w[r, pick] / w[r, pick].sum()
        rows_out.append(np.full(len(pick), r))
        cols_out.append(cols[pick])
        vals_out.append(v)
    if not rows_out:
        return sparse.csr_matrix((len(codes), len(areas)))
    return sparse.csr_matrix(
        (np.concatenate(vals_out), (np.concatenate(rows_out), np.concatenate(cols_out))), shape=(len(codes), len(areas))
    )
