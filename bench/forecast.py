"""Benchmark: national fit plus a 15-year forecast per model, and 1,000 Monte Carlo draws.

Run: ``.venv/bin/python bench/forecast.py [WERKMAP]``. Without a workspace it
imports ``../shared/data`` into a temporary one first (not timed).

Options:

- ``--gevoeligheid``: the decay sensitivity run of ``docs/methods/choice.md``
  (back-test 2013 -> 2019 and the forecast as of 2019 for 10-50% per km);
- ``--kalibreer``: rebuild ``dekkend/forecast/intervallen.csv``, the interval
  calibration shipped for forward forecasts (errors of the vestiging back-tests
  from the origins 2013, 2016 and 2017 to every later count year of the shared data).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from dekkend.forecast import calibrate, decay_sensitivity, make_model, run_backtest, simulate
from dekkend.ingest import import_paths
from dekkend.workspace import Workspace


def _workspace(args: list[str]) -> Workspace:
    paths = [a for a in args if not a.startswith("--")]
    if paths:
        return Workspace(paths[0]).require()
    data = Path(__file__).resolve().parents[1].parent / "shared" / "data"
    ws = Workspace(Path(tempfile.mkdtemp()) / "w")
    import_paths([data], ws)
    return ws


def timing(tables: dict) -> None:
    for name in ("geen-verandering", "trend", "cohort"):
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            model = make_model(name).fit(tables, 2019)
            frame = model.predict(15)
            best = min(best, time.perf_counter() - t0)
        status = "OK" if best <= 10 else "TE TRAAG"
        print(
            f"{name}: landelijk schatten + 15 jaar vooruit: {best:.2f} s (doel <= 10 s, {status}); {len(frame):,} rijen"
        )
    model = make_model("cohort").fit(tables, 2019)
    model.predict(15)
    t0 = time.perf_counter()
    draws = simulate(model, 15, 1000, seed=1)
    took = time.perf_counter() - t0
    print(
        f"cohort: 1.000 trekkingen, 15 jaar: {took:.2f} s (doel <= 30 s, {'OK' if took <= 30 else 'TE TRAAG'}); "
        f"{draws.totals.shape[1]:,} vestigingen"
    )


def sensitivity(tables: dict) -> None:
    out = decay_sensitivity(tables, 2013, 2019, forecast_as_of=2019)
    print(
        "| verval per km | WAPE vestiging 2013->2019 | WAPE BRIN 2013->2019 | totaal 2019 | verschuiving vestigingen "
        "2034 | totaal 2034 |"
    )
    print("|---|---|---|---|---|---|")
    for r in out.itertuples():
        print(
            f"| {100 * r.verlies_per_km:.0f}% | {100 * r.wape_vestiging:.1f}% | {100 * r.wape_brin:.1f}% | "
            f"{r.totaal_doeljaar:,.0f} | "
            f"{100 * r.verschuiving_vestiging:.1f}% | {r.totaal_prognose:,.0f} |"
        )


#: Back-tests whose errors calibrate the shipped intervals: every origin of the shared data with
#: every later count year (horizons 1-5 and 7; 6 is interpolated, beyond 7 scaled by sqrt(h / 7)).
CALIBRATION_RUNS = ((2013, (2016, 2017, 2019)), (2016, (2017, 2019)), (2017, (2019,)))


def calibration(tables: dict) -> None:
    parts, origins = [], []
    for as_of, targets in CALIBRATION_RUNS:
        result = run_backtest(tables, as_of, targets, "vestiging")
        parts.append(result.detail)
        origins.append(as_of)
    d = pd.concat(parts, ignore_index=True)
    d = d[(d["verwacht"] > 0) & (d["model"] != "duo")]
    cal = calibrate(d, "vestiging", origins=tuple(origins), method="back-tests 2013, 2016, 2017")
    target = Path(__file__).resolve().parents[1] / "dekkend" / "forecast" / "intervallen.csv"
    cal.write(target)
    print(f"geschreven: {target} ({len(cal.table)} rijen)")


def main() -> None:
    from _header import print_header  # bench/ is on sys.path when a script runs

    print_header("bench/forecast.py")
    args = sys.argv[1:]
    tables = _workspace(args).tables()
    if "--gevoeligheid" in args:
        sensitivity(tables)
    elif "--kalibreer" in args:
        calibration(tables)
    else:
        timing(tables)


if __name__ == "__main__":
    main()
