"""Calibrating the distance decay: likelihood, mean-trip matching, cluster bootstrap (issue 17)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from dekkend.errors import ConfiguratieFout
from dekkend.forecast.choice import LEVELS, ChoiceModel, ChoiceParameters
from dekkend.forecast.decay_fit import (
    DecayProblem,
    match_mean_km,
    po_problem,
    predicted_mean_km,
    school_means,
)

TRUE_DECAY = 0.45


def _world(seed: int = 1, n_areas: int = 60, n_schools: int = 18) -> tuple[ChoiceModel, np.ndarray]:
    """A 20 x 20 km region, one choice level, random attractiveness; decay :data:`TRUE_DECAY`."""
    rng = np.random.default_rng(seed)
    areas = pd.DataFrame(
        {
            "pc4": [str(1000 + i) for i in range(n_areas)],
            "x_rd": rng.uniform(0, 20_000, n_areas),
            "y_rd": rng.uniform(0, 20_000, n_areas),
        }
    )
    offer = pd.DataFrame(
        {
            "vestigingscode": [f"{i:02d}XX00" for i in range(n_schools)],
            "x_rd": rng.uniform(0, 20_000, n_schools),
            "y_rd": rng.uniform(0, 20_000, n_schools),
        }
    )
    for lev in LEVELS:
        offer[lev] = lev == "havo"
    shares = np.array([float(lev == "havo") for lev in LEVELS])
    model = ChoiceModel.from_frames(
        areas,
        offer,
        level_shares=shares,
        params=ChoiceParameters(decay_per_km=TRUE_DECAY, radius_km=40.0),
    )
    alpha = np.where(model.offers, rng.normal(0.0, 0.7, n_schools)[:, None], -np.inf)
    children = rng.uniform(50, 400, n_areas)
    return replace(model, attractiveness=alpha), children


def _flows(model: ChoiceModel, children: np.ndarray, rng: np.random.Generator | None = None) -> pd.DataFrame:
    """Expected flows, or multinomial draws per area with ``rng``; cluster = area index // 6."""
    p = model.probabilities().toarray()
    rows = []
    for i, n in enumerate(children):
        counts = p[i] * n if rng is None else rng.multinomial(int(n), p[i] / p[i].sum())
        rows += [
            (model.areas["pc4"].iloc[i], model.codes[j], float(c), str(i // 6)) for j, c in enumerate(counts) if c > 0
        ]
    return pd.DataFrame(rows, columns=["pc4", "vestigingscode", "leerlingen", "groep"])


def test_likelihood_and_mean_matching_recover_the_decay_and_agree():
    model, children = _world()
    problem = DecayProblem.from_flows(model, _flows(model, children))
    ml = problem.estimate()
    matched = problem.match_mean()
    assert ml == pytest.approx(TRUE_DECAY, rel=0.02)
    # the likelihood equation of the decay is "modelled mean trip = observed mean trip"
    assert matched == pytest.approx(ml, rel=0.01)
    assert problem.predicted_mean_km(ml) == pytest.approx(problem.observed_mean_km(), rel=0.005)


def test_mean_matching_on_a_biased_geometry_misses_the_decay():
    """A mean measured on shorter distances (straight line, not road) reads as a stronger decay."""
    model, children = _world(seed=3)
    problem = DecayProblem.from_flows(model, _flows(model, children))
    biased = problem.match_mean(problem.observed_mean_km() / 1.3)
    assert biased > 1.15 * TRUE_DECAY


def test_modelled_mean_trip_falls_as_the_decay_grows():
    model, children = _world(seed=5)
    intake = model.intake(children)
    means = [predicted_mean_km(model, children, intake, b) for b in (0.1, 0.3, 0.6, 1.2)]
    assert all(a > b for a, b in zip(means, means[1:], strict=False))
    near = np.zeros(len(children), bool)
    near[:10] = True
    assert predicted_mean_km(model, children, intake, 0.3, near) > 0


def test_unreachable_mean_is_a_clear_error():
    model, children = _world(seed=7)
    with pytest.raises(ConfiguratieFout, match="niet te halen"):
        match_mean_km(model, children, model.intake(children), 500.0)


def test_cluster_bootstrap_interval_contains_the_truth():
    model, children = _world(seed=11)
    flows = _flows(model, children, np.random.default_rng(4))
    problem = DecayProblem.from_flows(model, flows, cluster="groep")
    ml = problem.estimate()
    boot = problem.bootstrap(lambda w: problem.estimate(w, bounds=(ml / 3, ml * 3)), ml, replicates=20, seed=2)
    assert boot.low <= TRUE_DECAY <= boot.high
    assert boot.low < ml < boot.high
    assert len(boot.draws) == 20


def test_primary_schools_of_one_province(shared_data, tmp_path):
    """Real data: the DUO primary file by home postcode, Zeeland only."""
    from dekkend.ingest import import_paths
    from dekkend.workspace import Workspace

    ws = Workspace(tmp_path / "w")
    duo = shared_data / "duo"
    import_paths(
        [
            duo / "03.-leerlingen-po-per-gemeente-postcode-leerling-leeftijd-2017.csv.gz",
            duo / "03.-alle-vestigingen-bo-2020.xls",
            duo / "po-vestigingen-leeftijd-coordinaten-2013.csv",
            duo / "po-gemiddelde-afstand-woonadres-schoolvestiging-2019-2020.csv",
            shared_data / "geo" / "pc4-centroiden.csv",
        ],
        ws,
    )
    tables = ws.tables()
    problem = po_problem(tables, "Zeeland")
    assert problem.flow.sum() > 20_000
    b = problem.estimate()
    # primary pupils travel short: a much stronger decay than the vo prior (0.357 per km)
    assert 0.4 < b < 2.0
    assert problem.predicted_mean_km(b) == pytest.approx(problem.observed_mean_km(), rel=0.01)
    means = school_means(problem, tables["po_afstand"])
    assert len(means) > 100
    # DUO's mean distance is shorter than dekkend's road km between PC4 centroid and school
    ratio = (means["duo_km"] * means["leerlingen"]).sum() / (means["model_km"] * means["leerlingen"]).sum()
    assert 0.5 < ratio < 1.0
