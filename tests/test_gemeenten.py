"""Gemeente names, aliases and the mapping of every code of every year to today's gemeenten."""

from __future__ import annotations

import unicodedata

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dekkend.ingest import gemeenten as gm

REGISTER = gm.builtin_register()
CHANGES = gm.builtin_changes()
ALIASES = gm.alias_table(REGISTER)
RESOLVER = gm.Resolver.from_aliases(ALIASES)
MAPPING = gm.map_to_current(REGISTER, CHANGES)
TO_TODAY = MAPPING.groupby("gemeentecode")["huidige_code"].apply(frozenset).to_dict()
TODAY = gm.current_codes(REGISTER)

#: (name, year) pairs of the register: every official spelling with a year it was used.
OFFICIAL = sorted({(n, int(y)) for n, y in REGISTER.groupby(["gemeentenaam"])["jaar"].max().items()})
AMBIGUOUS = {name for name, _ in OFFICIAL if len(RESOLVER.candidates(name)) > 1}


def _strip_accents(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


# -- keys and spellings ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("Groningen (gemeente)", "0014"),
        ("Utrecht (gemeente)", "0344"),
        ("'s-Gravenhage (gemeente)", "0518"),
        ("s-Gravenhage", "0518"),
        ("'S-GRAVENHAGE", "0518"),
        ("Den Haag", "0518"),
        ("s-Hertogenbosch", "0796"),
        ("Beek (L.)", "0888"),
        ("Beek", "0888"),
        ("Bergen (NH.)", "0373"),
        ("BERGEN (NH)", "0373"),
        ("Bergen N.H.", "0373"),
        ("Bergen (L.)", "0893"),
        ("Hengelo (O.)", "0164"),
        ("Súdwest-Fryslân", "1900"),
        ("SUDWEST FRYSLAN", "1900"),
        ("Zuidwest-Friesland", "1900"),
        ("S˙dwest-Frysl‚n", "1900"),
        ("SÌ¼dwest-FryslÌ¢n", "1900"),
        ("Tietjerksteradeel", "0737"),
        ("Gemeente Utrecht", "0344"),
        ("Nuenen c.a.", "0820"),
        ("Nuenen, Gerwen en Nederwetten ", "0820"),
    ],
)
def test_spellings_resolve(written, code):
    assert RESOLVER.code(written) == code


def test_a_name_of_two_gemeenten_is_not_guessed():
    assert RESOLVER.candidates("Bergen") == ("0373", "0893")
    assert RESOLVER.code("Bergen") is None


def test_year_picks_the_code_of_that_year():
    assert RESOLVER.code("De Friese Meren", 2014) == "1921"
    assert RESOLVER.code("Groesbeek", 2014) == "0241"
    assert RESOLVER.code("Harenkarspel", 2013) == "0395"  # merged on 1 January 2013: nearest year


def test_pseudo_regions_and_codes():
    assert gm.is_pseudo_region("Gemeenten; niet in te delen")
    assert not gm.is_pseudo_region("Utrecht (gemeente)")
    assert [gm.normalise_code(v) for v in ("197", "0197", "GM0197", "2022GM0197", "1.0", "GM", "abc")] == [
        "0197",
        "0197",
        "0197",
        "0197",
        "0001",
        None,
        None,
    ]


@pytest.mark.parametrize(
    ("broken", "fixed"),
    [
        ("S˙dwest-Frysl‚n", "Súdwest-Fryslân"),
        ("SkarsterlÌ¢n", "Skarsterlân"),
        ("SÃºdwest-FryslÃ¢n", "Súdwest-Fryslân"),
        ("Leeuwarden", "Leeuwarden"),
    ],
)
def test_mojibake_is_repaired(broken, fixed):
    assert gm.repair_mojibake(broken) == fixed


# -- hypothesis: the alias mapping ------------------------------------------------------
def _variant(name: str, draw) -> str:
    text = name
    if draw(st.booleans()):
        text = text.upper()
    elif draw(st.booleans()):
        text = text.lower()
    if draw(st.booleans()):
        text = _strip_accents(text)
    if draw(st.booleans()):
        text = text.replace("'", "")
    if draw(st.booleans()):
        text = text.replace("-", " ")
    if draw(st.booleans()):
        text = f"{text} (gemeente)"
    return draw(st.sampled_from(["", " ", "  "])) + text + draw(st.sampled_from(["", " ", "\t"]))


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), item=st.sampled_from(OFFICIAL))
def test_every_spelling_variant_resolves_like_the_official_name(data, item):
    name, year = item
    variant = _variant(name, data.draw)
    assert RESOLVER.code(variant, year) == RESOLVER.code(name, year)
    if name not in AMBIGUOUS:
        assert RESOLVER.code(variant, year) is not None


