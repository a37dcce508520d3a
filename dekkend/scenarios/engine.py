"""Running a scenario: the forecast "zonder ingrijpen", then pupils moved by the choice model, year by year.

How pupils move (``docs/scenarios.md``):

* Pupils of an offering that stops (or of a vestiging that closes) choose again
  among the vestigingen that offer the same type or profiel that year, anywhere
  in the country. Where they live is estimated from the choice model: the
  pupils of vestiging ``k`` come from home area ``i`` in proportion to
  ``P[i,k] * children_i``. From area ``i`` they go to ``j`` in proportion to
  ``P[i,j]`` over the remaining candidates (the logit's independence of
  irrelevant alternatives), so no pupil is lost and a closure never lowers
  another vestiging's intake.
* A new location (or an offering moved to another vestiging) attracts, from each
  area, the share the choice model gives it after the change, taken from the
  pupils of the same type at the other vestigingen.
* Remote lessons keep the offer but make it less attractive by ``nutsverlies``.
* Shared profielen (uitbesteding) keep the pupils registered at their own
  school but count them in the group at the host.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields

import numpy as np
import pandas as pd
from scipy import sparse

from dekkend.cache import DerivedCache
from dekkend.coverage.children import children_12_17
from dekkend.coverage.kinds import is_openbaar
from dekkend.errors import ConfiguratieFout
from dekkend.forecast import make_model, sum_band
from dekkend.forecast.asof import as_of as restrict
from dekkend.forecast.choice import (
    BOUND,
    CALIBRATED_DECAY,
    ChoiceModel,
    ChoiceParameters,
    _cost_km,
    _road_km,
)
from dekkend.regions import Region
from dekkend.scenarios.format import (
    Afstandsonderwijs,
    ConcentreerBovenbouw,
    DeelProfiel,
    DenominatieEis,
    Fuseer,
    Nevenvestiging,
    Scenario,
    VerplaatsAanbod,
)
from dekkend.scenarios.offer import base_offer, offer_in_year, offer_key

NUMERIC = ["verwacht", "laag80", "hoog80", "laag95", "hoog95"]
#: Column of the scenario rows naming the vestiging a row was forecast for (moved pieces keep it).
SOURCE = "_prognose_van"
#: Candidates receiving less than this share of a group of moving pupils are left out (the rest renormalised).
MIN_SHARE = 1e-3
#: Destination of pupils for whom no school anywhere offers what they follow.
NO_OFFER = "geen-aanbod"
#: A measure sends its pupils to the vestiging it names, except from home areas where the choice
#: model gives another offering at least this many times the probability of that destination
#: (a utility advantage of ln 3 = 1.1, under the calibrated decay about that many generalised km:
#: see ``docs/scenarios.md``). dekkend's own choice.
CLEARLY_BETTER = 3.0
#: Distance decay per generalised km used when pupils choose again: the calibrated decay of the choice
#: model, the same one the forecast uses (``docs/methods/choice.md``, "Het verval kalibreren").
SCENARIO_DECAY = CALIBRATED_DECAY
#: Utility bonus for a receiver of the same board / the same denomination as the school the pupils
#: leave: the bootstrap medians over the real closures 2016/2017-2019 at the calibrated decay (board 1.5,
#: 95% 0-2; denomination 0, 95% 0-1.5: the data do not support a denomination term;
#: ``docs/methods/choice.md``).
SAME_BOARD_TERM = 1.5
SAME_DENOMINATION_TERM = 0.0
UPPER = {
    "pro": range(1, 7),
    "vmbo-b": (3, 4),
    "vmbo-k": (3, 4),
    "vmbo-g": (3, 4),
    "vmbo-t": (3, 4),
    "havo": (4, 5),
    "vwo": (4, 5, 6),
}


#: Measures that name a destination for their pupils.
Directed = VerplaatsAanbod | Fuseer | ConcentreerBovenbouw


def row_key(onderwijstype: str, profiel: object, leerjaar: float | None) -> str:
    """The offer key a forecast row needs at its school: its type (and profiel), or ``onderbouw``."""
    lj = int(leerjaar) if leerjaar is not None and pd.notna(leerjaar) else 0
    if onderwijstype in UPPER and lj in UPPER[onderwijstype]:
        return offer_key(onderwijstype, profiel if isinstance(profiel, str) else None)
    if onderwijstype in ("totaal",):
        return "totaal"
    return "onderbouw"


@dataclass(frozen=True, eq=False)
class Market:
    """The choice model's view used to move pupils: areas x vestigingen probabilities and distances."""

    areas: np.ndarray
    codes: np.ndarray
    prob: np.ndarray
    km: np.ndarray
    children: np.ndarray
    openbaar: np.ndarray
    utility: np.ndarray | None = None
    board: np.ndarray | None = None
    denomination: np.ndarray | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {c: i for i, c in enumerate(self.codes)})

    def column(self, code: str) -> int | None:
        """The column of a vestigingscode, or None when the choice model does not know it."""
        return self._index.get(code)  # type: ignore[attr-defined]

    def origin_of(self, code: str) -> np.ndarray:
        """Where the pupils of ``code`` live: weights over areas summing to 1."""
        j = self.column(code)
        if j is None:
            return np.zeros(len(self.areas))
        w = self.prob[:, j] * self.children
        if w.sum() <= 0:
            w = np.exp(-self.km[:, j]) * self.children
        return w / w.sum() if w.sum() > 0 else w

    def _choice(
        self, candidates: list[str], public_only: bool, limit_km: float, code_from: str | None = None
    ) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """Per area the probability of choosing each candidate among ``candidates`` (rows sum to 1).

        Also their columns and names.

        With ``code_from`` the candidates of its board and denomination get :data:`SAME_BOARD_TERM`
        and :data:`SAME_DENOMINATION_TERM`.
        """
        found = [(c, j) for c in candidates if (j := self.column(c)) is not None]
        cols = np.array([j for _, j in found], dtype=int)
        names = [c for c, _ in found]
        if not len(cols):
            return np.zeros((len(self.prob), 0)), cols, []
        if self.utility is not None:  # the logit among the candidates: every location that teaches counts
            u = self.utility[:, cols] + self._loyalty(code_from, cols)[None, :]
            p = np.exp(u - u.max(axis=1, keepdims=True))
        else:
            p = self.prob[:, cols].copy()
        if public_only:
            ok = self.openbaar[cols][None, :] & (self.km[:, cols] <= limit_km)
            p = np.where(ok.any(axis=1, keepdims=True), np.where(ok, p, 0.0), p)
        none = p.sum(axis=1) <= 0
        if none.any():  # nobody in reach of the choice set: the nearest candidate
            near = np.argmin(self.km[np.ix_(none, cols)], axis=1)
            p[np.flatnonzero(none), near] = 1.0
        return p / p.sum(axis=1, keepdims=True), cols, names

    def _loyalty(self, code_from: str | None, cols: np.ndarray) -> np.ndarray:
        j = None if code_from is None else self.column(code_from)
        out = np.zeros(len(cols))
        if j is None:
            return out
        if self.board is not None:
            out += SAME_BOARD_TERM * (self.board[cols] == self.board[j])
        if self.denomination is not None:
            out += SAME_DENOMINATION_TERM * (self.denomination[cols] == self.denomination[j])
        return out

    def rechoose(
        self, weights: np.ndarray, candidates: list[str], public_only: bool = False, limit_km: float = 12.0
    ) -> tuple[np.ndarray, list[str]]:
        """Share going to each candidate for pupils living per ``weights`` (rows: areas), and their names."""
        q, _, names = self._choice(candidates, public_only, limit_km)
        if not names:
            return np.zeros(0), []
        return weights @ q, names

    def move(
        self,
        weights: np.ndarray,
        code_from: str,
        candidates: list[str],
        public_only: bool = False,
        limit_km: float = 12.0,
    ) -> tuple[np.ndarray, list[str], np.ndarray]:
        """Pupils of ``code_from`` living per ``weights`` (areas) choosing again among ``candidates``.

        Returns the share going to each candidate (as :meth:`rechoose`), the names, and the mean
        extra km per pupil who moves to each: the movers to a candidate live where ``weights``
        times the choice of that candidate puts them (who switches to a nearby school mostly
        lives near it).
        """
        q, cols, names = self._choice(candidates, public_only, limit_km, code_from)
        if not names:
            return np.zeros(0), [], np.zeros(0)
        total, km = self._flow_km(weights, q, cols, code_from)
        return total, names, km

    def _flow_km(
        self, weights: np.ndarray, q: np.ndarray, cols: np.ndarray, code_from: str
    ) -> tuple[np.ndarray, np.ndarray]:
        """Pupils living per ``weights`` (areas) choosing per ``q`` (areas x candidate ``cols``): the share
        reaching each candidate, and the mean extra km per pupil moving to it (0 where none moves,
        or when ``code_from`` is unknown to the market)."""
        flows = np.asarray(weights, float).ravel()[:, None] * q
        total = flows.sum(axis=0)
        j_old = self.column(code_from)
        if j_old is None:
            return total, np.zeros(len(cols))
        delta = self.km[:, cols] - self.km[:, [j_old]]
        km = np.where(total > 0, (flows * delta).sum(axis=0) / np.where(total > 0, total, 1.0), 0.0)
        return total, km

    def extra_km(self, code_from: str, names: list[str]) -> np.ndarray:
        """Mean extra km per pupil of ``code_from`` (living per :meth:`origin_of`) when all of them go to each of
        ``names``."""
        j_old = self.column(code_from)
        cols = [self.column(c) for c in names]
        if j_old is None or any(c is None for c in cols):
            return np.zeros(len(names))
        w = self.origin_of(code_from)
        return np.array([float(w @ (self.km[:, c] - self.km[:, j_old])) for c in cols])

    def move_to(
        self,
        weights: np.ndarray,
        code_from: str,
        candidates: list[str],
        destination: str,
        public_only: bool = False,
        limit_km: float = 12.0,
    ) -> tuple[np.ndarray, list[str], np.ndarray]:
        """As :meth:`move`, for pupils a measure sends to ``destination``.

        From every home area the pupils go to ``destination``, except where another
        candidate is clearly better (:data:`CLEARLY_BETTER` times the destination's
        probability): there they choose by the model among the destination and those
        clearly better alternatives.
        """
        q, cols, names = self._choice(candidates, public_only, limit_km, code_from)
        if destination not in names:
            return self.move(weights, code_from, candidates, public_only, limit_km)
        d = names.index(destination)
        better = q >= CLEARLY_BETTER * q[:, [d]]
        better &= q > 0
        better[:, d] = True
        r = np.where(better, q, 0.0)
        only = better.sum(axis=1) == 1
        r[only] = 0.0
        r[only, d] = 1.0
        r = r / np.maximum(r.sum(axis=1, keepdims=True), 1e-300)
        total, km = self._flow_km(weights, r, cols, code_from)
        return total, names, km


