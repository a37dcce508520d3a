"""Writing back-test scores as a Markdown section of ``docs/forecast-accuracy.md``."""

from __future__ import annotations

import re
from pathlib import Path

from dekkend.forecast.backtest import BacktestResult

_MODEL_NL = {"geen-verandering": "geen verandering", "trend": "regionale trend", "cohort": "cohort"}


def _pct(x: float) -> str:
    return "n.v.t." if x != x else f"{100 * x:.1f}%"


def accuracy_markdown(result: BacktestResult, command: str) -> str:
    """A Markdown section with the scores per model and target year, and the command that made it."""
    title = (f"## Niveau {result.level}: peiljaar {result.as_of}, doeljaren "
             f"{', '.join(str(t) for t in result.targets)}")
    lines = [title, "", f"Opnieuw maken: `{command}`", "",
             "| model | doeljaar | horizon | eenheden | werkelijk | verwacht | WAPE | MAPE | bias | dekking 80% | dekking 95% |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in result.scores.sort_values(["jaar", "model"]).itertuples():
        lines.append(
            f"| {_MODEL_NL.get(r.model, r.model)} | {r.jaar} | {r.jaar - result.as_of} | {r.eenheden} | {r.werkelijk:,.0f} | "
            f"{r.verwacht:,.0f} | {_pct(r.wape)} | {_pct(r.mape)} | {_pct(r.bias)} | {_pct(r.dekking80)} | {_pct(r.dekking95)} |"
        )
    base = result.scores[result.scores["model"] == "geen-verandering"].set_index("jaar")["wape"]
    coh = result.scores[result.scores["model"] == "cohort"].set_index("jaar")["wape"]
    if len(base) and len(coh):
        gain = ", ".join(f"{t}: {_pct(1 - coh[t] / base[t])}" for t in coh.index if base.get(t, 0) > 0)
        lines += ["", f"WAPE van het cohortmodel ten opzichte van geen verandering (lager is beter; positief = winst): {gain}."]
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
interval. Vestigingen die tussen peiljaar en doeljaar sloten of nieuw zijn, tellen mee met 0 aan de
andere kant. Elk blok hieronder is gemaakt met het commando dat erbij staat.
"""
