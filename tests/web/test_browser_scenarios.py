"""Scenarios in a real browser against the real ``dekkend web`` (gunicorn plus the task worker).

A board builds a scenario from the pickers, runs it, compares it with a second one, shares it with
the adviser (after the preview of who will see it), the adviser comments, the board shares it with
the region, and another board of the same region copies it into its own board.
"""

from __future__ import annotations

from typing import Any

import pytest

from web.browser_server import JOB_TIMEOUT_MS, Server

pytestmark = pytest.mark.browser


def _build_and_run(page: Any, server: Server, naam: str, vestiging: str) -> str:
    """Build a one-measure scenario with the pickers, save and run it; returns the scenario page's URL."""
    page.goto(f"{server.url}/regio/{server.regions['demo']}/scenarios/")
    page.get_by_role("link", name="Nieuw scenario").click()
    page.wait_for_url("**/scenarios/nieuw/")
    page.select_option("#soort", "sluit-vestiging")
    # the default kind has a vestiging picker too: wait for the picker of the chosen kind before using it
    page.locator("#soort option[value='sluit-vestiging'][selected]").wait_for(state="attached")
    page.select_option("#k-vestiging", vestiging)
    page.locator(f"#k-vestiging option[value='{vestiging}'][selected]").wait_for(state="attached")
    page.select_option("#vanaf", "2026")
    page.wait_for_function("document.querySelector('.htmx-request') === null")
    page.click("#toevoegen")
    page.get_by_text("Het scenario is geldig").wait_for()
    assert vestiging in page.locator("ol.maatregelen").inner_text()
    page.fill("#naam", naam)
    with page.expect_navigation():
        page.click("#opslaan")
    assert page.locator("#scenario-naam").inner_text() == naam
    assert "alleen ons bestuur" in page.locator("#zichtbaarheid").inner_text()
    page.click("#doorrekenen-knop")
    page.locator("#vergelijking").wait_for(timeout=JOB_TIMEOUT_MS)  # the page reloads when the run is done
    return str(page.url)


def test_build_run_compare_share_comment_and_fork(visit, server):
    board = visit()
    page = board.page
    board.login("bestuur")
    first = _build_and_run(page, server, "Sluit Zandbrug", "99BB03")
    page.locator("#grafiek-leerlingen[data-getekend=ja]").wait_for()
    second = _build_and_run(page, server, "Sluit ook 99DD01", "99DD01")
    assert second != first

    # compare: the second scenario beside the first and "zonder ingrijpen"
    page.goto(first)
    page.get_by_label("Sluit ook 99DD01").check()
    with page.expect_navigation():
        page.click("#vergelijk-knop")
    heads = page.locator("#vergelijking thead th").all_inner_texts()
    assert heads[1:] == ["zonder ingrijpen", "Sluit Zandbrug", "Sluit ook 99DD01"]
    page.locator("#grafiek-bereik[data-getekend=ja]").wait_for()
    page.get_by_role("link", name="Presentatie").click()
    page.wait_for_url("**/presentatie/**")
    assert page.locator("form").count() == 0 and "Sluit ook 99DD01" in page.locator("main").inner_text()

    # share with the adviser: the preview names exactly who will see it
    page.goto(first)
    page.check("input[name=zichtbaarheid][value=adviseur]")
    page.click("#zichtbaarheid-knop")
    preview = page.locator("table.publiek").inner_text()
    assert "adviseur@test.nl" in preview and "accountmanager@test.nl" not in preview
    with page.expect_navigation():
        page.click("#bevestigen")
    assert "adviseur" in page.locator("#zichtbaarheid").inner_text()

    # the adviser sees it and comments
    adviser = visit()
    adviser.login("adviseur")
    adviser.page.goto(first)
    adviser.page.fill("#opmerking", "Wat betekent dit voor de vmbo-k leerlingen?")
    with adviser.page.expect_navigation():
        adviser.page.click("#opmerking-knop")
    assert "Wat betekent dit voor de vmbo-k leerlingen?" in adviser.page.locator("#opmerkingen").inner_text()
    assert adviser.page.locator("#kopieren").count() == 1 and adviser.page.locator("#zichtbaarheid-knop").count() == 0

    # the board shares it with the region
    page.goto(first)
    assert "Wat betekent dit voor de vmbo-k leerlingen?" in page.locator("#opmerkingen").inner_text()
    page.check("input[name=zichtbaarheid][value=regio]")
    page.click("#zichtbaarheid-knop")
    assert "bestuur2@test.nl" in page.locator("table.publiek").inner_text()
    with page.expect_navigation():
        page.click("#bevestigen")
    assert "alle leden van de regio" in page.locator("#zichtbaarheid").inner_text()

    # another board of the region copies it into its own board
    other = visit()
    other.login("bestuur2")
    other.page.goto(first)
    with other.page.expect_navigation():
        other.page.click("#kopieren")
    assert other.page.url != first
    assert other.page.locator("#scenario-naam").inner_text() == "Sluit Zandbrug (kopie)"
    head = other.page.locator(".scenariokop").inner_text()
    assert "kopie van 'Sluit Zandbrug'" in head and "alleen ons bestuur" in head
    # the first board does not see the copy
    assert page.request.get(other.page.url).status == 404
    for session in (board, adviser, other):
        session.check_clean()
