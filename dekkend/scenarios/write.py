"""Writing scenario results: per scenario a folder of tables and JSON, plus a side-by-side comparison."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from dekkend.output import ensure_folder, write_table, write_text_atomic
from dekkend.scenarios.run import ScenarioResult


def slug(name: str) -> str:
    """A file-system friendly name."""
    s = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return s or "scenario"


def _flat(value: object) -> object:
    """A summary value as one table cell: lists become text (places outside the region, warnings)."""
    if not isinstance(value, list):
        return value
    return "; ".join(
        f"{v.get('plaats') or '?'} ({v.get('vestigingscode')}): {v.get('leerlingen')}"
        if isinstance(v, dict)
        else str(v)
        for v in value
    )


def write_results(results: list[ScenarioResult], out_dir: Path, fmt: str = ".csv") -> Path:
    """Write every scenario into ``out_dir/<naam>/`` and the comparison into ``out_dir/vergelijking{fmt}``.

    Per scenario: ``leerlingen`` (per year, vestiging and type: zonder ingrijpen, met scenario, verschil),
    ``verplaatsingen``, ``bereikbaarheid`` (indicators per year and type for both variants),
    ``besturen`` (wat verandert voor wie), ``bekostiging``, ``winst-en-verlies`` (per vestiging
    leerlingen erbij en eraf in het eindjaar, ook buiten de regio, met plaats), ``knelpunten.json`` (both variants) and
    ``scenario.json`` (the summary).
    """
    ensure_folder(out_dir)
    rows = []
    for r in results:
        d = out_dir / slug(r.scenario.naam)
        ensure_folder(d)
        write_table(r.per_vestiging.round(2), d / f"leerlingen{fmt}", sheet="leerlingen")
        write_table(r.moves.round(3), d / f"verplaatsingen{fmt}", sheet="verplaatsingen")
        write_table(r.indicators, d / f"bereikbaarheid{fmt}", sheet="bereikbaarheid")
        write_table(r.boards, d / f"besturen{fmt}", sheet="besturen")
        write_table(r.funding, d / f"bekostiging{fmt}", sheet="bekostiging")
        write_table(r.flows.round(2), d / f"winst-en-verlies{fmt}", sheet="winst en verlies")
        if len(r.shared):
            write_table(r.shared.round(2), d / f"gedeelde-profielen{fmt}", sheet="gedeeld")
        knel = {"zonder_ingrijpen": r.baseline_diagnosis.to_dict(), "met_scenario": r.diagnosis.to_dict()}
        write_text_atomic(d / "knelpunten.json", json.dumps(knel, ensure_ascii=False, indent=2))
        doc = {"samenvatting": r.summary, "scenario": r.scenario.to_dict()}
        write_text_atomic(d / "scenario.json", json.dumps(doc, ensure_ascii=False, indent=2, default=str))
        rows.append({k: _flat(v) for k, v in r.summary.items()})
    comparison = pd.DataFrame(rows)
    write_table(comparison, out_dir / f"vergelijking{fmt}", sheet="vergelijking")
    write_text_atomic(out_dir / "vergelijking.json", json.dumps(rows, ensure_ascii=False, indent=2, default=str))
    return out_dir
