"""The optimiser in a real browser: a board member starts an optimisation and follows it to its outcome.

Uses the browser tests' shared ``dekkend web`` (gunicorn plus the database task worker, ``browser_server.py``).
"""

from __future__ import annotations

from typing import Any

import pytest

from web.browser_server import JOB_TIMEOUT_MS

pytestmark = pytest.mark.browser


def test_a_board_member_optimises_and_gets_a_private_scenario(visit: Any, server: Any) -> None:
    session = visit()
    page = session.page
    session.login("bestuur")
    tabs = page.get_by_role("navigation", name="Regiopagina's")
    tabs.get_by_role("link", name="Optimaliseren", exact=True).click()
    page.wait_for_url(f"{server.url}/regio/{server.regions['demo']}/optimaliseren/")
    assert page.locator("#geen-optimalisaties").is_visible()

    # a wrong norm distance is refused with a Dutch message next to the field; nothing starts
    page.fill("#id_normafstand_km", "0")
    page.get_by_role("button", name="Optimalisatie starten").click()
    page.locator("#fout-normafstand_km").wait_for()
    assert page.locator("#fout-normafstand_km").inner_text() == "De normafstand is minstens 1 km."
    assert page.locator(".taak").count() == 0

    page.fill("#id_normafstand_km", "12")
    page.get_by_label("Groencollege Haverlo (99DD00, Haverlo)").check()
    page.get_by_role("button", name="Optimalisatie starten").click()
    job = page.locator("#optimalisaties .taak").first
    job.wait_for()
    assert page.locator("#geen-optimalisaties").count() == 0, "the 'none yet' line goes when the first job starts"
    outcome = job.locator(".uitkomst")
    outcome.wait_for(timeout=JOB_TIMEOUT_MS)
    assert "wijzigingen gevonden" in outcome.inner_text()
    assert job.locator(".toelichting li").count() > 0
    session.check_clean()
