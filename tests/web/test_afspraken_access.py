"""Who sees, changes and answers an agreement: the object-level matrix (pages and API alike).

Roles: the named boards' staff, staff of a demo board not named, the coordinator, the adviser, the OCW
account manager, the site administrator, a board of another region and an outsider without a region.
"""

from __future__ import annotations

import pytest

from web.afspraken_fixtures import afspraak_world, as_request, payload, record  # noqa: F401 - fixture

NAMED = {"bestuur", "bestuur2"}
MEMBERS = {"bestuur", "bestuur2", "bestuur3", "regiocoordinator", "adviseur", "accountmanager", "beheerder"}
MANAGERS = {"regiocoordinator", "beheerder"}
ALL = sorted(MEMBERS | {"bestuur_ander", "buitenstaander"})


@pytest.fixture
def put_up(afspraak_world):  # noqa: F811
    """An agreement naming the first two demo boards, put up for confirmation; a third board's staff member."""
    from dekkend.web.afspraken import services
    from dekkend.web.models import Gebruiker, Rol

    w = afspraak_world
    w["people"]["bestuur3"] = Gebruiker.objects.create_user(
        username="bestuur3@test.nl",
        email="bestuur3@test.nl",
        password="x" * 16,
        rol=Rol.BESTUUR,
        bestuur=w["boards"][2],
    )
    made = record(w)
    services.submit(as_request(w["people"]["regiocoordinator"]), made)
    return w, made


def _bearer(person) -> dict:
    from dekkend.web.models import ApiToken

    return {"HTTP_AUTHORIZATION": "Bearer " + ApiToken.create_for(person, "m")[1]}


@pytest.mark.parametrize("role", ALL)
def test_who_sees_an_agreement(client, put_up, role):
    w, made = put_up
    client.force_login(w["people"][role])
    wanted = 200 if role in MEMBERS else 404
    assert client.get(f"/regio/1/afspraken/{made.pk}/").status_code == wanted
    assert client.get("/regio/1/afspraken/").status_code == wanted
    api = client.get(f"/api/afspraken/{made.pk}", **_bearer(w["people"][role]))
    assert api.status_code == wanted
    if wanted == 404:
        assert api.json() == {"detail": "niet gevonden"}
        assert client.get(f"/api/afspraken/{made.pk + 1000}", **_bearer(w["people"][role])).json() == api.json()


@pytest.mark.parametrize("role", ALL)
def test_who_records_and_puts_up_an_agreement(client, put_up, role):
    from dekkend.web.afspraken.models import Afspraak

    w, made = put_up
    person = w["people"][role]
    client.force_login(person)
    manager = role in MANAGERS
    assert client.get("/regio/1/afspraken/nieuw/").status_code == (200 if manager else 403 if role in MEMBERS else 404)
    concept = record(w, titel="tweede")
    answer = client.post(f"/regio/1/afspraken/{concept.pk}/voorleggen/")
    assert answer.status_code == (302 if manager else 403 if role in MEMBERS else 404)
    concept.refresh_from_db()
    assert (concept.status == "ter_instemming") == manager
    created = client.post("/api/regios/1/afspraken", payload(w), content_type="application/json", **_bearer(person))
    assert created.status_code == (201 if manager else 403 if role in MEMBERS else 404)
    assert Afspraak.objects.count() == (3 if manager else 2)


@pytest.mark.parametrize("role", ALL)
@pytest.mark.parametrize("via", ["pagina", "api"])
def test_who_answers_for_a_board(client, put_up, role, via):
    w, made = put_up
    person = w["people"][role]
    if via == "pagina":
        client.force_login(person)
        answer = client.post(f"/regio/1/afspraken/{made.pk}/instemming/", {"besluit": "ingestemd"})
        wanted = 302 if role in NAMED else 403 if role in MEMBERS else 404
    else:
        answer = client.post(
            f"/api/afspraken/{made.pk}/instemming",
            {"besluit": "ingestemd"},
            content_type="application/json",
            **_bearer(person),
        )
        wanted = 200 if role in NAMED else 403 if role in MEMBERS else 404
    assert answer.status_code == wanted
    recorded = list(made.instemmingen.values_list("bestuur_id", "door__email"))
    assert recorded == ([(person.bestuur_id, person.email)] if role in NAMED else [])


@pytest.mark.parametrize("level", ["bestuur", "adviseur", "regio"])
def test_an_agreement_stays_the_regions_record_when_its_scenario_is_narrowed(client, put_up, level):
    """Narrowing the scenario afterwards does not hide the agreement (its version was shared when agreed)."""
    w, made = put_up
    scenario = made.versie.scenario
    scenario.zichtbaarheid = level
    scenario.save()
    for role in ("accountmanager", "bestuur3", "adviseur"):
        client.force_login(w["people"][role])
        assert client.get(f"/regio/1/afspraken/{made.pk}/").status_code == 200
    # but a new agreement can only rest on a version that is shared with the region now
    client.force_login(w["people"]["regiocoordinator"])
    answer = client.post("/regio/1/afspraken/nieuw/", payload(w))
    assert answer.status_code == (302 if level == "regio" else 400)


@pytest.mark.parametrize("role", ["bestuur", "regiocoordinator", "buitenstaander", "bestuur_ander"])
def test_annex_jobs_and_files_of_an_agreement(client, put_up, role, monkeypatch):
    from dekkend.web import tasks
    from dekkend.web.models import Taak

    monkeypatch.setattr(tasks, "start_job", lambda taak: taak)  # queued, not run
    w, made = put_up
    client.force_login(w["people"][role])
    answer = client.post(f"/regio/1/afspraken/{made.pk}/bijlage/")
    member = role in MEMBERS
    assert answer.status_code == (302 if member else 404)
    assert Taak.objects.filter(soort="afspraak").count() == (1 if member else 0)
