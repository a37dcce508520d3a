"""The API of support requests and the knowledge base: the same functions and rules as the pages.

``GET/POST /api/hulpvragen``, ``GET /api/hulpvragen/{id}``, ``POST /api/hulpvragen/{id}/berichten``,
``POST /api/hulpvragen/{id}/status``, ``GET /api/kennis?q=...&soort=...&gebied=...&jaar=...``.
"""

from __future__ import annotations

from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import Query, Router, Schema
from pydantic import Field

from dekkend.errors import DekkendError
from dekkend.web.access import region_for, rule
from dekkend.web.hulpvragen import access, kennis, werk
from dekkend.web.hulpvragen.models import Hulpvraag

router = Router(tags=["hulpvragen"])


class Fout(Schema):
    detail: str


class HulpvraagIn(Schema):
    model_config = {"extra": "forbid"}
    regio: int
    soort: Literal["adviseur", "visitatie", "ocw"]
    onderwerp: str
    tekst: str
    scenario: int | None = Field(None, description="id van een scenarioversie (GET /api/scenarios/{id}: versies[].id)")
    knelpunt: int | None = Field(None, description="volgnummer van het knelpunt in de analyse van de regio (vanaf 0)")
    rapport: Literal["nieuw", "laatste", "geen"] = "nieuw"


class BerichtIn(Schema):
    model_config = {"extra": "forbid"}
    tekst: str


class StatusIn(Schema):
    model_config = {"extra": "forbid"}
    status: Literal["nieuw", "in behandeling", "wacht op bestuur", "afgerond"]


class KennisQuery(Schema):
    q: str = ""
    soort: str | None = None
    gebied: str | None = None
    jaar: int | None = None


def hulpvraag_uit(h: Hulpvraag, *, detail: bool = False) -> dict[str, Any]:
    """A request as the API shows it (with its snapshot and thread when ``detail``)."""
    out: dict[str, Any] = {
        "id": h.pk,
        "regio": h.regio_id,
        "soort": h.soort,
        "onderwerp": h.onderwerp,
        "status": h.status,
        "bestuur": str(h.bestuur) if h.bestuur_id else None,
        "aanvrager": str(h.aanvrager) if h.aanvrager_id else None,
        "behandelaar": str(h.behandelaar) if h.behandelaar_id else None,
        "knelpunt": h.knelpunt or None,
        "scenarioversie": h.scenario_versie_id,
        "streefdatum": h.streefdatum.isoformat() if h.streefdatum else None,
        "aangemaakt": h.aangemaakt.isoformat(),
        "gewijzigd": h.gewijzigd.isoformat(),
        "link": werk.link(h),
    }
    if detail:
        out["tekst"] = h.tekst
        out["momentopname"] = h.momentopname
        out["rapporttaak"] = h.rapport_id
        out["rapport"] = _report_state(h)
        out["themas"] = h.themas
        out["voorgestelde_data"] = h.voorgestelde_data
        out["berichten"] = [
            {
                "door": str(b.door) if b.door_id else None,
                "tekst": b.tekst,
                "status": b.status or None,
                "aangemaakt": b.aangemaakt.isoformat(),
                "bijlagen": [
                    {"id": f.pk, "naam": f.naam, "soort": f.soort, "grootte": f.grootte} for f in b.bijlagen.all()
                ],
            }
            for b in h.berichten.select_related("door").prefetch_related("bijlagen")
        ]
    return out


def _report_state(h: Hulpvraag) -> dict[str, Any] | None:
    """The state of the request's report and, once written, its files: for everyone who sees the request (its
    handler too, who may not follow the board's own job under /api/taken)."""
    job = h.rapport
    if job is None:
        return None
    files = {
        kind: reverse(
            "werkruimte:hulpvraag_rapport", kwargs={"regio_id": h.regio_id, "hulpvraag_id": h.pk, "soort": kind}
        )
        for kind in ("html", "pdf")
        if job.status == "klaar" and kind in job.resultaat
    }
    return {"status": job.status, "stap": job.stap, "voortgang": job.voortgang, "fout": job.fout, "bestanden": files}


def _mine(request: HttpRequest, hulpvraag_id: int) -> Hulpvraag:
    found = access.visible_requests(request.user).filter(pk=hulpvraag_id).first()
    if found is None:
        raise Http404("hulpvraag niet gevonden")
    return found


