"""Support requests: who sees them (object level), their status flow and e-mails, attachments, visitation,
reminders and the daily digest, and the knowledge base's review flow and helpful marks."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _ask(world, asker="bestuur", soort="adviseur", **extra):
    """A request made through the library-facing function the page and API call (no report job)."""
    from django.test import RequestFactory

    from dekkend.web.hulpvragen import werk

    request = RequestFactory().post("/")
    request.user = world["people"][asker]
    fields = {"onderwerp": "Techniek in Veenland", "tekst": "Wie denkt mee?", "rapport": "geen", **extra}
    return werk.ask(request, world["regions"]["demo"], soort=soort, **fields)


@pytest.fixture
def colleagues(world):
    """A second person of the asking board, and a person of another board in the same region."""
    from dekkend.web.models import Gebruiker, Rol

    made = {}
    for key, board in (("collega", world["boards"][0]), ("ander_bestuur_zelfde_regio", world["boards"][1])):
        made[key] = Gebruiker.objects.create_user(
            username=f"{key}@test.nl", email=f"{key}@test.nl", password="x" * 20, rol=Rol.BESTUUR, bestuur=board
        )
    return made


def _login(client, person):
    client.force_login(person)
    return client


@pytest.mark.parametrize(
    ("soort", "seers"),
    [
        ("adviseur", {"bestuur", "collega", "adviseur"}),
        ("visitatie", {"bestuur", "collega", "adviseur"}),
        ("ocw", {"bestuur", "collega", "accountmanager"}),
    ],
)
def test_a_request_is_seen_by_its_board_and_its_handler_only_in_pages_and_api(
    client, world, colleagues, analysed, soort, seers
):
    from dekkend.web.models import ApiToken

    hulpvraag = _ask(world, soort=soort)
    people = {**world["people"], **colleagues}
    url = f"/regio/{hulpvraag.regio_id}/hulpvragen/{hulpvraag.pk}/"
    for key, person in people.items():
        client.force_login(person)
        page = client.get(url)
        key_ = ApiToken.create_for(person, "t")[1]
        api = client.get(f"/api/hulpvragen/{hulpvraag.pk}", HTTP_AUTHORIZATION=f"Bearer {key_}")
        listed = {h["id"] for h in client.get("/api/hulpvragen", HTTP_AUTHORIZATION=f"Bearer {key_}").json()}
        if key in seers:
            assert page.status_code == 200 and api.status_code == 200, key
            assert hulpvraag.pk in listed and "Techniek in Veenland" in page.content.decode()
        else:  # the coordinator, another board of the region, the other handler, the admin, outsiders
            assert page.status_code == 404 and api.status_code == 404, key
            assert api.json() == {"detail": "niet gevonden"} and hulpvraag.pk not in listed
        client.logout()


def test_a_coordinators_request_is_seen_by_the_coordinator_and_the_adviser(client, world, analysed):
    from dekkend.web.hulpvragen.access import visible_requests
    from dekkend.web.models import Gebruiker

    hulpvraag = _ask(world, asker="regiocoordinator")
    assert hulpvraag.bestuur is None and hulpvraag.behandelaar == world["people"]["adviseur"]
    seers = {p.email for p in Gebruiker.objects.all() if visible_requests(p).filter(pk=hulpvraag.pk).exists()}
    assert seers == {"regiocoordinator@test.nl", "adviseur@test.nl"}


def test_the_snapshot_is_frozen_with_the_knelpunt_and_the_region_knelpunten(world, analysed):
    knelpunten = analysed["diagnose"]["knelpunten"]
    assert knelpunten, "the demo region has knelpunten"
    hulpvraag = _ask(world, knelpunt=len(knelpunten) - 1)
    snap = hulpvraag.momentopname
    assert snap["knelpunt"] == knelpunten[-1] and hulpvraag.knelpunt == knelpunten[-1]["titel"]
    assert snap["knelpunten"] == knelpunten and snap["gegevensversie"] == analysed["versie"]
    from dekkend.web.hulpvragen import werk

    with pytest.raises(werk.HulpvraagFout, match="bestaat niet"):
        _ask(world, knelpunt=len(knelpunten) + 5)


def test_a_scenario_version_goes_along_only_when_the_asker_may_see_it(world, analysed):
    from dekkend.web.hulpvragen import werk
    from dekkend.web.plannen.models import Scenario, ScenarioVersie

    other = world["people"]["regiocoordinator"]
    theirs = Scenario.objects.create(regio=world["regions"]["demo"], bestuur=None, auteur=other, naam="Geheim")
    hidden = ScenarioVersie.objects.create(scenario=theirs, nummer=1, yaml="naam: geheim\n")
    with pytest.raises(werk.HulpvraagFout, match="niet zichtbaar"):
        _ask(world, scenario_versie=hidden.pk)
    board = world["people"]["bestuur"]
    ours = Scenario.objects.create(regio=world["regions"]["demo"], bestuur=board.bestuur, auteur=board, naam="Samen")
    version = ScenarioVersie.objects.create(scenario=ours, nummer=2, yaml="naam: samen\n", resultaat={"a": 1})
    hulpvraag = _ask(world, scenario_versie=version.pk)
    assert hulpvraag.momentopname["scenario"]["yaml"] == "naam: samen\n"
    assert hulpvraag.momentopname["scenario"]["resultaat"] == {"a": 1}


def test_without_an_assigned_account_manager_the_page_says_whom_to_mail_and_nothing_is_made(client, world, analysed):
    from dekkend.web.hulpvragen.models import Hulpvraag

    world["people"]["accountmanager"].regios.clear()
    _login(client, world["people"]["bestuur"])
    tab = client.get("/regio/1/ondersteuning/").content.decode()
    assert "lld@minocw.nl" in tab
    response = client.post(
        "/regio/1/hulpvragen/nieuw/", {"soort": "ocw", "onderwerp": "Bekostiging", "tekst": "Vraag", "rapport": "geen"}
    )
    assert response.status_code == 400 and "lld@minocw.nl" in response.content.decode()
    assert not Hulpvraag.objects.exists()


def test_only_boards_and_coordinators_ask(client, world, analysed):
    _login(client, world["people"]["adviseur"])
    assert "kunnen medewerkers van een bestuur" in client.get("/regio/1/hulpvragen/nieuw/").content.decode()
    response = client.post("/regio/1/hulpvragen/nieuw/", {"soort": "adviseur", "onderwerp": "x", "tekst": "y"})
    assert response.status_code == 403


def _smtp(settings, smtp_server):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = smtp_server.host, smtp_server.port


@pytest.mark.django_db(transaction=True)
def test_the_status_flow_with_emails_to_the_other_side(client, world, analysed, smtp_server, settings):
    from dekkend.web.hulpvragen.models import Bericht, Hulpvraag

    _smtp(settings, smtp_server)
    board, adviser = world["people"]["bestuur"], world["people"]["adviseur"]
    _login(client, board)
    response = client.post(
        "/regio/1/hulpvragen/nieuw/",
        {
            "soort": "adviseur",
            "onderwerp": "Techniekroute",
            "tekst": "Kunt u meedenken?",
            "rapport": "geen",
            "knelpunt": "0",
        },
    )
    hulpvraag = Hulpvraag.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/hulpvragen/{hulpvraag.pk}/")
    mail = smtp_server.wait_for(1)
    assert mail[0].rcpt_tos == (adviser.email,) and "Nieuwe hulpvraag: Techniekroute" in mail[0].message["Subject"]
    assert f"/regio/1/hulpvragen/{hulpvraag.pk}/" in mail[0].message.get_body(("plain",)).get_content()

    # the board may not set "in behandeling" (only close); the adviser may
    url = f"/regio/1/hulpvragen/{hulpvraag.pk}/"
    assert client.post(url + "status/", {"status": "in behandeling"}).status_code == 403
    _login(client, adviser)
    client.post(url, {"tekst": "Wat is uw planning?"})
    client.post(url + "status/", {"status": "wacht op bestuur"})
    mail = smtp_server.wait_for(3)
    assert {m.message["Subject"] for m in mail[1:]} == {
        "[dekkend] Nieuw bericht bij hulpvraag: Techniekroute",
        "[dekkend] Status gewijzigd: Techniekroute",
    }
    assert all(m.rcpt_tos == (board.email,) for m in mail[1:])

    # the board's answer puts it back to "in behandeling"; the adviser hears of it
    _login(client, board)
    client.post(url, {"tekst": "Voor de zomer."})
    hulpvraag.refresh_from_db()
    assert hulpvraag.status == "in behandeling"
    mail = smtp_server.wait_for(5)
    assert {m.rcpt_tos for m in mail[3:]} == {(adviser.email,)}
    _login(client, adviser)
    client.post(url + "status/", {"status": "afgerond"})
    hulpvraag.refresh_from_db()
    assert hulpvraag.status == "afgerond"
    assert list(Bericht.objects.filter(hulpvraag=hulpvraag).exclude(status="").values_list("status", flat=True)) == [
        "wacht op bestuur",
        "in behandeling",
        "afgerond",
    ]


def test_the_api_asks_writes_and_changes_status_with_dutch_errors(client, world, analysed):
    from dekkend.web.models import ApiToken

    board = {"HTTP_AUTHORIZATION": "Bearer " + ApiToken.create_for(world["people"]["bestuur"], "t")[1]}
    adviser = {"HTTP_AUTHORIZATION": "Bearer " + ApiToken.create_for(world["people"]["adviseur"], "t")[1]}
    body = {
        "regio": 1,
        "soort": "adviseur",
        "onderwerp": "Via de API",
        "tekst": "Vraag",
        "scenario": None,
        "rapport": "geen",
    }
    made = client.post("/api/hulpvragen", body, content_type="application/json", **board)
    assert made.status_code == 201
    hid = made.json()["id"]
    assert made.json()["momentopname"]["knelpunten"] == analysed["diagnose"]["knelpunten"]
    wrong = client.post("/api/hulpvragen", {**body, "soort": "koffie"}, content_type="application/json", **board)
    assert wrong.status_code == 422 and wrong.json()["fouten"][0]["veld"] == "soort"
    assert (
        client.post("/api/hulpvragen", {**body, "regio": 2}, content_type="application/json", **board).status_code
        == 404
    )
    assert (
        client.post(
            f"/api/hulpvragen/{hid}/berichten", {"tekst": "Antwoord"}, content_type="application/json", **adviser
        ).status_code
        == 201
    )
    empty = client.post(f"/api/hulpvragen/{hid}/berichten", {"tekst": " "}, content_type="application/json", **board)
    assert empty.status_code == 422 and "schrijf een bericht" in empty.json()["fouten"][0]["melding"]
    refused = client.post(
        f"/api/hulpvragen/{hid}/status", {"status": "in behandeling"}, content_type="application/json", **board
    )
    assert refused.status_code == 403 and "adviseur" in refused.json()["detail"]
    done = client.post(
        f"/api/hulpvragen/{hid}/status", {"status": "wacht op bestuur"}, content_type="application/json", **adviser
    )
    assert done.status_code == 200 and done.json()["status"] == "wacht op bestuur"
    assert [b["tekst"] for b in done.json()["berichten"]][0] == "Antwoord"


def test_the_api_refers_to_the_scenario_version_the_scenario_api_lists(client, world, analysed):
    """An API client finds the version id in GET /api/scenarios/{id} and asks about exactly that version."""
    from dekkend.web.models import ApiToken
    from dekkend.web.plannen.models import Scenario, ScenarioVersie

    person = world["people"]["bestuur"]
    board = {"HTTP_AUTHORIZATION": "Bearer " + ApiToken.create_for(person, "t")[1]}
    ours = Scenario.objects.create(regio=world["regions"]["demo"], bestuur=person.bestuur, auteur=person, naam="Twee")
    for nummer in (1, 2):
        ScenarioVersie.objects.create(scenario=ours, nummer=nummer, yaml=f"naam: v{nummer}\n", door=person)
    listed = client.get(f"/api/scenarios/{ours.pk}", **board).json()["versies"]
    first = next(v["id"] for v in listed if v["nummer"] == 1)
    body = {
        "regio": 1,
        "soort": "adviseur",
        "onderwerp": "Versie 1",
        "tekst": "?",
        "scenario": first,
        "rapport": "geen",
    }
    made = client.post("/api/hulpvragen", body, content_type="application/json", **board)
    assert made.status_code == 201, made.content
    assert made.json()["scenarioversie"] == first == ScenarioVersie.objects.get(scenario=ours, nummer=1).pk


# -- attachments --------------------------------------------------------------------------------------------
def _xlsx(extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_attachments_are_checked_by_content():
    from dekkend.web.hulpvragen.uploads import MAX_SIZE, MAX_UNPACKED, BijlageFout, check

    assert check("verslag.pdf", io.BytesIO(PDF), len(PDF)).soort == "pdf"
    assert check("cijfers.xlsx", io.BytesIO(_xlsx()), len(_xlsx())).soort == "xlsx"
    assert check("lijst.csv", io.BytesIO(b"school;leerlingen\nA;12\n"), 22).soort == "csv"
    assert check("C:\\map\\lijst.CSV", io.BytesIO("naam,plaats\nÉén,Ede\n".encode("cp1252")), 20).naam == "lijst.CSV"
    cases = [
        ("nep.pdf", b"dit is tekst", "geen PDF"),
        ("nep.xlsx", PDF, "geen Excel"),
        ("zip.xlsx", _zip_without_workbook(), "geen Excel"),
        ("binair.csv", b"a;b\x00\x01", "binaire"),
        ("pdf.csv", PDF, "geen tabel"),
        ("programma.exe", b"MZ", "alleen PDF-, XLSX- en CSV"),
        ("leeg.csv", b"", "leeg"),
    ]
    for name, data, message in cases:
        with pytest.raises(BijlageFout, match=message):
            check(name, io.BytesIO(data), len(data))
    with pytest.raises(BijlageFout, match="hoogstens 10 MB"):
        check("groot.pdf", io.BytesIO(PDF), MAX_SIZE + 1)
    # a zip bomb disguised as a workbook: small on disk, refused while unpacking, with its header sizes lied about
    bomb = _xlsx({"xl/worksheets/sheet1.xml": b"\0" * (MAX_UNPACKED + 1024)})
    assert len(bomb) < MAX_SIZE
    with pytest.raises(BijlageFout, match="zipbom"):
        check("bom.xlsx", io.BytesIO(bomb), len(bomb))
    lying = _lying(bomb)
    assert lying != bomb  # the declared size was changed
    with pytest.raises(BijlageFout, match="zipbom|geen Excel-werkmap"):  # refused, never unpacked beyond the limit
        check("bom.xlsx", io.BytesIO(lying), len(lying))


def _zip_without_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("iets.txt", "x")
    return buffer.getvalue()


def _lying(data: bytes) -> bytes:
    """The archive with the big member's declared size set to 1 in the central directory (a crafted bomb)."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    info = next(i for i in archive.infolist() if i.filename.endswith("sheet1.xml"))
    raw = bytearray(data)
    at = raw.rfind(b"PK\x01\x02" + raw[raw.rfind(b"PK\x01\x02") + 4 : raw.rfind(b"PK\x01\x02") + 6])
    position = raw.find(info.filename.encode(), at) - 46 if at >= 0 else -1
    if position >= 0 and raw[position : position + 4] == b"PK\x01\x02":
        raw[position + 24 : position + 28] = (1).to_bytes(4, "little")
    return bytes(raw)


