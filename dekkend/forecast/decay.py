"""The distance decay of school choice: the cited prior, or an estimate from pupils by home postcode.

Intake totals alone cannot identify the decay: any decay fits them once the
attractiveness is calibrated. Pupils by vestiging and home postcode (DUO ``02.
Leerlingen per vestiging naar postcode leerling en leerjaar``, table
``leerlingen_herkomst``) can: for a decay ``b`` the attractiveness is calibrated
to the observed intake per vestiging from the observed pupils per area, and the
profile log-likelihood of the flows is ``sum_ij F_ij log P_ij(b)``
(multinomial choices per area). The estimate maximises it (golden-section search
on ``log b``); its standard error comes from the curvature of the profile and
ignores that pupils of one postcode choose alike (it is too small).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dekkend.errors import ConfiguratieFout
from dekkend.forecast.choice import CALIBRATED_DECAY, ChoiceModel, ChoiceParameters, _cost_km
from dekkend.ingest._text import estimated_count

#: Leerjaar 1 alone is used when it has at least this many pupils, else all leerjaren.
MIN_FIRST_YEAR = 500
#: Search interval of the decay per km.
DECAY_BOUNDS = (0.02, 2.0)


@dataclass(frozen=True)
class DecayEstimate:
    """A distance decay estimated from origin-destination counts.

    ``profile`` holds the evaluated ``decay_per_km`` and ``loglik`` values.
    """

    decay_per_km: float
    standard_error: float
    pupils: float
    pairs: int
    schooljaar: int | None
    profile: pd.DataFrame

    @property
    def loss_per_km(self) -> float:
        """Share of attractiveness lost per extra km."""
        return 1.0 - math.exp(-self.decay_per_km)


def herkomst_flows(tables: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, int | None]:
    """Pupils per home PC4 and vestiging from the latest ``leerlingen_herkomst`` year.

    Columns ``pc4, vestigingscode, leerlingen``.

    Leerjaar 1 when it has at least :data:`MIN_FIRST_YEAR` pupils, else all leerjaren.
    """
    h = tables.get("leerlingen_herkomst")
    if h is None or h.empty:
        return pd.DataFrame(columns=["pc4", "vestigingscode", "leerlingen"]), None
    h = h[h["pc4"].notna()]
    if h.empty:
        return pd.DataFrame(columns=["pc4", "vestigingscode", "leerlingen"]), None
    year = int(h["schooljaar"].max())
    h = h[h["schooljaar"] == year].assign(n=lambda f: estimated_count(f))
    first = h[h["leerjaar"] == 1]
    use = first if first["n"].sum() >= MIN_FIRST_YEAR else h
    out = use.groupby(["pc4", "vestigingscode"], as_index=False)["n"].sum().rename(columns={"n": "leerlingen"})
    return out[out["leerlingen"] > 0].reset_index(drop=True), year


def _loglik(
    model: ChoiceModel, rows: np.ndarray, cols: np.ndarray, flow: np.ndarray, children: np.ndarray, intake: np.ndarray
) -> float:
    cal = model.calibrate(children, intake, tol=0.05)
    p = cal.model.probabilities().tocsr()
    prob = np.asarray(p[rows, cols]).ravel()
    return float((flow * np.log(np.maximum(prob, 1e-300))).sum())


def estimate_decay(
    model: ChoiceModel,
    flows: pd.DataFrame,
    *,
    bounds: tuple[float, float] = DECAY_BOUNDS,
    schooljaar: int | None = None,
) -> DecayEstimate:
    """Maximum-likelihood decay per km from ``flows`` (``pc4, vestigingscode, leerlingen``).

    Pupils from postcodes or to vestigingen the model does not know are left out.
    The model's candidate radius is widened to the longest observed trip.
    """
    apos = pd.Series(np.arange(len(model.areas)), index=model.areas["pc4"].astype(str).to_numpy())
    vpos = pd.Series(np.arange(len(model.codes)), index=model.codes)
    f = flows[flows["pc4"].astype(str).isin(apos.index) & flows["vestigingscode"].isin(vpos.index)]
    if f.empty or f["leerlingen"].sum() <= 0:
        raise ConfiguratieFout("herkomstbestand: geen leerlingen uit bekende postcodes naar bekende vestigingen")
    rows = apos[f["pc4"].astype(str)].to_numpy()
    cols = vpos[f["vestigingscode"]].to_numpy()
    flow = f["leerlingen"].to_numpy(float)
    trip = _cost_km(model.areas, model.schools)[rows, cols]
    reach = float(np.quantile(trip, 0.995)) + 5.0 if len(trip) > 200 else float(trip.max()) + 5.0
    keep = trip <= reach  # the longest 0.5% of trips (boarding, data errors) are left out
    rows, cols, flow = rows[keep], cols[keep], flow[keep]
    children = np.bincount(rows, weights=flow, minlength=len(model.areas))
    intake = np.bincount(cols, weights=flow, minlength=len(model.codes))
    wide = model.with_params(
        ChoiceParameters(decay_per_km=model.params.decay_per_km, radius_km=min(400.0, max(reach, 30.0)))
    )
    seen: dict[float, float] = {}

    def ll(log_b: float) -> float:
        b = math.exp(log_b)
        if b not in seen:
            m = wide.with_params(
                ChoiceParameters(
                    decay_per_km=b,
                    havo_bonus_km=model.params.havo_bonus_km,
                    vwo_bonus_km=model.params.vwo_bonus_km,
                    breadth_km=model.params.breadth_km,
                    radius_km=wide.params.radius_km,
                )
            )
            seen[b] = _loglik(m, rows, cols, flow, children, intake)
        return seen[b]

    lo, hi = math.log(bounds[0]), math.log(bounds[1])
    g = (math.sqrt(5) - 1) / 2
    a, b = lo, hi
    c, d = b - g * (b - a), a + g * (b - a)
    for _ in range(40):
        if abs(b - a) < 1e-3:
            break
        if ll(c) > ll(d):
            b, d = d, c
            c = b - g * (b - a)
        else:
            a, c = c, d
            d = a + g * (b - a)
    best = math.exp((a + b) / 2)
    h = 0.05 * best
    curv = (ll(math.log(best + h)) - 2 * ll(math.log(best)) + ll(math.log(best - h))) / h**2
    se = math.sqrt(-1.0 / curv) if curv < 0 else float("nan")
    profile = pd.DataFrame(sorted(seen.items()), columns=["decay_per_km", "loglik"])
    return DecayEstimate(best, se, float(flow.sum()), int(keep.sum()), schooljaar, profile)


def decay_parameters(
    tables: dict[str, pd.DataFrame], origin: int, xy: pd.DataFrame | None = None
) -> tuple[ChoiceParameters, str]:
    """The choice parameters to use: the decay estimated from ``leerlingen_herkomst`` when it is
    known (``tables`` already restricted), else the calibrated default (:data:`CALIBRATED_DECAY`,
    source ``"kalibratie"``). Returns the parameters and their source.
    ``xy`` (index vestigingscode, columns ``x_rd, y_rd``) overrides the vestiging locations."""
    flows, year = herkomst_flows(tables)
    if flows.empty:
        return ChoiceParameters(decay_per_km=CALIBRATED_DECAY), "kalibratie"
    model = ChoiceModel.from_tables(
        tables, origin, xy=None if xy is None else xy.rename_axis("vestigingscode").reset_index()
    )
    est = estimate_decay(model, flows, schooljaar=year)
    return ChoiceParameters(decay_per_km=est.decay_per_km), f"herkomst {year}"
