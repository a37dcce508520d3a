"""Pools (profielen across leerwegen), concentration below the threshold, and flow invariants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_optimise_model import _tie, brute_force

from dekkend.optimise import ViableCoverage, synthetic_instance
from dekkend.optimise.knelpunten import REASONS, note


def _pooled(seed: int, assignment: str, **kwargs) -> ViableCoverage:
    """A small synthetic region where a profiel at a site is judged across its leerwegen."""
    inst = synthetic_instance(seed, n_areas=40, n_sites=4, offer_probability=0.35, years=2)
    o = inst.offerings.copy()
    key = [f"{s}/{p}" if isinstance(p, str) else "" for s, p in zip(o["site"], o["profiel"], strict=True)]
    ids = {k: i for i, k in enumerate(dict.fromkeys(k for k in key if k))}
    o["pool"] = [ids[k] if k and st != "extern" else -1 for k, st in zip(key, o["status"], strict=True)]
    homes = inst.homes.toarray()
    total = homes.sum(axis=1, keepdims=True)
    homes = np.where(total > 0, homes / np.where(total > 0, total, 1.0), 0.0)  # rows sum to 1, not 1 +- 1e-6
    flows = {"keuze": {"shares": inst.shares}, "dichtstbij": {"homes": homes}, "geen": {}}[assignment]
    return ViableCoverage.from_cost_matrix(inst.cost, inst.children, o, inst.pupils, **flows, **kwargs)


@pytest.mark.parametrize("seed", [1, 8, 12, 72, 79])
@pytest.mark.parametrize("assignment", ["keuze", "dichtstbij"])
def test_brute_force_confirms_the_optimum_with_pools(seed, assignment):
    model = _pooled(seed, assignment)
    assert model.pools, "the instance has profielen in more than one leerweg at a site"
    best = brute_force(model)
    sol = model.solve()
    assert sol.status == "optimaal" and sol.evaluation.feasible
    assert sol.evaluation.objective == pytest.approx(best.objective, abs=1e-6)
    assert _tie(model, sol.evaluation) == pytest.approx(_tie(model, best), abs=1e-6)


def _two_sites(own: float, share: float, pool: bool = False) -> ViableCoverage:
    """Profiel groen in basis and kader at site 1 and in kader at site 2; children near both."""
    cost = np.array([[1.0, 30.0], [30.0, 1.0], [8.0, 8.0]])
    rows = [
        {"site": 0, "kind": "vmbo-b", "klass": "vmbo-b", "threshold": 0.0, "parent": -1},
        {
            "site": 0,
            "kind": "profiel:groen",
            "klass": "vmbo-b/groen",
            "threshold": 40.0,
            "parent": 0,
        },
        {"site": 0, "kind": "vmbo-k", "klass": "vmbo-k", "threshold": 0.0, "parent": -1},
        {
            "site": 0,
            "kind": "profiel:groen",
            "klass": "vmbo-k/groen",
            "threshold": 40.0,
            "parent": 2,
        },
        {"site": 1, "kind": "vmbo-k", "klass": "vmbo-k", "threshold": 0.0, "parent": -1},
        {
            "site": 1,
            "kind": "profiel:groen",
            "klass": "vmbo-k/groen",
            "threshold": 40.0,
            "parent": 4,
        },
    ]
    o = pd.DataFrame(rows)
    o["pool"] = [-1, 0 if pool else -1, -1, 0 if pool else 1, -1, 2]
    pupils = np.array([own, own, own, own, own, own])
    shares = np.zeros((6, 6))
    shares[3, 5] = shares[5, 3] = share  # kader groen moves between the two sites
    return ViableCoverage.from_cost_matrix(
        cost, np.array([100.0, 100.0, 50.0]), o, pupils, shares=shares, leerweg_needs_profiel=False
    )


def test_a_profiel_below_its_threshold_in_each_leerweg_stays_when_judged_across_them():
    alone, pooled = _two_sites(25.0, 0.0).solve(), _two_sites(25.0, 0.0, pool=True).solve()
    assert not alone.evaluation.keep[[1, 3]].any()  # 25 < 40 in each leerweg
    assert alone.evaluation.keep[[1, 3]].sum() == 0 and pooled.evaluation.keep[[1, 3]].all()  # 50 >= 40 together
    assert pooled.evaluation.judged[1, 0] == pytest.approx(50.0)
    assert pooled.evaluation.intake[1, 0] == pytest.approx(25.0)  # the offering's own pupils are not doubled


def test_a_disappearing_profiel_is_saved_by_concentration():
    model = _two_sites(25.0, 0.8)
    sol = model.solve()
    keep = sol.evaluation.keep
    # kader groen misses 40 at both sites; closing one moves 80% of it to the other
    assert keep[3] != keep[5], "exactly one site keeps kader groen"
    h = 3 if keep[3] else 5
    assert sol.evaluation.intake[h, 0] == pytest.approx(25.0 + 0.8 * 25.0)
    assert sol.evaluation.coverage["profiel:groen"] > 0
    none_kept = model.evaluate(np.array([True, False, True, False, True, False]))
    assert sol.evaluation.coverage["profiel:groen"] > none_kept.coverage["profiel:groen"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    assignment=st.sampled_from(["keuze", "dichtstbij"]),
    bits=st.integers(0, 2**62),
)
def test_pupils_are_conserved_and_only_go_to_offerings_that_exist(seed, assignment, bits):
    model = _pooled(seed % 50, assignment)
    rng = np.random.default_rng(bits)
    keep = rng.random(model.q) < 0.6
    child = np.flatnonzero(model.parent >= 0)
    keep[child] &= keep[model.parent[child]]  # a profiel only with its leerweg
    ev = model.evaluate(keep)
    assert not any("zonder zijn leerweg" in p for p in ev.problems)
    displaced = model.u[:, 0] * (~ev.keep & ~model.ext)
    moved = ev.moved.toarray()
    assert (moved >= -1e-12).all() and (ev.lost >= -1e-12).all()
    # every displaced pupil is either received by an offering or counted as lost, never twice
    assert moved.sum(axis=1) + ev.lost == pytest.approx(displaced, abs=1e-9)
    # nobody moves to an offering that is closed in this configuration, nor from one that stays
    assert not (moved[:, ~ev.keep] > 1e-12).any()
    assert not (moved[ev.keep & ~model.ext] > 1e-12).any()
    # a kept offering has its own pupils plus what it receives; a closed one has nothing
    own = (model.u[:, 0] + moved.sum(axis=0)) * ev.keep
    own[model.ext] = 0.0
    assert own.sum() == pytest.approx((model.u[:, 0] * ev.keep * ~model.ext).sum() + moved[:, ~model.ext].sum())
    assert (ev.intake[~ev.keep] == 0).all()
    assert ev.intake[:, 0].sum() >= 0


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000))
def test_the_optimum_with_pools_meets_every_threshold_across_leerwegen(seed):
    model = _pooled(seed % 50, "keuze")
    sol = model.solve()
    ev = sol.evaluation
    kept = np.flatnonzero(ev.keep & ~model.ext)
    assert (ev.judged[kept] >= model.threshold[kept, None] - 1e-6).all()
    for members in model.pools:
        on = [g for g in members if ev.keep[g]]
        if on:
            assert ev.judged[on[0]] == pytest.approx(ev.intake[on].sum(axis=0))


class _Inst:
    """Just enough of an :class:`~dekkend.optimise.instance.Instance` for the knelpunt notes."""

    def __init__(self, model: ViableCoverage, status: list[str]) -> None:
        self.model = model
        self.years = (2030,)
        self.norm_km = 12.0
        self.offerings = pd.DataFrame(
            {
                "vestigingscode": ["01AA00"] * 4 + ["02BB00"] * 2,
                "onderwijstype": ["vmbo-b"] * 2 + ["vmbo-k"] * 4,
                "profiel": [None, "groen", None, "groen", None, "groen"],
                "kind": list(model.offerings["kind"]),
                "in_regio": True,
                "bron": status,
            }
        )

    def name(self, code: str) -> str:
        return code


def test_every_knelpunt_gets_a_reason_in_dutch():
    from dekkend.diagnose.model import Knelpunt

    model = _two_sites(50.0, 0.0)
    ev = model.evaluate(np.ones(6, dtype=bool))
    inst = _Inst(model, ["prognose"] * 6)
    cases = [
        Knelpunt(
            "kleine-bovenbouw",
            "hoog",
            "Kleine groepen",
            "",
            ("01AA00",),
            onderwijstype="vmbo-b",
            jaren=(2030,),
        ),
        Knelpunt(
            "onder-norm",
            "midden",
            "Onder de norm",
            "",
            ("02BB00",),
            onderwijstype="vmbo-k",
            jaren=(2033,),
        ),
        Knelpunt("witte-vlek", "hoog", "Witte vlek", "", (), onderwijstype="vmbo-k", jaren=(2030,)),
    ]
    notes = [note(inst, ev, k) for k in cases]  # type: ignore[arg-type]
    assert [n.reden for n in notes] == [
        "geen-haalbare-verbetering",
        "buiten-de-jaren",
        "geen-haalbare-verbetering",
    ]
    other = Knelpunt("witte-vlek", "hoog", "Witte vlek", "", (), onderwijstype="vmbo-g", jaren=(2030,))
    assert note(inst, ev, other).reden == "niet-beslist"  # type: ignore[arg-type]
    assert all(n.reden in REASONS and n.toelichting.startswith(k.titel) for n, k in zip(notes, cases, strict=True))
    assert "--tot-jaar 2033" in notes[1].toelichting and "drempel" in notes[0].toelichting
    locked = ViableCoverage.from_cost_matrix(
        model.cost,
        model.children,
        model.offerings.assign(status=["vast"] * 2 + ["vrij"] * 4),
        model.pupils,
        shares=model.shares,
        leerweg_needs_profiel=False,
    )
    inst = _Inst(locked, ["opgave"] * 2 + ["prognose"] * 4)
    n = note(inst, locked.evaluate(np.ones(6, dtype=bool)), cases[0])  # type: ignore[arg-type]
    assert n.reden == "vastgezet" and "opgegeven aanbod" in n.toelichting
