"""Monte Carlo draws of the uncertain inputs of the cohort model, for scenarios and input-uncertainty bands.

Each draw perturbs the inputs and runs the same projection as
:meth:`dekkend.forecast.models.CohortModel.roll`:

- **cohorts**: per gemeente a persistent error in the yearly net migration rate
  (``migration_per_year`` x the school years between a cohort's count and its
  entry) and in the births assumption (``births_per_year`` x the entry years
  beyond the observed cohorts);
- **transition**: one national factor on the transition rate (``transition``);
- **decay**: a distance decay from ``losses`` (loss of attractiveness per km),
  equally likely; for each the choice model is re-calibrated on the observed
  intake, so the draws differ in where future children go, not in the origin year.

The draws cover input uncertainty only. Reorganisations and shifting preferences
are in the calibrated intervals of the forecast (:mod:`dekkend.forecast.intervals`),
not here. Defaults: see :class:`Uncertainty` and ``docs/methods/forecast.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import sparse

from dekkend.errors import ConfiguratieFout
from dekkend.forecast.catchment import catchment_map
from dekkend.forecast.choice import ChoiceModel
from dekkend.forecast.prepare import LEERJAREN

#: Draws are projected in chunks of this many (memory: chunk x vestigingen x 6 per year).
CHUNK = 50


@dataclass(frozen=True)
class Uncertainty:
    """Standard deviations (log scale) of the uncertain inputs, and the decay grid.

    ``migration_per_year`` (1% per year, per gemeente) matches the spread of the
    gemeente back-test errors, which grow by about one percentage point per year of
    horizon (``docs/forecast-accuracy.md``); ``births_per_year`` (2%) is the width
    of the clip range of the births assumption divided by four; ``transition``
    (1%) the year-to-year change of the national ratio of VO pupils to cohorts in
    CBS 85701NED; ``losses`` the prior 30% per km +/- 10 points (the Amsterdam study
    concerns a city; elsewhere the decay is less certain).
    """

    migration_per_year: float = 0.01
    births_per_year: float = 0.02
    transition: float = 0.01
    losses: tuple[float, ...] = (0.2, 0.3, 0.4)

    def __post_init__(self) -> None:
        bad = [
            f"{n} {v}"
            for n, v in (
                ("migratie", self.migration_per_year),
                ("geboorten", self.births_per_year),
                ("overgang", self.transition),
            )
            if not 0.0 <= v <= 1.0
        ]
        bad += [f"verval {x}" for x in self.losses if not 0.0 < x < 1.0]
        if not self.losses:
            bad.append("geen vervalwaarden")
        if bad:
            raise ConfiguratieFout("onzekerheid buiten bereik: " + ", ".join(bad))


@dataclass(frozen=True, eq=False)
class Draws:
    """Vestiging totals per draw: ``totals`` has shape (draws, vestigingen, years), float32.

    ``loss`` is the decay (loss per km) of every draw.
    """

    codes: np.ndarray
    years: np.ndarray
    totals: np.ndarray
    loss: np.ndarray
    seed: int

    def quantiles(self, q: tuple[float, ...] = (0.025, 0.10, 0.5, 0.90, 0.975)) -> np.ndarray:
        """Quantiles over the draws: shape (len(q), vestigingen, years)."""
        return np.quantile(self.totals, q, axis=0)

    def summary(self) -> pd.DataFrame:
        """Per vestiging and year: ``gemiddelde, p2_5, p10, p50, p90, p97_5`` over the draws."""
        q = self.quantiles()
        n, t = len(self.codes), len(self.years)
        out = pd.DataFrame(
            {
                "vestigingscode": np.repeat(self.codes, t),
                "jaar": np.tile(self.years, n),
                "gemiddelde": self.totals.mean(axis=0).ravel(),
            }
        )
        for name, values in zip(("p2_5", "p10", "p50", "p90", "p97_5"), q, strict=True):
            out[name] = values.ravel()
        return out

    def long(self) -> pd.DataFrame:
        """Every draw as a row: ``trekking, vestigingscode, jaar, leerlingen`` (large: draws x vestigingen x years)."""
        d, n, t = self.totals.shape
        return pd.DataFrame(
            {
                "trekking": np.repeat(np.arange(d), n * t),
                "vestigingscode": np.tile(np.repeat(self.codes, t), d),
                "jaar": np.tile(self.years, d * n),
                "leerlingen": self.totals.ravel(),
            }
        )


def _gemeente_blocks(
    model: ChoiceModel, children: np.ndarray, gem_index: np.ndarray, n_gem: int, transition: float
) -> list[sparse.csr_matrix]:
    """Per entry year: intake (catchment vestigingen x gemeenten) of every gemeente's children."""
    p = model.probabilities().tocsr()
    h = sparse.csr_matrix(
        (np.ones(len(gem_index)), (np.arange(len(gem_index)), gem_index)), shape=(len(gem_index), n_gem)
    )
    out = []
    for e in range(children.shape[1]):
        weighted = sparse.diags(children[:, e] * transition) @ p
        out.append((weighted.T @ h).tocsr())
    return out


