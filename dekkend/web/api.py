"""The workspace's JSON API under ``/api/`` with its OpenAPI schema at ``/api/openapi.json``.

The same visibility rules and the same job functions as the pages. A caller authenticates with a
personal token (``Authorization: Bearer dk_...``, made on the profile page or with
``dekkend web token EMAIL``) or with the browser session (then CSRF protection applies to changes).
Errors are Dutch: ``{"detail": ...}`` or, for invalid input, ``{"detail": ..., "fouten": [{"veld", "melding"}]}``.
"""

from __future__ import annotations

from typing import Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, django_auth

import dekkend
from dekkend.web import audit, jobs
from dekkend.web.access import region_for, rule, visible_jobs, visible_regions
from dekkend.web.models import ApiToken, Gebruiker, Regio, Taak


class BearerToken(HttpBearer):
    """``Authorization: Bearer <personal token>``."""

    def authenticate(self, request: HttpRequest, token: str) -> Gebruiker | None:
        found = ApiToken.lookup(token)
        if found is None:
            return None
        ApiToken.objects.filter(pk=found.pk).update(laatst_gebruikt=timezone.now())
        request.user = found.gebruiker
        return found.gebruiker


#: Answers any operation can give besides its own (documented for every operation in the OpenAPI schema, so
#: a client knows them: 401 without a valid token or session, 403 for what the person may see but not do,
#: 404 for anything unknown or not visible to the person, 409 for an action the object's state does not allow,
#: 413 for a body over the size limit, 422 for invalid input).
ERROR_ANSWERS = {
    "401": "niet ingelogd",
    "403": "geen toestemming",
    "404": "niet gevonden (of niet zichtbaar voor u)",
    "409": "kan niet in de huidige toestand",
    "413": "verzoek te groot",
    "422": "ongeldige invoer",
}


