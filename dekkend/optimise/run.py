"""One call behind ``dekkend optimaliseer``: build, solve, explain, and write the scenario and its figures."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from dekkend.cache import DerivedCache
from dekkend.formatting import school_year
from dekkend.geo import DistanceMatrix
from dekkend.norms import Settings
from dekkend.optimise.explain import (
    Change,
    Saved,
    explain_changes,
    explain_infeasible,
    explain_saved,
)
from dekkend.optimise.explain import dutch_number as _num
from dekkend.optimise.flows import MarketLike
from dekkend.optimise.instance import Instance, build_instance
from dekkend.optimise.knelpunten import KnelpuntNote, knelpunt_notes
from dekkend.optimise.options import OptimiseOptions
from dekkend.optimise.reach import configured_offer
from dekkend.optimise.results import Evaluation, Solution
from dekkend.scenarios.baseline import Baseline
from dekkend.scenarios.format import Measure, Scenario, SluitVestiging, StopAanbod
from dekkend.scenarios.offer import offer_in_year

YAML_NAME = "optimalisatie.yaml"
JSON_NAME = "optimalisatie.json"


@dataclass(frozen=True, eq=False)
class Figures:
    """What a configuration gives in the first year: children within the norm per kind, pupils per kept offering.

    ``coverage``: ``onderwijstype, kinderen_binnen_norm, aandeel_binnen_norm``;
    ``pupils``: ``vestigingscode, onderwijstype, profiel, jaar, leerlingen, drempel``
    (the pupils of each kept offering of the region, a leerweg with its profielen).
    """

    coverage: pd.DataFrame
    pupils: pd.DataFrame


@dataclass(frozen=True, eq=False)
class Optimisation:
    """The optimiser's result: the solution, today's and the no-action coverage, and the explanations."""

    instance: Instance
    solution: Solution
    today: Evaluation
    no_action: Evaluation
    changes: tuple[Change, ...]
    saved: tuple[Saved, ...]
    infeasible: tuple[str, ...]
    reach: pd.DataFrame | None = None
    knelpunten: tuple[KnelpuntNote, ...] = ()

    @property
    def feasible(self) -> bool:
        """True when a configuration was found."""
        return self.solution.evaluation is not None

    @property
    def after(self) -> Evaluation | None:
        """The figures of the chosen configuration."""
        return self.solution.evaluation

    def scenario(self) -> Scenario | None:
        """The configuration as a scenario (``None`` when infeasible or without changes)."""
        if not self.feasible or not self.changes:
            return None
        inst = self.instance
        closed = {c.vestigingscode for c in self.changes if c.soort == "sluit-vestiging"}
        measures: list[Measure] = [SluitVestiging(inst.jaar, code) for code in sorted(closed)]
        measures += [
            StopAanbod(inst.jaar, c.vestigingscode, c.onderwijstype, c.profiel)
            for c in self.changes
            if c.soort == "stop-aanbod"
        ]
        s = self.solution
        tot = self.totals()
        text = (
            f"Gevonden door dekkend optimaliseer (toewijzing {inst.assignment}): {len(self.changes)} wijzigingen "
            f"vanaf {school_year(inst.jaar)}. Kinderen binnen {_num(inst.norm_km)} km, opgeteld over de soorten "
            f"aanbod: {_num(tot['optimaal'] or s.objective)} (zonder ingrijpen "
            f"{_num(tot['zonder_ingrijpen'] or 0)}); status {s.status}, gap {_num(100 * s.gap, 3)}%."
        )
        return Scenario(f"Optimalisatie {inst.region.label} {inst.jaar}", text, tuple(measures))

    def figures(self) -> Figures:
        """The figures of the chosen configuration (as :func:`scenario_figures` computes them from the YAML)."""
        return figures_of(self.instance, self.after if self.after is not None else self.today)

    def coverage_table(self) -> pd.DataFrame:
        """Children within the norm per kind: now (last count), zonder ingrijpen and optimal (first year).

        With the workspace behind the instance the three columns come from
        :func:`dekkend.coverage.run.reachability` (the figures of ``dekkend bereikbaarheid``;
        ``kinderen_nu`` are the children of the last counted year, ``kinderen`` those of the
        first year); without it (a bare model) from the model's own evaluation.
        """
        if self.reach is not None:
            return self.reach.copy()
        inst = self.instance
        total = float(inst.children.sum())
        rows = []
        for k in inst.model.kinds:
            row = {
                "onderwijstype": k,
                "kinderen_nu": round(total, 1),
                "nu": round(self.today.coverage[k], 1),
                "kinderen": round(total, 1),
                "zonder_ingrijpen": round(self.no_action.coverage[k], 1),
            }
            row["optimaal"] = round(self.after.coverage[k], 1) if self.after is not None else None
            rows.append(row)
        return pd.DataFrame(rows)

    def totals(self) -> dict[str, float | None]:
        """Children within the norm summed over the model's kinds: ``nu``, ``zonder_ingrijpen``, ``optimaal``."""
        t = self.coverage_table()
        return {c: (None if t[c].isna().any() else float(t[c].sum())) for c in ("nu", "zonder_ingrijpen", "optimaal")}

    def to_dict(self) -> dict:
        """Everything as JSON-ready data (``optimalisatie.json``)."""
        inst, s = self.instance, self.solution
        out = {
            "regio": inst.region.label,
            "regio_expressie": inst.region.expression,
            "peiljaar": inst.origin,
            "jaar": inst.jaar,
            "jaren": list(inst.years),
            "normafstand_km": inst.norm_km,
            "toewijzing": inst.assignment,
            "kinderen_methode": inst.children_method,
            "drempels": {"per_type": dict(inst.thresholds.per_type), "per_profiel": dict(inst.thresholds.per_profiel)},
            "status": s.status,
            "doelfunctie": _round(s.objective),
            "grens": _round(s.bound),
            "gap": _round(s.gap, 6),
            "rekentijd_s": round(s.seconds, 3),
            "omvang": s.size,
            "wijzigingen_aantal": None if self.after is None else self.after.changes,
            "dekking": self.coverage_table().to_dict(orient="records"),
            "wijzigingen": [c.to_dict() for c in self.changes],
            "behouden": [x.to_dict() for x in self.saved],
            "onhaalbaar": list(self.infeasible),
            "knelpunten": [k.to_dict() for k in self.knelpunten],
            "aanbod": _records(self.offer_table()),
        }
        return out

    def offer_table(self) -> pd.DataFrame:
        """Per offering of the region: status, threshold, forecast pupils, pupils in the configuration, kept."""
        inst = self.instance
        o = inst.offerings
        inside = o["in_regio"].to_numpy(bool)
        after = self.after
        frame = (
            o.loc[inside, ["vestigingscode", "onderwijstype", "profiel", "status", "threshold"]]
            .rename(columns={"threshold": "drempel"})
            .copy()
        )
        frame["leerlingen_prognose"] = inst.model.pupils[inside, 0].round(1)
        frame["zonder_ingrijpen"] = inst.no_action[inside]
        if after is not None:
            frame["blijft"] = after.keep[inside]
            frame["leerlingen_opstelling"] = after.intake[inside, 0].round(1)
        return frame.reset_index(drop=True)

    def write(self, folder: Path) -> tuple[Path | None, Path]:
        """Write ``optimalisatie.yaml`` (when there is a configuration with changes) and ``optimalisatie.json``."""
        folder.mkdir(parents=True, exist_ok=True)
        scenario = self.scenario()
        yaml_path = None
        if scenario is not None:
            yaml_path = folder / YAML_NAME
            _atomic(yaml_path, scenario.to_yaml())
        json_path = folder / JSON_NAME
        _atomic(json_path, json.dumps(self.to_dict(), ensure_ascii=False, indent=2, default=_json_default))
        return yaml_path, json_path


