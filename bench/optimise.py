"""Benchmark: the optimiser on a region of about 60 vestigingen x 400 PC4, one type nationally, and the spopt peer.

Run::

    .venv/bin/python bench/optimise.py [--werkmap W] [--regio corop:04,05] [--jaar 2020] [--type havo]
                                       [--p 500] [--zonder-spopt]
    .venv/bin/python bench/optimise.py --werkmap W --corops [alle|31,12] [--corop-jaren 2030,2034] [--doel-s 20]
                                       [--cache-leeg | --zonder-cache | --voorbereid]

With ``--corops`` only part 5 runs: ``optimaliseer`` for every COROP (default all 40) in 2030 and
2034 (80 runs), as the CLI runs it: the tables read once, then per run the forecast, the choice
market, distances, model, explanation and, without changes, the diagnosis. It prints per run the time
and the processor time of the process (all threads: on a shared machine closer to what an idle one
takes), what the run computed rather than read from the werkmap's cache (:mod:`dekkend.cache`: the
national choice model and the national catchment of the forecast once per data version and horizon, the
forecast once per region), the number of changes
and whether it agrees with the diagnosis (a change, or a reason for every viability and reach
knelpunt; issue 17). ``--cache-leeg`` empties the werkmap's cache first (so the first run calibrates
the national model and the first run of every region computes its forecast); ``--zonder-cache`` runs
without one (every run computes both, as before the cache); ``--voorbereid`` empties it and then prepares
it as ``dekkend importeer`` does (``dekkend.report.prepare_national``, timed). A read-only werkmap has no cache.

Without ``--werkmap`` it imports ``../shared/data`` into a temporary workspace first (not timed).
Parts:

1. the region (default COROP 04+05, Noord- and Zuidwest-Friesland: 61 vestigingen with pupils,
   371 PC4) with every type and vmbo-profiel and the viability constraints, for the first forecast
   year; also with five years of viability (``--tot-jaar``) and with closest assignment;
2. a synthetic region of 60 sites x 400 areas with every type and profiel (machine check, no data);
3. one type nationally (default havo) with its viability constraints;
4. the classic maximal covering problem on the national matrix (all located vestigingen with pupils
   as sites, every PC4 with its children 12-17, 12 km, keep exactly ``p``) with dekkend's model and with
   spopt's ``MCLP`` (PuLP with CBC, and with HiGHS) side by side. spopt is an optional, benchmark-only
   extra (``pip install spopt``); without it that part is skipped.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from dekkend.cache import DerivedCache
from dekkend.coverage.children import children_12_17
from dekkend.geo import distance_matrix
from dekkend.optimise import OptimiseOptions, build_instance, solve_instance, synthetic_instance
from dekkend.optimise.model import ViableCoverage
from dekkend.regions import select_region
from dekkend.scenarios.engine import baseline_forecast, build_market
from dekkend.workspace import Workspace


def _t() -> float:
    return time.perf_counter()


def _workspace(path: str | None) -> Workspace:
    if path:
        return Workspace(path).require()
    from dekkend.ingest import import_paths

    ws = Workspace(Path(tempfile.mkdtemp()) / "w")
    import_paths([Path(__file__).resolve().parents[1].parent / "shared" / "data"], ws)
    return ws


def region_part(tables: dict, regio: str, jaar: int) -> None:
    t0 = _t()
    region = select_region(tables, regio)
    forecast, origin = baseline_forecast(tables, region, 10)
    t1 = _t()
    market = build_market(tables, origin, None, tuple(region.vestigingen))
    t2 = _t()
    matrix = distance_matrix(tables)
    t3 = _t()
    common = {"forecast": forecast, "origin": origin, "market": market, "matrix": matrix}
    for label, options in (
        ("keuze, 1 jaar", OptimiseOptions()),
        ("keuze, 5 jaar (--tot-jaar)", OptimiseOptions(until_year=jaar + 4)),
        ("dichtstbij, 1 jaar", OptimiseOptions(assignment="dichtstbij")),
    ):
        b0 = _t()
        inst = build_instance(tables, regio, jaar, options, **common)
        b1 = _t()
        res = solve_instance(inst, time_limit=120, mip_gap=1e-4)
        b2 = _t()
        m, s = inst.model, res.solution
        active = len(set(inst.offerings.loc[inst.offerings["in_regio"], "vestigingscode"]))
        print(
            f"[regio {regio}, {label}] {active} vestigingen met aanbod, {int((inst.children > 0).sum())} PC4, "
            f"{int((~m.ext).sum())} aanbiedingen ({len(m.kinds)} soorten), {int(m.ext.sum())} buiten de regio; "
            f"model {s.size}; status {s.status}, gap {100 * s.gap:.4f}%, HiGHS {s.seconds:.2f} s "
            f"(dekking {s.phases[0]:.2f} s + gelijkspel {s.phases[1]:.2f} s), "
            f"opbouw {b1 - b0:.2f} s + oplossen/uitleg {b2 - b1:.2f} s = {b2 - b0:.2f} s "
            f"(doel <= 10 s: {'OK' if b2 - b0 <= 10 and s.gap <= 1e-3 else 'TE TRAAG'}); "
            f"{res.after.changes if res.after else '-'} wijzigingen"
        )
    print(
        f"[regio {regio}] eenmalig per regio: prognose {t1 - t0:.2f} s, keuzemarkt {t2 - t1:.2f} s, "
        f"afstandsmatrix {t3 - t2:.2f} s"
    )


def synthetic_part() -> None:
    inst = synthetic_instance(1, n_areas=400, n_sites=60, side_km=90, n_outside=6, offer_probability=0.45)
    for assignment, kwargs in (("keuze", {}), ("dichtstbij", {"cutoff_km": 20.0})):
        t0 = _t()
        model = inst.model(assignment, **kwargs)
        sol = model.solve(time_limit=120)
        t1 = _t()
        print(
            f"[synthetisch 60 x 400, {assignment}] {model.q} aanbiedingen, model {sol.size}; status {sol.status}, "
            f"gap {100 * sol.gap:.4f}%, HiGHS {sol.seconds:.2f} s (dekking {sol.phases[0]:.2f} s + gelijkspel "
            f"{sol.phases[1]:.2f} s), totaal {t1 - t0:.2f} s"
        )


def national_part(tables: dict, soort: str, jaar: int) -> None:
    t0 = _t()
    region = select_region(tables, None)
    forecast, origin = baseline_forecast(tables, region, 10)
    t1 = _t()
    market = build_market(tables, origin)
    t2 = _t()
    inst = build_instance(
        tables, None, jaar, OptimiseOptions(kinds=(soort,)), forecast=forecast, origin=origin, market=market
    )
    t3 = _t()
    res = solve_instance(inst, time_limit=120, mip_gap=1e-4)
    t4 = _t()
    m, s = inst.model, res.solution
    print(
        f"[landelijk {soort}] {int((~m.ext).sum())} aanbiedingen op "
        f"{inst.offerings['vestigingscode'].nunique()} vestigingen, {len(inst.areas)} PC4; model {s.size}; "
        f"status {s.status}, gap {100 * s.gap:.4f}%, HiGHS {s.seconds:.2f} s; prognose {t1 - t0:.2f} s, keuzemarkt "
        f"{t2 - t1:.2f} s, opbouw {t3 - t2:.2f} s, oplossen + uitleg {t4 - t3:.2f} s; totaal {t4 - t0:.2f} s "
        f"(doel <= 120 s: {'OK' if t4 - t0 <= 120 else 'TE TRAAG'}); {res.after.changes if res.after else '-'} "
        "wijzigingen"
    )


def mclp_part(tables: dict, p: int, with_spopt: bool) -> None:
    matrix = distance_matrix(tables)
    a = tables["aanbod"]
    active = set(a.loc[a["schooljaar"] == a["schooljaar"].max(), "vestigingscode"])
    sub = matrix.select(vestigingen=sorted(active & set(matrix.vestigingen)))
    year = int(a["schooljaar"].max())
    kids = children_12_17(tables, year).per_pc4.reindex(pd.Index(sub.pc4)).fillna(0.0).to_numpy(float)
    cost = sub.km.astype(float)
    print(
        f"[MCLP] {cost.shape[1]} vestigingen x {cost.shape[0]} PC4, {kids.sum():,.0f} kinderen 12-17 ({year}), "
        f"12 km, p = {p}"
    )
    t0 = _t()
    o = pd.DataFrame({"site": np.arange(cost.shape[1]), "kind": "vo"})
    model = ViableCoverage.from_cost_matrix(cost, kids, o, keep_exactly=p, norm_km=12.0)
    sol = model.solve(time_limit=300, mip_gap=1e-4)
    ours = _t() - t0
    print(
        f"  dekkend (HiGHS direct): objectief {sol.objective:,.1f}, gap {100 * sol.gap:.4f}%, "
        f"HiGHS {sol.seconds:.2f} s, totaal met opbouw {ours:.2f} s"
    )
    if not with_spopt:
        return
    try:
        import pulp
        from spopt.locate import MCLP
    except ImportError:
        print("  spopt niet geïnstalleerd (pip install spopt): vergelijking overgeslagen")
        return
    solvers = [("PuLP + CBC", pulp.PULP_CBC_CMD(msg=False, timeLimit=600))]
    if "HiGHS" in pulp.listSolvers(onlyAvailable=True):
        solvers.append(("PuLP + HiGHS", pulp.HiGHS(msg=False, timeLimit=600)))
    for label, solver in solvers:
        t0 = _t()
        mclp = MCLP.from_cost_matrix(cost, kids, service_radius=12.0, p_facilities=p)
        t1 = _t()
        mclp = mclp.solve(solver)
        t2 = _t()
        value = float(pulp.value(mclp.problem.objective))
        print(
            f"  spopt {label}: objectief {value:,.1f}, opbouw {t1 - t0:.2f} s, oplossen {t2 - t1:.2f} s, totaal "
            f"{t2 - t0:.2f} s; verhouding spopt/dekkend {(t2 - t0) / ours:.1f}x"
        )


def agreement(res: object) -> tuple[bool, str]:
    """Whether a run agrees with the diagnosis (issue 17): a change, or a reason for every knelpunt."""
    if res.changes:  # type: ignore[attr-defined]
        return True, "wijzigingen"
    notes = res.knelpunten  # type: ignore[attr-defined]
    if not notes:
        return True, "geen knelpunten"
    counts: dict[str, int] = {}
    for k in notes:
        counts[k.reden] = counts.get(k.reden, 0) + 1
    ok = all(k.reden and k.toelichting for k in notes)
    return ok, ", ".join(f"{n}x {r}" for r, n in sorted(counts.items()))


def _stored(cache: DerivedCache | None) -> set[str]:
    return set() if cache is None or not cache.folder.is_dir() else {p.name for p in cache.folder.glob("*.npz")}


def corop_part(workspace: Workspace, corops: list[str], years: list[int], limit: float, use_cache: str) -> None:
    """``optimaliseer`` per COROP and year as the CLI runs it; the time includes the forecast, the choice
    market, the distances and the explanation (the werkmap is read once, timed separately)."""
    import shutil

    from dekkend.cache import tables_and_cache
    from dekkend.optimise import optimise

    t0 = _t()
    tables, cache = tables_and_cache(workspace)
    if use_cache == "geen":
        cache = None
    elif use_cache in ("leeg", "voorbereid") and cache is not None:
        shutil.rmtree(cache.folder, ignore_errors=True)
    if use_cache == "voorbereid":  # as `dekkend importeer` leaves the werkmap
        from dekkend.report import prepare_national

        p0, c0 = _t(), time.process_time()
        done = prepare_national(tables, cache)
        took, used = _t() - p0, time.process_time() - c0
        print(f"[corop] voorbereiding zoals na de import: {took:.1f} s (cpu {used:.1f} s); {done}")
    print(
        f"[corop] werkmap lezen: {_t() - t0:.1f} s (eenmalig); cache: "
        f"{'geen' if cache is None else cache.folder}{' (eerst geleegd)' if use_cache == 'leeg' else ''}"
    )
    if not corops:
        corops = sorted(str(c) for c in tables["vestigingen"]["corop_code"].dropna().unique())
    times, cpu, slow, disagree = [], [], 0, 0
    for code in corops:
        for year in years:
            r0, c0, before = _t(), time.process_time(), _stored(cache)
            try:
                options = OptimiseOptions(time_limit=60, mip_gap=1e-4)
                res = optimise(tables, f"corop:{code}", year, options, cache=cache)
            except Exception as exc:  # a benchmark reports every run
                print(f"[corop {code:>2}, {year}] FOUT: {exc}")
                disagree += 1
                continue
            took, used = _t() - r0, time.process_time() - c0
            times.append(took)
            cpu.append(used)
            ok, how = agreement(res)
            changes = res.after.changes if res.after is not None else "-"
            slow += took > limit
            disagree += not ok
            computed = {n.split("-")[0] for n in _stored(cache) - before}
            print(
                f"[corop {code:>2}, {year}] {took:5.1f} s (cpu {used:5.1f} s); berekend: "
                f"{'alles (geen cache)' if cache is None else ', '.join(sorted(computed)) or 'niets'}; "
                f"{res.solution.status}; {changes} wijzigingen; "
                f"met de diagnose eens: {'ja' if ok else 'NEE'} ({how})"
                + ("" if took <= limit else f"; TE TRAAG (doel <= {limit:g} s)"),
                flush=True,
            )
    if times:
        print(
            f"[corop] {len(times)} runs: mediaan {np.median(times):.1f} s, max {max(times):.1f} s, "
            f"{slow} boven {limit:g} s; {disagree} niet eens met de diagnose of mislukt"
        )
        print(
            f"[corop] processortijd (alle threads; op een gedeelde machine dichter bij de tijd op een rustige): "
            f"mediaan {np.median(cpu):.1f} s, max {max(cpu):.1f} s, "
            f"{sum(c > limit for c in cpu)} boven {limit:g} s"
        )


def main() -> None:
    from _header import print_header  # bench/ is on sys.path when a script runs

    print_header("bench/optimise.py")
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--werkmap")
    ap.add_argument("--regio", default="corop:04,05")
    ap.add_argument("--jaar", type=int, default=2020)
    ap.add_argument("--type", default="havo")
    ap.add_argument("--p", type=int, default=500)
    ap.add_argument("--zonder-spopt", action="store_true")
    ap.add_argument(
        "--corops",
        nargs="?",
        const="alle",
        default=None,
        help="alleen optimaliseer per COROP: 'alle' (de 40) of codes als 31,12",
    )
    ap.add_argument("--corop-jaren", default="2030,2034")
    ap.add_argument("--doel-s", type=float, default=20.0)
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--cache-leeg", action="store_true", help="leeg eerst de cache van de werkmap")
    mode.add_argument("--zonder-cache", action="store_true", help="reken alles per run (geen cache)")
    mode.add_argument("--voorbereid", action="store_true", help="lege cache, dan de voorbereiding van de import")
    args = ap.parse_args()
    if args.corops is not None:
        codes = [] if args.corops == "alle" else [c.strip() for c in args.corops.split(",") if c.strip()]
        years = [int(y) for y in args.corop_jaren.split(",")]
        use_cache = "leeg" if args.cache_leeg else "geen" if args.zonder_cache else "ja"
        use_cache = "voorbereid" if args.voorbereid else use_cache
        corop_part(_workspace(args.werkmap), codes, years, args.doel_s, use_cache)
        return
    synthetic_part()
    tables = _workspace(args.werkmap).tables()
    region_part(tables, args.regio, args.jaar)
    national_part(tables, args.type, args.jaar)
    mclp_part(tables, args.p, not args.zonder_spopt)


if __name__ == "__main__":
    main()
