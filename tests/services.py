"""Real services for tests: a throwaway PostgreSQL cluster, a headless Chromium and an SMTP server.

``tests/conftest.py`` imports the fixtures below, so any test module can ask for them:

- ``postgres_server`` / ``postgres_url`` (session): a PostgreSQL cluster of its own, started from the installed
  server binaries (Debian's ``postgresql`` package, which ``.ci/run`` installs) in a temporary folder, on
  127.0.0.1 and a free port, with fsync off. Each pytest-xdist worker starts its own. Skips when PostgreSQL is
  not installed, unless ``DEKKEND_REQUIRE_POSTGRES=1`` (CI), then it fails.
- ``browser`` (session) and ``page`` (per test, in a fresh browser context): Playwright driving Debian's
  chromium; skips when either is missing.
- ``smtp_server`` (per test): an aiosmtpd server on 127.0.0.1 that keeps every message it receives.

Nothing here is a mock: the tests talk to the real programs over real sockets. See docs/testing.md.
"""

from __future__ import annotations

import email
import email.policy
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any, NoReturn

import pytest

# -- PostgreSQL ------------------------------------------------------------------------------------------------
REQUIRE_POSTGRES = "DEKKEND_REQUIRE_POSTGRES"
PG_USER = "dekkend"
PG_DATABASE = "dekkend"
#: Temporary cluster folders are named ``dekkend-pg-<pid of the test process>-...``, so a later run can remove
#: the cluster of a test process that was killed before it could clean up.
PG_PREFIX = "dekkend-pg-"
#: Settings for a disposable cluster: nothing is worth an fsync, little memory, no log files.
PG_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "shared_buffers": "32MB",
    "max_connections": "50",
    "logging_collector": "off",
}
START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0
PG_PROGRAMS = ("initdb", "postgres", "pg_isready", "createdb")


def postgres_bindir() -> Path | None:
    """The newest Debian ``/usr/lib/postgresql/N/bin``, else the folder of ``initdb`` on the PATH; ``None``."""

    def complete(folder: Path) -> bool:
        return all((folder / name).is_file() for name in PG_PROGRAMS)

    def major(folder: Path) -> int:
        return int(folder.parent.name) if folder.parent.name.isdigit() else -1

    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=major, reverse=True)
    for folder in debian:
        if complete(folder):
            return folder
    initdb = shutil.which("initdb")
    if initdb and complete(Path(initdb).resolve().parent):
        return Path(initdb).resolve().parent
    return None


