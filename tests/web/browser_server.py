"""One real ``dekkend web`` for the browser tests (marker ``browser``), shared by every browser module.

``browser_server`` (session scope: one per test process, so at most one per pytest-xdist worker) runs
gunicorn plus the database task worker, as ``dekkend web`` starts them, on the demo werkmap at a free port
of 127.0.0.1, with its own SQLite database in a temporary web map. Before the start a separate process
makes the regions and one account per role with a known password (:data:`SETUP`); the demo region's
analysis is copied into the server's cache from the ``analysed`` fixture, so only the tests that are about
a job make the worker compute. The server e-mails its notifications to ``mailbox``, a local SMTP server
(aiosmtpd) that lives as long as the server.

Because the modules share one server, a test never assumes an empty workspace: it makes its own objects,
looks them up by their own names, and finds its own mail with :func:`wait_for_mail` (the mailbox holds the
mail of every test before it). What a test relies on that others must leave alone is listed at
:data:`SETUP`. ``visit`` opens fresh browser sessions that record every request and console error: every
page must load from the test server only (no CDN) and log no error.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from services import ReceivedMail, SmtpServer, free_port

from web.conftest import PASSWORD, REGION_IDS

START_TIMEOUT_S = 90
JOB_TIMEOUT_MS = 300_000  # the worker computes a whole analysis or report on a machine shared with other tests
MAIL_TIMEOUT_S = 60.0
#: How long one step (a page, an htmx round trip) may take. Generous: in CI two test processes, each with its
#: chromium, server and task worker, share two cores; a step that hangs still fails, only later.
STEP_TIMEOUT_MS = 60_000

#: The name of the scenario the agreement test rests on (made here, shared with the region).
AGREEMENT_SCENARIO = "Zandbrug dicht, de stad vangt op"
#: A board of no region of the workspace (not in the werkmap): the peer asked for a collegial visitation.
PEER_BOARD = ("99XX", "Collega-bestuur Elders")

# Run in a fresh process against the server's database. Prints what the tests need as JSON.
# - the demo region (it must get the id the cached analysis has) and "Andere regio" of the last board, whose
#   analysis nobody computes but the progress test (tests/web/test_browser.py): no test visits it before;
# - one account per role of the demo region, a second board (bestuur2), a person without a region, and the
#   peer board of no region with its staff member (collega);
# - the scenario of the first board shared with the region that the agreement test picks by its name.
SETUP = """
import json, sys
import dekkend.web
werkmap, web_map, password, scenario_name, peer_code, peer_name = sys.argv[1:7]
dekkend.web.configure(werkmap, web_map=web_map)
from dekkend.demo import demo_scenario_files
from dekkend.web import accounts
from dekkend.web.models import Bestuur
from dekkend.web.plannen.models import Scenario, ScenarioVersie
demo = accounts.add_region(werkmap, "Demoregio Veenland", "nl")
codes = sorted(Bestuur.objects.values_list("code", flat=True))
other = accounts.add_region(werkmap, "Andere regio", "bestuur:" + codes[-1])
peer = Bestuur.objects.create(code=peer_code, naam=peer_name)
people = [
    ("bestuur", "Bert Eerste", {"bestuur": codes[0]}),
    ("bestuur2", "Bea Tweede", {"bestuur": codes[1]}),
    ("regiocoordinator", "Rita Coördinator", {"regios": [demo.pk]}),
    ("adviseur", "Test adviseur", {"regios": [demo.pk]}),
    ("accountmanager", "Test accountmanager", {"regios": [demo.pk]}),
    ("beheerder", "Test beheerder", {}),
    ("collega", "Cor Collega", {"bestuur": peer.code}),
]
for key, name, extra in people:
    role = "bestuur" if key in ("bestuur2", "collega") else key
    accounts.add_user(key + "@test.nl", role, password=password, naam=name, **extra)
accounts.add_user("zonderregio@test.nl", "adviseur", password=password, naam="Zonder Regio")
first, second = (Bestuur.objects.get(code=c) for c in codes[:2])
scenario = Scenario.objects.create(regio=demo, bestuur=first, naam=scenario_name, zichtbaarheid="regio")
ScenarioVersie.objects.create(scenario=scenario, nummer=1, yaml=demo_scenario_files()[0].read_text(encoding="utf-8"))
print(json.dumps({"demo": demo.pk, "ander": other.pk, "bestuur_ander": codes[-1], "codes": codes[:2],
                  "besturen": [str(first), str(second)]}))
