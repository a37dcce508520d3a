"""Pointing Django at a werkmap and database, before anything of the workspace is imported."""

from __future__ import annotations

import os
from pathlib import Path


def configure(werkmap: str | Path, database: str | None = None, web_map: str | Path | None = None) -> Path:
    """Point Django at ``werkmap`` (and ``database``, else DATABASE_URL or SQLite), set it up, migrate.

    Returns the web map (the folder of the database, secret key, reports and cache).
    """
    import django
    from django.core.management import call_command

    os.environ["DEKKEND_WERKMAP"] = str(Path(werkmap).resolve())
    if database:
        os.environ["DATABASE_URL"] = database
    if web_map:
        os.environ["DEKKEND_WEB_MAP"] = str(Path(web_map).resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dekkend.web.settings")
    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    from django.conf import settings

    return Path(settings.WEB_MAP)
