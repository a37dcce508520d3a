"""The agreement pages of a region: the register, one agreement, recording and changing, answering, the annex."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dekkend.web import audit, jobs
from dekkend.web.access import can_manage_region, region_for, region_to_manage, rule
from dekkend.web.afspraken import services
from dekkend.web.afspraken.access import agreement_for, answering_board
from dekkend.web.afspraken.forms import AfspraakForm, InstemmingForm
from dekkend.web.afspraken.models import CONCEPT, TER_INSTEMMING, VASTGESTELD, Afspraak
from dekkend.web.models import Taak
from dekkend.web.views import REGION_PAGES

PAGE = "afspraken"


def _context(regio: object, **extra: object) -> dict[str, object]:
    return {"regio": regio, "pagina": PAGE, "paginas": REGION_PAGES, **extra}


@rule("regio")
@login_required
@require_GET
def afspraken(request: HttpRequest, regio_id: int) -> HttpResponse:
    """The region's agreements register, newest first (replaced ones included)."""
    regio = region_for(request.user, regio_id)
    found = Afspraak.objects.filter(regio=regio).select_related("versie__scenario").prefetch_related("besturen")
    context = _context(regio, afspraken=found, beheer=can_manage_region(request.user, regio))
    return render(request, "werkruimte/afspraken.html", context)


@rule("regiobeheer")
@login_required
@require_http_methods(["GET", "POST"])
def nieuw(request: HttpRequest, regio_id: int) -> HttpResponse:
    """Record a new agreement (a concept); ``?vervangt=<id>`` starts from an established one to replace it."""
    regio = region_to_manage(request.user, regio_id)
    initial = {}
    replaced = request.GET.get("vervangt", "")
    if replaced.isdigit():
        old = Afspraak.objects.filter(regio=regio, pk=int(replaced), status=VASTGESTELD).first()
        if old is not None:
            initial = {
                "titel": old.titel,
                "inhoud": old.inhoud,
                "versie": old.versie_id,
                "besturen": list(old.besturen.values_list("pk", flat=True)),
                "vervangt": old.pk,
            }
    form = AfspraakForm(
        request.POST if request.method == "POST" else None, initial=initial, user=request.user, regio=regio
    )
    if request.method == "POST" and form.is_valid():
        made = services.record(request, regio, form)
        messages.success(request, "De afspraak is vastgelegd als concept.")
        return redirect("werkruimte:afspraak", regio_id=regio.pk, afspraak_id=made.pk)
    context = _context(regio, form=form, nieuw=True)
    return render(request, "werkruimte/afspraak_formulier.html", context, status=400 if form.errors else 200)


@rule("regio")
@login_required
@require_GET
def afspraak(request: HttpRequest, regio_id: int, afspraak_id: int) -> HttpResponse:
    """One agreement: what, which boards and their answers (every round), the annex."""
    found = agreement_for(request.user, regio_id, afspraak_id)
    answers = found.answers()
    boards = [(b, answers.get(b.pk)) for b in found.besturen.order_by("naam")]
    own_board = request.user.bestuur_id
    may_answer = (
        found.status == TER_INSTEMMING
        and own_board is not None
        and any(b.pk == own_board for b, _ in boards)
        and own_board not in answers
    )
    context = _context(
        found.regio,
        afspraak=found,
        besturen=boards,
        instemmingen=found.instemmingen.select_related("bestuur").order_by("-ronde", "-moment"),
        beheer=can_manage_region(request.user, found.regio),
        mag_antwoorden=may_answer,
        instemming_form=InstemmingForm(),
        taken=Taak.objects.filter(regio=found.regio, soort=Taak.Soort.AFSPRAAK, parameters__afspraak=found.pk)[:5],
    )
    return render(request, "werkruimte/afspraak.html", context)


