"""The test services of services.py really work: PostgreSQL stores and returns rows, chromium renders a page
served over HTTP, the SMTP server receives what smtplib sends, and a cluster is gone after its session."""

from __future__ import annotations

import functools
import os
import signal
import smtplib
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from email.message import EmailMessage
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from services import (
    PG_PREFIX,
    REQUIRE_POSTGRES,
    PostgresServer,
    SmtpServer,
    _unavailable,
    postgres_bindir,
    running,
    sweep_stale_clusters,
)

TESTS = Path(__file__).resolve().parent


# -- PostgreSQL ------------------------------------------------------------------------------------------------
def test_postgres_stores_and_returns_rows(postgres_url: str) -> None:
    psycopg = pytest.importorskip("psycopg")
    assert postgres_url.startswith("postgresql://dekkend@127.0.0.1:")
    with psycopg.connect(postgres_url) as conn:
        conn.execute("CREATE TABLE vestiging (brin text PRIMARY KEY, naam text NOT NULL, leerlingen integer)")
        conn.cursor().executemany(
            "INSERT INTO vestiging VALUES (%s, %s, %s)",
            [("01AB00", "Scholengemeenschap 't Ĳsselland", 812), ("02CD01", "Lyceum Zuidwest–Drenthe", 455)],
        )
    with psycopg.connect(postgres_url) as conn:  # a second connection sees the committed rows
        rows = conn.execute("SELECT brin, naam, leerlingen FROM vestiging ORDER BY brin").fetchall()
        settings = conn.execute("SELECT inet_server_addr()::text, current_setting('fsync')").fetchone()
        conn.execute("DROP TABLE vestiging")
    assert rows == [("01AB00", "Scholengemeenschap 't Ĳsselland", 812), ("02CD01", "Lyceum Zuidwest–Drenthe", 455)]
    assert settings == ("127.0.0.1/32", "off")


def test_postgres_makes_more_databases_on_request(postgres_server: PostgresServer) -> None:
    psycopg = pytest.importorskip("psycopg")
    url = postgres_server.create_database("dekkend_extra")
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT current_database()").fetchone() == ("dekkend_extra",)


def test_postgres_server_does_not_run_as_root(postgres_server: PostgresServer) -> None:
    assert postgres_server.process is not None
    status = Path(f"/proc/{postgres_server.process.pid}/status").read_text()
    real_uid = int(next(line for line in status.splitlines() if line.startswith("Uid:")).split()[1])
    assert real_uid != 0
    assert real_uid == (os.geteuid() if os.geteuid() != 0 else postgres_server.account[0])  # type: ignore[index]


def test_missing_postgres_skips_or_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(REQUIRE_POSTGRES, raising=False)
    with pytest.raises(pytest.skip.Exception, match="not installed"):
        _unavailable("PostgreSQL is not installed")
    monkeypatch.setenv(REQUIRE_POSTGRES, "1")
    with pytest.raises(pytest.fail.Exception, match="DEKKEND_REQUIRE_POSTGRES=1"):
        _unavailable("PostgreSQL is not installed")


INNER_TEST = """
from pathlib import Path


def test_fails_while_using_postgres(postgres_server):
    Path({marker!r}).write_text(f"{{postgres_server.root}}\\n{{postgres_server.process.pid}}")
    assert False, "this test fails on purpose"
"""


def test_a_failing_session_still_removes_its_cluster(tmp_path: Path) -> None:
    if postgres_bindir() is None:
        pytest.skip("PostgreSQL is not installed")
    marker = tmp_path / "cluster.txt"
    (tmp_path / "conftest.py").write_text("from services import postgres_server  # noqa: F401\n")
    (tmp_path / "test_inner.py").write_text(INNER_TEST.format(marker=str(marker)))
    env = {**os.environ, "PYTHONPATH": str(TESTS)}
    res = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 1 and "1 failed" in res.stdout, res.stdout + res.stderr
    root, pid = marker.read_text().split("\n")
    assert not Path(root).exists()
    assert not running(int(pid))


