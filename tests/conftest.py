"""Shared fixtures: the real data folder (skipped when absent), small file writers, and the services of services.py."""

from __future__ import annotations

import os
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
def national_import(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> NationalImport:
    """``dekkend importeer ../shared/data`` once per test session into a temporary werkmap.

    Shared by every real-data module: treat it as read-only (copy it to write). The import runs through the
    CLI, so the README's first command is exercised by every session that has the data.
    """
    from typer.testing import CliRunner

    from dekkend.cli import app

    path = tmp_path_factory.mktemp("nl") / "werkmap"
    # --geen-voorbereiding: the national derived results are computed by the tests that need them (with their
    # own caches); preparing them here would cost every test process half a minute (tests/test_prepare.py tests it)
    command = ["importeer", str(shared_data), "--werkmap", str(path), "--geen-voorbereiding"]
    res = CliRunner().invoke(app, command, env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output + repr(res.exception)
    return NationalImport(Workspace(path), res.output)


@pytest.fixture(scope="session")
def national_workspace(national_import: NationalImport) -> Workspace:
    """The national werkmap with every file of ``../shared/data`` (read-only; see :func:`national_import`)."""
    return national_import.workspace


def write_bytes(path: Path, text: str, encoding: str = "utf-8", newline: str = "\n", bom: bool = False) -> Path:
    """Write ``text`` (lines joined by ``\\n``) with the given encoding, line ending and BOM."""
    data = text.replace("\n", newline).encode(encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
