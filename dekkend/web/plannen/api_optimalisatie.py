"""``POST /api/regios/{id}/optimalisaties`` (a job that yields a scenario) and its status.

The request holds the same choices as the page (:class:`~dekkend.web.plannen.optimalisatie.OptimalisatieForm`),
every one optional (an empty object: the first forecast year with the library's norms); the form checks them,
so the API gives the page's Dutch messages per field.
"""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema

from dekkend.errors import DekkendError
from dekkend.web import audit
from dekkend.web.access import region_for, rule
from dekkend.web.models import Taak
from dekkend.web.plannen import optimalisatie

router: Router = Router(tags=["optimalisaties"])


class Fout(Schema):
    detail: str


class TaakUit(Schema):
    """The job as ``GET /api/taken/{id}`` shows it (without download links: an optimisation has no files)."""

    id: int
    soort: str
    regio: int
    status: Literal["wachtrij", "bezig", "klaar", "mislukt"]
    voortgang: int
    stap: str
    fout: str
    aangemaakt: str
    klaar: str | None


def taak_uit(taak: Taak) -> dict[str, Any]:
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


class OptimalisatieIn(Schema):
    model_config = {"extra": "forbid"}
    jaar: int | None = None
    tot_jaar: int | None = None
    normafstand_km: float | None = None
    drempels: dict[str, float] = {}
    vast: list[str] = []
    besturen_vast: list[str] = []
    besturen_houden: bool = False
    max_wijzigingen: int | None = None
    toewijzing: Literal["keuze", "dichtstbij"] = "keuze"
    soorten: list[str] = []


class OptimalisatieUit(Schema):
    taak: TaakUit
    uitkomst: str | None
    melding: str | None
    scenario: int | None
    toelichting: list[str]


def _form_data(payload: OptimalisatieIn, choices: optimalisatie.Keuzes) -> tuple[dict[str, Any], list[dict[str, str]]]:
    data = optimalisatie.initial_data(choices)
    given = payload.model_dump(exclude_unset=True, exclude={"drempels"})
    data.update({k: v for k, v in given.items() if v is not None})
    if payload.tot_jaar is None:
        data.pop("tot_jaar", None)
    errors = []
    known = {t["onderwijstype"] for t in choices.drempels}
    for name, value in payload.drempels.items():
        if name in known:
            data[optimalisatie.threshold_field(name)] = value
        else:
            errors.append(
                {"veld": f"drempels.{name}", "melding": f"onbekende drempel; kies uit {', '.join(sorted(known))}"}
            )
    return data, errors


def _field_name(name: str) -> str:
    return f"drempels.{name.removeprefix('drempel_').replace('_', '-')}" if name.startswith("drempel_") else name


def _result(request: HttpRequest, taak: Taak) -> dict[str, Any]:
    found = optimalisatie.visible_result(request.user, taak)
    return {
        "taak": taak_uit(taak),
        "uitkomst": found.get("uitkomst"),
        "melding": found.get("melding"),
        "scenario": found["scenario"],
        "toelichting": [str(x) for x in found.get("toelichting", [])],
    }


@router.post(
    "/regios/{regio_id}/optimalisaties",
    response={202: OptimalisatieUit, 404: Fout, 422: dict[str, Any]},
    summary="Optimalisatie starten",
)
@rule("regio")
def optimalisatie_starten(
    request: HttpRequest, regio_id: int, payload: OptimalisatieIn | None = None
) -> tuple[int, Any]:
    regio = region_for(request.user, regio_id)
    try:
        choices = optimalisatie.keuzes(regio)
    except DekkendError as exc:
        return 422, {"detail": f"optimaliseren kan in deze regio niet: {exc}", "fouten": []}
    data, errors = _form_data(payload or OptimalisatieIn(), choices)
    form = optimalisatie.OptimalisatieForm(choices, data)
    if not form.is_valid() or errors:
        for name, messages in form.errors.items():
            errors += [{"veld": _field_name(name) if name != "__all__" else "verzoek", "melding": m} for m in messages]
        return 422, {"detail": "ongeldige invoer", "fouten": errors}
    taak = optimalisatie.start(regio, request.user, form.parameters())
    audit.record(request, "optimalisatie gestart", object=f"regio {regio.pk}", taak=taak.pk, via="api")
    taak.refresh_from_db()
    return 202, _result(request, taak)


@router.get(
    "/regios/{regio_id}/optimalisaties/{optimalisatie_id}",
    response={200: OptimalisatieUit, 404: Fout},
    summary="Status en uitkomst van een optimalisatie",
)
@rule("regio")
def optimalisatie_status(request: HttpRequest, regio_id: int, optimalisatie_id: int) -> dict[str, Any]:
    return _result(request, optimalisatie.job_for(request.user, regio_id, optimalisatie_id))
