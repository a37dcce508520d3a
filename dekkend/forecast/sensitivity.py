"""Sensitivity of the cohort model to the distance decay of school choice.

Without pupils by home postcode the decay cannot be estimated, so dekkend starts
from the cited prior (each extra km 30% less attractive) and publishes how much
the back-test and the forecast move when the decay is different.
"""

from __future__ import annotations

import pandas as pd

from dekkend.forecast.backtest import _actual, _match_rows
from dekkend.forecast.choice import PRIOR_LOSS_PER_KM, ChoiceParameters
from dekkend.forecast.models import CohortModel

#: The decay values of the published run (loss of attractiveness per km).
LOSSES = (0.10, 0.20, 0.30, 0.40, 0.50)


def _wape(d: pd.DataFrame) -> float:
    return float((d["verwacht"] - d["werkelijk"]).abs().sum() / d["werkelijk"].sum())


def decay_sensitivity(
    tables: dict[str, pd.DataFrame],
    as_of: int,
    target: int,
    losses: tuple[float, ...] = LOSSES,
    *,
    forecast_as_of: int | None = None,
    horizon: int = 15,
) -> pd.DataFrame:
    """Back-test WAPE (matched vestigingen and BRINs, ``as_of`` -> ``target``) per decay value, and optionally how
    far the forecast made as of ``forecast_as_of`` moves from the one with the prior decay.

    Columns: ``verlies_per_km``, ``wape_vestiging``, ``wape_brin``, ``totaal_doeljaar`` and, with
    ``forecast_as_of``, ``verschuiving_vestiging`` (sum over vestigingen of the absolute difference with
    the prior-decay forecast in the last forecast year, over the sum of that forecast) and ``totaal_prognose``.
    """
    rows = []
    actual = _actual(tables, (target,), None)
    later: dict[float, pd.Series] = {}
    for loss in sorted(set(losses) | ({PRIOR_LOSS_PER_KM} if forecast_as_of is not None else set())):
        model = CohortModel(choice=ChoiceParameters.from_loss(loss)).fit(tables, as_of)
        fc = model.predict(target - as_of)
        fc = (
            fc[fc["jaar"] == target]
            .groupby(["vestigingscode", "jaar"], as_index=False)["verwacht"]
            .sum()
            .assign(model="cohort")
        )
        origin = model.prepared.origin
        ves = _match_rows(tables, fc, actual, origin, "vestiging", True)
        brin = _match_rows(tables, fc, actual, origin, "brin", True)
        row = {
            "verlies_per_km": loss,
            "wape_vestiging": _wape(ves),
            "wape_brin": _wape(brin),
            "totaal_doeljaar": fc["verwacht"].sum(),
        }
        if forecast_as_of is not None:
            f2 = CohortModel(choice=ChoiceParameters.from_loss(loss)).fit(tables, forecast_as_of).predict(horizon)
            last = f2["jaar"].max()
            later[loss] = f2[f2["jaar"] == last].groupby("vestigingscode")["verwacht"].sum()
        if loss in losses:
            rows.append(row)
    out = pd.DataFrame(rows)
    if forecast_as_of is not None:
        ref = later[PRIOR_LOSS_PER_KM]
        out["verschuiving_vestiging"] = [
            float((later[x].reindex(ref.index).fillna(0) - ref).abs().sum() / ref.sum()) for x in out["verlies_per_km"]
        ]
        out["totaal_prognose"] = [float(later[x].sum()) for x in out["verlies_per_km"]]
    return out
