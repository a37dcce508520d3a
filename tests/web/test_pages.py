"""The workspace's pages on the demo region: login, region pages from the cached analysis, jobs, tokens."""

from __future__ import annotations

import re

import pytest

from web.conftest import PASSWORD, REGION_IDS


@pytest.fixture
def client_for(client, world):
    def login(role: str):
        client.force_login(world["people"][role])
        return client

    return login


def test_login_page_is_dutch_and_login_works(client, world):
    page = client.get("/inloggen/")
    assert page.status_code == 200
    assert "Inloggen" in page.content.decode() and 'lang="nl"' in page.content.decode()
    response = client.post("/inloggen/", {"username": "adviseur@test.nl", "password": PASSWORD})
    assert response.status_code == 302
    # one region: straight to it
    assert client.get("/").url == f"/regio/{REGION_IDS['demo']}/"


def test_wrong_password_is_refused_and_logged(client, world):
    from dekkend.web.models import AuditRegel

    response = client.post("/inloggen/", {"username": "adviseur@test.nl", "password": "fout"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert AuditRegel.objects.filter(actie="inloggen mislukt", object="adviseur@test.nl").exists()


def test_login_is_throttled_after_five_failures(client, world):
    for _ in range(5):
        client.post("/inloggen/", {"username": "bestuur@test.nl", "password": "fout"}, REMOTE_ADDR="10.9.9.9")
    locked = client.post("/inloggen/", {"username": "bestuur@test.nl", "password": PASSWORD}, REMOTE_ADDR="10.9.9.9")
    assert locked.status_code == 429
    assert "Tijdelijk geblokkeerd" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_region_pages_show_the_reports_chapters(client_for, analysed):
    client = client_for("bestuur")
    overview = client.get(f"/regio/{REGION_IDS['demo']}/").content.decode()
    assert "Samenvatting" in overview and "Leerlingenprognose" in overview
    # the chart data of the forecast chapter are in the page; the maps are not (they load when seen)
    figures = re.search(r'<script type="application/json" id="figuren">(.*?)</script>', overview, re.S).group(1)
    assert "figuur-totaal" in figures and "kaart-" not in figures
    reach = client.get(f"/regio/{REGION_IDS['demo']}/bereikbaarheid/").content.decode()
    maps = re.findall(r'class="plot kaart" id="(kaart-[^"]+)"', reach)
    assert maps, "the reachability page has map placeholders"
    one = client.get(f"/regio/{REGION_IDS['demo']}/kaart/", {"kaart": maps[0]})
    assert one.status_code == 200 and one.json()[maps[0]]["data"]
    assert client.get(f"/regio/{REGION_IDS['demo']}/kaart/", {"kaart": "figuur-totaal"}).status_code == 404
    knelpunten = client.get(f"/regio/{REGION_IDS['demo']}/knelpunten/").content.decode()
    first = analysed["diagnose"]["knelpunten"][0]["titel"]
    assert first.split(":")[0][:30] in knelpunten


def test_a_region_without_analysis_starts_one_job_and_shows_progress(client_for, world, monkeypatch):
    from dekkend.web import tasks
    from dekkend.web.models import Taak

    started = []
    monkeypatch.setattr(tasks, "start_job", lambda taak: started.append(taak.pk) or taak)  # queued, never run
    monkeypatch.setattr(tasks.AnalysisStore, "load", lambda self, regio_id: None)
    client = client_for("bestuur_ander")
    url = f"/regio/{REGION_IDS['ander']}/"
    first = client.get(url).content.decode()
    second = client.get(url).content.decode()
    assert len(started) == 1
    assert "wordt berekend" in first and "wordt berekend" in second
    jobs = Taak.objects.filter(regio_id=REGION_IDS["ander"], soort="analyse")
    assert jobs.count() == 1, "a second visit reuses the queued job"
    assert 'hx-get="/regio/{}/taken/{}/"'.format(REGION_IDS["ander"], jobs[0].pk) in first


def test_a_malformed_token_form_gets_a_dutch_message_and_changes_nothing(client_for):
    from dekkend.web.models import ApiToken

    client = client_for("adviseur")
    for bad in ({"naam": ""}, {"naam": "   "}, {"naam": "x" * 101}, {}):
        page = client.post("/profiel/", bad)
        assert page.status_code == 200
        text = page.content.decode()
        assert "Geef het token een naam." in text or "Gebruik hoogstens 100 tekens." in text
    assert not ApiToken.objects.exists()
    made = client.post("/profiel/", {"naam": "mijn script"}).content.decode()
    key = re.search(r'<code id="nieuwe-sleutel">(dk_[^<]+)</code>', made).group(1)
    assert ApiToken.lookup(key).naam == "mijn script"
    assert key not in client.get("/profiel/").content.decode(), "the key is shown once"


def test_starting_a_report_with_htmx_returns_the_job_partial(client_for, monkeypatch):
    from dekkend.web import tasks
    from dekkend.web.models import AuditRegel, Taak

    monkeypatch.setattr(tasks, "start_job", lambda taak: taak)
    client = client_for("regiocoordinator")
    url = f"/regio/{REGION_IDS['demo']}/rapport/"
    partial = client.post(url, {"pdf": "on"}, HTTP_HX_REQUEST="true")
    text = partial.content.decode()
    job = Taak.objects.get(soort="rapport")
    assert text.lstrip().startswith(f'<div class="taak" id="taak-{job.pk}"') and "<html" not in text
    assert f'hx-get="/regio/{REGION_IDS["demo"]}/taken/{job.pk}/"' in text, "it polls while the job runs"
    assert job.parameters == {"pdf": True}
    assert AuditRegel.objects.filter(actie="rapport gestart", gebruiker__email="regiocoordinator@test.nl").exists()
    full = client.post(url, {})
    assert full.status_code == 302
    assert Taak.objects.get(pk=job.pk + 1).parameters == {"pdf": False}


def test_the_overview_has_a_map_of_the_vestigingen_and_their_offer(client_for, analysed, web_werkmap):
    from dekkend.workspace import Workspace

    client = client_for("accountmanager")
    page = client.get(f"/regio/{REGION_IDS['demo']}/").content.decode()
    assert 'data-figuur="kaart-aanbod"' in page
    figure = client.get(f"/regio/{REGION_IDS['demo']}/kaart/", {"kaart": "kaart-aanbod"}).json()["kaart-aanbod"]
    hover = " ".join(
        t for trace in figure["data"] if trace.get("name", "").startswith("vestigingen") for t in trace["text"]
    )
    codes = set(Workspace(web_werkmap).table("vestigingen")["vestigingscode"])
    assert all(code in hover for code in codes), "every demo vestiging is on the map"
    assert "Havo" in hover or "havo" in hover


def test_board_display_names_show_in_the_chapters_and_charts_escaped(client_for, world, analysed):
    board = world["boards"][0]
    board.weergavenaam = "Stichting <Veen> & Land"
    board.save()
    page = client_for("bestuur").get(f"/regio/{REGION_IDS['demo']}/besturen/").content.decode()
    assert f"Stichting &lt;Veen&gt; &amp; Land (bestuur {board.code})" in page
    assert "<Veen>" not in page
    assert f"Bestuur {board.code}" not in page.split('id="figuren"')[0], "the chapter uses the display name"
    other = world["boards"][1]
    assert f"Bestuur {other.code}" in page, "boards without a display name keep their number"
