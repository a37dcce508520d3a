"""The optimiser in the browser: choose the year, norms, locked vestigingen and board constraints, run it as a job.

The job calls the library (:func:`dekkend.scenarios.baseline` and :func:`dekkend.optimise.optimise`) with the
person's choices; a configuration with changes becomes a :class:`~dekkend.web.plannen.models.Scenario` of the region
(``herkomst`` ``optimalisatie``, version 1: the optimiser's scenario YAML, with its explanations as the version's
``toelichting``), private to the person who ran it: visibility ``bestuur`` of their board, or only theirs when they
have no board. When no change is better than the present offer, or no configuration meets the limits, no scenario
is made and the job's result says why (in Dutch).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods
from django_tasks import task

import dekkend
import dekkend.cache
import dekkend.norms
import dekkend.optimise
import dekkend.scenarios
from dekkend.errors import DekkendError
from dekkend.web import audit, jobs, tasks
from dekkend.web.access import region_for, rule
from dekkend.web.analysis import data_version
from dekkend.web.models import Gebruiker, Regio, Taak
from dekkend.web.plannen.access import visible_scenarios
from dekkend.web.plannen.models import Scenario, ScenarioVersie, Zichtbaarheid

SOORT = "optimalisatie"  # Taak.Soort.OPTIMALISATIE
#: Forecast years the form offers after the last count (the horizon of :func:`dekkend.scenarios.baseline`).
HORIZON = 10
#: Where a threshold or norm distance set on the form says it comes from.
OWN_SOURCE = "eigen keuze in de werkruimte (optimalisatie)"
TOEWIJZINGEN = (
    ("keuze", "keuzemodel: leerlingen kiezen zoals in een scenario (aanbevolen)"),
    ("dichtstbij", "dichtstbij: naar het dichtstbijzijnde aanbod dat blijft"),
)


@dataclass(frozen=True)
class Keuzes:
    """What the form offers for one region: years, its vestigingen and boards, its kinds, the default norms."""

    origin: int
    vestigingen: tuple[tuple[str, str], ...]  # (code, label)
    board_of: dict[str, str]  # vestigingscode -> board code
    besturen: tuple[tuple[str, str], ...]  # (code, label)
    soorten: tuple[tuple[str, str], ...]  # (type or profiel:slug, label)
    drempels: tuple[dict[str, Any], ...]  # the library's thresholds (onderwijstype, eenheid, waarde, bron)
    normafstand_km: float
    normafstand_bron: str

    @property
    def years(self) -> list[int]:
        return list(range(self.origin + 1, self.origin + HORIZON + 1))


_CHOICES: OrderedDict[tuple[str, str], Keuzes] = OrderedDict()
_CHOICES_LOCK = threading.Lock()


def keuzes(regio: Regio) -> Keuzes:
    """The choices for ``regio`` from the werkmap, memoised per data version and selection."""
    key = (data_version(settings.WERKMAP), regio.selectie)
    with _CHOICES_LOCK:
        if key in _CHOICES:
            return _CHOICES[key]
    found = _compute_choices(regio.selectie)
    with _CHOICES_LOCK:
        _CHOICES[key] = found
        while len(_CHOICES) > 16:
            _CHOICES.popitem(last=False)
    return found


def _compute_choices(selectie: str) -> Keuzes:
    tables = dekkend.Workspace(settings.WERKMAP).require().tables()
    region = dekkend.select_region(tables, selectie)
    codes = set(region.vestigingen)
    ves = tables["vestigingen"]
    ves = ves[ves["vestigingscode"].isin(codes)]
    if "peildatum" in ves.columns:
        ves = ves.sort_values("peildatum")
    ves = ves.drop_duplicates("vestigingscode", keep="last").sort_values(["naam", "vestigingscode"])
    pupils = tables["leerlingen"]
    counted = pupils.loc[pupils["vestigingscode"].isin(codes), "schooljaar"]
    if counted.empty:
        raise dekkend.ConfiguratieFout(
            f"regio {region.label} heeft geen getelde leerlingen; importeer een leerlingenbestand"
        )
    origin = int(counted.max())
    board_of = {str(r.vestigingscode): str(r.bestuur) for r in ves.itertuples() if r.bestuur == r.bestuur}
    vestigingen = tuple(
        (str(r.vestigingscode), f"{r.naam} ({r.vestigingscode}, {str(r.plaatsnaam).title()})") for r in ves.itertuples()
    )
    offer = tables["aanbod"]
    offer = offer[offer["vestigingscode"].isin(codes) & (offer["schooljaar"] == origin)]
    types = sorted(set(offer["onderwijstype"].astype(str)) - {"onderbouw"})
    profielen = sorted({str(p) for p in offer["profiel"].dropna()})
    soorten = tuple((t, t) for t in types) + tuple((f"profiel:{p}", f"profiel {p}") for p in profielen)
    base = dekkend.norms.load_settings()
    besturen = tuple((b, f"Bestuur {b}") for b in sorted(set(board_of.values())))
    return Keuzes(
        origin=origin,
        vestigingen=vestigingen,
        board_of=board_of,
        besturen=besturen,
        soorten=soorten,
        drempels=tuple(dict(t) for t in base.thresholds),
        normafstand_km=float(base.values["normafstand_km"]),
        normafstand_bron=base.sources["normafstand_km"],
    )


def threshold_field(onderwijstype: str) -> str:
    """The form field of a threshold of the library's table (``vmbo-profiel`` -> ``drempel_vmbo_profiel``)."""
    return "drempel_" + onderwijstype.replace("-", "_")


