"""Benchmark: national reachability for all types, profielen and groups, current year + 15 forecast years.

Usage::

    .venv/bin/python bench/reachability.py            # imports ../shared/data into a temporary workspace
    .venv/bin/python bench/reachability.py --werkmap W # uses an existing workspace

The forecast is synthetic (every stream of the latest count changes by a
seeded rate per vestiging between -6% and +1% a year), because the forecast
issue is not finished; the point is the size of the computation, not the
forecast. Import time is not measured. Prints the figures for
``docs/benchmarks-reachability.md``.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from dekkend.coverage import (
    FORECAST_COLUMNS,
    REACH_KINDS,
    ChildEstimator,
    offer_by_year,
    reachability,
)
from dekkend.geo import NearestIndex, distance_matrix
from dekkend.ingest import import_paths
from dekkend.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("DEKKEND_SHARED_DATA", ROOT.parent / "shared" / "data"))
FILES = (
    "duo/02.-alle-vestigingen-vo-2019.csv",
    "duo/01.-leerlingen-vo-per-vestiging-naar-onderwijstype-2019.csv",
    "duo/vo-vestigingen-leerlingen-coordinaten-2013.csv",
    "geo/pc4-centroiden.csv",
    "geo/pc4-woonplaats-gemeente.csv",
    "cbs/pc4-bevolking-leeftijd-2018.xls",
    "duo/03.-leerlingen-po-per-gemeente-postcode-leerling-leeftijd-2017.csv.gz",
)
HORIZON = 15
TARGET_S = 10.0


def synthetic_forecast(
    tables: dict[str, pd.DataFrame], horizon: int = HORIZON, seed: int = 2024
) -> pd.DataFrame:
    """Every stream of the latest count, changed by a per-vestiging yearly rate."""
    p = tables["leerlingen"]
    base = int(p["schooljaar"].max())
    p = p[(p["schooljaar"] == base) & (p["onderwijstype"] != "totaal")]
    n = p["aantal"].astype("Float64").fillna(2.5).astype(float)
    streams = (
        p.assign(n=n)
        .groupby(["vestigingscode", "onderwijstype", "profiel", "leerjaar"], dropna=False)["n"]
        .sum()
        .reset_index()
    )
    codes = streams["vestigingscode"].unique()
    rate = pd.Series(np.random.default_rng(seed).uniform(-0.06, 0.01, len(codes)), index=codes)
    r = streams["vestigingscode"].map(rate).to_numpy()
    parts = []
    for h in range(1, horizon + 1):
        f = streams.assign(jaar=base + h, verwacht=streams["n"].to_numpy() * (1 + r) ** h)
        parts.append(f)
    f = pd.concat(parts, ignore_index=True)
    for c, k in (("laag80", 0.9), ("hoog80", 1.1), ("laag95", 0.8), ("hoog95", 1.2)):
        f[c] = f["verwacht"] * k
    f["methode"] = "synthetisch"
    return f[list(FORECAST_COLUMNS)]


def _best(fn, repeat: int = 3) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--werkmap", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace(args.werkmap) if args.werkmap else Workspace(Path(tmp) / "w")
        if args.werkmap is None:
            import_paths([DATA / f for f in FILES], ws)
        tables = ws.tables()
        fc = synthetic_forecast(tables)
        year = int(tables["aanbod"]["schooljaar"].max())

        t_matrix, matrix = _best(lambda: distance_matrix(tables))
        t_offer, offer = _best(lambda: offer_by_year(tables["aanbod"], fc))

        def all_children():
            estimator = ChildEstimator(tables)
            return [estimator.estimate(y) for y in range(year, year + HORIZON + 1)]

        t_children, _ = _best(all_children)
        masks = np.random.default_rng(1).random((len(REACH_KINDS), matrix.km.shape[1])) < 0.3
        index = NearestIndex(matrix)
        t_sort, _ = _best(lambda: NearestIndex(matrix).query(masks[:1] | True), repeat=1)
        index.query(masks[:1] | True)
        t_nearest, _ = _best(lambda: index.query(masks))
        t_total, res = _best(lambda: reachability(tables, year, forecast=fc, indicators=True))

        n_pc4, n_ves = matrix.km.shape
        gone = offer[(offer["jaar"] == year + HORIZON) & offer["verdwijnt"]]
        print(
            f"dekkend bereikbaarheid, landelijk: {n_pc4} PC4 x {n_ves} vestigingen, {len(REACH_KINDS)} soorten "
            f"(7 typen, 10 profielen, 5 groepen), jaren {year} + {HORIZON} prognosejaren"
        )
        print(
            f"synthetische prognose: {len(fc):,} rijen; zonder ingrijpen verdwijnen in {year + HORIZON} {len(gone)} aanbiedingen"
        )
        print(
            f"afstandsmatrix (float32, {matrix.km.nbytes / 1e6:.0f} MB x 2)     {t_matrix:6.2f} s"
        )
        print(f"aanbod per jaar (offer_by_year, {HORIZON + 1} jaren)        {t_offer:6.2f} s")
        print(f"kinderen 12-17 voor {HORIZON + 1} jaren                      {t_children:6.2f} s")
        print(f"rijen sorteren (eenmalig, NearestIndex)              {t_sort:6.2f} s")
        print(
            f"dichtstbijzijnde + aantallen, per jaar ({len(REACH_KINDS)} sets)   {t_nearest:6.2f} s"
        )
        print(
            f"TOTAAL reachability(..., indicators=True), beste van 3  {t_total:6.2f} s  (doel <= {TARGET_S:.0f} s)"
        )
        print(
            f"uitvoer: {len(res.table):,} rijen per PC4 x onderwijstype, {len(res.indicators):,} indicatorrijen"
        )


if __name__ == "__main__":
    main()