@router.get("/hulpvragen", response=list[dict[str, Any]], summary="Mijn hulpvragen")
@rule("ingelogd")
def hulpvragen(request: HttpRequest, status: str | None = None, soort: str | None = None) -> list[dict[str, Any]]:
    found = access.visible_requests(request.user).select_related("bestuur", "aanvrager", "behandelaar")
    if status:
        found = found.filter(status=status)
    if soort:
        found = found.filter(soort=soort)
    return [hulpvraag_uit(h) for h in found]


@router.post(
    "/hulpvragen", response={201: dict[str, Any], 403: Fout, 404: Fout, 422: dict[str, Any]}, summary="Hulp vragen"
)
@rule("hulpvraag")
def hulpvraag_stellen(request: HttpRequest, payload: HulpvraagIn) -> tuple[int, Any]:
    regio = region_for(request.user, payload.regio)
    if not access.may_ask(request.user):
        return 403, {"detail": "alleen besturen en regiocoördinatoren kunnen ondersteuning aanvragen"}
    try:
        made = werk.ask(
            request,
            regio,
            soort=payload.soort,
            onderwerp=payload.onderwerp,
            tekst=payload.tekst,
            knelpunt=payload.knelpunt,
            scenario_versie=payload.scenario,
            rapport=payload.rapport,
        )
    except werk.HulpvraagFout as exc:
        return 422, {"detail": "ongeldige invoer", "fouten": [{"veld": "verzoek", "melding": str(exc)}]}
    return 201, hulpvraag_uit(made, detail=True)


@router.get("/hulpvragen/{hulpvraag_id}", response={200: dict[str, Any], 404: Fout}, summary="Een hulpvraag")
@rule("hulpvraag")
def hulpvraag(request: HttpRequest, hulpvraag_id: int) -> dict[str, Any]:
    return hulpvraag_uit(_mine(request, hulpvraag_id), detail=True)


@router.post(
    "/hulpvragen/{hulpvraag_id}/berichten",
    response={201: dict[str, Any], 404: Fout, 422: dict[str, Any]},
    summary="Bericht plaatsen",
)
@rule("hulpvraag")
def bericht(request: HttpRequest, hulpvraag_id: int, payload: BerichtIn) -> tuple[int, Any]:
    found = _mine(request, hulpvraag_id)
    try:
        werk.write(request, found, payload.tekst)
    except werk.HulpvraagFout as exc:
        return 422, {"detail": "ongeldige invoer", "fouten": [{"veld": "tekst", "melding": str(exc)}]}
    found.refresh_from_db()
    return 201, hulpvraag_uit(found, detail=True)


@router.post(
    "/hulpvragen/{hulpvraag_id}/status",
    response={200: dict[str, Any], 403: Fout, 404: Fout, 422: dict[str, Any]},
    summary="Status wijzigen",
)
@rule("hulpvraag")
def status(request: HttpRequest, hulpvraag_id: int, payload: StatusIn) -> tuple[int, Any]:
    found = _mine(request, hulpvraag_id)
    try:
        werk.change_status(request, found, payload.status)
    except PermissionDenied as exc:
        return 403, {"detail": str(exc)}
    return 200, hulpvraag_uit(found, detail=True)


@router.get("/kennis", response={200: dict[str, Any], 422: dict[str, Any]}, summary="Kennisbank doorzoeken")
@rule("ingelogd")
def kennis_zoeken(request: HttpRequest, filters: Query[KennisQuery]) -> tuple[int, Any]:
    """Search like ``dekkend kennis zoek``; without ``q``: the list of every entry (id, title, kind)."""
    if not filters.q.strip():
        entries = kennis.index().entries
        return 200, {
            "aantal": len(entries),
            "artikelen": [{"id": e.id, "titel": e.titel, "soort": e.soort} for e in entries],
        }
    try:
        result = kennis.index().search(
            filters.q, soort=filters.soort, gebied=filters.gebied, jaar=filters.jaar, limit=50
        )
    except DekkendError as exc:
        return 422, {"detail": "ongeldige invoer", "fouten": [{"veld": "q", "melding": str(exc)}]}
    return 200, result.to_dict()
