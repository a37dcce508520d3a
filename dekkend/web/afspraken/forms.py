"""The agreement's forms, used by the pages and (with the JSON body as data) by the API alike."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from dekkend.web.afspraken.models import AFGEWEZEN, VASTGESTELD, Afspraak, Besluit
from dekkend.web.models import Gebruiker, Regio
from dekkend.web.plannen.access import visible_scenarios
from dekkend.web.plannen.models import ScenarioVersie

#: A Regionaal Plan Onderwijsvoorzieningen runs at most five years (art. 4.19 WVO 2020, see the knowledge
#: base entry ``regionaal-plan-onderwijsvoorzieningen``); an agreement is reviewed at the latest then.
MAX_JAREN = 5


def five_years_after(day: date) -> date:
    """``day`` five years later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + MAX_JAREN)
    except ValueError:
        return day.replace(year=day.year + MAX_JAREN, day=28)


def agreeable_versions(user: Gebruiker, regio: Regio) -> Any:
    """Scenario versions an agreement may rest on: of scenarios of ``regio`` shared with the whole region."""
    shared = visible_scenarios(user, regio).filter(zichtbaarheid="regio")
    return (
        ScenarioVersie.objects.filter(scenario__in=shared)
        .select_related("scenario", "scenario__bestuur")
        .order_by("scenario__naam", "-nummer")
    )


class VersieKeuze(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        board = f", {obj.scenario.bestuur}" if obj.scenario.bestuur_id else ""
        return f"{obj.scenario.naam} (versie {obj.nummer}{board})"


class AfspraakForm(forms.ModelForm):
    """What was agreed, on which scenario version, by which boards, from when and until which review."""

    versie = VersieKeuze(
        queryset=ScenarioVersie.objects.none(),
        label="Scenario (vastgelegde versie)",
        help_text="Alleen scenario's die met de hele regio zijn gedeeld.",
        error_messages={"required": "kies een scenarioversie", "invalid_choice": "kies een gedeelde scenarioversie"},
    )
    besturen = forms.ModelMultipleChoiceField(
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        label="Besturen die moeten instemmen",
        error_messages={"required": "kies ten minste één bestuur", "invalid_choice": "kies besturen van deze regio"},
    )
    ingangsdatum = forms.DateField(
        label="Ingangsdatum",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "vul de ingangsdatum in", "invalid": "verwacht een datum (JJJJ-MM-DD)"},
    )
    herzieningsdatum = forms.DateField(
        label="Herzieningsdatum",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leeg: vijf jaar na de ingangsdatum, de looptijd van een RPO (art. 4.19 WVO 2020).",
        error_messages={"invalid": "verwacht een datum (JJJJ-MM-DD)"},
    )

    class Meta:
        model = Afspraak
        fields = ("titel", "inhoud", "versie", "besturen", "ingangsdatum", "herzieningsdatum", "vervangt")
        labels = {"titel": "Titel", "inhoud": "Wat is afgesproken", "vervangt": "Vervangt de afspraak"}
        error_messages = {
            "titel": {"required": "geef de afspraak een titel", "max_length": "ten hoogste 200 tekens"},
            "inhoud": {"required": "beschrijf wat is afgesproken"},
            "vervangt": {"invalid_choice": "kies een vastgestelde afspraak van deze regio"},
        }

    def __init__(self, *args: Any, user: Gebruiker, regio: Regio, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["versie"].queryset = agreeable_versions(user, regio)
        self.fields["besturen"].queryset = regio.besturen.order_by("naam")
        replaceable = Afspraak.objects.filter(regio=regio, status=VASTGESTELD)
        if self.instance.pk:
            replaceable = replaceable.exclude(pk=self.instance.pk)
        self.fields["vervangt"].queryset = replaceable
        self.fields["vervangt"].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, review = data.get("ingangsdatum"), data.get("herzieningsdatum")
        if start is None:
            return data
        latest = five_years_after(start)
        if review is None:
            data["herzieningsdatum"] = latest
        elif review <= start:
            self.add_error("herzieningsdatum", "de herzieningsdatum moet na de ingangsdatum liggen")
        elif review > latest:
            self.add_error(
                "herzieningsdatum",
                f"uiterlijk {latest:%d-%m-%Y}: een regionaal plan loopt ten hoogste vijf jaar (art. 4.19 WVO 2020)",
            )
        return data


class InstemmingForm(forms.Form):
    """A board's answer: agree, or decline with a reason."""

    besluit = forms.ChoiceField(
        choices=Besluit.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "kies instemmen of afwijzen", "invalid_choice": "kies ingestemd of afgewezen"},
    )
    reden = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Reden (bij afwijzen)")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("besluit") == AFGEWEZEN and not (data.get("reden") or "").strip():
            self.add_error("reden", "geef de reden van de afwijzing: de regiocoördinator past de afspraak daarop aan")
        return data
