"""The agreements register in a real browser: a coordinator records an agreement, two boards confirm, the PDF downloads.

Uses the browser tests' shared ``dekkend web`` (``browser_server.py``); its set-up made the accounts and the
scenario shared with the region that the agreement rests on. Every page must load from the test server only
and log no console error.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from web.browser_server import AGREEMENT_SCENARIO, JOB_TIMEOUT_MS

pytestmark = pytest.mark.browser

TITLE = "Zandbrug sluit, de stad vangt op"


def test_a_coordinator_records_an_agreement_two_boards_confirm_and_the_annex_downloads(
    visit,
    server,
    tmp_path,
):
    demo = server.regions["demo"]
    boards = server.besturen
    coordinator = visit()
    page = coordinator.page
    coordinator.login("regiocoordinator")
    coordinator.go(f"/regio/{demo}/afspraken/")
    page.get_by_role("navigation", name="Regiopagina's").get_by_role("link", name="Afspraken", exact=True).wait_for()
    page.get_by_role("link", name="Nieuwe afspraak vastleggen").click()
    page.get_by_label("Titel").fill(TITLE)
    page.get_by_label("Wat is afgesproken").fill("Het Baken sluit Zandbrug; de stadsscholen nemen de leerlingen op.")
    # the set-up's scenario (other browser tests may have shared scenarios of their own with the region)
    page.get_by_label("Scenario (vastgelegde versie)").select_option(
        label=f"{AGREEMENT_SCENARIO} (versie 1, {boards[0]})"
    )
    for name in boards:
        page.get_by_label(name, exact=True).check()
    page.get_by_label("Ingangsdatum").fill("2026-08-01")
    with page.expect_navigation():
        page.get_by_role("button", name="Afspraak vastleggen").click()
    assert page.locator("#afspraak-status").inner_text() == "concept"
    agreement_url = page.url
    with page.expect_navigation():
        page.get_by_role("button", name="Ter instemming voorleggen").click()
    assert page.locator("#afspraak-status").inner_text() == "ter instemming"
    assert "1 augustus 2031" in page.locator("main").inner_text(), "review after five years by default"
    coordinator.check_clean()

    for role, expected in (("bestuur", "ter instemming"), ("bestuur2", "vastgesteld")):
        board = visit()
        board.login(role)
        board.page.goto(agreement_url)
        board.page.get_by_label("ingestemd").check()
        with board.page.expect_navigation():
            board.page.get_by_role("button", name="Antwoord vastleggen").click()
        assert board.page.locator("#afspraak-status").inner_text() == expected, role
        assert f"{role}@test.nl" in board.page.locator("#geschiedenis").inner_text()
        assert board.page.get_by_role("button", name="Antwoord vastleggen").count() == 0, "one answer per board"
        board.check_clean()

    page.goto(agreement_url)
    assert page.locator("#afspraak-status").inner_text() == "vastgesteld"
    page.get_by_role("button", name="Bijlage maken").click()
    link = page.get_by_role("link", name="Download de bijlage (PDF)")
    link.wait_for(timeout=JOB_TIMEOUT_MS)
    with page.expect_download() as done:
        link.click()
    pdf = tmp_path / done.value.suggested_filename
    done.value.save_as(pdf)
    assert pdf.suffix == ".pdf"
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        flat = " ".join(text.split())
        assert TITLE in flat and all(code in flat for code in server.codes), "the agreement and its boards"
        assert "Bea Tweede" in flat and "Kerncijfers van het scenario" in flat
    coordinator.check_clean()
