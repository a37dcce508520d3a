"""Benchmark: national fit plus a 15-year forecast, per model.

Run: ``.venv/bin/python bench/forecast.py [WERKMAP]``. Without a workspace it
imports ``../shared/data`` into a temporary one first (not timed).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from dekkend.forecast import make_model
from dekkend.ingest import import_paths
from dekkend.workspace import Workspace


def main() -> None:
    if len(sys.argv) > 1:
        ws = Workspace(sys.argv[1]).require()
    else:
        data = Path(__file__).resolve().parents[1].parent / "shared" / "data"
        ws = Workspace(Path(tempfile.mkdtemp()) / "w")
        import_paths([data], ws)
    tables = ws.tables()
    for name in ("geen-verandering", "trend", "cohort"):
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            frame = make_model(name).fit(tables, 2019).predict(15)
            best = min(best, time.perf_counter() - t0)
        status = "OK" if best <= 10 else "TE TRAAG"
        print(f"{name}: landelijk schatten + 15 jaar vooruit: {best:.2f} s (doel <= 10 s, {status}); {len(frame):,} rijen")


if __name__ == "__main__":
    main()
