"""Shared fixtures: the real data folder (skipped when absent), small file writers, and the services of services.py."""

from __future__ import annotations

import fcntl
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

# Real services (PostgreSQL, a browser, SMTP) live in tests/services.py; imported here so every module can use them.
from services import browser, page, postgres_server, postgres_url, smtp_server  # noqa: F401

from dekkend.workspace import Workspace

# Property tests check invariants, not speed: no per-example time limit (it failed at random on a loaded
# 2-core machine), and a slow data generator is not an error. Speed goals live in bench/.
hypothesis_settings.register_profile("dekkend", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("dekkend")

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("DEKKEND_SHARED_DATA", ROOT.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data`` with the real DUO/CBS files; skip when it is not there."""
    if not (SHARED_DATA / "SOURCES.md").is_file():
        pytest.skip(f"echte gegevens ontbreken: {SHARED_DATA} bestaat niet (alleen in de ontwikkelomgeving en CI)")
    return SHARED_DATA


@dataclass(frozen=True)
class NationalImport:
    """The national werkmap every real-data module shares, and what ``dekkend importeer`` printed making it."""

    workspace: Workspace
    output: str


@pytest.fixture(scope="session")
def national_import(shared_data: Path, tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> NationalImport:
    """``dekkend importeer ../shared/data`` once per test run into a temporary werkmap.

    Shared by every real-data module and by the test processes of one run (pytest-xdist): the first process
    to need it imports, under a file lock, and the others read the same werkmap when it is done. Treat it as
    read-only (copy it to write). The import runs through the CLI, so the README's first command is
    exercised by every run that has the data.
    """
    from typer.testing import CliRunner

    from dekkend.cli import app

    root = tmp_path_factory.getbasetemp()
    root = root if worker_id == "master" else root.parent  # the run's folder, above each process's own
    path, printed = root / "nl" / "werkmap", root / "nl" / "importeer.txt"
    with open(root / ".nl.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not printed.is_file():
            # --geen-voorbereiding: the national derived results are computed by the tests that need them (with
            # their own caches); preparing them here would cost half a minute (tests/test_prepare.py tests it)
            command = ["importeer", str(shared_data), "--werkmap", str(path), "--geen-voorbereiding"]
            res = CliRunner().invoke(app, command, env={"COLUMNS": "200"})
            assert res.exit_code == 0, res.output + repr(res.exception)
            printed.write_text(res.output, encoding="utf-8")
    return NationalImport(Workspace(path), printed.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def national_workspace(national_import: NationalImport) -> Workspace:
    """The national werkmap with every file of ``../shared/data`` (read-only; see :func:`national_import`)."""
    return national_import.workspace


@pytest.fixture(scope="session")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The synthetic demo werkmap, built once per test process (read-only: use ``werkmap`` to write)."""
    from dekkend.demo import build_demo_workspace

    path = tmp_path_factory.mktemp("demo") / "w"
    build_demo_workspace(Workspace(path))
    return path


@pytest.fixture
def werkmap(demo_folder: Path, tmp_path: Path) -> Workspace:
    """A copy of the demo werkmap of the test's own (its derived-result cache starts as the demo's: empty)."""
    path = tmp_path / "w"
    shutil.copytree(demo_folder, path)
    return Workspace(path)


def write_bytes(path: Path, text: str, encoding: str = "utf-8", newline: str = "\n", bom: bool = False) -> Path:
    """Write ``text`` (lines joined by ``\\n``) with the given encoding, line ending and BOM."""
    data = text.replace("\n", newline).encode(encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