class WorkspaceAPI(NinjaAPI):
    """The workspace's API, whose schema documents the common error answers of every operation."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        error = {"$ref": "#/components/schemas/Fout"}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for code, description in ERROR_ANSWERS.items():
                    responses.setdefault(
                        code, {"description": description, "content": {"application/json": {"schema": error}}}
                    )
        return schema


api = WorkspaceAPI(
    title="dekkend werkruimte",
    version=dekkend.__version__,
    description="De JSON-API van de regionale werkruimte van dekkend (zie docs/web.md).",
    auth=[BearerToken(), django_auth],
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url=None,  # the interactive docs load scripts from a CDN; the schema itself is served
)

#: Dutch messages per pydantic error type.
_MESSAGES = {
    "missing": "dit veld ontbreekt",
    "bool_parsing": "verwacht true of false",
    "bool_type": "verwacht true of false",
    "int_parsing": "verwacht een geheel getal",
    "int_type": "verwacht een geheel getal",
    "string_type": "verwacht tekst",
    "json_invalid": "geen geldige JSON",
    "model_attributes_type": "verwacht een JSON-object",
    "dict_type": "verwacht een JSON-object",
    "extra_forbidden": "onbekend veld",
    "literal_error": "niet een van de toegestane waarden",
}


@api.exception_handler(NinjaValidationError)
def _invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = []
    for error in exc.errors:
        where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("body", "payload", "query", "path"))
        errors.append(
            {"veld": where or "verzoek", "melding": _MESSAGES.get(str(error.get("type")), "ongeldige waarde")}
        )
    return api.create_response(request, {"detail": "ongeldige invoer", "fouten": errors}, status=422)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"detail": "niet ingelogd: geef een geldig token of log in"}, status=401)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": "niet gevonden"}, status=404)


class RegioKort(Schema):
    id: int
    naam: str
    soort: str
    selectie: str


class Ik(Schema):
    naam: str
    email: str
    rol: str
    organisatie: str | None
    regios: list[RegioKort]


class TaakUit(Schema):
    id: int
    soort: str
    regio: int
    status: Literal["wachtrij", "bezig", "klaar", "mislukt"]
    voortgang: int
    stap: str
    fout: str
    resultaat: dict[str, str]
    aangemaakt: str
    klaar: str | None


class Fout(Schema):
    detail: str


class RapportIn(Schema):
    model_config = {"extra": "forbid"}
    pdf: bool = True


def _regio(r: Regio) -> dict[str, Any]:
    return {"id": r.pk, "naam": r.naam, "soort": r.soort, "selectie": r.selectie}


def taak_uit(taak: Taak) -> dict[str, Any]:
    """A job as the API shows it, with download links for a finished report."""
    links = {}
    if taak.status == Taak.Status.KLAAR and taak.soort == Taak.Soort.RAPPORT:
        for kind in ("html", "pdf"):
            if kind in taak.resultaat:
                links[kind] = reverse(
                    "werkruimte:rapport_bestand", kwargs={"regio_id": taak.regio_id, "taak_id": taak.pk, "soort": kind}
                )
    return {
        "id": taak.pk,
        "soort": taak.soort,
        "regio": taak.regio_id,
        "status": taak.status,
        "voortgang": taak.voortgang,
        "stap": taak.stap,
        "fout": taak.fout,
        "resultaat": links,
        "aangemaakt": taak.aangemaakt.isoformat(),
        "klaar": taak.klaar.isoformat() if taak.klaar else None,
    }


def _analysis_or_job(request: HttpRequest, regio_id: int) -> tuple[int, Any]:
    regio = region_for(request.user, regio_id)
    found = jobs.analysis(regio)
    if found is None:
        return 202, taak_uit(jobs.ensure_analysis(regio, request.user))
    return 200, found


@api.get("/ik", response=Ik, summary="Wie ben ik")
@rule("ingelogd")
def ik(request: HttpRequest) -> dict[str, Any]:
    user: Gebruiker = request.user
    return {
        "naam": user.get_full_name() or user.email,
        "email": user.email,
        "rol": user.rol,
        "organisatie": str(user.bestuur) if user.bestuur_id else None,
        "regios": [_regio(r) for r in visible_regions(user)],
    }


@api.get("/regios", response=list[RegioKort], summary="Mijn regio's")
@rule("ingelogd")
def regios(request: HttpRequest) -> list[dict[str, Any]]:
    return [_regio(r) for r in visible_regions(request.user)]


@api.get("/regios/{regio_id}", response={200: dict[str, Any], 202: TaakUit, 404: Fout}, summary="Kerncijfers")
@rule("regio")
def regio_overzicht(request: HttpRequest, regio_id: int) -> tuple[int, Any]:
    status, found = _analysis_or_job(request, regio_id)
    if status != 200:
        return status, found
    context = found["context"]
    return 200, {
        "regio": _regio(region_for(request.user, regio_id)),
        "gegevensversie": found["versie"],
        "kaft": context["cover"],
        "samenvatting": context["samenvatting"],
        "prognose": {"peiljaar": found["prognose"]["peiljaar"], "regio": found["prognose"]["regio"]},
        "knelpunten": len(found["diagnose"].get("knelpunten", [])),
    }


@api.get("/regios/{regio_id}/knelpunten", response={200: dict[str, Any], 202: TaakUit, 404: Fout}, summary="Knelpunten")
@rule("regio")
def regio_knelpunten(request: HttpRequest, regio_id: int) -> tuple[int, Any]:
    status, found = _analysis_or_job(request, regio_id)
    return (status, found["diagnose"]) if status == 200 else (status, found)


@api.get("/regios/{regio_id}/prognose", response={200: dict[str, Any], 202: TaakUit, 404: Fout}, summary="Prognose")
@rule("regio")
def regio_prognose(request: HttpRequest, regio_id: int) -> tuple[int, Any]:
    status, found = _analysis_or_job(request, regio_id)
    return (status, found["prognose"]) if status == 200 else (status, found)


@api.post(
    "/regios/{regio_id}/rapport", response={202: TaakUit, 404: Fout, 422: dict[str, Any]}, summary="Rapport maken"
)
@rule("regio")
def regio_rapport(request: HttpRequest, regio_id: int, payload: RapportIn | None = None) -> tuple[int, Any]:
    regio = region_for(request.user, regio_id)
    taak = jobs.start_report(regio, request.user, pdf=payload.pdf if payload else True)
    audit.record(request, "rapport gestart", object=f"regio {regio.pk}", taak=taak.pk, via="api")
    return 202, taak_uit(taak)


@api.get("/taken/{taak_id}", response={200: TaakUit, 404: Fout}, summary="Status van een taak")
@rule("regio")
def taak(request: HttpRequest, taak_id: int) -> dict[str, Any]:
    found = get_object_or_404(visible_jobs(request.user), pk=taak_id)
    return taak_uit(found)


from dekkend.web.plannen import api_optimalisatie  # noqa: E402

api.add_router("", api_optimalisatie.router)
from dekkend.web.hulpvragen import api as hulpvragen_api  # noqa: E402 - the feature routers come last

api.add_router("", hulpvragen_api.router)
from dekkend.web.afspraken import api as afspraken_api  # noqa: E402 - the feature apps' routers come last

api.add_router("", afspraken_api.router)
from dekkend.web.plannen import api as plannen_api  # noqa: E402 - the feature routers use the schemas above

api.add_router("", plannen_api.router)
from dekkend.web.bestuursdata import api as bestuursdata_api  # noqa: E402 - the app adds its operations

api.add_router("", bestuursdata_api.router)