def governing(scenario: Scenario, year: int, code: str, key: str, region: tuple[str, ...]) -> Directed | None:
    """The last measure in force in ``year`` that names a destination for the pupils of offering ``key`` at ``code``.

    ``verplaats-aanbod``, ``fuseer`` and ``concentreer-bovenbouw`` name one; ``stop-aanbod``
    and ``sluit-vestiging`` do not (``None``: the pupils choose freely).
    """
    found: Directed | None = None
    for m in scenario.maatregelen:
        if m.vanaf > year:
            continue
        if isinstance(m, VerplaatsAanbod) and m.van == code and _key_of(key, m.onderwijstype, m.profiel):
            found = m
        elif isinstance(m, Fuseer) and code in m.vestigingen and code != m.naar:
            found = m
        elif (
            isinstance(m, ConcentreerBovenbouw)
            and code in (m.van or tuple(c for c in region if c != m.naar))
            and _key_of(key, m.onderwijstype, None)
        ):
            found = m
    return found


def destination(scenario: Scenario, year: int, code: str, key: str, region: tuple[str, ...]) -> str | None:
    """The vestiging the measure in force in ``year`` names for the pupils of offering ``key`` at ``code``.

    See :func:`governing`.
    """
    m = governing(scenario, year, code, key, region)
    return None if m is None else m.naar


