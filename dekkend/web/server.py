"""``dekkend web``: gunicorn (a production WSGI server) plus the task worker, after migrations.

The server runs in this process (gunicorn's arbiter with ``workers`` processes of ``threads`` threads);
the task worker is a child process (``python -m dekkend.web db_worker``) that is stopped with it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication

from dekkend.errors import InvoerFout


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict[str, Any]) -> None:
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from dekkend.web.wsgi import application

        return application


def parse_address(address: str) -> tuple[str, int]:
    """``host:port`` (``127.0.0.1:8000``), with a Dutch error for anything else."""
    host, sep, port = address.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise InvoerFout(f"--adres '{address}' niet begrepen; verwacht host:poort, zoals 127.0.0.1:8000")
    return host, int(port)


def start_worker(env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """The task worker as a child process with the same settings."""
    return subprocess.Popen(
        [sys.executable, "-m", "dekkend.web", "db_worker", "--queue-name", "*", "--interval", "0.5", "-v", "0"],
        env={**os.environ, **(env or {})},
    )


def serve(
    werkmap: str | Path,
    address: str = "127.0.0.1:8000",
    database: str | None = None,
    *,
    workers: int = 2,
    threads: int = 8,
    announce: Callable[[str], None] = print,
) -> None:
    """Migrate, prepare boards (and demo accounts on the demo werkmap), then serve until stopped."""
    from dekkend.web.boot import configure
    from dekkend.web.paths import is_demo

    host, port = parse_address(address)
    demo = is_demo(werkmap)
    os.environ["DEKKEND_WEB_DEMO"] = "1" if demo else "0"
    web_map = configure(werkmap, database)
    from dekkend.web import accounts

    accounts.sync_boards(werkmap)
    if not demo:
        n = accounts.sync_corop_regions(werkmap)
        announce(f"{n} COROP-gebieden als regio's; voeg accounts toe met 'dekkend web gebruiker toevoegen'.")
    if demo:
        announce("Demo-accounts (alleen voor de demoregio; nieuwe wachtwoorden bij elke start):")
        for account in accounts.setup_demo(werkmap):
            board = f"  bestuur {account.bestuur}" if account.bestuur else ""
            announce(f"  {account.rol:<17} {account.email:<34} wachtwoord: {account.wachtwoord}{board}")
    announce(f"Werkruimte: http://{host}:{port}/  (gegevens: {web_map}; stoppen met Ctrl-C)")
    from dekkend.web.recovery import requeue_interrupted

    requeue_interrupted()  # jobs a crash interrupted run again (none is lost, none stays "bezig")
    worker = start_worker()
    try:
        _Gunicorn(
            {
                "bind": f"{host}:{port}",
                "workers": workers,
                "threads": threads,
                "worker_class": "gthread",
                "timeout": 120,
                "graceful_timeout": 10,
                "accesslog": None,
                "errorlog": "-",
                "loglevel": "warning",
                "proc_name": "dekkend-web",
            }
        ).run()
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