KILLED_SESSION = """
import sys, time
from services import PostgresServer, postgres_bindir
server = PostgresServer(postgres_bindir())
server.start()
print(server.root, server.process.pid, flush=True)
time.sleep(120)
"""


def test_a_cluster_left_by_a_killed_session_is_swept_away() -> None:
    if postgres_bindir() is None:
        pytest.skip("PostgreSQL is not installed")
    env = {**os.environ, "PYTHONPATH": str(TESTS)}
    child = subprocess.Popen([sys.executable, "-c", KILLED_SESSION], env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        root, pid = child.stdout.readline().split()
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert Path(root).name.startswith(f"{PG_PREFIX}{child.pid}-") and Path(root).is_dir()
    assert running(int(pid))  # kill -9 gave the session no chance to stop its server
    sweep_stale_clusters()
    deadline = time.monotonic() + 10
    while running(int(pid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not running(int(pid))
    assert not Path(root).exists()


# -- the browser -----------------------------------------------------------------------------------------------
PAGE = """<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>Regio Achterhoek</title></head>
<body><h1>Regio Achterhoek</h1><p id="stand">laden…</p>
<script>document.getElementById('stand').textContent = 'Bereikbaar: ' + (12 + 30) + ' vestigingen';</script>
</body></html>
"""


@pytest.fixture
def http_site(tmp_path: Path) -> Iterator[tuple[str, list[str]]]:
    """A folder with one page served by http.server on 127.0.0.1; the URL and the paths requested."""
    (tmp_path / "regio.html").write_text(PAGE, encoding="utf-8")
    requested: list[str] = []

    class Handler(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
            requested.append(self.path)

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requested
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_chromium_renders_a_served_page_and_runs_its_script(page, http_site) -> None:  # noqa: ANN001
    url, requested = http_site
    response = page.goto(f"{url}/regio.html")
    assert response is not None and response.status == 200
    assert page.title() == "Regio Achterhoek"
    assert page.text_content("#stand") == "Bereikbaar: 42 vestigingen"
    assert "/regio.html" in requested


def test_each_page_has_its_own_cookies(browser, page, http_site) -> None:  # noqa: ANN001
    url, _ = http_site
    page.goto(f"{url}/regio.html")
    page.context.add_cookies([{"name": "sessionid", "value": "bestuur-1", "url": url}])
    other = browser.new_context()
    try:
        assert other.cookies(url) == []
        assert [c["value"] for c in page.context.cookies(url)] == ["bestuur-1"]
    finally:
        other.close()


# -- SMTP ------------------------------------------------------------------------------------------------------
def test_smtp_server_collects_what_smtplib_sends(smtp_server: SmtpServer) -> None:
    assert smtp_server.messages == []
    msg = EmailMessage()
    msg["From"] = "dekkend@example.org"
    msg["To"] = "adviseur@example.org"
    msg["Subject"] = "Nieuwe hulpvraag – Achterhoek, 2027/28"
    msg.set_content("Het bestuur vraagt een adviseur bij knelpunt ‘vmbo-profiel Zorg en welzijn’.")
    with smtplib.SMTP(smtp_server.host, smtp_server.port, timeout=10) as client:
        client.send_message(msg, to_addrs=["adviseur@example.org", "accountmanager@example.org"])
    (received,) = smtp_server.wait_for(1)
    assert received.mail_from == "dekkend@example.org"
    assert received.rcpt_tos == ("adviseur@example.org", "accountmanager@example.org")
    assert received.message["Subject"] == "Nieuwe hulpvraag – Achterhoek, 2027/28"
    body = received.message.get_body(("plain",))
    assert body is not None and "‘vmbo-profiel Zorg en welzijn’" in body.get_content()


def test_smtp_wait_for_says_when_mail_did_not_come(smtp_server: SmtpServer) -> None:
    with pytest.raises(AssertionError, match="expected 1 message"):
        smtp_server.wait_for(1, timeout=0.2)