def first_year_of(key: str) -> int | None:
    """The first leerjaar of the years an offer key stands for (vwo: 4, a vmbo leerweg: 3, pro and onderbouw: 1)."""
    typ = key.split("/")[0]
    if typ in UPPER:
        return min(UPPER[typ])
    return 1 if typ == "onderbouw" else None


def enrolled_before(year: int, leerjaar: float | None, key: str, start: int) -> bool:
    """Whether a pupil in ``leerjaar`` in ``year`` was already in the years of ``key`` before ``start``.

    A pupil in leerjaar ``L`` in ``year`` entered the years of ``key`` (first leerjaar
    ``f``) in ``year - (L - f)``; one who entered before the measure's first year is
    already enrolled in the department the measure moves. Unknown leerjaar: not enrolled.
    """
    first = first_year_of(key)
    if first is None or leerjaar is None or pd.isna(leerjaar):
        return False
    return year - (int(leerjaar) - first) < start


def department_follows(m: Directed, code: str, market: Market) -> bool:
    """Whether the enrolled pupils of ``code`` follow their department to ``m.naar`` (:data:`FOLLOW_RULE`).

    A merger (``fuseer``) makes one school: its pupils stay enrolled. A move or a
    concentration follows when source and destination belong to the same (known) board:
    the pupils keep their school board and track. Between boards they would have to
    enrol at another school, and choose as everyone else.
    """
    if isinstance(m, Fuseer):
        return True
    if market.board is None:
        return False
    a, b = market.column(code), market.column(m.naar)
    if a is None or b is None:
        return False
    return str(market.board[a]) not in ("?", "", "nan", "<NA>") and market.board[a] == market.board[b]


def _key_of(key: str, typ: str, profiel: str | None) -> bool:
    """Whether offer ``key`` belongs to type ``typ`` (and ``profiel`` when given)."""
    if profiel:
        return key == offer_key(typ, profiel)
    return key == typ or key.startswith(typ + "/")


def calibrated_model(
    tables: dict[str, pd.DataFrame], origin: int, decay: float | None = None, cache: DerivedCache | None = None
) -> tuple[ChoiceModel, np.ndarray]:
    """The choice model of the count year calibrated on the counted intake, and the children per area and age.

    It depends only on the workspace tables and ``origin``, not on a scenario: a
    :class:`dekkend.scenarios.Baseline` computes it once (``Baseline.choice``) for all
    scenarios of a region. With ``cache`` (the werkmap's :class:`dekkend.cache.DerivedCache`)
    it is computed once per data version, count year and decay, and read from the werkmap after
    that: the same numbers, bit for bit (``tests/test_cache.py``).
    """
    origin, b = int(origin), SCENARIO_DECAY if decay is None else float(decay)
    if cache is None:
        return _calibrate(tables, origin, b)
    return cache.get(
        "keuzemodel",
        {"peiljaar": origin, "verval": b},
        lambda: _calibrate(tables, origin, b),
        _encode_choice,
        _decode_choice,
    )


def _encode_choice(choice: tuple[ChoiceModel, np.ndarray]) -> dict[str, np.ndarray | pd.DataFrame]:
    """The calibrated model and children as cache parts: every field of :class:`ChoiceModel`, by type."""
    model, children = choice
    parts: dict[str, np.ndarray | pd.DataFrame] = {"children": np.asarray(children, float)}
    for f in fields(model):
        value = getattr(model, f.name)
        if isinstance(value, pd.DataFrame):
            parts[f.name] = value
        elif isinstance(value, sparse.csr_matrix):
            for part in ("data", "indices", "indptr"):
                parts[f"{f.name}.{part}"] = getattr(value, part)
            parts[f"{f.name}.shape"] = np.asarray(value.shape, np.int64)
        elif isinstance(value, ChoiceParameters):
            parts[f.name] = np.frombuffer(json.dumps(asdict(value)).encode(), np.uint8)
        elif isinstance(value, np.ndarray):
            parts[f.name] = value
        elif value is not None:
            raise TypeError(f"ChoiceModel.{f.name}: {type(value).__name__} cannot be cached")
    return parts


def _decode_choice(parts: Mapping[str, np.ndarray | pd.DataFrame]) -> tuple[ChoiceModel, np.ndarray]:
    """The inverse of :func:`_encode_choice` (a missing optional field is ``None``)."""
    values: dict[str, object] = {}
    for f in fields(ChoiceModel):
        if f"{f.name}.shape" in parts:
            data, indices, indptr, shape = (
                np.asarray(parts[f"{f.name}.{p}"]) for p in ("data", "indices", "indptr", "shape")
            )
            rows, cols = (int(n) for n in shape)
            values[f.name] = sparse.csr_matrix((data, indices, indptr), shape=(rows, cols))
        elif f.name == "params":
            values[f.name] = ChoiceParameters(**json.loads(np.asarray(parts[f.name]).tobytes()))
        elif f.name in parts:
            values[f.name] = parts[f.name]
        else:
            values[f.name] = None
    return ChoiceModel(**values), np.asarray(parts["children"], float)  # type: ignore[arg-type]