def test_a_bad_attachment_gets_a_dutch_message_and_leaves_nothing_behind(client, world, analysed, settings, tmp_path):
    from dekkend.web.hulpvragen.models import Bericht, Bijlage

    # files of this test only (the xdist workers share one web map, and database ids repeat across them)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": tmp_path}},
    }
    hulpvraag = _ask(world)
    folder = tmp_path / "hulpvragen" / str(hulpvraag.pk)
    before = set(folder.iterdir()) if folder.exists() else set()
    _login(client, world["people"]["bestuur"])
    url = f"/regio/1/hulpvragen/{hulpvraag.pk}/"
    good = SimpleUploadedFile("cijfers.pdf", PDF, content_type="application/pdf")
    bomb = SimpleUploadedFile("bom.xlsx", _xlsx({"xl/x.xml": b"\0" * (60 * 1024 * 1024)}))
    response = client.post(url, {"tekst": "Twee bestanden", "bijlagen": [good, bomb]})
    assert response.status_code == 400 and "zipbom" in response.content.decode(), response.content.decode()[-3000:]
    assert not Bericht.objects.exists() and not Bijlage.objects.exists()
    assert (set(folder.iterdir()) if folder.exists() else set()) == before
    good.seek(0)
    assert client.post(url, {"tekst": "Eén bestand", "bijlagen": [good]}).status_code == 302
    bijlage = Bijlage.objects.get()
    assert (tmp_path / bijlage.bestand.name).read_bytes() == PDF
    download = client.get(f"{url}bijlagen/{bijlage.pk}/")
    assert b"".join(download.streaming_content) == PDF
    _login(client, world["people"]["regiocoordinator"])
    assert client.get(f"{url}bijlagen/{bijlage.pk}/").status_code == 404


