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


@pytest.mark.parametrize("soort", ["scenario", "optimalisatie", "hulpvraag", "rapport"])
def test_a_private_job_is_followed_only_by_its_starter_and_their_board(client, world, soort):
    from dekkend.web.models import ApiToken, Gebruiker, Rol, Taak

    starter = world["people"]["bestuur"]
    colleague = Gebruiker.objects.create_user(
        username="collega@test.nl", email="collega@test.nl", password="x" * 20, rol=Rol.BESTUUR, bestuur=starter.bestuur
    )
    job = Taak.objects.create(soort=soort, regio=world["regions"]["demo"], aangevraagd_door=starter, stap="bezig")
    private = soort != "rapport"
    for person, sees in [
        (starter, True),
        (colleague, True),
        (world["people"]["adviseur"], not private),
        (world["people"]["regiocoordinator"], not private),
        (world["people"]["accountmanager"], not private),
        (world["people"]["bestuur_ander"], False),  # another region
    ]:
        key = ApiToken.create_for(person, "t")[1]
        api = client.get(f"/api/taken/{job.pk}", HTTP_AUTHORIZATION=f"Bearer {key}")
        client.force_login(person)
        page = client.get(f"/regio/{job.regio_id}/taken/{job.pk}/")
        wanted = 200 if sees else 404
        assert (api.status_code, page.status_code) == (wanted, wanted), (soort, person.email)
