"""Support requests in a real browser against the browser tests' shared ``dekkend web`` (gunicorn plus the task
worker, ``browser_server.py``), with the notifications e-mailed by the worker to its local SMTP server (aiosmtpd on
127.0.0.1). The mailbox holds the mail of every browser test of the process: each test finds its own by subject."""

from __future__ import annotations

import re

import pytest

from web.browser_server import Visit, mail_text, wait_for_mail

pytestmark = pytest.mark.browser


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
    link = re.search(r"(/regio/\d+/hulpvragen/\d+/)", mail_text(mail[0])).group(1)

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