# -- visitation -----------------------------------------------------------------------------------------------
def test_a_visitation_with_peers_dates_and_a_report_shared_only_when_the_board_chooses(client, world, analysed):
    import datetime as dt

    from dekkend.web.hulpvragen.models import Visitatiepartner

    hulpvraag = _ask(
        world, soort="visitatie", themas=["huisvesting", "personeel"], voorgestelde_data=[dt.date(2027, 3, 1)]
    )
    assert hulpvraag.themas == ["huisvesting", "personeel"] and hulpvraag.voorgestelde_data == ["2027-03-01"]
    url = f"/regio/1/hulpvragen/{hulpvraag.pk}/"
    _login(client, world["people"]["bestuur"])
    same_region = world["boards"][1]
    client.post(url + "visiteurs/", {"bestuur": same_region.code})
    assert not Visitatiepartner.objects.exists()  # peers come from other regions
    client.post(url + "visiteurs/", {"bestuur": world["people"]["bestuur_ander"].bestuur.code})
    partner = Visitatiepartner.objects.get()
    # the peer board sees the visitation's outline, not the request; others do not see the outline
    _login(client, world["people"]["bestuur_ander"])
    assert client.get(url).status_code == 404
    outline = client.get(url + "visitatie/")
    assert outline.status_code == 200 and "huisvesting" in outline.content.decode()
    client.post(url + "visitatie/", {"antwoord": "toegezegd"})
    partner.refresh_from_db()
    assert partner.antwoord == "toegezegd"
    _login(client, world["people"]["regiocoordinator"])
    assert client.get(url + "visitatie/").status_code == 404
    # the adviser uploads the report; it must be a PDF
    _login(client, world["people"]["adviseur"])
    client.post(url + "verslag/", {"verslag": SimpleUploadedFile("verslag.csv", b"a;b\n1;2\n")})
    assert hulpvraag.verslag() is None
    client.post(url + "verslag/", {"verslag": SimpleUploadedFile("verslag.pdf", PDF)})
    assert hulpvraag.verslag() is not None
    assert client.post(url + "verslag/delen/", {"delen": "1"}).status_code == 403  # the board decides
    _login(client, world["people"]["regiocoordinator"])
    assert client.get(url + "verslag/").status_code == 404
    _login(client, world["people"]["bestuur"])
    client.post(url + "verslag/delen/", {"delen": "1"})
    _login(client, world["people"]["regiocoordinator"])
    assert b"".join(client.get(url + "verslag/").streaming_content) == PDF
    assert f"/hulpvragen/{hulpvraag.pk}/verslag/" in client.get("/regio/1/ondersteuning/").content.decode()
    _login(client, world["people"]["bestuur_ander"])
    assert client.get(url + "verslag/").status_code == 404  # shared with the region, not beyond


