"""The scenario pages: list, builder, result and comparison, presentation, sharing, comments, copies.

Thin views over :mod:`dekkend.web.plannen.services` (the API calls the same functions). Each view
carries its access rule; a scenario one may not see answers 404 (:func:`plannen.access.scenario_for`).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dekkend.report import figures_json
from dekkend.web import audit, jobs
from dekkend.web.access import region_for, rule
from dekkend.web.models import Regio, Taak
from dekkend.web.plannen import builder, services
from dekkend.web.plannen.access import audience, owns, scenario_for, scenario_to_change, visible_scenarios
from dekkend.web.plannen.compare import comparison, figures
from dekkend.web.plannen.models import NIVEAUS, Scenario, ScenarioVersie, Zichtbaarheid
from dekkend.web.views import REGION_PAGES


def _base(regio: Regio, **extra: Any) -> dict[str, Any]:
    return {"regio": regio, "pagina": "scenarios", "paginas": REGION_PAGES, **extra}


def _url(scenario: Scenario) -> HttpResponse:
    return redirect("werkruimte:scenario", regio_id=scenario.regio_id, scenario_id=scenario.pk)


@rule("regio")
@login_required
@require_GET
def scenarios(request: HttpRequest, regio_id: int) -> HttpResponse:
    """The region's scenarios that this person sees, each with its visibility."""
    regio = region_for(request.user, regio_id)
    found = visible_scenarios(request.user, regio).select_related("bestuur", "auteur")
    rows = [(s, owns(request.user, s), s.laatste()) for s in found]
    return render(request, "werkruimte/scenarios.html", _base(regio, rijen=rows))


# ---------------------------------------------------------------- the builder


def _builder_context(request: HttpRequest, regio: Regio, naam: str, text: str, **extra: Any) -> dict[str, Any]:
    choices = services.choices(regio)
    found = services.check(regio, text) if text.strip() else None
    return _base(
        regio,
        naam=naam,
        yaml=text,
        controle=found,
        woorden=_words(found),
        kiezer=builder.picker(choices, request.POST if request.method == "POST" else request.GET),
        **extra,
    )


def _words(found: services.Checked | None) -> list[str]:
    if found is None or found.scenario is None:
        return []
    from dekkend.report import measure_text

    return [measure_text(m, {}) for m in found.scenario.maatregelen]


def _measures(text: str) -> tuple[dict[str, Any], list[Any]]:
    """The document and its measures list (empty ones when ``text`` is empty or not a mapping)."""
    try:
        doc = services.load_yaml(text) if text.strip() else {}
    except services.InvoerFout:
        doc = {}
    if not isinstance(doc, dict):
        doc = {}
    measures = doc.get("maatregelen")
    if not isinstance(measures, list):
        measures = []
    return doc, measures


def _edit(request: HttpRequest, regio: Regio, text: str, naam: str) -> str:
    """The YAML after the builder's action (add or remove a measure, import a file)."""
    action = request.POST.get("actie", "")
    if action == "importeren" and request.FILES.get("bestand"):
        raw = request.FILES["bestand"].read(200_000)
        return raw.decode("utf-8", errors="replace")
    if action not in ("toevoegen", "verwijderen"):
        return text
    doc, measures = _measures(text)
    if action == "toevoegen":
        measures.append(builder.measure_from(request.POST))
    else:
        index = request.POST.get("index", "")
        if index.isdigit() and int(index) < len(measures):
            measures.pop(int(index))
    return builder.dump(
        {
            "naam": naam or doc.get("naam") or "Nieuw scenario",
            "beschrijving": doc.get("beschrijving") or "",
            "maatregelen": measures,
        }
    )


def _build(request: HttpRequest, regio: Regio, scenario: Scenario | None) -> HttpResponse:
    last = scenario.laatste() if scenario else None
    naam = request.POST.get("naam", scenario.naam if scenario else "").strip()
    text = request.POST.get("yaml", last.yaml if last else "")
    if request.method == "POST":
        text = _edit(request, regio, text, naam)
        if request.POST.get("actie") == "opslaan":
            try:
                if scenario is None:
                    scenario = services.create(request, request.user, regio, naam, text)
                else:
                    services.new_version(request, request.user, scenario, naam, text)
            except services.Ongeldig as exc:
                context = _builder_context(request, regio, naam, text, scenario=scenario, fouten=exc.fouten)
                if request.htmx:  # htmx swaps only successful responses: the errors come back as a 200 partial
                    return render(request, "werkruimte/_scenario_bouwer.html", context)
                return render(request, "werkruimte/scenario_bouwer.html", context, status=400)
            saved = scenario.laatste()
            messages.success(
                request, f"Scenario '{scenario.naam}' opgeslagen als versie {saved.nummer if saved else 1}."
            )
            if request.htmx:
                response = HttpResponse(status=204)
                response["HX-Redirect"] = _url(scenario).url
                return response
            return _url(scenario)
    context = _builder_context(request, regio, naam, text, scenario=scenario)
    if request.htmx and request.POST.get("actie") == "controleren":
        return render(request, "werkruimte/_scenario_controle.html", context)
    if request.htmx:
        return render(request, "werkruimte/_scenario_bouwer.html", context)
    return render(request, "werkruimte/scenario_bouwer.html", context)


