"""The object-level authorization matrix of scenarios: who sees and who changes one, at each visibility level.

People: the author's board, another board of the same region, the region's adviser, the OCW account manager,
the coordinator, the site administrator, a board of another region and an outsider. Expected access is
written out from the rules in ``docs/web.md`` (not computed with the code under test).
"""

from __future__ import annotations

import pytest

from web.conftest import REGION_IDS

DEMO = REGION_IDS["demo"]
CLOSE = "naam: Sluit Zandbrug\nmaatregelen:\n  - {soort: sluit-vestiging, vestiging: 99BB03, vanaf: 2026}\n"

#: Who sees a scenario of the ``bestuur`` person's board, per visibility level.
SEES = {
    "bestuur": {"bestuur"},
    "adviseur": {"bestuur", "adviseur"},
    "regio": {"bestuur", "adviseur", "ander_bestuur_regio", "accountmanager", "regiocoordinator", "beheerder"},
}
EVERYONE = (
    "bestuur",
    "ander_bestuur_regio",
    "adviseur",
    "accountmanager",
    "regiocoordinator",
    "beheerder",
    "bestuur_ander",
    "buitenstaander",
)


@pytest.fixture
def people(world):
    from dekkend.web.models import Gebruiker, Rol

    found = dict(world["people"])
    found["ander_bestuur_regio"] = Gebruiker.objects.create_user(
        username="tweede@test.nl", email="tweede@test.nl", password="x", rol=Rol.BESTUUR, bestuur=world["boards"][1]
    )
    return found


@pytest.fixture
def computed(world, people, analysed):
    """A scenario of the ``bestuur`` person's board with a computed result."""
    from dekkend.web.plannen import services

    scenario = services.create(None, people["bestuur"], world["regions"]["demo"], "Sluit Zandbrug", CLOSE)
    version = scenario.laatste()
    version.resultaat = services.compute(version)
    version.data_versie, version.dekkend_versie = "test", "test"
    version.save()
    return scenario


@pytest.mark.parametrize("niveau", ["bestuur", "adviseur", "regio"])
def test_who_sees_and_who_changes_a_scenario(client, people, computed, niveau):
    from dekkend.web.plannen.models import Scenario

    Scenario.objects.filter(pk=computed.pk).update(zichtbaarheid=niveau)
    sid = computed.pk
    base = f"/regio/{DEMO}/scenarios/{sid}/"
    reads = [
        base,
        base + "presentatie/",
        base + "versies/1/yaml/",
        f"/api/scenarios/{sid}",
        f"/api/scenarios/{sid}/resultaat",
    ]
    problems = []
    for who in EVERYONE:
        client.force_login(people[who])
        sees = who in SEES[niveau]
        for url in reads:
            status = client.get(url).status_code
            if status != (200 if sees else 404):
                problems.append(f"{niveau}: {who} GET {url} -> {status}")
        listed = client.get(f"/regio/{DEMO}/scenarios/")
        in_list = listed.status_code == 200 and f"/scenarios/{sid}/" in listed.content.decode()
        if in_list != sees:
            problems.append(f"{niveau}: {who} list shows it: {in_list}")
        # changing: only the owning board; others who see it get 403, the rest 404
        change = client.get(base + "bewerken/").status_code
        wanted = 200 if who == "bestuur" else 403 if sees else 404
        if change != wanted:
            problems.append(f"{niveau}: {who} GET bewerken -> {change}, expected {wanted}")
        widen = client.post(base + "zichtbaarheid/", {"zichtbaarheid": "regio"}).status_code
        wanted = (200 if niveau != "regio" else 302) if who == "bestuur" else 403 if sees else 404
        if widen != wanted:
            problems.append(f"{niveau}: {who} POST zichtbaarheid -> {widen}, expected {wanted}")
        api = client.post(
            f"/api/scenarios/{sid}/zichtbaarheid", {"zichtbaarheid": niveau}, content_type="application/json"
        ).status_code
        wanted = 200 if who == "bestuur" else 403 if sees else 404
        if api != wanted:
            problems.append(f"{niveau}: {who} API zichtbaarheid -> {api}, expected {wanted}")
        # commenting and copying: whoever sees it
        comment = client.post(base + "opmerkingen/", {"tekst": f"van {who}"}).status_code
        if comment != (302 if sees else 404):
            problems.append(f"{niveau}: {who} POST opmerking -> {comment}")
        copy = client.post(base + "kopieren/").status_code
        if copy != (302 if sees else 404):
            problems.append(f"{niveau}: {who} POST kopieren -> {copy}")
        Scenario.objects.filter(pk=sid).update(zichtbaarheid=niveau)  # undo any widening for the next person
    assert not problems, "\n".join(problems)


def test_the_result_page_shows_the_comparison_and_the_presentation_has_no_controls(client, people, computed):
    from dekkend.web.plannen.models import Scenario

    other = Scenario.objects.create(regio=computed.regio, bestuur=computed.bestuur, naam="Tweede")
    version = computed.laatste()
    other.versies.create(nummer=1, yaml=version.yaml, resultaat=version.resultaat, data_versie="t", dekkend_versie="t")
    client.force_login(people["bestuur"])
    page = client.get(f"/regio/{DEMO}/scenarios/{computed.pk}/", {"vergelijk": other.pk})
    html = page.content.decode()
    assert page.status_code == 200
    assert "zonder ingrijpen" in html and "Tweede" in html and "Sluit Zandbrug" in html
    table = page.context["vergelijking"]
    assert (
        table["kolommen"] == ["Sluit Zandbrug", "Tweede"] and table["rijen"][0]["met"][0] == table["rijen"][0]["met"][1]
    )
    assert "grafiek-leerlingen" in page.context["figuurnamen"]
    assert "Per bestuur" in html and "Knelpunten opgelost" in html
    shown = client.get(f"/regio/{DEMO}/scenarios/{computed.pk}/presentatie/", {"vergelijk": other.pk}).content.decode()
    assert "Tweede" in shown and "<form" not in shown and "Wijzigen" not in shown
    # a scenario the viewer may not see is not compared (and not named)
    hidden = Scenario.objects.create(regio=computed.regio, bestuur=people["ander_bestuur_regio"].bestuur, naam="Geheim")
    hidden.versies.create(nummer=1, yaml=version.yaml, resultaat=version.resultaat)
    page = client.get(f"/regio/{DEMO}/scenarios/{computed.pk}/", {"vergelijk": hidden.pk}).content.decode()
    assert "Geheim" not in page