# -- reminders and digest -------------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_due_date_reminder_once_and_the_daily_digest(world, analysed, smtp_server, settings):
    from django.core.management import call_command
    from django.utils import timezone

    from dekkend.web.models import Melding

    _smtp(settings, smtp_server)
    adviser = world["people"]["adviseur"]
    adviser.meldingen_per_dag = True
    adviser.save()
    hulpvraag = _ask(world, streefdatum=timezone.localdate() + timedelta(days=1))
    _ask(world, onderwerp="Later", streefdatum=timezone.localdate() + timedelta(days=10))
    assert Melding.objects.filter(ontvanger=adviser, gemaild__isnull=True).count() == 2  # waiting for the digest
    out = io.StringIO()
    call_command("meldingen", stdout=out)
    assert "herinneringen: 1" in out.getvalue() and "samenvattingen: 1" in out.getvalue()
    mail = smtp_server.wait_for(1)
    assert len(mail) == 1 and mail[0].rcpt_tos == (adviser.email,)
    body = mail[0].message.get_body(("plain",)).get_content()
    assert "3 nieuwe meldingen" in body and "Herinnering: hulpvraag 'Techniek in Veenland'" in body
    assert Melding.objects.filter(ontvanger=adviser, gemaild__isnull=True).count() == 0
    call_command("meldingen", stdout=io.StringIO())  # the second run has nothing to do
    hulpvraag.refresh_from_db()
    assert hulpvraag.herinnerd is not None and len(smtp_server.messages) == 1


