"""Scenario visibility: the preview's audience is exactly who can see the scenario, at every level."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("author", ["bestuur", "adviseur", "regiocoordinator"])
def test_the_audience_is_exactly_who_sees_the_scenario_at_every_level(world, author):
    from dekkend.web.models import Gebruiker
    from dekkend.web.plannen.access import audience, owns, visible_scenarios
    from dekkend.web.plannen.models import NIVEAUS, Scenario

    writer = world["people"][author]
    scenario = Scenario.objects.create(
        regio=world["regions"]["demo"], bestuur=writer.bestuur, auteur=writer, naam="Sluiting Zuid"
    )
    seen_by_level = []
    for niveau in NIVEAUS:
        scenario.zichtbaarheid = niveau
        scenario.save()
        seers = {p.email for p in Gebruiker.objects.all() if visible_scenarios(p).filter(pk=scenario.pk).exists()}
        assert seers == {p.email for p in audience(scenario, niveau)}, niveau
        seen_by_level.append(seers)
        # the other region's board, and anyone outside the region, never see it
        assert not {"bestuur_ander@test.nl", "buitenstaander@test.nl"} & seers
    assert seen_by_level[0] <= seen_by_level[1] <= seen_by_level[2]
    assert writer.email in seen_by_level[0] and "beheerder@test.nl" not in seen_by_level[1]
    assert "adviseur@test.nl" in seen_by_level[1] and "accountmanager@test.nl" in seen_by_level[2]
    assert [p.email for p in Gebruiker.objects.all() if owns(p, scenario)] == [writer.email]