@rule("regio")
@login_required
@require_http_methods(["GET", "POST"])
def scenario_nieuw(request: HttpRequest, regio_id: int) -> HttpResponse:
    """Build a new scenario from the pickers or an imported YAML file."""
    return _build(request, region_for(request.user, regio_id), None)


@rule("scenario")
@login_required
@require_http_methods(["GET", "POST"])
def scenario_bewerken(request: HttpRequest, regio_id: int, scenario_id: int) -> HttpResponse:
    """Change a scenario (its board only): saving makes a new version."""
    scenario = scenario_to_change(request.user, regio_id, scenario_id)
    return _build(request, scenario.regio, scenario)


@rule("regio")
@login_required
@require_GET
def scenario_kiezer(request: HttpRequest, regio_id: int) -> HttpResponse:
    """The picker's fields for the chosen kind and vestiging (htmx partial)."""
    regio = region_for(request.user, regio_id)
    context = _base(regio, kiezer=builder.picker(services.choices(regio), request.GET))
    return render(request, "werkruimte/_scenario_kiezer.html", context)


# ---------------------------------------------------------------- a scenario, its result and the comparison


def _compared(request: HttpRequest, scenario: Scenario) -> list[Scenario]:
    ids = [int(i) for i in request.GET.getlist("vergelijk") if i.isdigit() and int(i) != scenario.pk]
    return list(visible_scenarios(request.user, scenario.regio).filter(pk__in=ids))


def _result_context(request: HttpRequest, scenario: Scenario, scale: float = 1.0) -> dict[str, Any]:
    others = _compared(request, scenario)
    shown = [s for s in [scenario, *others] if (v := s.laatste()) is not None and v.resultaat is not None]
    analysis = jobs.analysis(scenario.regio)
    table = comparison(shown)
    figs = figures(shown, analysis, scale)
    names = jobs.board_display_names(scenario.regio)
    return {
        "vergelijking": table,
        "vergeleken": others,
        "kandidaten": [
            s for s in visible_scenarios(request.user, scenario.regio).exclude(pk=scenario.pk) if s.versies.exists()
        ],
        "figuren": mark_safe(figures_json(jobs.with_board_names(figs, names))),  # noqa: S308 - JSON for a script
        "figuurnamen": list(figs),
    }


@rule("scenario")
@login_required
@require_GET
def scenario(request: HttpRequest, regio_id: int, scenario_id: int) -> HttpResponse:
    """A scenario: its versions and provenance, result, comparison, visibility and comments."""
    found = scenario_for(request.user, regio_id, scenario_id)
    versions = list(found.versies.select_related("door").order_by("-nummer"))
    version_ids = [v.pk for v in versions]
    runs = Taak.objects.filter(soort=Taak.Soort.SCENARIO, regio=found.regio, parameters__versie__in=version_ids)
    context = _base(
        found.regio,
        scenario=found,
        eigen=owns(request.user, found),
        versies=versions,
        laatste=versions[0] if versions else None,
        taken=runs.order_by("-aangemaakt")[:5],
        opmerkingen=found.opmerkingen.select_related("door"),
        niveaus=[(n, Zichtbaarheid(n).label, audience(found, n).count()) for n in NIVEAUS],
        **_result_context(request, found),
    )
    return render(request, "werkruimte/scenario.html", context)


@rule("scenario")
@login_required
@require_GET
def scenario_presentatie(request: HttpRequest, regio_id: int, scenario_id: int) -> HttpResponse:
    """The comparison for a meeting: large maps and figures, no editing controls."""
    found = scenario_for(request.user, regio_id, scenario_id)
    audit.record(request, "scenario gepresenteerd", object=f"scenario {found.pk}")
    context = _base(found.regio, scenario=found, laatste=found.laatste(), **_result_context(request, found, 1.6))
    return render(request, "werkruimte/scenario_presentatie.html", context)