def test_the_notification_setting_on_the_notifications_page(client, world):
    person = world["people"]["bestuur"]
    _login(client, person)
    assert client.post("/meldingen/", {"actie": "instelling", "meldingen_per_dag": "1"}).status_code == 302
    person.refresh_from_db()
    assert person.meldingen_per_dag is True
    client.post("/meldingen/", {"actie": "instelling", "meldingen_per_dag": "0"})
    person.refresh_from_db()
    assert person.meldingen_per_dag is False


# -- knowledge base -------------------------------------------------------------------------------------------
def _local_example(knelpunt_type: str) -> str:
    from dekkend.knowledge import entries_directory

    text = (entries_directory() / "emmen-vmbo-profielen-verdeeld.md").read_text(encoding="utf-8")
    front, body = text.split("\n---\n", 1)
    lines = []
    skipping = False
    for line in front.split("\n"):
        if line.startswith("knelpunttypen:"):
            lines += ["knelpunttypen:", f"  {knelpunt_type}: de besturen in Oostwoud zo samen het aanbod hielden"]
            skipping = True
            continue
        if skipping and line.startswith("  "):
            continue
        skipping = False
        if line.startswith("id:"):
            line = "id: oostwoud-techniek-samen"
        elif line.startswith("titel:"):
            line = "titel: Oostwoud houdt techniek samen overeind"
        lines.append(line)
    return "\n".join(lines) + "\n---\n" + body


