"""Pages of support requests, notifications and the knowledge base (thin views over ``werk`` and ``kennis``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dekkend import knowledge
from dekkend.errors import DekkendError
from dekkend.web import audit, jobs
from dekkend.web.access import region_for, rule, visible_regions
from dekkend.web.hulpvragen import access, kennis, werk
from dekkend.web.hulpvragen.forms import (
    BeoordelingForm,
    BerichtForm,
    HulpvraagForm,
    InboxFilter,
    KennisForm,
    KennisZoekForm,
    MeldingenForm,
    PartnerForm,
    StatusForm,
    VerslagForm,
)
from dekkend.web.hulpvragen.models import (
    VISITATIETHEMAS,
    Bijlage,
    Hulpvraag,
    KennisVersie,
    Nuttig,
    Soort,
    Status,
    Visitatiepartner,
)
from dekkend.web.hulpvragen.uploads import BijlageFout
from dekkend.web.models import Bestuur, Melding, Regio, Rol
from dekkend.web.views import REGION_PAGES


def _region_context(regio: Regio, page: str) -> dict[str, Any]:
    return {"regio": regio, "pagina": page, "paginas": REGION_PAGES}


def _knelpunten(regio: Regio) -> list[dict[str, Any]]:
    analysis = jobs.analysis(regio)
    return list(analysis["diagnose"].get("knelpunten", [])) if analysis else []


@rule("publiek")
@require_GET
def hulp_ondersteuning(request: HttpRequest) -> HttpResponse:
    """Help per role: asking for support, and working as an adviser."""
    return render(request, "werkruimte/hulpvragen/hulp.html")


# -- requests ------------------------------------------------------------------------------------------------
@rule("regio")
@login_required
@require_GET
def ondersteuning(request: HttpRequest, regio_id: int) -> HttpResponse:
    """The region's support tab: my requests here, whom each kind goes to, shared visitation reports."""
    regio = region_for(request.user, regio_id)
    routes = []
    for value, label in Soort.choices:
        handler = access.handlers(regio, value).first()
        routes.append({"soort": value, "label": label, "naar": handler, "contact": werk.CONTACT[Soort(value)]})
    shared = Hulpvraag.objects.filter(regio=regio, soort=Soort.VISITATIE, verslag_gedeeld=True)
    context = _region_context(regio, "ondersteuning")
    context.update(
        hulpvragen=access.visible_requests(request.user, regio).select_related("bestuur", "behandelaar"),
        routes=routes,
        mag_vragen=access.may_ask(request.user),
        gedeeld=[h for h in shared if h.verslag() is not None],
    )
    return render(request, "werkruimte/hulpvragen/ondersteuning.html", context)


def _choices(request: HttpRequest, regio: Regio) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    from dekkend.web.plannen.access import visible_scenarios

    knelpunten = [(i, f"{k.get('titel', '')} ({k.get('ernst', '')})") for i, k in enumerate(_knelpunten(regio))]
    scenarios = []
    for scenario in visible_scenarios(request.user, regio):
        latest = scenario.laatste()
        if latest is not None:
            scenarios.append((latest.pk, f"{scenario.naam} (versie {latest.nummer})"))
    return knelpunten, scenarios


