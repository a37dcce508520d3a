"""The reachability table per PC4 x onderwijstype and the indicators against the norm distance."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dekkend.coverage.kinds import REACH_KINDS
from dekkend.errors import ConfiguratieFout
from dekkend.geo import Nearest

RADII = (3.0, 5.0, 10.0)

TABLE_COLUMNS = [
    "pc4",
    "onderwijstype",
    "afstand_km",
    "reistijd_fiets_min",
    "aantal_binnen_3km",
    "aantal_binnen_5km",
    "aantal_binnen_10km",
    "kinderen_12_17",
]
INDICATOR_COLUMNS = [
    "regio",
    "jaar",
    "onderwijstype",
    "aandeel_binnen_norm",
    "gem_km",
    "p90_km",
    "kinderen_buiten_norm",
    "pc4_buiten_norm",
]

#: The norm distance: secondary school further than 12 km by bicycle is "niet wenselijk"
#: (commissie-Dijkgraaf, *Adviesrapport aanpak leerlingendaling in het voortgezet onderwijs*,
#: March 2019, as reported by the VO-raad); the same 12 km as the policy rule on
#: "redelijke afstand".
DEFAULT_NORM_KM = 12.0


@dataclass(frozen=True)
class Norms:
    """The norm distance in km, by default :data:`DEFAULT_NORM_KM`, per onderwijstype if wanted."""

    default_km: float = DEFAULT_NORM_KM
    per_kind: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        problems = [f"onbekend onderwijstype '{k}'" for k in self.per_kind if k not in REACH_KINDS]
        problems += [
            f"normafstand {v} km is niet positief" for v in [self.default_km, *self.per_kind.values()] if v <= 0
        ]
        if problems:
            raise ConfiguratieFout("norm: " + "; ".join(problems) + f" (onderwijstypen: {', '.join(REACH_KINDS)})")

    @classmethod
    def parse(cls, specs: Iterable[str]) -> Norms:
        """From ``["12", "pro=20", "profiel:groen=15"]``: a bare number is the default."""
        default, per_kind = DEFAULT_NORM_KM, {}
        for spec in specs:
            key, sep, value = spec.partition("=")
            try:
                number = float((value if sep else key).strip().replace(",", "."))
            except ValueError:
                raise ConfiguratieFout(
                    f"norm '{spec}' niet begrepen; gebruik km of onderwijstype=km, bijv. 12 of pro=20"
                ) from None
            if sep:
                per_kind[key.strip()] = number
            else:
                default = number
        return cls(default, per_kind)

    def km(self, kind: str) -> float:
        """The norm distance for one kind."""
        return float(self.per_kind.get(kind, self.default_km))


def reach_table(
    pc4: np.ndarray, nearest: Nearest, children: pd.Series, kinds: tuple[str, ...] = REACH_KINDS
) -> pd.DataFrame:
    """One row per PC4 x onderwijstype with the columns of :data:`TABLE_COLUMNS`.

    ``children`` (PC4 index) gives ``kinderen_12_17``; a PC4 it lacks gets 0,
    and an empty series (no population data at all) leaves the column empty.
    """
    n, k = len(pc4), len(kinds)
    kids = children.reindex(pd.Index(pc4)).fillna(0.0).to_numpy(float) if len(children) else np.full(n, np.nan)
    out = pd.DataFrame(
        {
            "pc4": np.repeat(np.asarray(pc4, dtype=object), k),
            "onderwijstype": np.tile(np.asarray(kinds, dtype=object), n),
            "afstand_km": nearest.km.T.ravel(),
            "reistijd_fiets_min": nearest.minutes.T.ravel(),
        }
    )
    for r, radius in enumerate(nearest.radii):
        out[f"aantal_binnen_{radius:g}km"] = nearest.counts[:, r, :].T.ravel()
    out["kinderen_12_17"] = np.repeat(kids, k)
    return out[TABLE_COLUMNS]


def _weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    order = np.argsort(values, kind="stable")
    v, w = values[order], weights[order]
    cum = np.cumsum(w)
    if cum[-1] <= 0:
        return float("nan")
    pos = int(np.searchsorted(cum, q * cum[-1] - 1e-9))
    return float(v[min(pos, len(v) - 1)])


def indicator_rows(
    nearest: Nearest,
    children: np.ndarray | None,
    norms: Norms,
    regio: str,
    jaar: int,
    kinds: tuple[str, ...] = REACH_KINDS,
) -> pd.DataFrame:
    """The indicators of one year (one row per onderwijstype, :data:`INDICATOR_COLUMNS`).

    Shares, mean and 90th percentile are weighted by the children aged 12-17;
    without children data (``None`` or all zero) every PC4 weighs the same and
    ``kinderen_buiten_norm`` stays empty. A PC4 without any offering counts as
    beyond the norm and is left out of the mean; ``pc4_buiten_norm`` counts
    the PC4s with children (all PC4s without children data) beyond the norm.
    """
    n = nearest.km.shape[1]
    weighted = children is not None and len(children) == n and np.nansum(children) > 0
    w = np.nan_to_num(np.asarray(children, float)) if weighted else np.ones(n)
    inhabited = w > 0
    rows = []
    for i, kind in enumerate(kinds):
        d = nearest.km[i]
        finite = np.isfinite(d)
        within = finite & (d <= norms.km(kind))
        total = w.sum()
        share = float(w[within].sum() / total) if total > 0 else float("nan")
        mean = float((w[finite] * d[finite]).sum() / w[finite].sum()) if w[finite].sum() > 0 else float("nan")
        p90 = _weighted_quantile(np.where(finite, d, np.inf), w, 0.9) if n else float("nan")
        rows.append(
            {
                "regio": regio,
                "jaar": int(jaar),
                "onderwijstype": kind,
                "aandeel_binnen_norm": share,
                "gem_km": mean,
                "p90_km": p90 if np.isfinite(p90) else float("nan"),
                "kinderen_buiten_norm": float(w[~within].sum()) if weighted else float("nan"),
                "pc4_buiten_norm": int((~within & inhabited).sum()),
            }
        )
    return pd.DataFrame(rows, columns=INDICATOR_COLUMNS)