@rule("scenario")
@login_required
@require_GET
def scenario_yaml(request: HttpRequest, regio_id: int, scenario_id: int, nummer: int) -> HttpResponse:
    """Download a version's YAML (to run with ``dekkend scenario`` or import elsewhere)."""
    found = scenario_for(request.user, regio_id, scenario_id)
    version = ScenarioVersie.objects.filter(scenario=found, nummer=nummer).first()
    if version is None:
        raise Http404("versie niet gevonden")
    response = HttpResponse(version.yaml, content_type="application/yaml; charset=utf-8")
    slug = "".join(c if c.isalnum() else "-" for c in found.naam.lower()).strip("-") or "scenario"
    response["Content-Disposition"] = f'attachment; filename="{slug}-v{nummer}.yaml"'
    return response


@rule("scenario")
@login_required
@require_POST
def scenario_doorrekenen(request: HttpRequest, regio_id: int, scenario_id: int) -> HttpResponse:
    """Run a version (default the newest); a version with a result is recomputed and compared."""
    found = scenario_for(request.user, regio_id, scenario_id)
    number = request.POST.get("versie", "")
    version = found.versies.filter(nummer=int(number)).first() if number.isdigit() else None
    try:
        taak = services.start_run(request, request.user, found, version)
    except services.Ongeldig as exc:
        messages.error(request, str(exc))
        return _url(found)
    if request.htmx:
        return render(request, "werkruimte/_scenario_taak.html", {"scenario": found, "taak": taak})
    return _url(found)


@rule("scenario")
@login_required
@require_GET
def scenario_taak(request: HttpRequest, regio_id: int, scenario_id: int, run_id: int) -> HttpResponse:
    """A run's progress (htmx partial, polled while it runs); reloads the page when the result is there."""
    found = scenario_for(request.user, regio_id, scenario_id)
    ids = list(found.versies.values_list("pk", flat=True))
    taak = Taak.objects.filter(pk=run_id, soort=Taak.Soort.SCENARIO, parameters__versie__in=ids).first()
    if taak is None:
        raise Http404("taak niet gevonden")
    response = render(request, "werkruimte/_scenario_taak.html", {"scenario": found, "taak": taak})
    if taak.status == Taak.Status.KLAAR and request.htmx:
        response["HX-Refresh"] = "true"
    return response


# ---------------------------------------------------------------- sharing, comments, copies


@rule("scenario")
@login_required
@require_POST
def scenario_zichtbaarheid(request: HttpRequest, regio_id: int, scenario_id: int) -> HttpResponse:
    """Change who sees the scenario: narrowing at once; widening after a preview of exactly who will see it."""
    found = scenario_to_change(request.user, regio_id, scenario_id)
    niveau = request.POST.get("zichtbaarheid", "")
    if niveau not in NIVEAUS:
        messages.error(request, "Kies wie het scenario mag zien: bestuur, adviseur of regio.")
        return render(request, "werkruimte/scenario_fout.html", _base(found.regio, scenario=found), status=400)
    if services.widens(found, niveau) and request.POST.get("bevestigd") != "ja":
        people = audience(found, niveau)
        now = set(audience(found, found.zichtbaarheid).values_list("pk", flat=True))
        context = _base(
            found.regio,
            scenario=found,
            niveau=niveau,
            niveau_label=Zichtbaarheid(niveau).label,
            mensen=[(p, p.pk not in now) for p in people],
        )
        return render(request, "werkruimte/scenario_delen.html", context)
    services.set_visibility(request, request.user, found, niveau)
    messages.success(request, f"Zichtbaarheid: {Zichtbaarheid(niveau).label}.")
    return _url(found)


@rule("scenario")
@login_required
@require_POST
def scenario_opmerking(request: HttpRequest, regio_id: int, scenario_id: int) -> HttpResponse:
    """Add a comment (seen by whoever sees the scenario; its board gets a notification)."""
    found = scenario_for(request.user, regio_id, scenario_id)
    try:
        services.comment(request, request.user, found, request.POST.get("tekst", ""))
    except services.Ongeldig as exc:
        messages.error(request, str(exc))
        return render(request, "werkruimte/scenario_fout.html", _base(found.regio, scenario=found), status=400)
    return redirect(f"{redirect('werkruimte:scenario', regio_id=found.regio_id, scenario_id=found.pk).url}#opmerkingen")


@rule("scenario")
@login_required
@require_POST
def scenario_kopieren(request: HttpRequest, regio_id: int, scenario_id: int) -> HttpResponse:
    """Copy the scenario's newest version into one's own board ("fork")."""
    found = scenario_for(request.user, regio_id, scenario_id)
    try:
        copy = services.fork(request, request.user, found)
    except (services.Ongeldig, PermissionDenied) as exc:
        messages.error(request, str(exc))
        return _url(found)
    messages.success(request, f"Kopie gemaakt: '{copy.naam}' (alleen zichtbaar voor uw bestuur).")
    return _url(copy)