def test_a_new_example_is_published_after_a_second_persons_review_and_appears_in_search_and_advice(
    client, world, analysed
):
    from dekkend.web.hulpvragen.models import KennisVersie

    kind = analysed["diagnose"]["knelpunten"][0]["type"]
    adviser, admin = world["people"]["adviseur"], world["people"]["beheerder"]
    _login(client, world["people"]["bestuur"])
    assert client.get("/kennisbank/nieuw/").status_code == 403
    _login(client, adviser)
    bad = client.post("/kennisbank/nieuw/", {"tekst": "---\nid: x\n---\nkort"})
    assert bad.status_code == 400 and "regel" in bad.content.decode()
    assert client.post("/kennisbank/nieuw/", {"tekst": _local_example(kind)}).status_code == 302
    version = KennisVersie.objects.get()
    assert version.staat == "concept" and version.artikel == "oostwoud-techniek-samen"
    assert "oostwoud" not in client.get("/kennisbank/", {"q": "Oostwoud"}).content.decode().lower().split("zoeken")[-1]
    client.post(f"/kennisbank/versies/{version.pk}/", {"actie": "indienen"})
    version.refresh_from_db()
    assert version.staat == "ter beoordeling"
    # the author cannot publish their own version
    assert client.post(f"/kennisbank/versies/{version.pk}/", {"besluit": "publiceren"}).status_code == 403
    _login(client, admin)
    client.post(f"/kennisbank/versies/{version.pk}/", {"besluit": "publiceren", "opmerking": "Goed"})
    version.refresh_from_db()
    assert version.staat == "gepubliceerd" and version.beoordelaar == admin
    found = client.get("/kennisbank/", {"q": "Oostwoud techniek"}).content.decode()
    assert "/kennisbank/oostwoud-techniek-samen/" in found
    entry = client.get("/kennisbank/oostwoud-techniek-samen/").content.decode()
    assert "Oostwoud houdt techniek samen overeind" in entry and "lokaal" in entry
    _login(client, world["people"]["bestuur"])
    advice = client.get("/regio/1/kennis/").content.decode()
    assert "/kennisbank/oostwoud-techniek-samen/" in advice


