"""Children aged 12-17 per PC4: CBS bands pro-rated and aged, primary-school cohorts aged, held constant."""

from __future__ import annotations

import pandas as pd
import pytest

from dekkend.coverage import children_12_17, po_cohorts, population_bands


def cbs(year: int, bands: dict[tuple[int, int], int], pc4: str = "1000") -> pd.DataFrame:
    rows = [("pc4", pc4, "totaal", f"{lo}-{hi}", lo, hi, n, year) for (lo, hi), n in bands.items()]
    rows += [("pc4", pc4, "m", f"{lo}-{hi}", lo, hi, 9999, year) for (lo, hi) in bands]  # other sexes are ignored
    rows.append(("gemeente", None, "totaal", "10-14", 10, 14, 9999, year))
    f = pd.DataFrame(
        rows,
        columns=[
            "gebied",
            "pc4",
            "geslacht",
            "leeftijdsklasse",
            "leeftijd_van",
            "leeftijd_tot",
            "aantal",
            "jaar",
        ],
    )
    f["leeftijd_van"] = f["leeftijd_van"].astype("Int64")
    f["leeftijd_tot"] = f["leeftijd_tot"].astype("Int64")
    f["aantal"] = f["aantal"].astype("Int64")
    return f


def po(year: int, per_age: dict[int, float], pc4: str = "1000", instroom: bool = True) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "pc4": pc4,
            "leeftijd": list(per_age),
            "aantal": pd.array(list(per_age.values()), dtype="Int64"),
            "gecensureerd": False,
            "schooljaar": year,
            "vo_instroom": instroom,
        }
    )


BANDS = {(0, 4): 50, (5, 9): 50, (10, 14): 50, (15, 19): 100}


def test_cbs_bands_are_spread_over_single_ages_and_aged_to_1_october():
    # CBS 1 January 2020, school year 2019 (1 October 2019): a child aged b on 1 January is b-1 or b
    kids = children_12_17({"bevolking_pc4": cbs(2020, BANDS)}, 2019)
    # ages 12,13: 10 each; 14: 0.25*u(15)+0.75*u(14) = 0.25*20+0.75*10; 15-17: 20 each
    assert kids.per_pc4["1000"] == pytest.approx(10 + 10 + 12.5 + 60)
    assert kids.method[12] == "cbs-banden 2020"
    assert len(population_bands({"bevolking_pc4": cbs(2020, BANDS)})) == 4


def test_cbs_aged_forward_and_held_when_the_children_are_not_born_yet():
    later = children_12_17({"bevolking_pc4": cbs(2020, BANDS)}, 2022)  # 12 on 1-10-2022 <- 9 or 10 on 1-1-2020
    assert later.per_pc4["1000"] == pytest.approx(
        sum(0.25 * (10 if a - 2 <= 14 else 20) + 0.75 * (10 if a - 3 <= 14 else 20) for a in range(12, 18))
    )
    far = children_12_17({"bevolking_pc4": cbs(2020, BANDS)}, 2034)
    assert "vastgehouden vanaf" in far.method[12] and far.per_pc4["1000"] > 0


def test_primary_school_cohorts_come_first_where_they_reach():
    tables = {
        "kinderen": pd.concat(
            [po(2018, {a: 100 + a for a in range(4, 12)}), po(2018, {11: 1000}, instroom=False)]
        ),  # so/vso pupils are not counted
        "bevolking_pc4": cbs(2020, BANDS),
    }
    kids = children_12_17(tables, 2019)
    # 12 and 13 in 2019 <- 11 and 12 in 2018: only 11 is a primary age; 13..17 from CBS
    assert kids.method[12] == "po-cohorten 2018" and kids.method[13] == "cbs-banden 2020"
    assert kids.per_pc4["1000"] == pytest.approx(111 + 10 + 12.5 + 60)
    assert "12: po-cohorten 2018; 13-17: cbs-banden 2020" == kids.describe()
    assert set(po_cohorts(tables)["leeftijd"]) == set(range(4, 12))


def test_without_any_source_the_estimate_is_empty():
    kids = children_12_17({}, 2024)
    assert kids.per_pc4.empty and kids.describe().startswith("12-17: geen gegevens")
