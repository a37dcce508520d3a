"""The school-choice model: calibration, conservation, monotonicity, offer changes and the decay estimate."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from forecast_fixtures import choice_region, herkomst_csv
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dekkend.errors import ConfiguratieFout
from dekkend.forecast import LEVELS, ChoiceModel, ChoiceParameters, estimate_decay, herkomst_flows, reallocation
from dekkend.forecast.decay import decay_parameters
from dekkend.ingest import import_paths
from dekkend.workspace import Workspace


@pytest.fixture(scope="module")
def region():
    return choice_region(np.random.default_rng(7))


def test_calibration_reproduces_observed_intake_within_one_pupil(region):
    areas, offer, children, intake = region
    model = ChoiceModel.from_frames(areas, offer)
    cal = model.calibrate(children, intake)
    got = cal.model.intake(children * cal.transition)
    assert cal.converged and np.abs(got - intake).max() < 1.0
    assert cal.transition == pytest.approx(intake.sum() / children.sum())


def test_calibration_per_level_reproduces_each_level(region):
    areas, offer, children, intake = region
    model = ChoiceModel.from_frames(areas, offer)
    by_level = offer[list(LEVELS)].to_numpy(float) * intake[:, None]
    by_level = by_level / by_level.sum(axis=1, keepdims=True) * intake[:, None]
    cal = model.calibrate(children, by_level)
    got = cal.model.intake(children * cal.transition, by_level=True)
    assert np.abs(got - by_level).max() < 1.0
    shares = cal.model.area_shares
    assert np.allclose(shares.sum(axis=1), 1.0)


def test_conservation_children_allocated_equal_transition_times_cohort(region):
    areas, offer, children, intake = region
    cal = ChoiceModel.from_frames(areas, offer).calibrate(children, intake)
    p = cal.model.probabilities()
    assert np.allclose(np.asarray(p.sum(axis=1)).ravel(), 1.0)
    later = children * np.linspace(0.7, 1.2, len(children))  # any other cohort
    allocated = cal.model.intake(later * cal.transition)
    assert allocated.sum() == pytest.approx(cal.transition * later.sum())
    flows = cal.model.flows(later * cal.transition)
    assert flows["leerlingen"].sum() == pytest.approx(cal.transition * later.sum())


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10_000), st.floats(0.05, 0.95), st.integers(0, 5))
def test_moving_a_home_closer_never_lowers_its_probability(seed, step, school):
    areas, offer, children, intake = choice_region(np.random.default_rng(seed))
    cal = ChoiceModel.from_frames(areas, offer).calibrate(children, intake)
    i = int(np.argmax(children))
    before = cal.model.probabilities()[i, school]
    target = offer.loc[school, ["x_rd", "y_rd"]].to_numpy(float)
    moved = areas.copy()
    moved.loc[i, ["x_rd", "y_rd"]] = areas.loc[i, ["x_rd", "y_rd"]].to_numpy(float) * (1 - step) + target * step
    closer = ChoiceModel.from_frames(moved, offer)
    closer = ChoiceModel(
        closer.areas,
        closer.schools,
        closer.offers,
        closer.km,
        np.maximum(closer.radius, cal.model.radius),
        cal.model.level_shares,
        cal.model.params,
        cal.model.attractiveness,
        cal.model.area_shares,
    )
    assert closer.probabilities()[i, school] >= before - 1e-12


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10_000), st.floats(150_000, 160_000), st.floats(445_000, 455_000), st.booleans())
def test_adding_a_vestiging_never_raises_another_intake(seed, x, y, vwo_only):
    areas, offer, children, intake = choice_region(np.random.default_rng(seed))
    cal = ChoiceModel.from_frames(areas, offer).calibrate(children, intake)
    levels = {lev: (lev == "vwo") if vwo_only else True for lev in LEVELS}
    new = pd.DataFrame([{"vestigingscode": "99ZZ00", "x_rd": x, "y_rd": y, **levels}])
    after = cal.model.change_offer(open=new)
    kids = children * cal.transition
    r = reallocation(cal.model, after, kids)
    old = r[r["vestigingscode"] != "99ZZ00"]
    assert (old["verschil"] <= 1e-9).all()
    assert r["na"].sum() == pytest.approx(r["voor"].sum())  # the new one takes what the others lose


def test_closing_a_vestiging_moves_its_pupils_to_the_others(region):
    areas, offer, children, intake = region
    cal = ChoiceModel.from_frames(areas, offer).calibrate(children, intake)
    kids = children * cal.transition
    closed = offer["vestigingscode"].iloc[0]
    r = reallocation(cal.model, cal.model.change_offer(close=[closed]), kids)
    gone = r.set_index("vestigingscode").loc[closed]
    assert gone["na"] == 0 and gone["voor"] > 0
    assert (r.loc[r["vestigingscode"] != closed, "verschil"] >= -1e-9).all()
    assert r["na"].sum() == pytest.approx(r["voor"].sum())


def test_dropping_a_level_keeps_children_in_their_level(region):
    areas, offer, children, intake = region
    cal = ChoiceModel.from_frames(areas, offer).calibrate(children, intake)
    kids = children * cal.transition
    code = offer.loc[offer["vwo"], "vestigingscode"].iloc[0]
    after = cal.model.change_offer(levels=pd.DataFrame([{"vestigingscode": code, "vwo": False}]))
    before_l = cal.model.intake(kids, by_level=True).sum(axis=0)
    after_l = after.intake(kids, by_level=True).sum(axis=0)
    assert after_l == pytest.approx(before_l)  # nobody changes level
    row = list(after.codes).index(code)
    assert after.intake(kids, by_level=True)[row, LEVELS.index("vwo")] == 0


def test_bad_changes_and_parameters_are_dutch(region):
    areas, offer, children, intake = region
    model = ChoiceModel.from_frames(areas, offer)
    with pytest.raises(ConfiguratieFout, match="onbekend"):
        model.change_offer(close=["XXXX00"])
    with pytest.raises(ConfiguratieFout, match="tussen 0 en 1"):
        ChoiceParameters.from_loss(1.5)
    with pytest.raises(ConfiguratieFout, match="mist kolommen"):
        ChoiceModel.from_frames(areas, offer.drop(columns=["havo"]))
    assert ChoiceParameters.from_loss(0.3).decay_per_km == pytest.approx(-math.log(0.7))


def test_decay_estimated_from_a_herkomst_file_in_duo_format(tmp_path):
    """Flows drawn from a known decay, written as DUO's pupils-by-home-postcode file, imported, estimated back."""
    rng = np.random.default_rng(11)
    areas, offer, children, intake = choice_region(rng, n_side=7)
    truth = ChoiceParameters.from_loss(0.25)
    model = ChoiceModel.from_frames(areas, offer, params=truth).calibrate(children, intake).model
    p = model.probabilities().toarray()
    flows = np.array([rng.multinomial(int(n), row / row.sum()) for n, row in zip(children * 3, p, strict=True)])
    path = herkomst_csv(
        tmp_path / "02.-leerlingen-per-vestiging-naar-postcode-en-leerjaar-2019-2020.csv", areas, offer, flows
    )
    ws = Workspace(tmp_path / "w")
    import_paths([path], ws)
    herkomst = ws.table("leerlingen_herkomst")
    got, year = herkomst_flows({"leerlingen_herkomst": herkomst})
    assert year == 2019 and got["leerlingen"].sum() == flows.sum()
    est = estimate_decay(ChoiceModel.from_frames(areas, offer), got, schooljaar=year)
    assert est.loss_per_km == pytest.approx(0.25, abs=0.03)
    assert est.standard_error > 0 and len(est.profile) > 5


def test_decay_parameters_fall_back_to_the_calibrated_default_without_herkomst(region):
    params, source = decay_parameters({}, 2019)
    assert source == "kalibratie" and params.decay_per_km == ChoiceParameters().decay_per_km
