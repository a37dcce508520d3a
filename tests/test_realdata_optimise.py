"""The optimiser on the real data: its "nu" is the figure of ``dekkend bereikbaarheid``, and it
either proposes a change or explains every viability and reach knelpunt of the diagnosis (skipped
without ../shared)."""

from __future__ import annotations

import numpy as np
import pytest
from model_checks import assert_same_model

from dekkend.cache import FOLDER, DerivedCache, data_version
from dekkend.coverage.run import reachability
from dekkend.diagnose import diagnose
from dekkend.geo import distance_matrix
from dekkend.optimise import OptimiseOptions, optimise
from dekkend.optimise.knelpunten import REACH, REASONS, VIABILITY
from dekkend.regions import select_region
from dekkend.scenarios.engine import baseline_forecast, calibrated_model


@pytest.fixture(scope="module")
def tables(national_workspace):
    return national_workspace.tables()


@pytest.fixture(scope="module")
def matrix(tables):
    return distance_matrix(tables)


@pytest.fixture(scope="module")
def zeeuws_vlaanderen_2030(tables, matrix):
    return optimise(tables, "corop:31", 2030, matrix=matrix)


def test_nu_is_the_reachability_of_the_last_count(tables, matrix, zeeuws_vlaanderen_2030):
    res = zeeuws_vlaanderen_2030
    inst = res.instance
    region = select_region(tables, "corop:31")
    ind = reachability(tables, inst.origin, region=region, matrix=matrix, indicators=True).indicators
    ind = ind[ind["jaar"] == inst.origin].set_index("onderwijstype")
    table = res.coverage_table().set_index("onderwijstype")
    assert len(table) >= 10
    for kind, row in table.iterrows():
        # the table holds children to 0,1: the same figures as the indicators up to that rounding
        assert row["nu"] / row["kinderen_nu"] == pytest.approx(ind.at[kind, "aandeel_binnen_norm"], abs=2e-5), kind
        assert row["kinderen_nu"] - row["nu"] == pytest.approx(ind.at[kind, "kinderen_buiten_norm"], abs=0.11), kind
    # about 87% of the children live within 12 km of a havo now (the figure), not 4%
    assert 0.8 < table.at["havo", "nu"] / table.at["havo", "kinderen_nu"] < 0.95


def test_zonder_ingrijpen_is_the_diagnosis_offer_and_optimaal_the_models_coverage(
    zeeuws_vlaanderen_2030,
):
    res = zeeuws_vlaanderen_2030
    table = res.coverage_table().set_index("onderwijstype")
    for kind in res.instance.model.kinds:
        # the same configuration gives the same children within the norm in both codes
        assert table.at[kind, "optimaal"] == pytest.approx(res.after.coverage[kind], abs=0.1), kind
    assert not np.allclose(table["nu"], table["zonder_ingrijpen"])  # 2019 and 2030 differ


def test_zonder_ingrijpen_equals_the_national_no_action_offer_of_the_diagnosis(tables, matrix, zeeuws_vlaanderen_2030):
    """The offer near the region reaches as far as the national offer of ``dekkend diagnose``."""
    from dekkend.coverage.offer import offer_by_year
    from dekkend.diagnose.context import locations_of

    inst = zeeuws_vlaanderen_2030.instance
    offer = offer_by_year(
        tables["aanbod"],
        inst.forecast,
        inst.thresholds,
        opgave=tables.get("aanbod_opgave"),
        locations=locations_of(tables),
    )
    national = inst.reach.within_norm(inst.jaar, offer).set_index("onderwijstype")
    table = zeeuws_vlaanderen_2030.coverage_table().set_index("onderwijstype")
    for kind in table.index:
        assert table.at[kind, "zonder_ingrijpen"] == pytest.approx(national.at[kind, "binnen_norm"], abs=0.06), kind


def _agrees(res) -> bool:
    """A change is proposed, or every viability and reach knelpunt has a reason."""
    if res.changes:
        return True
    return bool(res.knelpunten) and all(k.reden in REASONS and k.toelichting for k in res.knelpunten)


@pytest.mark.parametrize("corop", ["31", "12"])
def test_the_optimiser_proposes_a_change_or_explains_every_knelpunt(tables, matrix, zeeuws_vlaanderen_2030, corop):
    res = zeeuws_vlaanderen_2030 if corop == "31" else optimise(tables, f"corop:{corop}", 2030, matrix=matrix)
    assert res.feasible
    d = diagnose(tables, f"corop:{corop}", matrix=matrix, forecast=res.instance.forecast)
    relevant = [k for k in d.knelpunten if k.type in VIABILITY + REACH]
    if relevant:
        assert _agrees(res), [k.titel for k in relevant]
    for c in res.changes:  # every proposal is a real offering of the region stopping, explained in Dutch
        assert c.vestigingscode in res.instance.region.vestigingen and "Reden:" in c.toelichting


def test_without_changes_each_knelpunt_is_explained(tables, matrix):
    """Deciding only havo, which all stays, changes nothing: then each knelpunt gets its reason."""
    res = optimise(tables, "corop:31", 2024, OptimiseOptions(kinds=("havo",)), matrix=matrix)
    assert res.feasible and not res.changes
    d = diagnose(tables, "corop:31", matrix=matrix, forecast=res.instance.forecast)
    relevant = [k for k in d.knelpunten if k.type in VIABILITY + REACH]
    assert [k.titel for k in res.knelpunten] == [k.titel for k in relevant]
    assert {k.reden for k in res.knelpunten} <= set(REASONS)
    assert all(k.toelichting.startswith(k.titel + ": ") for k in res.knelpunten)


def test_a_warm_cache_gives_the_same_model_and_optimum(
    tables, matrix, national_workspace, zeeuws_vlaanderen_2030, tmp_path
):
    """The national choice model and the region's forecast read from the werkmap cache are the computed ones,
    and the optimiser on them gives exactly the result computed without a cache."""
    cache = DerivedCache(tmp_path / FOLDER, data_version(national_workspace))
    inst = zeeuws_vlaanderen_2030.instance
    computed = calibrated_model(tables, inst.origin, cache=cache)
    assert_same_model(calibrated_model(tables, inst.origin, cache=cache), computed)
    horizon = max(10, 2030 - inst.origin)  # as the optimiser asks for it
    stored, _ = baseline_forecast(tables, select_region(tables, "corop:31"), horizon, cache=cache)
    files = sorted(p.name for p in cache.folder.iterdir())
    warm = optimise(tables, "corop:31", 2030, matrix=matrix, cache=cache)
    assert sorted(p.name for p in cache.folder.iterdir()) == files  # both read, nothing computed again
    assert warm.instance.forecast.equals(stored)
    mine, theirs = warm.to_dict(), zeeuws_vlaanderen_2030.to_dict()
    mine.pop("rekentijd_s"), theirs.pop("rekentijd_s")
    assert mine == theirs
