"""Importing a folder of DUO/CBS files into a workspace, atomically."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from dekkend.errors import InvoerFout
from dekkend.ingest import _text, catalogue
from dekkend.ingest.formats import (
    FileContext,
    FileFormat,
    Parsed,
    all_derivers,
    probe,
    recognise,
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
        for f in sorted(p.rglob("*")):
            rel = f.relative_to(p)
            if f.is_file() and not any(part.startswith(".") for part in rel.parts):
                out.append(f)
    return out


def _skip(path: Path, reason: str) -> FileReport:
    return FileReport(path=path, status="overgeslagen", reason=reason)


def _read_one(path: Path, fmt: FileFormat) -> tuple[Parsed, FileContext]:
    sha = _text.sha256_of(path)
    known = catalogue.by_checksum(sha)
    ctx = FileContext(path=path, sha256=sha, known_date=known.reference_date if known else None)
    return fmt.read(ctx), ctx


def parse_files(files: list[Path], progress: ProgressFn | None = None) -> list[tuple[FileReport, Parsed | None, FileContext | None, FileFormat | None]]:
    """Recognise and read each file; raise on the first file with bad content."""
    results = []
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
            what = {"tekst": "kopregel", "excel": "Excel-blad", "json": "JSON", "shapefile": "shapefile"}.get(p.kind, "inhoud")
            results.append((_skip(path, f"onbekend formaat ({what} niet herkend)"), None, None, None))
            continue
        parsed, ctx = _read_one(path, fmt)
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
            tables[name] = pd.concat([tables[name], frame], ignore_index=True) if name in tables and len(tables[name]) else frame
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


def import_paths(paths: list[Path], workspace: Workspace, progress: ProgressFn | None = None) -> ImportResult:
    """Import files and folders into ``workspace``: all or nothing.

    Every file is recognised by its header. A file with bad content raises
    :class:`~dekkend.errors.InvoerFout` before anything is written; unknown
    files are skipped and reported.
    """
    files = collect_files(paths)
    results = parse_files(files, progress)
    parsed = [r for r in results if r[1] is not None]
    reports = tuple(r[0] for r in results)
    if not parsed:
        return ImportResult(workspace.path, reports, {n: len(workspace.table(n)) for n in workspace.table_names()})
    existing = workspace.tables() if workspace.exists else {}
    derived_before = set(workspace.manifest.get("afgeleid", [])) if workspace.exists else set()
    tables = merge_tables(existing, derived_before, parsed)  # type: ignore[arg-type]
    tables, derived = derive(tables)
    workspace.replace(tables, meta={"afgeleid": sorted(derived)})
    return ImportResult(workspace.path, reports, {k: len(v) for k, v in sorted(tables.items())})
