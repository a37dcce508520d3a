"""Forms of the bestuursdata pages (the API takes the same fields)."""

from __future__ import annotations

from django import forms

from dekkend.web.bestuursdata.models import Upload

#: Largest upload accepted (a template of a large board is a few hundred kB).
MAX_BYTES = 5 * 1024 * 1024


class UploadForm(forms.Form):
    soort = forms.ChoiceField(choices=Upload.Soort.choices, label="Soort gegevens")
    bestand = forms.FileField(label="Bestand (CSV of XLSX, het ingevulde sjabloon)")

    def clean_bestand(self):
        found = self.cleaned_data["bestand"]
        if found.size > MAX_BYTES:
            raise forms.ValidationError("Het bestand is groter dan 5 MB; gebruik het sjabloon.")
        return found


class DelenForm(forms.Form):
    niveau = forms.ChoiceField(choices=Upload.Niveau.choices, label="Wat delen")
    met = forms.ChoiceField(choices=Upload.Met.choices, label="Met wie", required=False)
