"""Importing DUO and CBS open-data files, recognised by header, into the workspace."""

from dekkend.ingest.download import DownloadResult, download_and_import
from dekkend.ingest.importer import FileReport, ImportResult, import_paths

__all__ = ["DownloadResult", "FileReport", "ImportResult", "download_and_import", "import_paths"]
