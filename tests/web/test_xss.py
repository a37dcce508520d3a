"""Stored XSS, template injection and formula injection: every field a person types, stored through the real forms
and API, comes back escaped in every page (for every role that sees it), as data in JSON, as text in exports and in
the HTML that is printed to PDF; uploads are limited in size, type and what they unpack to.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile

import pandas as pd
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
    html = html.replace("&#34;", "&quot;")  # Jinja (the report) and Django escape a double quote differently
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


def test_scenario_name_yaml_and_comments_are_escaped_for_everyone_who_sees_them(
    client,
    afspraak_world,  # noqa: F811
    analysed,
):
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
    versie.yaml = re.sub(r"^naam: .*$", lambda _m: f"naam: '{hostile('scenarionaam')}'", versie.yaml, flags=re.M)
    assert hostile("scenarionaam") in versie.yaml
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
    # the optimiser's pickers name boards by their display names
    assert_safe(_page(client, people["bestuur2"], f"/regio/{DEMO}/optimaliseren/"), "bestuursnaam")
    # the HTML that Chromium prints as the annex
    printed = annex.build(Afspraak.objects.get(pk=aid)).html
    assert_safe(printed, "titel", "inhoud", "reden", "bestuursnaam", "scenarionaam")
    assert "</script><" not in printed.replace("</script>\n<", "")  # no payload closes a script element early


# --- support requests: subject, text, messages, attachment names; visitation themes --------------------------------


def test_support_request_fields_and_attachment_names_are_escaped_for_its_board_and_handler(client, world):
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
        f'{hostile("alinea")}\n\n[klik hier](javascript:alert(1)) en <a href="javascript:alert(2)">hier</a>\n\n'
        '<iframe src="javascript:alert(3)"></iframe>'
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


# --- board uploads: file names and cells, limits, zip bombs, the templates as exports -------------------------------

FILE_NAME = '"><img src=x onerror=alert(1)>{{ 7*7 }}.csv'


def _template(board, soort: str = "prognose") -> pd.DataFrame:
    from dekkend import forecast
    from dekkend.web.bestuursdata import data

    ctx = data.context(board)
    return forecast.template(soort, ctx.offer, ctx.last_count_year)


def _named(content: bytes, name: str) -> io.BytesIO:
    handle = io.BytesIO(content)
    handle.name = name
    return handle


def test_upload_names_and_cells_are_escaped_and_bad_cells_are_refused(client, world):
    from dekkend import forecast
    from dekkend.web.bestuursdata.models import Upload

    people = world["people"]
    board = people["bestuur"]
    sheet = _template(board.bestuur)
    sheet["leerlingen_leerjaar_1"] = "20"
    bad = sheet.copy()
    bad.loc[0, "onderwijstype"] = hostile("type")
    bad.loc[1, "vestigingscode"] = hostile("code")
    bad.loc[2, "leerlingen_leerjaar_1"] = '=HYPERLINK("http://x","y")'
    client.force_login(board)
    url = f"/regio/{DEMO}/eigen-gegevens/upload/"
    refused = client.post(url, {"soort": "prognose", "bestand": _named(forecast.template_bytes(bad, "csv"), "x.csv")})
    assert refused.status_code == 400 and "regel 2" in refused.content.decode()
    assert_safe(refused.content.decode())
    assert not Upload.objects.exists()
    good = forecast.template_bytes(sheet, "csv")
    assert client.post(url, {"soort": "prognose", "bestand": _named(good, FILE_NAME)}).status_code == 302
    upload = Upload.objects.get()
    assert upload.bestandsnaam == FILE_NAME
    client.post(f"/regio/{DEMO}/eigen-gegevens/{upload.pk}/delen/", {"niveau": "detail", "met": "regio"})
    for person in (board, people["adviseur"], people["regiocoordinator"], people["accountmanager"]):
        for page in (f"/regio/{DEMO}/eigen-gegevens/", f"/regio/{DEMO}/eigen-gegevens/{upload.pk}/"):
            html = _page(client, person, page)
            assert_safe(html)
            assert "<img" not in html


def _bomb() -> bytes:
    """An XLSX-looking archive, small on disk, whose sheet unpacks to more than the limit."""
    from dekkend.forecast.uploads import MAX_UNPACKED

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (MAX_UNPACKED + 1024))
    return buffer.getvalue()


def test_board_uploads_are_limited_in_size_type_and_what_they_unpack_to(client, world):
    from dekkend.web.bestuursdata.forms import MAX_BYTES
    from dekkend.web.bestuursdata.models import Upload

    board = world["people"]["bestuur"]
    bomb = _bomb()
    assert len(bomb) < MAX_BYTES  # passes the size limit: only the unpacking check refuses it
    client.force_login(board)
    url = f"/regio/{DEMO}/eigen-gegevens/upload/"
    page = client.post(url, {"soort": "prognose", "bestand": _named(bomb, "bom.xlsx")})
    assert page.status_code == 400 and "pakt uit tot meer dan 50 MB" in page.content.decode()
    token = {"HTTP_AUTHORIZATION": f"Bearer {_token(board)}"}
    api = client.post("/api/uploads", {"soort": "prognose", "bestand": _named(bomb, "bom.xlsx")}, **token)
    assert api.status_code == 422 and "pakt uit" in api.json()["detail"]
    big = b"vestigingscode;onderwijstype\n" + b"0" * (MAX_BYTES + 1)
    assert client.post(url, {"soort": "prognose", "bestand": _named(big, "groot.csv")}).status_code == 400
    api = client.post("/api/uploads", {"soort": "prognose", "bestand": _named(big, "groot.csv")}, **token)
    assert api.status_code == 422 and "5 MB" in api.json()["detail"]
    wrong = client.post(url, {"soort": "prognose", "bestand": _named(b"MZ\x90\x00", "programma.exe")})
    assert wrong.status_code == 400 and "alleen .csv of .xlsx" in wrong.content.decode()
    assert not Upload.objects.exists()


HOSTILE_CELLS = ['=HYPERLINK("http://x","y")', "+cmd", "-1+1", "@SUM(1)", "\t=1+1", "\r=1+1"]


def _neutral(value: object) -> bool:
    """Whether a spreadsheet shows the cell as it is (no formula): a quote-prefixed text, a number or plain text."""
    text = "" if value is None else str(value)
    if not text or text[0] not in "=+-@\t\r":
        return True
    if text[0] == "-":
        try:
            float(text.replace(",", "."))
        except ValueError:
            return False
        return True
    return False


def test_template_exports_neutralise_formulas_in_csv_and_xlsx(client, world):
    from openpyxl import load_workbook

    from dekkend import forecast

    board = world["people"]["bestuur"]
    sheet = _template(board.bestuur)
    names = (HOSTILE_CELLS * (len(sheet) // len(HOSTILE_CELLS) + 1))[: len(sheet)]
    sheet["vestiging"] = names
    rows = list(
        csv.reader(io.StringIO(forecast.template_bytes(sheet, "csv").decode("utf-8-sig"), newline=""), delimiter=";")
    )
    cells = [c for row in rows for c in row]
    assert all(_neutral(c) for c in cells), [c for c in cells if not _neutral(c)]
    assert sum(c.startswith("'") for c in cells) >= len(set(names))
    book = load_workbook(io.BytesIO(forecast.template_bytes(sheet, "xlsx")))
    values = [cell for row in book.active.iter_rows() for cell in row]
    assert not [c.value for c in values if c.data_type == "f"]  # no formula cells
    assert all(isinstance(c.value, str) and c.value.startswith("'") for c in values if c.value in HOSTILE_CELLS)
    assert {str(c.value) for c in values} >= {"'" + n for n in HOSTILE_CELLS if "\r" not in n}  # XML keeps no bare CR
    # and the downloads a board gets from the page and the API
    client.force_login(board)
    for url in (
        f"/regio/{DEMO}/eigen-gegevens/sjabloon/prognose/?formaat=csv",
        "/api/uploads/sjabloon/prognose?formaat=csv",
    ):
        got = client.get(url)
        assert got.status_code == 200
        downloaded = csv.reader(io.StringIO(got.content.decode("utf-8-sig")), delimiter=";")
        assert all(_neutral(c) for row in downloaded for c in row)
    got = client.get(f"/regio/{DEMO}/eigen-gegevens/sjabloon/prognose/?formaat=xlsx")
    book = load_workbook(io.BytesIO(got.content))
    assert all(c.data_type != "f" and _neutral(c.value) for row in book.active.iter_rows() for c in row)


# --- core: API token names, invitation e-mails, people's names, region names ---------------------------------------

GOOD_PASSWORD = "Veenland-Zandbrug-2026!"


def test_token_names_invitations_peoples_and_region_names_are_escaped(client, world, analysed, settings):
    from django.test import Client

    from dekkend.web.models import ApiToken, Gebruiker, Regio

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    people = world["people"]
    client.force_login(people["bestuur"])
    made = client.post("/profiel/", {"naam": hostile("token")})
    assert made.status_code == 200 and ApiToken.objects.filter(naam=hostile("token")).exists()
    assert_safe(made.content.decode(), "token")
    assert_safe(_page(client, people["bestuur"], "/profiel/"), "token")
    # an e-mail address with markup (a quoted local part) is refused, and the refusal page shows it as text
    client.force_login(people["regiocoordinator"])
    board = world["boards"][0]
    url = f"/regio/{DEMO}/leden/uitnodigen/"
    email = '"<script>alert(1)</script><img src=x onerror=alert(1)>"@test.nl'
    refused = client.post(url, {"email": email, "rol": "bestuur", "bestuur": board.pk})
    assert refused.status_code == 400 and "geen geldig e-mailadres" in refused.content.decode()
    assert_safe(refused.content.decode())
    invited = client.post(url, {"email": "o'neill@test.nl", "rol": "bestuur", "bestuur": board.pk})
    assert invited.status_code == 200, invited.content.decode()[-1500:]
    assert_safe(invited.content.decode())
    assert "o&#x27;neill@test.nl" in invited.content.decode()
    key = re.search(r'value="https?://[^"]*/uitnodiging/([^"/]+)/"', invited.content.decode()).group(1)
    guest = Client()
    assert_safe(guest.get(f"/uitnodiging/{key}/").content.decode())
    names = {"voornaam": hostile("voornaam"), "achternaam": hostile("achternaam")}
    accepted = guest.post(f"/uitnodiging/{key}/", {**names, "wachtwoord": GOOD_PASSWORD, "wachtwoord2": GOOD_PASSWORD})
    assert accepted.status_code == 302, accepted.content.decode()[-1500:]
    newcomer = Gebruiker.objects.get(first_name=hostile("voornaam"))
    # the newcomer comments on a scenario shared with the region: their name shows with the comment
    sid = _api(
        client,
        people["bestuur"],
        "POST",
        f"/api/regios/{DEMO}/scenarios",
        {"naam": "Gedeeld", "yaml": "naam: Gedeeld\n" + CLOSE},
    ).json()["id"]
    from dekkend.web.plannen.models import Scenario

    Scenario.objects.filter(pk=sid).update(zichtbaarheid="regio")
    guest.post(f"/regio/{DEMO}/scenarios/{sid}/opmerkingen/", {"tekst": "Mee eens."})
    Regio.objects.filter(pk=DEMO).update(naam=hostile("regionaam"))
    for person in (people["regiocoordinator"], people["bestuur"], newcomer, people["adviseur"]):
        for url in (f"/regio/{DEMO}/", f"/regio/{DEMO}/scenarios/", f"/regio/{DEMO}/scenarios/{sid}/"):
            assert_safe(_page(client, person, url), "regionaam")
    members = _page(client, people["regiocoordinator"], f"/regio/{DEMO}/leden/")
    assert_safe(members, "voornaam", "regionaam")
