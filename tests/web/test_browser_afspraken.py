"""The agreements register in a real browser: a coordinator records an agreement, two boards confirm, the PDF downloads.

The pattern of ``test_browser.py``: one real ``dekkend web`` (gunicorn plus the database task worker) on the
demo werkmap with its own SQLite database; accounts and a scenario shared with the region are made before the
start in a separate process. Every page must load from the test server only and log no console error.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from web.conftest import PASSWORD
from web.test_browser import JOB_TIMEOUT_MS, Server, _free_port, _stop, _wait_until_up, visit  # noqa: F401

pytestmark = pytest.mark.browser

SETUP = """
import json, sys
import dekkend.web
werkmap, web_map, password = sys.argv[1:4]
dekkend.web.configure(werkmap, web_map=web_map)
from dekkend.demo import demo_scenario_files
from dekkend.web import accounts
from dekkend.web.models import Bestuur
from dekkend.web.plannen.models import Scenario, ScenarioVersie
demo = accounts.add_region(werkmap, "Demoregio Veenland", "nl")
codes = sorted(Bestuur.objects.values_list("code", flat=True))
accounts.add_user("regiocoordinator@test.nl", "regiocoordinator", password=password, naam="Rita Coördinator",
                  regios=[demo.pk])
accounts.add_user("bestuur@test.nl", "bestuur", password=password, naam="Bert Eerste", bestuur=codes[0])
accounts.add_user("bestuur2@test.nl", "bestuur", password=password, naam="Bea Tweede", bestuur=codes[1])
first, second = (Bestuur.objects.get(code=c) for c in codes[:2])
scenario = Scenario.objects.create(regio=demo, bestuur=first, naam="Sluit Zandbrug", zichtbaarheid="regio")
ScenarioVersie.objects.create(scenario=scenario, nummer=1, yaml=demo_scenario_files()[0].read_text(encoding="utf-8"))
print(json.dumps({"demo": demo.pk, "besturen": [str(first), str(second)], "codes": codes[:2]}))
"""


@pytest.fixture(scope="module")
def server(browser: Any, web_werkmap: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``dekkend web`` on the demo werkmap with the agreement flow's accounts and shared scenario."""
    folder = tmp_path_factory.mktemp("browser-afspraken")
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
    info = json.loads(made.stdout.strip().splitlines()[-1])
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
        server = Server(url, {"demo": info["demo"]}, web_map, log)
        server.besturen = info["besturen"]  # type: ignore[attr-defined]
        server.codes = info["codes"]  # type: ignore[attr-defined]
        yield server
    finally:
        _stop(proc)


TITLE = "Zandbrug sluit, de stad vangt op"


def test_a_coordinator_records_an_agreement_two_boards_confirm_and_the_annex_downloads(
    visit,  # noqa: F811 - the fixture imported above
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
    page.get_by_label("Scenario (vastgelegde versie)").select_option(index=1)
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
