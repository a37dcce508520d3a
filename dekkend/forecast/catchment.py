"""Catchments: the modelled first-year intake of every vestiging per entry year, from children x choice.

``intake_v(e) = transition * sum_i C_i(e) P_iv``: children per home PC4 entering in
year ``e`` (:mod:`dekkend.forecast.children`, migration applied) times one transition
rate times the calibrated choice probabilities (:mod:`dekkend.forecast.choice`),
summed per vestiging. Calibration makes ``intake_v(origin)`` equal to the observed
leerjaar-1 count; the sum over vestigingen equals the transition rate times the
children of every year (conservation), so the total stays consistent with the
children available.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from dekkend.cache import DerivedCache
from dekkend.forecast.children import NO_MIGRATION, AreaChildren, Migration, area_children, estimate_migration
from dekkend.forecast.choice import LEVELS, Calibration, ChoiceModel, ChoiceParameters, offer_at
from dekkend.forecast.cohorts import reference_cohorts

#: A vestiging without first-year intake follows the intake of the vestigingen within this distance.
ORPHAN_RADIUS_KM = 15.0


@dataclass(frozen=True, eq=False)
class Catchment:
    """Modelled intake per vestiging (rows, ``codes``) and entry year (columns, ``years``).

    ``beyond`` is the intake-weighted number of entry years beyond the observed
    children (births assumption); ``calibration`` the fitted choice model (its
    ``model.areas`` are the rows of ``children.children``); ``targets`` the observed
    intake it was calibrated on (per vestiging, or per vestiging and level); ``decay_source`` says
    where the distance decay came from (``prior``, ``herkomst <year>`` or ``gegeven``).
    """

    codes: np.ndarray
    years: np.ndarray
    intake: np.ndarray
    beyond: np.ndarray
    calibration: Calibration
    children: AreaChildren
    targets: np.ndarray
    decay_source: str = "prior"

    def rows(self, codes: np.ndarray) -> np.ndarray:
        """Row index of each code (-1 when the vestiging is not in the choice model)."""
        pos = pd.Series(np.arange(len(self.codes)), index=self.codes)
        return pos.reindex(codes).fillna(-1).to_numpy(int)

    def intake_for(self, children: np.ndarray) -> np.ndarray:
        """Intake per vestiging for another children matrix (areas x years), same transition rate."""
        return self.calibration.model.intake(children * self.calibration.transition)


def build_catchment(
    tables: dict[str, pd.DataFrame],
    origin: int,
    years: range,
    *,
    params: ChoiceParameters | None = None,
    migration: bool = True,
    xy: pd.DataFrame | None = None,
    decay_source: str = "prior",
) -> Catchment | None:
    """Calibrate the choice model on the count of ``origin`` and compute the intake for ``years``.

    ``tables`` must be restricted to what was known. Returns ``None`` when there are
    no located children or no located vestigingen with intake.
    """
    cohorts = reference_cohorts(tables, years.stop - 1)
    if cohorts.empty:
        return None
    rates = estimate_migration(tables, cohorts) if migration else NO_MIGRATION
    kids = area_children(tables, cohorts, rates, years)
    if len(kids.pc4) == 0 or kids.children[:, kids.col(origin)].sum() <= 0:
        return None
    offer, shares = offer_at(tables, origin, None if xy is None else xy.reset_index())
    offer = offer.dropna(subset=["x_rd", "y_rd"])
    if offer.empty or offer["instroom_leerlingen"].sum() <= 0:
        return None
    model = ChoiceModel.from_frames(kids.areas(), offer, level_shares=shares, params=params)
    by_level = offer[[f"instroom_{lev}" for lev in LEVELS]].to_numpy(float)
    target = by_level if not np.isnan(by_level).any() else offer["instroom_leerlingen"].to_numpy(float)
    cal = model.calibrate(kids.children[:, kids.col(origin)], target)
    flow = cal.model.intake(kids.children * cal.transition)
    weighted = cal.model.intake(kids.children * kids.beyond * cal.transition)
    beyond = np.where(flow > 0, weighted / np.where(flow > 0, flow, 1.0), 0.0)
    return Catchment(cal.model.codes, kids.years, flow, beyond, cal, kids, target, decay_source)


#: Kind of the cached result (:class:`dekkend.cache.DerivedCache`): the national catchment of one data version.
CACHE_KIND = "stroomgebied"


def cached_catchment(
    cache: DerivedCache | None,
    tables: dict[str, pd.DataFrame],
    as_of: int,
    origin: int,
    years: range,
    *,
    params: ChoiceParameters | None,
    migration: bool,
    xy: pd.DataFrame | None,
    decay_source: str,
) -> Catchment | None:
    """:func:`build_catchment`, computed once per data version and read from ``cache`` after that.

    The catchment is national: it depends on the tables known ``as_of`` (``tables`` must be
    the werkmap's tables of ``cache`` restricted to ``as_of``), the count year, the entry years,
    the choice parameters and whether migration applies, never on the region being forecast.
    So every region (and every back-test at the same as-of year) shares one stored result.
    The stored result decodes to the same arrays, bit for bit (``tests/test_cache.py``).
    """

    def compute() -> Catchment | None:
        return build_catchment(
            tables, origin, years, params=params, migration=migration, xy=xy, decay_source=decay_source
        )

    if cache is None:
        return compute()
    key = {
        "bekend_tot": int(as_of),
        "peiljaar": int(origin),
        "jaren": [int(years.start), int(years.stop)],
        "keuze": None if params is None else asdict(params),
        "migratie": bool(migration),
        "verval_bron": decay_source,
    }
    return cache.get(CACHE_KIND, key, compute, encode_catchment, decode_catchment)


#: Fields holding a dataclass, by their dotted path from the :class:`Catchment`.
_NESTED: dict[str, type] = {
    "calibration": Calibration,
    "calibration.model": ChoiceModel,
    "calibration.model.params": ChoiceParameters,
    "children": AreaChildren,
    "children.migration": Migration,
}
_META = "opbouw"


def encode_catchment(catchment: Catchment | None) -> dict[str, np.ndarray | pd.DataFrame]:
    """A catchment as cache parts: every field by type (arrays, tables, a CSR matrix, scalars in JSON).

    Text arrays (``dtype=object``) are stored as fixed-width text with a mask of missing values,
    so reading the file never unpickles anything. ``None`` (no catchment) is stored as such.
    """
    parts: dict[str, np.ndarray | pd.DataFrame] = {}
    meta: dict[str, Any] = {}
    if catchment is not None:
        _flatten(catchment, "", parts, meta)
    parts[_META] = np.frombuffer(json.dumps({"leeg": catchment is None, "velden": meta}).encode(), np.uint8)
    return parts


def decode_catchment(parts: Mapping[str, np.ndarray | pd.DataFrame]) -> Catchment | None:
    """The inverse of :func:`encode_catchment`."""
    meta = json.loads(np.asarray(parts[_META], np.uint8).tobytes())
    if meta["leeg"]:
        return None
    return _rebuild(Catchment, "", parts, meta["velden"])


def _flatten(obj: Any, prefix: str, parts: dict[str, np.ndarray | pd.DataFrame], meta: dict[str, Any]) -> None:
    for f in fields(obj):
        name, value = prefix + f.name, getattr(obj, f.name)
        if name in _NESTED and value is not None:
            _flatten(value, name + ".", parts, meta)
        elif isinstance(value, pd.DataFrame):
            parts[name], meta[name] = value, "tabel"
        elif isinstance(value, pd.Series):
            parts[name], meta[name] = value.to_frame("waarde"), ["reeks", value.name]
        elif isinstance(value, sparse.csr_matrix):
            for part in ("data", "indices", "indptr"):
                parts[f"{name}.{part}"] = getattr(value, part)
            meta[name] = ["csr", [int(n) for n in value.shape]]
        elif isinstance(value, np.ndarray) and value.dtype == object:
            missing = pd.isna(value)
            if not all(isinstance(v, str) for v in value[~missing]):
                raise TypeError(f"{name}: only text can be stored from an object array")
            parts[name] = np.where(missing, "", value).astype(str)
            parts[name + ".leeg"] = np.asarray(missing, bool)
            meta[name] = "tekst"
        elif isinstance(value, np.ndarray):
            parts[name], meta[name] = value, "array"
        elif isinstance(value, tuple):
            meta[name] = ["tupel", [_plain(v) for v in value]]
        else:
            meta[name] = ["waarde", _plain(value)]


def _plain(value: Any) -> Any:
    """A JSON value (a float keeps every bit: JSON writes its shortest exact representation)."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is not None and not isinstance(value, bool | int | float | str):
        raise TypeError(f"{type(value).__name__} cannot be cached")
    return value


def _rebuild(cls: type, prefix: str, parts: Mapping[str, np.ndarray | pd.DataFrame], meta: dict[str, Any]) -> Any:
    values: dict[str, Any] = {}
    for f in fields(cls):
        name = prefix + f.name
        if name in _NESTED and name not in meta:
            values[f.name] = _rebuild(_NESTED[name], name + ".", parts, meta)
            continue
        how = meta[name]
        kind = how if isinstance(how, str) else how[0]
        if kind == "tabel":
            values[f.name] = parts[name]
        elif kind == "reeks":
            frame = parts[name]
            assert isinstance(frame, pd.DataFrame)
            values[f.name] = frame["waarde"].rename(how[1])
        elif kind == "csr":
            data, indices, indptr = (np.asarray(parts[f"{name}.{p}"]) for p in ("data", "indices", "indptr"))
            values[f.name] = sparse.csr_matrix((data, indices, indptr), shape=tuple(how[1]))
        elif kind == "tekst":
            text = np.asarray(parts[name]).astype(object)
            text[np.asarray(parts[name + ".leeg"], bool)] = None
            values[f.name] = text
        elif kind == "array":
            values[f.name] = np.asarray(parts[name])
        elif kind == "tupel":
            values[f.name] = tuple(how[1])
        else:
            values[f.name] = how[1]
    return cls(**values)


def catchment_map(catchment: Catchment, codes: np.ndarray, xy: np.ndarray) -> sparse.csr_matrix:
    """Matrix (``codes`` x catchment vestigingen) that turns the catchment's intake into each code's series.

    A code in the choice model takes its own row; a vestiging without first-year
    intake (a bovenbouw location) follows the intake of the other vestigingen of
    its BRIN, else of the vestigingen within :data:`ORPHAN_RADIUS_KM`; otherwise
    its row stays empty.
    """
    n, m = len(codes), len(catchment.codes)
    rows = catchment.rows(codes)
    total = catchment.intake.sum(axis=1)
    r, c = [], []
    brin = pd.Series(catchment.codes).str.slice(0, 4).to_numpy()
    xy_all = catchment.calibration.model.schools[["x_rd", "y_rd"]].to_numpy(float)
    for i in range(n):
        if rows[i] >= 0 and total[rows[i]] > 0:
            r.append(i)
            c.append(rows[i])
            continue
        mates = (brin == str(codes[i])[:4]) & (total > 0)
        if not mates.any() and np.isfinite(xy[i]).all():
            mates = (np.hypot(*(xy_all - xy[i]).T) / 1000.0 <= ORPHAN_RADIUS_KM) & (total > 0)
        for j in np.flatnonzero(mates):
            r.append(i)
            c.append(j)
    return sparse.csr_matrix((np.ones(len(r)), (r, c)), shape=(n, m))


def catchment_for(
    catchment: Catchment | None, codes: np.ndarray, xy: np.ndarray, n_years: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(F, B, has): intake and years-beyond for ``codes`` (see :func:`catchment_map`); ``has`` false where
    nothing is known (then ``F`` is NaN)."""
    n = len(codes)
    if catchment is None:
        return np.full((n, n_years), np.nan), np.zeros((n, n_years)), np.zeros(n, bool)
    mapping = catchment_map(catchment, codes, xy)
    f = np.asarray(mapping @ catchment.intake)
    weighted = np.asarray(mapping @ (catchment.beyond * catchment.intake))
    b = np.where(f > 0, weighted / np.where(f > 0, f, 1.0), 0.0)
    has = np.asarray(mapping.sum(axis=1)).ravel() > 0
    f[~has] = np.nan
    return f, b, has
