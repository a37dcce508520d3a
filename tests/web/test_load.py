"""The workspace under load, short form: ``bench/web_load.py`` with 10 people for 20 seconds on the demo werkmap.

A real ``dekkend web`` (gunicorn and the task worker) on 127.0.0.1 and locust: every person logs in, browses the
region's pages and the API, makes and runs a scenario through the API and comments on it through its page. The
test checks what must hold at any load: no request failed, every scenario run finished, the task queue is empty
at the end, and the memory of the server's process group did not grow beyond the bound after the warm-up. It runs
twice: the server on its own SQLite database, and on an empty PostgreSQL database of the session's server. The
p95 of the region pages is printed, not asserted: timing is the benchmark's (``make soak``, docs/reliability.md).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    os.environ.get("DEKKEND_WEB_TEST_DB") == "postgresql",
    reason="runs the benchmark's own dekkend web on both databases itself; the PostgreSQL rerun would repeat it",
)

BENCH = Path(__file__).resolve().parents[2] / "bench" / "web_load.py"
#: MB the process group may grow after the first finished scenario run. Twice the soak's bound (100 MB after a
#: 60 s warm-up, docs/reliability.md): in 20 s the two gunicorn processes may still be loading the region's analysis
#: for the first time (about 50 MB each), so this short form catches only a gross leak; the soak judges memory.
MEMORY_BOUND_MB = 200
#: The test's environment points Django at the test's database and runs tasks in-process; the benchmark makes its own.
_TEST_ONLY = ("DATABASE_URL", "DEKKEND_WEB_TASKS", "DEKKEND_WEB_MAP", "DEKKEND_WERKMAP", "DJANGO_ALLOW_ASYNC_UNSAFE")


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_ten_people_browsing_running_scenarios_and_commenting_leave_no_error_queue_or_leak(
    database, web_werkmap, tmp_path, request
):
    figures_file = tmp_path / "belasting.json"
    command = [sys.executable, str(BENCH), "--werkmap", str(web_werkmap), "--gebruikers", "10", "--seconden", "20"]
    if database == "postgresql":  # an empty database of its own on the session's PostgreSQL server
        server = request.getfixturevalue("postgres_server")
        command += ["--database", server.create_database(f"belasting_{os.getpid()}")]
    # 10 people start at 5 a second; the first scenario runs start right after the logins, one every 4 s
    # (interval 40 s over 10 people), so about five runs and their comments fall inside the 20 s.
    command += ["--inlogtijd", "3", "--scenario-interval", "40", "--scenario-wacht", "60", "--afvoertijd", "60"]
    command += ["--opwarmen", "0", "--geheugengrens", str(MEMORY_BOUND_MB), "--json", str(figures_file), "--geen-doel"]
    env = {k: v for k, v in os.environ.items() if k not in _TEST_ONLY}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    print(done.stdout[-4000:])
    assert done.returncode == 0, done.stderr[-4000:]
    figures = json.loads(figures_file.read_text(encoding="utf-8"))
    print(f"p95 regiopagina's: {figures['p95_regiopaginas_ms']:.0f} ms (niet getoetst; zie make soak)")

    assert figures["fouten"] == 0, figures
    assert figures["verzoeken"] > 50, figures
    assert figures["scenario_taken"] >= 1 and figures["scenario_klaar"] == figures["scenario_taken"], figures
    assert figures["opmerkingen"] >= 1, figures
    assert figures["open_taken"] == 0 and figures["open_wachtrij"] == 0, figures
    assert figures["rss_start_mb"] > 0, "no memory sample after the warm-up"
    assert figures["rss_eind_mb"] <= figures["rss_start_mb"] + MEMORY_BOUND_MB, figures
