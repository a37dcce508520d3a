"""Where the web workspace keeps its own files."""

from __future__ import annotations

from pathlib import Path

from dekkend.errors import DekkendError
from dekkend.workspace import Workspace


def web_map(werkmap: str | Path | None, given: str | Path | None = None) -> Path:
    """The folder for the database, secret key, uploads, reports and cache.

    ``given`` wins; otherwise ``<werkmap>-web`` beside the werkmap, so the werkmap itself stays
    exactly what ``dekkend importeer`` wrote; without either, ``./dekkend-web``.
    """
    if given:
        return Path(given).resolve()
    if werkmap:
        path = Path(werkmap).resolve()
        return path.with_name(path.name + "-web")
    return Path("dekkend-web").resolve()


def is_demo(werkmap: str | Path) -> bool:
    """True for the werkmap ``dekkend demo`` built (its files are marked ``demo-...``); only then demo accounts."""
    try:
        files = Workspace(werkmap).require().table("bestanden")
    except DekkendError:
        return False
    return "formaat" in files and bool(files["formaat"].astype(str).str.startswith("demo-").any())
