"""The web workspace's test set-up: a demo werkmap, Django configured on it, and people per role.

Django's settings read the environment when first imported, so this module sets it at import time:
the werkmap path (built by the session fixture ``web_werkmap`` before any test uses it), a web map in
a temporary folder, and the task backend that runs jobs at once in the test process (a separate test
starts the real database worker). With ``DEKKEND_WEB_TEST_DB=postgresql`` the whole web suite runs on a
real PostgreSQL server started for this run (``tests/services.py``); otherwise on SQLite.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

# One folder for this test run, shared by pytest-xdist's workers: the first process that loads this module
# (with xdist: the controlling process) sets the environment, the workers inherit it, and pytest-django may set
# Django up from it before this module runs in a worker. Workers build the werkmap and compute the analysis
# once, under a lock (see ``_once``).
_ROOT = Path(os.environ.get("DEKKEND_WEBTEST_ROOT") or tempfile.mkdtemp(prefix="dekkend-webtest-"))
os.environ["DEKKEND_WEBTEST_ROOT"] = str(_ROOT)
WERKMAP = _ROOT / "demo"
os.environ["DEKKEND_WERKMAP"] = str(WERKMAP)
os.environ["DEKKEND_WEB_MAP"] = str(_ROOT / "demo-web")
os.environ["DEKKEND_WEB_TASKS"] = "django_tasks.backends.immediate.ImmediateBackend"
os.environ["DJANGO_SETTINGS_MODULE"] = "dekkend.web.settings"
os.environ.setdefault("DEKKEND_SECRET_KEY", "test-only-secret-key-" + "x" * 40)
# Playwright's sync API (the session-wide browser of the report and browser tests) leaves an asyncio event loop in
# the test thread, which makes Django refuse database calls from "an async context"; these tests are synchronous.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
if os.environ.get("DEKKEND_WEB_TEST_DB") == "postgresql" and "DEKKEND_WEBTEST_PG_URL" not in os.environ:
    # A throwaway PostgreSQL server for this run, started by the first process (xdist's workers inherit its
    # address; pytest-django makes one test database per worker on it) and stopped when that process ends.
    import atexit

    import services  # tests/services.py (tests/ is on sys.path)

    _bindir = services.postgres_bindir()
    if _bindir is None:
        raise RuntimeError(
            "DEKKEND_WEB_TEST_DB=postgresql, but PostgreSQL is not installed (apt-get install postgresql)"
        )
    services.sweep_stale_clusters()
    _PG = services.PostgresServer(_bindir)
    _PG.start()
    atexit.register(_PG.stop)
    os.environ["DEKKEND_WEBTEST_PG_URL"] = _PG.url()
if os.environ.get("DEKKEND_WEB_TEST_DB") == "postgresql":
    os.environ["DATABASE_URL"] = os.environ["DEKKEND_WEBTEST_PG_URL"]
else:
    os.environ.pop("DATABASE_URL", None)

import django  # noqa: E402 - after the environment above

django.setup()

from django.conf import settings as _settings  # noqa: E402

# Argon2 is the production hasher (tests/web/test_accounts.py checks it); the suite makes hundreds of
# accounts, so it hashes with a fast one.
_settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

ROLES = ("bestuur", "bestuur_ander", "regiocoordinator", "adviseur", "accountmanager", "beheerder", "buitenstaander")
PASSWORD = "Een-lang-testwachtwoord-2026"


@pytest.fixture(scope="session")
def web_werkmap() -> Path:
    """The synthetic demo region as a werkmap (built once per test process)."""
    from dekkend.demo import build_demo_workspace
    from dekkend.workspace import Workspace

    with _once("werkmap"):
        if not (WERKMAP / "tabellen").exists():
            build_demo_workspace(Workspace(WERKMAP))
    assert Path(_settings.WERKMAP) == WERKMAP, "Django was set up for another werkmap"
    return WERKMAP


@pytest.fixture(scope="session")
def analysed(web_werkmap: Path) -> dict:
    """The demo region's analysis, computed once per test process into the web map's cache."""
    from django.conf import settings

    from dekkend.web.analysis import AnalysisStore

    store = AnalysisStore(web_werkmap, Path(settings.WEB_MAP))
    with _once("analyse"):
        found = store.load(REGION_IDS["demo"])
        return found if found is not None else store.compute(REGION_IDS["demo"], "nl")


@contextmanager
def _once(name: str) -> Iterator[None]:
    """An exclusive lock across the test processes of this run (the werkmap and analysis are made once)."""
    with open(_ROOT / f".{name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


#: Fixed primary keys of the two test regions (the analysis cache is keyed by region id).
REGION_IDS = {"demo": 1, "ander": 2}


@pytest.fixture
def world(db, web_werkmap: Path) -> dict:
    """Two regions (the demo region and another one of one board) and one person per role.

    ``bestuur`` is staff of a board in the demo region; ``bestuur_ander`` of a board only in the other region;
    the coordinator, adviser and account manager are assigned to the demo region; ``buitenstaander`` has no region.
    """
    from dekkend.web import accounts
    from dekkend.web.models import Bestuur, Gebruiker, Regio, Rol

    accounts.sync_boards(web_werkmap)
    boards = list(Bestuur.objects.order_by("code"))
    demo = Regio.objects.create(pk=REGION_IDS["demo"], naam="Demoregio Veenland", soort="samenwerking", selectie="nl")
    demo.besturen.set(boards[:-1])
    other = Regio.objects.create(
        pk=REGION_IDS["ander"], naam="Andere regio", soort="samenwerking", selectie=f"bestuur:{boards[-1].code}"
    )
    other.besturen.set(boards[-1:])
    people = {}
    specs = {
        "bestuur": (Rol.BESTUUR, boards[0], []),
        "bestuur_ander": (Rol.BESTUUR, boards[-1], []),
        "regiocoordinator": (Rol.REGIOCOORDINATOR, None, [demo]),
        "adviseur": (Rol.ADVISEUR, None, [demo]),
        "accountmanager": (Rol.ACCOUNTMANAGER, None, [demo]),
        "beheerder": (Rol.BEHEERDER, None, []),
        "buitenstaander": (Rol.ADVISEUR, None, []),
    }
    for key, (rol, board, regions) in specs.items():
        user = Gebruiker.objects.create_user(
            username=f"{key}@test.nl", email=f"{key}@test.nl", password=PASSWORD, rol=rol, bestuur=board
        )
        user.is_staff = user.is_superuser = rol == Rol.BEHEERDER
        user.save()
        user.regios.set(regions)
        people[key] = user
    return {"regions": {"demo": demo, "ander": other}, "people": people, "boards": boards}


#: Which roles belong to the demo region (all others must get 404 there).
DEMO_MEMBERS = {"bestuur", "regiocoordinator", "adviseur", "accountmanager", "beheerder"}
from web.browser_server import browser_server, mailbox, server, visit  # noqa: E402, F401 - the browser tests' server