def _calibrate(tables: dict[str, pd.DataFrame], origin: int, decay: float) -> tuple[ChoiceModel, np.ndarray]:
    known = restrict(tables, origin)
    model = ChoiceModel.from_tables(known, origin, params=ChoiceParameters(decay_per_km=decay))
    kids = children_12_17(known, origin).per_pc4 if len(model.areas) else pd.Series(dtype=float)
    children = kids.reindex(model.areas["pc4"].astype(str)).fillna(0.0).to_numpy(float) / 6.0
    intake = model.schools["instroom_leerlingen"].to_numpy(float) if "instroom_leerlingen" in model.schools else None
    if intake is not None and intake.sum() > 0 and children.sum() > 0:
        try:
            model = model.calibrate(children, intake).model
        except ConfiguratieFout:
            pass  # keep the distance-only model; documented
    return model, children


def build_market(
    tables: dict[str, pd.DataFrame],
    origin: int,
    extra: pd.DataFrame | None = None,
    region: tuple[str, ...] | None = None,
    decay: float | None = None,
    *,
    choice: tuple[ChoiceModel, np.ndarray] | None = None,
    cache: DerivedCache | None = None,
) -> Market:
    """The calibrated choice model of the count year (plus new locations in ``extra``).

    With ``region`` the market keeps only the home areas that send pupils to the
    region's vestigingen (or to the new locations) and the vestigingen those areas
    can choose: the rest of the country cannot receive the region's pupils. The
    calibration (:func:`calibrated_model`) is computed here unless ``choice`` gives it
    (``Baseline.choice``, shared by all scenarios of a region), or read from ``cache`` when it
    holds it; the new locations and the restriction are per call.
    """
    model, children_all = choice if choice is not None else calibrated_model(tables, origin, decay, cache)
    if extra is not None and len(extra):
        model = model.change_offer(open=extra)
    probs = model.probabilities().tocsc()
    codes_all = model.codes.astype(str)
    rows_keep = np.ones(len(model.areas), dtype=bool)
    cols_keep = np.ones(len(codes_all), dtype=bool)
    if region is not None:
        focus = set(region) | (set(extra["vestigingscode"]) if extra is not None and len(extra) else set())
        fcols = np.flatnonzero(np.isin(codes_all, list(focus)))
        feed = np.asarray(probs[:, fcols].sum(axis=1)).ravel()
        rows_keep = feed > 1e-6
        sub = probs.tocsr()[rows_keep]
        cols_keep = np.asarray((sub > 0).sum(axis=0)).ravel() > 0
        cols_keep[fcols] = True
    prob = probs.tocsr()[rows_keep][:, np.flatnonzero(cols_keep)].toarray()
    model = _subset(model, rows_keep, cols_keep)
    km = _road_km(model.areas, model.schools)  # water crossings as in the reachability matrix
    utility = _location_value(model, tables)[None, :] - model.params.decay_per_km * _cost_km(model.areas, model.schools)
    ves = tables["vestigingen"].drop_duplicates("vestigingscode").set_index("vestigingscode")
    public = (
        is_openbaar(ves["denominatie"]).reindex(model.codes).fillna(False).to_numpy(bool)
        if "denominatie" in ves
        else np.zeros(len(model.codes), bool)
    )
    if extra is not None and "denominatie" in extra.columns:
        new = dict(zip(extra["vestigingscode"], is_openbaar(extra["denominatie"]), strict=True))
        public = np.array([new.get(c, p) for c, p in zip(model.codes, public, strict=True)])
    codes = pd.Series(model.codes.astype(str))
    board = codes.map(ves["bestuur"].astype(str)).fillna("?").to_numpy(object) if "bestuur" in ves else None
    denom = codes.map(ves["denominatie"].astype(str)).fillna("?").to_numpy(object) if "denominatie" in ves else None
    if extra is not None and len(extra):
        new_d = (
            dict(zip(extra["vestigingscode"], extra["denominatie"].astype(str), strict=True))
            if "denominatie" in extra
            else {}
        )
        denom = (
            None
            if denom is None
            else np.array([new_d.get(c, d) for c, d in zip(codes, denom, strict=True)], dtype=object)
        )
    return Market(
        model.areas["pc4"].astype(str).to_numpy(),
        model.codes.astype(str),
        prob,
        km,
        children_all[rows_keep],
        public,
        utility,
        board,
        denom,
    )


def _location_value(model: ChoiceModel, tables: dict[str, pd.DataFrame]) -> np.ndarray:
    """Log attractiveness per vestiging for pupils who choose again (any leerjaar).

    The calibrated first-year attractiveness (log-sum over the levels it takes); a location
    that takes no first-years (an upper-years building) gets that of the other locations of
    its school (same BRIN), else the median: it teaches, so it is a real alternative.
    """
    a = model._alpha()
    shares = np.broadcast_to(model.level_shares, a.shape)
    with np.errstate(all="ignore"):
        value = np.log(
            np.where(np.isfinite(a) & (a > -BOUND), np.exp(np.clip(a, -BOUND, BOUND)) * shares, 0.0).sum(axis=1)
        )
    codes = pd.Series(model.codes.astype(str))
    known = np.isfinite(value)
    median = float(np.median(value[known])) if known.any() else 0.0
    by_brin = pd.Series(value[known], index=codes[known].str[:4].to_numpy()).groupby(level=0).max()
    fill = codes.str[:4].map(by_brin).fillna(median).to_numpy(float)
    return np.where(known, value, fill)


def _subset(model: ChoiceModel, rows: np.ndarray, cols: np.ndarray) -> ChoiceModel:
    """The model restricted to some areas and vestigingen (only for distances and names)."""
    from dataclasses import replace

    return replace(
        model,
        areas=model.areas[rows].reset_index(drop=True),
        schools=model.schools[cols].reset_index(drop=True),
        offers=model.offers[cols],
        km=model.km[np.flatnonzero(rows)][:, np.flatnonzero(cols)].tocsr(),
        radius=model.radius[rows],
        attractiveness=None if model.attractiveness is None else np.asarray(model.attractiveness)[cols],
        area_shares=None if model.area_shares is None else np.asarray(model.area_shares)[rows],
    )


