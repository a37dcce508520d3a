"""The region tab "Eigen gegevens": own uploads, disclosure, nowcast and export; shared data and the check.

Access: the tab is a region page (rule ``bestuursdata``: region members only, 404 for others); what a person
sees of an upload is decided by :mod:`dekkend.web.bestuursdata.access` (404 for an upload one may not see).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dekkend import forecast
from dekkend.web.access import region_for, rule
from dekkend.web.bestuursdata import access, data, demo
from dekkend.web.bestuursdata.forms import DelenForm, UploadForm
from dekkend.web.bestuursdata.models import Upload
from dekkend.web.models import Regio


def _pages() -> tuple[tuple[str, str], ...]:
    from dekkend.web.views import REGION_PAGES

    return REGION_PAGES


def _board_in_region(request: HttpRequest, regio: Regio):
    board = access.own_board(request.user)
    return board if board is not None and regio.besturen.filter(pk=board.pk).exists() else None


def _page_context(request: HttpRequest, regio: Regio, form: UploadForm | None = None) -> dict[str, Any]:
    board = _board_in_region(request, regio)
    found = data.intake(regio)
    context: dict[str, Any] = {"regio": regio, "pagina": "eigen_gegevens", "paginas": _pages(), "bestuur": board}
    context["gesimuleerd"] = Upload.objects.filter(
        bestuur__in=regio.besturen.all(), bestandsnaam__startswith=demo.PREFIX
    ).exists()
    if found is None:
        context["taak"] = data.ensure_intake(regio, request.user)
    if board is not None:
        uploads = list(Upload.objects.filter(bestuur=board).order_by("soort", "-versie"))
        newest = {u.pk for u in access.current(Upload.objects.filter(bestuur=board))}
        context.update(
            form=form or UploadForm(),
            uploads=[(u, u.pk in newest) for u in uploads],
            lezingen=data.reads_of(board),
            formaten=data.FORMATS,
        )
        registrations = next((u for u in uploads if u.soort == Upload.Soort.AANMELDINGEN and u.pk in newest), None)
        if registrations is not None and found is not None:
            context["nowcast"] = data.nowcast_rows(registrations, found)
    shared = access.shared_with(request.user, regio)
    for upload, level in shared:
        access.record_read(request, upload, level, "pagina eigen gegevens")
    context["gedeeld"] = [data.view(u, level) for u, level in shared]
    if found is not None:
        context["check"] = data.consistency(request, request.user, regio, found)
    return context


@rule("bestuursdata")
@login_required
@require_GET
def eigen_gegevens(request: HttpRequest, regio_id: int) -> HttpResponse:
    regio = region_for(request.user, regio_id)
    return render(request, "werkruimte/eigen_gegevens.html", _page_context(request, regio))


@rule("bestuursdata")
@login_required
@require_POST
def upload(request: HttpRequest, regio_id: int) -> HttpResponse:
    regio = region_for(request.user, regio_id)
    board = _board_in_region(request, regio)
    if board is None:
        return render(request, "werkruimte/eigen_gegevens.html", _page_context(request, regio), status=403)
    form = UploadForm(request.POST, request.FILES)
    errors: list[tuple[Any, Any, str]] = []
    if form.is_valid():
        handle = form.cleaned_data["bestand"]
        try:
            made = data.store_upload(
                request, request.user, board, form.cleaned_data["soort"], handle.name, handle.read()
            )
        except forecast.UploadFout as exc:
            errors = exc.fouten
        else:
            saved = "Het bestand is ingelezen en opgeslagen als nieuwe versie (niet gedeeld)."
            messages.success(request, saved + _history_note(made))
            return redirect("werkruimte:eigen_gegevens", regio_id=regio.pk)
    context = _page_context(request, regio, form)
    context["fouten"] = errors
    return render(request, "werkruimte/eigen_gegevens.html", context, status=400)


def _history_note(upload: Upload) -> str:
    """For registrations with rows of years DUO counted: which rows are history (a mistyped year shows here)."""
    last = int(data._tables()["leerlingen"]["schooljaar"].max())
    past = sorted({int(r["schooljaar"]) for r in upload.rijen if int(r["schooljaar"]) <= last})
    if upload.soort != Upload.Soort.AANMELDINGEN or not past:
        return ""
    n = sum(int(r["schooljaar"]) <= last for r in upload.rijen)
    return (
        f" {n} regel(s) met een peildatum in een jaar dat DUO al telde ({', '.join(map(str, past))}) gelden als uw "
        "historie: dekkend vergelijkt ze met de telling van DUO."
    )


@rule("bestuursdata")
@login_required
@require_GET
def sjabloon(request: HttpRequest, regio_id: int, sjabloon: str) -> HttpResponse:
    regio = region_for(request.user, regio_id)
    board = _board_in_region(request, regio)
    fmt = request.GET.get("formaat", "xlsx")
    if board is None or sjabloon not in Upload.Soort.values or fmt not in data.FORMATS:
        return HttpResponse("Alleen een bestuur van deze regio kan zijn sjabloon downloaden.", status=404)
    content, name = data.template_file(board, sjabloon, fmt)
    kind = "text/csv" if fmt == "csv" else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@rule("bestuursdata")
@login_required
@require_GET
def bekijken(request: HttpRequest, regio_id: int, upload_id: int) -> HttpResponse:
    """One upload at the person's level (own board: all; others: as shared; 404 otherwise)."""
    regio = region_for(request.user, regio_id)
    found, level = access.upload_for(request.user, upload_id, regio)
    access.record_read(request, found, level, "pagina upload")
    context = {"regio": regio, "pagina": "eigen_gegevens", "paginas": _pages(), "u": data.view(found, level)}
    return render(request, "werkruimte/upload.html", context)