_UNITS = {
    "leerjaar-bovenbouw": "leerlingen per leerjaar in de bovenbouw",
    "bovenbouw": "leerlingen in de bovenbouw",
    "school": "leerlingen op de school",
}
_NUMBER = {"required": "Vul een getal in.", "invalid": "Vul een getal in."}


class OptimalisatieForm(forms.Form):
    """The optimiser's choices (the options of ``dekkend optimaliseer``), with Dutch messages per field."""

    jaar = forms.TypedChoiceField(
        label="Vanaf schooljaar",
        coerce=int,
        error_messages={"required": "Kies het schooljaar.", "invalid_choice": "Kies een schooljaar uit de prognose."},
    )
    tot_jaar = forms.TypedChoiceField(
        label="Drempels halen tot en met",
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": "Kies een schooljaar uit de prognose."},
    )
    normafstand_km = forms.FloatField(
        label="Normafstand (km)",
        min_value=1,
        max_value=60,
        error_messages={
            **_NUMBER,
            "min_value": "De normafstand is minstens %(limit_value)s km.",
            "max_value": "De normafstand is hoogstens %(limit_value)s km.",
        },
    )
    vast = forms.MultipleChoiceField(
        label="Deze vestigingen blijven (met al hun aanbod)",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Vestiging %(value)s hoort niet bij deze regio."},
    )
    besturen_vast = forms.MultipleChoiceField(
        label="Alle vestigingen van deze besturen blijven",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Bestuur %(value)s heeft geen vestiging in deze regio."},
    )
    besturen_houden = forms.BooleanField(
        label="Elk bestuur houdt minstens één aanbod van elk type en profiel dat het nu heeft", required=False
    )
    max_wijzigingen = forms.IntegerField(
        label="Hoogstens zoveel aanbiedingen stoppen (leeg: geen grens)",
        required=False,
        min_value=0,
        error_messages={
            "invalid": "Vul een geheel getal in.",
            "min_value": "Vul 0 of meer in.",
        },
    )
    toewijzing = forms.ChoiceField(
        label="Waar gaan de leerlingen van gestopt aanbod heen",
        choices=TOEWIJZINGEN,
        initial="keuze",
        error_messages={"required": "Kies een toewijzing.", "invalid_choice": "Kies keuze of dichtstbij."},
    )
    soorten = forms.MultipleChoiceField(
        label="Alleen deze soorten aanbod (niets gekozen: alles)",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "%(value)s wordt in deze regio niet aangeboden."},
    )

    def __init__(self, choices: Keuzes, *args: Any, names: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = names or {}
        self.keuzes = choices
        years = [(y, f"{y}/{str(y + 1)[-2:]}") for y in choices.years]
        self.fields["jaar"].choices = years
        self.fields["jaar"].initial = choices.years[0]
        self.fields["tot_jaar"].choices = [("", "alleen het eerste jaar"), *years]
        self.fields["normafstand_km"].initial = choices.normafstand_km
        self.fields["normafstand_km"].help_text = f"Standaard {choices.normafstand_km:g} km: {choices.normafstand_bron}"
        self.fields["vast"].choices = list(choices.vestigingen)
        self.fields["besturen_vast"].choices = [
            (code, f"{names[code]} (bestuur {code})" if code in names else label) for code, label in choices.besturen
        ]
        self.fields["soorten"].choices = list(choices.soorten)
        for t in choices.drempels:
            self.fields[threshold_field(t["onderwijstype"])] = forms.FloatField(
                label=f"Drempel {t['onderwijstype']} ({_UNITS.get(t['eenheid'], t['eenheid'])})",
                min_value=0,
                max_value=2000,
                initial=float(t["waarde"]),
                help_text=str(t["bron"]),
                error_messages={
                    **_NUMBER,
                    "min_value": "Een drempel is 0 of meer.",
                    "max_value": "Een drempel is hoogstens %(limit_value)s.",
                },
            )

    def threshold_fields(self) -> list[forms.BoundField]:
        return [self[threshold_field(t["onderwijstype"])] for t in self.keuzes.drempels]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        jaar, tot = data.get("jaar"), data.get("tot_jaar")
        if jaar is not None and tot is not None and tot < jaar:
            self.add_error("tot_jaar", "Dit schooljaar ligt vóór het schooljaar waarin de opstelling begint.")
        return data

    def parameters(self) -> dict[str, Any]:
        """The choices as the job's JSON parameters (see :func:`options_of` and :func:`settings_of`)."""
        d = self.cleaned_data
        return {
            "jaar": d["jaar"],
            "tot_jaar": d["tot_jaar"],
            "normafstand_km": d["normafstand_km"],
            "drempels": {t["onderwijstype"]: d[threshold_field(t["onderwijstype"])] for t in self.keuzes.drempels},
            "vast": sorted(d["vast"]),
            "besturen_vast": sorted(d["besturen_vast"]),
            "besturen_houden": bool(d["besturen_houden"]),
            "max_wijzigingen": d["max_wijzigingen"],
            "toewijzing": d["toewijzing"],
            "soorten": sorted(d["soorten"]),
        }


def initial_data(choices: Keuzes) -> dict[str, Any]:
    """The form's data when every choice is left at its default (what an empty API request means)."""
    data: dict[str, Any] = {
        "jaar": choices.years[0],
        "normafstand_km": choices.normafstand_km,
        "toewijzing": "keuze",
    }
    for t in choices.drempels:
        data[threshold_field(t["onderwijstype"])] = float(t["waarde"])
    return data


def settings_of(parameters: dict[str, Any]) -> dekkend.norms.Settings:
    """The library's thresholds and norm distance with the person's values; a changed one names its source."""
    base = dekkend.norms.load_settings()
    values, sources = dict(base.values), dict(base.sources)
    km = parameters.get("normafstand_km")
    if km is not None and float(km) != values["normafstand_km"]:
        values["normafstand_km"], sources["normafstand_km"] = float(km), OWN_SOURCE
    chosen = parameters.get("drempels") or {}
    thresholds = []
    for t in base.thresholds:
        value = chosen.get(t["onderwijstype"])
        if value is not None and float(value) != float(t["waarde"]):
            t = {**t, "waarde": float(value), "bron": OWN_SOURCE}
        thresholds.append(dict(t))
    return dekkend.norms.Settings(values, sources, tuple(thresholds))


def options_of(parameters: dict[str, Any], board_of: dict[str, str]) -> dekkend.optimise.OptimiseOptions:
    """The library's options: locked vestigingen (``CODE:alles``, also every vestiging of a locked board)."""
    boards = set(parameters.get("besturen_vast") or ())
    codes = set(parameters.get("vast") or ()) | {code for code, board in board_of.items() if board in boards}
    soorten = parameters.get("soorten") or None
    return dekkend.optimise.OptimiseOptions.of(
        locked=[f"{code}:alles" for code in sorted(codes)],
        max_changes=parameters.get("max_wijzigingen"),
        until_year=parameters.get("tot_jaar"),
        boards_keep=bool(parameters.get("besturen_houden")),
        assignment=str(parameters.get("toewijzing") or "keuze"),
        kinds=soorten,
    )


def start(regio: Regio, user: Gebruiker, parameters: dict[str, Any]) -> Taak:
    """Queue an optimisation of ``regio`` for ``user`` with the form's parameters."""
    with transaction.atomic():
        taak = Taak.objects.create(soort=SOORT, regio=regio, aangevraagd_door=user, parameters=parameters)
        return tasks.start_job(taak)


#: The command line's option names in the library's messages, as the form calls them (longest first).
_FORM_TERMS = (
    ("--max-wijzigingen", "'hoogstens zoveel aanbiedingen stoppen'"),
    ("--besturen-houden", "'elk bestuur houdt minstens één aanbod'"),
    ("--tijdslimiet", "de rekentijd"),
    ("--toewijzing", "'waar gaan de leerlingen heen'"),
    ("--tot-jaar", "'drempels halen tot en met'"),
    ("--soort", "'alleen deze soorten aanbod'"),
    ("--vast", "'vestigingen die blijven'"),
    ("--jaar", "'vanaf schooljaar'"),
    ("--gap", "de nauwkeurigheid"),
)


def in_form_terms(text: str) -> str:
    """A library message with the command line's option names replaced by the form's words."""
    for option, words in _FORM_TERMS:
        text = text.replace(option, words)
    return text


def toelichting(result: dekkend.optimise.Optimisation) -> str:
    """The optimiser's explanations in Dutch: each change, then the offer it saves."""
    lines = [f"{i}. {c.toelichting}" for i, c in enumerate(result.changes, start=1)]
    if result.saved:
        lines += ["", "Aanbod dat zonder ingrijpen verdwijnt en met deze opstelling blijft:"]
        lines += [f"- {x.toelichting}" for x in result.saved]
    return "\n".join(lines)


def _no_scenario(result: dekkend.optimise.Optimisation) -> dict[str, Any]:
    if not result.feasible:
        return {
            "uitkomst": "onhaalbaar",
            "melding": "Geen opstelling mogelijk binnen deze eisen; er is geen scenario gemaakt.",
            "toelichting": [in_form_terms(line) for line in result.infeasible],
        }
    return {
        "uitkomst": "geen-wijziging",
        "melding": "Geen wijziging nodig: geen andere opstelling van het bestaande aanbod brengt meer kinderen "
        "binnen de normafstand met elk aanbod boven zijn drempel. Er is geen scenario gemaakt.",
        "toelichting": [f"[{k.ernst}] {k.toelichting}" for k in result.knelpunten],
    }


def run(taak: Taak) -> dict[str, Any]:
    """The job's work (see :func:`optimise_in_region`), its Dutch errors in the form's words."""
    try:
        return optimise_in_region(taak)
    except DekkendError as exc:
        raise DekkendError(in_form_terms(str(exc))) from exc


def optimise_in_region(taak: Taak) -> dict[str, Any]:
    """The job's work: the optimiser on the region with the person's choices; a scenario when it finds changes."""
    user = taak.aangevraagd_door
    if user is None or not user.is_active:
        raise DekkendError("de persoon die deze optimalisatie startte heeft geen account meer")
    params = taak.parameters
    step = tasks.progress(taak)
    step("Gegevens lezen", 1, 20)
    werkmap = dekkend.Workspace(settings.WERKMAP).require()
    tables, cache = dekkend.cache.tables_and_cache(werkmap)
    norms = settings_of(params)
    step("Prognose, keuzemodel en afstanden (zonder ingrijpen)", 2, 20)
    horizon = max(HORIZON, int(params.get("tot_jaar") or params["jaar"]) - keuzes(taak.regio).origin)
    base = dekkend.scenarios.baseline(tables, taak.regio.selectie, horizon=horizon, settings=norms, cache=cache)
    step("HiGHS zoekt de beste opstelling", 10, 20)
    options = options_of(params, keuzes(taak.regio).board_of)
    result = dekkend.optimise.optimise(
        tables, taak.regio.selectie, int(params["jaar"]), options, baseline=base, settings=norms
    )
    step("Resultaat opslaan", 19, 20)
    found = result.scenario()
    totals = result.totals()
    figures = {k: v for k, v in totals.items() if v is not None}
    if found is None:
        return {**_no_scenario(result), "scenario": None, "kinderen_binnen_norm": figures}
    with transaction.atomic():
        scenario = Scenario.objects.create(
            regio=taak.regio,
            bestuur=user.bestuur,
            auteur=user,
            naam=f"Optimalisatie vanaf {int(params['jaar'])}/{str(int(params['jaar']) + 1)[-2:]} "
            f"({timezone.localtime().strftime('%d-%m-%Y %H:%M')})",
            zichtbaarheid=Zichtbaarheid.BESTUUR,
            herkomst="optimalisatie",
        )
        ScenarioVersie.objects.create(
            scenario=scenario,
            nummer=1,
            yaml=found.to_yaml(),
            door=user,
            toelichting=toelichting(result),
            taak=taak,
            data_versie=data_version(settings.WERKMAP),
            dekkend_versie=dekkend.__version__,
        )
    return {
        "uitkomst": "scenario",
        "melding": f"{len(result.changes)} wijzigingen gevonden; ze staan in het scenario '{scenario.naam}'.",
        "scenario": scenario.pk,
        "toelichting": [c.toelichting for c in result.changes],
        "kinderen_binnen_norm": figures,
    }


@task()
def optimise_region(taak_id: int) -> None:
    """Run the optimiser for the job's region and person (see :func:`run`)."""
    tasks.run_job(taak_id, run)


tasks.register(SOORT, optimise_region)


def scenario_url(regio_id: int, scenario_id: int) -> str | None:
    """The scenario's page (``werkruimte:scenario``), or ``None`` while the scenario pages do not exist."""
    try:
        return reverse("werkruimte:scenario", kwargs={"regio_id": regio_id, "scenario_id": scenario_id})
    except NoReverseMatch:
        return None


def visible_result(user: Gebruiker, taak: Taak) -> dict[str, Any]:
    """The job's result as ``user`` may see it: the scenario only when it is visible to them."""
    result = dict(taak.resultaat or {})
    sid = result.get("scenario")
    if sid is not None and not visible_scenarios(user, taak.regio).filter(pk=sid).exists():
        result = {"uitkomst": "scenario", "melding": "De optimalisatie maakte een scenario dat u niet kunt zien."}
        sid = None
    result["scenario"] = sid
    return result


def _job_context(request: HttpRequest, regio: Regio, taak: Taak) -> dict[str, Any]:
    result = visible_result(request.user, taak)
    link = scenario_url(regio.pk, result["scenario"]) if result["scenario"] is not None else None
    return {"regio": regio, "taak": taak, "uitkomst": result, "scenario_link": link}


# -- pages -----------------------------------------------------------------------------------------


@rule("regio")
@login_required
@require_http_methods(["GET", "POST"])
def optimaliseren(request: HttpRequest, regio_id: int) -> HttpResponse:
    """The optimiser's form and the person's own optimisations of the region."""
    from dekkend.web.views import REGION_PAGES

    regio = region_for(request.user, regio_id)
    context: dict[str, Any] = {"regio": regio, "pagina": "optimaliseren", "paginas": REGION_PAGES}
    try:
        choices = keuzes(regio)
    except DekkendError as exc:  # a region without counted pupils: nothing to optimise
        return render(request, "werkruimte/optimalisatie.html", {**context, "onmogelijk": str(exc)})
    names = jobs.board_display_names(regio)
    form = OptimalisatieForm(choices, request.POST if request.method == "POST" else None, names=names)
    if request.method == "POST" and form.is_valid():
        taak = start(regio, request.user, form.parameters())
        audit.record(request, "optimalisatie gestart", object=f"regio {regio.pk}", taak=taak.pk)
        if request.htmx:
            context = _job_context(request, regio, taak)
            mine = Taak.objects.filter(regio=regio, soort=SOORT, aangevraagd_door=request.user)
            context["eerste"] = not mine.exclude(pk=taak.pk).exists()  # removes the "none yet" line
            return render(request, "werkruimte/optimalisatie_taak.html", context)
        return redirect("werkruimte:optimaliseren", regio_id=regio.pk)
    if request.htmx and form.errors:
        # htmx swaps only successful answers: the form with its messages replaces the form
        response = render(request, "werkruimte/optimalisatie_formulier.html", {"regio": regio, "form": form})
        response["HX-Retarget"], response["HX-Reswap"] = "#optimalisatie-formulier", "outerHTML"
        return response
    own = Taak.objects.filter(regio=regio, soort=SOORT, aangevraagd_door=request.user).order_by("-aangemaakt")[:10]
    context |= {
        "form": form,
        "keuzes": choices,
        "taken": [_job_context(request, regio, t) for t in own],
    }
    return render(request, "werkruimte/optimalisatie.html", context, status=400 if form.errors else 200)


@rule("regio")
@login_required
@require_GET
def optimalisatie_taak(request: HttpRequest, regio_id: int, optimalisatie_id: int) -> HttpResponse:
    """An optimisation job's status (htmx partial, polled while it runs), with a link to its scenario."""
    regio = region_for(request.user, regio_id)
    found = get_object_or_404(Taak, pk=optimalisatie_id, regio=regio, soort=SOORT)
    return render(request, "werkruimte/optimalisatie_taak.html", _job_context(request, regio, found))


def job_for(user: Gebruiker, regio_id: int, taak_id: int) -> Taak:
    """The optimisation job ``taak_id`` of a region ``user`` belongs to; 404 otherwise."""
    regio = region_for(user, regio_id)
    found = Taak.objects.filter(pk=taak_id, regio=regio, soort=SOORT).select_related("regio").first()
    if found is None:
        raise Http404("optimalisatie niet gevonden")
    return found
