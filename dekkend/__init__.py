"""dekkend: a complete and reachable secondary-school offer in a region, also when pupil numbers fall.

The typed public API; the ``dekkend`` command line is a thin Dutch shell over it.
"""

from dekkend.demo import build_demo_workspace, demo_tables
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
from dekkend.ingest import FileReport, ImportResult, import_paths
from dekkend.output import write_table
from dekkend.overview import RegionOverview, region_overview
from dekkend.regions import Region, select_region
from dekkend.workspace import Workspace

__version__ = "0.1.0"

__all__ = [
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
    "demo_tables",
    "import_paths",
    "region_overview",
    "select_region",
    "write_table",
]
