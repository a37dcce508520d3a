"""Benchmark: the first computation of a COROP region in the web workspace (issue 19: <= 30 s).

Run::

    .venv/bin/python bench/web_first.py --werkmap W [--corops 31,14] [--cache leeg,landelijk,voorbereid,geen]

What the web workspace computes the first time a region is opened (``AnalysisStore.compute`` in
``dekkend/web/analysis.py``, without writing its JSON): the werkmap's tables and derived-result
cache (:func:`dekkend.cache.tables_and_cache`), ``report.collect`` (diagnosis, forecast,
reachability, back-test, knowledge base, map outlines), ``report.report_context`` and the offer
map. Every measurement runs in a new Python process (imports, tables and knowledge base not yet
loaded, as in a fresh task worker); it prints the wall and the CPU time (user + sys of the child
process) and the time per step of ``collect``.

The werkmap is copied to a temporary folder first (its derived-result cache is written there).
Cache states (``--cache``):

* ``leeg``: the werkmap's cache is empty: the first region ever computed on this werkmap
  (the national catchments of the forecast and the back-test are computed and stored);
* ``landelijk``: the national results are in the cache (COROP 01 was computed before),
  this region's own forecast is not: the first computation of a region on a werkmap in use;
* ``voorbereid``: the cache as ``dekkend importeer`` leaves it (``dekkend.report.prepare_national``
  after the import; the preparation's own time is printed too): the first region computed after an import;
* ``geen``: no cache at all (as before the catchment cache).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL_S = 30.0
#: The region computed first for the cache state ``landelijk`` (not one of the measured ones).
OTHER = "01"

PREPARE = r"""
import sys
from dekkend.cache import tables_and_cache
from dekkend.report import prepare_national
from dekkend.workspace import Workspace
tables, cache = tables_and_cache(Workspace(sys.argv[1]).require())
print(prepare_national(tables, cache))
"""

CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
from dekkend import report
from dekkend.cache import tables_and_cache
from dekkend.workspace import Workspace
werkmap, regio, use_cache = sys.argv[1], sys.argv[2], sys.argv[3] == "ja"
steps = {}
last = [time.perf_counter(), "laden"]
def progress(step, i, n):
    now = time.perf_counter()
    steps[last[1]] = steps.get(last[1], 0.0) + now - last[0]
    last[:] = [now, step]
tables, cache = tables_and_cache(Workspace(werkmap).require())
data = report.collect(tables, regio, progress=progress, cache=cache if use_cache else None)
now = time.perf_counter()
steps[last[1]] = now - last[0]
context, figures = report.report_context(data)
figures.items["kaart-aanbod"] = report.offer_map(data)
steps["rapportinhoud en kaart"] = time.perf_counter() - now
print(json.dumps({"stappen": steps, "vestigingen": len(data.region.vestigingen)}))
"""


def _cpu_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(werkmap: Path, regio: str, use_cache: bool) -> tuple[float, float, dict]:
    """Wall and CPU seconds of one fresh process computing ``regio``, and its steps."""
    wall, cpu = time.perf_counter(), _cpu_children()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(werkmap), regio, "ja" if use_cache else "nee"],
        capture_output=True,
        text=True,
        check=True,
    )
    wall, cpu = time.perf_counter() - wall, _cpu_children() - cpu
    return wall, cpu, json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    from _header import print_header  # bench/ is on sys.path when a script runs

    print_header("bench/web_first.py")
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--werkmap", required=True)
    ap.add_argument("--corops", default="31,14")
    ap.add_argument("--cache", default="leeg,landelijk,geen")
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="dekkend-webfirst-"))
    werkmap = folder / "w"
    shutil.copytree(args.werkmap, werkmap)
    cache = werkmap / "tabellen" / "tussenresultaten"
    codes = [c.strip() for c in args.corops.split(",") if c.strip()]
    national = folder / "landelijk"
    prepared = folder / "voorbereid"
    try:
        for state in [s.strip() for s in args.cache.split(",")]:
            if state == "landelijk" and not national.exists():
                # another region computed before: its national results (catchments) are stored
                shutil.rmtree(cache, ignore_errors=True)
                measure(werkmap, f"corop:{OTHER}", True)
                for path in cache.glob("prognose-*.npz"):
                    path.unlink()  # only the other region's own forecast; the national results stay
                shutil.copytree(cache, national)
            if state == "voorbereid" and not prepared.exists():
                shutil.rmtree(cache, ignore_errors=True)
                wall, cpu = time.perf_counter(), _cpu_children()
                subprocess.run([sys.executable, "-c", PREPARE, str(werkmap)], check=True, capture_output=True)
                wall, cpu = time.perf_counter() - wall, _cpu_children() - cpu
                print(f"[voorbereiding na de import] {wall:.1f} s wand, {cpu:.1f} s CPU", flush=True)
                shutil.copytree(cache, prepared)
            for code in codes:
                shutil.rmtree(cache, ignore_errors=True)
                if state in ("landelijk", "voorbereid"):
                    shutil.copytree(national if state == "landelijk" else prepared, cache)
                wall, cpu, out = measure(werkmap, f"corop:{code}", state != "geen")
                steps = ", ".join(f"{k} {v:.1f}" for k, v in out["stappen"].items())
                verdict = "OK" if wall <= GOAL_S else ("CPU binnen doel" if cpu <= GOAL_S else "TE TRAAG")
                print(
                    f"[corop {code}, cache {state}] {out['vestigingen']} vestigingen: {wall:.1f} s wand, "
                    f"{cpu:.1f} s CPU (doel <= {GOAL_S:g} s: {verdict}); stappen (s wand): {steps}",
                    flush=True,
                )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