@rule("regio")
@login_required
@require_http_methods(["GET", "POST"])
def hulpvraag_nieuw(request: HttpRequest, regio_id: int) -> HttpResponse:
    """Ask for support (``?soort=``, ``?knelpunt=`` (its position in the analysis), ``?scenario=`` (a version))."""
    regio = region_for(request.user, regio_id)
    context = _region_context(regio, "ondersteuning")
    if not access.may_ask(request.user):
        if request.method == "POST":
            raise PermissionDenied("alleen besturen en regiocoördinatoren kunnen ondersteuning aanvragen")
        context["mag_vragen"] = False
        return render(request, "werkruimte/hulpvragen/nieuw.html", context)
    knelpunten, scenarios = _choices(request, regio)
    initial = {k: request.GET.get(k) for k in ("soort", "knelpunt") if request.GET.get(k)}
    if request.GET.get("scenario"):
        initial["scenario_versie"] = request.GET["scenario"]
    form = HulpvraagForm(
        request.POST if request.method == "POST" else None, initial=initial, knelpunten=knelpunten, scenarios=scenarios
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            hulpvraag = werk.ask(
                request,
                regio,
                soort=data["soort"],
                onderwerp=data["onderwerp"],
                tekst=data["tekst"],
                knelpunt=data["knelpunt"],
                scenario_versie=data["scenario_versie"],
                streefdatum=data["streefdatum"],
                rapport=data["rapport"],
                themas=data["themas"],
                voorgestelde_data=data["voorgestelde_data"],
            )
        except werk.HulpvraagFout as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Uw hulpvraag is verstuurd naar {hulpvraag.behandelaar}.")
            return redirect(werk.link(hulpvraag))
    context.update(form=form, mag_vragen=True)
    return render(request, "werkruimte/hulpvragen/nieuw.html", context, status=400 if form.errors else 200)


def _detail_context(request: HttpRequest, hulpvraag: Hulpvraag) -> dict[str, Any]:
    user = request.user
    context = _region_context(hulpvraag.regio, "ondersteuning")
    context.update(
        h=hulpvraag,
        berichten=hulpvraag.berichten.select_related("door").prefetch_related("bijlagen"),
        bijlagen=hulpvraag.bijlagen.filter(verslag=False),
        verslag=hulpvraag.verslag(),
        partners=hulpvraag.visitatiepartners.select_related("bestuur"),
        behandelaar=access.is_handler(user, hulpvraag),
        aanvrager=access.is_requester(user, hulpvraag),
        bericht_form=BerichtForm(),
        status_form=StatusForm(initial={"status": hulpvraag.status}),
        statussen=Status.choices,
        snap=hulpvraag.momentopname,
        thema_labels=[dict(VISITATIETHEMAS).get(t, t) for t in hulpvraag.themas],
    )
    return context


@rule("hulpvraag")
@login_required
@require_http_methods(["GET", "POST"])
def hulpvraag(request: HttpRequest, regio_id: int, hulpvraag_id: int) -> HttpResponse:
    """A request: its snapshot, thread and files; POST adds a message (with attachments)."""
    found = access.request_for(request.user, regio_id, hulpvraag_id)
    status = 200
    context = _detail_context(request, found)
    if request.method == "POST":
        form = BerichtForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                werk.write(request, found, form.cleaned_data["tekst"], request.FILES.getlist("bijlagen"))
            except (werk.HulpvraagFout, BijlageFout) as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "Uw bericht is geplaatst.")
                return redirect(werk.link(found))
        context["bericht_form"], status = form, 400
    return render(request, "werkruimte/hulpvragen/hulpvraag.html", context, status=status)


@rule("hulpvraag")
@login_required
@require_POST
def hulpvraag_status(request: HttpRequest, regio_id: int, hulpvraag_id: int) -> HttpResponse:
    found = access.request_for(request.user, regio_id, hulpvraag_id)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Kies een bestaande status.")
        return redirect(werk.link(found))
    werk.change_status(request, found, form.cleaned_data["status"])
    messages.success(request, f"De status is nu '{found.get_status_display()}'.")
    return redirect(werk.link(found))


@rule("hulpvraag")
@login_required
@require_GET
def hulpvraag_bijlage(request: HttpRequest, regio_id: int, hulpvraag_id: int, bijlage_id: int) -> FileResponse:
    found = access.request_for(request.user, regio_id, hulpvraag_id)
    bijlage = get_object_or_404(Bijlage, pk=bijlage_id, hulpvraag=found)
    response = jobs.send_stored_file(bijlage.bestand, bijlage.naam)
    audit.record(request, "bijlage gedownload", object=f"hulpvraag {found.pk}", bijlage=bijlage.pk)
    return response