def _atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def _round(x: float, digits: int = 3) -> float | None:
    return None if x is None or not np.isfinite(x) else round(float(x), digits)


def _json_default(x: object) -> object:
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, np.ndarray):
        return x.tolist()
    raise TypeError(type(x))


def _records(frame: pd.DataFrame) -> list[dict]:
    return [
        {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in r.items()}
        for r in frame.to_dict(orient="records")
    ]


def optimise(
    tables: dict[str, pd.DataFrame],
    regio: str | None,
    year: int,
    options: OptimiseOptions | None = None,
    *,
    baseline: Baseline | None = None,
    forecast: pd.DataFrame | None = None,
    origin: int | None = None,
    market: MarketLike | None = None,
    matrix: DistanceMatrix | None = None,
    settings: Settings | None = None,
    cache: DerivedCache | None = None,
) -> Optimisation:
    """Which offerings of region ``regio`` to keep from ``year``: most children within the norm.

    ``options`` (:class:`~dekkend.optimise.options.OptimiseOptions`) holds the user's choices:
    locks, the change limit, the assignment, the kinds, the solver's limits. A ``baseline``
    (:func:`dekkend.scenarios.baseline`, the region "zonder ingrijpen") gives the forecast,
    the distances and the calibrated choice model, computed once and shared with the
    scenarios; without it they are computed here (or taken from ``forecast``/``origin``,
    ``market`` and ``matrix``; the calibrated choice model from ``cache``, the werkmap's
    :class:`dekkend.cache.DerivedCache`, when it holds it). See
    :func:`dekkend.optimise.instance.build_instance` for the inputs and
    :class:`dekkend.optimise.model.ViableCoverage` for the formulation. Raises
    :class:`~dekkend.errors.DekkendError` subclasses with Dutch messages for bad input; an
    infeasible instance is not an error: ``infeasible`` explains it.
    """
    options = options or OptimiseOptions()
    if baseline is not None:
        baseline.check(tables, regio)
        forecast, origin = baseline.forecast, baseline.origin
        matrix = baseline.matrix if matrix is None else matrix
        if market is None:
            region = baseline.region
            focus = None if region.expression == "nl" else tuple(region.vestigingen)
            market = baseline.market(focus)
    inst = build_instance(
        tables,
        regio,
        year,
        options,
        forecast=forecast,
        origin=origin,
        market=market,
        matrix=matrix,
        settings=settings,
        cache=cache,
    )
    return solve_instance(inst, time_limit=options.time_limit, mip_gap=options.mip_gap)


