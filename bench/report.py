"""Benchmark: the regional report (HTML and PDF) for real regions of about 50 vestigingen.

Usage::

    .venv/bin/python bench/report.py                      # imports ../shared/data into a temporary workspace
    .venv/bin/python bench/report.py --werkmap W          # uses an existing workspace
    .venv/bin/python bench/report.py --regio corop:14 --regio corop:36 --herhaal 3
    .venv/bin/python bench/report.py --regio corop:14 --scenario a.yaml --scenario b.yaml   # with the scenario chapter

Measured per region (best of ``--herhaal`` runs): the whole report as
``dekkend rapport --pdf`` makes it (tables loaded, HTML written, PDF printed),
with the time per step; the HTML alone; and the PDF alone. Loading the
workspace is reported apart. Target: 30 s for a region of about 50 vestigingen.
Prints the figures for the report section of ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from dekkend.ingest import import_paths
from dekkend.report import find_browser, print_pdf, write_report
from dekkend.scenarios import load_scenario
from dekkend.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("DEKKEND_SHARED_DATA", ROOT.parent / "shared" / "data"))
TARGET_S = 30.0
REGIONS = ("corop:14", "corop:36")


def _workspace(path: Path | None) -> Workspace:
    if path is not None:
        return Workspace(path).require()
    tmp = Path(tempfile.mkdtemp(prefix="dekkend-bench-"))
    ws = Workspace(tmp / "w")
    import_paths([DATA], ws)
    return ws


def _pages(pdf: Path | None) -> str:
    if pdf is None or not shutil.which("pdfinfo"):
        return ""
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=False).stdout
    return next((line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")), "")


def _run(
    tables: dict, regio: str, out: Path, pdf: bool, scenarios: tuple = ()
) -> tuple[float, dict[str, float], object]:
    steps: dict[str, float] = {}
    last = [time.perf_counter(), ""]

    def progress(step: str, i: int, n: int) -> None:
        now = time.perf_counter()
        if last[1]:
            steps[str(last[1])] = steps.get(str(last[1]), 0.0) + now - float(last[0])
        last[0], last[1] = now, step

    start = time.perf_counter()
    result = write_report(tables, regio, out, pdf=pdf, progress=progress, scenarios=scenarios)
    return time.perf_counter() - start, steps, result


def main() -> None:
    from _header import print_header  # bench/ is on sys.path when a script runs

    print_header("bench/report.py")
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--werkmap", type=Path)
    parser.add_argument("--regio", action="append")
    parser.add_argument("--herhaal", type=int, default=2)
    parser.add_argument(
        "--scenario", action="append", type=Path, help="scenario YAML (repeatable): adds the scenario chapter"
    )
    args = parser.parse_args()
    scenarios = tuple(load_scenario(p) for p in args.scenario or [])
    ws = _workspace(args.werkmap)
    start = time.perf_counter()
    tables = Workspace(ws.path).tables()
    load_s = time.perf_counter() - start
    browser = find_browser()
    print(f"werkmap geladen in {load_s:.1f} s; browser voor de PDF: {browser or 'geen'}")
    rows = []
    for regio in args.regio or REGIONS:
        out = Path(tempfile.mkdtemp(prefix="dekkend-rapport-"))
        best_total, best_steps, result = min(
            (_run(tables, regio, out, pdf=browser is not None, scenarios=scenarios) for _ in range(args.herhaal)),
            key=lambda r: r[0],
        )
        html_only = min(
            _run(tables, regio, out / "html", pdf=False, scenarios=scenarios)[0] for _ in range(args.herhaal)
        )
        pdf_s = ""
        if browser is not None:
            times = []
            for _ in range(args.herhaal):
                t = time.perf_counter()
                print_pdf(result.html, out / "los.pdf", browser=browser)
                times.append(time.perf_counter() - t)
            pdf_s = f"{min(times):.1f}"
        counted = len(
            set(
                tables["leerlingen"].loc[
                    tables["leerlingen"]["schooljaar"] == tables["leerlingen"]["schooljaar"].max(), "vestigingscode"
                ]
            )
            & set(_region_codes(tables, regio))
        )
        size = result.html.stat().st_size / 1e6
        rows.append(
            (
                regio,
                counted,
                best_total + load_s,
                best_total,
                html_only,
                pdf_s,
                _pages(result.pdf),
                result.figures,
                size,
                best_steps,
            )
        )
        print(f"{regio}: {best_total:.1f} s (+ {load_s:.1f} s laden), alleen HTML {html_only:.1f} s, PDF {pdf_s} s")
    print(
        "\n| regio | vestigingen | met laden + PDF | rapport + PDF | alleen HTML | alleen PDF | pagina's | figuren | "
        "HTML |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        ok = "" if r[2] <= TARGET_S else " (boven doel)"
        print(
            f"| {r[0]} | {r[1]} | {r[2]:.1f} s{ok} | {r[3]:.1f} s | {r[4]:.1f} s | {r[5]} s | {r[6]} | {r[7]} | "
            f"{r[8]:.1f} MB |"
        )
    print("\nTijd per stap (beste run, s):")
    for r in rows:
        print(f"- {r[0]}: " + ", ".join(f"{k} {v:.1f}" for k, v in r[9].items()))


def _region_codes(tables: dict, regio: str) -> tuple[str, ...]:
    from dekkend.regions import select_region

    return select_region(tables, regio).vestigingen


if __name__ == "__main__":
    main()
