"""Benchmark: import the DUO VO files (and all of ../shared/data) into a fresh workspace.

Run: ``.venv/bin/python bench/import.py [DATA_DIR]`` (default ``../shared/data``).
Prints wall-clock seconds per run (best of 3) and rows imported.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from dekkend.ingest import import_paths
from dekkend.workspace import Workspace

VO_FILES = (
    "duo/01.-leerlingen-vo-per-vestiging-naar-onderwijstype-2019.csv",
    "duo/02.-alle-vestigingen-vo-2019.csv",
    "duo/vo-vestigingen-leerlingen-coordinaten-2013.csv",
    "geo/pc4-centroiden.csv",
    "geo/pc4-woonplaats-gemeente.csv",
)


def run(paths: list[Path], runs: int = 3) -> tuple[float, dict[str, int]]:
    best = float("inf")
    tables: dict[str, int] = {}
    for _ in range(runs):
        tmp = Path(tempfile.mkdtemp())
        try:
            t0 = time.perf_counter()
            result = import_paths(paths, Workspace(tmp / "w"))
            best = min(best, time.perf_counter() - t0)
            tables = result.tables
        finally:
            shutil.rmtree(tmp)
    return best, tables


def main() -> None:
    from _header import print_header  # bench/ is on sys.path when a script runs

    print_header("bench/import.py")
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1].parent / "shared" / "data"
    if not data.is_dir():
        sys.exit(f"gegevensmap {data} ontbreekt")
    for label, paths, target in (
        ("DUO VO-bestanden (+ PC4-geografie)", [data / f for f in VO_FILES], 10.0),
        ("alles in de gegevensmap", [data], 20.0),
    ):
        seconds, tables = run(paths)
        rows = sum(tables.values())
        status = "OK" if seconds <= target else "TE TRAAG"
        print(f"{label}: {seconds:.2f} s (doel <= {target:.0f} s, {status}); {rows:,} rijen in {len(tables)} tabellen")


if __name__ == "__main__":
    main()
