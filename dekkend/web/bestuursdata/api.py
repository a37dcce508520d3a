"""The bestuursdata API: uploads, templates, disclosure and the regional check (the pages' functions)."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile

from dekkend import forecast
from dekkend.web.access import region_for, rule
from dekkend.web.bestuursdata import access, data
from dekkend.web.bestuursdata.forms import MAX_BYTES
from dekkend.web.bestuursdata.models import Upload

router = Router(tags=["eigen gegevens"])


class DelenIn(Schema):
    model_config = {"extra": "forbid"}
    niveau: Literal["niets", "totalen", "detail"]
    met: Literal["adviseur", "regio"] = "adviseur"


def _forbidden() -> tuple[int, dict[str, str]]:
    return 403, {"detail": "alleen medewerkers van een bestuur hebben eigen gegevens"}


@router.post(
    "/uploads",
    response={201: dict[str, Any], 403: dict[str, Any], 422: dict[str, Any]},
    summary="Eigen gegevens uploaden",
)
@rule("bestuursdata")
def uploads_post(
    request: HttpRequest, soort: Form[Literal["aanmeldingen", "prognose"]], bestand: File[UploadedFile]
) -> tuple[int, Any]:
    board = access.own_board(request.user)
    if board is None:
        return _forbidden()
    if (bestand.size or 0) > MAX_BYTES:
        return 422, {"detail": "het bestand is groter dan 5 MB", "fouten": []}
    try:
        found = data.store_upload(request, request.user, board, soort, bestand.name or "upload", bestand.read())
    except forecast.UploadFout as exc:
        fouten = [{"regel": line, "kolom": column, "melding": text} for line, column, text in exc.fouten]
        return 422, {"detail": str(exc), "fouten": fouten}
    return 201, data.view(found, "eigen")


@router.get("/uploads", response=list[dict[str, Any]], summary="Uploads die ik mag zien")
@rule("bestuursdata")
def uploads_list(request: HttpRequest) -> list[dict[str, Any]]:
    """Own board: every version; others: the newest shared uploads of the boards of their regions (at that level)."""
    board = access.own_board(request.user)
    found = [data.view(u, "eigen") for u in Upload.objects.filter(bestuur=board)] if board else []
    from dekkend.web.access import visible_regions

    seen = set()
    for regio in visible_regions(request.user):
        for upload, level in access.shared_with(request.user, regio):
            if upload.pk not in seen:
                seen.add(upload.pk)
                access.record_read(request, upload, level, "api")
                found.append(data.view(upload, level))
    return found


@router.get(
    "/uploads/sjabloon/{soort}", response={200: None, 403: dict[str, Any], 404: dict[str, Any]}, summary="Sjabloon"
)
@rule("bestuursdata")
def uploads_template(request: HttpRequest, soort: str, formaat: str = "xlsx") -> Any:
    board = access.own_board(request.user)
    if board is None:
        return _forbidden()
    if soort not in Upload.Soort.values or formaat not in data.FORMATS:
        return 404, {"detail": "niet gevonden"}
    content, name = data.template_file(board, soort, formaat)
    response = HttpResponse(content, content_type="text/csv" if formaat == "csv" else "application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.get("/uploads/{upload_id}", response={200: dict[str, Any], 404: dict[str, Any]}, summary="Eén upload")
@rule("bestuursdata")
def uploads_get(request: HttpRequest, upload_id: int) -> dict[str, Any]:
    found, level = access.upload_for(request.user, upload_id)
    access.record_read(request, found, level, "api")
    return data.view(found, level)


@router.post(
    "/uploads/{upload_id}/delen",
    response={200: dict[str, Any], 404: dict[str, Any], 409: dict[str, Any]},
    summary="Delen instellen",
)
@rule("bestuursdata")
def uploads_share(request: HttpRequest, upload_id: int, payload: DelenIn) -> tuple[int, Any]:
    found = access.own_upload(request.user, upload_id)
    if not found.is_current():
        return 409, {"detail": "alleen de nieuwste versie kan worden gedeeld"}
    data.share(request, found, payload.niveau, payload.met)
    return 200, {"niveau": found.niveau, "met": found.met, "voorbeeld": data.preview(found, found.niveau, found.met)}


@router.delete("/uploads/{upload_id}", response={204: None, 404: dict[str, Any]}, summary="Upload verwijderen")
@rule("bestuursdata")
def uploads_delete(request: HttpRequest, upload_id: int) -> tuple[int, None]:
    found = access.own_upload(request.user, upload_id)
    data.delete(request, [found], f"upload {found.pk}")
    return 204, None


@router.get(
    "/regios/{regio_id}/consistentie",
    response={200: dict[str, Any], 202: dict[str, Any], 404: dict[str, Any]},
    summary="Consistentiecheck",
)
@rule("regio")
def consistency(request: HttpRequest, regio_id: int) -> tuple[int, Any]:
    regio = region_for(request.user, regio_id)
    found = data.intake(regio)
    if found is None:
        job = data.ensure_intake(regio, request.user)
        return 202, {"id": job.pk, "soort": job.soort, "regio": job.regio_id, "status": job.status, "stap": job.stap}
    return 200, data.consistency(request, request.user, regio, found)
