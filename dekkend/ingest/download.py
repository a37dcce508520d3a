"""Downloading the published DUO and CBS files named in the catalogue, into a cache, then importing them.

The cache is ``W/downloads`` beside the workspace tables. Every fetched file
is recorded in ``W/downloads/downloads.json`` with its address, the moment it
was fetched, its size and SHA-256, so a later run reuses it and a user can
see where each number came from. Nothing is imported unless every selected
file was fetched: without a connection the command stops with a Dutch
message and the workspace stays as it was.

A mirror (an organisation's own copy of the files) can stand in for the
publishers: set ``DEKKEND_DOWNLOAD_SPIEGEL`` to its base address and each
file is fetched as ``<spiegel>/<bestandsnaam>``.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import socket
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from dekkend.errors import DownloadFout, GeenVerbinding
from dekkend.ingest import catalogue
from dekkend.ingest.catalogue import KnownFile
from dekkend.ingest.importer import ImportResult, import_paths
from dekkend.workspace import Workspace

CACHE_DIR = "downloads"
MANIFEST = "downloads.json"
MIRROR_ENV = "DEKKEND_DOWNLOAD_SPIEGEL"
USER_AGENT = "dekkend/0.1 (open onderwijsdata)"
_HTML_STARTS = (b"<!doctype html", b"<html", b"<?xml version")


@dataclass(frozen=True)
class DownloadedFile:
    """One file in the cache: where it came from, when, and what it is."""

    key: str
    url: str
    path: Path
    fetched_at: str
    sha256: str
    size: int
    from_cache: bool
    checksum_matches: bool | None = None


@dataclass(frozen=True)
class DownloadResult:
    """The outcome of :func:`download_and_import`."""

    files: tuple[DownloadedFile, ...]
    manual: tuple[KnownFile, ...]
    imported: ImportResult | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)


Fetcher = Callable[[str, Path, float], None]


# -- selecting ---------------------------------------------------------------------------
def select_sources(
    jaar: int | None = None, entries: Iterable[KnownFile] | None = None
) -> tuple[list[KnownFile], list[KnownFile]]:
    """The catalogue entries to download and those to fetch by hand.

    Parameters
    ----------
    jaar
        Only entries whose peildatum falls in this year (for DUO counts the
        first year of the school year). Without it: per format the newest entry.
    entries
        Catalogue entries; by default the package catalogue.

    Returns
    -------
    tuple of list
        ``(downloadable, manual)``: entries with an address, and entries that
        have none (their ``page`` tells where to get them).
    """
    entries = list(catalogue.known_files() if entries is None else entries)
    if jaar is not None:
        chosen = [e for e in entries if e.reference_date.year == jaar]
    else:
        newest: dict[str, KnownFile] = {}
        for e in entries:
            best = newest.get(e.format)
            if (
                best is None
                or (e.url and not best.url)
                or (bool(e.url) == bool(best.url) and e.reference_date > best.reference_date)
            ):
                newest[e.format] = e
        chosen = sorted(newest.values(), key=lambda e: e.key)
    return [e for e in chosen if e.url], [e for e in chosen if not e.url]


def source_url(entry: KnownFile, mirror: str | None = None) -> str:
    """The address to fetch: the mirror's copy when a mirror is set, else the catalogue address."""
    mirror = mirror if mirror is not None else os.environ.get(MIRROR_ENV) or None
    if mirror:
        return mirror.rstrip("/") + "/" + entry.filename
    if not entry.url:
        raise DownloadFout(
            f"voor '{entry.title}' staat geen downloadadres in de catalogus; haal het bestand via "
            f"{entry.page or 'DUO/CBS'}"
        )
    return entry.url


# -- fetching ----------------------------------------------------------------------------
def _host(url: str) -> str:
    return urlsplit(url).netloc or url


def _verified(entry: KnownFile) -> str:
    return f"laatst geverifieerd {entry.verified:%d-%m-%Y}" if entry.verified else "dit adres is nooit geverifieerd"