def solve_instance(
    inst: Instance, *, time_limit: float = 60.0, mip_gap: float = 1e-4, explain_knelpunten: bool = True
) -> Optimisation:
    """Solve a built instance and explain the result.

    Without changes, every viability and reach knelpunt of the diagnosis is explained
    (:func:`dekkend.optimise.knelpunten.knelpunt_notes`) unless ``explain_knelpunten`` is false.
    """
    model = inst.model
    solution = model.solve(time_limit=time_limit, mip_gap=mip_gap)
    today = model.today()
    no_action = model.evaluate(inst.no_action)
    if solution.evaluation is None:
        lines = (
            explain_infeasible(inst, solution.shortfalls)
            if solution.status == "onhaalbaar"
            else [f"Geen opstelling gevonden binnen de tijdslimiet ({solution.status})."]
        )
        return Optimisation(inst, solution, today, no_action, (), (), tuple(lines), reach_table(inst, None))
    changes = _mark_closed_vestigingen(inst, explain_changes(inst, solution.evaluation), solution.evaluation)
    saved = explain_saved(inst, solution.evaluation)
    result = Optimisation(
        inst, solution, today, no_action, tuple(changes), tuple(saved), (), reach_table(inst, solution.evaluation)
    )
    if not changes and inst.reach is not None and explain_knelpunten:
        result = replace(result, knelpunten=tuple(knelpunt_notes(inst, solution.evaluation)))
    return result


