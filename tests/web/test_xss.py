"""Stored XSS, template injection and formula injection: every field a person types, stored through the real forms
and API, comes back escaped in every page (for every role that sees it), as data in JSON, as text in exports and in
the HTML that is printed to PDF; uploads are limited in size, type and what they unpack to.
"""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from web.afspraken_fixtures import afspraak_world, payload  # noqa: F401 - fixture
from web.conftest import REGION_IDS

DEMO = REGION_IDS["demo"]
CLOSE = "maatregelen:\n  - {soort: sluit-vestiging, vestiging: 99BB03, vanaf: 2026}\n"
#: Raw markup that must never reach a page from a payload (its escaped form is harmless text).
RAW = ("<script>alert(", "<img src=x", '"><img', '<a href="javascript:', "<a href='javascript:", 'href="javascript:')


def hostile(tag: str) -> str:
    """A value that breaks out of text and attributes, and would be evaluated by a template engine."""
    return f'<script>alert("{tag}")</script>"><img src=x onerror=alert("{tag}")>{{{{ "q7"*3 }}}}{{% now "Y" %}}'


def _escaped(tag: str) -> str:
    return f"&lt;script&gt;alert(&quot;{tag}&quot;)&lt;/script&gt;"


def assert_safe(html: str, *shown: str) -> None:
    """No raw markup of any payload in ``html``; each tag in ``shown`` is there, escaped, with its template text."""
    for raw in RAW:
        assert raw not in html, raw
    assert "q7q7q7" not in html  # {{ "q7"*3 }} was not evaluated
    for tag in shown:
        assert _escaped(tag) in html, tag
    if shown:
        assert "{{ &quot;q7&quot;*3 }}" in html and "{% now &quot;Y&quot; %}" in html


def _token(person) -> str:
    from dekkend.web.models import ApiToken

    return ApiToken.create_for(person, "xss")[1]


