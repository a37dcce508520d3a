"""CSRF on every state change, session fixation and logout: generated from the URL configuration and the API.

Every page and API operation is posted to by a logged-in member without a CSRF token: nothing may answer
with success or a redirect (403 from the CSRF check, or 405 for a view that takes no POST). The API accepts
a personal token without CSRF (no cookie is involved), and a session only with the token.
"""

from __future__ import annotations

import pytest
from django.test import Client

from web.conftest import PASSWORD
from web.test_authorization import api_operations, fill, page_patterns, samples  # noqa: F401 - the fixture

MEMBER = "regiocoordinator"  # a member of the demo region who may also manage it: the widest page rights


def test_no_page_changes_anything_without_a_csrf_token(world, samples):  # noqa: F811
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["people"][MEMBER])
    problems = []
    for route, _pattern in page_patterns():
        url = fill(route, "demo", MEMBER, samples)
        response = client.post(url, {"naam": "x", "email": "x@test.nl"})
        if response.status_code not in (403, 405):
            problems.append(f"POST {url} without CSRF: {response.status_code}")
    assert not problems, "\n".join(problems)


def test_no_api_operation_changes_anything_for_a_session_without_a_csrf_token(world, samples):  # noqa: F811
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["people"][MEMBER])
    problems = []
    for method, path, _view in api_operations():
        if method == "GET":
            continue
        url = fill(path.replace("{", "<").replace("}", ">"), "demo", MEMBER, samples)
        response = client.generic(method, url, "{}", content_type="application/json")
        if response.status_code not in (401, 403, 405):
            problems.append(f"{method} {url} with a session and without CSRF: {response.status_code}")
    assert not problems, "\n".join(problems)


def test_logging_in_gives_a_new_session_key_and_logging_out_ends_it(world):
    from django.contrib.sessions.backends.db import SessionStore

    planted = SessionStore()  # a real anonymous session whose key an attacker knows and plants in the victim's browser
    planted["bezocht"] = True
    planted.save()
    client = Client()
    client.cookies["sessionid"] = before = planted.session_key
    response = client.post("/inloggen/", {"username": world["people"]["bestuur"].email, "password": PASSWORD})
    assert response.status_code == 302
    after = client.cookies["sessionid"].value
    assert after != before  # session fixation: the key offered before login is never the logged-in session
    assert client.get("/profiel/").status_code == 200
    stolen = Client()
    stolen.cookies["sessionid"] = after
    assert stolen.get("/profiel/").status_code == 200  # the key is the session ...
    client.post("/uitloggen/")
    assert stolen.get("/profiel/").status_code == 302  # ... and after logging out it is worth nothing


@pytest.mark.parametrize("role", ["bestuur", "adviseur"])
def test_a_deactivated_account_loses_its_session_and_its_tokens(world, role):
    from dekkend.web.models import ApiToken

    person = world["people"][role]
    client = Client()
    client.force_login(person)
    _, key = ApiToken.create_for(person, "test")
    assert client.get("/profiel/").status_code == 200
    assert client.get("/api/regios", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    person.is_active = False
    person.save()
    assert client.get("/profiel/").status_code == 302
    assert client.get("/api/regios", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
