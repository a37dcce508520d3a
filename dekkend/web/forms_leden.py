"""Forms of the region's members page and of the invitation link, with Dutch labels and messages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.base_user import BaseUserManager

from dekkend.web.models import Bestuur, Gebruiker, Regio, Rol, Uitnodiging

#: Dutch messages for Django's password validators by error code (Django 5.2's own Dutch catalogue misses
#: the length message, so the form does not rely on it).
_PASSWORD_MESSAGES = {
    "password_too_short": "Dit wachtwoord is te kort: gebruik minstens {min_length} tekens.",
    "password_too_common": "Dit wachtwoord wordt te vaak gebruikt en is daardoor makkelijk te raden; kies een ander.",
    "password_entirely_numeric": "Dit wachtwoord bestaat alleen uit cijfers; gebruik ook letters of andere tekens.",
    "password_too_similar": "Dit wachtwoord lijkt te veel op uw {verbose_name}; kies een ander.",
}


def dutch_password_errors(error: forms.ValidationError) -> list[str]:
    """The messages of a :func:`~django.contrib.auth.password_validation.validate_password` failure, in Dutch."""
    messages = []
    for item in error.error_list:
        template = _PASSWORD_MESSAGES.get(item.code or "")
        params = dict(item.params or {})
        messages.append(template.format(**params) if template else str(item.message) % params)
    return messages


_ROLE_CHOICES = [(value, label) for value, label in Rol.choices if value in Uitnodiging.ROLLEN]


class UitnodigingForm(forms.Form):
    """Invite one person into a region: a board's staff (with one of the region's boards) or an assigned role."""

    email = forms.EmailField(
        label="E-mailadres",
        max_length=150,
        error_messages={
            "required": "Vul het e-mailadres in van de persoon die u uitnodigt.",
            "invalid": "Dit is geen geldig e-mailadres (bijvoorbeeld naam@bestuur.nl).",
            "max_length": "Een e-mailadres heeft hier hoogstens 150 tekens.",
        },
    )
    rol = forms.ChoiceField(
        label="Rol",
        choices=_ROLE_CHOICES,
        error_messages={
            "required": "Kies de rol van de persoon.",
            "invalid_choice": "Kies een van de rollen in de lijst (een beheerder kan niet worden uitgenodigd).",
        },
    )
    bestuur = forms.ModelChoiceField(
        label="Bestuur (alleen bij rol bestuur)",
        queryset=Bestuur.objects.none(),
        required=False,
        empty_label="– geen –",
        error_messages={"invalid_choice": "Kies een bestuur van deze regio."},
    )

    def __init__(self, *args: Any, regio: Regio, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.regio = regio
        # Only the region's own boards can be chosen: a board of another region is refused here, server-side.
        field = self.fields["bestuur"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = regio.besturen.order_by("naam")

    def clean_email(self) -> str:
        email = BaseUserManager.normalize_email(self.cleaned_data["email"].strip())
        if Gebruiker.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                "Er is al een account met dit e-mailadres; dat kan niet opnieuw worden uitgenodigd. "
                "Vraag de beheerder om het bestaande account aan deze regio toe te wijzen."
            )
        if Uitnodiging.open().filter(regio=self.regio, email__iexact=email).exists():
            raise forms.ValidationError(
                "Voor dit e-mailadres staat al een open uitnodiging in deze regio; trek die eerst in."
            )
        return email

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        rol, bestuur = data.get("rol"), data.get("bestuur")
        if rol == Rol.BESTUUR and bestuur is None and "bestuur" not in self.errors:
            self.add_error("bestuur", "Kies het bestuur waar deze persoon werkt.")
        elif rol and rol != Rol.BESTUUR and bestuur is not None:
            self.add_error("bestuur", "Alleen iemand met de rol bestuur hoort bij een bestuur; kies hier ‘geen’.")
        return data


class WeergavenaamForm(forms.Form):
    """A board's display name; blank means DUO's name again."""

    weergavenaam = forms.CharField(
        label="Weergavenaam",
        max_length=200,
        required=False,
        help_text="Leeg laten: de naam volgens DUO.",
        error_messages={"max_length": "Een weergavenaam heeft hoogstens 200 tekens."},
    )

    def clean_weergavenaam(self) -> str:
        return " ".join(self.cleaned_data["weergavenaam"].split())


class AccepterenForm(forms.Form):
    """The invited person's name and password (checked by Django's password validators)."""

    voornaam = forms.CharField(
        label="Voornaam",
        max_length=150,
        error_messages={"required": "Vul uw voornaam in.", "max_length": "Een voornaam heeft hoogstens 150 tekens."},
    )
    achternaam = forms.CharField(
        label="Achternaam",
        max_length=150,
        error_messages={
            "required": "Vul uw achternaam in.",
            "max_length": "Een achternaam heeft hoogstens 150 tekens.",
        },
    )
    wachtwoord = forms.CharField(
        label="Wachtwoord",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Minstens 12 tekens; geen veelgebruikt wachtwoord, niet alleen cijfers en niet te veel op uw naam "
        "of e-mailadres lijkend.",
        error_messages={"required": "Kies een wachtwoord."},
    )
    wachtwoord2 = forms.CharField(
        label="Wachtwoord nogmaals",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Vul het wachtwoord nogmaals in."},
    )

    def __init__(self, *args: Any, uitnodiging: Uitnodiging, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.uitnodiging = uitnodiging

    def clean_voornaam(self) -> str:
        return self._name("voornaam", "Vul uw voornaam in.")

    def clean_achternaam(self) -> str:
        return self._name("achternaam", "Vul uw achternaam in.")

    def _name(self, field: str, missing: str) -> str:
        value = " ".join(self.cleaned_data[field].split())
        if not value:
            raise forms.ValidationError(missing)
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("wachtwoord"), data.get("wachtwoord2")
        if first and second and first != second:
            self.add_error("wachtwoord2", "De twee wachtwoorden zijn niet gelijk.")
        elif first:
            person = self.new_user()
            person.username = ""  # the user name is the e-mail address: compare with that once, by its own name
            try:
                password_validation.validate_password(first, person)
            except forms.ValidationError as exc:
                for message in dutch_password_errors(exc):
                    self.add_error("wachtwoord", message)
        return data

    def new_user(self) -> Gebruiker:
        """The (unsaved) account this invitation makes, with the names given so far."""
        inv = self.uitnodiging
        return Gebruiker(
            email=inv.email,
            username=inv.email,
            rol=inv.rol,
            bestuur=inv.bestuur if inv.rol == Rol.BESTUUR else None,
            first_name=self.cleaned_data.get("voornaam", ""),
            last_name=self.cleaned_data.get("achternaam", ""),
        )
