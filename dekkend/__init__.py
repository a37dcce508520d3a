"""dekkend: a complete, reachable secondary-school offer in a region, also when pupil numbers fall.

The typed public API; the ``dekkend`` command line is a thin Dutch shell over it. ``import dekkend``
is fast: the namespaces and the names below load on first use (PEP 562), so a program pays only for
what it uses.

Namespaces, each with a complete ``__all__``, one per step of the pipeline:

- :mod:`dekkend.ingest`: :func:`~dekkend.ingest.import_paths` reads DUO and CBS files into a
  :class:`Workspace`; :func:`~dekkend.ingest.download_and_import` fetches them first;
- :mod:`dekkend.geo` and :mod:`dekkend.norms`: distances and travel times; the cited norms and
  dekkend's own thresholds (:func:`~dekkend.norms.load_settings`);
- :mod:`dekkend.forecast`: pupils per vestiging, onderwijstype and leerjaar
  (:func:`~dekkend.forecast.make_model`, :class:`~dekkend.forecast.CohortModel`), intervals and
  back-tests (:func:`~dekkend.forecast.run_backtest`);
- :mod:`dekkend.coverage`: reachability of every type and profiel
  (:func:`~dekkend.coverage.reachability`);
- :mod:`dekkend.diagnose`: the knelpunten of a region (:func:`~dekkend.diagnose.diagnose`, the one
  :class:`~dekkend.diagnose.Knelpunt` and its types :data:`~dekkend.diagnose.KNELPUNT_TYPES`);
- :mod:`dekkend.scenarios`: cooperation scenarios against "zonder ingrijpen"
  (:func:`~dekkend.scenarios.load_scenario`, :func:`~dekkend.scenarios.run_scenario`);
- :mod:`dekkend.optimise`: regional configurations with HiGHS (:func:`~dekkend.optimise.optimise`);
- :mod:`dekkend.knowledge`: the knowledge base (:func:`~dekkend.knowledge.search`,
  :func:`~dekkend.knowledge.match_knelpunten`);
- :mod:`dekkend.report`: the regional report in HTML and PDF (:func:`~dekkend.report.write_report`).

Errors a user can act on derive from :class:`DekkendError` and carry a Dutch message.
"""

from __future__ import annotations

import importlib as _importlib
import typing as _typing

from dekkend.errors import (
    ConfiguratieFout,
    DekkendError,
    DownloadFout,
    GeenBrowser,
    GeenPrognose,
    GeenVerbinding,
    InvoerFout,
    LeegBestand,
    OnbekendBestand,
    PdfFout,
    RegioFout,
    WerkmapFout,
)

if _typing.TYPE_CHECKING:  # what the lazy names below resolve to, for type checkers and IDEs
    from dekkend import (
        coverage,
        diagnose,
        forecast,
        geo,
        ingest,
        knowledge,
        norms,
        optimise,
        report,
        scenarios,
    )
    from dekkend.demo import build_demo_workspace, demo_tables
    from dekkend.ingest import FileReport, ImportResult, import_paths
    from dekkend.output import write_table
    from dekkend.overview import RegionOverview, region_overview
    from dekkend.regions import Region, select_region
    from dekkend.workspace import Workspace

__version__ = "0.1.0"

#: The namespaces reachable as ``dekkend.<name>`` without importing them yourself.
NAMESPACES = (
    "ingest",
    "geo",
    "norms",
    "forecast",
    "coverage",
    "diagnose",
    "scenarios",
    "optimise",
    "knowledge",
    "report",
)

#: Names loaded on first use, with the module that defines them.
_LAZY = {
    "build_demo_workspace": "dekkend.demo",
    "demo_tables": "dekkend.demo",
    "FileReport": "dekkend.ingest",
    "ImportResult": "dekkend.ingest",
    "import_paths": "dekkend.ingest",
    "write_table": "dekkend.output",
    "RegionOverview": "dekkend.overview",
    "region_overview": "dekkend.overview",
    "Region": "dekkend.regions",
    "select_region": "dekkend.regions",
    "Workspace": "dekkend.workspace",
}


def __getattr__(name: str) -> _typing.Any:
    """Load a namespace or a lazy name on first use (the import system caches the module)."""
    if name in NAMESPACES:
        return _importlib.import_module(f"dekkend.{name}")
    if name in _LAZY:
        return getattr(_importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'dekkend' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "NAMESPACES",
    "ConfiguratieFout",
    "DekkendError",
    "DownloadFout",
    "GeenBrowser",
    "GeenPrognose",
    "GeenVerbinding",
    "FileReport",
    "ImportResult",
    "InvoerFout",
    "LeegBestand",
    "OnbekendBestand",
    "PdfFout",
    "Region",
    "RegionOverview",
    "RegioFout",
    "WerkmapFout",
    "Workspace",
    "__version__",
    "build_demo_workspace",
    "coverage",
    "demo_tables",
    "diagnose",
    "forecast",
    "geo",
    "import_paths",
    "ingest",
    "knowledge",
    "norms",
    "optimise",
    "region_overview",
    "report",
    "scenarios",
    "select_region",
    "write_table",
]