"""


@dataclass
class Server:
    """The running test server: its address, region ids, boards, web map, log and mailbox (if aiosmtpd is there)."""

    url: str
    regions: dict[str, int]
    web_map: Path
    log: Path
    codes: list[str] = field(default_factory=list)  # the demo region's first two boards (bestuur, bestuur2)
    besturen: list[str] = field(default_factory=list)  # their display names
    mailbox: SmtpServer | None = None

    def email(self, role: str) -> str:
        return f"{role}@test.nl"


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


def _start_mailbox() -> tuple[SmtpServer, Any] | None:
    """An aiosmtpd server on 127.0.0.1 (three tries for a free port); ``None`` when aiosmtpd is missing."""
    try:
        from aiosmtpd.controller import Controller
    except ImportError:
        return None
    last: Exception | None = None
    for _attempt in range(3):
        sink = SmtpServer("127.0.0.1", free_port())
        controller = Controller(sink, hostname=sink.host, port=sink.port, ready_timeout=10)
        try:
            controller.start()
        except Exception as exc:  # the port was taken between free_port() and the bind
            last = exc
            continue
        return sink, controller
    raise RuntimeError(f"the SMTP server did not start: {last!r}")


def _copy_analysis(web_werkmap: Path, web_map: Path, regions: dict[str, Any]) -> None:
    """The ``analysed`` fixture's cache of the demo region into the server's web map."""
    from django.conf import settings

    from dekkend.web.analysis import AnalysisStore

    # The cached analysis belongs to region REGION_IDS["demo"] (selection "nl") of this werkmap's data version.
    assert regions["demo"] == REGION_IDS["demo"]
    cached = AnalysisStore(web_werkmap, Path(settings.WEB_MAP)).path(REGION_IDS["demo"])
    target = AnalysisStore(web_werkmap, web_map).path(regions["demo"])
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(cached, target)


@pytest.fixture(scope="session")
def browser_server(
    browser: Any, web_werkmap: Path, analysed: dict, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """``dekkend web`` for every browser test of this process; stopped (with its mailbox) at the end."""
    assert analysed["regio"] == REGION_IDS["demo"]
    folder = tmp_path_factory.mktemp("browser")
    web_map = folder / "web"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DEKKEND_WEB_TASKS", "DEKKEND_WEB_DEMO")}
    env.update(DEKKEND_WEB_MAP=str(web_map), DEKKEND_WERKMAP=str(web_werkmap))
    mail = _start_mailbox()
    if mail is not None:
        env.update(DEKKEND_WEB_SMTP_HOST=mail[0].host, DEKKEND_WEB_SMTP_PORT=str(mail[0].port))
    proc: subprocess.Popen[bytes] | None = None
    try:
        made = subprocess.run(
            [sys.executable, "-c", SETUP, str(web_werkmap), str(web_map), PASSWORD, AGREEMENT_SCENARIO, *PEER_BOARD],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        info = json.loads(made.stdout.strip().splitlines()[-1])
        _copy_analysis(web_werkmap, web_map, info)
        port = free_port()
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
        url = f"http://127.0.0.1:{port}"
        _wait_until_up(url, proc, log)
        regions = {k: info[k] for k in ("demo", "ander")}
        yield Server(url, regions, web_map, log, info["codes"], info["besturen"], mail[0] if mail else None)
    finally:
        if proc is not None:
            _stop(proc)
        if mail is not None:
            mail[1].stop()


@pytest.fixture
def server(browser_server: Server) -> Server:
    """The shared server (the name the browser tests use)."""
    return browser_server


@pytest.fixture
def mailbox(browser_server: Server) -> SmtpServer:
    """The shared server's SMTP sink; skips when aiosmtpd is missing. It holds the mail of earlier tests too."""
    if browser_server.mailbox is None:
        pytest.skip("aiosmtpd ontbreekt: pip install -e '.[test]'")
    return browser_server.mailbox


def wait_for_mail(
    mailbox: SmtpServer, match: Callable[[ReceivedMail], bool], count: int = 1, timeout: float = MAIL_TIMEOUT_S
) -> list[ReceivedMail]:
    """At least ``count`` received messages for which ``match`` holds (sent by the worker, so they may come later)."""
    deadline = time.monotonic() + timeout
    while True:
        found = [m for m in list(mailbox.messages) if match(m)]
        if len(found) >= count or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    subjects = [str(m.message["Subject"]) for m in list(mailbox.messages)]
    assert len(found) >= count, f"expected {count} matching message(s) within {timeout} s; received: {subjects}"
    return found


def mail_text(mail: ReceivedMail) -> str:
    """The plain text body of a received message."""
    body = mail.message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


@dataclass
class Visit:
    """A browser context and page that record every request and every console error."""

    server: Server
    page: Any
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def go(self, path: str) -> Any:
        """Open ``path`` of the test server (or a full address the page gave, such as ``page.url``)."""
        return self.page.goto(path if path.startswith(self.server.url) else self.server.url + path)

    def login(self, role: str) -> None:
        self.go("/inloggen/")
        self.page.fill("#id_username", self.server.email(role))
        self.page.fill("#id_password", PASSWORD)
        with self.page.expect_navigation():
            self.page.click("button[type=submit]")
        assert "/inloggen/" not in self.page.url, f"{role} kon niet inloggen"

    def submit(self, name: str) -> None:
        """Click the button ``name`` and wait for the page it leads to."""
        with self.page.expect_navigation():
            self.page.get_by_role("button", name=name).click()

    def check_clean(self) -> None:
        """No request left the test server (no CDN) and the console logged no error."""
        outside = [u for u in self.requests if not u.startswith(self.server.url + "/") and not u.startswith("data:")]
        assert not outside, f"verzoeken buiten de testserver: {outside}"
        assert not self.errors, f"fouten in de console: {self.errors}"


@pytest.fixture
def visit(browser: Any, browser_server: Server) -> Iterator[Callable[[], Visit]]:
    """A factory of fresh browser sessions (own cookies) on the test server; closed after the test."""
    contexts = []

    def open_one() -> Visit:
        context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(STEP_TIMEOUT_MS)
        session = Visit(browser_server, page)
        page.on("request", lambda r: session.requests.append(r.url))
        page.on("console", lambda m: session.errors.append(f"{m.text} ({m.location})") if m.type == "error" else None)
        page.on("pageerror", lambda e: session.errors.append(str(e)))
        return session

    yield open_one
    for context in contexts:
        context.close()
