"""The workspace folder: the regional data model stored as Parquet tables, replaced atomically."""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from dekkend.errors import WerkmapFout, describe_os_error
from dekkend.output import process_alive

try:  # POSIX: an advisory lock the kernel releases when the holder dies (also after kill -9)
    import fcntl
except ImportError:  # pragma: no cover - Windows falls back to a lock file with a process id
    fcntl = None  # type: ignore[assignment]

FORMAT_VERSION = 1
_CURRENT = "tabellen"
_MANIFEST = "werkmap.json"
_LOCK = ".bezig"
#: Seconds a writer waits for another writer of the same workspace before refusing.
LOCK_WAIT_S = 5.0


def _read_pid(fd: int) -> int | None:
    os.lseek(fd, 0, os.SEEK_SET)
    text = os.read(fd, 64).decode("ascii", errors="replace").strip()
    return int(text) if text.isdigit() else None


class Workspace:
    """A workspace folder ``W`` holding the data model as one Parquet file per table.

    The tables live in ``W/tabellen``; a write builds a complete new folder
    beside it and swaps it in with two renames, so a failed import leaves the
    previous tables untouched. Writers hold the lock ``W/.bezig`` from before
    they read the old tables until the swap is done (a second writer waits
    :data:`LOCK_WAIT_S` seconds, then gets a clear refusal). The lock is an
    operating-system lock, released when its process dies (also after
    ``kill -9``); the next writer or reader then finishes or rolls back the
    interrupted swap, removes the leftovers and says so in :attr:`notes`.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if self.path.exists() and not self.path.is_dir():
            raise WerkmapFout(f"werkmap {self.path} is een bestand, geen map; kies een (nieuwe) map als --werkmap")
        self._cache: dict[str, pd.DataFrame] = {}
        self._holder: int | None = None  # thread holding this instance's lock
        #: Dutch remarks about recoveries this instance made (an interrupted write cleaned up).
        self.notes: list[str] = []
        self._recover_unlocked()

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

    def _damaged(self, what: str) -> WerkmapFout:
        return WerkmapFout(
            f"werkmap {self.path} is beschadigd: {what}; importeer de bestanden opnieuw "
            "(in een nieuwe map, of na het verwijderen van deze)"
        )

    @property
    def manifest(self) -> dict:
        """The workspace manifest (format version, tables, row counts)."""
        self.require()
        file = self.path / _CURRENT / _MANIFEST
        try:
            doc = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise self._damaged(f"{_MANIFEST} is onleesbaar ({exc})") from exc
        if not isinstance(doc, dict) or not isinstance(doc.get("tabellen"), dict):
            raise self._damaged(f"{_MANIFEST} mist de lijst met tabellen")
        return doc

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
            try:
                self._cache[name] = pd.read_parquet(file)
            except Exception as exc:  # noqa: BLE001 - pyarrow raises several types for a damaged file
                raise self._damaged(f"tabel '{name}' ({file.name}) is onleesbaar ({type(exc).__name__})") from exc
        return self._cache[name].copy()

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every stored table."""
        return {name: self.table(name) for name in self.table_names()}

    # -- writing -----------------------------------------------------------
    def replace(self, tables: Mapping[str, pd.DataFrame], meta: Mapping[str, object] | None = None) -> None:
        """Replace all tables at once (atomic from a reader's point of view).

        Takes the workspace lock unless this thread already holds it (see :meth:`locked`).
        A disk that is full or not writable raises :class:`WerkmapFout`; the old tables stay.
        """
        with self.locked():
            tag = uuid.uuid4().hex[:8]
            staging = self.path / f".nieuw-{tag}"
            try:
                staging.mkdir()
                for name, frame in tables.items():
                    frame.reset_index(drop=True).to_parquet(staging / f"{name}.parquet", index=False)
                manifest = {
                    "formaatversie": FORMAT_VERSION,
                    "tabellen": {name: int(len(frame)) for name, frame in sorted(tables.items())},
                    **(dict(meta) if meta else {}),
                }
                (staging / _MANIFEST).write_text(
                    json.dumps(manifest, indent=2, ensure_ascii=False, default=str),
                    encoding="utf-8",
                )
                self._swap_in(staging, tag)
            except OSError as exc:
                raise WerkmapFout(
                    f"werkmap {self.path} kon niet worden bijgewerkt: {describe_os_error(exc)}; "
                    "de vorige gegevens zijn ongewijzigd"
                ) from exc
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
    def locked(self, wait: float = LOCK_WAIT_S) -> Iterator[Workspace]:
        """Hold the workspace lock: no other process or thread writes until the block ends.

        Take it before reading tables you will write back (read-modify-write), so
        no other writer's update is lost. Re-entrant within one thread. A second
        writer waits up to ``wait`` seconds, then raises :class:`WerkmapFout`.
        """
        me = threading.get_ident()
        if self._holder == me:
            yield self
            return
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WerkmapFout(f"werkmap {self.path} kan niet worden gemaakt: {describe_os_error(exc)}") from exc
        fd = self._acquire(wait)
        self._holder = me
        try:
            self._cache.clear()
            self._recover_locked()
            yield self
        finally:
            self._holder = None
            self._release(fd)

    def _acquire(self, wait: float) -> int:
        lock = self.path / _LOCK
        deadline = time.monotonic() + wait
        while True:
            fd = self._try_lock(lock)
            if fd is not None:
                return fd
            if time.monotonic() >= deadline:
                holder = self._lock_pid(lock)
                who = f" (proces {holder})" if holder else ""
                raise WerkmapFout(
                    f"werkmap {self.path} wordt al bijgewerkt door een ander proces{who}; "
                    "er is niets gewijzigd: probeer het opnieuw als dat klaar is"
                )
            time.sleep(0.05)

    def _try_lock(self, lock: Path) -> int | None:
        """The locked file descriptor, or None when another process holds the lock."""
        if fcntl is None:  # pragma: no cover - Windows: exclusive create plus a process-id check
            return self._try_lock_file(lock)
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise WerkmapFout(f"werkmap {self.path} kan niet worden vergrendeld: {describe_os_error(exc)}") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        try:
            same = os.fstat(fd).st_ino == os.stat(lock).st_ino  # not a lock file its holder just removed
        except FileNotFoundError:
            same = False
        if not same:
            os.close(fd)
            return None
        self._note_stale(_read_pid(fd))
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, str(os.getpid()).encode())
        return fd

    def _try_lock_file(self, lock: Path) -> int | None:  # pragma: no cover - only without fcntl
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_RDWR)
        except FileExistsError:
            pid = self._lock_pid(lock)
            if pid is not None and process_alive(pid):
                return None
            self._note_stale(pid)
            lock.unlink(missing_ok=True)
            return None
        os.write(fd, str(os.getpid()).encode())
        return fd

    def _note_stale(self, pid: int | None) -> None:
        if pid is None:
            return
        self.notes.append(
            f"een eerdere bijwerking van werkmap {self.path} (proces {pid}) is afgebroken en liet "
            "haar slot achter; dekkend heeft dat opgeruimd en werkt verder met de laatste "
            "volledige gegevens"
        )

    @staticmethod
    def _lock_pid(lock: Path) -> int | None:
        try:
            text = lock.read_text(encoding="ascii", errors="replace").strip()
        except OSError:
            return None
        return int(text) if text.isdigit() else None

    def _release(self, fd: int) -> None:
        (self.path / _LOCK).unlink(missing_ok=True)  # while still locked: a waiter re-checks the inode
        os.close(fd)

    def _leftovers(self) -> list[Path]:
        return [*self.path.glob(".oud-*"), *self.path.glob(".nieuw-*")]

    def _recover_unlocked(self) -> None:
        """On opening: repair an interrupted write, but only when no writer is at work."""
        if not self.path.is_dir():
            return
        if not self._leftovers() and not (self.path / _LOCK).exists():
            return
        try:
            fd = self._acquire(0.0)
        except WerkmapFout:
            return  # a writer is busy, or the folder is read-only: read what is there
        try:
            self._recover_locked()
        finally:
            self._release(fd)

    def _recover_locked(self) -> None:
        """Restore the previous tables if a swap was interrupted; remove half-written copies."""
        current = self.path / _CURRENT
        olds = sorted(self.path.glob(".oud-*"))
        if not current.exists() and olds:
            os.rename(olds[-1], current)
            olds = olds[:-1]
        leftovers = [*olds, *self.path.glob(".nieuw-*")]
        for leftover in leftovers:
            shutil.rmtree(leftover, ignore_errors=True)
        if leftovers and not self.notes:
            self.notes.append(
                f"werkmap {self.path}: {len(leftovers)} halve kopie(ën) van een afgebroken bijwerking opgeruimd"
            )
