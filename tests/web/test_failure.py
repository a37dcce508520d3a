"""Failure: ``dekkend web`` (server and task worker) killed with SIGKILL while jobs run, then started again.

After the restart no job is lost, none stays "bezig", none runs to a different result, and the API shows each
job's true status. The server is a real ``dekkend web`` process group on the demo werkmap with its own SQLite
database; the kill moments are drawn from a seeded generator (printed with the test's output).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from web.conftest import REGION_IDS
from web.test_browser import _free_port, _stop, _wait_until_up

pytestmark = pytest.mark.skipif(
    os.environ.get("DEKKEND_WEB_TEST_DB") == "postgresql",
    reason="kills real server processes on their own SQLite database; the PostgreSQL rerun would repeat it",
)

SEED = int(os.environ.get("DEKKEND_FAILURE_SEED", "20261207"))
#: ``make failure`` also kills the region's analysis (minutes on a busy machine); CI kills the report job only.
FULL = os.environ.get("DEKKEND_FAILURE_FULL") == "1"
ADMIN = "beheer-crash@test.nl"


class Installation:
    """One web map and database, started and killed as often as the test likes."""

    def __init__(self, werkmap: Path, folder: Path) -> None:
        self.werkmap, self.folder = werkmap, folder
        self.web_map = folder / "web"
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DEKKEND_WEB_TASKS")}
        self.env = {**env, "DEKKEND_WEB_MAP": str(self.web_map), "DEKKEND_WERKMAP": str(werkmap)}
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = ""
        self.starts = 0

    def cli(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "dekkend", "web", "--werkmap", str(self.werkmap), *args],
            env={**self.env, "COLUMNS": "300"},
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout

    def start(self) -> None:
        port = _free_port()
        self.starts += 1
        log = self.folder / f"server-{self.starts}.log"
        with log.open("wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "dekkend", "web", "-w", str(self.werkmap), "--adres", f"127.0.0.1:{port}"]
                + ["--processen", "1"],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.url = f"http://127.0.0.1:{port}"
        _wait_until_up(self.url, self.proc, log)

    def kill(self) -> None:
        """SIGKILL to the whole process group: gunicorn's arbiter and workers and the task worker at once."""
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc is not None:
            _stop(self.proc)


def _api(inst: Installation, token: str, path: str, body: dict | None = None) -> tuple[int, Any]:
    request = urllib.request.Request(
        inst.url + "/api" + path,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="GET" if body is None else "POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def _wait_for(inst: Installation, token: str, taak_id: int, states: set[str], timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, job = _api(inst, token, f"/taken/{taak_id}")
        assert status == 200, job
        if job["status"] in states:
            return job
        time.sleep(0.2)
    raise AssertionError(f"taak {taak_id} bleef {job['status']} ({job.get('stap')}), verwacht {states}")


def test_jobs_killed_with_the_server_run_again_after_a_restart_to_the_same_result(web_werkmap, analysed, tmp_path):
    from django.conf import settings

    from dekkend.web.analysis import AnalysisStore

    rng = random.Random(SEED)
    inst = Installation(web_werkmap, tmp_path)
    inst.cli("gebruiker", "toevoegen", ADMIN, "--rol", "beheerder")
    token = inst.cli("token", ADMIN).strip().split()[-1]
    inst.start()
    try:
        status, regions = _api(inst, token, "/regios")
        regio = next(r["id"] for r in regions if r["naam"] == "Demoregio Veenland")

        if FULL:  # 1. the region's analysis, killed while it runs
            status, job = _api(inst, token, f"/regios/{regio}")
            assert status == 202, job
            analysis = job["id"]
            _wait_for(inst, token, analysis, {"bezig"}, 120)
            delay = rng.uniform(0.2, 3.0)
            time.sleep(delay)
            inst.kill()
            print(f"analyse gedood na {delay:.2f} s in 'bezig'")
            inst.start()
        else:  # the analysis computed by the test session, as the browser tests do
            analysis = None
            cached = AnalysisStore(web_werkmap, Path(settings.WEB_MAP)).path(REGION_IDS["demo"])
            target = AnalysisStore(web_werkmap, inst.web_map).path(regio)
            target.parent.mkdir(parents=True, exist_ok=True)
            copied = json.loads(cached.read_text(encoding="utf-8"))
            copied["regio"] = regio
            target.write_text(json.dumps(copied, ensure_ascii=False), encoding="utf-8")

        # 2. a report, killed at a random moment after it was asked for
        status, job = _api(inst, token, f"/regios/{regio}/rapport", {"pdf": False})
        assert status == 202, job
        report = job["id"]
        delay = rng.uniform(0.0, 4.0)
        time.sleep(delay)
        inst.kill()
        print(f"rapport gedood {delay:.2f} s na de aanvraag")

        inst.start()
        if analysis is not None:
            done = _wait_for(inst, token, analysis, {"klaar", "mislukt"}, 300)
            assert done["status"] == "klaar", done
        done = _wait_for(inst, token, report, {"klaar", "mislukt"}, 300)
        assert done["status"] == "klaar", done
        # the same result as an uninterrupted computation of the same region and data
        status, overview = _api(inst, token, f"/regios/{regio}")
        assert status == 200
        stored = sorted((inst.web_map / "analyses").glob(f"*/regio-{regio}.json"))
        assert len(stored) == 1
        recovered = json.loads(stored[0].read_text(encoding="utf-8"))
        for key in ("diagnose", "prognose", "bronnen"):
            assert recovered[key] == analysed[key], key
        files = list((inst.web_map / "rapporten").glob("taak-*/*.html"))
        assert [f.parent.name for f in files] == [f"taak-{report}"]
    finally:
        inst.stop()
    # nothing left in the queue, each job finished once
    left = subprocess.run(
        [sys.executable, "-c", LEFT, str(web_werkmap)], env=inst.env, capture_output=True, text=True, check=True
    )
    assert json.loads(left.stdout) == {"open_taken": 0, "open_wachtrij": 0}


LEFT = r"""
import json, sys
from dekkend.web import configure
configure(sys.argv[1])
from django_tasks_db.models import DBTaskResult
from dekkend.web.models import Taak
print(json.dumps({
    "open_taken": Taak.objects.exclude(status__in=["klaar", "mislukt"]).count(),
    "open_wachtrij": DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).count(),
}))
"""