def _api(client, person, method: str, url: str, body: dict | None = None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {_token(person)}"}
    if method == "GET":
        return client.get(url, **headers)
    return client.post(url, json.dumps(body or {}), content_type="application/json", **headers)


def _page(client, person, url: str) -> str:
    client.force_login(person)
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert response["Content-Type"].startswith("text/html"), url
    return response.content.decode()


def _json_has(value, needle: str) -> bool:
    """Whether ``needle`` occurs, unchanged, in a string somewhere inside decoded JSON (data, not markup)."""
    if isinstance(value, str):
        return needle in value
    if isinstance(value, list):
        return any(_json_has(v, needle) for v in value)
    if isinstance(value, dict):
        return any(_json_has(v, needle) for v in value.values())
    return False


# --- scenarios: name, YAML, comments ---------------------------------------------------------------------------


def test_scenario_name_yaml_and_comments_are_escaped_for_everyone_who_sees_them(client, afspraak_world, analysed):
    from dekkend.web.plannen.models import Scenario

    people = afspraak_world["people"]
    board = people["bestuur"]
    yaml_text = f"naam: '{hostile('yamlnaam')}'\n# {hostile('yamlcommentaar')}\n" + CLOSE
    made = _api(client, board, "POST", f"/api/regios/{DEMO}/scenarios", {"naam": hostile("naam"), "yaml": yaml_text})
    assert made.status_code == 201, made.content
    sid = made.json()["id"]
    assert made.json()["naam"] == hostile("naam")  # JSON carries the value as data, unchanged
    Scenario.objects.filter(pk=sid).update(zichtbaarheid="regio")
    client.force_login(people["adviseur"])
    said = client.post(f"/regio/{DEMO}/scenarios/{sid}/opmerkingen/", {"tekst": hostile("opmerking")})
    assert said.status_code == 302
    base = f"/regio/{DEMO}/scenarios/"
    for role in ("bestuur", "bestuur2", "regiocoordinator", "adviseur", "accountmanager"):
        person = people[role]
        assert_safe(_page(client, person, base), "naam")
        assert_safe(_page(client, person, f"{base}{sid}/"), "naam", "opmerking")
        assert_safe(_page(client, person, f"{base}{sid}/presentatie/"), "naam")
        found = _api(client, person, "GET", f"/api/scenarios/{sid}").json()
        assert _json_has(found, hostile("naam")) and _json_has(found, hostile("yamlcommentaar"))
        listed = _api(client, person, "GET", f"/api/regios/{DEMO}/scenarios").json()
        assert _json_has(listed, hostile("naam"))
    # the editor (the owner only) shows the YAML in a text area: escaped, so no </textarea> break-out
    edit = _page(client, board, f"{base}{sid}/bewerken/")
    assert_safe(edit, "naam", "yamlcommentaar")
    assert "</textarea><" not in edit.replace("</textarea>\n", "</textarea>")
    # the YAML download is plain text as an attachment, never HTML
    client.force_login(board)
    raw = client.get(f"{base}{sid}/versies/1/yaml/")
    assert raw.status_code == 200 and "html" not in raw["Content-Type"]
    assert raw["Content-Disposition"].startswith("attachment")


# --- agreements: title, content, reasons; the PDF annex's HTML; board display names -----------------------------


def test_agreement_fields_and_board_names_are_escaped_in_pages_api_and_the_printed_annex(
    client,
    afspraak_world,  # noqa: F811
    analysed,
):
    from dekkend.web.afspraken import annex
    from dekkend.web.afspraken.models import Afspraak
    from dekkend.web.plannen.models import Scenario

    w = afspraak_world
    people = w["people"]
    versie = w["versie"]
    versie.yaml = f"naam: '{hostile('scenarionaam')}'\n" + versie.yaml.split("\n", 1)[1]
    versie.save(update_fields=["yaml"])
    Scenario.objects.filter(pk=versie.scenario_id).update(naam=hostile("scenario"))
    # a coordinator names a board through the members page
    board = w["boards"][0]
    client.force_login(people["regiocoordinator"])
    named = client.post(
        f"/regio/{DEMO}/leden/besturen/{board.pk}/naam/", {f"b{board.pk}-weergavenaam": hostile("bestuursnaam")}
    )
    assert named.status_code == 302
    board.refresh_from_db()
    assert board.weergavenaam.startswith("<script>")
    body = payload(w, titel=hostile("titel"), inhoud=hostile("inhoud"), voorleggen=True)
    made = _api(client, people["regiocoordinator"], "POST", f"/api/regios/{DEMO}/afspraken", body)
    assert made.status_code == 201, made.content
    aid = made.json()["id"]
    url = f"/api/afspraken/{aid}/instemming"
    declined = _api(client, people["bestuur"], "POST", url, {"besluit": "afgewezen", "reden": hostile("reden")})
    assert declined.status_code == 200, declined.content
    assert _json_has(declined.json(), hostile("reden")) and _json_has(declined.json(), hostile("titel"))
    for role in ("bestuur", "bestuur2", "regiocoordinator", "adviseur", "accountmanager"):
        person = people[role]
        assert_safe(_page(client, person, f"/regio/{DEMO}/afspraken/"), "titel")
        assert_safe(_page(client, person, f"/regio/{DEMO}/afspraken/{aid}/"), "titel", "inhoud", "reden")
        assert _json_has(_api(client, person, "GET", f"/api/afspraken/{aid}").json(), hostile("inhoud"))
    # the region pages show the display name in the analysis' chapters and figures
    for page in ("", "besturen/", "knelpunten/"):
        assert_safe(_page(client, people["bestuur2"], f"/regio/{DEMO}/{page}"))
    assert_safe(_page(client, people["bestuur2"], f"/regio/{DEMO}/besturen/"), "bestuursnaam")
    assert_safe(_page(client, people["regiocoordinator"], f"/regio/{DEMO}/leden/"), "bestuursnaam")
    # the HTML that Chromium prints as the annex
    printed = annex.build(Afspraak.objects.get(pk=aid)).html
    assert_safe(printed, "titel", "inhoud", "reden", "bestuursnaam", "scenarionaam")
    assert "</script><" not in printed.replace("</script>\n<", "")  # no payload closes a script element early


# --- support requests: subject, text, messages, attachment names; visitation themes --------------------------------


def test_support_request_fields_and_attachment_names_are_escaped_for_its_board_and_handler(client, world, settings):
    from dekkend.web.hulpvragen import werk

    people = world["people"]
    board, adviser = people["bestuur"], people["adviseur"]
    body = {"regio": DEMO, "soort": "adviseur", "onderwerp": hostile("onderwerp"), "tekst": hostile("vraag")}
    body["rapport"] = "geen"
    made = _api(client, board, "POST", "/api/hulpvragen", body)
    assert made.status_code == 201, made.content
    hid = made.json()["id"]
    said = _api(client, adviser, "POST", f"/api/hulpvragen/{hid}/berichten", {"tekst": hostile("bericht")})
    assert said.status_code in (200, 201), said.content
    page = f"/regio/{DEMO}/hulpvragen/{hid}/"
    client.force_login(board)
    name = 'x"><img src=x onerror=alert(1)>{{ 7*7 }}.csv'
    sent = client.post(page, {"tekst": "Zie bijlage", "bijlagen": [SimpleUploadedFile(name, b"a;b\n=1+1;@SUM(1)\n")]})
    assert sent.status_code == 302, sent.content.decode()[-2000:]
    for person in (board, adviser):
        html = _page(client, person, page)
        assert_safe(html, "onderwerp", "vraag", "bericht")
        assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;{{ 7*7 }}.csv" in html  # the file name, as text
        assert_safe(_page(client, person, "/hulpvragen/"), "onderwerp")
        found = _api(client, person, "GET", f"/api/hulpvragen/{hid}").json()
        assert _json_has(found, hostile("bericht")) and _json_has(found, name)
    # a download keeps its bytes but is always an attachment (never rendered by the browser)
    from dekkend.web.hulpvragen.models import Bijlage

    bijlage = Bijlage.objects.get()
    client.force_login(adviser)
    got = client.get(f"{page}bijlagen/{bijlage.pk}/")
    assert got.status_code == 200 and got["Content-Disposition"].startswith("attachment")
    # visitation themes are a fixed list: anything else is refused, never stored
    from django.test import RequestFactory

    request = RequestFactory().post("/")
    request.user = board
    with pytest.raises(werk.HulpvraagFout, match="onbekend visitatiethema"):
        werk.ask(
            request,
            world["regions"]["demo"],
            soort="visitatie",
            onderwerp="Visitatie",
            tekst="Graag",
            rapport="geen",
            themas=[hostile("thema")],
        )


# --- knowledge entries edited in the browser ------------------------------------------------------------------------


def _entry(titel: str, extra_body: str, url: str = "https://techniekpact.nl/cases/herkaveling-in-emmen") -> str:
    from dekkend.knowledge import entries_directory

    text = (entries_directory() / "emmen-vmbo-profielen-verdeeld.md").read_text(encoding="utf-8")
    text = text.replace("id: emmen-vmbo-profielen-verdeeld", "id: xss-proef-artikel", 1)
    text = re.sub(r"^titel: .*$", lambda _m: f"titel: '{titel}'", text, count=1, flags=re.M)
    text = text.replace("https://techniekpact.nl/cases/herkaveling-in-emmen", url, 1)
    return text + "\n" + extra_body + "\n"


def test_a_knowledge_entry_with_markup_and_javascript_links_shows_as_text(client, world):
    from dekkend.web.hulpvragen.models import KennisVersie

    adviser, admin = world["people"]["adviseur"], world["people"]["beheerder"]
    body = (
        f"{hostile('alinea')}\n\n[klik hier](javascript:alert(1)) en <a href=\"javascript:alert(2)\">hier</a>\n\n"
        "<iframe src=\"javascript:alert(3)\"></iframe>"
    )
    client.force_login(adviser)
    bad_source = client.post("/kennisbank/nieuw/", {"tekst": _entry("Proef", body, url="javascript:alert(4)")})
    assert bad_source.status_code == 400 and "geldige url" in bad_source.content.decode()
    assert_safe(bad_source.content.decode())
    assert client.post("/kennisbank/nieuw/", {"tekst": _entry(hostile("kennistitel"), body)}).status_code == 302
    version = KennisVersie.objects.get()
    assert_safe(_page(client, adviser, f"/kennisbank/versies/{version.pk}/"))
    client.post(f"/kennisbank/versies/{version.pk}/", {"actie": "indienen"})
    assert_safe(_page(client, admin, "/kennisbank/beoordelen/"))
    client.force_login(admin)
    client.post(f"/kennisbank/versies/{version.pk}/", {"besluit": "publiceren", "opmerking": hostile("oordeel")})
    version.refresh_from_db()
    assert version.staat == "gepubliceerd"
    for person in (world["people"]["bestuur"], adviser, world["people"]["accountmanager"]):
        article = _page(client, person, "/kennisbank/xss-proef-artikel/")
        assert_safe(article, "kennistitel", "alinea")
        active = re.findall(r".{80}(?:<iframe|<a [^>]*href=.?javascript:).{40}", article, flags=re.S)
        assert not active, active  # no active element or link from the entry
        at = article.find("<iframe")
        assert at < 0, article[at - 200 : at + 100]
        assert_safe(_page(client, person, "/kennisbank/?q=proef"))
    assert_safe(_page(client, adviser, f"/kennisbank/versies/{version.pk}/"))
