"""Backup and restore of a workspace: its database, its own files, and the werkmap version it served.

A backup is one ``.tar.gz`` file with

``manifest.json``
    format, dekkend version, moment, database vendor, the applied migrations, the werkmap's data
    version, rows per table and the SHA-256 and size of every other member;
``database.json``
    every table in Django's serialization with natural keys (so it loads into SQLite and PostgreSQL
    alike; the automatically made content types and permissions are left out and matched by name);
``bestanden/...``
    the web map's own files (uploads, reports, attachments), without what can be recomputed or must
    stay on the machine: the analysis cache, static files, the database file and the secret key.

The dump is read in one transaction (a consistent snapshot on both databases). A backup is written to a
temporary name and renamed when complete, so a half-written backup never has the final name. Restore
checks every checksum and the migrations first, refuses an installation that already holds data (unless
asked to replace it), loads the database in one transaction and only then puts the files in place:
nothing half-restored stays behind. Sessions are not kept: after a restore everyone logs in again.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

import dekkend
from dekkend.errors import InvoerFout

FORMAT = "dekkend-werkruimte-backup/1"
#: Tables a backup leaves out: made again by ``migrate`` (content types, permissions) or tied to the secret key.
EXCLUDED_MODELS = ("contenttypes", "auth.permission", "sessions")
#: Web-map entries a backup leaves out (recomputable, machine-bound or the database itself).
EXCLUDED_FILES = ("analyses", "static", "geheime-sleutel", "werkruimte.sqlite3")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def own_files(web_map: Path) -> Iterator[Path]:
    """The web map's files that belong in a backup, in a stable order."""
    for path in sorted(web_map.rglob("*")):
        relative = path.relative_to(web_map)
        top = relative.parts[0]
        if top in EXCLUDED_FILES or top.startswith("werkruimte.sqlite3") or relative.name.startswith("."):
            continue
        if path.is_file() and not path.is_symlink():
            yield path


def _migrations() -> list[list[str]]:
    return sorted([app, name] for app, name in MigrationRecorder(connection).applied_migrations())


def _dump() -> bytes:
    """Every table (natural keys), read in one consistent snapshot."""
    out = io.StringIO()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        call_command(
            "dumpdata",
            natural_foreign=True,
            natural_primary=True,
            exclude=list(EXCLUDED_MODELS),
            format="json",
            indent=None,
            stdout=out,
            verbosity=0,
        )
    return out.getvalue().encode("utf-8")


def _row_counts(dump: bytes) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in json.loads(dump):
        counts[row["model"]] = counts.get(row["model"], 0) + 1
    return dict(sorted(counts.items()))


def _werkmap_version() -> str:
    from dekkend.web.analysis import data_version

    try:
        return data_version(settings.WERKMAP) if settings.WERKMAP else ""
    except OSError:
        return ""


