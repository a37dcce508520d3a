"""Starting and finding the workspace's background jobs (the task bodies are in :mod:`dekkend.web.tasks`)."""

from __future__ import annotations

import html
import re
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import FileResponse, Http404

from dekkend import report
from dekkend.web import tasks
from dekkend.web.analysis import data_version
from dekkend.web.models import Gebruiker, Regio, Taak


def analysis(regio: Regio) -> dict[str, Any] | None:
    """The region's cached analysis for the current data, or ``None`` when it still has to be computed."""
    return tasks.store().load(regio.pk)


def ensure_analysis(regio: Regio, user: Gebruiker | None) -> Taak:
    """The running or queued analysis job of the region for the current data; a new one when there is none."""
    version = data_version(tasks.store().werkmap)
    with transaction.atomic():
        # Lock the region row so two requests at once start one job, on SQLite and PostgreSQL alike.
        Regio.objects.select_for_update().filter(pk=regio.pk).first()
        open_job = (
            Taak.objects.filter(
                regio=regio,
                soort=Taak.Soort.ANALYSE,
                status__in=[Taak.Status.WACHTRIJ, Taak.Status.BEZIG],
                parameters__versie=version,
            )
            .order_by("-aangemaakt")
            .first()
        )
        if open_job is not None:
            return open_job
        job = Taak.objects.create(
            soort=Taak.Soort.ANALYSE, regio=regio, aangevraagd_door=user, parameters={"versie": version}
        )
        return tasks.start_job(job)


def start_report(regio: Regio, user: Gebruiker, *, pdf: bool = True) -> Taak:
    """Queue a report job for the region."""
    with transaction.atomic():
        job = Taak.objects.create(soort=Taak.Soort.RAPPORT, regio=regio, aangevraagd_door=user, parameters={"pdf": pdf})
        return tasks.start_job(job)


_SECTIONS: OrderedDict[tuple[str, int, str], str] = OrderedDict()
_SECTIONS_LOCK = threading.Lock()


def section_html(analysis: dict[str, Any], anchor: str) -> str:
    """A report chapter of the analysis as HTML (:func:`dekkend.report.render_section`), memoised per process."""
    key = (analysis["versie"], int(analysis["regio"]), anchor)
    with _SECTIONS_LOCK:
        if key in _SECTIONS:
            _SECTIONS.move_to_end(key)
            return _SECTIONS[key]
    html = report.render_section(analysis["context"], anchor)
    with _SECTIONS_LOCK:
        _SECTIONS[key] = html
        while len(_SECTIONS) > 64:
            _SECTIONS.popitem(last=False)
    return html


_BOARD = re.compile(r"\bBestuur (\d+)\b")


def board_display_names(regio: Regio) -> dict[str, str]:
    """``code -> display name`` of the region's boards that were given one (on the members page)."""
    return {b.code: b.weergavenaam for b in regio.besturen.exclude(weergavenaam="")}


def with_board_names(value: Any, names: dict[str, str]) -> Any:
    """``value`` (text, or a figure's lists and dicts) with "Bestuur N" shown as "display name (bestuur N)".

    The analysis names boards by number (the open data has no names); the display names a coordinator set
    are put in when a page is shown, so changing one needs no recomputation. Names are HTML-escaped.
    """
    if not names:
        return value
    if isinstance(value, str):
        return _BOARD.sub(
            lambda m: f"{html.escape(names[m.group(1)])} (bestuur {m.group(1)})" if m.group(1) in names else m.group(0),
            value,
        )
    if isinstance(value, list):
        return [with_board_names(v, names) for v in value]
    if isinstance(value, dict):
        return {k: with_board_names(v, names) for k, v in value.items()}
    return value


#: The policy of a downloaded file from the web map (a report or annex is self-contained HTML with inline plotly).
#: Should a browser show it instead of saving it, its own scripts run in a sandbox: an opaque origin without the
#: workspace's cookies and without any network access.
DOWNLOAD_POLICY = (
    "sandbox allow-scripts; default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data: blob:; font-src data:; connect-src 'none'; frame-ancestors 'none'"
)


def send_web_file(relative: str | None, filename: str | None = None) -> FileResponse:
    """A file of the web map (``relative`` to it) as a download with :data:`DOWNLOAD_POLICY`; 404 outside the map."""
    root = Path(settings.WEB_MAP).resolve()
    path = (root / relative).resolve() if relative else root
    if root not in path.parents or not path.is_file():
        raise Http404("bestand niet gevonden")
    response = FileResponse(path.open("rb"), as_attachment=True, filename=filename or path.name)
    response["Content-Security-Policy"] = DOWNLOAD_POLICY
    return response


def send_stored_file(stored: Any, filename: str) -> FileResponse:
    """An uploaded file (a ``FileField`` value) as a download under ``filename``; never shown as a page."""
    if not stored or not stored.storage.exists(stored.name):
        raise Http404("bestand niet gevonden")
    response = FileResponse(stored.open("rb"), as_attachment=True, filename=filename)
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response
