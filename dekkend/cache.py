"""Derived results kept per werkmap data version: computed once, reused until the tables change.

Some results take seconds and depend only on the imported tables and a few parameters (the
national choice model calibrated on the counted intake, for one). :class:`DerivedCache` keeps
them in ``W/tabellen/tussenresultaten/``, one file per result, under a key made of

* the **data version**: a SHA-256 of the stored tables (every ``*.parquet`` file and the manifest
  of ``W/tabellen``), so a re-import gives another version;
* the **method version** (:func:`method_version`): a SHA-256 of dekkend's own source code and the
  versions of the numerical libraries, so a new dekkend (or a changed calculation) never reads a
  result of the old one;
* the parameters the caller names (a count year, a decay).

How it stays right:

* the folder lives inside ``W/tabellen``, which a re-import replaces as a whole
  (:meth:`dekkend.workspace.Workspace.replace`): the results of the old tables leave with them;
* :func:`tables_and_cache` hashes the tables before and after reading them and gives no cache
  when a re-import happened in between (the tables read might then not be the ones hashed);
* a file is written under a temporary name and renamed into place (:func:`os.replace`), so two
  processes writing the same result at once each leave a complete file; a reader sees the old
  file or the new one, never half of one;
* a file that cannot be read, or whose stored key differs from the one asked for, is ignored
  and computed again; a folder that cannot be written (a read-only werkmap) just means no cache;
* files hold only arrays and Parquet tables (``numpy.load`` with ``allow_pickle=False``): reading
  a file from a shared folder never runs code.

A :class:`DerivedCache` is an immutable value passed explicitly to the calls that use it; there
is no module-level state besides the memo of :func:`method_version` (a pure function of the
installed code).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import time
import uuid
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd

from dekkend.workspace import Workspace

#: Folder inside ``W/tabellen`` holding the derived results.
FOLDER = "tussenresultaten"
#: Temporary files older than this (seconds) are left-overs of an interrupted write and removed.
STALE_TMP_S = 3600.0
_KEY = "__sleutel__"
_FRAME = "frame:"
_ARRAY = "array:"

#: What a cached result is stored as: named arrays (numbers, booleans or fixed-width text) and tables.
Parts = Mapping[str, np.ndarray | pd.DataFrame]
T = TypeVar("T")


@lru_cache(maxsize=1)
def method_version() -> str:
    """A SHA-256 of dekkend's Python source and the numpy, scipy, pandas and pyarrow versions.

    Any change to dekkend's code (or an upgrade of a library that computes the numbers) gives
    another method version, so a cached result is only ever read by the code that made it.
    """
    h = hashlib.sha256()
    root = Path(__file__).resolve().parent
    for path in sorted(root.rglob("*.py")):
        h.update(str(path.relative_to(root)).encode())
        h.update(path.read_bytes())
    for library in ("numpy", "scipy", "pandas", "pyarrow"):
        h.update(f"{library} {metadata.version(library)}".encode())
    return h.hexdigest()


def data_version(workspace: Workspace) -> str | None:
    """A SHA-256 of the stored tables of ``workspace`` (``None`` when they cannot be read)."""
    folder = workspace.path / "tabellen"
    h = hashlib.sha256()
    try:
        files = sorted([*folder.glob("*.parquet"), folder / "werkmap.json"])
        for path in files:
            h.update(path.name.encode())
            h.update(path.read_bytes())
    except OSError:
        return None
    return h.hexdigest()


def tables_and_cache(workspace: Workspace) -> tuple[dict[str, pd.DataFrame], DerivedCache | None]:
    """The tables of ``workspace`` and the cache of their data version.

    The cache is ``None`` when the tables changed while they were read (a re-import at the
    same moment): then nothing is read from or written to a cache for them.
    """
    before = data_version(workspace)
    tables = workspace.tables()
    after = data_version(workspace)
    if before is None or before != after:
        return tables, None
    return tables, DerivedCache(workspace.path / "tabellen" / FOLDER, before)


@dataclass(frozen=True)
class DerivedCache:
    """Derived results of one data version of a werkmap, in ``folder`` (see the module docstring)."""

    folder: Path
    version: str

    def key(self, kind: str, params: Mapping[str, object]) -> str:
        """The full key of result ``kind`` with ``params`` (JSON values) in this data version."""
        return json.dumps(
            {"soort": kind, "gegevens": self.version, "methode": method_version(), "parameters": dict(params)},
            sort_keys=True,
        )

    def path(self, kind: str, params: Mapping[str, object]) -> Path:
        """The file of result ``kind`` with ``params``."""
        digest = hashlib.sha256(self.key(kind, params).encode()).hexdigest()[:32]
        return self.folder / f"{kind}-{digest}.npz"

    def load(self, kind: str, params: Mapping[str, object]) -> dict[str, np.ndarray | pd.DataFrame] | None:
        """The stored parts of a result, or ``None`` when absent, unreadable or stored under another key."""
        try:
            with np.load(self.path(kind, params), allow_pickle=False) as npz:
                if _text(npz[_KEY]) != self.key(kind, params):
                    return None
                parts: dict[str, np.ndarray | pd.DataFrame] = {}
                for name in npz.files:
                    if name.startswith(_FRAME):
                        parts[name.removeprefix(_FRAME)] = pd.read_parquet(io.BytesIO(npz[name].tobytes()))
                    elif name.startswith(_ARRAY):
                        parts[name.removeprefix(_ARRAY)] = npz[name]
                return parts
        except Exception:  # noqa: BLE001 - a damaged file (zip, npy or Parquet errors of every kind) is rebuilt
            return None

    def store(self, kind: str, params: Mapping[str, object], parts: Parts) -> bool:
        """Write the parts of a result (atomically); ``False`` when the folder cannot be written."""
        entries: dict[str, np.ndarray] = {_KEY: _bytes(self.key(kind, params))}
        for name, part in parts.items():
            if isinstance(part, pd.DataFrame):
                buffer = io.BytesIO()
                part.to_parquet(buffer)
                entries[_FRAME + name] = np.frombuffer(buffer.getvalue(), dtype=np.uint8)
            else:
                array = np.asarray(part)
                if array.dtype == object:
                    raise TypeError(f"part '{name}' has dtype object; store text as a fixed-width string array")
                entries[_ARRAY + name] = array
        target = self.path(kind, params)
        tmp = target.with_name(f".{target.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._remove_stale_tmp()
            with open(tmp, "wb") as fh:
                np.savez(fh, **entries)  # type: ignore[arg-type]
            os.replace(tmp, target)
        except (OSError, zipfile.LargeZipFile):
            try:
                tmp.unlink(missing_ok=True)
            except OSError:
                pass
            return False
        return True

    def get(
        self,
        kind: str,
        params: Mapping[str, object],
        compute: Callable[[], T],
        encode: Callable[[T], Parts],
        decode: Callable[[Mapping[str, np.ndarray | pd.DataFrame]], T],
    ) -> T:
        """The result ``kind`` with ``params``: read from the cache, else computed and stored.

        ``decode(encode(x))`` must give a result equal to ``x``; a stored result that ``decode``
        cannot use (it raises) is computed again.
        """
        parts = self.load(kind, params)
        if parts is not None:
            try:
                return decode(parts)
            except Exception:  # noqa: BLE001 - a file that does not decode is as good as absent
                pass
        value = compute()
        self.store(kind, params, encode(value))
        return value

    def _remove_stale_tmp(self) -> None:
        now = time.time()
        for tmp in self.folder.glob(".*.tmp"):
            try:
                if now - tmp.stat().st_mtime > STALE_TMP_S:
                    tmp.unlink()
            except OSError:
                continue


def _bytes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def _text(array: np.ndarray) -> str:
    return np.asarray(array, dtype=np.uint8).tobytes().decode("utf-8")


__all__ = ["FOLDER", "DerivedCache", "Parts", "data_version", "method_version", "tables_and_cache"]
