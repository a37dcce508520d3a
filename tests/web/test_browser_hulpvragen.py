"""Support requests in a real browser against the browser tests' shared ``dekkend web`` (gunicorn plus the task
worker, ``browser_server.py``), with the notifications e-mailed by the worker to its local SMTP server (aiosmtpd on
127.0.0.1). The mailbox holds the mail of every browser test of the process: each test finds its own by subject."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from services import ReceivedMail

from web.browser_server import Visit, mail_text, wait_for_mail

pytestmark = pytest.mark.browser


def _link(pattern: str, mail: ReceivedMail) -> str:
    """The first address in the mail's text that matches ``pattern``."""
    found = re.search(pattern, mail_text(mail))
    assert found is not None, mail_text(mail)
    return found.group(0)


def _submit(session: Visit, name: str) -> None:
    with session.page.expect_navigation():
        session.page.get_by_role("button", name=name).click()


def test_a_board_asks_from_a_knelpunt_the_adviser_answers_by_mail_link_and_closes(visit, server, mailbox, analysed):
    first = analysed["diagnose"]["knelpunten"][0]
    board = visit()
    board.login("bestuur")
    board.go(f"/regio/{server.regions['demo']}/kennis/")
    with board.page.expect_navigation():
        board.page.get_by_role("link", name="Hulp vragen bij dit knelpunt").first.click()
    board.page.get_by_label("Een ledenadviseur van de VO-raad").check()
    board.page.get_by_label("Onderwerp").fill("Techniekroute houden")
    board.page.get_by_label("Uw vraag").fill("Kunt u meedenken over de techniek in onze regio?")
    board.page.get_by_label("Regiorapport meesturen").select_option("geen")
    _submit(board, "Hulpvraag versturen")
    assert re.search(r"/hulpvragen/\d+/$", board.page.url)
    assert first["titel"] in board.page.content()  # the snapshot names the knelpunt it was raised from
    board.check_clean()

    mail = wait_for_mail(mailbox, lambda m: m.message["Subject"] == "[dekkend] Nieuwe hulpvraag: Techniekroute houden")
    assert [m.rcpt_tos for m in mail] == [("adviseur@test.nl",)]
    link = _link(r"/regio/\d+/hulpvragen/\d+/", mail[0])

    adviser = visit()
    adviser.login("adviseur")
    adviser.go(link)
    adviser.page.get_by_label("Bericht", exact=True).fill("Wanneer besluit uw bestuur?")
    _submit(adviser, "Bericht plaatsen")
    adviser.page.get_by_label("Status").select_option("wacht op bestuur")
    _submit(adviser, "Status wijzigen")
    assert "wacht op bestuur" in adviser.page.locator("#status").inner_text()

    board.go(link)
    board.page.get_by_label("Bericht", exact=True).fill("In juni.")
    _submit(board, "Bericht plaatsen")
    assert "in behandeling" in board.page.locator("#status").inner_text()
    adviser.go(link)
    adviser.page.get_by_label("Status").select_option("afgerond")
    _submit(adviser, "Status wijzigen")
    assert "afgerond" in adviser.page.locator("#status").inner_text()
    adviser.check_clean()
    closed = wait_for_mail(
        mailbox, lambda m: m.message["Subject"] == "[dekkend] Status gewijzigd: Techniekroute houden"
    )
    assert ("bestuur@test.nl",) in [m.rcpt_tos for m in closed]


# -- a collegial visitation ----------------------------------------------------------------------------------
VISITATION = "Collegiale visitatie: krimp in Veenland"
#: A small but real PDF file (the upload is checked by its content).
REPORT_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
REPORT_PDF += b"trailer<</Root 1 0 R>>\n%%EOF\n"


def _subject(text: str) -> Callable[[ReceivedMail], bool]:
    return lambda m: m.message["Subject"] == f"[dekkend] {text}"


def _download(session: Visit, link: Any) -> bytes:
    with session.page.expect_download() as done:
        link.click()
    return Path(done.value.path()).read_bytes()


