"""Sessions end after 8 hours without a request, without a database write on every request."""

from __future__ import annotations

import time

from web.conftest import PASSWORD


def _expiry(client):
    from django.contrib.sessions.models import Session

    return Session.objects.get(session_key=client.cookies["sessionid"].value).expire_date


def test_the_idle_expiry_moves_forward_at_most_every_five_minutes(client, world):
    from dekkend.web.middleware import REFRESH_SECONDS, REFRESHED

    assert client.post("/inloggen/", {"username": "adviseur@test.nl", "password": PASSWORD}).status_code == 302
    first = _expiry(client)
    assert client.get("/profiel/").status_code == 200
    assert _expiry(client) == first  # a request within five minutes writes nothing

    session = client.session  # as if the last refresh was just over five minutes ago
    session[REFRESHED] = int(time.time()) - REFRESH_SECONDS - 1
    session.save()
    stale = _expiry(client)
    assert client.get("/profiel/").status_code == 200
    assert _expiry(client) > stale
    assert client.session[REFRESHED] >= int(time.time()) - 5


def test_no_session_is_made_for_visitors_or_ended_sessions(client, world):
    from django.contrib.sessions.models import Session

    before = Session.objects.count()
    assert client.get("/inloggen/").status_code == 200
    assert client.get("/hulp/").status_code == 200
    client.cookies["sessionid"] = "een-sessie-die-niet-bestaat"
    assert client.get("/hulp/").status_code == 200
    assert Session.objects.count() == before


def test_the_profile_still_lists_the_persons_regions(client, world):
    client.force_login(world["people"]["adviseur"])
    assert "Demoregio Veenland" in client.get("/profiel/").content.decode()
    client.force_login(world["people"]["buitenstaander"])
    page = client.get("/profiel/").content.decode()
    assert "Demoregio Veenland" not in page and "geen" in page