@rule("hulpvraag")
@login_required
@require_GET
def hulpvraag_rapport(request: HttpRequest, regio_id: int, hulpvraag_id: int, soort: str) -> FileResponse:
    """The report of the request's moment (``html`` or ``pdf``)."""
    found = access.request_for(request.user, regio_id, hulpvraag_id)
    relative = found.rapport.resultaat.get(soort) if found.rapport and soort in ("html", "pdf") else None
    if not relative or found.rapport is None or found.rapport.status != "klaar":
        raise Http404("bestand niet gevonden")
    audit.record(request, "rapport gedownload", object=f"hulpvraag {found.pk}", soort=soort)
    return jobs.send_web_file(relative, f"regiorapport-hulpvraag-{found.pk}.{soort}")


@rule("hulpvraag")
@login_required
@require_http_methods(["GET", "POST"])
def hulpvraag_verslag(request: HttpRequest, regio_id: int, hulpvraag_id: int) -> HttpResponse:
    """GET: download the visitation report (also for region members when shared); POST: upload it."""
    if request.method == "GET":
        found = access.shared_report_request(request.user, regio_id, hulpvraag_id)
        verslag = found.verslag()
        assert verslag is not None
        response = jobs.send_stored_file(verslag.bestand, verslag.naam)
        audit.record(request, "visitatieverslag gedownload", object=f"hulpvraag {found.pk}")
        return response
    found = access.request_for(request.user, regio_id, hulpvraag_id)
    if not (access.is_handler(request.user, found) or access.is_requester(request.user, found)):
        raise PermissionDenied("alleen het bestuur en de adviseur van deze visitatie voegen het verslag toe")
    form = VerslagForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Kies het verslag (een PDF-bestand).")
    else:
        try:
            werk.upload_report(request, found, form.cleaned_data["verslag"])
        except (werk.HulpvraagFout, BijlageFout) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Het visitatieverslag is toegevoegd.")
    return redirect(werk.link(found))


@rule("hulpvraag")
@login_required
@require_POST
def hulpvraag_delen(request: HttpRequest, regio_id: int, hulpvraag_id: int) -> HttpResponse:
    found = access.request_for(request.user, regio_id, hulpvraag_id)
    werk.share_report(request, found, request.POST.get("delen") == "1")
    messages.success(
        request,
        "Het verslag is gedeeld met de regio." if found.verslag_gedeeld else "Het verslag is niet meer gedeeld.",
    )
    return redirect(werk.link(found))


@rule("hulpvraag")
@login_required
@require_POST
def hulpvraag_partner(request: HttpRequest, regio_id: int, hulpvraag_id: int) -> HttpResponse:
    found = access.request_for(request.user, regio_id, hulpvraag_id)
    if not (access.is_handler(request.user, found) or access.is_requester(request.user, found)):
        raise PermissionDenied("alleen het bestuur en de adviseur van deze visitatie vragen besturen om te visiteren")
    form = PartnerForm(request.POST)
    board = Bestuur.objects.filter(code=form.data.get("bestuur", "").strip()).first() if form.is_valid() else None
    if board is None:
        messages.error(request, "Er is geen bestuur met dat bevoegd-gezagnummer in de werkruimte.")
        return redirect(werk.link(found))
    try:
        werk.invite_peer(request, found, board)
    except werk.HulpvraagFout as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{board} is gevraagd om te visiteren.")
    return redirect(werk.link(found))


@rule("hulpvraag")
@login_required
@require_http_methods(["GET", "POST"])
def visitatie(request: HttpRequest, regio_id: int, hulpvraag_id: int) -> HttpResponse:
    """A peer board's page for a visitation it was asked to make: themes, dates, peers; agree or decline."""
    partner = access.peer_for(request.user, regio_id, hulpvraag_id)
    if request.method == "POST":
        werk.answer_peer(request, partner, request.POST.get("antwoord") == "toegezegd")
        messages.success(request, "Uw antwoord is doorgegeven.")
        return redirect(request.path)
    h = partner.hulpvraag
    return render(
        request,
        "werkruimte/hulpvragen/visitatie.html",
        {
            "partner": partner,
            "h": h,
            "themas": [dict(VISITATIETHEMAS).get(t, t) for t in h.themas],
            "partners": h.visitatiepartners.select_related("bestuur"),
        },
    )