@settings(max_examples=200)
@given(item=st.sampled_from(OFFICIAL))
def test_mojibake_of_any_name_resolves_to_the_same_gemeente(item):
    name, year = item
    for broken in (
        name.encode("latin-1", "ignore").decode("mac_roman"),
        name.encode("utf-8").decode("latin-1"),
    ):
        if gm.name_key(broken) == gm.name_key(name):
            continue
        assert gm.repair_mojibake(broken) == name.encode("latin-1", "ignore").decode("latin-1")


@settings(max_examples=300)
@given(text=st.text(min_size=1, max_size=30))
def test_random_text_never_resolves_to_a_gemeente_with_another_key(text):
    code = RESOLVER.code(text)
    if code is not None:
        keys = set(ALIASES.loc[ALIASES["gemeentecode"] == code, "sleutel"])
        assert gm.name_key(text).base in keys


@settings(max_examples=200)
@given(item=st.sampled_from(OFFICIAL))
def test_name_key_is_stable(item):
    key = gm.name_key(item[0])
    assert gm.name_key(key.base).base == key.base
    assert key.base == key.base.lower() and key.base.isascii()


@settings(max_examples=200)
@given(item=st.sampled_from(OFFICIAL))
def test_every_resolved_code_maps_to_today(item):
    code = RESOLVER.code(*item)
    if code is not None:
        assert TO_TODAY[code] <= TODAY


# -- mergers, splits, chains --------------------------------------------------------------
def test_every_code_of_every_year_maps_to_current_gemeenten():
    today = gm.current_codes(REGISTER)
    assert set(REGISTER["gemeentecode"]) <= set(MAPPING["gemeentecode"])
    assert set(MAPPING["huidige_code"]) <= today
    assert len(today) == 342
    shares = MAPPING.groupby("gemeentecode")["aandeel"].sum()
    assert shares.between(1 - 1e-6, 1 + 1e-6).all()


@pytest.mark.parametrize(
    ("old", "today", "method"),
    [
        ("0005", {"1966"}, "samenvoeging"),  # Bedum -> Het Hogeland
        ("0241", {"1945"}, "naamswijziging"),  # Groesbeek -> Berg en Dal (new code)
        ("0265", {"1945"}, "samenvoeging"),  # Millingen aan de Rijn -> Groesbeek -> Berg en Dal
        ("0051", {"1940"}, "samenvoeging"),  # Skarsterlân -> De Friese Meren -> De Fryske Marren
        ("1671", {"0796", "0828"}, "opsplitsing"),  # Maasdonk: code 0000 's-Hertogenbosch/Oss
        ("0788", {"0757", "0824", "0855", "0865"}, "opsplitsing"),  # Haaren, listed as a merger
        ("0457", {"0363"}, "samenvoeging"),  # Weesp -> Amsterdam
        ("0363", {"0363"}, "ongewijzigd"),
    ],
)
def test_chains_and_splits(old, today, method):
    rows = MAPPING[MAPPING["gemeentecode"] == old]
    assert set(rows["huidige_code"]) == today
    assert set(rows["methode"]) == {method}


def test_largest_share_comes_first_for_a_split():
    rows = MAPPING[MAPPING["gemeentecode"] == "0788"]
    assert rows["aandeel"].is_monotonic_decreasing
    assert rows.iloc[0]["huidige_code"] == "0824"  # Haaren's largest part went to Oisterwijk


def test_classify_and_effective_year():
    changes = pd.DataFrame(
        {
            "jaar": [2020, 2020, 2019, 2019, 2019, 2016],
            "code_oud": ["0788", "0788", "0009", "0014", "0017", "0241"],
            "code_nieuw": ["0824", "0865", "0014", "0014", "0014", "1945"],
        }
    )
    assert gm.classify_changes(changes).tolist() == [
        "opsplitsing",
        "opsplitsing",
        "samenvoeging",
        "samenvoeging",
        "samenvoeging",
        "naamswijziging",
    ]
    years = gm.effective_years(changes, REGISTER)
    assert years.tolist() == [
        2021,
        2021,
        2019,
        2019,
        2019,
        2016,
    ]  # Haaren existed until 31 December 2020


def test_unsplit_share_without_data_is_equal():
    changes = pd.DataFrame(
        {
            "jaar": [2025, 2025],
            "soort": ["opsplitsing"] * 2,
            "code_oud": ["0001", "0001"],
            "naam_oud": ["X"] * 2,
            "code_nieuw": ["0014", "0034"],
            "naam_nieuw": ["Groningen", "Almere"],
            "aandeel": [float("nan")] * 2,
        }
    )
    register = pd.concat([REGISTER, pd.DataFrame({"jaar": [2024], "gemeentecode": ["0001"], "gemeentenaam": ["X"]})])
    rows = gm.map_to_current(register, changes)
    assert rows.loc[rows["gemeentecode"] == "0001", "aandeel"].tolist() == [0.5, 0.5]
