"""Forms of support requests and the knowledge base, with Dutch labels and messages."""

from __future__ import annotations

from typing import Any

from django import forms

from dekkend.web.hulpvragen.models import VISITATIETHEMAS, Soort, Status


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(d, initial) for d in items]


class DatesField(forms.CharField):
    """Dates separated by commas or new lines (``2027-03-01, 2027-03-15`` or ``1-3-2027``)."""

    def clean(self, value: Any) -> list[Any]:
        text = super().clean(value) or ""
        dates = []
        for part in text.replace("\n", ",").split(","):
            part = part.strip()
            if not part:
                continue
            found = None
            for fmt in ("%Y-%m-%d", "%d-%m-%Y"):
                try:
                    found = forms.DateField(input_formats=[fmt]).clean(part)
                    break
                except forms.ValidationError:
                    continue
            if found is None:
                raise forms.ValidationError(f"'{part}' is geen datum (schrijf 2027-03-01 of 1-3-2027).")
            dates.append(found)
        return dates


class HulpvraagForm(forms.Form):
    soort = forms.ChoiceField(label="Waarmee wilt u hulp?", choices=Soort.choices, widget=forms.RadioSelect)
    onderwerp = forms.CharField(
        label="Onderwerp", max_length=200, error_messages={"required": "Geef de hulpvraag een onderwerp."}
    )
    tekst = forms.CharField(
        label="Uw vraag",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Beschrijf uw vraag."},
    )
    knelpunt = forms.TypedChoiceField(label="Over knelpunt", required=False, coerce=int, empty_value=None)
    scenario_versie = forms.TypedChoiceField(label="Over scenario", required=False, coerce=int, empty_value=None)
    streefdatum = forms.DateField(
        label="Antwoord gewenst vóór",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Geef een datum (jjjj-mm-dd)."},
    )
    rapport = forms.ChoiceField(
        label="Regiorapport meesturen",
        choices=[
            ("nieuw", "een nieuw rapport van dit moment (PDF)"),
            ("laatste", "het laatst gemaakte rapport"),
            ("geen", "geen rapport"),
        ],
        initial="nieuw",
    )
    themas = forms.MultipleChoiceField(
        label="Thema's van de visitatie",
        choices=VISITATIETHEMAS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    voorgestelde_data = DatesField(
        label="Voorgestelde data voor de visitatie",
        required=False,
        help_text="Een of meer data, gescheiden door komma's.",
        widget=forms.TextInput(attrs={"placeholder": "2027-03-01, 2027-03-15"}),
    )

    def __init__(self, *args: Any, knelpunten: list[tuple[int, str]], scenarios: list[tuple[int, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["knelpunt"].choices = [("", "geen bepaald knelpunt"), *knelpunten]
        self.fields["scenario_versie"].choices = [("", "geen scenario"), *scenarios]


class BerichtForm(forms.Form):
    tekst = forms.CharField(label="Bericht", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    bijlagen = MultipleFileField(label="Bijlagen (PDF, XLSX of CSV, hoogstens 10 MB per bestand)", required=False)


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label="Status", choices=Status.choices, error_messages={"invalid_choice": "Kies een bestaande status."}
    )


class VerslagForm(forms.Form):
    verslag = forms.FileField(label="Visitatieverslag (PDF)", error_messages={"required": "Kies het verslag."})


class PartnerForm(forms.Form):
    bestuur = forms.CharField(
        label="Bevoegd-gezagnummer van het visiterende bestuur",
        max_length=12,
        error_messages={"required": "Geef het bevoegd-gezagnummer."},
    )


class InboxFilter(forms.Form):
    status = forms.ChoiceField(choices=[("", "alle"), ("open", "open"), *Status.choices], required=False)
    soort = forms.ChoiceField(choices=[("", "alle"), *Soort.choices], required=False)
    regio = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    q = forms.CharField(required=False, max_length=100)


class MeldingenForm(forms.Form):
    meldingen_per_dag = forms.TypedChoiceField(
        label="E-mail over meldingen",
        choices=[("0", "bij elke melding een e-mail"), ("1", "eens per dag een samenvatting")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )


class KennisZoekForm(forms.Form):
    q = forms.CharField(label="Zoeken", required=False, max_length=200)
    soort = forms.CharField(required=False, max_length=40)
    gebied = forms.CharField(required=False, max_length=100)
    jaar = forms.IntegerField(required=False, min_value=1800, max_value=2200)


class KennisForm(forms.Form):
    tekst = forms.CharField(
        label="Artikel (Markdown met YAML-kop)",
        widget=forms.Textarea(attrs={"rows": 30, "spellcheck": "true", "class": "code"}),
        error_messages={"required": "Het artikel is leeg."},
    )


class BeoordelingForm(forms.Form):
    besluit = forms.ChoiceField(choices=[("publiceren", "publiceren"), ("afwijzen", "afwijzen")])
    opmerking = forms.CharField(label="Toelichting", required=False, widget=forms.Textarea(attrs={"rows": 3}))
