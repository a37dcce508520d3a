"""Benchmark: one scenario over 15 years for a region of about 60 vestigingen.

Run: ``.venv/bin/python bench/scenario.py [WERKMAP]`` (default: imports ``../shared/data`` first, not timed).
The region is COROP 14 (Achterhoek, 53 vestigingen); the scenario closes two vestigingen and stops one
offering. Timed separately: "zonder ingrijpen" (:func:`dekkend.scenarios.baseline`, once per
region and shared by its scenarios: the cohort forecast, its diagnosis, the calibrated choice model of the
count year and the reachability indicators without intervention), then the scenario itself (the goal of
5 s), then a second scenario on the same region (what every further scenario costs).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from dekkend.ingest import import_paths
from dekkend.regions import select_region
from dekkend.scenarios import baseline, parse_scenario, run_scenario
from dekkend.workspace import Workspace


def main() -> None:
    from _header import print_header  # bench/ is on sys.path when a script runs

    print_header("bench/scenario.py")
    if len(sys.argv) > 1:
        ws = Workspace(sys.argv[1]).require()
    else:
        ws = Workspace(Path(tempfile.mkdtemp()) / "w")
        import_paths([Path(__file__).resolve().parents[1].parent / "shared" / "data"], ws)
    tables = ws.tables()
    region = select_region(tables, "corop:14")
    codes = sorted(region.vestigingen)
    offer = tables["aanbod"]
    offer = offer[offer["vestigingscode"].isin(codes) & (offer["schooljaar"] == 2019) & offer["profiel"].isna()]
    big = offer.groupby("vestigingscode")["leerlingen"].sum().sort_values()
    small = list(big.index[:2])
    stop = offer[(offer["vestigingscode"] == big.index[-1]) & (offer["onderwijstype"] != "onderbouw")].iloc[0]
    scenario = parse_scenario(
        {
            "naam": "bench",
            "maatregelen": [
                {"soort": "sluit-vestiging", "vestiging": small[0], "vanaf": 2021},
                {"soort": "sluit-vestiging", "vestiging": small[1], "vanaf": 2022},
                {
                    "soort": "stop-aanbod",
                    "vestiging": stop["vestigingscode"],
                    "onderwijstype": stop["onderwijstype"],
                    "vanaf": 2021,
                },
            ],
        }
    )
    second = parse_scenario(
        {
            "naam": "bench 2",
            "maatregelen": [
                {"soort": "sluit-vestiging", "vestiging": small[1], "vanaf": 2021},
                {
                    "soort": "stop-aanbod",
                    "vestiging": stop["vestigingscode"],
                    "onderwijstype": stop["onderwijstype"],
                    "vanaf": 2023,
                },
            ],
        }
    )
    t0 = time.perf_counter()
    base = baseline(tables, "corop:14", horizon=15)
    base.choice, base.indicators  # noqa: B018 - computed once per region, timed with it
    t1 = time.perf_counter()
    result = run_scenario(tables, scenario, "corop:14", horizon=15, baseline=base)
    t2 = time.perf_counter()
    run_scenario(tables, second, "corop:14", horizon=15, baseline=base)
    t3 = time.perf_counter()
    status = "OK" if t2 - t1 <= 5 else "TE TRAAG"
    print(
        f"regio corop:14, {len(codes)} vestigingen, 15 jaar: zonder ingrijpen (prognose, diagnose, keuzemodel en "
        f"bereikbaarheid; eenmalig per regio) {t1 - t0:.2f} s; scenario {t2 - t1:.2f} s (doel <= 5 s, {status}); "
        f"tweede scenario {t3 - t2:.2f} s; {len(result.moves)} verplaatsingen, {len(result.diagnosis.knelpunten)} "
        "knelpunten"
    )


if __name__ == "__main__":
    main()
