"""The workspace's pages: thin views over the library's analyses (via :mod:`dekkend.web.analysis`).

Every view carries its access rule (:func:`dekkend.web.access.rule`); region views look the region
up through :func:`~dekkend.web.access.region_for`, which answers 404 for a region one does not belong to.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dekkend.report import figures_json
from dekkend.web import audit, jobs
from dekkend.web.access import region_for, rule, visible_jobs, visible_regions
from dekkend.web.forms import RapportForm, TokenForm
from dekkend.web.models import ApiToken, Taak

#: The region pages in the order of the navigation: (url name, title).
REGION_PAGES = (
    ("regio", "Overzicht"),
    ("bereikbaarheid", "Bereikbaarheid"),
    ("knelpunten", "Knelpunten"),
    ("besturen", "Per bestuur"),
    ("advies", "Advies"),
    ("kennis_regio", "Kennis bij knelpunten"),
    ("scenarios", "Scenario's"),
    ("optimaliseren", "Optimaliseren"),
    ("afspraken", "Afspraken"),
    ("eigen_gegevens", "Eigen gegevens"),
    ("ondersteuning", "Ondersteuning"),
    ("bronnen", "Gegevens en methoden"),
    ("rapport", "Rapport"),
    ("leden", "Leden"),
)


class LoginView(auth_views.LoginView):
    template_name = "werkruimte/inloggen.html"
    redirect_authenticated_user = True


inloggen = rule("publiek")(LoginView.as_view())
uitloggen = rule("publiek")(auth_views.LogoutView.as_view())


@rule("publiek")
@require_GET
def hulp(request: HttpRequest) -> HttpResponse:
    return render(request, "werkruimte/hulp.html")


@rule("ingelogd")
@login_required
@require_GET
def start(request: HttpRequest) -> HttpResponse:
    regions = list(visible_regions(request.user))
    if len(regions) == 1:
        return redirect("werkruimte:regio", regio_id=regions[0].pk)
    return render(request, "werkruimte/start.html", {"regios": regions})


@rule("ingelogd")
@login_required
@require_http_methods(["GET", "POST"])
def profiel(request: HttpRequest) -> HttpResponse:
    new_key = None
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        token, new_key = ApiToken.create_for(request.user, form.cleaned_data["naam"])
        audit.record(request, "token aangemaakt", object=token.begin)
        form = TokenForm()
    tokens = ApiToken.objects.filter(gebruiker=request.user).order_by("-aangemaakt")
    return render(request, "werkruimte/profiel.html", {"form": form, "tokens": tokens, "nieuwe_sleutel": new_key})


@rule("ingelogd")
@login_required
@require_POST
def token_intrekken(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=token_id, gebruiker=request.user)
    audit.record(request, "token ingetrokken", object=token.begin)
    token.delete()
    messages.success(request, "Het token is ingetrokken.")
    return redirect("werkruimte:profiel")


#: Which report chapters each region page shows.
PAGE_SECTIONS = {
    "regio": ("samenvatting", "prognose"),
    "bereikbaarheid": ("bereikbaarheid", "profielen"),
    "knelpunten": ("knelpunten", "levensvatbaarheid"),
    "besturen": ("besturen",),
    "advies": ("voorbeelden",),
    "bronnen": ("methoden",),
}
_FIGURE = re.compile(r'data-figuur="([^"]+)"')


def _region_page(request: HttpRequest, regio_id: int, page: str) -> HttpResponse:
    """A region page: chapters of the cached analysis; while it is being computed, a progress page."""
    regio = region_for(request.user, regio_id)
    analysis = jobs.analysis(regio)
    context: dict[str, Any] = {"regio": regio, "pagina": page, "paginas": REGION_PAGES}
    if analysis is None:
        context["taak"] = jobs.ensure_analysis(regio, request.user)
        return render(request, "werkruimte/berekenen.html", context)
    names = jobs.board_display_names(regio)
    html = [jobs.with_board_names(jobs.section_html(analysis, anchor), names) for anchor in PAGE_SECTIONS[page]]
    used = [f for part in html for f in _FIGURE.findall(part)]
    charts = [f for f in used if analysis["soorten"].get(f) == "grafiek"]
    context.update(
        c=analysis["context"],
        a=analysis,
        secties=[mark_safe(part) for part in html],  # noqa: S308 - rendered by the report's autoescaping templates
        figuren=figures_script(analysis, charts, names),
        aanbodkaart=analysis["figuren"].get("kaart-aanbod") if page == "regio" else None,
    )
    return render(request, "werkruimte/regio.html", context)


def figures_script(analysis: dict[str, Any], names: list[str], boards: dict[str, str] | None = None) -> str:
    """The JSON of the named figures (boards under their display names), safe inside a JSON ``<script>`` element."""
    chosen = {n: analysis["figuren"][n] for n in names if n in analysis["figuren"]}
    return mark_safe(figures_json(jobs.with_board_names(chosen, boards or {})))  # noqa: S308


@rule("regio")
@login_required
@require_GET
def regio(request: HttpRequest, regio_id: int) -> HttpResponse:
    return _region_page(request, regio_id, "regio")


@rule("regio")
@login_required
@require_GET
def bereikbaarheid(request: HttpRequest, regio_id: int) -> HttpResponse:
    return _region_page(request, regio_id, "bereikbaarheid")


@rule("regio")
@login_required
@require_GET
def kaart(request: HttpRequest, regio_id: int) -> HttpResponse:
    """One map's plotly figure as JSON (``?kaart=kaart-havo-2024``): maps load when they scroll into view."""
    regio = region_for(request.user, regio_id)
    analysis = jobs.analysis(regio)
    name = request.GET.get("kaart", "")
    if analysis is None or analysis["soorten"].get(name) != "kaart":
        raise Http404("kaart niet gevonden")
    response = HttpResponse(figures_json({name: analysis["figuren"][name]}), content_type="application/json")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@rule("regio")
