"""Calibrating the choice model's distance decay (issue 17): the figures in docs/methods/choice.md.

Run: ``.venv/bin/python bench/choice_decay.py --werkmap PAD [--deel po,vo,sluitingen]``
(default werkmap: imports ``../shared/data`` first, not timed). Parts:

- ``po``: primary schools (DUO pupils by home PC4, 2017): per province the maximum-likelihood decay,
  the observed mean trip on dekkend's geometry, the modelled mean at that decay, DUO's mean
  address distance (2019/20) for the same vestigingen and the decay that matching DUO's mean
  directly would give; a cluster bootstrap over home gemeenten for one province.
- ``vo``: the geometry check against CBS (nearest vo school) and the decay at which the modelled
  mean trip of Amsterdam's first-years equals the 6.3 km of the Amsterdam study.
- ``sluitingen``: the closure back-test at the prior and the calibrated decay, terms for the same
  board and denomination with bootstrap intervals over closures.
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from dekkend.forecast.decay_fit import (
    DecayProblem,
    Interval,
    po_problem,
    predicted_mean_km,
    school_means,
)

#: Amsterdam study (UvA/VU/OIS 2018, Het Parool 2018-02):
#: "Gemiddeld reizen scholieren 6,3 kilometer naar school".
AMSTERDAM_MEAN_KM = 6.3
#: CBS, nearest vo school: 2.4 km by road over all residents (2014/15, CLO indicator nl213007) and
#: 2.3 km by bicycle route (2021, CBS Nederland in cijfers, reported 2022).
CBS_NEAREST_VO_KM = (2.3, 2.4)
#: dekkend's detour factor (road km = straight line x 1.3, ``docs/methods/reachability.md``).
DETOUR = 1.3
PROVINCES = ("Utrecht", "Zeeland", "Groningen")


def _tables(werkmap: str | None) -> dict[str, pd.DataFrame]:
    from dekkend.ingest import import_paths
    from dekkend.workspace import Workspace

    if werkmap:
        return Workspace(werkmap).require().tables()
    ws = Workspace(Path(tempfile.mkdtemp()) / "w")
    import_paths([Path(__file__).resolve().parents[1].parent / "shared" / "data"], ws)
    return ws.tables()


def _pct(b: float) -> str:
    return f"{b:.3f} ({100 * (1 - math.exp(-b)):.0f}%/km)"


def part_po(tables: dict[str, pd.DataFrame], provinces: tuple[str, ...], replicates: int) -> list[float]:
    """Primary schools per province; returns the DUO/model distance ratios."""
    print("== po: verval uit leerlingen naar woonpostcode (DUO 2017, gewoon basisonderwijs) ==")
    print(
        "provincie | leerlingen | verval ML | gem. reis model-geometrie | model bij ML | "
        "DUO-adres 2019/20 | "
        "DUO/model | verval bij DUO-gemiddelde | idem, DUO x 1,3 | s"
    )
    ratios: list[float] = []
    first: DecayProblem | None = None
    first_b = 0.0
    for prov in provinces:
        t0 = time.perf_counter()
        pr = po_problem(tables, prov)
        b = pr.estimate()
        obs = pr.observed_mean_km()
        pred = pr.predicted_mean_km(b)
        sm = school_means(pr, tables["po_afstand"])
        duo = float((sm["duo_km"] * sm["leerlingen"]).sum() / sm["leerlingen"].sum())
        ours = float((sm["model_km"] * sm["leerlingen"]).sum() / sm["leerlingen"].sum())
        ratios.append(duo / ours)
        b_duo = pr.match_mean(duo * obs / ours)
        b_conv = pr.match_mean(DETOUR * duo * obs / ours)
        print(
            f"{prov} | {pr.flow.sum():,.0f} | {_pct(b)} | {obs:.3f} km | {pred:.3f} km | "
            f"{duo:.3f} km | "
            f"{duo / ours:.2f} | {_pct(b_duo)} | {_pct(b_conv)} | {time.perf_counter() - t0:.0f}"
        )
        if first is None:
            first, first_b = pr, b
    if first is not None:
        t0 = time.perf_counter()
        b_match = first.match_mean()
        print(
            f"{provinces[0]}: verval door het waargenomen gemiddelde (model-geometrie) "
            "na te bootsen: "
            f"{_pct(b_match)} "
            f"(ML {_pct(first_b)}; {time.perf_counter() - t0:.0f} s)"
        )
        t0 = time.perf_counter()
        lo, hi = first_b / 2.5, first_b * 2.5
        boot = first.bootstrap(lambda w: first.estimate(w, bounds=(lo, hi)), first_b, replicates=replicates)
        _print_interval(
            f"{provinces[0]}: clusterbootstrap over woongemeenten "
            f"({len(set(first.clusters))} clusters, "
            f"{replicates} trekkingen)",
            boot,
            time.perf_counter() - t0,
        )
        curv = _curvature_se(first, first_b)
        print(
            f"{provinces[0]}: standaardfout uit de kromming {curv:.4f} tegen bootstrap-sd {boot.draws.std(ddof=1):.4f}"
        )
    return ratios


def _curvature_se(pr: DecayProblem, b: float) -> float:
    h = 0.03 * b
    c = (pr.loglik(b + h) - 2 * pr.loglik(b) + pr.loglik(b - h)) / h**2
    return math.sqrt(-1.0 / c) if c < 0 else float("nan")


def _print_interval(label: str, iv: Interval, seconds: float) -> None:
    print(f"{label}: {iv.estimate:.3f}, 95%-interval {iv.low:.3f}-{iv.high:.3f} ({seconds:.0f} s)")


def part_vo(tables: dict[str, pd.DataFrame], ratios: list[float]) -> None:
    from dekkend.coverage.children import children_12_17
    from dekkend.forecast.asof import as_of
    from dekkend.forecast.choice import PRIOR_DECAY, ChoiceModel, ChoiceParameters
    from dekkend.geo import estimate_matrix

    print("== vo: gemiddelde reisafstand nabootsen ==")
    known = as_of(tables, 2019)
    model = ChoiceModel.from_tables(known, 2019, params=ChoiceParameters(radius_km=60.0))
    children = (
        children_12_17(known, 2019).per_pc4.reindex(model.areas["pc4"].astype(str)).fillna(0.0).to_numpy(float) / 6
    )
    intake = model.schools["instroom_leerlingen"].to_numpy(float)
    pop = tables["bevolking_pc4"]
    pop = pop[(pop["gebied"] == "pc4") & (pop["geslacht"] == "totaal") & (pop["leeftijdsklasse"] == "totaal")]
    pop = pop[pop["jaar"] == pop["jaar"].max()]
    weight = pop.groupby(pop["pc4"].astype(str))["aantal"].sum().astype(float).reindex(model.areas["pc4"].astype(str))
    w = weight.fillna(0.0).to_numpy()
    road = estimate_matrix(model.areas, model.schools[model.schools["instroom"]]).km
    near = np.nanmin(np.where(np.isfinite(road), road, np.nan), axis=1)
    ok = np.isfinite(near)
    ours = float((w[ok] * near[ok]).sum() / w[ok].sum())
    cbs_ratio = [c / ours for c in CBS_NEAREST_VO_KM]
    print(
        f"dichtstbijzijnde vo-vestiging (inwoners {int(pop['jaar'].max())}, model-geometrie): "
        f"{ours:.2f} km; CBS {CBS_NEAREST_VO_KM[0]}-{CBS_NEAREST_VO_KM[1]} km: "
        f"factor {cbs_ratio[0]:.2f}-{cbs_ratio[1]:.2f}"
    )
    ams_codes = set(pop.loc[pop["gemeentecode"].astype(str) == "0363", "pc4"].astype(str))
    ams = model.areas["pc4"].astype(str).isin(ams_codes).to_numpy()
    grid = (0.15, 0.2, 0.25, 0.3, PRIOR_DECAY, 0.45)
    curve = []
    for b in grid:
        nl = predicted_mean_km(model, children, intake, b)
        am = predicted_mean_km(model, children, intake, b, ams)
        curve.append(am)
        print(f"gemiddelde reis leerjaar 1 bij verval {_pct(b)}: Nederland {nl:.2f} km, Amsterdam {am:.2f} km")
    targets = {
        "weg-/fietsafstand, geen correctie": AMSTERDAM_MEAN_KM,
        **{f"weg-/fietsafstand / CBS-factor {f:.2f}": AMSTERDAM_MEAN_KM / f for f in cbs_ratio},
        "rechte lijn x 1,3": AMSTERDAM_MEAN_KM * DETOUR,
        **{
            f"rechte lijn / po-factor DUO {f:.2f}": AMSTERDAM_MEAN_KM / f
            for f in (min(ratios, default=1.0), max(ratios, default=1.0))
        },
    }
    for label, target in targets.items():
        b = invert_curve(grid, curve, target)
        print(f"Amsterdam, doel {target:.2f} km ({label}): verval {_pct(b)}")


def invert_curve(decays: tuple[float, ...], means: list[float], target: float) -> float:
    """The decay at which the modelled mean is ``target`` (log-log linear between grid points)."""
    x, y = np.log(np.asarray(decays)), np.log(np.asarray(means))
    order = np.argsort(y)
    return float(np.exp(np.interp(math.log(target), y[order], x[order])))


def _shares(rows: pd.DataFrame) -> pd.Series:
    """Top-3 share per (decay, board term, denomination term) over the given closure rows."""
    g = rows.groupby(["verval", "bestuur_term", "denominatie_term"])[["gevonden_top3", "leerlingen"]].sum()
    return g["gevonden_top3"] / g["leerlingen"]


def part_closures(tables: dict[str, pd.DataFrame], replicates: int, decays: tuple[float, ...], chosen: float) -> None:
    from dekkend.forecast.choice import PRIOR_DECAY
    from dekkend.scenarios.closures import closure_backtest, find_closures

    print("== sluitingen: terugtoets (aandeel bij de voorspelde top-3) ==")
    decays = tuple(PRIOR_DECAY if abs(d - PRIOR_DECAY) < 1e-3 else d for d in decays)
    chosen = PRIOR_DECAY if abs(chosen - PRIOR_DECAY) < 1e-3 else chosen
    closures = find_closures(tables)
    grid = tuple((bt, dt) for bt in (0.0, 0.5, 1.0, 1.5, 2.0) for dt in (0.0, 0.5, 1.0, 1.5))
    t0 = time.perf_counter()
    rows = pd.concat([closure_backtest(tables, closures, decay=d, terms=grid).assign(verval=d) for d in decays])
    used = rows["vestigingscode"].nunique()
    pupils = float(rows.groupby("vestigingscode")["leerlingen"].first().sum())
    print(
        f"{len(closures)} sluitingen gevonden, {used} met buren gebruikt "
        f"({pupils:,.0f} leerlingen); "
        f"{len(decays)} vervallen x {len(grid)} termen in {time.perf_counter() - t0:.0f} s"
    )
    share = _shares(rows)
    for d in decays:
        s = share.loc[d]
        best = s.idxmax()
        print(
            f"verval {_pct(d)}: zonder termen {s.loc[(0.0, 0.0)]:.1%}, "
            f"termen 1/1 {s.loc[(1.0, 1.0)]:.1%}, "
            f"beste termen {best[0]:g}/{best[1]:g} {s.max():.1%}"
        )
    codes = rows["vestigingscode"].unique()
    rng = np.random.default_rng(0)
    picks, gains, gains_same = [], [], []
    for _ in range(replicates):
        draw = pd.Series(rng.choice(codes, len(codes)))
        sample = rows.merge(
            draw.value_counts().rename("k").rename_axis("vestigingscode").reset_index(),
            on="vestigingscode",
        )
        sample[["gevonden_top3", "leerlingen"]] = sample[["gevonden_top3", "leerlingen"]].mul(sample["k"], axis=0)
        s = _shares(sample)
        picks.append(s.loc[chosen].idxmax())
        gains.append(s.loc[chosen].max() - s.loc[(PRIOR_DECAY, 0.0, 0.0)])
        gains_same.append(s.loc[chosen].max() - s.loc[PRIOR_DECAY].loc[(1.0, 1.0)])
        picks[-1] = (*picks[-1], s.groupby(level=0).max().idxmax())
    pk = np.array(picks, float)
    for i, name in enumerate(("bestuur", "denominatie", "verval (beste over het rooster)")):
        print(
            f"bootstrap over sluitingen ({replicates}x), gekozen {name}: "
            f"mediaan {np.median(pk[:, i]):g}, "
            f"95%-interval {np.quantile(pk[:, i], 0.025):g}-{np.quantile(pk[:, i], 0.975):g}"
        )
    best = share.loc[chosen].max()
    prior = share.loc[(PRIOR_DECAY, 0.0, 0.0)]
    prior11 = share.loc[PRIOR_DECAY].loc[(1.0, 1.0)]
    lo, hi = 100 * np.quantile(gains, 0.025), 100 * np.quantile(gains, 0.975)
    lo11, hi11 = 100 * np.quantile(gains_same, 0.025), 100 * np.quantile(gains_same, 0.975)
    print(
        f"gekalibreerd ({_pct(chosen)}, beste termen) {best:.1%} tegen prior zonder termen "
        f"{prior:.1%}: winst {100 * (best - prior):+.1f} punt, "
        f"95%-interval {lo:+.1f} tot {hi:+.1f}; "
        f"tegen prior met termen 1/1 {prior11:.1%}: {lo11:+.1f} tot {hi11:+.1f}"
    )


def main() -> None:
    from _header import print_header  # bench/ is on sys.path when a script runs

    print_header("bench/choice_decay.py")
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--werkmap")
    ap.add_argument("--deel", default="po,vo,sluitingen")
    ap.add_argument("--provincies", default=",".join(PROVINCES))
    ap.add_argument("--trekkingen", type=int, default=30)
    ap.add_argument(
        "--vervallen",
        default="0.2,0.25,0.26,0.3,0.357,0.45,0.6",
        help="vervallen voor de terugtoets",
    )
    ap.add_argument("--gekozen", type=float, default=0.26, help="het gekalibreerde verval")
    args = ap.parse_args()
    tables = _tables(args.werkmap)
    parts = set(args.deel.split(","))
    ratios: list[float] = []
    if "po" in parts:
        ratios = part_po(tables, tuple(args.provincies.split(",")), args.trekkingen)
    if "vo" in parts:
        part_vo(tables, ratios)
    if "sluitingen" in parts:
        decays = tuple(float(x) for x in args.vervallen.split(","))
        part_closures(tables, max(args.trekkingen, 200), decays, args.gekozen)


if __name__ == "__main__":
    main()