@rule("ingelogd")
@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """Every request the person sees, with filters (status, kind, region, text)."""
    regions = list(visible_regions(request.user))
    form = InboxFilter(request.GET or None)
    form.fields["regio"].choices = [("", "alle"), *[(r.pk, r.naam) for r in regions]]
    found = access.visible_requests(request.user).select_related("regio", "bestuur", "behandelaar")
    if form.is_valid():
        data = form.cleaned_data
        if data["status"] == "open":
            found = found.exclude(status=Status.AFGEROND)
        elif data["status"]:
            found = found.filter(status=data["status"])
        if data["soort"]:
            found = found.filter(soort=data["soort"])
        if data["regio"]:
            found = found.filter(regio_id=data["regio"])
        if data["q"]:
            found = found.filter(Q(onderwerp__icontains=data["q"]) | Q(tekst__icontains=data["q"]))
    peers = []
    if request.user.bestuur_id:
        peers = list(
            Visitatiepartner.objects.select_related("hulpvraag", "hulpvraag__regio").filter(
                bestuur_id=request.user.bestuur_id
            )
        )
    today = timezone.localdate()
    return render(
        request,
        "werkruimte/hulpvragen/inbox.html",
        {"form": form, "hulpvragen": found, "visitaties": peers, "vandaag": today},
    )


@rule("ingelogd")
@login_required
@require_http_methods(["GET", "POST"])
def meldingen(request: HttpRequest) -> HttpResponse:
    """The person's notifications, and whether they get e-mail at once or a daily digest."""
    user = request.user
    form = MeldingenForm(
        request.POST if request.POST.get("actie") == "instelling" else None,
        initial={"meldingen_per_dag": "1" if user.meldingen_per_dag else "0"},
    )
    if request.method == "POST":
        if request.POST.get("actie") == "gelezen":
            Melding.objects.filter(ontvanger=user, gelezen__isnull=True).update(gelezen=timezone.now())
            messages.success(request, "Alle meldingen zijn als gelezen gemarkeerd.")
            return redirect("werkruimte:meldingen")
        if form.is_valid():
            user.meldingen_per_dag = form.cleaned_data["meldingen_per_dag"]
            user.save(update_fields=["meldingen_per_dag"])
            messages.success(
                request,
                "U krijgt voortaan eens per dag een samenvatting."
                if user.meldingen_per_dag
                else "U krijgt voortaan bij elke melding een e-mail.",
            )
            return redirect("werkruimte:meldingen")
    items = Melding.objects.filter(ontvanger=user).order_by("-aangemaakt")[:100]
    return render(request, "werkruimte/hulpvragen/meldingen.html", {"form": form, "meldingen_lijst": items})


# -- knowledge base ------------------------------------------------------------------------------------------
@rule("ingelogd")
@login_required
@require_GET
def kennisbank(request: HttpRequest) -> HttpResponse:
    """Search with facets (soort, gebied, jaar) over the shipped and the workspace's published entries."""
    form = KennisZoekForm(request.GET or None)
    index = kennis.index()
    result, error = None, None
    if form.is_valid() and form.cleaned_data["q"]:
        data = form.cleaned_data
        try:
            result = index.search(
                data["q"],
                soort=data["soort"] or None,
                gebied=data["gebied"] or None,
                jaar=data["jaar"],
                limit=50,
            )
        except DekkendError as exc:
            error = str(exc)
    elif form.is_bound and not form.is_valid():
        error = "Controleer de zoekvraag en de filters."
    context = {
        "form": form,
        "resultaat": result,
        "fout": error,
        "soorten": knowledge.SOORTEN,
        "aantal": len(index.entries),
        "mag_bewerken": kennis.may_edit(request.user),
        "q": request.GET.get("q", ""),
    }
    return render(request, "werkruimte/hulpvragen/kennisbank.html", context, status=400 if error else 200)