@rule("bestuursdata")
@login_required
@require_http_methods(["GET", "POST"])
def delen(request: HttpRequest, regio_id: int, upload_id: int) -> HttpResponse:
    """The disclosure of an own upload: GET ``?niveau=&met=`` previews, POST sets it (at once)."""
    regio = region_for(request.user, regio_id)
    found = access.own_upload(request.user, upload_id)
    form = DelenForm(request.POST if request.method == "POST" else request.GET or None)
    if form.is_bound and form.is_valid():
        niveau, met = form.cleaned_data["niveau"], form.cleaned_data["met"] or "adviseur"
        if request.method == "POST":
            if not found.is_current():
                messages.error(request, "Alleen de nieuwste versie kan worden gedeeld.")
            else:
                data.share(request, found, niveau, met)
                messages.success(request, "Delen is aangepast; het geldt vanaf nu.")
            return redirect("werkruimte:eigen_gegevens", regio_id=regio.pk)
        preview = data.preview(found, niveau, met)
    else:
        niveau, met, preview = found.niveau, found.met, data.preview(found, found.niveau, found.met)
    context = {
        "regio": regio,
        "pagina": "eigen_gegevens",
        "paginas": _pages(),
        "upload": found,
        "voorbeeld": preview,
        "niveau": niveau,
        "met": met,
        "form": form,
    }
    return render(request, "werkruimte/delen.html", context, status=400 if form.errors else 200)


@rule("bestuursdata")
@login_required
@require_POST
def verwijderen(request: HttpRequest, regio_id: int, upload_id: int) -> HttpResponse:
    regio = region_for(request.user, regio_id)
    found = access.own_upload(request.user, upload_id)
    data.delete(request, [found], f"upload {found.pk}")
    messages.success(request, "De versie is verwijderd.")
    return redirect("werkruimte:eigen_gegevens", regio_id=regio.pk)


@rule("bestuursdata")
@login_required
@require_GET
def exporteren(request: HttpRequest, regio_id: int) -> HttpResponse:
    regio = region_for(request.user, regio_id)
    board = _board_in_region(request, regio)
    if board is None:
        return HttpResponse("Alleen een bestuur kan zijn eigen gegevens downloaden.", status=404)
    response = HttpResponse(data.export(board), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="eigen-gegevens-bestuur-{board.code}.zip"'
    return response


@rule("bestuursdata")
@login_required
@require_POST
def alles_verwijderen(request: HttpRequest, regio_id: int) -> HttpResponse:
    regio = region_for(request.user, regio_id)
    board = _board_in_region(request, regio)
    if board is None:
        return HttpResponse("Alleen een bestuur kan zijn eigen gegevens verwijderen.", status=404)
    count = data.delete(request, Upload.objects.filter(bestuur=board), "alle eigen gegevens")
    messages.success(request, f"{count} versie(s) verwijderd; het auditlog bewaart alleen dat dit gebeurde.")
    return redirect("werkruimte:eigen_gegevens", regio_id=regio.pk)
