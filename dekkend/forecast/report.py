"""Writing back-test scores as a Markdown section of ``docs/forecast-accuracy.md``."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from dekkend.forecast.backtest import BacktestResult

_MODEL_NL = {
    "geen-verandering": "geen verandering",
    "trend": "regionale trend",
    "cohort": "cohort",
    "duo": "DUO-prognose",
}
#: Goals of the Forecast II issue: WAPE reduction against no change per level, and the 80% coverage band.
GOALS = {"gemeente": 0.40, "vestiging": 0.10, "brin": 0.10}
COVERAGE_BAND = (0.75, 0.85)
_LEVEL_NL = {
    "vestiging": "vestiging (gekoppelde eenheden)",
    "brin": "school (BRIN, gekoppeld)",
    "gemeente": "woongemeente",
}


def _pct(x: float) -> str:
    return "n.v.t." if x is None or x != x else f"{100 * x:.1f}%"


def _category(row: pd.Series) -> str:
    how = str(row["koppeling"])
    if how in ("nieuw", "gesloten"):
        return how
    if "+" in str(row["eenheid"]):
        return "samengevoegd of gesplitst"
    return "zelfde eenheid"


def _scores_table(scores: pd.DataFrame, as_of: int) -> list[str]:
    lines = [
        "| model | doeljaar | horizon | eenheden | werkelijk | verwacht | WAPE | MAPE | bias | dekking 80% | dekking "
        "95% "
        "| dekking 80% (met prognose) | dekking 95% (met prognose) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in scores.sort_values(["jaar", "model"]).itertuples():
        lines.append(
            f"| {_MODEL_NL.get(r.model, r.model)} | {r.jaar} | {r.jaar - as_of} | {r.eenheden} | {r.werkelijk:,.0f} | "
            f"{r.verwacht:,.0f} | {_pct(r.wape)} | {_pct(r.mape)} | {_pct(r.bias)} | {_pct(r.dekking80)} | "
            f"{_pct(r.dekking95)} | "
            f"{_pct(getattr(r, 'dekking80_prognose', np.nan))} | {_pct(getattr(r, 'dekking95_prognose', np.nan))} |"
        )
    return lines


def _goal_lines(result: BacktestResult) -> list[str]:
    s = result.scores.set_index(["model", "jaar"])
    base = (
        s.xs("geen-verandering", level="model")["wape"] if "geen-verandering" in s.index.get_level_values(0) else None
    )
    coh = s.xs("cohort", level="model") if "cohort" in s.index.get_level_values(0) else None
    if base is None or coh is None:
        return []
    goal = GOALS.get(result.level, 0.10)
    gains = {t: 1 - coh.at[t, "wape"] / base[t] for t in coh.index if base.get(t, 0) > 0}
    lines = [
        "",
        "WAPE van het cohortmodel ten opzichte van geen verandering (positief = winst): "
        + ", ".join(f"{t}: {_pct(g)}" for t, g in gains.items())
        + ".",
    ]
    last = max(gains) if gains else None
    if last is not None:
        ok = gains[last] >= goal
        lines.append(
            f"Doel ({_pct(goal)} lager dan geen verandering in {last}): **{'gehaald' if ok else 'niet gehaald'}** "
            f"({_pct(coh.at[last, 'wape'])} tegen {_pct(base[last])}; nodig: hoogstens "
            f"{_pct((1 - goal) * base[last])})."
        )
    cov = coh["dekking80_prognose"] if "dekking80_prognose" in coh else coh["dekking80"]
    inside = [t for t in cov.index if COVERAGE_BAND[0] <= cov[t] <= COVERAGE_BAND[1]]
    lines.append(
        "Dekking van het 80%-interval van het cohortmodel (eenheden met prognose): "
        + ", ".join(f"{t}: {_pct(cov[t])}" for t in cov.index)
        + f"; binnen {_pct(COVERAGE_BAND[0])}-{_pct(COVERAGE_BAND[1])} in {len(inside)} van {len(cov)} doeljaren."
    )
    return lines


def _coverage_lines(result: BacktestResult) -> list[str]:
    c = result.coverage
    if c is None or c.empty:
        return []
    c = c[c["model"] == "cohort"]
    lines = [
        "",
        "Dekking van de intervallen van het cohortmodel per horizon en grootteklasse (verwacht aantal):",
        "",
        "| horizon | klasse | eenheden | dekking 80% | dekking 95% |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {r.horizon} | {r.klasse} | {r.eenheden} | {_pct(r.dekking80)} | {_pct(r.dekking95)} |"
        for r in c.itertuples()
    ]
    return lines


def _calibration_lines(result: BacktestResult) -> list[str]:
    cal = result.calibration
    if cal is None:
        return []
    how = {
        "andere-peiljaren": f"back-tests vanaf de peiljaren {', '.join(map(str, cal.origins))} (niet {result.as_of})",
        "kruisvalidatie": "kruisvalidatie over groepen BRIN's binnen dit ene peiljaar",
        "geen": "geen (vaste regel)",
    }
    lines = ["", f"Intervallen gekalibreerd op: {how.get(cal.method, cal.method)}."]
    lines += [f"{n}" for n in result.notes]
    return lines


def _origin_lines(result: BacktestResult) -> list[str]:
    """Coverage of every origin with intervals calibrated on the others (gemeente level)."""
    oc = result.origin_coverage
    if oc is None or oc.empty:
        return []
    table = oc.pivot_table(index="peiljaar", columns="horizon", values="dekking80")
    hs = list(table.columns)
    lines = [
        "",
        "Dekking van het 80%-interval van het cohortmodel voor elk peiljaar, telkens gekalibreerd op alle andere "
        "peiljaren. De fouten van het getoetste peiljaar zelf zitten niet in de kalibratie, die van latere peiljaren "
        "(met deels dezelfde doeljaren) wel: dit is dus geen toets met alleen wat op het peiljaar bekend was.",
        "",
        "| peiljaar | " + " | ".join(f"h={h}" for h in hs) + " |",
        "|---|" + "---|" * len(hs),
    ]
    for y, row in table.iterrows():
        lines.append(f"| {y} | " + " | ".join(_pct(row[h]) if row[h] == row[h] else "" for h in hs) + " |")
    v = oc["dekking80"].to_numpy(float)
    inside = int(((v >= COVERAGE_BAND[0]) & (v <= COVERAGE_BAND[1])).sum())
    lines += [
        "",
        f"Over alle {len(v)} combinaties van peiljaar en horizon: gemiddeld {_pct(float(v.mean()))}, "
        f"van {_pct(float(v.min()))} tot {_pct(float(v.max()))}; binnen "
        f"{_pct(COVERAGE_BAND[0])}-{_pct(COVERAGE_BAND[1])} in "
        f"{inside} van {len(v)}.",
    ]
    return lines


def _level_lines(result: BacktestResult) -> list[str]:
    """How much of the unit-level error is the national level (analysis only).

    Every model's forecasts are scaled so that the units it forecast add up to their
    actual total; units without a forecast (new ones) keep 0.
    """
    d = result.detail[result.detail["jaar"] == max(result.targets)]
    parts = []
    for model, g in d.groupby("model"):
        known = g["verwacht"] > 0
        actual, fc = float(g.loc[known, "werkelijk"].sum()), float(g.loc[known, "verwacht"].sum())
        total = float(g["werkelijk"].sum())
        if actual <= 0 or fc <= 0 or total <= 0:
            continue
        scaled = g["verwacht"] * actual / fc
        parts.append(f"{_MODEL_NL.get(model, model)} {_pct(float((scaled - g['werkelijk']).abs().sum() / total))}")
    if not parts:
        return []
    return [
        "",
        f"Ter analyse, geen prognose: met het werkelijke totaal van {max(result.targets)} van de eenheden met een "
        "prognose vooraf bekend (elke prognose daarnaar geschaald; nieuwe eenheden blijven 0) zou de WAPE zijn: "
        + ", ".join(parts)
        + ". Wat dan overblijft, zijn verschuivingen tussen eenheden en nieuwe eenheden.",
    ]


def _breakdown_lines(result: BacktestResult, top: int = 10) -> list[str]:
    if result.level == "gemeente":
        d = result.detail[(result.detail["model"] == "cohort") & (result.detail["jaar"] == max(result.targets))].copy()
        d["fout"] = d["verwacht"] - d["werkelijk"]
        d = d.reindex(d["fout"].abs().sort_values(ascending=False).index).head(top)
        lines = [
            "",
            f"Grootste fouten van het cohortmodel in {max(result.targets)}:",
            "",
            "| gemeente | werkelijk | verwacht | fout |",
            "|---|---|---|---|",
        ]
        name = d["naam"].fillna("") if "naam" in d.columns else pd.Series("", index=d.index)
        return lines + [
            f"| {r.eenheid} {n} | {r.werkelijk:,.0f} | {r.verwacht:,.0f} | {r.fout:+,.0f} |"
            for r, n in zip(d.itertuples(), name, strict=True)
        ]
    d = result.detail[result.detail["jaar"] == max(result.targets)].copy()
    d["soort"] = d.apply(_category, axis=1)
    d["absfout"] = (d["verwacht"] - d["werkelijk"]).abs()
    total = d.groupby("model")["werkelijk"].sum()
    part = d.groupby(["soort", "model"])["absfout"].sum().unstack("model")
    models = [m for m in ("cohort", "geen-verandering", "duo") if m in part.columns]
    counts = d[d["model"] == models[0]].groupby("soort").size()
    lines = [
        "",
        f"Waar de fout zit ({max(result.targets)}; bijdrage aan de WAPE per soort eenheid):",
        "",
        "| soort eenheid | eenheden | " + " | ".join(_MODEL_NL.get(m, m) for m in models) + " |",
        "|---|---|" + "---|" * len(models),
    ]
    for soort in part.index:
        lines.append(
            f"| {soort} | {counts.get(soort, 0)} | "
            + " | ".join(_pct(part.at[soort, m] / total[m]) for m in models)
            + " |"
        )
    c = d[d["model"] == "cohort"].assign(fout=lambda f: f["verwacht"] - f["werkelijk"])
    c = c.reindex(c["fout"].abs().sort_values(ascending=False).index).head(top)
    lines += [
        "",
        "Grootste fouten van het cohortmodel:",
        "",
        "| eenheid | koppeling | verwacht | werkelijk | fout |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {r.eenheid} | {r.koppeling} | {r.verwacht:,.0f} | {r.werkelijk:,.0f} | {r.fout:+,.0f} |"
        for r in c.itertuples()
    ]
    return lines


def accuracy_markdown(result: BacktestResult, command: str) -> str:
    """A Markdown section with the scores per model and target year, goals, coverage and error analysis."""
    title = (
        f"## Niveau {_LEVEL_NL.get(result.level, result.level)}: peiljaar {result.as_of}, doeljaren "
        f"{', '.join(str(t) for t in result.targets)}"
    )
    lines = [title, "", f"Opnieuw maken: `{command}`", "", *_scores_table(result.scores, result.as_of)]
    lines += _goal_lines(result)
    if result.code_scores is not None and len(result.code_scores):
        cs = result.code_scores
        lines += [
            "",
            "Zonder koppeling (vestigingscode tegen vestigingscode, zoals in Forecast I): "
            + ", ".join(
                f"{_MODEL_NL.get(r.model, r.model)} {r.jaar}: WAPE {_pct(r.wape)}, dekking 80% {_pct(r.dekking80)}"
                for r in cs.sort_values(["jaar", "model"]).itertuples()
            )
            + ".",
        ]
    lines += _calibration_lines(result)
    lines += _coverage_lines(result)
    lines += _origin_lines(result)
    if result.level != "gemeente":
        lines += _level_lines(result)
    lines += _breakdown_lines(result)
    return "\n".join(lines) + "\n"


def write_accuracy_section(path: Path, result: BacktestResult, command: str) -> Path:
    """Put the section for this case into ``path``, replacing an earlier run of the same case."""
    key = f"<!-- case: {result.level}-{result.as_of}-{'-'.join(map(str, result.targets))} -->"
    section = f"{key}\n{accuracy_markdown(result, command)}{key.replace('case:', 'end:')}\n"
    text = path.read_text(encoding="utf-8") if path.exists() else _HEADER
    pattern = re.compile(re.escape(key) + r".*?" + re.escape(key.replace("case:", "end:")) + r"\n", re.S)
    text = pattern.sub(lambda _: section, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


_HEADER = """# Nauwkeurigheid van de prognoses

Back-tests: een prognose gemaakt met alleen de gegevens die op het peiljaar bekend waren (de as-of-regel:
niets met een peildatum na 1 oktober van het peiljaar), vergeleken met wat daarna werkelijk geteld is.
WAPE = som van de absolute fouten gedeeld door de som van de werkelijke aantallen; MAPE = gemiddelde
absolute procentuele fout over eenheden met werkelijk meer dan 0; bias = som van de fouten gedeeld door
de som van de werkelijke aantallen (positief = te hoog); dekking = aandeel werkelijke waarden binnen het
interval, over alle eenheden en over de eenheden met een prognose. Op vestigings- en schoolniveau worden
eenheden over de jaren gekoppeld (zelfde code, zelfde adres, of een BRIN die in het peiljaar op één
vestiging stond; zie `dekkend/forecast/units.py`); eenheden die tussen peiljaar en doeljaar sloten of
nieuw zijn, tellen mee met 0 aan de andere kant. De intervallen zijn gekalibreerd op back-testfouten van
andere peiljaren dan het gerapporteerde (of, met maar één peiljaar, met kruisvalidatie over BRIN's).
Elk blok hieronder is gemaakt met het commando dat erbij staat.
"""