@rule("regiobeheer")
@login_required
@require_http_methods(["GET", "POST"])
def wijzigen(request: HttpRequest, regio_id: int, afspraak_id: int) -> HttpResponse:
    """Change a concept."""
    regio = region_to_manage(request.user, regio_id)
    found = agreement_for(request.user, regio.pk, afspraak_id)
    if found.status != CONCEPT:
        messages.error(request, "Alleen een concept kan worden gewijzigd.")
        return redirect("werkruimte:afspraak", regio_id=regio.pk, afspraak_id=found.pk)
    form = AfspraakForm(
        request.POST if request.method == "POST" else None, instance=found, user=request.user, regio=regio
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.change(request, found, form)
        except services.StatusFout as exc:
            messages.error(request, str(exc).capitalize() + ".")
        else:
            messages.success(request, "De afspraak is gewijzigd.")
        return redirect("werkruimte:afspraak", regio_id=regio.pk, afspraak_id=found.pk)
    context = _context(regio, form=form, afspraak=found, nieuw=False)
    return render(request, "werkruimte/afspraak_formulier.html", context, status=400 if form.errors else 200)


@rule("regiobeheer")
@login_required
@require_POST
def voorleggen(request: HttpRequest, regio_id: int, afspraak_id: int) -> HttpResponse:
    """Put a concept up for confirmation by the named boards."""
    regio = region_to_manage(request.user, regio_id)
    found = agreement_for(request.user, regio.pk, afspraak_id)
    try:
        services.submit(request, found)
    except services.StatusFout as exc:
        messages.error(request, str(exc).capitalize() + ".")
    else:
        messages.success(request, "De afspraak ligt nu ter instemming bij de besturen; zij krijgen een melding.")
    return redirect("werkruimte:afspraak", regio_id=regio.pk, afspraak_id=found.pk)


@rule("afspraak")
@login_required
@require_POST
def instemming(request: HttpRequest, regio_id: int, afspraak_id: int) -> HttpResponse:
    """A named board's answer (agree, or decline with a reason)."""
    found = agreement_for(request.user, regio_id, afspraak_id)
    board = answering_board(request.user, found)
    form = InstemmingForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors).capitalize() + ".")
        return redirect("werkruimte:afspraak", regio_id=found.regio_id, afspraak_id=found.pk)
    try:
        services.answer(request, found, board, form.cleaned_data["besluit"], form.cleaned_data["reden"])
    except services.StatusFout as exc:
        messages.error(request, str(exc).capitalize() + ".")
    else:
        messages.success(request, "Uw antwoord is vastgelegd; de regiocoördinator krijgt een melding.")
    return redirect("werkruimte:afspraak", regio_id=found.regio_id, afspraak_id=found.pk)


@rule("regio")
@login_required
@require_POST
def bijlage(request: HttpRequest, regio_id: int, afspraak_id: int) -> HttpResponse:
    """Start the annex job (PDF); with htmx, answer the job's progress block."""
    found = agreement_for(request.user, regio_id, afspraak_id)
    taak = services.start_annex(found, request.user)
    audit.record(request, "bijlage afspraak gestart", object=f"afspraak {found.pk}", taak=taak.pk)
    if request.htmx:
        return render(request, "werkruimte/_afspraak_taak.html", {"afspraak": found, "taak": taak})
    return redirect("werkruimte:afspraak", regio_id=found.regio_id, afspraak_id=found.pk)


def _annex_job(request: HttpRequest, regio_id: int, afspraak_id: int, taak_id: int) -> tuple[Afspraak, Taak]:
    found = agreement_for(request.user, regio_id, afspraak_id)
    job = get_object_or_404(
        Taak, pk=taak_id, regio=found.regio, soort=Taak.Soort.AFSPRAAK, parameters__afspraak=found.pk
    )
    return found, job


@rule("regio")
@login_required
@require_GET
def bijlage_taak(request: HttpRequest, regio_id: int, afspraak_id: int, taak_id: int) -> HttpResponse:
    """The annex job's progress (htmx partial, polled while it runs)."""
    found, job = _annex_job(request, regio_id, afspraak_id, taak_id)
    return render(request, "werkruimte/_afspraak_taak.html", {"afspraak": found, "taak": job})


@rule("regio")
@login_required
@require_GET
def bijlage_bestand(request: HttpRequest, regio_id: int, afspraak_id: int, taak_id: int, soort: str) -> FileResponse:
    """Download the finished annex (``pdf`` or ``html``)."""
    found, job = _annex_job(request, regio_id, afspraak_id, taak_id)
    relative = job.resultaat.get(soort) if soort in ("html", "pdf") and job.status == Taak.Status.KLAAR else None
    if not relative:
        raise Http404("bestand niet gevonden")
    response = jobs.send_web_file(relative)
    audit.record(request, "bijlage afspraak gedownload", object=f"afspraak {found.pk}", taak=job.pk, soort=soort)
    return response
