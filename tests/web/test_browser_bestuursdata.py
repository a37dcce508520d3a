"""A board's own data in a real browser: template, upload, preview, share totals, withdraw, export, delete.

Uses the browser tests' shared ``dekkend web`` (``browser_server.py``).
"""

from __future__ import annotations

import io
import zipfile

import pandas as pd
import pytest

pytestmark = pytest.mark.browser


def test_board_uploads_previews_shares_withdraws_exports_and_deletes(visit, server):
    board, adviser = visit(), visit()
    page = board.page
    board.login("bestuur")
    base = f"/regio/{server.regions['demo']}/eigen-gegevens/"
    page.get_by_role("navigation", name="Regiopagina's").get_by_role("link", name="Eigen gegevens").click()
    page.wait_for_url(server.url + base)

    with page.expect_download() as download:
        page.locator("a[href$='sjabloon/aanmeldingen/?formaat=xlsx']").click()
    sheet = pd.read_excel(download.value.path(), dtype=str, engine="openpyxl")
    sheet["peildatum"] = "15-03-2025"
    sheet["aanmeldingen"] = [str(17 + i) for i in range(len(sheet))]
    buffer = io.BytesIO()
    sheet.to_excel(buffer, index=False)
    page.select_option("#id_soort", "aanmeldingen")
    page.set_input_files(
        "#id_bestand",
        files=[{"name": "aanmeldingen.xlsx", "mimeType": "application/octet-stream", "buffer": buffer.getvalue()}],
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Uploaden").click()
    assert "ingelezen en opgeslagen" in page.locator("body").inner_text()

    adviser.login("adviseur")
    adviser.go(base)
    assert "Geen bestuur deelt gegevens met u" in adviser.page.locator("main").inner_text()

    page.get_by_role("link", name="delen…").click()
    page.select_option("select[name=niveau]", "totalen")
    page.select_option("select[name=met]", "regio")
    with page.expect_navigation():
        page.get_by_role("button", name="Voorbeeld tonen").click()
    preview = page.locator("table#voorbeeld").inner_text()
    assert "brugjaar" in preview and "99AA" not in preview  # totals per type: no vestiging
    with page.expect_navigation():
        page.get_by_role("button", name="Zo delen").click()

    adviser.go(base)
    shared = adviser.page.locator("main").inner_text()
    assert "totalen per onderwijstype" in shared and "99AA" not in shared

    page.get_by_role("link", name="delen…").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Delen stoppen (direct)").click()
    adviser.go(base)
    assert "Geen bestuur deelt gegevens met u" in adviser.page.locator("main").inner_text()
    assert "adviseur@test.nl" in page.locator("main").inner_text(), "the board sees who read its data"

    with page.expect_download() as download:
        page.get_by_role("link", name="Alle eigen gegevens downloaden (zip)").click()
    with zipfile.ZipFile(download.value.path()) as archive:
        assert "aanmeldingen-v1.xlsx" in archive.namelist()
    with page.expect_navigation():
        page.get_by_role("button", name="Alle eigen gegevens verwijderen").click()
    assert "1 versie(s) verwijderd" in page.locator("body").inner_text()
    assert "Nog niets geüpload" in page.locator("main").inner_text()
    board.check_clean()
    adviser.check_clean()
