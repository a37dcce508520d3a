"""Importing DUO and CBS open-data files, recognised by header, into the workspace."""

from dekkend.ingest.importer import FileReport, ImportResult, import_paths

__all__ = ["FileReport", "ImportResult", "import_paths"]