def simulate(
    forecaster: object,
    horizon: int,
    draws: int = 1000,
    *,
    seed: int = 0,
    uncertainty: Uncertainty | None = None,
    choice: ChoiceModel | None = None,
) -> Draws:
    """Monte Carlo draws of the vestiging totals of a fitted cohort model.

    Parameters
    ----------
    forecaster
        A :class:`~dekkend.forecast.models.CohortModel` after ``fit``.
    horizon
        Years after the forecast year, as in ``predict``.
    draws
        Number of draws (1-100,000).
    seed
        Start of the random generator: the same seed gives the same draws.
    uncertainty
        Standard deviations and decay grid (default :class:`Uncertainty`).
    choice
        A changed choice model (e.g. :meth:`ChoiceModel.change_offer` of the
        calibrated one) to draw a scenario; its attractiveness is kept and the decay
        is not re-drawn.
    """
    from dekkend.forecast.models import CohortModel

    if not isinstance(forecaster, CohortModel):
        raise ConfiguratieFout("trekkingen kunnen alleen met het cohortmodel")
    if not 1 <= draws <= 100_000:
        raise ConfiguratieFout(f"aantal trekkingen {draws} valt buiten 1-100.000")
    unc = uncertainty or Uncertainty()
    prep = forecaster.prepared
    years = list(range(prep.origin + 1, prep.as_of + horizon + 1))
    e0 = prep.origin - LEERJAREN
    _, base_b, has_kids = forecaster._catchment(prep, e0, max(years))
    cat = forecaster.catchment
    if cat is None:
        raise ConfiguratieFout("trekkingen: de werkmap heeft geen kinderen per postcode om te trekken")
    kids = cat.children
    gems, gem_index = np.unique(kids.gemeente.astype(str), return_inverse=True)
    first = np.zeros(len(gems), int)
    first[gem_index[::-1]] = np.arange(len(gem_index))[::-1]
    lead, beyond = kids.lead[first], kids.beyond[first]
    rng = np.random.default_rng(seed)
    z_mig = rng.standard_normal((draws, len(gems)))
    z_birth = rng.standard_normal((draws, len(gems)))
    z_tr = rng.standard_normal(draws)
    losses = np.array(unc.losses, float) if choice is None else np.array([choice.params.loss_per_km])
    pick = rng.integers(0, len(losses), draws)
    mapping = catchment_map(cat, prep.codes, prep.xy)
    out_years = [y for y in years if y > prep.as_of]
    totals = np.zeros((draws, len(prep.codes), len(out_years)), np.float32)
    base_model = cat.calibration.model
    for li, loss in enumerate(losses):
        members = np.flatnonzero(pick == li)
        if not len(members):
            continue
        if choice is not None:
            model, rate = choice, cat.calibration.transition
        else:
            params = replace(base_model.params, decay_per_km=-math.log(1.0 - loss))
            cal = base_model.with_params(params).calibrate(kids.children[:, kids.col(prep.origin)], cat.targets)
            model, rate = cal.model, cal.transition
        blocks = _gemeente_blocks(model, kids.children, gem_index, len(gems), rate)
        for start in range(0, len(members), CHUNK):
            d = members[start : start + CHUNK]
            shock = (
                unc.migration_per_year * z_mig[d][:, :, None] * lead[None]
                + unc.births_per_year * z_birth[d][:, :, None] * beyond[None]
                + unc.transition * z_tr[d][:, None, None]
            )
            factor = np.exp(shock)  # draws x gemeenten x entry years
            intake = np.stack([np.asarray(blocks[e] @ factor[:, :, e].T).T for e in range(len(blocks))], axis=-1)
            n_d, n_c, n_e = intake.shape
            flat = intake.transpose(1, 0, 2).reshape(n_c, n_d * n_e)
            f = np.asarray(mapping @ flat).reshape(len(prep.codes), n_d, n_e).transpose(1, 0, 2)
            f = np.where(has_kids[None, :, None], f, np.nan)
            tot, _, _ = forecaster.roll(prep, years, f, base_b, has_kids)
            for j, y in enumerate(out_years):
                totals[d, :, j] = tot[y].sum(axis=-1)
    return Draws(prep.codes, np.array(out_years), totals, losses[pick], seed)