@rule("ingelogd")
@login_required
@require_GET
def kennisartikel(request: HttpRequest, artikel: str) -> HttpResponse:
    """One entry with its sources, its origin and (for editors) its local versions."""
    index = kennis.index()
    try:
        entry = index.get(artikel)
    except DekkendError as exc:
        raise Http404("artikel niet gevonden") from exc
    versions = KennisVersie.objects.filter(artikel=entry.id).select_related("auteur", "beoordelaar")
    latest = kennis.published().get(entry.id)
    seed = kennis.seed_text(entry.id)
    context = {
        "e": entry,
        "herkomst": kennis.origin(entry.id),
        "versies": versions if kennis.may_edit(request.user) else [],
        "mag_bewerken": kennis.may_edit(request.user),
        "zaad_gewijzigd": bool(latest and seed is not None and latest.basis and latest.basis != kennis.text_hash(seed)),
        "regios": list(visible_regions(request.user)) if request.user.bestuur_id else [],
    }
    return render(request, "werkruimte/hulpvragen/artikel.html", context)


@rule("kennisbeheer")
@login_required
@require_http_methods(["GET", "POST"])
def kennis_bewerken(request: HttpRequest, artikel: str = "") -> HttpResponse:
    """Write a new version (a concept) of an entry, or a new entry (``/kennisbank/nieuw/``)."""
    if not kennis.may_edit(request.user):
        raise PermissionDenied("alleen adviseurs en de beheerder schrijven in de kennisbank")
    if artikel:
        local = KennisVersie.objects.filter(artikel=artikel).order_by("-nummer").first()
        start = local.tekst if local else kennis.seed_text(artikel)
        if start is None:
            raise Http404("artikel niet gevonden")
    else:
        start = kennis.NEW_EXAMPLE
    form = KennisForm(request.POST if request.method == "POST" else None, initial={"tekst": start})
    if request.method == "POST" and form.is_valid():
        try:
            version = kennis.save_version(request.user, form.cleaned_data["tekst"], artikel or None)
        except DekkendError as exc:
            form.add_error("tekst", str(exc))
        else:
            audit.record(request, "kennisbank concept", object=version.artikel, versie=version.nummer)
            messages.success(request, f"Versie {version.nummer} is opgeslagen als concept.")
            return redirect("werkruimte:kennis_versie", versie_id=version.pk)
    return render(
        request,
        "werkruimte/hulpvragen/bewerken.html",
        {"form": form, "artikel": artikel},
        status=400 if form.errors else 200,
    )


@rule("kennisbeheer")
@login_required
@require_http_methods(["GET", "POST"])
def kennis_versie(request: HttpRequest, versie_id: int) -> HttpResponse:
    """A local version: ask for review (its author), publish or reject it (a second person)."""
    if not kennis.may_edit(request.user):
        raise PermissionDenied("alleen adviseurs en de beheerder beoordelen de kennisbank")
    version = get_object_or_404(KennisVersie, pk=versie_id)
    if request.method == "POST":
        try:
            if request.POST.get("actie") == "indienen":
                kennis.submit(version)
                messages.success(request, "De versie wacht nu op beoordeling door een tweede persoon.")
            else:
                form = BeoordelingForm(request.POST)
                if not form.is_valid():
                    raise ValueError("kies publiceren of afwijzen")
                publish = form.cleaned_data["besluit"] == "publiceren"
                kennis.review(version, request.user, publish=publish, opmerking=form.cleaned_data["opmerking"])
                audit.record(request, "kennisbank beoordeeld", object=version.artikel, gepubliceerd=publish)
                messages.success(request, "Gepubliceerd." if publish else "Afgewezen.")
        except PermissionError as exc:
            raise PermissionDenied(str(exc)) from exc
        except ValueError as exc:
            messages.error(request, str(exc))
        return redirect("werkruimte:kennis_versie", versie_id=version.pk)
    try:
        entry, problem = kennis.parse(version.tekst, version.artikel), None
    except DekkendError as exc:
        entry, problem = None, str(exc)
    return render(
        request,
        "werkruimte/hulpvragen/versie.html",
        {"v": version, "e": entry, "probleem": problem, "form": BeoordelingForm()},
    )


