"""The workspace in a real browser: Playwright drives Debian's chromium against the real ``dekkend web``.

One server per module (gunicorn plus the database task worker, as ``dekkend web`` starts them) on the
demo werkmap, with its own SQLite database in a temporary web map. Its accounts are made before the
start with the library (a known password per role); the demo region's analysis is copied into the
server's cache from the ``analysed`` fixture, so only the progress test and the report make the worker
compute. The server always runs on SQLite (the database parity of the pages is the rest of the web suite's
job). Every page visit records the browser's requests and console errors: everything must come from
the test server (no CDN) and no page may log an error.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from web.conftest import PASSWORD, REGION_IDS

pytestmark = pytest.mark.browser

#: The roles that log in and see the demo region (the e-mail addresses the set-up script gives them).
ROLES = ("bestuur", "regiocoordinator", "adviseur", "accountmanager", "beheerder")
NO_REGION = "zonderregio"
START_TIMEOUT_S = 90
JOB_TIMEOUT_MS = 300_000  # the worker computes a whole analysis or report on a machine shared with other tests

# Run in a fresh process against the server's database: the regions (the demo region must get the id the
# cached analysis has) and one account per role with a known password. Prints the region ids as JSON.
SETUP = """
import json, sys
import dekkend.web
werkmap, web_map, password = sys.argv[1:4]
dekkend.web.configure(werkmap, web_map=web_map)
from dekkend.web import accounts
from dekkend.web.models import Bestuur
demo = accounts.add_region(werkmap, "Demoregio Veenland", "nl")
codes = sorted(Bestuur.objects.values_list("code", flat=True))
other = accounts.add_region(werkmap, "Andere regio", "bestuur:" + codes[-1])
people = [("bestuur", {"bestuur": codes[0]}), ("regiocoordinator", {"regios": [demo.pk]}),
          ("adviseur", {"regios": [demo.pk]}), ("accountmanager", {"regios": [demo.pk]}), ("beheerder", {})]
for rol, extra in people:
    accounts.add_user(rol + "@test.nl", rol, password=password, naam="Test " + rol, **extra)
accounts.add_user("zonderregio@test.nl", "adviseur", password=password, naam="Zonder Regio")
print(json.dumps({"demo": demo.pk, "ander": other.pk, "bestuur_ander": codes[-1]}))
"""


@dataclass
class Server:
    url: str
    regions: dict[str, int]
    web_map: Path
    log: Path

    def email(self, role: str) -> str:
        return f"{role}@test.nl"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_until_up(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"dekkend web stopte met code {proc.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url + "/inloggen/", timeout=5) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise RuntimeError(f"dekkend web antwoordde niet binnen {START_TIMEOUT_S} s:\n{log.read_text()}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop gunicorn's arbiter (it stops its workers and the task worker), then anything left in its group."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # the group of the process started here (its own session)
    except ProcessLookupError:
        pass


@pytest.fixture(scope="module")
def server(
    browser: Any, web_werkmap: Path, analysed: dict, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """``dekkend web`` on the demo werkmap at a free port of 127.0.0.1, with its own database; stopped at the end."""
    from django.conf import settings

    from dekkend.web.analysis import AnalysisStore

    folder = tmp_path_factory.mktemp("browser")
    web_map = folder / "web"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DEKKEND_WEB_TASKS", "DEKKEND_WEB_DEMO")}
    env.update(DEKKEND_WEB_MAP=str(web_map), DEKKEND_WERKMAP=str(web_werkmap))
    made = subprocess.run(
        [sys.executable, "-c", SETUP, str(web_werkmap), str(web_map), PASSWORD],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    regions = json.loads(made.stdout.strip().splitlines()[-1])
    # The cached analysis belongs to region REGION_IDS["demo"] (selection "nl") of this werkmap's data version.
    assert regions["demo"] == REGION_IDS["demo"] and analysed["regio"] == REGION_IDS["demo"]
    cached = AnalysisStore(web_werkmap, Path(settings.WEB_MAP)).path(REGION_IDS["demo"])
    target = AnalysisStore(web_werkmap, web_map).path(regions["demo"])
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(cached, target)

    port = _free_port()
    log = folder / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "dekkend", "web", "-w", str(web_werkmap), "--adres", f"127.0.0.1:{port}"]
            + ["--processen", "1"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_until_up(url, proc, log)
        yield Server(url, regions, web_map, log)
    finally:
        _stop(proc)


@dataclass
class Visit:
    """A browser context and page that record every request and every console error."""

    server: Server
    page: Any
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def go(self, path: str) -> Any:
        return self.page.goto(self.server.url + path)

    def login(self, role: str) -> None:
        self.go("/inloggen/")
        self.page.fill("#id_username", self.server.email(role))
        self.page.fill("#id_password", PASSWORD)
        with self.page.expect_navigation():
            self.page.click("button[type=submit]")
        assert "/inloggen/" not in self.page.url, f"{role} kon niet inloggen"

    def check_clean(self) -> None:
        """No request left the test server (no CDN) and the console logged no error."""
        outside = [u for u in self.requests if not u.startswith(self.server.url + "/") and not u.startswith("data:")]
        assert not outside, f"verzoeken buiten de testserver: {outside}"
        assert not self.errors, f"fouten in de console: {self.errors}"


@pytest.fixture
def visit(browser: Any, server: Server) -> Iterator[Callable[[], Visit]]:
    """A factory of fresh browser sessions (own cookies) on the test server; closed after the test."""
    contexts = []

    def open_one() -> Visit:
        context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(30_000)
        session = Visit(server, page)
        page.on("request", lambda r: session.requests.append(r.url))
        page.on("console", lambda m: session.errors.append(f"{m.text} ({m.location})") if m.type == "error" else None)
        page.on("pageerror", lambda e: session.errors.append(str(e)))
        return session

    yield open_one
    for context in contexts:
        context.close()


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
