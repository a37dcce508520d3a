"""Importing a folder of DUO/CBS files into a workspace, atomically."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import pandas as pd

from dekkend.errors import InvoerFout, OnbekendBestand
from dekkend.ingest import _text, catalogue
from dekkend.ingest.formats import (
    FileContext,
    FileFormat,
    Parsed,
    Probe,
    all_derivers,
    probe,
    recognise,
    unreadable_reason,
)
from dekkend.workspace import Workspace

_SIDECARS = {".dbf", ".shx", ".prj", ".cpg", ".sbn", ".sbx", ".qix"}
_IGNORED_NAMES = {"SOURCES.md", "README.md", "LICENSE"}

ProgressFn = Callable[[str, int, int], None]


@dataclass(frozen=True)
class FileReport:
    """What happened to one file of an import."""

    path: Path
    status: str  # "geïmporteerd" or "overgeslagen"
    format_key: str | None = None
    title: str = ""
    reason: str = ""
    rows: int = 0
    pupils: int | None = None
    years: tuple[int, ...] = ()
    reference_date: date | None = None
    skipped: dict[str, int] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImportResult:
    """The outcome of :func:`import_paths`: one report per file and the stored table sizes."""

    workspace: Path
    files: tuple[FileReport, ...]
    tables: dict[str, int]
    #: Remarks about the workspace itself (an interrupted earlier import that was cleaned up).
    notes: tuple[str, ...] = ()

    @property
    def imported(self) -> tuple[FileReport, ...]:
        """Reports of the files that were read."""
        return tuple(f for f in self.files if f.status == "geïmporteerd")


def collect_files(paths: list[Path]) -> list[Path]:
    """All files under the given files/folders, sorted, hidden files left out."""
    out: list[Path] = []
    for p in paths:
        if not p.exists():
            raise InvoerFout("bestand of map bestaat niet", file=p)
        if p.is_file():
            out.append(p)
            continue
        if not p.is_dir():
            raise InvoerFout("dit is geen gewoon bestand en geen map", file=p)
        for f in sorted(p.rglob("*")):
            rel = f.relative_to(p)
            if f.is_file() and not any(part.startswith(".") for part in rel.parts):
                out.append(f)
    return out


def _skip(path: Path, reason: str) -> FileReport:
    return FileReport(path=path, status="overgeslagen", reason=reason)


def _read_one(path: Path, fmt: FileFormat, sha: str) -> tuple[Parsed, FileContext]:
    known = catalogue.by_checksum(sha)
    ctx = FileContext(path=path, sha256=sha, known_date=known.reference_date if known else None)
    try:
        return fmt.read(ctx), ctx
    except KeyError as exc:  # a reader met a column its format declares optional but needs after all
        raise InvoerFout(
            f"kolom {exc.args[0]!r} ontbreekt", file=path, line=1, expected=f"de kopregel van '{fmt.title}'"
        ) from exc


def _unknown(path: Path, explicit: bool) -> FileReport:
    """The report of a file no format recognises; an explicitly named file is an error."""
    reason = unreadable_reason(path)
    if explicit:
        raise OnbekendBestand(
            f"dit bestand kan niet worden geïmporteerd: {reason}",
            file=path,
            expected="een DUO- of CBS-bestand (CSV/TXT, eventueel gzip, Excel, shapefile of GeoJSON)",
        )
    return _skip(path, reason)


def parse_files(
    files: list[Path], progress: ProgressFn | None = None, explicit: frozenset[Path] = frozenset()
) -> list[tuple[FileReport, Parsed | None, FileContext | None, FileFormat | None]]:
    """Recognise and read each file; raise on the first file with bad content.

    A file in ``explicit`` (named on the command line, not found in a folder) that
    cannot be recognised raises :class:`OnbekendBestand` naming why; a file found
    in a folder is skipped with that reason.
    """
    results: list[Row] = []
    seen: dict[str, Path] = {}
    for i, path in enumerate(files):
        if progress:
            progress(path.name, i, len(files))
        if path.name in _IGNORED_NAMES or path.suffix.lower() in (".md", ".pdf", ".docx"):
            results.append((_skip(path, "documentatie, geen gegevens"), None, None, None))
            continue
        if path.suffix.lower() in _SIDECARS:
            results.append((_skip(path, "hoort bij een shapefile (.shp)"), None, None, None))
            continue
        p = probe(path)
        fmt = recognise(p)
        if fmt is None:
            results.append((_unknown(path, path in explicit), None, None, None))
            continue
        check_required(p, fmt)
        sha = _text.sha256_of(path)
        if sha in seen:  # a copy ("x (1).csv"): counted once
            results.append((_skip(path, f"zelfde inhoud als {seen[sha].name}: één keer geteld"), None, None, None))
            continue
        seen[sha] = path
        parsed, ctx = _read_one(path, fmt, sha)
        report = FileReport(
            path=path,
            status="geïmporteerd",
            format_key=fmt.key,
            title=fmt.title,
            rows=parsed.rows_read,
            pupils=parsed.pupils,
            years=parsed.years,
            reference_date=parsed.reference_date,
            skipped=dict(parsed.skipped),
            notes=tuple(parsed.notes),
        )
        results.append((report, parsed, ctx, fmt))
    if progress:
        progress("", len(files), len(files))
    return results


def check_required(p: Probe, fmt: FileFormat) -> None:
    """Raise when a recognised text file lacks a column its format requires (never a smaller total)."""
    if p.kind != "tekst" or not fmt.required:
        return
    missing = [c for c in fmt.required if c.upper() not in p.header]
    if missing:
        raise InvoerFout(
            f"dit lijkt een bestand '{fmt.title}', maar kolom(men) ontbreken: {', '.join(missing)}; "
            "zonder die kolommen zouden leerlingen ontbreken in de totalen",
            file=p.path,
            line=1,
            expected="de volledige kopregel van dit DUO/CBS-formaat",
        )


Row = tuple[FileReport, Parsed | None, FileContext | None, FileFormat | None]


def _modified(path: Path) -> str:
    return dt.datetime.fromtimestamp(path.stat().st_mtime).strftime("%d-%m-%Y %H:%M")


def deduplicate(results: list[Row]) -> list[Row]:
    """Count every file once: drop copies (same content) and older releases of one count.

    Within one import, two files with the same content (``x.csv`` and ``x (1).csv``)
    are one file (:func:`parse_files` reads only the first). Two files that count
    pupils, of the same format and reference date, are two releases of one count, of
    which the newest wins: the one modified last, and on a tie the one whose content
    hash sorts last (so the outcome never depends on file names or order). The dropped
    files are reported as skipped, with the reason. Reference files without pupil
    counts (two address vintages) are all kept, as before: their derivers choose.
    """
    out = list(results)
    groups: dict[tuple[str, date], list[int]] = {}
    for i, (rep, parsed, _, fmt) in enumerate(out):
        if parsed is not None and parsed.pupils is not None and fmt is not None and rep.reference_date is not None:
            groups.setdefault((fmt.key, rep.reference_date), []).append(i)
    for (_, when), members in groups.items():
        if len(members) < 2:
            continue
        order = sorted(members, key=lambda i: (out[i][0].path.stat().st_mtime, out[i][2].sha256))  # type: ignore[union-attr]
        newest = order[-1]
        win = out[newest][0]
        for i in order[:-1]:
            rep = out[i][0]
            reason = (
                f"oudere versie van dezelfde telling (peildatum {when:%d-%m-%Y}, gewijzigd {_modified(rep.path)}); "
                f"de nieuwste versie telt: {win.path.name}"
            )
            out[i] = (_skip(rep.path, reason), None, None, None)
        note = (
            f"nieuwste versie van de telling met peildatum {when:%d-%m-%Y} (gewijzigd {_modified(win.path)}); "
            f"{len(order) - 1} oudere versie(s) in deze import niet meegeteld"
        )
        out[newest] = (replace(win, notes=(*win.notes, note)), *out[newest][1:])
    return out


def _files_table(parsed: list[tuple[FileReport, Parsed, FileContext, FileFormat]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "bron_id": ctx.bron_id,
                "formaat": fmt.key,
                "titel": fmt.title,
                "bestandsnaam": rep.path.name,
                "sha256": ctx.sha256,
                "peildatum": pd.Timestamp(rep.reference_date),
                "rijen": rep.rows,
                "leerlingen": rep.pupils,
            }
            for rep, _, ctx, fmt in parsed
        ]
    )


def merge_tables(
    existing: dict[str, pd.DataFrame],
    derived_names: set[str],
    parsed: list[tuple[FileReport, Parsed, FileContext, FileFormat]],
) -> dict[str, pd.DataFrame]:
    """Existing source tables with the new files' rows in place of any older copy of them.

    A new file replaces the rows of the same file (same checksum) and of an
    earlier file of the same format and reference date (a corrected release).
    """
    tables = {k: v for k, v in existing.items() if k not in derived_names}
    parsed = sorted(parsed, key=lambda r: r[2].bron_id)  # file names and order must not matter
    new_files = _files_table(parsed)
    old_files = tables.get("bestanden", new_files.iloc[0:0])
    clash = old_files.merge(new_files[["formaat", "peildatum"]], on=["formaat", "peildatum"])["bron_id"]
    replaced = set(new_files["bron_id"]) | set(clash)
    for name in list(tables):
        frame = tables[name]
        if "bron_id" in frame.columns:
            tables[name] = frame[~frame["bron_id"].isin(replaced)]
    tables["bestanden"] = pd.concat([tables.get("bestanden", new_files.iloc[0:0]), new_files], ignore_index=True)
    for _, p, _, _ in parsed:
        for name, frame in p.tables.items():
            tables[name] = (
                pd.concat([tables[name], frame], ignore_index=True) if name in tables and len(tables[name]) else frame
            )
    for name in list(tables):
        tables[name] = _canonical_order(tables[name])
    return tables


def _canonical_order(frame: pd.DataFrame) -> pd.DataFrame:
    """Sort rows by source then content so the same inputs give the same table in any order."""
    if "bron_id" not in frame.columns or frame.empty:
        return frame.reset_index(drop=True)
    keys = ["bron_id"] + [c for c in ("vestigingscode", "pc4", "leerjaar", "geslacht") if c in frame.columns]
    return frame.sort_values(keys, kind="stable").reset_index(drop=True)


def derive(tables: dict[str, pd.DataFrame]) -> tuple[dict[str, pd.DataFrame], set[str]]:
    """Run every deriver in order; return the tables and the names it derived."""
    names: set[str] = set()
    for fn in all_derivers():
        out = fn(tables)
        tables.update(out)
        names.update(out)
    return tables, names


def import_paths(
    paths: list[Path], workspace: Workspace, progress: ProgressFn | None = None, *, wait: float | None = None
) -> ImportResult:
    """Import files and folders into ``workspace``: all or nothing.

    Every file is recognised by its header. A file with bad content, or a file
    named explicitly that cannot be read, raises :class:`~dekkend.errors.InvoerFout`
    before anything is written; unknown files found in a folder are skipped and
    reported. Copies and older releases of one count are counted once
    (:func:`deduplicate`). The workspace lock is held from reading the old
    tables until the new ones are in place, so two imports at once never lose
    each other's files (the second waits, or is refused with a clear message).
    """
    files = collect_files(paths)
    explicit = frozenset(p for p in paths if p.is_file())
    results = deduplicate(parse_files(files, progress, explicit))
    parsed = [r for r in results if r[1] is not None]
    reports = tuple(r[0] for r in results)
    lock = workspace.locked() if wait is None else workspace.locked(wait)
    with lock:
        if not parsed:
            tables_now = {n: len(workspace.table(n)) for n in workspace.table_names()}
            return ImportResult(workspace.path, reports, tables_now, tuple(workspace.notes))
        existing = workspace.tables() if workspace.exists else {}
        derived_before = set(workspace.manifest.get("afgeleid", [])) if workspace.exists else set()
        tables = merge_tables(existing, derived_before, parsed)  # type: ignore[arg-type]
        tables, derived = derive(tables)
        workspace.replace(tables, meta={"afgeleid": sorted(derived)})
    return ImportResult(workspace.path, reports, {k: len(v) for k, v in sorted(tables.items())}, tuple(workspace.notes))