@dataclass(frozen=True, eq=False)
class Moved:
    """Rows of the scenario forecast plus the moves that made them."""

    forecast: pd.DataFrame
    moves: pd.DataFrame
    shared: pd.DataFrame


def _by_key(offer: set[tuple[str, str]]) -> dict[str, list[str]]:
    """Per offer key the vestigingen offering it, sorted; ``totaal``: every vestiging with any offer."""
    found: dict[str, set[str]] = {}
    for v, k in offer:
        found.setdefault(k, set()).add(v)
    index = {k: sorted(codes) for k, codes in found.items()}
    index["totaal"] = sorted({v for v, _ in offer})
    return index


def _candidates(index: dict[str, list[str]], key: str, exclude: set[str]) -> list[str]:
    """The vestigingen offering ``key`` (:func:`_by_key`), sorted, without ``exclude``."""
    return [c for c in index.get(key, ()) if c not in exclude]


def receivers(index: Mapping[str, Iterable[str]], key: str, code: str) -> tuple[list[str], str]:
    """Where the pupils of a stopped offering ``key`` of vestiging ``code`` choose again, and the key they arrive in.

    ``index`` gives per key the vestigingen offering it. The candidates are those
    offering ``key`` (sorted, without ``code``); when nobody else offers a profiel,
    those offering its leerweg (any profiel), and the pupils arrive in the leerweg.
    Used by :func:`apply_scenario` (step 1) and :mod:`dekkend.optimise.flows`.
    """
    own = sorted({str(c) for c in index.get(key, ())} - {code})
    if own or "/" not in key:
        return own, key
    leerweg = key.split("/")[0]
    fallback = {str(c) for k, codes in index.items() if k == leerweg or k.startswith(leerweg + "/") for c in codes}
    return sorted(fallback - {code}), leerweg


def _covered(code: str, key: str, offer: set[tuple[str, str]], base: set[tuple[str, str]]) -> bool:
    """Whether ``offer`` has what a forecast row with ``key`` at ``code`` needs.

    That is its profiel if the base lists it, else its leerweg.
    """
    if (code, key) in base or "/" not in key:
        return (code, key) in offer
    return (code, key.split("/")[0]) in offer


def lost_offerings(
    rows: Iterable[tuple[str, str]], base: set[tuple[str, str]], offer: set[tuple[str, str]]
) -> list[tuple[str, str]]:
    """The (vestiging, key) pairs of forecast rows whose offering the scenario takes away.

    Only what the measures change counts: a row the base offer did not cover either (a
    few pupils forecast in a type the school does not list) stays where it is, unless
    the scenario closes the whole vestiging; ``totaal`` rows (no type detail) move when
    their vestiging closes.
    """
    open_now = {v for v, _ in offer}
    open_before = {v for v, _ in base}
    out = []
    for code, key in rows:
        closed = code in open_before and code not in open_now
        if key == "totaal":
            if code not in open_now:
                out.append((code, key))
        elif closed or (_covered(code, key, base, base) and not _covered(code, key, offer, base)):
            out.append((code, key))
    return out


def apply_scenario(
    forecast: pd.DataFrame,
    scenario: Scenario,
    market: Market,
    aanbod: pd.DataFrame,
    origin: int,
    region: Region,
    norm_km: float = 12.0,
) -> Moved:
    """Move the pupils of ``forecast`` (zonder ingrijpen) as the scenario's measures require, year by year."""
    base = base_offer(aanbod, origin)
    f = forecast.copy()
    f[SOURCE] = f["vestigingscode"]  # moved pieces keep the vestiging they were forecast for (see merge_rows)
    f["sleutel"] = [row_key(t, p, lj) for t, p, lj in zip(f["onderwijstype"], f["profiel"], f["leerjaar"], strict=True)]
    moves: list[dict] = []
    shared: list[dict] = []
    public_rule = [m.vanaf for m in scenario.maatregelen if isinstance(m, DenominatieEis)]
    out_parts = []
    for year, rows in f.groupby("jaar", sort=True):
        offer = offer_in_year(base, scenario, int(year), tuple(region.vestigingen))
        rows = rows.copy()
        public_only = bool(public_rule) and year >= min(public_rule)
        # 1. pupils whose school no longer offers what they follow choose again
        present = set(offer)
        index = _by_key(offer)
        lost = lost_offerings(
            rows[["vestigingscode", "sleutel"]].drop_duplicates().itertuples(index=False), base, present
        )
        add_rows = []
        values = rows[NUMERIC].to_numpy(float, copy=True)
        codes_arr = rows["vestigingscode"].to_numpy(object)
        keys_arr = rows["sleutel"].to_numpy(object)
        leerjaar_arr = rows["leerjaar"].to_numpy(object)
        for code, key in lost:
            idx = np.flatnonzero((codes_arr == code) & (keys_arr == key))
            if float(values[idx, 0].sum()) <= 0:
                values[idx] = 0.0
                continue
            m = governing(scenario, int(year), code, key, tuple(region.vestigingen))
            follow = np.zeros(len(idx), dtype=bool)
            cands, _ = receivers(index, key, code)  # nobody else offers this profiel: the leerweg's vestigingen
            if m is not None and m.naar in cands and department_follows(m, code, market):
                follow = np.array([enrolled_before(int(year), leerjaar_arr[i], key, m.vanaf) for i in idx], dtype=bool)
            if m is not None and follow.any():
                add_rows += _send_group(
                    rows,
                    values,
                    idx[follow],
                    code,
                    key,
                    int(year),
                    market,
                    [m.naar],
                    np.ones(1),
                    market.extra_km(code, [m.naar]),
                    moves,
                    "volgt de afdeling",
                )
            rest = idx[~follow]
            if not len(rest) or float(values[rest, 0].sum()) <= 0:
                values[rest] = 0.0
                continue
            from_public = bool(market.openbaar[market.column(code)]) if market.column(code) is not None else False
            dest = None if m is None else m.naar
            if dest is not None and dest in cands:
                share, names, km = market.move_to(
                    market.origin_of(code), code, cands, dest, public_only and from_public, norm_km
                )
            else:
                share, names, km = market.move(
                    market.origin_of(code), code, cands, public_only and from_public, norm_km
                )
            if not names:  # no school anywhere offers it: the pupils leave the count, recorded as such
                moves.append(
                    {
                        "jaar": int(year),
                        "van": code,
                        "naar": NO_OFFER,
                        "aanbod": key,
                        "leerlingen": float(values[rest, 0].sum()),
                        "extra_km_per_leerling": 0.0,
                        "reden": "nergens aanbod",
                    }
                )
                values[rest] = 0.0
                continue
            add_rows += _send_group(
                rows,
                values,
                rest,
                code,
                key,
                int(year),
                market,
                names,
                share,
                km,
                moves,
                None if dest is None else dest,
            )
        rows[NUMERIC] = values
        if add_rows:
            rows = pd.concat([rows, *add_rows], ignore_index=True)
        # 2. new locations and moved offerings attract pupils of the same kind
        rows = _attract(rows, scenario, market, int(year), offer, index, moves)
        # 3. remote lessons make an offering less attractive
        rows = _remote(rows, scenario, market, int(year), index, moves)
        # 4. shared profielen: registered at home, taught at the host (unless elsewhere is clearly better)
        rows = _share(rows, scenario, market, int(year), index, moves, shared)
        out_parts.append(rows)
    out = pd.concat(out_parts, ignore_index=True)
    out["profiel"] = out["profiel"].astype(object).where(out["profiel"].notna(), "")
    agg = merge_rows(out)
    agg["profiel"] = agg["profiel"].replace("", None)
    return Moved(
        agg,
        pd.DataFrame(moves, columns=["jaar", "van", "naar", "aanbod", "leerlingen", "extra_km_per_leerling", "reden"]),
        pd.DataFrame(shared, columns=["jaar", "van", "naar", "aanbod", "leerlingen"]),
    )


