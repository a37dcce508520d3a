"""The numeric core: brute force confirms the optimum, infeasibility is explained, and the model's properties hold."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dekkend.errors import ConfiguratieFout
from dekkend.optimise import ViableCoverage, synthetic_instance
from dekkend.optimise.results import TIE_CHANGE


def _tie(model: ViableCoverage, ev) -> float:
    inside = ~model.ext
    return float((model.u[inside, 0] * ~ev.keep[inside]).sum()) + TIE_CHANGE * ev.changes


def _configurations(model: ViableCoverage):
    """Every keep vector that respects the nesting (a profiel needs its leerweg, a leerweg one profiel)."""
    units = []
    for h in np.flatnonzero(~model.ext & (model.parent < 0)):
        kids = [g for g in model.child_lists[h] if model.free[g]]
        fixed = [g for g in model.child_lists[h] if not model.free[g]]
        options = [] if model.locked[h] else [()]
        for bits in itertools.product([False, True], repeat=len(kids)):
            chosen = tuple(g for g, b in zip(kids, bits, strict=True) if b)
            if model.child_lists[h] and not (chosen or fixed):
                continue
            options.append((h, *chosen, *fixed))
        units.append(options)
    for combo in itertools.product(*units):
        keep = model.ext.copy()
        for opened in combo:
            keep[list(opened)] = True
        yield keep


def brute_force(model: ViableCoverage):
    """Every configuration of the decided offerings: the best feasible one (coverage, then fewest pupils moved)."""
    best = None
    for keep in _configurations(model):
        ev = model.evaluate(keep)
        if ev.feasible:
            key = (round(ev.objective, 6), -round(_tie(model, ev), 6))
            if best is None or key > best[0]:
                best = (key, ev)
    return None if best is None else best[1]


def _small(seed: int, assignment: str, **kwargs):
    inst = synthetic_instance(seed, n_areas=40, n_sites=4, offer_probability=0.35, years=2)
    return inst.model(assignment, **kwargs)


CASES = [(seed, a) for seed in (3, 4, 8, 10, 12, 14, 15, 22) for a in ("keuze", "dichtstbij", "geen")]


@pytest.mark.parametrize(("seed", "assignment"), CASES)
def test_brute_force_confirms_the_optimum(seed, assignment):
    model = _small(seed, assignment)
    assert model.free.sum() <= 14
    best = brute_force(model)
    sol = model.solve()
    assert sol.status == "optimaal"
    assert sol.evaluation.feasible
    assert sol.evaluation.objective == pytest.approx(best.objective, abs=1e-6)
    assert _tie(model, sol.evaluation) == pytest.approx(_tie(model, best), abs=1e-6)
    assert sol.gap <= 1e-4


@pytest.mark.parametrize("seed", [4, 10, 12])
def test_brute_force_with_change_limit_and_boards(seed):
    model = _small(seed, "keuze", max_changes=3, boards_keep=True)
    best = brute_force(model)
    sol = model.solve()
    if best is None:
        assert sol.status == "onhaalbaar" and sol.shortfalls
    else:
        assert sol.evaluation.objective == pytest.approx(best.objective, abs=1e-6)
        assert sol.evaluation.changes <= 3


def test_closest_assignment_moves_pupils_to_the_nearest_kept_offering():
    # two areas on a line, three sites of one type: pupils of the closed middle site go to the nearer one
    cost = np.array([[0.0, 5.0, 9.0], [9.0, 5.0, 0.0]])
    o = pd.DataFrame({"site": [0, 1, 2], "kind": ["havo"] * 3, "threshold": [60.0] * 3})
    homes = np.array([[1.0, 0.0], [0.7, 0.3], [0.0, 1.0]])
    model = ViableCoverage.from_cost_matrix(
        cost, np.array([10.0, 10.0]), o, np.array([50.0, 40.0, 70.0]), homes=homes, norm_km=12.0
    )
    ev = model.evaluate(np.array([True, False, True]))
    assert ev.intake[:, 0] == pytest.approx([50 + 28, 0, 70 + 12])
    sol = model.solve()
    assert list(sol.keep) == [True, False, True]


def test_first_order_shares_move_pupils_and_save_an_offering():
    cost = np.array([[0.0, 20.0], [20.0, 0.0]])
    o = pd.DataFrame({"site": [0, 1], "kind": ["havo", "havo"], "threshold": [60.0, 60.0]})
    shares = np.array([[0.0, 0.5], [0.5, 0.0]])
    model = ViableCoverage.from_cost_matrix(cost, np.array([100.0, 5.0]), o, np.array([40.0, 50.0]), shares=shares)
    sol = model.solve()
    # keeping site 0 (100 children) needs the pupils of site 1: 40 + 0.5 * 50 = 65 >= 60
    assert list(sol.keep) == [True, False]
    assert sol.evaluation.intake[0, 0] == pytest.approx(65.0)
    assert sol.evaluation.moved[1, 0] == pytest.approx(25.0)
    assert sol.evaluation.lost[1] == pytest.approx(25.0)


# -- infeasibility ------------------------------------------------------------------
def test_locked_offering_below_its_threshold_is_explained():
    cost = np.array([[0.0, 3.0]])
    o = pd.DataFrame({"site": [0, 1], "kind": ["vwo", "vwo"], "threshold": [60.0, 60.0], "status": ["vast", "vrij"]})
    shares = np.array([[0.0, 0.9], [0.5, 0.0]])
    model = ViableCoverage.from_cost_matrix(cost, np.array([10.0]), o, np.array([20.0, 30.0]), shares=shares)
    sol = model.solve()
    assert sol.status == "onhaalbaar" and sol.evaluation is None
    (s,) = sol.shortfalls
    # best case: site 1 closes and sends half of its 30 pupils: 20 + 15 = 35, 25 short
    assert (s.constraint, s.offering, s.required) == ("drempel", 0, 60.0)
    assert s.amount == pytest.approx(25.0)


def test_too_few_changes_allowed_is_explained():
    cost = np.zeros((1, 3))
    o = pd.DataFrame({"site": [0, 1, 2], "kind": ["pro", "havo", "vwo"], "threshold": [60.0] * 3})
    model = ViableCoverage.from_cost_matrix(cost, np.array([5.0]), o, np.array([10.0, 20.0, 90.0]), max_changes=1)
    sol = model.solve()
    (s,) = sol.shortfalls
    assert s.constraint == "max-wijzigingen"
    assert (s.required, s.amount) == (1.0, 1.0)
    assert set(s.closures) == {0, 1}


def test_board_that_cannot_keep_its_type_is_explained():
    cost = np.zeros((1, 2))
    o = pd.DataFrame({"site": [0, 1], "kind": ["havo", "havo"], "threshold": [60.0, 60.0], "board": ["A", "B"]})
    model = ViableCoverage.from_cost_matrix(cost, np.array([5.0]), o, np.array([100.0, 30.0]), boards_keep=True)
    sol = model.solve()
    assert sol.status == "onhaalbaar"
    (s,) = sol.shortfalls
    assert (s.constraint, s.offering, s.board) == ("drempel", 1, "B")
    assert s.amount == pytest.approx(30.0)


# -- properties ----------------------------------------------------------------------
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), assignment=st.sampled_from(["keuze", "dichtstbij"]))
def test_locking_every_offering_returns_todays_configuration(seed, assignment):
    inst = synthetic_instance(seed, n_areas=30, n_sites=5, offer_probability=0.4)
    o = inst.offerings.assign(status=np.where(inst.offerings["status"] == "extern", "extern", "vast"))
    flows = {"shares": inst.shares} if assignment == "keuze" else {"homes": inst.homes}
    model = ViableCoverage.from_cost_matrix(inst.cost, inst.children, o, inst.pupils, **flows)
    today = model.today()
    sol = model.solve()
    inside = ~model.ext
    short = inside & (today.intake[:, 0] < model.threshold - 1e-6)
    if not short.any():
        assert sol.status == "optimaal"
        assert sol.keep.all()
        assert sol.objective == pytest.approx(today.objective)
    else:
        assert sol.status == "onhaalbaar"
        got = {s.offering: s.amount for s in sol.shortfalls}
        assert set(got) == set(np.flatnonzero(short))
        for h, amount in got.items():
            assert amount == pytest.approx(model.threshold[h] - today.intake[h, 0], abs=1e-5)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), norm=st.floats(4.0, 15.0), extra=st.floats(0.5, 10.0))
def test_relaxing_the_norm_distance_never_lowers_coverage(seed, norm, extra):
    inst = synthetic_instance(seed, n_areas=50, n_sites=7, offer_probability=0.4)
    tight = inst.model("keuze", norm_km=norm).solve()
    loose = inst.model("keuze", norm_km=norm + extra).solve()
    assert loose.objective >= tight.objective - 1e-6


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000))
def test_the_solution_is_feasible_and_not_worse_than_zonder_ingrijpen(seed):
    inst = synthetic_instance(seed, n_areas=50, n_sites=8, offer_probability=0.4)
    model = inst.model("keuze")
    sol = model.solve()
    assert sol.evaluation.feasible
    # "only the viable ones" is one feasible configuration when no profiel needs a closed leerweg
    alone = model.evaluate(model.today().intake[:, 0] >= model.threshold - 1e-9)
    if alone.feasible:
        assert sol.objective >= alone.objective - 1e-6


def test_more_years_never_raise_coverage():
    inst = synthetic_instance(5, n_areas=60, n_sites=8, offer_probability=0.5, years=4)
    one = ViableCoverage.from_cost_matrix(
        inst.cost, inst.children, inst.offerings, inst.pupils[:, :1], shares=inst.shares
    ).solve()
    four = inst.model("keuze").solve()
    assert four.objective <= one.objective + 1e-6
    assert four.evaluation.feasible


def test_exact_count_is_the_classic_maximal_covering_problem():
    rng = np.random.default_rng(1)
    cost = rng.uniform(0, 30, size=(25, 6))
    children = rng.uniform(1, 50, size=25)
    o = pd.DataFrame({"site": range(6), "kind": ["vo"] * 6})
    model = ViableCoverage.from_cost_matrix(cost, children, o, keep_exactly=2, norm_km=10.0)
    best = max(children @ (cost[:, list(c)] <= 10.0).any(axis=1) for c in itertools.combinations(range(6), 2))
    sol = model.solve()
    assert sol.objective == pytest.approx(best)
    assert sol.keep.sum() == 2


def test_bad_inputs_are_reported_together():
    o = pd.DataFrame({"site": [0, 5], "kind": ["havo", "vwo"], "status": ["vrij", "open"], "threshold": [-1.0, 60.0]})
    with pytest.raises(ConfiguratieFout) as err:
        ViableCoverage.from_cost_matrix(np.zeros((2, 2)), np.ones(3), o, np.array([1.0, -2.0]))
    text = str(err.value)
    for fragment in (
        "kinderen heeft vorm",
        "site buiten 0..1",
        "onbekende status open",
        "drempel is negatief",
        "leerlingen heeft vorm",
    ):
        assert fragment in text
