"""Shared fixtures: the real data folder (skipped when absent) and small file writers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("DEKKEND_SHARED_DATA", ROOT.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data`` with the real DUO/CBS files; skip when it is not there."""
    if not (SHARED_DATA / "SOURCES.md").is_file():
        pytest.skip(f"echte gegevens ontbreken: {SHARED_DATA} bestaat niet (alleen in de ontwikkelomgeving en CI)")
    return SHARED_DATA


def write_bytes(path: Path, text: str, encoding: str = "utf-8", newline: str = "\n", bom: bool = False) -> Path:
    """Write ``text`` (lines joined by ``\\n``) with the given encoding, line ending and BOM."""
    data = text.replace("\n", newline).encode(encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
