"""The JSON API: the minimum endpoints of the issue, tokens, CSRF for sessions, Dutch errors on bad input."""

from __future__ import annotations

import pytest
from django.test import Client

from web.conftest import REGION_IDS

DEMO = REGION_IDS["demo"]


@pytest.fixture
def token(world):
    from dekkend.web.models import ApiToken

    return ApiToken.create_for(world["people"]["bestuur"], "test")[1]


def auth(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_openapi_schema_lists_the_minimum_api(client):
    schema = client.get("/api/openapi.json").json()
    paths = schema["paths"]
    for path, method in [
        ("/api/ik", "get"),
        ("/api/regios", "get"),
        ("/api/regios/{regio_id}", "get"),
        ("/api/regios/{regio_id}/knelpunten", "get"),
        ("/api/regios/{regio_id}/prognose", "get"),
        ("/api/regios/{regio_id}/rapport", "post"),
        ("/api/taken/{taak_id}", "get"),
    ]:
        assert method in paths[path], path
    assert schema["components"]["securitySchemes"], "the schema says how to authenticate"


def test_ik_names_the_caller(client, world, token):
    me = client.get("/api/ik", **auth(token)).json()
    assert me["email"] == "bestuur@test.nl" and me["rol"] == "bestuur"
    assert me["organisatie"] == str(world["people"]["bestuur"].bestuur)
    assert [r["id"] for r in me["regios"]] == [DEMO]


def test_region_figures_match_the_library(client, token, analysed):
    overview = client.get(f"/api/regios/{DEMO}", **auth(token)).json()
    assert overview["gegevensversie"] == analysed["versie"]
    assert overview["knelpunten"] == len(analysed["diagnose"]["knelpunten"])
    knelpunten = client.get(f"/api/regios/{DEMO}/knelpunten", **auth(token)).json()
    assert knelpunten == analysed["diagnose"], "the JSON of dekkend diagnose"
    forecast = client.get(f"/api/regios/{DEMO}/prognose", **auth(token)).json()
    for row in forecast["regio"]:
        assert row["laag95"] <= row["laag80"] <= row["verwacht"] <= row["hoog80"] <= row["hoog95"]
    years = {r["jaar"] for r in forecast["regio"]}
    assert min(years) == forecast["peiljaar"] + 1
    codes = {r["vestigingscode"] for r in forecast["vestigingen"]}
    assert len(codes) > 1


def test_the_diagnosis_json_is_what_the_library_gives(analysed, web_werkmap):
    from dekkend.diagnose import diagnose
    from dekkend.workspace import Workspace

    result = diagnose(Workspace(web_werkmap).tables(), "nl")
    mine = sorted(k["titel"] for k in result.to_dict()["knelpunten"])
    assert sorted(k["titel"] for k in analysed["diagnose"]["knelpunten"]) == mine


def test_report_job_through_the_api(client, token, monkeypatch, world):
    from dekkend.web import tasks

    queued = []
    monkeypatch.setattr(tasks, "start_job", lambda taak: queued.append(taak.pk) or taak)
    started = client.post(f"/api/regios/{DEMO}/rapport", {"pdf": False}, content_type="application/json", **auth(token))
    assert started.status_code == 202
    job = started.json()
    assert job["status"] == "wachtrij" and job["regio"] == DEMO and queued == [job["id"]]
    status = client.get(f"/api/taken/{job['id']}", **auth(token)).json()
    assert status["id"] == job["id"] and status["voortgang"] == 0


def test_report_job_runs_and_links_its_files(client, token, world, analysed, django_capture_on_commit_callbacks):
    """With the test task backend (immediate) the job runs when the request commits; its files are downloadable."""
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(
            f"/api/regios/{DEMO}/rapport", {"pdf": False}, content_type="application/json", **auth(token)
        )
    job = client.get(f"/api/taken/{started.json()['id']}", **auth(token)).json()
    assert job["status"] == "klaar", job
    link = job["resultaat"]["html"]
    client.force_login(world["people"]["bestuur"])
    download = client.get(link)
    assert download.status_code == 200
    body = b"".join(download.streaming_content).decode()
    assert "Regiorapport" in body and "Demoregio Veenland" in body


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ('{"pdf": "misschien"}', "pdf", "verwacht true of false"),
        ('{"pdf": true, "kleur": "rood"}', "kleur", "onbekend veld"),
        ("{niet json", "verzoek", None),
    ],
)
def test_bad_input_gets_dutch_messages_per_field_and_changes_nothing(client, token, body, field, message):
    from dekkend.web.models import Taak

    before = Taak.objects.count()
    response = client.post(f"/api/regios/{DEMO}/rapport", body, content_type="application/json", **auth(token))
    assert response.status_code in (400, 422)
    payload = response.json()
    assert payload["detail"]
    if message:
        assert {"veld": field, "melding": message} in payload["fouten"]
    assert Taak.objects.count() == before


def test_session_callers_need_csrf_for_changes(world):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world["people"]["bestuur"])
    assert browser.get("/api/ik").status_code == 200
    refused = browser.post(f"/api/regios/{DEMO}/rapport", "{}", content_type="application/json")
    assert refused.status_code == 403


def test_a_withdrawn_or_wrong_token_is_refused(client, world):
    from dekkend.web.models import ApiToken

    token, key = ApiToken.create_for(world["people"]["adviseur"], "weg")
    assert client.get("/api/ik", **auth(key)).status_code == 200
    token.delete()
    refused = client.get("/api/ik", **auth(key))
    assert refused.status_code == 401 and "token" in refused.json()["detail"]
    assert client.get("/api/ik", **auth(key[:-1] + "x")).status_code == 401
    assert client.get("/api/ik", HTTP_AUTHORIZATION="Token abc").status_code == 401


def test_tokens_are_stored_as_hashes(world):
    from dekkend.web.models import ApiToken

    token, key = ApiToken.create_for(world["people"]["adviseur"], "hash")
    stored = ApiToken.objects.get(pk=token.pk)
    assert key not in (stored.sleutel_hash, stored.begin) and len(stored.sleutel_hash) == 64
    assert ApiToken.lookup(key).pk == token.pk


def test_an_inactive_account_cannot_use_its_token(client, world):
    from dekkend.web.models import ApiToken

    person = world["people"]["adviseur"]
    _, key = ApiToken.create_for(person, "inactief")
    person.is_active = False
    person.save()
    assert client.get("/api/ik", **auth(key)).status_code == 401