@rule("kennisbeheer")
@login_required
@require_GET
def kennis_beoordelen(request: HttpRequest) -> HttpResponse:
    """Versions waiting for review, and the editor's own concepts."""
    if not kennis.may_edit(request.user):
        raise PermissionDenied("alleen adviseurs en de beheerder beoordelen de kennisbank")
    waiting = KennisVersie.objects.filter(staat=KennisVersie.Staat.TER_BEOORDELING).select_related("auteur")
    mine = KennisVersie.objects.filter(auteur=request.user, staat=KennisVersie.Staat.CONCEPT)
    return render(request, "werkruimte/hulpvragen/beoordelen.html", {"wachtend": waiting, "concepten": mine})


@rule("regio")
@login_required
@require_GET
def kennis_regio(request: HttpRequest, regio_id: int) -> HttpResponse:
    """The region's knelpunten each with matched entries (seed + local), "helpful" marks, and a help button."""
    regio = region_for(request.user, regio_id)
    context = _region_context(regio, "kennis_regio")
    analysis = jobs.analysis(regio)
    if analysis is None:
        context["taak"] = jobs.ensure_analysis(regio, request.user)
        return render(request, "werkruimte/berekenen.html", context)
    matched, advice, left_out = kennis.region_advice(analysis, regio.pk)
    rows = [
        {"knelpunt": a.knelpunt, "positie": i if i >= 0 else None, "aanbevelingen": a.aanbevelingen} for i, a in matched
    ]
    marks = Nuttig.objects.filter(regio=regio)
    mine = set(marks.filter(bestuur_id=request.user.bestuur_id).values_list("artikel", flat=True))
    summary = []
    if request.user.rol in (Rol.ADVISEUR, Rol.REGIOCOORDINATOR, Rol.ACCOUNTMANAGER, Rol.BEHEERDER):
        summary = list(marks.values("artikel").annotate(n=Count("bestuur", distinct=True)).order_by("-n", "artikel"))
        titles = {e.id: e.titel for e in kennis.index().entries}
        for row in summary:
            row["titel"] = titles.get(row["artikel"], row["artikel"])
            row["besturen"] = [str(n.bestuur) for n in marks.filter(artikel=row["artikel"]).select_related("bestuur")]
    context.update(
        rijen=rows,
        weggelaten=left_out,
        ondersteuning=advice.ondersteuning,
        nuttig=mine,
        overzicht=summary,
        mag_markeren=request.user.bestuur_id is not None,
        mag_vragen=access.may_ask(request.user),
    )
    return render(request, "werkruimte/hulpvragen/kennis_regio.html", context)


@rule("regio")
@login_required
@require_POST
def kennis_nuttig(request: HttpRequest, regio_id: int, artikel: str) -> HttpResponse:
    """A board marks an entry helpful for its situation in this region (or takes the mark back)."""
    regio = region_for(request.user, regio_id)
    target = reverse("werkruimte:kennis_regio", kwargs={"regio_id": regio.pk})
    if request.user.bestuur_id is None:
        messages.error(request, "Alleen medewerkers van een bestuur markeren artikelen als nuttig.")
        return redirect(target)
    try:
        entry = kennis.index().get(artikel)
    except DekkendError as exc:
        raise Http404("artikel niet gevonden") from exc
    existing = Nuttig.objects.filter(artikel=entry.id, regio=regio, bestuur_id=request.user.bestuur_id)
    if request.POST.get("weg") == "1":
        existing.delete()
    elif not existing.exists():
        Nuttig.objects.create(artikel=entry.id, regio=regio, bestuur_id=request.user.bestuur_id, door=request.user)
    return redirect(target)
