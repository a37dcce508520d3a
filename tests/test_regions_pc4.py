"""``pc4_gemeenten`` from the PC4 place names: the most frequent gemeente per PC4, the lowest code on a tie."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from dekkend.regions import pc4_gemeenten, place_key

GEMEENTEN = {"Veenstad": "0001", "Zandbrug": "0002", "Oudkerk": "0003", "Nergens": None}


def _by_mode(wp: pd.DataFrame, ves: pd.DataFrame) -> pd.DataFrame:
    """The definition: per PC4 the first value of Series.mode() (most frequent, then lowest)."""
    names = ves.dropna(subset=["gemeentecode", "gemeentenaam"])
    by_name = dict(zip(names["gemeentenaam"].map(place_key), names["gemeentecode"], strict=True))
    gem = wp.assign(gemeentecode=wp["gemeentenaam"].map(place_key).map(by_name)).dropna(subset=["gemeentecode"])
    return gem.groupby("pc4")["gemeentecode"].agg(lambda s: s.mode().iloc[0]).reset_index()


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["1001", "1002", "2001", "3000"]), st.sampled_from(list(GEMEENTEN))), max_size=40
    )
)
def test_most_frequent_gemeente_per_pc4_lowest_code_on_a_tie(rows):
    wp = pd.DataFrame(rows, columns=["pc4", "gemeentenaam"], dtype="string")
    known = [(n, c) for n, c in GEMEENTEN.items() if c is not None]
    ves = pd.DataFrame(known, columns=["gemeentenaam", "gemeentecode"], dtype="string")
    got = pc4_gemeenten({"pc4_woonplaats": wp, "vestigingen": ves})
    if wp.empty:
        assert got.empty
        return
    pd.testing.assert_frame_equal(got, _by_mode(wp, ves))
