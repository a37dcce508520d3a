"""Benchmark: dekkend's own Newton-CG loop in ``ChoiceModel.calibrate`` against scipy's solvers.

Run: ``.venv/bin/python bench/choice_solver.py [WERKMAP] [--herhaal N]``. Always the demo
region (built in memory); with a workspace also the national calibration that
``CohortModel().fit(tables, 2019).predict(15)`` makes. Every calibration the fit asks for is
recorded and solved again with each solver on the same objective, gradient and
Hessian-vector product, from the same (warm) start, with the same stopping rule (largest
difference < 0,01 pupil). Per solver: the best time of N runs, the Newton iterations,
the largest remaining difference, the objective evaluations and Hessian-vector products
(counted in a separate run), and how far its attractiveness and modelled intake lie from
those of the own loop.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

import dekkend.forecast.choice as choice
from dekkend.demo import build_demo_workspace
from dekkend.forecast import make_model
from dekkend.forecast.choice import Calibration, ChoiceModel
from dekkend.workspace import Workspace

SOLVERS = ("eigen", "trust-krylov", "trust-ncg", "Newton-CG")


@dataclass
class Call:
    model: ChoiceModel
    children: np.ndarray
    intake: np.ndarray
    kwargs: dict[str, Any]


def recorded_calls(tables: dict, origin: int) -> list[Call]:
    """The calibrations ``CohortModel().fit(tables, origin).predict(15)`` makes, with inputs."""
    calls: list[Call] = []
    original = ChoiceModel.calibrate

    def spy(self: ChoiceModel, children: np.ndarray, intake: np.ndarray, **kwargs: Any) -> Calibration:
        calls.append(Call(self, np.array(children, float), np.array(intake, float), dict(kwargs)))
        return original(self, children, intake, **kwargs)

    ChoiceModel.calibrate = spy  # type: ignore[method-assign]
    try:
        make_model("cohort").fit(tables, origin).predict(15)
    finally:
        ChoiceModel.calibrate = original  # type: ignore[method-assign]
    return calls


class Counting(choice._Objective):
    """The calibration objective that counts its evaluations and Hessian-vector products."""

    counts = {"evaluate": 0, "hessp": 0}

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        evaluate, hessp = self.evaluate, self.hessp

        def counted_evaluate(x: np.ndarray) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
            Counting.counts["evaluate"] += 1
            return evaluate(x)

        def counted_hessp(*args: np.ndarray) -> np.ndarray:
            Counting.counts["hessp"] += 1
            return hessp(*args)

        self.evaluate, self.hessp = counted_evaluate, counted_hessp


def counted(call: Call, solver: str) -> tuple[int, int]:
    """Objective evaluations and Hessian-vector products of one calibration with ``solver``."""
    original = choice._Objective
    Counting.counts.update(evaluate=0, hessp=0)
    choice._Objective = Counting  # type: ignore[misc, assignment]
    try:
        call.model.calibrate(call.children, call.intake, solver=solver, **call.kwargs)
    finally:
        choice._Objective = original  # type: ignore[misc]
    return Counting.counts["evaluate"], Counting.counts["hessp"]


def warm(call: Call) -> Call:
    """The same calibration at a 10% higher decay, warm-started from the first (as the draws do)."""
    fitted = call.model.calibrate(call.children, call.intake, **call.kwargs).model
    params = replace(fitted.params, decay_per_km=fitted.params.decay_per_km * 1.1)
    return Call(fitted.with_params(params), call.children, call.intake, call.kwargs)


def _nl(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def compare(label: str, call: Call, repeat: int) -> None:
    size = int(call.model.offers.sum())
    levels = "ja" if call.intake.ndim == 2 else "nee"
    started = "ja" if call.model.attractiveness is not None else "nee"
    print(
        f"\n{label}: {_nl(len(call.model.codes))} vestigingen, "
        f"{_nl(call.children.shape[0])} gebieden, {_nl(size)} aanbiedingen, "
        f"instroom per niveau: {levels}, warme start: {started}\n"
    )
    print(
        f"| oplosser | tijd (beste van {repeat}) | iteraties | grootste afwijking (leerling) "
        "| evaluaties | Hv-producten | geconvergeerd | max verschil aantrekkelijkheid "
        "| max verschil instroom (leerling) |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    reference = None
    for solver in SOLVERS:
        best = float("inf")
        for _ in range(repeat):
            t0 = time.perf_counter()
            cal = call.model.calibrate(call.children, call.intake, solver=solver, **call.kwargs)
            best = min(best, time.perf_counter() - t0)
        alpha = np.asarray(cal.model.attractiveness)
        flow = cal.model.intake(call.children * cal.transition)
        if reference is None:
            reference = (alpha, flow)
        finite = np.isfinite(reference[0])
        d_alpha = float(np.abs(alpha[finite] - reference[0][finite]).max()) if finite.any() else 0.0
        d_flow = float(np.abs(flow - reference[1]).max())
        evaluations, products = counted(call, solver)
        row = (
            f"| {solver} | {best:.3f} s | {cal.iterations} | {cal.max_deviation:.4f} | "
            f"{evaluations} | {products} | {'ja' if cal.converged else 'NEE'} | {d_alpha:.2e} | "
            f"{d_flow:.4f} |"
        )
        print(row.replace(".", ","))


def main() -> None:
    from _header import print_header  # bench/ is on sys.path when a script runs

    print_header("bench/choice_solver.py")
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("werkmap", nargs="?", help="een werkmap voor de landelijke kalibratie")
    ap.add_argument("--herhaal", type=int, default=3, help="runs per oplosser (de beste telt)")
    args = ap.parse_args()
    repeat = args.herhaal
    with tempfile.TemporaryDirectory() as tmp:
        demo = build_demo_workspace(Workspace(Path(tmp) / "w")).tables()
    for i, call in enumerate(recorded_calls(demo, 2019)):
        compare(f"Demoregio, kalibratie {i + 1}", call, repeat)
        compare(f"Demoregio, kalibratie {i + 1} opnieuw bij 10% meer verval", warm(call), repeat)
    if args.werkmap:
        tables = Workspace(args.werkmap).require().tables()
        for i, call in enumerate(recorded_calls(tables, 2019)):
            compare(f"Landelijk (peiljaar 2019), kalibratie {i + 1}", call, repeat)
            again = f"Landelijk, kalibratie {i + 1} opnieuw bij 10% meer verval"
            compare(again, warm(call), repeat)


if __name__ == "__main__":
    main()