def test_a_visitation_with_peers_and_report_shared_with_the_region_only_when_the_board_chooses(visit, server, mailbox):
    demo = server.regions["demo"]
    board = visit()
    board.login("bestuur")
    board.go(f"/regio/{demo}/ondersteuning/")
    board.page.locator("#route-visitatie").get_by_role("link", name="Vraag stellen").click()
    board.page.wait_for_url("**/hulpvragen/nieuw/?soort=visitatie")
    assert board.page.get_by_label("Een collegiale bestuurlijke visitatie").is_checked()
    board.page.get_by_label("Onderwerp").fill(VISITATION)
    board.page.get_by_label("Uw vraag").fill("Wilt u meekijken naar onze huisvesting en financiën bij krimp?")
    board.page.get_by_label("huisvesting", exact=True).check()
    board.page.get_by_label("financiën", exact=True).check()
    board.page.get_by_label("Voorgestelde data voor de visitatie").fill("2027-03-01, 15-3-2027")
    board.page.get_by_label("Regiorapport meesturen").select_option("geen")
    board.submit("Hulpvraag versturen")
    request_url = board.page.url
    assert re.search(r"/hulpvragen/\d+/$", request_url)
    facts = board.page.locator("main").inner_text()
    assert "huisvesting; financiën" in facts and "2027-03-01, 2027-03-15" in facts
    # the board asks a board of another region to visit (one of the region's own is refused)
    board.page.get_by_label("Bestuur uit een andere regio vragen (bevoegd-gezagnummer)").fill(server.codes[1])
    board.submit("Vragen om te visiteren")
    assert "kies een bestuur uit een andere regio" in board.page.locator("body").inner_text()
    board.page.get_by_label("Bestuur uit een andere regio vragen (bevoegd-gezagnummer)").fill("99XX")
    board.submit("Vragen om te visiteren")
    assert "Collega-bestuur Elders (gevraagd)" in board.page.locator("main").inner_text()
    board.check_clean()

    # the adviser is told of the request, the peer board of the invitation; the peer agrees on its own page
    assert [m.rcpt_tos for m in wait_for_mail(mailbox, _subject(f"Nieuwe hulpvraag: {VISITATION}"))] == [
        ("adviseur@test.nl",)
    ]
    invitation = wait_for_mail(mailbox, lambda m: m.rcpt_tos == ("collega@test.nl",))[0]
    assert invitation.message["Subject"] == "[dekkend] Verzoek om een collegiale visitatie"
    peer_link = _link(r"/regio/\d+/hulpvragen/\d+/visitatie/", invitation)
    peer = visit()
    peer.login("collega")
    peer.go(peer_link)
    assert VISITATION in peer.page.locator("main").inner_text()
    assert "Wilt u meekijken" not in peer.page.locator("main").inner_text(), "the peer sees the set-up, not the thread"
    peer.submit("Wij doen mee")
    assert peer.page.locator("#antwoord").inner_text() == "toegezegd"
    assert peer.page.request.get(request_url).status == 404
    peer.check_clean()

    # the adviser handles it and uploads the visitation report at the end
    adviser = visit()
    adviser.login("adviseur")
    adviser.go(request_url)
    assert "Collega-bestuur Elders (toegezegd)" in adviser.page.locator("main").inner_text()
    adviser.page.get_by_label("Status").select_option("in behandeling")
    adviser.submit("Status wijzigen")
    adviser.page.set_input_files(
        "#verslag", files=[{"name": "visitatieverslag.pdf", "mimeType": "application/pdf", "buffer": REPORT_PDF}]
    )
    adviser.submit("Verslag toevoegen")
    assert "Het visitatieverslag is toegevoegd." in adviser.page.locator("body").inner_text()
    assert "alleen voor uw bestuur en de adviseur" in adviser.page.locator("main").inner_text()
    assert _download(adviser, adviser.page.get_by_role("link", name="visitatieverslag.pdf")) == REPORT_PDF
    adviser.page.get_by_label("Status").select_option("afgerond")
    adviser.submit("Status wijzigen")
    assert "afgerond" in adviser.page.locator("#status").inner_text()
    assert adviser.page.get_by_role("button", name="Delen met de regio").count() == 0, "only the board shares"
    adviser.check_clean()

    # another board of the region sees neither the request nor its report
    other = visit()
    other.login("bestuur2")
    report_url = request_url + "verslag/"
    assert other.page.request.get(request_url).status == 404
    assert other.page.request.get(report_url).status == 404
    other.go(f"/regio/{demo}/ondersteuning/")
    assert VISITATION not in other.page.locator("main").inner_text()

    # the requesting board reads the report and shares it with the region
    board.go(request_url)
    assert _download(board, board.page.get_by_role("link", name="visitatieverslag.pdf")) == REPORT_PDF
    board.submit("Delen met de regio")
    assert "gedeeld met de hele regio" in board.page.locator("main").inner_text()
    board.check_clean()

    # now the other board finds it on the region's support page and downloads it; the thread stays private
    other.go(f"/regio/{demo}/ondersteuning/")
    shared = other.page.get_by_role("link", name=VISITATION)
    assert shared.count() == 1
    assert _download(other, shared) == REPORT_PDF
    assert other.page.request.get(request_url).status == 404
    other.check_clean()


