"""A region's analyses for the workspace, computed by the library and cached per data version.

The analysis is what the regional report shows (:func:`dekkend.report.collect` and
:func:`dekkend.report.report_context`) plus the JSON of ``dekkend diagnose`` and the forecast totals
with bands. It is stored as one JSON file per region under ``<web map>/analyses/<data version>/``,
so every server process and the task worker share it; a re-import of the werkmap changes the data
version and so invalidates every cached analysis at once. Nothing here is module-level state apart
from a small per-process read cache keyed by file path and modification time.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from plotly.utils import PlotlyJSONEncoder

from dekkend import report
from dekkend.cache import method_version, tables_and_cache
from dekkend.forecast import sum_band
from dekkend.workspace import Workspace

#: Version of the cached analysis layout; bump it when :func:`compute` changes what it stores.
LAYOUT = 2
ProgressFn = Callable[[str, int, int], None]


def data_version(werkmap: str | Path) -> str:
    """A short hash of the werkmap's data (its manifest and table of imported files) and of dekkend's code.

    Equal data gives an equal version (also after importing the same files again); any change to the
    imported files, or another version of dekkend (:func:`dekkend.cache.method_version`), gives a new one.
    Cheap enough for every page request: two small files are read.
    """
    folder = Path(werkmap) / "tabellen"
    digest = hashlib.sha256(f"layout{LAYOUT} {method_version()}".encode())
    for name in ("werkmap.json", "bestanden.parquet"):
        path = folder / name
        digest.update(path.read_bytes() if path.exists() else b"-")
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class AnalysisStore:
    """Where the analyses of one werkmap are kept (``web_map/analyses``)."""

    werkmap: Path
    web_map: Path

    def path(self, regio_id: int, version: str | None = None) -> Path:
        return self.web_map / "analyses" / (version or data_version(self.werkmap)) / f"regio-{regio_id}.json"

    def load(self, regio_id: int) -> dict[str, Any] | None:
        """The cached analysis of the current data version, or ``None`` when not computed yet."""
        path = self.path(regio_id)
        try:
            stamp = path.stat().st_mtime_ns
        except FileNotFoundError:
            return None
        return _read_cached(path, stamp)

    def compute(self, regio_id: int, selectie: str, progress: ProgressFn | None = None) -> dict[str, Any]:
        """Run the region's analyses with the library and store them atomically; returns them."""
        version = data_version(self.werkmap)
        # the werkmap's derived results: the national catchments are computed once for all regions
        tables, cache = tables_and_cache(Workspace(self.werkmap).require())
        data = report.collect(tables, selectie, progress=progress, cache=cache)
        context, figures = report.report_context(data)
        figures.items["kaart-aanbod"] = report.offer_map(data)
        figures.kinds["kaart-aanbod"] = "kaart"
        result = {
            "versie": version,
            "regio": regio_id,
            "context": context,
            "figuren": figures.items,
            "soorten": figures.kinds,
            "diagnose": data.diagnosis.to_dict(),
            "prognose": forecast_totals(data.forecast, data.history, data.origin),
            "bronnen": sources_rows(data.sources),
        }
        text = json.dumps(result, cls=PlotlyJSONEncoder, ensure_ascii=False, separators=(",", ":"))
        path = self.path(regio_id, version)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
        loaded: dict[str, Any] = json.loads(text)
        return loaded


def forecast_totals(forecast: pd.DataFrame, history: pd.DataFrame, origin: int) -> dict[str, Any]:
    """The region's and each vestiging's counted and forecast totals per year, with 80% and 95% bands."""

    def rows(band80: pd.DataFrame, band95: pd.DataFrame, keys: list[str]) -> list[dict[str, Any]]:
        both = band80.merge(band95, on=[*keys, "jaar", "verwacht"], suffixes=("80", "95"))
        return [
            {
                **{k: r[k] for k in keys},
                "jaar": int(r["jaar"]),
                "verwacht": round(float(r["verwacht"]), 1),
                "laag80": round(float(r["laag80"]), 1),
                "hoog80": round(float(r["hoog80"]), 1),
                "laag95": round(float(r["laag95"]), 1),
                "hoog95": round(float(r["hoog95"]), 1),
            }
            for _, r in both.iterrows()
        ]

    region = rows(sum_band(forecast, 80), sum_band(forecast, 95), [])
    per_ves = rows(
        sum_band(forecast, 80, by="vestigingscode"), sum_band(forecast, 95, by="vestigingscode"), ["vestigingscode"]
    )
    counted = history.groupby("jaar", as_index=False)["leerlingen"].sum()
    return {
        "peiljaar": int(origin),
        "geteld": [{"jaar": int(r.jaar), "leerlingen": int(round(r.leerlingen))} for r in counted.itertuples()],
        "regio": region,
        "vestigingen": per_ves,
        "methode": "cohortmodel met gekalibreerde intervallen (docs/methods/forecast.md)",
    }


def sources_rows(sources: pd.DataFrame) -> list[dict[str, Any]]:
    """The imported files (data vintages) as plain rows."""
    frame = sources.copy()
    for column in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            frame[column] = frame[column].astype(str)
    records: list[dict[str, Any]] = json.loads(frame.to_json(orient="records", force_ascii=False))
    return records


_READ: OrderedDict[tuple[str, int], dict[str, Any]] = OrderedDict()
_READ_LOCK = threading.Lock()
_READ_MAX = 16


def _read_cached(path: Path, stamp: int) -> dict[str, Any] | None:
    """The parsed JSON of ``path`` at modification time ``stamp``, from a small per-process LRU."""
    key = (str(path), stamp)
    with _READ_LOCK:
        if key in _READ:
            _READ.move_to_end(key)
            return _READ[key]
    try:
        loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    with _READ_LOCK:
        _READ[key] = loaded
        while len(_READ) > _READ_MAX:
            _READ.popitem(last=False)
    return loaded
