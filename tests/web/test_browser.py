"""The workspace in a real browser: Playwright drives Debian's chromium against the real ``dekkend web``.

The server is the browser tests' shared one (``tests/web/browser_server.py``: gunicorn plus the database
task worker on the demo werkmap, its own SQLite database, the demo region's analysis cached), so only the
progress test and the report make the worker compute. The server always runs on SQLite (the database parity
of the pages is the rest of the web suite's job). Every page visit records the browser's requests and
console errors: everything must come from the test server (no CDN) and no page may log an error.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from web.browser_server import JOB_TIMEOUT_MS, Visit
from web.conftest import PASSWORD

pytestmark = pytest.mark.browser

#: The roles that log in and see the demo region (the e-mail addresses the set-up script gives them).
ROLES = ("bestuur", "regiocoordinator", "adviseur", "accountmanager", "beheerder")
NO_REGION = "zonderregio"


def _open_demo_region(session: Visit, role: str) -> None:
    """After logging in: one region leads straight to it; the administrator, who sees all, picks it."""
    demo = session.server.regions["demo"]
    if role == "beheerder":
        assert session.page.url.rstrip("/") == session.server.url, "two regions: the list of regions"
        with session.page.expect_navigation():
            session.page.get_by_role("link", name="Demoregio Veenland").click()
    assert session.page.url == f"{session.server.url}/regio/{demo}/"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_the_region_its_chart_maps_and_knelpunten(visit, server, analysed, role):
    session = visit()
    page = session.page
    session.login(role)
    _open_demo_region(session, role)
    assert page.locator("h1").inner_text() == "Demoregio Veenland"
    # the forecast chart is drawn by plotly (an svg inside the figure's div)
    page.locator("#figuur-totaal[data-getekend=ja]").wait_for()
    assert page.locator("#figuur-totaal svg.main-svg").count() >= 1

    page.get_by_role("navigation", name="Regiopagina's").get_by_role("link", name="Bereikbaarheid", exact=True).click()
    page.wait_for_url(f"{server.url}/regio/{server.regions['demo']}/bereikbaarheid/")
    maps = page.locator(".plot.kaart[data-figuur]")
    assert maps.count() > 4
    last = maps.last
    name = last.get_attribute("id")
    assert last.get_attribute("data-getekend") is None, "a map far down the page loads only when scrolled to"
    with page.expect_response(lambda r: f"/kaart/?kaart={name}" in r.url and r.status == 200):
        last.scroll_into_view_if_needed()
    page.locator(f"#{name}[data-getekend=ja]").wait_for()
    assert page.locator(f"#{name} svg.main-svg").count() >= 1

    page.get_by_role("navigation", name="Regiopagina's").get_by_role("link", name="Knelpunten", exact=True).click()
    page.wait_for_url(f"{server.url}/regio/{server.regions['demo']}/knelpunten/")
    first = analysed["diagnose"]["knelpunten"][0]["titel"]
    assert first in page.locator("main").inner_text()
    session.check_clean()


def test_every_page_of_a_region_and_the_account_pages_load_cleanly(visit, server):
    """No console error and nothing from outside the test server on any page a member opens."""
    session = visit()
    page = session.page
    session.login("bestuur")
    base = f"/regio/{server.regions['demo']}/"
    for path in ("", "bereikbaarheid/", "knelpunten/", "besturen/", "advies/", "bronnen/", "rapport/"):
        assert session.go(base + path).status == 200, path
        assert page.locator("h1").inner_text() == "Demoregio Veenland"
        assert page.locator("nav.tabs a[aria-current=page]").get_attribute("href") == base + path
        page.wait_for_function("() => !document.querySelector('.plot.grafiek:not([data-getekend=ja])')")
    for path in ("/profiel/", "/hulp/"):
        assert session.go(path).status == 200, path
    session.check_clean()


def test_a_person_without_a_region_is_told_so_and_gets_404_for_a_region(visit, server):
    session = visit()
    session.login(NO_REGION)
    assert "U hoort nog bij geen enkele regio" in session.page.locator("main").inner_text()
    refused = [f"/regio/{server.regions[key]}/{page}" for key in ("demo", "ander") for page in ("", "knelpunten/")]
    for path in refused:
        assert session.go(path).status == 404
        assert "Niet gevonden" in session.page.locator("h1").inner_text()  # in Dutch, inside the workspace's frame
    # the console reports each refused page itself (and nothing else)
    expected = {f"{server.url}{path}" for path in refused}
    session.errors[:] = [e for e in session.errors if not any(f"'url': '{u}'" in e for u in expected)]
    session.check_clean()


def test_the_first_visit_of_a_region_shows_progress_until_the_analysis_is_there(visit, server):
    """The other region has no cached analysis: the page polls the job's htmx partial, then reloads itself."""
    session = visit()
    page = session.page
    session.login("beheerder")
    polls: list[int] = []
    page.on("response", lambda r: polls.append(r.status) if "/taken/" in r.url else None)
    session.go(f"/regio/{server.regions['ander']}/")
    assert "wordt berekend" in page.locator("main").inner_text()
    assert page.locator(".taak progress").count() == 1
    page.evaluate("window.zelfdePagina = true")  # gone when the page reloads
    # the partial replaces itself every second while the job runs; when it is done the page reloads
    page.locator("#figuur-totaal[data-getekend=ja]").wait_for(timeout=JOB_TIMEOUT_MS)
    assert polls and set(polls) == {200}
    assert page.evaluate("window.zelfdePagina") is None
    assert page.locator("h1").inner_text() == "Andere regio"
    session.check_clean()