def merge_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """One forecast row per vestiging, year, type, profiel and leerjaar from the pieces ``rows`` (after the moves).

    ``verwacht`` adds up. A row made of one piece keeps its band; a row made of several
    (a receiver's own pupils plus those moved in) gets the band of a sum as every total in
    dekkend does (:func:`dekkend.forecast.aggregate.sum_band`, ``docs/methods/forecast.md``,
    "Intervallen van een som"): pieces forecast for the same vestiging (column
    :data:`SOURCE`) err together, pieces from different vestigingen almost independently.
    Adding the quantiles instead would treat them all as erring the same way at once and
    over-widen the band. Without :data:`SOURCE` every piece counts as its row's own.
    """
    keys = ["vestigingscode", "jaar", "onderwijstype", "profiel", "leerjaar"]
    groups = rows.groupby(keys, dropna=False, sort=True)
    agg = groups.agg(
        verwacht=("verwacht", "sum"),
        laag80=("laag80", "sum"),
        hoog80=("hoog80", "sum"),
        laag95=("laag95", "sum"),
        hoog95=("hoog95", "sum"),
        methode=("methode", "first"),
    ).reset_index()
    gid = groups.ngroup().to_numpy()  # the row of ``agg`` each piece lands in (same sorted order)
    merged = np.bincount(gid, minlength=len(agg))[gid] > 1
    if not merged.any():
        return agg
    pieces = rows[merged]
    source = pieces[SOURCE] if SOURCE in pieces else pieces["vestigingscode"]
    pieces = pieces.assign(_rij=gid[merged], vestigingscode=source)
    for level in (80, 95):
        band = sum_band(pieces, level, by="_rij")
        at = band["_rij"].to_numpy(int)
        m = agg["verwacht"].to_numpy(float)[at]
        agg.loc[at, f"laag{level}"] = np.minimum(band["laag"].to_numpy(float), m)
        agg.loc[at, f"hoog{level}"] = np.maximum(band["hoog"].to_numpy(float), m)
    return agg


def _send_group(
    rows: pd.DataFrame,
    values: np.ndarray,
    idx: np.ndarray,
    code: str,
    key: str,
    year: int,
    market: Market,
    names: list[str],
    share: np.ndarray,
    km: np.ndarray,
    moves: list[dict],
    rule: str | None,
) -> list[pd.DataFrame]:
    """Move the pupils of rows ``idx`` of ``code`` to ``names`` in proportion to ``share``; sets their values to 0.

    ``rule`` names the reason: ``None`` (the offering stops: free choice), ``volgt de afdeling``
    (every pupil to the one name), or the measure's destination (``maatregel`` for it,
    ``elders duidelijk beter`` for the others). Shares below :data:`MIN_SHARE` are dropped.
    """
    n = float(values[idx, 0].sum())
    if not len(idx) or n <= 0:
        values[idx] = 0.0
        return []
    km_by = dict(zip(names, km, strict=True))
    share = np.asarray(share, float)
    keep = share > MIN_SHARE * share.sum()
    share = share[keep] / share[keep].sum()
    names = [nm for nm, k in zip(names, keep, strict=True) if k]
    block = rows.iloc[idx]
    moved = block.loc[block.index.repeat(len(names))].reset_index(drop=True)
    moved["vestigingscode"] = np.tile(np.array(names, dtype=object), len(idx))
    moved[NUMERIC] = np.repeat(values[idx], len(names), axis=0) * np.tile(share, len(idx))[:, None]
    moved["methode"] = moved["methode"].astype(str) + "+scenario"
    for name, sh in zip(names, share, strict=True):
        reason = (
            "aanbod stopt"
            if rule is None
            else rule
            if rule == "volgt de afdeling"
            else "maatregel"
            if name == rule
            else "elders duidelijk beter"
        )
        moves.append(
            {
                "jaar": year,
                "van": code,
                "naar": name,
                "aanbod": key,
                "leerlingen": n * sh,
                "extra_km_per_leerling": float(km_by.get(name, 0.0)),
                "reden": reason,
            }
        )
    values[idx] = 0.0
    return [moved]


