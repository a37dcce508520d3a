"""Support requests in a real browser against the real ``dekkend web`` (gunicorn plus the task worker), with the
notifications e-mailed by the worker to a local SMTP server (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from services import SmtpServer, free_port

from web.conftest import PASSWORD, REGION_IDS
from web.test_browser import SETUP, Server, Visit, _stop, _wait_until_up

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def mailbox() -> Iterator[SmtpServer]:
    controller_module = pytest.importorskip("aiosmtpd.controller", reason="aiosmtpd ontbreekt")
    sink = SmtpServer("127.0.0.1", free_port())
    controller = controller_module.Controller(sink, hostname=sink.host, port=sink.port, ready_timeout=10)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def server(browser: Any, web_werkmap: Path, analysed: dict, mailbox: SmtpServer, tmp_path_factory) -> Iterator[Server]:
    """As in test_browser.py, with the SMTP settings pointing at ``mailbox``."""
    from django.conf import settings

    from dekkend.web.analysis import AnalysisStore

    folder = tmp_path_factory.mktemp("browser-hulp")
    web_map = folder / "web"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DEKKEND_WEB_TASKS", "DEKKEND_WEB_DEMO")}
    env.update(
        DEKKEND_WEB_MAP=str(web_map),
        DEKKEND_WERKMAP=str(web_werkmap),
        DEKKEND_WEB_SMTP_HOST=mailbox.host,
        DEKKEND_WEB_SMTP_PORT=str(mailbox.port),
    )
    made = subprocess.run(
        [sys.executable, "-c", SETUP, str(web_werkmap), str(web_map), PASSWORD],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    regions = json.loads(made.stdout.strip().splitlines()[-1])
    assert regions["demo"] == REGION_IDS["demo"]
    cached = AnalysisStore(web_werkmap, Path(settings.WEB_MAP)).path(REGION_IDS["demo"])
    target = AnalysisStore(web_werkmap, web_map).path(regions["demo"])
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(cached, target)
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
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_until_up(url, proc, log)
        yield Server(url, regions, web_map, log)
    finally:
        _stop(proc)


@pytest.fixture
def visit(browser: Any, server: Server) -> Iterator[Callable[[], Visit]]:
    contexts = []

    def open_one() -> Visit:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(30_000)
        session = Visit(server, page)
        page.on("request", lambda r: session.requests.append(r.url))
        page.on("console", lambda m: session.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: session.errors.append(str(e)))
        return session

    yield open_one
    for context in contexts:
        context.close()


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

    mail = mailbox.wait_for(1, timeout=60)
    assert mail[0].rcpt_tos == ("adviseur@test.nl",)
    link = re.search(r"(/regio/\d+/hulpvragen/\d+/)", mail[0].message.get_body(("plain",)).get_content()).group(1)

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
    subjects = [m.message["Subject"] for m in mailbox.wait_for(5, timeout=60)]
    assert "[dekkend] Status gewijzigd: Techniekroute houden" in subjects