def test_the_report_is_made_in_the_background_and_downloaded(visit, server, tmp_path):
    session = visit()
    page = session.page
    session.login("adviseur")
    session.go(f"/regio/{server.regions['demo']}/rapport/")
    assert page.get_by_label("Ook een PDF maken").is_checked()
    assert page.locator("#geen-taken").is_visible()
    page.evaluate("window.zelfdePagina = true")
    page.get_by_role("button", name="Rapport maken").click()
    # htmx put the job's partial into the list without leaving the page; it polls until the job is done
    job = page.locator("#taken .taak").first
    job.wait_for()
    assert page.evaluate("window.zelfdePagina") is True
    assert page.locator("#geen-taken").count() == 0, "the line 'no reports yet' went with the first job"
    html_link = job.get_by_role("link", name="Download HTML")
    html_link.wait_for(timeout=JOB_TIMEOUT_MS)
    assert page.evaluate("window.zelfdePagina") is True
    assert job.locator("progress").get_attribute("value") == "100"

    with page.expect_download() as wait:
        html_link.click()
    html = Path(wait.value.path()).read_text(encoding="utf-8")
    assert wait.value.suggested_filename.endswith(".html")
    assert "<html" in html and "Demoregio Veenland" in html and "Leerlingenprognose" in html

    pdf_link = job.get_by_role("link", name="Download PDF")
    assert pdf_link.count() == 1, job.inner_text()  # chromium is there (the browser fixture did not skip)
    with page.expect_download() as wait:
        pdf_link.click()
    pdf = tmp_path / wait.value.suggested_filename
    wait.value.save_as(pdf)
    assert pdf.suffix == ".pdf" and pdf.read_bytes()[:5] == b"%PDF-"
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "Demoregio Veenland" in text
    session.check_clean()


def test_logging_out_ends_the_session(visit, server):
    session = visit()
    page = session.page
    session.login("accountmanager")
    region = f"/regio/{server.regions['demo']}/"
    assert page.url == server.url + region
    with page.expect_navigation():
        page.get_by_role("button", name="Uitloggen").click()
    assert page.url == f"{server.url}/inloggen/"
    session.go(region)
    assert page.url.startswith(f"{server.url}/inloggen/?")
    assert parse_qs(urlsplit(page.url).query)["next"] == [region]
    assert page.locator("#id_username").is_visible()
    session.check_clean()


def _focused(page: Any) -> dict[str, Any]:
    return page.evaluate(
        """() => { const e = document.activeElement; const s = getComputedStyle(e);
        return {tag: e.tagName, id: e.id, href: e.getAttribute('href'), text: (e.innerText || '').trim(),
                visible: e.matches(':focus-visible'), outline: s.outlineStyle + ' ' + s.outlineWidth}; }"""
    )


def _outlined(focused: dict[str, Any]) -> bool:
    """The focused element has a visible outline (the workspace's :focus-visible style)."""
    style, width = focused["outline"].split()
    return style != "none" and float(width.removesuffix("px")) >= 2


def test_keyboard_only_login_skip_link_and_region_tabs(visit, server):
    session = visit()
    page = session.page
    session.go("/inloggen/")
    # Tab to the e-mail field (it may already have the focus: autofocus), type, Tab, type, Enter
    for _ in range(15):
        if _focused(page)["id"] == "id_username":
            break
        page.keyboard.press("Tab")
    assert _focused(page)["id"] == "id_username"
    page.keyboard.type(server.email("regiocoordinator"))
    page.keyboard.press("Tab")
    assert _focused(page)["id"] == "id_password"
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    demo = f"{server.url}/regio/{server.regions['demo']}/"
    assert page.url == demo

    # the first Tab reaches the skip link, visibly focused
    page.keyboard.press("Tab")
    skip = _focused(page)
    assert skip["text"] == "Naar de inhoud" and skip["href"] == "#inhoud"
    assert skip["visible"] and _outlined(skip)
    assert page.locator("a.overslaan").is_visible()
    page.keyboard.press("Enter")
    assert _focused(page)["id"] == "inhoud", "the skip link moves the focus to the content"

    # from there Tab reaches every tab of the region, in order, each visibly focused; then the page wraps around
    tabs = page.locator("nav.tabs a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    seen: list[dict[str, Any]] = []
    for _ in range(400):
        page.keyboard.press("Tab")
        now = _focused(page)
        if now["text"] == "Naar de inhoud":
            break  # back at the start: no keyboard trap
        seen.append(now)
    else:
        pytest.fail(f"Tab kwam niet terug bij het begin van de pagina; laatste: {seen[-3:]}")
    reached = [f["href"] for f in seen if f["href"] in tabs]
    # the tabs come first and in order; the content may link to a tab page again (the overview links Bereikbaarheid)
    assert reached[: len(tabs)] == tabs
    assert all(f["visible"] for f in seen if f["tag"] != "BODY")
    assert all(_outlined(f) for f in seen if f["href"] in tabs)

    # Enter on a tab opens it
    for _ in range(len(seen) + 5):
        page.keyboard.press("Tab")
        if _focused(page)["text"] == "Knelpunten":
            break
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == demo + "knelpunten/"
    page.keyboard.press("Tab")
    assert _focused(page)["text"] == "Naar de inhoud"
    session.check_clean()
