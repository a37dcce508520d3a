"""Benchmark: national reachability for all types, profielen and groups, current year + 15 forecast years.

Usage::

    .venv/bin/python bench/reachability.py            # imports ../shared/data into a temporary workspace
    .venv/bin/python bench/reachability.py --werkmap W # uses an existing workspace
    .venv/bin/python bench/reachability.py --gevoeligheid  # also the sensitivity run of the methods doc

The forecast is synthetic (every stream of the latest count changes by a
seeded rate per vestiging between -6% and +1% a year), so that the figures
measure reachability alone, apart from the time and outcome of the forecast.
Import time is not measured. Prints the figures for the section
"Bereikbaarheid" of ``docs/benchmarks.md``.
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
from dekkend.geo import NearestIndex, TravelModel, distance_matrix
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


def synthetic_forecast(tables: dict[str, pd.DataFrame], horizon: int = HORIZON, seed: int = 2024) -> pd.DataFrame:
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


def _line(label: str, seconds: float) -> None:
    print(f"  {label:<58} {seconds:6.2f} s")


def timings(tables: dict[str, pd.DataFrame]) -> None:
    """The speed figures: the whole call and its parts."""
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
        f"Landelijk: {n_pc4} PC4 x {n_ves} vestigingen, {len(REACH_KINDS)} soorten "
        f"(7 typen, 10 profielen, 5 groepen), {year} + {HORIZON} prognosejaren"
    )
    print(
        f"Synthetische prognose: {len(fc):,} rijen; zonder ingrijpen verdwenen in {year + HORIZON}: "
        f"{len(gone)} aanbiedingen"
    )
    _line(f"afstandsmatrix (2 x float32, {matrix.km.nbytes / 1e6:.0f} MB)", t_matrix)
    _line(f"aanbod per jaar (offer_by_year, {HORIZON + 1} jaren)", t_offer)
    _line(f"kinderen 12-17 voor {HORIZON + 1} jaren", t_children)
    _line("rijen sorteren (eenmalig, NearestIndex)", t_sort)
    _line(f"dichtstbijzijnde + aantallen, per jaar ({len(REACH_KINDS)} sets)", t_nearest)
    _line("TOTAAL reachability(..., indicators=True), beste van 3", t_total)
    print(
        f"  doel <= {TARGET_S:.0f} s; uitvoer {len(res.table):,} rijen PC4 x onderwijstype, "
        f"{len(res.indicators):,} indicatorrijen"
    )


def sensitivity(tables: dict[str, pd.DataFrame]) -> None:
    """Indicators under other detour factors and speeds, and the check against CBS 2021."""
    year = int(tables["aanbod"]["schooljaar"].max())
    b = tables["bevolking_pc4"]
    inhabitants = b[(b["geslacht"] == "totaal") & (b["leeftijdsklasse"] == "totaal") & b["pc4"].notna()]
    inhabitants = inhabitants.groupby("pc4")["aantal"].sum().astype(float)
    print(f"Gevoeligheid (landelijk, {year}): aandeel kinderen 12-17 binnen 12 km / gemiddelde km")
    kinds = ("vo", "vmbo", "havo-vwo", "vwo", "pro", "profiel:groen")
    print(
        f"  {'omrijfactor':>11} {'km/u':>5} "
        + " ".join(f"{k:>17}" for k in kinds)
        + f" {'havo-vwo gem. min':>18} {'CBS-check: gem. km vo':>22} {'vo binnen 3 km':>15}"
    )
    for factor, speed in ((1.0, 15.0), (1.2, 15.0), (1.3, 15.0), (1.4, 15.0), (1.3, 12.0), (1.3, 18.0)):
        model = TravelModel(factor, speed)
        res = reachability(tables, year, model=model, indicators=True)
        ind = res.indicators.set_index("onderwijstype")
        vo = res.table[res.table["onderwijstype"] == "vo"].set_index("pc4")
        w = inhabitants.reindex(vo.index).fillna(0.0)
        mean_vo = float((vo["afstand_km"] * w).sum() / w.sum())
        within3 = float((vo["aantal_binnen_3km"] * w).sum() / w.sum())
        hv = res.table[res.table["onderwijstype"] == "havo-vwo"]
        minutes = float((hv["reistijd_fiets_min"] * hv["kinderen_12_17"]).sum() / hv["kinderen_12_17"].sum())
        cells = " ".join(f"{ind.loc[k, 'aandeel_binnen_norm']:>9.1%} {ind.loc[k, 'gem_km']:>5.1f} km" for k in kinds)
        print(f"  {factor:>11.1f} {speed:>5.0f} {cells} {minutes:>14.1f} min {mean_vo:>19.2f} km {within3:>15.1f}")
    print("  CBS Nabijheidsstatistiek 2021 (fietsroutes, per inwoner): 2,3 km tot de dichtstbijzijnde")
    print("  middelbare school, 4,3 scholen binnen 3 km. De snelheid verandert alleen de reistijden.")


def main() -> None:
    from _header import print_header  # bench/ is on sys.path when a script runs

    print_header("bench/reachability.py")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--werkmap", type=Path, default=None, help="bestaande werkmap (anders: ../shared/data)")
    parser.add_argument("--gevoeligheid", action="store_true", help="ook de gevoeligheidsrun")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace(args.werkmap) if args.werkmap else Workspace(Path(tmp) / "w")
        if args.werkmap is None:
            import_paths([DATA / f for f in FILES], ws)
        tables = ws.tables()
        timings(tables)
        if args.gevoeligheid:
            sensitivity(tables)


if __name__ == "__main__":
    main()
