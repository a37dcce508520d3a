"""Forms of the workspace, with Dutch labels and messages."""

from __future__ import annotations

from django import forms


class TokenForm(forms.Form):
    naam = forms.CharField(
        label="Naam van het token",
        max_length=100,
        help_text="Bijvoorbeeld de naam van het script of programma dat het token gebruikt.",
        error_messages={"required": "Geef het token een naam.", "max_length": "Gebruik hoogstens 100 tekens."},
    )

    def clean_naam(self) -> str:
        naam = self.cleaned_data["naam"].strip()
        if not naam:
            raise forms.ValidationError("Geef het token een naam.")
        return naam


class RapportForm(forms.Form):
    pdf = forms.BooleanField(label="Ook een PDF maken", required=False, initial=True)