def reach_table(inst: Instance, after: Evaluation | None) -> pd.DataFrame | None:
    """The coverage table from :func:`dekkend.coverage.run.reachability` (``None`` without the workspace)."""
    if inst.reach is None:
        return None
    rc = inst.reach
    now = rc.within_norm(inst.origin).set_index("onderwijstype")
    later = rc.within_norm(inst.jaar).set_index("onderwijstype")
    opt = None
    if after is not None:
        o = inst.offerings
        inside = o["in_regio"].to_numpy(bool)
        rows = zip(
            o.loc[inside, "vestigingscode"],
            o.loc[inside, "onderwijstype"],
            o.loc[inside, "profiel"],
            after.keep[inside],
            strict=True,
        )
        opt = rc.within_norm(inst.jaar, configured_offer(rc.offer, inst.jaar, rows)).set_index("onderwijstype")
    out = []
    for k in inst.model.kinds:
        out.append(
            {
                "onderwijstype": k,
                "kinderen_nu": round(float(now.at[k, "kinderen"]), 1),
                "nu": round(float(now.at[k, "binnen_norm"]), 1),
                "kinderen": round(float(later.at[k, "kinderen"]), 1),
                "zonder_ingrijpen": round(float(later.at[k, "binnen_norm"]), 1),
                "optimaal": None if opt is None else round(float(opt.at[k, "binnen_norm"]), 1),
            }
        )
    return pd.DataFrame(out)


def _mark_closed_vestigingen(inst: Instance, changes: list[Change], after: Evaluation) -> list[Change]:
    """A vestiging without onderbouw whose every offering stops closes (``sluit-vestiging``)."""
    o = inst.offerings
    inside = o["in_regio"].to_numpy(bool)
    closed = set()
    for code in set(o.loc[inside, "vestigingscode"]):
        rows = inside & (o["vestigingscode"] == code).to_numpy()
        if not after.keep[rows].any() and code not in inst.onderbouw:
            closed.add(code)
    return [replace(c, soort="sluit-vestiging") if c.vestigingscode in closed else c for c in changes]


def figures_of(inst: Instance, evaluation: Evaluation) -> Figures:
    """Coverage per kind and pupils per kept region offering of one evaluated configuration."""
    total = float(inst.children.sum())
    coverage = pd.DataFrame(
        {
            "onderwijstype": list(inst.model.kinds),
            "kinderen_binnen_norm": [evaluation.coverage[k] for k in inst.model.kinds],
            "aandeel_binnen_norm": [evaluation.coverage[k] / total if total > 0 else np.nan for k in inst.model.kinds],
        }
    )
    o = inst.offerings
    keep = evaluation.keep & o["in_regio"].to_numpy(bool)
    parts = []
    for t, year in enumerate(inst.years):
        parts.append(
            pd.DataFrame(
                {
                    "vestigingscode": o.loc[keep, "vestigingscode"].to_numpy(),
                    "onderwijstype": o.loc[keep, "onderwijstype"].to_numpy(),
                    "profiel": o.loc[keep, "profiel"].to_numpy(object),
                    "jaar": year,
                    "leerlingen": evaluation.intake[keep, t],
                    "drempel": inst.model.threshold[keep],
                }
            )
        )
    pupils = pd.concat(parts, ignore_index=True)
    pupils["profiel"] = pupils["profiel"].astype(object).where(pupils["profiel"].notna(), None)
    return Figures(coverage, pupils)


def scenario_figures(inst: Instance, scenario: Scenario) -> Figures:
    """The figures a scenario implies for this instance: its measures applied to the region's offerings
    (with :func:`dekkend.scenarios.offer.offer_in_year`), then evaluated like the optimiser does."""
    o = inst.offerings
    inside = o["in_regio"].to_numpy(bool)
    base = set(zip(o.loc[inside, "vestigingscode"], o.loc[inside, "sleutel"], strict=True))
    after = offer_in_year(base, scenario, inst.jaar, tuple(inst.region.vestigingen))
    keep = np.array(
        [(not i) or ((v, k) in after) for v, k, i in zip(o["vestigingscode"], o["sleutel"], inside, strict=True)]
    )
    return figures_of(inst, inst.model.evaluate(keep))
