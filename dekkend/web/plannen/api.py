"""The scenarios' JSON API (the pages call the same functions in :mod:`dekkend.web.plannen.services`)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Router, Schema

from dekkend.web.access import region_for, rule
from dekkend.web.models import Gebruiker, Taak
from dekkend.web.plannen import services
from dekkend.web.plannen.access import audience, owns, visible_scenarios
from dekkend.web.plannen.models import Scenario

router = Router(tags=["scenario's"])


# The workspace's API module adds this router, so the schemas are this module's own (no import cycle).
class Fout(Schema):
    detail: str


class TaakUit(Schema):
    id: int
    soort: str
    regio: int
    status: str
    voortgang: int
    stap: str
    fout: str
    aangemaakt: str
    klaar: str | None


def taak_uit(taak: Taak) -> dict[str, Any]:
    """A scenario run as the API shows it (its status at ``/api/taken/{id}``)."""
    return {
        "id": taak.pk,
        "soort": taak.soort,
        "regio": taak.regio_id,
        "status": taak.status,
        "voortgang": taak.voortgang,
        "stap": taak.stap,
        "fout": taak.fout,
        "aangemaakt": taak.aangemaakt.isoformat(),
        "klaar": taak.klaar.isoformat() if taak.klaar else None,
    }


# Required fields are checked in the operations, after the access check: someone who may not see the region
# or scenario gets 404 whatever the body, never a validation error that hints it exists.
class ScenarioIn(Schema):
    model_config = {"extra": "forbid"}
    naam: str | None = None
    yaml: str | None = None


class ZichtbaarheidIn(Schema):
    model_config = {"extra": "forbid"}
    zichtbaarheid: str | None = None


class DoorrekenenIn(Schema):
    model_config = {"extra": "forbid"}
    versie: int | None = None


def scenario_by_id(user: Gebruiker, scenario_id: int) -> Scenario:
    """The scenario if ``user`` may see it (in any of their regions); 404 otherwise."""
    found = visible_scenarios(user).filter(pk=scenario_id).select_related("regio", "bestuur", "auteur").first()
    if found is None:
        raise Http404("scenario niet gevonden")
    return found


def scenario_out(scenario: Scenario, user: Gebruiker, *, full: bool = False) -> dict[str, Any]:
    """A scenario as the API shows it; ``full`` adds its versions (with provenance) and comments."""
    last = scenario.laatste()
    out: dict[str, Any] = {
        "id": scenario.pk,
        "regio": scenario.regio_id,
        "naam": scenario.naam,
        "bestuur": scenario.bestuur.code if scenario.bestuur_id else None,
        "auteur": scenario.auteur.email if scenario.auteur_id else None,
        "zichtbaarheid": scenario.zichtbaarheid,
        "herkomst": scenario.herkomst,
        "afgeleid_van": (
            {"scenario": scenario.afgeleid_van.scenario_id, "versie": scenario.afgeleid_van.nummer}
            if scenario.afgeleid_van_id
            else None
        ),
        "versie": last.nummer if last else None,
        "doorgerekend": bool(last and last.resultaat is not None),
        "eigen": owns(user, scenario),
        "gewijzigd": scenario.gewijzigd.isoformat(),
    }
    if full:
        out["versies"] = [
            {
                "id": v.pk,  # what a support request refers to (POST /api/hulpvragen, "scenario")
                "nummer": v.nummer,
                "yaml": v.yaml,
                "door": v.door.email if v.door_id else None,
                "aangemaakt": v.aangemaakt.isoformat(),
                "toelichting": v.toelichting,
                "doorgerekend": v.resultaat is not None,
                "data_versie": v.data_versie or None,
                "dekkend_versie": v.dekkend_versie or None,
            }
            for v in scenario.versies.select_related("door").order_by("nummer")
        ]
        out["opmerkingen"] = [
            {"door": o.door.email if o.door_id else None, "tekst": o.tekst, "aangemaakt": o.aangemaakt.isoformat()}
            for o in scenario.opmerkingen.select_related("door")
        ]
    return out


def _invalid(exc: services.Ongeldig) -> tuple[int, dict[str, Any]]:
    return 422, {"detail": "ongeldige invoer", "fouten": [{"veld": v, "melding": m} for v, m in exc.fouten]}


@router.get("/regios/{regio_id}/scenarios", response={200: list[dict[str, Any]], 404: Fout}, summary="Scenario's")
@rule("regio")
def scenario_lijst(request: HttpRequest, regio_id: int) -> list[dict[str, Any]]:
    regio = region_for(request.user, regio_id)
    found = visible_scenarios(request.user, regio).select_related("regio", "bestuur", "auteur", "afgeleid_van")
    return [scenario_out(s, request.user) for s in found]


@router.post(
    "/regios/{regio_id}/scenarios",
    response={201: dict[str, Any], 404: Fout, 422: dict[str, Any]},
    summary="Scenario maken",
)
@rule("regio")
def scenario_maken(request: HttpRequest, regio_id: int, payload: ScenarioIn) -> tuple[int, dict[str, Any]]:
    regio = region_for(request.user, regio_id)
    missing = [(name, "dit veld ontbreekt") for name in ("naam", "yaml") if getattr(payload, name) is None]
    if missing:
        return _invalid(services.Ongeldig(missing))
    try:
        made = services.create(request, request.user, regio, str(payload.naam), str(payload.yaml))
    except services.Ongeldig as exc:
        return _invalid(exc)
    return 201, scenario_out(made, request.user)


@router.get("/scenarios/{scenario_id}", response={200: dict[str, Any], 404: Fout}, summary="Een scenario")
@rule("scenario")
def scenario_detail(request: HttpRequest, scenario_id: int) -> dict[str, Any]:
    return scenario_out(scenario_by_id(request.user, scenario_id), request.user, full=True)


@router.post(
    "/scenarios/{scenario_id}/zichtbaarheid",
    response={200: dict[str, Any], 403: Fout, 404: Fout, 422: dict[str, Any]},
    summary="Wie het scenario ziet",
)
@rule("scenario")
def scenario_zichtbaarheid(request: HttpRequest, scenario_id: int, payload: ZichtbaarheidIn) -> tuple[int, Any]:
    scenario = scenario_by_id(request.user, scenario_id)
    if payload.zichtbaarheid is None:
        return _invalid(services.Ongeldig([("zichtbaarheid", "dit veld ontbreekt")]))
    try:
        services.set_visibility(request, request.user, scenario, payload.zichtbaarheid)
    except PermissionDenied as exc:
        return 403, {"detail": str(exc)}
    except services.Ongeldig as exc:
        return _invalid(exc)
    out = scenario_out(scenario, request.user)
    out["zien"] = [p.email for p in audience(scenario, scenario.zichtbaarheid)]
    return 200, out


@router.post(
    "/scenarios/{scenario_id}/doorrekenen",
    response={202: TaakUit, 404: Fout, 422: dict[str, Any]},
    summary="Scenario doorrekenen",
)
@rule("scenario")
def scenario_doorrekenen(
    request: HttpRequest, scenario_id: int, payload: DoorrekenenIn | None = None
) -> tuple[int, Any]:
    scenario = scenario_by_id(request.user, scenario_id)
    versie = None
    if payload is not None and payload.versie is not None:
        versie = scenario.versies.filter(nummer=payload.versie).first()
        if versie is None:
            return 422, {
                "detail": "ongeldige invoer",
                "fouten": [{"veld": "versie", "melding": f"dit scenario heeft geen versie {payload.versie}"}],
            }
    try:
        taak = services.start_run(request, request.user, scenario, versie)
    except services.Ongeldig as exc:
        return _invalid(exc)
    return 202, taak_uit(taak)


@router.get(
    "/scenarios/{scenario_id}/resultaat",
    response={200: dict[str, Any], 404: Fout, 409: Fout},
    summary="Uitkomst van een scenario",
)
@rule("scenario")
def scenario_resultaat(request: HttpRequest, scenario_id: int, versie: int | None = None) -> tuple[int, Any]:
    scenario = scenario_by_id(request.user, scenario_id)
    chosen = scenario.versies.filter(nummer=versie).first() if versie is not None else scenario.laatste()
    if chosen is None:
        return 409, {"detail": f"dit scenario heeft geen versie {versie}"}
    if chosen.resultaat is None:
        return 409, {"detail": f"versie {chosen.nummer} van dit scenario is nog niet doorgerekend"}
    return 200, {
        "scenario": scenario.pk,
        "versie": chosen.nummer,
        "data_versie": chosen.data_versie,
        "dekkend_versie": chosen.dekkend_versie,
        "resultaat": chosen.resultaat,
    }
