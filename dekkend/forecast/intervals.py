"""Prediction intervals around a point forecast.

Forecast I uses a documented parametric rule; Forecast II replaces the
parameters by values calibrated on back-test errors. The relative error of a
forecast ``h`` years ahead is log-normal with standard deviation::

    s(h) = sqrt(sigma_year**2 * h + (sigma_beyond * b)**2 + 1 / max(m, 1))

where ``b`` counts the years the cohort lies beyond the observed children (the
births assumption) and the last term is the Poisson noise of a count ``m``.
Bounds are ``m * exp(-z s)`` and ``m * exp(z s)``, so
``laag95 <= laag80 <= verwacht <= hoog80 <= hoog95`` and nothing is negative.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

import numpy as np


@dataclass(frozen=True)
class IntervalRule:
    """Parameters of the interval rule (relative standard deviations)."""

    sigma_year: float = 0.045
    sigma_beyond: float = 0.03

    def bounds(self, mean: np.ndarray, horizon: np.ndarray, beyond: np.ndarray, level: int) -> tuple[np.ndarray, np.ndarray]:
        """Lower and upper bound of the central ``level``% interval."""
        mean = np.maximum(np.asarray(mean, float), 0.0)
        z = NormalDist().inv_cdf(0.5 + level / 200.0)
        s = np.sqrt(self.sigma_year**2 * np.asarray(horizon, float) + (self.sigma_beyond * np.asarray(beyond, float)) ** 2
                    + 1.0 / np.maximum(mean, 1.0))
        return mean * np.exp(-z * s), mean * np.exp(z * s)