def test_a_local_edit_of_a_shipped_entry_wins_and_the_seed_stays(client, world):
    from dekkend.knowledge import KnowledgeIndex
    from dekkend.web.hulpvragen import kennis

    adviser, other = world["people"]["adviseur"], world["people"]["beheerder"]
    seed = kennis.seed_text("collegiale-bestuurlijke-visitatie")
    edited = seed.replace("titel: Collegiale bestuurlijke visitatie", "titel: Collegiale visitatie (lokaal bijgewerkt)")
    version = kennis.save_version(adviser, edited, "collegiale-bestuurlijke-visitatie")
    kennis.submit(version)
    with pytest.raises(PermissionError):
        kennis.review(version, adviser, publish=True)
    kennis.review(version, other, publish=True)
    assert kennis.index().get("collegiale-bestuurlijke-visitatie").titel.startswith("Collegiale visitatie (lokaal")
    assert KnowledgeIndex.default().get("collegiale-bestuurlijke-visitatie").titel.startswith("Collegiale bestuurlijke")
    assert kennis.origin("collegiale-bestuurlijke-visitatie") == "lokaal bewerkt"
    _login(client, adviser)
    page = client.get("/kennisbank/collegiale-bestuurlijke-visitatie/").content.decode()
    assert "lokaal bijgewerkt" in page and "versie 1" in page
    # a new id that is shipped already is refused
    from dekkend.errors import InvoerFout

    with pytest.raises(InvoerFout, match="al een artikel"):
        kennis.save_version(adviser, seed)


