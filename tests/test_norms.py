"""The norms table, user values, thresholds and checks at, just below and just above each value."""

from __future__ import annotations

import pytest

from dekkend.errors import ConfiguratieFout
from dekkend.norms import DREIGT, NIET_GEVERIFIEERD, ONDER_NORM, VOLDOET, check, load_norms, load_settings, norm_by_id
from dekkend.norms.funding import load_funding

NORMS = load_norms()


def test_every_norm_has_a_source_and_a_verified_value_or_says_so():
    assert len(NORMS) >= 15
    for n in NORMS:
        assert n.source.title and (n.source.url or n.source.article), n.id
        assert n.explanation
        assert (n.value is None) == (n.status == "niet geverifieerd"), n.id


def test_known_values():
    assert norm_by_id(NORMS, "stichting-nevenvestiging-vwo").value == 195
    assert norm_by_id(NORMS, "stichting-nevenvestiging-mavo").value == 130
    assert norm_by_id(NORMS, "stichting-nevenvestiging-vbo-per-profiel").value == 80
    assert norm_by_id(NORMS, "stichting-deel-scholengemeenschap").value == 0.75
    assert norm_by_id(NORMS, "isolatie-afstand").value == 8 and norm_by_id(NORMS, "isolatie-afstand-pro").value == 20
    assert all(n.value is None for n in NORMS if n.kind == "opheffing")


@pytest.mark.parametrize(
    ("norm_id", "value"),
    [
        ("stichting-nevenvestiging-vwo", 195),
        ("stichting-nevenvestiging-havo", 195),
        ("stichting-nevenvestiging-mavo", 130),
        ("stichting-nevenvestiging-vbo-een-profiel", 130),
        ("stichting-nevenvestiging-vbo-per-profiel", 80),
        ("isolatie-afstand", 8),
        ("isolatie-afstand-pro", 20),
        ("vuistregel-leerjaar-schoolsoort", 100),
        ("vuistregel-bovenbouw-havo-vwo", 120),
    ],
)
def test_at_just_below_and_just_above(norm_id, value):
    norm = norm_by_id(NORMS, norm_id)
    assert check(norm, "x", 2024, value).status == VOLDOET
    below = check(norm, "x", 2024, value - 0.01)
    assert below.status == ONDER_NORM and below.years_until_breach == 0 and below.margin == pytest.approx(-0.01)
    above = check(norm, "x", 2024, value + 0.01)
    assert above.status == VOLDOET and above.margin == pytest.approx(0.01)
    assert norm.source.title in above.citation


def test_years_until_breach_from_the_forecast():
    norm = norm_by_id(NORMS, "stichting-nevenvestiging-havo")
    c = check(norm, "x", 2024, 210, {2025: 200, 2026: 196, 2027: 194, 2028: 180})
    assert c.status == DREIGT and c.years_until_breach == 3 and c.breach_year == 2027


def test_closure_needs_three_consecutive_years(tmp_path):
    f = tmp_path / "mijn-normen.yaml"
    f.write_text(
        "normen:\n  - id: opheffing-havo\n    waarde: 200\n    bron: {titel: 'eigen opgave, WVO 2020 hfst. 4'}\n",
        encoding="utf-8",
    )
    norm = norm_by_id(load_norms(f), "opheffing-havo")
    assert norm.value == 200 and norm.status == "instelling"
    c = check(norm, "x", 2024, 190, {2025: 210, 2026: 199, 2027: 198, 2028: 150})
    assert c.status == DREIGT and c.breach_year == 2028 and c.years_until_breach == 4
    c = check(norm, "x", 2024, 190, {}, history={2022: 180, 2023: 195})
    assert c.status == ONDER_NORM and c.years_until_breach == 0
    c = check(norm, "x", 2024, 190, {}, history={2022: 180, 2023: 205})
    assert c.status == DREIGT and c.breach_year is None


def test_unverified_norm_reports_so():
    c = check(norm_by_id(NORMS, "opheffing-vwo"), "x", 2024, 10)
    assert c.status == NIET_GEVERIFIEERD and c.norm_value is None and "vul hem zelf in" in c.explanation


def test_user_value_without_source_is_refused(tmp_path):
    f = tmp_path / "n.yaml"
    f.write_text("normen:\n  - id: opheffing-vwo\n    waarde: 100\n", encoding="utf-8")
    with pytest.raises(ConfiguratieFout, match="zonder bron"):
        load_norms(f)


def test_settings_have_sources_and_can_be_overridden(tmp_path):
    s = load_settings()
    assert s.values["normafstand_km"] == 12 and "Dijkgraaf" in s.sources["normafstand_km"]
    assert s.threshold("havo-vwo", "bovenbouw")[0] == 120
    f = tmp_path / "d.yaml"
    f.write_text("instellingen:\n  daling_5_jaar: 0.1\n", encoding="utf-8")
    assert load_settings(f).values["daling_5_jaar"] == 0.1
    f.write_text("instellingen:\n  onzin: 1\n", encoding="utf-8")
    with pytest.raises(ConfiguratieFout, match="onbekende instelling"):
        load_settings(f)


def test_funding_table():
    f = load_funding()
    assert f.isolation_supplement() == pytest.approx(227160.97)
    assert all(p.source for p in f.parameters.values())
    assert "16PN00" in f.excluded
    with pytest.raises(ConfiguratieFout):
        f.value("bestaat-niet")
