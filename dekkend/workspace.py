"""The workspace folder: the regional data model stored as Parquet tables, replaced atomically."""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from dekkend.errors import WerkmapFout

FORMAT_VERSION = 1
_CURRENT = "tabellen"
_MANIFEST = "werkmap.json"
_LOCK = ".bezig"


class Workspace:
    """A workspace folder ``W`` holding the data model as one Parquet file per table.

    The tables live in ``W/tabellen``; a write builds a complete new folder
    beside it and swaps it in with two renames, so a failed import leaves the
    previous tables untouched. A write that was interrupted between the two
    renames is repaired the next time the workspace is opened.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._cache: dict[str, pd.DataFrame] = {}
        self._recover()

    # -- reading -----------------------------------------------------------
    @property
    def exists(self) -> bool:
        """True when the workspace holds imported tables."""
        return (self.path / _CURRENT / _MANIFEST).is_file()

    def require(self) -> Workspace:
        """Raise a Dutch error when there is nothing imported yet; return self."""
        if not self.exists:
            raise WerkmapFout(
                f"werkmap {self.path} bestaat niet of bevat nog geen gegevens; "
                "voer eerst 'dekkend importeer MAP --werkmap "
                f"{self.path}' of 'dekkend demo --werkmap {self.path}' uit"
            )
        return self

    @property
    def manifest(self) -> dict:
        """The workspace manifest (format version, tables, row counts)."""
        self.require()
        return json.loads((self.path / _CURRENT / _MANIFEST).read_text(encoding="utf-8"))

    def table_names(self) -> list[str]:
        """Names of the stored tables."""
        if not self.exists:
            return []
        return sorted(self.manifest["tabellen"])

    def has(self, name: str) -> bool:
        """True when the table is stored (it may still be empty)."""
        return name in self.table_names()

    def table(self, name: str) -> pd.DataFrame:
        """A stored table as a DataFrame (a copy; cached per instance)."""
        self.require()
        if name not in self._cache:
            file = self.path / _CURRENT / f"{name}.parquet"
            if not file.is_file():
                raise WerkmapFout(
                    f"werkmap {self.path} bevat geen tabel '{name}'; "
                    f"aanwezig: {', '.join(self.table_names()) or 'geen'}"
                )
            self._cache[name] = pd.read_parquet(file)
        return self._cache[name].copy()

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every stored table."""
        return {name: self.table(name) for name in self.table_names()}

    # -- writing -----------------------------------------------------------
    def replace(self, tables: Mapping[str, pd.DataFrame], meta: Mapping[str, object] | None = None) -> None:
        """Replace all tables at once (atomic from a reader's point of view)."""
        self.path.mkdir(parents=True, exist_ok=True)
        with self._locked():
            tag = uuid.uuid4().hex[:8]
            staging = self.path / f".nieuw-{tag}"
            staging.mkdir()
            try:
                for name, frame in tables.items():
                    frame.reset_index(drop=True).to_parquet(staging / f"{name}.parquet", index=False)
                manifest = {
                    "formaatversie": FORMAT_VERSION,
                    "tabellen": {name: int(len(frame)) for name, frame in sorted(tables.items())},
                    **(dict(meta) if meta else {}),
                }
                (staging / _MANIFEST).write_text(
                    json.dumps(manifest, indent=2, ensure_ascii=False, default=str), encoding="utf-8"
                )
                self._swap_in(staging, tag)
            finally:
                if staging.exists():
                    shutil.rmtree(staging, ignore_errors=True)
        self._cache.clear()

    def _swap_in(self, staging: Path, tag: str) -> None:
        current = self.path / _CURRENT
        old = self.path / f".oud-{tag}"
        if current.exists():
            os.rename(current, old)
        os.rename(staging, current)
        if old.exists():
            shutil.rmtree(old, ignore_errors=True)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        lock = self.path / _LOCK
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError as exc:
            raise WerkmapFout(
                f"werkmap {self.path} wordt al bijgewerkt door een ander proces "
                f"(verwijder {lock} als dat niet zo is)"
            ) from exc
        try:
            os.write(fd, str(os.getpid()).encode())
            os.close(fd)
            yield
        finally:
            lock.unlink(missing_ok=True)

    def _recover(self) -> None:
        """Restore the previous tables if a swap was interrupted."""
        if not self.path.is_dir():
            return
        current = self.path / _CURRENT
        olds = sorted(self.path.glob(".oud-*"))
        if not current.exists() and olds:
            os.rename(olds[-1], current)
            olds = olds[:-1]
        for leftover in [*olds, *self.path.glob(".nieuw-*")]:
            if not (self.path / _LOCK).exists():
                shutil.rmtree(leftover, ignore_errors=True)
