"""Who sees which board data, at which level: raw uploads only for the board's own staff.

Levels a person can get for an upload (:func:`level_for`):

``eigen``
    staff of the uploading board: everything, always;
``totalen`` / ``detail``
    another organisation, when the upload is its board's newest of that kind and the board shared it at that
    level with the region (every member of a region containing the board) or with the adviser only (a VO-raad
    adviser assigned to such a region);
``None``
    nothing: the upload answers 404, as if it did not exist.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from dekkend.web import audit
from dekkend.web.access import visible_regions
from dekkend.web.bestuursdata.models import Upload
from dekkend.web.models import Bestuur, Gebruiker, Regio, Rol

READ = "bestuursgegevens gelezen"


def own_board(user: Gebruiker) -> Bestuur | None:
    """The board whose data ``user`` may upload and manage (staff of a board), else ``None``."""
    if not user.is_authenticated or not user.is_active or user.rol != Rol.BESTUUR or user.bestuur_id is None:
        return None
    return user.bestuur


def current(uploads: QuerySet[Upload]) -> list[Upload]:
    """The newest version per board and kind among ``uploads``."""
    newest: dict[tuple[int, str], Upload] = {}
    for upload in uploads.order_by("bestuur_id", "soort", "-versie"):
        newest.setdefault((upload.bestuur_id, upload.soort), upload)
    return list(newest.values())


def level_for(user: Gebruiker, upload: Upload) -> str | None:
    """``eigen``, ``totalen``, ``detail`` or ``None`` (see the module docstring)."""
    board = own_board(user)
    if board is not None and board.pk == upload.bestuur_id:
        return "eigen"
    if upload.niveau == "niets" or not upload.is_current():
        return None
    regions = visible_regions(user).filter(besturen=upload.bestuur_id)
    if not regions.exists():
        return None
    if upload.met == Upload.Met.REGIO:
        return str(upload.niveau)
    if user.rol == Rol.ADVISEUR and user.regios.filter(besturen=upload.bestuur_id).exists():
        return str(upload.niveau)
    return None


def upload_for(user: Gebruiker, upload_id: int, regio: Regio | None = None) -> tuple[Upload, str]:
    """The upload and the person's level; 404 when the person may not see it (or it is not of ``regio``)."""
    found = Upload.objects.select_related("bestuur").filter(pk=upload_id).first()
    if found is None or (regio is not None and not regio.besturen.filter(pk=found.bestuur_id).exists()):
        raise Http404("niet gevonden")
    level = level_for(user, found)
    if level is None:
        raise Http404("niet gevonden")
    return found, level


def own_upload(user: Gebruiker, upload_id: int) -> Upload:
    """An upload of the person's own board; 404 otherwise (also for those who see it shared)."""
    board = own_board(user)
    found = Upload.objects.filter(pk=upload_id, bestuur=board).first() if board else None
    if found is None:
        raise Http404("niet gevonden")
    return found


def shared_with(user: Gebruiker, regio: Regio) -> list[tuple[Upload, str]]:
    """Other boards' newest uploads in ``regio`` that ``user`` may see, with the level."""
    board = own_board(user)
    found = []
    for upload in current(Upload.objects.filter(bestuur__in=regio.besturen.all())):
        if upload.niveau == "niets" or (board is not None and upload.bestuur_id == board.pk):
            continue
        level = level_for(user, upload)
        if level in ("totalen", "detail"):
            found.append((upload, level))
    return found


def record_read(request: HttpRequest, upload: Upload, level: str, how: str) -> None:
    """Log that another organisation read a board's shared data (the board reads these lines on its page)."""
    if level == "eigen":
        return
    audit.record(
        request,
        READ,
        object=f"upload {upload.pk}",
        bestuur=upload.bestuur.code,
        soort=upload.soort,
        versie=upload.versie,
        niveau=level,
        via=how,
    )