def _share(
    rows: pd.DataFrame,
    scenario: Scenario,
    market: Market,
    year: int,
    index: dict[str, list[str]],
    moves: list[dict],
    shared: list[dict],
) -> pd.DataFrame:
    """``deel-profiel``: the pupils of the profiel take it at the partner and stay enrolled at home.

    As for a move within a board: pupils already in the profiel's years follow; later
    entrants go to the partner unless another offering is clearly better
    (:meth:`Market.move_to`); those few enrol at that other school.
    """
    extra: list[pd.DataFrame] = []
    for m in scenario.maatregelen:
        if not isinstance(m, DeelProfiel) or m.vanaf > year:
            continue
        key = offer_key(m.onderwijstype, m.profiel)
        idx = np.flatnonzero((rows["vestigingscode"] == m.van).to_numpy() & (rows["sleutel"] == key).to_numpy())
        values = rows[NUMERIC].to_numpy(float, copy=True)
        cands = [c for c in index.get(key, ()) if c != m.van]
        entrants = np.array([not enrolled_before(year, rows["leerjaar"].iat[i], key, m.vanaf) for i in idx], dtype=bool)
        sub = idx[entrants]
        if m.naar in cands and len(sub) and float(values[sub, 0].sum()) > 0:
            q, names, km = market.move_to(market.origin_of(m.van), m.van, cands, m.naar)
            if m.naar in names:
                others = [i for i, nm in enumerate(names) if nm != m.naar and q[i] > MIN_SHARE * q.sum()]
                if others:
                    part = float(q[others].sum() / q.sum())
                    block = np.zeros_like(values)
                    block[sub] = values[sub] * part
                    extra += _send_group(
                        rows,
                        block,
                        sub,
                        m.van,
                        key,
                        year,
                        market,
                        [names[i] for i in others],
                        q[others],
                        km[others],
                        moves,
                        m.naar,
                    )
                    values[sub] *= 1 - part
                    rows[NUMERIC] = values
        shared.append(
            {"jaar": year, "van": m.van, "naar": m.naar, "aanbod": key, "leerlingen": float(values[idx, 0].sum())}
        )
    return pd.concat([rows, *extra], ignore_index=True) if extra else rows


def _attract(
    rows: pd.DataFrame,
    scenario: Scenario,
    market: Market,
    year: int,
    offer: set[tuple[str, str]],
    index: dict[str, list[str]],
    moves: list[dict],
) -> pd.DataFrame:
    newcomers: list[tuple[str, set[str]]] = []
    for m in scenario.maatregelen:
        if m.vanaf > year:
            continue
        if isinstance(m, Nevenvestiging):
            newcomers.append((m.code, {k for v, k in offer if v == m.code}))
        elif isinstance(m, VerplaatsAanbod | ConcentreerBovenbouw):
            continue  # the moved pupils already chose; other schools' pupils stay
    extra: list[pd.DataFrame] = []
    if not newcomers:
        return rows
    groups = _Groups(rows)
    for code, keys in newcomers:
        j = market.column(code)
        if j is None:
            continue
        for key in sorted(keys):  # a set: sorted for a reproducible order of the moves
            extra += _attract_to(groups, market, index, code, j, key, year, moves)
    if not extra:
        return rows
    rows[NUMERIC] = groups.values
    return pd.concat([rows, *extra], ignore_index=True)


def _attract_to(
    groups: _Groups,
    market: Market,
    index: dict[str, list[str]],
    code: str,
    j: int,
    key: str,
    year: int,
    moves: list[dict],
) -> list[pd.DataFrame]:
    """The pupils of offering ``key`` at other vestigingen that switch to the new location ``code`` (column ``j``)."""
    # only the vestigingen the (regional) market knows: q's columns follow this list
    known = [(c, col) for c in _candidates(index, key, set()) if (col := market.column(c)) is not None]
    cands = [c for c, _ in known]
    if code not in cands:
        return []
    p = market.prob[:, [col for _, col in known]]
    q = p / np.where(p.sum(axis=1, keepdims=True) > 0, p.sum(axis=1, keepdims=True), 1.0)
    pos = cands.index(code)
    extra = []
    for other in cands:
        if other == code:
            continue
        idx = groups.rows(other, key)
        n = groups.pupils(idx)
        if n <= 0:
            continue
        movers = market.origin_of(other) * q[:, pos]  # where the switching pupils live
        share = float(movers.sum())
        if share <= 1e-9:
            continue
        j_other = market.column(other)
        km = float(movers @ (market.km[:, j] - market.km[:, j_other]) / share) if j_other is not None else 0.0
        extra.append(groups.take(idx, code, share))
        groups.values[idx] = groups.values[idx] * (1 - share)
        moves.append(
            {
                "jaar": year,
                "van": other,
                "naar": code,
                "aanbod": key,
                "leerlingen": n * share,
                "extra_km_per_leerling": km,
                "reden": "nieuwe locatie",
            }
        )
    return extra