@login_required
@require_GET
def knelpunten(request: HttpRequest, regio_id: int) -> HttpResponse:
    return _region_page(request, regio_id, "knelpunten")


@rule("regio")
@login_required
@require_GET
def besturen(request: HttpRequest, regio_id: int) -> HttpResponse:
    return _region_page(request, regio_id, "besturen")


@rule("regio")
@login_required
@require_GET
def advies(request: HttpRequest, regio_id: int) -> HttpResponse:
    return _region_page(request, regio_id, "advies")


@rule("regio")
@login_required
@require_GET
def bronnen(request: HttpRequest, regio_id: int) -> HttpResponse:
    return _region_page(request, regio_id, "bronnen")


@rule("regio")
@login_required
@require_http_methods(["GET", "POST"])
def rapport(request: HttpRequest, regio_id: int) -> HttpResponse:
    regio = region_for(request.user, regio_id)
    form = RapportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            taak = jobs.start_report(regio, request.user, pdf=form.cleaned_data["pdf"])
            audit.record(request, "rapport gestart", object=f"regio {regio.pk}", taak=taak.pk)
            if request.htmx:
                # the region's first report: the partial also removes the "no reports yet" line (out of band)
                first = not Taak.objects.filter(regio=regio, soort=Taak.Soort.RAPPORT).exclude(pk=taak.pk).exists()
                return render(request, "werkruimte/_taak.html", {"regio": regio, "taak": taak, "eerste": first})
            return redirect("werkruimte:rapport", regio_id=regio.pk)
    taken = Taak.objects.filter(regio=regio, soort=Taak.Soort.RAPPORT).order_by("-aangemaakt")[:10]
    context = {"regio": regio, "pagina": "rapport", "paginas": REGION_PAGES, "form": form, "taken": taken}
    return render(request, "werkruimte/rapport.html", context, status=400 if form.errors else 200)


@rule("regio")
@login_required
@require_GET
def taak(request: HttpRequest, regio_id: int, taak_id: int) -> HttpResponse:
    """A job's status (htmx partial, polled while the job runs)."""
    regio = region_for(request.user, regio_id)
    found = get_object_or_404(visible_jobs(request.user), pk=taak_id, regio=regio)
    response = render(request, "werkruimte/_taak.html", {"regio": regio, "taak": found})
    if found.soort == Taak.Soort.ANALYSE and found.status == Taak.Status.KLAAR:
        response["HX-Refresh"] = "true"  # the region page can now show the analysis
    return response


@rule("regio")
@login_required
@require_GET
def rapport_bestand(request: HttpRequest, regio_id: int, taak_id: int, soort: str) -> FileResponse:
    """Download a finished report (``html`` or ``pdf``) of the region."""
    regio = region_for(request.user, regio_id)
    found = get_object_or_404(Taak, pk=taak_id, regio=regio, soort=Taak.Soort.RAPPORT, status=Taak.Status.KLAAR)
    relative = found.resultaat.get(soort) if soort in ("html", "pdf") else None
    if not relative:
        raise Http404("bestand niet gevonden")
    response = jobs.send_web_file(relative)
    audit.record(request, "rapport gedownload", object=f"regio {regio.pk}", taak=found.pk, soort=soort)
    return response