def urllib_fetch(url: str, target: Path, timeout: float) -> None:
    """Fetch ``url`` into ``target`` with urllib (the default transport)."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    with urllib.request.urlopen(request, timeout=timeout) as response, target.open("wb") as out:  # noqa: S310 - https/http addresses from our catalogue
        while block := response.read(1 << 20):
            out.write(block)


_NETWORK_ERRNOS = {
    errno.ENETUNREACH,
    errno.EHOSTUNREACH,
    errno.ENETDOWN,
    errno.ECONNREFUSED,
    errno.ECONNRESET,
    errno.ETIMEDOUT,
}


def _is_offline(exc: BaseException) -> bool:
    """True when the error means the host cannot be reached (as opposed to a bad answer or a local error)."""
    if isinstance(exc, urllib.error.HTTPError):
        return False
    reason = getattr(exc, "reason", exc)
    if isinstance(reason, (socket.gaierror, socket.timeout, TimeoutError, ConnectionError)):
        return True
    return isinstance(reason, OSError) and reason.errno in _NETWORK_ERRNOS


def _checksum(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def fetch(
    entry: KnownFile,
    cache: Path,
    *,
    mirror: str | None = None,
    timeout: float = 60.0,
    transport: Fetcher | None = None,
) -> DownloadedFile:
    """Fetch one catalogue entry into ``cache`` (atomically: a partial download leaves nothing).

    Raises
    ------
    GeenVerbinding
        When the host cannot be reached (offline, DNS failure, refused, timeout).
    DownloadFout
        On an HTTP error or when the server returns a web page instead of the file.
    """
    url = source_url(entry, mirror)
    cache.mkdir(parents=True, exist_ok=True)
    target = cache / entry.filename
    partial = cache / f".{entry.filename}.deel"
    try:
        (transport or urllib_fetch)(url, partial, timeout)
    except urllib.error.HTTPError as exc:
        partial.unlink(missing_ok=True)
        raise DownloadFout(
            f"{url} gaf HTTP {exc.code} ({exc.reason}); het adres in de catalogus klopt mogelijk niet meer "
            f"({_verified(entry)}). Zoek '{entry.title}' op {entry.page or 'de site van ' + entry.publisher}"
        ) from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        partial.unlink(missing_ok=True)
        if isinstance(exc, ValueError) or not _is_offline(exc):
            raise DownloadFout(f"{url} kon niet worden opgehaald ({exc})") from exc
        raise GeenVerbinding(
            f"geen verbinding met {_host(url)} ({getattr(exc, 'reason', exc)}). Er is niets geïmporteerd en de "
            "werkmap is ongewijzigd (al opgehaalde bestanden blijven in de cache). Controleer de "
            "internetverbinding (of de proxy) en probeer het opnieuw, of download de bestanden zelf en "
            "importeer ze met 'dekkend importeer MAP --werkmap W'"
        ) from exc
    with partial.open("rb") as fh:
        head = fh.read(64).lstrip().lower()
    if any(head.startswith(s) for s in _HTML_STARTS) and not entry.filename.lower().endswith((".xml", ".html")):
        partial.unlink(missing_ok=True)
        raise DownloadFout(
            f"{url} gaf een webpagina in plaats van een gegevensbestand ({_verified(entry)}); "
            f"zoek het bestand op {entry.page or entry.publisher}"
        )
    os.replace(partial, target)
    sha = _checksum(target)
    return DownloadedFile(
        key=entry.key,
        url=url,
        path=target,
        fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
        sha256=sha,
        size=target.stat().st_size,
        from_cache=False,
        checksum_matches=None if entry.sha256 is None else entry.sha256 == sha,
    )


# -- the cache manifest --------------------------------------------------------------------
def read_manifest(cache: Path) -> dict[str, dict]:
    """The recorded downloads, by catalogue key (empty when there is no cache yet)."""
    file = cache / MANIFEST
    if not file.is_file():
        return {}
    try:
        return {d["sleutel"]: d for d in json.loads(file.read_text(encoding="utf-8"))["bestanden"]}
    except (json.JSONDecodeError, KeyError, TypeError):
        return {}


def write_manifest(cache: Path, records: dict[str, dict]) -> None:
    """Write the manifest atomically."""
    cache.mkdir(parents=True, exist_ok=True)
    tmp = cache / f".{MANIFEST}.nieuw"
    tmp.write_text(
        json.dumps(
            {"bestanden": sorted(records.values(), key=lambda d: d["sleutel"])},
            indent=2,
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    os.replace(tmp, cache / MANIFEST)


def _record(d: DownloadedFile) -> dict:
    return {
        "sleutel": d.key,
        "adres": d.url,
        "bestandsnaam": d.path.name,
        "opgehaald": d.fetched_at,
        "sha256": d.sha256,
        "grootte": d.size,
        "komt_overeen_met_catalogus": d.checksum_matches,
    }


def _cached(entry: KnownFile, cache: Path, record: dict | None, url: str) -> DownloadedFile | None:
    path = cache / entry.filename
    if record is None or record.get("adres") != url or not path.is_file():
        return None
    if _checksum(path) != record.get("sha256"):
        return None
    return DownloadedFile(
        entry.key,
        url,
        path,
        record["opgehaald"],
        record["sha256"],
        path.stat().st_size,
        True,
        record.get("komt_overeen_met_catalogus"),
    )


# -- the command ------------------------------------------------------------------------------
def download_and_import(
    werkmap: Path,
    jaar: int | None = None,
    *,
    mirror: str | None = None,
    refresh: bool = False,
    entries: Iterable[KnownFile] | None = None,
    transport: Fetcher | None = None,
    timeout: float = 60.0,
) -> DownloadResult:
    """Fetch the selected published files into ``werkmap/downloads`` and import them into the workspace.

    Parameters
    ----------
    werkmap
        The workspace folder.
    jaar
        See :func:`select_sources`.
    mirror
        Base address of a mirror; default ``$DEKKEND_DOWNLOAD_SPIEGEL``.
    refresh
        Fetch again even when the cache holds the file.
    entries, transport, timeout
        Seams for tests: other catalogue entries, another transport.

    Returns
    -------
    DownloadResult
        What was fetched or reused, what must be fetched by hand, and the import.
    """
    werkmap = Path(werkmap)
    cache = werkmap / CACHE_DIR
    wanted, manual = select_sources(jaar, entries)
    if not wanted:
        what = f"voor {jaar} " if jaar is not None else ""
        raise DownloadFout(
            f"de catalogus kent {what}geen bestanden met een downloadadres"
            + (f"; met de hand: {', '.join(e.title for e in manual)}" if manual else "")
        )
    records = read_manifest(cache)
    got: list[DownloadedFile] = []
    notes: list[str] = []
    for entry in wanted:
        url = source_url(entry, mirror)
        hit = None if refresh else _cached(entry, cache, records.get(entry.key), url)
        d = hit or fetch(entry, cache, mirror=mirror, timeout=timeout, transport=transport)
        if not d.from_cache:
            records[entry.key] = _record(d)
            write_manifest(cache, records)
        if d.checksum_matches is False:
            notes.append(
                f"{entry.filename}: de inhoud wijkt af van de catalogus (de uitgever heeft het bestand mogelijk "
                "vernieuwd)"
            )
        got.append(d)
    imported = import_paths([d.path for d in got], Workspace(werkmap))
    return DownloadResult(tuple(got), tuple(manual), imported, tuple(notes))