class _Groups:
    """The numbers of ``rows`` as an array, found by vestiging and offer key without pandas masks.

    Moving pupils changes :attr:`values`; the caller writes them back to ``rows``.
    """

    def __init__(self, rows: pd.DataFrame) -> None:
        self.frame = rows
        self.values = rows[NUMERIC].to_numpy(float, copy=True)
        self._where: dict[tuple[str, str], list[int]] = {}
        for i, k in enumerate(
            zip(rows["vestigingscode"].to_numpy(object), rows["sleutel"].to_numpy(object), strict=True)
        ):
            self._where.setdefault(k, []).append(i)

    def rows(self, code: str, key: str) -> np.ndarray:
        """Positions of the rows of vestiging ``code`` with offer key ``key`` (in frame order)."""
        return np.asarray(self._where.get((code, key), ()), dtype=int)

    def pupils(self, idx: np.ndarray) -> float:
        """The expected pupils of these rows (missing values count as 0, as ``Series.sum``)."""
        return float(np.nansum(self.values[idx, 0])) if len(idx) else 0.0

    def take(self, idx: np.ndarray, code: str, share: float) -> pd.DataFrame:
        """The rows ``idx`` moved to ``code`` with ``share`` of their numbers."""
        moved = self.frame.iloc[idx].assign(vestigingscode=code)
        moved[NUMERIC] = self.values[idx] * share
        return moved


def _remote(
    rows: pd.DataFrame, scenario: Scenario, market: Market, year: int, index: dict[str, list[str]], moves: list[dict]
) -> pd.DataFrame:
    extra = []
    for m in scenario.maatregelen:
        if not isinstance(m, Afstandsonderwijs) or m.vanaf > year:
            continue
        wanted = offer_key(m.onderwijstype, m.profiel)
        here = rows.loc[rows["vestigingscode"] == m.vestiging, "sleutel"].unique()
        keys = [k for k in here if k == wanted or (m.profiel is None and k.startswith(m.onderwijstype + "/"))]
        for key in keys:
            extra += _remote_key(rows, m, key, market, year, index, moves)
    return pd.concat([rows, *extra], ignore_index=True) if extra else rows


def _remote_key(
    rows: pd.DataFrame,
    m: Afstandsonderwijs,
    key: str,
    market: Market,
    year: int,
    index: dict[str, list[str]],
    moves: list[dict],
) -> list[pd.DataFrame]:
    """Move the pupils who leave one remote offering (``key``) of ``m.vestiging``; updates ``rows`` in place."""
    mask = (rows["vestigingscode"] == m.vestiging) & (rows["sleutel"] == key)
    n = float(rows.loc[mask, "verwacht"].sum())
    cands = _candidates(index, key, set())
    if n <= 0 or m.vestiging not in cands or len(cands) < 2 or market.column(m.vestiging) is None:
        return []
    known = [(c, col) for c in cands if (col := market.column(c)) is not None]
    cands = [c for c, _ in known]
    p = market.prob[:, [col for _, col in known]]
    pos = cands.index(m.vestiging)
    tot = p.sum(axis=1)
    p0 = np.where(tot > 0, p[:, pos] / np.where(tot > 0, tot, 1), 0.0)
    p1 = (1 - m.nutsverlies) * p0 / np.maximum((1 - m.nutsverlies) * p0 + (1 - p0), 1e-12)
    leave = np.where(p0 > 0, 1 - p1 / np.where(p0 > 0, p0, 1), 0.0)
    leavers = market.origin_of(m.vestiging) * leave
    others = [c for c in cands if c != m.vestiging]
    share, names, km = market.move(leavers, m.vestiging, others)
    km_by = dict(zip(names, km, strict=True))
    block = rows.loc[mask]
    values = block[NUMERIC].to_numpy(float)
    going = [(name, s) for name, s in zip(names, share.ravel(), strict=True) if s > 1e-12]
    for name, s in going:
        moves.append(
            {
                "jaar": year,
                "van": m.vestiging,
                "naar": name,
                "aanbod": key,
                "leerlingen": n * s,
                "extra_km_per_leerling": float(km_by[name]),
                "reden": "afstandsonderwijs",
            }
        )
    out = []
    if going:  # the block once per receiving vestiging, in the order of ``names``
        moved = block.iloc[np.tile(np.arange(len(block)), len(going))].copy()
        moved["vestigingscode"] = np.repeat(np.array([name for name, _ in going], dtype=object), len(block))
        moved[NUMERIC] = np.vstack([values * s for _, s in going])
        out.append(moved)
    rows.loc[mask, NUMERIC] = values * (1 - float(share.sum()))
    return out


def baseline_forecast(
    tables: dict[str, pd.DataFrame],
    region: Region,
    horizon: int,
    as_of: int | None = None,
    cache: DerivedCache | None = None,
) -> tuple[pd.DataFrame, int]:
    """The cohort forecast "zonder ingrijpen" for the region and its origin year.

    With ``cache`` (the werkmap's :class:`dekkend.cache.DerivedCache`) it is computed once per
    data version, set of vestigingen, horizon and count year, and read from the werkmap after that.
    """
    codes = tuple(region.vestigingen)
    pupils = tables["leerlingen"]
    as_of = int(pupils.loc[pupils["vestigingscode"].isin(codes), "schooljaar"].max()) if as_of is None else as_of

    def compute() -> tuple[pd.DataFrame, int]:
        model = make_model("cohort", cache=cache).fit(tables, as_of, codes)
        return model.predict(horizon), int(model.prepared.origin)

    if cache is None:
        return compute()
    params = {"vestigingen": sorted(codes), "horizon": int(horizon), "peiljaar": int(as_of)}
    return cache.get("prognose", params, compute, _encode_forecast, _decode_forecast)


def _encode_forecast(result: tuple[pd.DataFrame, int]) -> dict[str, np.ndarray | pd.DataFrame]:
    return {"forecast": result[0], "origin": np.asarray(result[1], np.int64)}


def _decode_forecast(parts: Mapping[str, np.ndarray | pd.DataFrame]) -> tuple[pd.DataFrame, int]:
    forecast = parts["forecast"]
    if not isinstance(forecast, pd.DataFrame):
        raise TypeError("stored forecast is not a table")
    return forecast, int(np.asarray(parts["origin"]))
