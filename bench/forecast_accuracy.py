"""Forecast accuracy figures: the national forecast as of 2019 against CBS 85701NED, the back-tests on the count years
2016, 2017 and 2019 (matched vestigingen), and the coverage of the COROP bands (``sum_band``).

Run: ``.venv/bin/python bench/forecast_accuracy.py WERKMAP`` (a werkmap with every file of ../shared/data imported).
The tables go into the section "Forecast III" of ``docs/forecast-accuracy.md``.
"""

from __future__ import annotations

import sys

import numpy as np

from dekkend.forecast import CohortModel, run_backtest
from dekkend.forecast.backtest import corop_changes, region_bands
from dekkend.ingest._text import estimated_count
from dekkend.workspace import Workspace

#: (peiljaar, doeljaren) of the back-tests on the new count years
RUNS = ((2016, (2017, 2019)), (2017, (2019,)))


def national(tables: dict) -> None:
    p = tables["leerlingen"].assign(n=lambda f: estimated_count(f))
    cbs = tables["leerlingen_woongemeente"]
    cbs = cbs[cbs["label_onderwijssoort"] == "Totaal voortgezet onderwijs"].groupby("schooljaar")["aantal"].sum()
    vavo = p[(p["schooljaar"] == 2019) & p["vavo"].eq(True)]["n"].sum()
    fc = CohortModel().fit(tables, 2019).vestiging_totals(4).groupby("jaar")["verwacht"].sum()
    print("| jaar | prognose (zonder VAVO) | CBS 85701NED | verschil |\n|---|---|---|---|")
    for year, value in fc.items():
        print(
            f"| {year} | {value - vavo:,.0f} | {cbs.get(year, np.nan):,.0f} | "
            f"{100 * ((value - vavo) / cbs[year] - 1):+.1f}% |"
        )


def backtests(tables: dict) -> None:
    print(
        "\n| peiljaar | doeljaar | eenheden | WAPE cohort | WAPE geen verandering | verschil | dekking 80% "
        "| COROP-banden: dekking 80% | halve breedte (mediaan) | COROP-fout (rms) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for as_of, targets in RUNS:
        r = run_backtest(tables, as_of, targets, "vestiging")
        s = r.scores.set_index(["model", "jaar"])
        bands = region_bands(tables, r.detail, rule=r.calibration)
        for year in targets:
            c, n = s.loc[("cohort", year)], s.loc[("geen-verandering", year)]
            b = bands[bands["jaar"] == year]
            half = np.log(b["hoog"] / b["verwacht"]).median()
            rms = np.sqrt((np.log(b["werkelijk"] / b["verwacht"]) ** 2).mean())
            print(
                f"| {as_of} | {year} | {int(c['eenheden'])} | {100 * c['wape']:.1f}% | {100 * n['wape']:.1f}% | "
                f"{100 * (c['wape'] / n['wape'] - 1):+.0f}% | {100 * c['dekking80']:.1f}% | "
                f"{100 * b['binnen'].mean():.0f}% ({len(b)}) | {100 * half:.1f}% | {100 * rms:.1f}% |"
            )


def corops(tables: dict) -> None:
    """Change 2019 -> 2020-2023 per COROP, the forecast against CBS (:func:`corop_changes`)."""
    d = corop_changes(tables, CohortModel().fit(tables, 2019).vestiging_totals(4), 2019)
    print("\n| jaar | COROP's | verschil in verandering sinds 2019 (prognose min CBS): mediaan | p90 | max |")
    print("|---|---|---|---|---|")
    for year, g in d.groupby("jaar"):
        a = g["verschil"].abs()
        print(
            f"| {year} | {len(a)} | {100 * a.median():.1f} pt | {100 * a.quantile(0.9):.1f} pt | {100 * a.max():.1f} "
            "pt |"
        )


def main(path: str) -> None:
    from _header import print_header  # bench/ is on sys.path when a script runs

    print_header("bench/forecast_accuracy.py")
    tables = Workspace(path).tables()
    national(tables)
    corops(tables)
    backtests(tables)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/work/nl-werkmap")