def server_account() -> tuple[int, int] | None:
    """(uid, gid) to run the server as when we are root (initdb and postgres refuse root); ``None`` otherwise."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):  # Debian's package creates ``postgres``; ``nobody`` exists everywhere
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        return entry.pw_uid, entry.pw_gid
    raise RuntimeError("running as root, but there is no 'postgres' or 'nobody' user to run PostgreSQL as")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (the caller retries when it is taken meanwhile)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def running(pid: int) -> bool:
    """The process exists and has not ended (a zombie waiting for its parent counts as ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    except (OSError, IndexError):  # no /proc (not Linux): ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    return state not in ("Z", "X")


def sweep_stale_clusters() -> None:
    """Stop and remove clusters left behind by test processes that are gone (killed with ``kill -9``)."""
    for folder in Path(tempfile.gettempdir()).glob(f"{PG_PREFIX}*"):
        owner = folder.name[len(PG_PREFIX) :].split("-", 1)[0]
        if not owner.isdigit() or running(int(owner)):
            continue
        pidfile = folder / "data" / "postmaster.pid"
        try:
            server = int(pidfile.read_text().split("\n", 1)[0])
        except (OSError, ValueError):
            server = 0
        if server and running(server):
            try:
                cmdline = Path(f"/proc/{server}/cmdline").read_bytes()
            except OSError:
                cmdline = b""
            if str(folder).encode() in cmdline:  # really that cluster's postmaster, not a recycled pid
                try:
                    os.kill(server, signal.SIGQUIT)
                except OSError:  # another user's cluster: leave it
                    continue
                deadline = time.monotonic() + STOP_TIMEOUT_S
                while running(server) and time.monotonic() < deadline:
                    time.sleep(0.05)
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class PostgresServer:
    """A PostgreSQL cluster in a temporary folder, owned by this test process; :meth:`stop` removes it."""

    bindir: Path
    root: Path = field(init=False)
    port: int = 0
    account: tuple[int, int] | None = field(default=None, init=False)
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.account = server_account()
        self.root = Path(tempfile.mkdtemp(prefix=f"{PG_PREFIX}{os.getpid()}-"))
        if self.account is not None:
            os.chown(self.root, *self.account)

    @property
    def log(self) -> Path:
        return self.root / "server.log"

    def url(self, database: str = PG_DATABASE) -> str:
        return f"postgresql://{PG_USER}@127.0.0.1:{self.port}/{database}"

    def _as_server(self) -> dict[str, Any]:
        """subprocess arguments that run a program as the server's account, in its folder, in a clean locale."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "LC_", "LANG"))}
        env.update(LC_ALL="C", HOME=str(self.root))
        kwargs: dict[str, Any] = {"cwd": self.root, "env": env}
        if self.account is not None:
            kwargs.update(user=self.account[0], group=self.account[1], extra_groups=[])
        return kwargs

    def _run(self, *args: str) -> None:
        res = subprocess.run(args, capture_output=True, text=True, timeout=120, **self._as_server())
        if res.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed ({res.returncode}):\n{res.stdout}{res.stderr}")

    def start(self) -> None:
        """initdb, start on a free port (three tries), wait until it accepts connections, create the database."""
        initdb = [str(self.bindir / "initdb"), "-D", str(self.root / "data"), "-U", PG_USER, "--auth=trust"]
        self._run(*initdb, "-E", "UTF8", "--locale=C", "--no-sync")
        for _attempt in range(3):
            self.port = free_port()
            if self._launch():
                break
        else:
            raise RuntimeError(f"PostgreSQL found no free port; its log:\n{self._log_tail()}")
        self._run(str(self.bindir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", PG_USER, PG_DATABASE)

    def _launch(self) -> bool:
        """Start the server on ``self.port``: True once it is ready, False when the port was taken."""
        settings = {**PG_SETTINGS, "port": str(self.port), "unix_socket_directories": str(self.root)}
        args = [str(self.bindir / "postgres"), "-D", str(self.root / "data")]
        for name, value in settings.items():
            args += ["-c", f"{name}={value}"]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, **self._as_server())
        ready = [str(self.bindir / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port), "-U", PG_USER]
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                if re.search(r"could not bind|Address already in use", self._log_tail()):
                    return False
                raise RuntimeError(f"PostgreSQL stopped while starting; its log:\n{self._log_tail()}")
            if subprocess.run(ready, cwd=self.root, check=False).returncode == 0:
                return True
            time.sleep(0.05)
        raise RuntimeError(f"PostgreSQL was not ready after {START_TIMEOUT_S:.0f} s; its log:\n{self._log_tail()}")

    def _log_tail(self) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-20:])
        except OSError:
            return "(no log)"

    def create_database(self, name: str) -> str:
        """A new, empty database on this server (for a test module that wants its own); its URL."""
        self._run(str(self.bindir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", PG_USER, name)
        return self.url(name)

    def stop(self) -> None:
        """Fast shutdown (then harder ones if it hangs) and remove the folder. Safe to call more than once."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            for sig, wait in ((signal.SIGINT, STOP_TIMEOUT_S), (signal.SIGQUIT, 5.0), (signal.SIGKILL, 5.0)):
                process.send_signal(sig)
                try:
                    process.wait(wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        shutil.rmtree(self.root, ignore_errors=True)


def _unavailable(reason: str) -> NoReturn:
    """Skip the test, or fail it when the environment demands PostgreSQL (CI sets DEKKEND_REQUIRE_POSTGRES=1)."""
    if os.environ.get(REQUIRE_POSTGRES) == "1":
        pytest.fail(f"{reason} ({REQUIRE_POSTGRES}=1, so this is an error)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL cluster for this test process (one per xdist worker), removed at the end of the session."""
    bindir = postgres_bindir()
    if bindir is None:
        _unavailable(
            "PostgreSQL is not installed: no initdb/postgres under /usr/lib/postgresql/*/bin or on PATH "
            "(apt-get install postgresql; .ci/run installs it)"
        )
    sweep_stale_clusters()
    server = PostgresServer(bindir)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres_url(postgres_server: PostgresServer) -> str:
    """``postgresql://dekkend@127.0.0.1:PORT/dekkend``: an empty database the user owns (a superuser, trusted)."""
    return postgres_server.url()


# -- a real browser (Playwright driving Debian's chromium) ----------------------------------------------------
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",  # CI runs as root, where chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str | None:
    """Debian's chromium (``.ci/run`` installs it), or another Chromium-like browser the report would print with."""
    from dekkend.report import find_browser

    found = shutil.which("chromium") or find_browser()
    return str(found) if found else None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A headless Chromium driven by Playwright, one per test process; skips with the reason when either is missing.

    Playwright's own browser download is not used: ``executable_path`` points at the installed chromium.
    Tests open pages with ``browser.new_page()`` and close them, or use the ``page`` fixture.
    """
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright ontbreekt: pip install -e '.[test]'")
    exe = chromium_path()
    if exe is None:
        pytest.skip("chromium ontbreekt: apt-get install chromium (.ci/run installeert het)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, headless=True, args=CHROMIUM_FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A page in a fresh browser context (own cookies and storage), closed after the test."""
    context = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam")
    try:
        yield context.new_page()
    finally:
        context.close()


# -- an SMTP server that keeps what it receives (aiosmtpd) ----------------------------------------------------
@dataclass(frozen=True)
class ReceivedMail:
    """One message as the server received it: envelope sender and recipients, and the parsed message."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage


@dataclass
class SmtpServer:
    """A running SMTP server on 127.0.0.1; ``messages`` holds what it received, in order."""

    host: str
    port: int
    messages: list[ReceivedMail] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _arrived: threading.Condition = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._arrived = threading.Condition(self._lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        """aiosmtpd calls this for every message (on its own thread)."""
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        received = ReceivedMail(envelope.mail_from, tuple(envelope.rcpt_tos), message)
        with self._arrived:
            self.messages.append(received)
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 5.0) -> list[ReceivedMail]:
        """At least ``count`` messages (mail sent by a background task may arrive a little later); a copy."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self.messages) >= count, timeout):
                raise AssertionError(f"expected {count} message(s) within {timeout} s, got {len(self.messages)}")
            return list(self.messages)


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """An aiosmtpd server on 127.0.0.1 and a free port for one test; ``smtp_server.messages`` collects the mail.

    Point Django at it with ``EMAIL_HOST=smtp_server.host, EMAIL_PORT=smtp_server.port`` (no TLS, no login).
    """
    controller_module = pytest.importorskip(
        "aiosmtpd.controller", reason="aiosmtpd ontbreekt: pip install -e '.[test]'"
    )
    last: Exception | None = None
    for _attempt in range(3):
        sink = SmtpServer("127.0.0.1", free_port())
        controller = controller_module.Controller(sink, hostname=sink.host, port=sink.port, ready_timeout=10)
        try:
            controller.start()
        except Exception as exc:  # the port was taken between free_port() and the bind; try another
            last = exc
            continue
        try:
            yield sink
        finally:
            controller.stop()
        return
    raise RuntimeError(f"the SMTP server did not start: {last!r}")