# -- a practice example written, reviewed and published in the browser ---------------------------------------
EXAMPLE_ID = "bouwroute-veenland"
EXAMPLE_TITLE = "Samen één bouwroute in Veenland"
#: A new practice example in the knowledge base's format, written for the demo region's first knelpunt (the
#: profile bouwen, wonen en interieur leaves the region): its type first, the profile in its text.
EXAMPLE = f"""---
id: {EXAMPLE_ID}
titel: {EXAMPLE_TITLE}
soort: praktijkvoorbeeld
regio: Demoregio Veenland
gebieden: [Veenland]
jaar: "2026"
partijen:
  - twee besturen in Veenland
samenvatting: >
  Twee besturen hielden het profiel bouwen, wonen en interieur in de regio door één gezamenlijke
  bouwroute op één vestiging te maken, met vervoer voor de leerlingen [1].
themas: [techniek, vmbo]
knelpunttypen:
  aanbod-verdwijnt: de besturen hielden het profiel bouwen, wonen en interieur samen in de regio
bronnen:
  - {{url: "https://www.example.org/bouwroute", titel: "Verslag van de bouwroute", gezien: 2026-11-01}}
---

## Aanpak

De besturen brachten hun leerlingen bouwen, wonen en interieur samen op één vestiging [1].

## Resultaat

Het profiel bleef in de regio. Leerlingen uit beide plaatsen volgen de praktijkvakken in de gezamenlijke
werkplaats, de theorievakken op hun eigen school. De besturen verdeelden de kosten van de werkplaats naar het
aantal leerlingen en maakten afspraken over het personeel: de docenten bouw blijven in dienst van hun eigen
bestuur en werken op de gedeelde locatie. Het vervoer regelden de gemeenten met de besturen. Na twee jaar was
het aantal leerlingen in het profiel weer stabiel en konden de besturen de route samen met het mbo en de
bouwbedrijven in de regio verder uitbouwen.
"""


def _advice_links(session: Visit, demo: int) -> list[str]:
    """The knowledge base entries linked on the region's "Kennis bij knelpunten" page."""
    session.go(f"/regio/{demo}/kennis/")
    return session.page.locator("main section.knelpunt-advies li > a").evaluate_all(
        "els => els.map(e => e.getAttribute('href'))"
    )


def test_an_adviser_writes_a_practice_example_a_second_person_publishes_it_and_it_joins_the_advice(
    visit, server, analysed
):
    demo = server.regions["demo"]
    first = analysed["diagnose"]["knelpunten"][0]
    assert (first["type"], first["onderwijstype"]) == ("aanbod-verdwijnt", "profiel:bouwen-wonen-interieur")
    entry_link = f"/kennisbank/{EXAMPLE_ID}/"
    board = visit()
    board.login("bestuur")
    assert entry_link not in _advice_links(board, demo)

    adviser = visit()
    adviser.login("adviseur")
    adviser.go("/kennisbank/")
    with adviser.page.expect_navigation():
        adviser.page.get_by_role("link", name="Nieuw artikel of praktijkvoorbeeld").click()
    adviser.page.get_by_label("Artikel (Markdown met YAML-kop)").fill(EXAMPLE)
    adviser.submit("Opslaan als concept")
    version_url = adviser.page.url
    assert adviser.page.locator("#staat").inner_text() == "concept"
    assert entry_link not in _advice_links(board, demo), "a concept is not advice"

    adviser.go(version_url)
    adviser.submit("Ter beoordeling aanbieden")
    assert adviser.page.locator("#staat").inner_text() == "ter beoordeling"
    assert adviser.page.get_by_role("button", name="Publiceren").count() == 0, "the author does not publish"
    assert entry_link not in _advice_links(board, demo), "a version under review is not advice"
    adviser.check_clean()

    reviewer = visit()
    reviewer.login("beheerder")
    reviewer.go("/kennisbank/beoordelen/")
    with reviewer.page.expect_navigation():
        reviewer.page.get_by_role("link", name=EXAMPLE_TITLE).click()
    assert reviewer.page.url == version_url
    reviewer.page.get_by_label("Toelichting").fill("Goed voorbeeld, met bron.")
    reviewer.submit("Publiceren")
    assert reviewer.page.locator("#staat").inner_text() == "gepubliceerd"
    reviewer.check_clean()

    # published: the region's advice shows it next to the knelpunt it matches (for the board and the adviser)
    for session in (board, adviser):
        assert entry_link in _advice_links(session, demo)
        section = session.page.locator("section.knelpunt-advies").filter(
            has=session.page.get_by_role("heading", name=first["titel"])
        )
        assert section.get_by_role("link", name=EXAMPLE_TITLE).count() == 1
        session.check_clean()
    with board.page.expect_navigation():
        board.page.get_by_role("link", name=EXAMPLE_TITLE).first.click()
    assert board.page.url == server.url + entry_link
    assert "Verslag van de bouwroute" in board.page.locator("main").inner_text(), "the entry page lists its sources"
    board.check_clean()


def test_the_help_per_role_is_linked_from_where_each_role_works(visit, server):
    """ "Hoe vraag ik ondersteuning aan?" from a region's support tab, "Werken als adviseur" from the inbox."""
    for role, start, link, heading in (
        (
            "bestuur",
            f"/regio/{server.regions['demo']}/ondersteuning/",
            "Hoe vraag ik ondersteuning aan?",
            "#ondersteuning-aanvragen",
        ),
        ("adviseur", "/hulpvragen/", "Werken als adviseur", "#adviseur"),
        ("adviseur", "/kennisbank/beoordelen/", "Werken als adviseur", "#adviseur"),
    ):
        session = visit()
        session.login(role)
        session.go(start)
        with session.page.expect_navigation():
            session.page.get_by_role("link", name=link).click()
        assert session.page.url == f"{server.url}/hulp/ondersteuning/{heading}"
        assert session.page.locator(f"h2{heading}").inner_text() == link
        session.check_clean()
