"""The agreements in the JSON API: the register of a region, recording one, a board's answer.

``GET/POST /api/regios/{id}/afspraken``, ``GET /api/afspraken/{id}``, ``POST /api/afspraken/{id}/instemming``.
The same forms, rules and actions as the pages (:mod:`~dekkend.web.afspraken.services`). Fields of a
request body are checked after the access check, so a caller outside the region gets 404 for any body.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Schema
from ninja.errors import HttpError

from dekkend.web.access import region_for, region_to_manage, rule
from dekkend.web.afspraken import services
from dekkend.web.afspraken.access import agreement_by_id, answering_board
from dekkend.web.afspraken.forms import AfspraakForm, InstemmingForm
from dekkend.web.afspraken.models import Afspraak

router = Router(tags=["afspraken"])


class AfspraakIn(Schema):
    model_config = {"extra": "forbid"}
    titel: str = ""
    inhoud: str = ""
    versie: int | None = None
    besturen: list[int] = []
    ingangsdatum: date | None = None
    herzieningsdatum: date | None = None
    vervangt: int | None = None
    #: Put it up for confirmation at once (otherwise it stays a concept).
    voorleggen: bool = False


class InstemmingIn(Schema):
    model_config = {"extra": "forbid"}
    besluit: str = ""
    reden: str = ""


def afspraak_uit(a: Afspraak) -> dict[str, Any]:
    """An agreement as the API shows it, with every answer of every round."""
    return {
        "id": a.pk,
        "regio": a.regio_id,
        "titel": a.titel,
        "inhoud": a.inhoud,
        "status": a.status,
        "ronde": a.ronde,
        "scenario": {"id": a.versie.scenario_id, "naam": a.versie.scenario.naam, "versie": a.versie.nummer},
        "besturen": [{"id": b.pk, "code": b.code, "naam": str(b)} for b in a.besturen.order_by("naam")],
        "ingangsdatum": a.ingangsdatum.isoformat(),
        "herzieningsdatum": a.herzieningsdatum.isoformat(),
        "gegevensversie": a.data_versie,
        "dekkend_versie": a.dekkend_versie,
        "vervangt": a.vervangt_id,
        "vastgesteld": a.vastgesteld.isoformat() if a.vastgesteld else None,
        "instemmingen": [
            {
                "bestuur": i.bestuur_id,
                "ronde": i.ronde,
                "besluit": i.besluit,
                "reden": i.reden,
                "door": i.door_naam,
                "moment": i.moment.isoformat(),
            }
            for i in a.instemmingen.order_by("ronde", "moment")
        ],
        "link": services.link(a),
        "bijlage": reverse("werkruimte:afspraak_bijlage", kwargs={"regio_id": a.regio_id, "afspraak_id": a.pk}),
    }


def _forbidden(exc: PermissionDenied) -> HttpError:
    return HttpError(403, str(exc))


@router.get("/regios/{regio_id}/afspraken", response={200: list[dict[str, Any]]}, summary="Afspraken van een regio")
@rule("regio")
def afspraken(request: HttpRequest, regio_id: int) -> list[dict[str, Any]]:
    regio = region_for(request.user, regio_id)
    return [afspraak_uit(a) for a in Afspraak.objects.filter(regio=regio).select_related("versie__scenario")]


@router.post(
    "/regios/{regio_id}/afspraken",
    response={201: dict[str, Any], 403: dict, 404: dict, 409: dict, 422: dict},
    summary="Afspraak vastleggen",
)
@rule("regiobeheer")
def afspraak_vastleggen(request: HttpRequest, regio_id: int, payload: AfspraakIn) -> tuple[int, Any]:
    try:
        regio = region_to_manage(request.user, regio_id)
    except PermissionDenied as exc:
        raise _forbidden(exc) from exc
    data = payload.model_dump(exclude={"voorleggen"}, exclude_none=True)
    form = AfspraakForm(data, user=request.user, regio=regio)
    if not form.is_valid():
        return 422, _errors(form)
    made = services.record(request, regio, form)
    if payload.voorleggen:
        made = services.submit(request, made)
    return 201, afspraak_uit(made)


@router.get("/afspraken/{afspraak_id}", response={200: dict[str, Any], 404: dict}, summary="Eén afspraak")
@rule("regio")
def afspraak(request: HttpRequest, afspraak_id: int) -> dict[str, Any]:
    return afspraak_uit(agreement_by_id(request.user, afspraak_id))


@router.post(
    "/afspraken/{afspraak_id}/instemming",
    response={200: dict[str, Any], 403: dict, 404: dict, 409: dict, 422: dict},
    summary="Instemmen of afwijzen namens het eigen bestuur",
)
@rule("afspraak")
def instemming(request: HttpRequest, afspraak_id: int, payload: InstemmingIn) -> tuple[int, Any]:
    found = agreement_by_id(request.user, afspraak_id)
    try:
        board = answering_board(request.user, found)
    except PermissionDenied as exc:
        raise _forbidden(exc) from exc
    form = InstemmingForm(payload.model_dump())
    if not form.is_valid():
        return 422, _errors(form)
    try:
        services.answer(request, found, board, form.cleaned_data["besluit"], form.cleaned_data["reden"])
    except services.StatusFout as exc:
        return 409, {"detail": str(exc)}
    found.refresh_from_db()
    return 200, afspraak_uit(found)


def _errors(form: Any) -> dict[str, Any]:
    """A form's errors in the API's format for invalid input."""
    fouten = [
        {"veld": "verzoek" if field == "__all__" else field, "melding": message}
        for field, messages in form.errors.items()
        for message in messages
    ]
    return {"detail": "ongeldige invoer", "fouten": fouten}