def test_search_facets_and_the_api(client, world):
    from dekkend.web.models import ApiToken

    _login(client, world["people"]["bestuur"])
    page = client.get("/kennisbank/", {"q": "krimp", "soort": "praktijkvoorbeeld"}).content.decode()
    assert "soort:" in page and "jaar:" in page and "gebied:" in page
    token = {"HTTP_AUTHORIZATION": "Bearer " + ApiToken.create_for(world["people"]["bestuur"], "t")[1]}
    result = client.get("/api/kennis", {"q": "visitatie", "soort": "ondersteuning"}, **token).json()
    assert result["resultaten"][0]["id"] == "collegiale-bestuurlijke-visitatie"
    assert set(result["facetten"]) == {"soort", "gebied", "jaar"}
    wrong = client.get("/api/kennis", {"q": "visitatie", "soort": "koffie"}, **token)
    assert wrong.status_code == 422 and "Onbekende soort" in wrong.json()["fouten"][0]["melding"]


def test_boards_mark_helpful_entries_and_the_adviser_sees_them_per_region(client, world, analysed):
    from dekkend.web.hulpvragen.models import Nuttig

    _login(client, world["people"]["bestuur"])
    page = client.get("/regio/1/kennis/").content.decode()
    assert "Nuttig voor onze situatie" in page and "Hulp vragen bij dit knelpunt" in page
    client.post("/regio/1/kennis/collegiale-bestuurlijke-visitatie/nuttig/")
    client.post("/regio/1/kennis/collegiale-bestuurlijke-visitatie/nuttig/")  # twice counts once
    assert Nuttig.objects.count() == 1
    _login(client, world["people"]["adviseur"])
    seen = client.get("/regio/1/kennis/").content.decode()
    assert "Nuttig bevonden door besturen" in seen and str(world["boards"][0]) in seen
    client.post("/regio/1/kennis/collegiale-bestuurlijke-visitatie/nuttig/")  # not a board: nothing
    assert Nuttig.objects.count() == 1


def test_the_daily_run_from_the_command_line(tmp_path, web_werkmap):
    import os

    from web.test_accounts import run_cli

    if os.environ.get("DEKKEND_WEB_TEST_DB") == "postgresql":
        pytest.skip("the CLI test uses its own SQLite database; the PostgreSQL run covers the web suite itself")
    done = run_cli(["meldingen"], tmp_path / "web", web_werkmap)
    assert done.returncode == 0, done.stderr
    assert "herinneringen: 0, samenvattingen: 0" in done.stdout


def test_a_new_report_of_the_moment_is_written_in_the_background_and_downloaded(
    client, world, analysed, django_capture_on_commit_callbacks
):
    from dekkend.web.models import Taak

    with django_capture_on_commit_callbacks(execute=True):
        hulpvraag = _ask(world, rapport="nieuw")
    job = Taak.objects.get(pk=hulpvraag.rapport_id)
    assert job.soort == "hulpvraag" and job.status == "klaar", job.fout
    _login(client, world["people"]["adviseur"])
    page = client.get(f"/regio/1/hulpvragen/{hulpvraag.pk}/").content.decode()
    kind = "pdf" if "pdf" in job.resultaat else "html"
    assert f"/hulpvragen/{hulpvraag.pk}/rapport/{kind}/" in page
    body = b"".join(client.get(f"/regio/1/hulpvragen/{hulpvraag.pk}/rapport/{kind}/").streaming_content)
    assert body.startswith(b"%PDF-") if kind == "pdf" else b"<html" in body[:500].lower()
    # the handler follows it through the request in the API (the board's job itself is private to the board)
    assert client.get(f"/api/taken/{job.pk}").status_code == 404
    state = client.get(f"/api/hulpvragen/{hulpvraag.pk}").json()["rapport"]
    assert state["status"] == "klaar" and set(state["bestanden"]) == {k for k in ("html", "pdf") if k in job.resultaat}
    listed = b"".join(client.get(state["bestanden"][kind]).streaming_content)
    assert listed == body
    # asking again with "laatste" reuses that report instead of making one
    again = _ask(world, rapport="laatste")
    assert again.rapport_id == job.pk