def backup(target: str | Path) -> dict[str, Any]:
    """Write a backup of the configured workspace to ``target`` (a new ``.tar.gz``); returns its manifest."""
    target = Path(target)
    if target.exists():
        raise InvoerFout(f"{target}: dit bestand bestaat al; kies een nieuwe naam voor de backup")
    if not target.parent.is_dir():
        raise InvoerFout(f"{target.parent}: deze map bestaat niet")
    web_map = Path(settings.WEB_MAP)
    dump = _dump()
    files = list(own_files(web_map))
    manifest: dict[str, Any] = {
        "formaat": FORMAT,
        "dekkend": dekkend.__version__,
        "moment": timezone.now().isoformat(),
        "database": connection.vendor,
        "migraties": _migrations(),
        "werkmapversie": _werkmap_version(),
        "rijen": _row_counts(dump),
        "inhoud": {"database.json": {"sha256": _sha256(dump), "bytes": len(dump)}},
    }
    for path in files:
        name = "bestanden/" + path.relative_to(web_map).as_posix()
        manifest["inhoud"][name] = {"sha256": _file_sha256(path), "bytes": path.stat().st_size}
    partial = target.with_name(f".{target.name}.{os.getpid()}.deel")
    try:
        with tarfile.open(partial, "w:gz") as tar:
            _add_bytes(tar, "manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False).encode("utf-8"))
            _add_bytes(tar, "database.json", dump)
            for path in files:
                tar.add(path, arcname="bestanden/" + path.relative_to(web_map).as_posix(), recursive=False)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return manifest


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


def _read_checked(source: Path, folder: Path) -> dict[str, Any]:
    """Unpack ``source`` into ``folder`` after checking its members; the manifest."""
    try:
        tar = tarfile.open(source, "r:gz")
    except (OSError, tarfile.TarError) as exc:
        raise InvoerFout(f"{source}: geen backup van dekkend (geen leesbaar .tar.gz-bestand)") from exc
    with tar:
        members = {m.name: m for m in tar.getmembers()}
        if "manifest.json" not in members:
            raise InvoerFout(f"{source}: manifest.json ontbreekt; dit is geen backup van dekkend")
        manifest = json.loads(_member_bytes(tar, members["manifest.json"]))
        if manifest.get("formaat") != FORMAT:
            raise InvoerFout(f"{source}: onbekend formaat {manifest.get('formaat')!r}, verwacht {FORMAT}")
        expected = manifest["inhoud"]
        unknown = sorted(set(members) - set(expected) - {"manifest.json"})
        missing = sorted(set(expected) - set(members))
        if unknown or missing:
            raise InvoerFout(f"{source}: inhoud klopt niet met het manifest (extra: {unknown}, ontbreekt: {missing})")
        for name, meta in expected.items():
            member = members[name]
            if not member.isfile() or Path(name).is_absolute() or ".." in Path(name).parts:
                raise InvoerFout(f"{source}: onveilig of ongeldig onderdeel {name}")
            data = _member_bytes(tar, member)
            if len(data) != meta["bytes"] or _sha256(data) != meta["sha256"]:
                raise InvoerFout(f"{source}: {name} is beschadigd (controlegetal klopt niet)")
            out = folder / name
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(data)
    return manifest


def _member_bytes(tar: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    handle = tar.extractfile(member)
    if handle is None:
        raise InvoerFout(f"{member.name}: geen bestand")
    return handle.read()


def _holds_data() -> list[str]:
    """The workspace tables that already hold rows (an installation to restore into must have none)."""
    found = []
    for model in apps.get_models():
        label = model._meta.label_lower
        if label.split(".")[0] in ("contenttypes", "sessions") or label == "auth.permission":
            continue
        if model._meta.managed and not model._meta.proxy and model.objects.exists():
            found.append(label)
    return sorted(found)


def _check_migrations(manifest: dict[str, Any]) -> None:
    known = {tuple(m) for m in _migrations()}
    newer = sorted(tuple(m) for m in manifest["migraties"] if tuple(m) not in known)
    if newer:
        raise InvoerFout(
            f"de backup komt van een nieuwere dekkend ({manifest['dekkend']}); deze installatie kent de migraties "
            f"{', '.join(f'{a}.{n}' for a, n in newer[:5])} niet: installeer eerst die versie"
        )


def restore(source: str | Path, *, replace: bool = False) -> dict[str, Any]:
    """Restore the backup ``source`` into the configured (empty, or with ``replace`` emptied) workspace."""
    source = Path(source)
    if not source.is_file():
        raise InvoerFout(f"{source}: backupbestand niet gevonden")
    web_map = Path(settings.WEB_MAP)
    with tempfile.TemporaryDirectory(dir=web_map, prefix=".herstel-") as tmp:
        unpacked = Path(tmp)
        manifest = _read_checked(source, unpacked)
        _check_migrations(manifest)
        occupied = _holds_data()
        if occupied and not replace:
            raise InvoerFout(
                "deze werkruimte bevat al gegevens (" + ", ".join(occupied[:5]) + "); herstel in een lege "
                "installatie, of vervang alles met --vervang"
            )
        placed: list[Path] = []
        try:
            with transaction.atomic():
                if occupied:
                    call_command("flush", interactive=False, verbosity=0)
                call_command("loaddata", str(unpacked / "database.json"), verbosity=0)
            for path in sorted((unpacked / "bestanden").rglob("*")) if (unpacked / "bestanden").exists() else []:
                if path.is_file():
                    final = web_map / path.relative_to(unpacked / "bestanden")
                    final.parent.mkdir(parents=True, exist_ok=True)
                    shutil.move(str(path), final)
                    placed.append(final)
        except Exception:
            for path in placed:
                path.unlink(missing_ok=True)
            raise
    current = _werkmap_version()
    manifest["werkmap_anders"] = bool(manifest.get("werkmapversie")) and current != manifest["werkmapversie"]
    return manifest
