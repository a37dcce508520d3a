"""The region's members page and what its coordinator does there: invitations, assignments, board names.

Every member of a region sees who belongs to it (rule ``regio``); its coordinators and the site
administrators manage it (rule ``regiobeheer``, :func:`~dekkend.web.access.region_to_manage`). The
invitation link itself is public: whoever holds the key can use it once, before it expires.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dekkend.web import audit
from dekkend.web.access import can_manage_region, region_for, region_to_manage, rule
from dekkend.web.forms_leden import AccepterenForm, UitnodigingForm, WeergavenaamForm
from dekkend.web.models import Gebruiker, Regio, Rol, Uitnodiging
from dekkend.web.views import REGION_PAGES

#: The Dutch explanation for an invitation link that cannot be used (shown on the link's page).
_REFUSED = {
    "onbekend": "Deze uitnodigingslink bestaat niet. Controleer of u de hele link hebt gekopieerd.",
    "gebruikt": "Deze uitnodiging is al gebruikt; een uitnodigingslink werkt maar één keer. "
    "Hebt u al een account, log dan in.",
    "ingetrokken": "Deze uitnodiging is ingetrokken. Vraag de regiocoördinator om een nieuwe uitnodiging.",
    "verlopen": "Deze uitnodiging is verlopen (een uitnodiging is 7 dagen geldig). "
    "Vraag de regiocoördinator om een nieuwe uitnodiging.",
    "bestaat": "Er is al een account met dit e-mailadres. Log in met dat account; "
    "vraag zo nodig de beheerder om het aan de regio toe te wijzen.",
}
_REFUSED_STATUS = {"onbekend": 404, "gebruikt": 410, "ingetrokken": 410, "verlopen": 410, "bestaat": 409}


def _members_page(
    request: HttpRequest,
    regio: Regio,
    *,
    status: int = 200,
    invite_form: UitnodigingForm | None = None,
    name_forms: dict[int, WeergavenaamForm] | None = None,
    new_link: str | None = None,
    new_invitation: Uitnodiging | None = None,
) -> HttpResponse:
    """The members page: boards with their staff, assigned people, and for managers the forms."""
    manager = can_manage_region(request.user, regio)
    boards = list(regio.besturen.order_by("naam"))
    staff: dict[int, list[Gebruiker]] = defaultdict(list)
    for person in Gebruiker.objects.filter(is_active=True, rol=Rol.BESTUUR, bestuur__in=boards).order_by(
        "last_name", "first_name", "email"
    ):
        staff[person.bestuur_id].append(person)
    name_forms = name_forms or {}
    rows = [
        {
            "bestuur": b,
            "medewerkers": staff[b.pk],
            "form": name_forms.get(b.pk)
            or WeergavenaamForm(initial={"weergavenaam": b.weergavenaam}, prefix=f"b{b.pk}"),
        }
        for b in boards
    ]
    assigned = regio.toegewezen.filter(is_active=True).order_by("rol", "last_name", "first_name", "email")
    context: dict[str, Any] = {
        "regio": regio,
        "pagina": "leden",
        "paginas": REGION_PAGES,
        "beheer": manager,
        "besturen": rows,
        "toegewezen": assigned,
    }
    if manager:
        context.update(
            form=invite_form or UitnodigingForm(regio=regio),
            uitnodigingen=Uitnodiging.open()
            .filter(regio=regio)
            .select_related("bestuur", "uitgenodigd_door")
            .order_by("-aangemaakt"),
            nieuwe_link=new_link,
            nieuwe_uitnodiging=new_invitation,
        )
    return render(request, "werkruimte/leden.html", context, status=status)


@rule("regio")
@login_required
@require_GET
def leden(request: HttpRequest, regio_id: int) -> HttpResponse:
    """Who belongs to the region; its coordinators and administrators also get the management forms."""
    return _members_page(request, region_for(request.user, regio_id))


@rule("regiobeheer")
@login_required
@require_POST
def uitnodigen(request: HttpRequest, regio_id: int) -> HttpResponse:
    """Make an invitation and show its link once (the workspace sends no e-mail yet)."""
    regio = region_to_manage(request.user, regio_id)
    form = UitnodigingForm(request.POST, regio=regio)
    if not form.is_valid():
        return _members_page(request, regio, status=400, invite_form=form)
    data = form.cleaned_data
    board = data["bestuur"] if data["rol"] == Rol.BESTUUR else None
    with transaction.atomic():
        invitation, key = Uitnodiging.create_for(request.user, regio, data["email"], data["rol"], board)
        audit.record(
            request,
            "uitnodiging gemaakt",
            object=invitation.email,
            regio=regio.pk,
            rol=invitation.rol,
            bestuur=board.code if board else None,
            uitnodiging=invitation.pk,
        )
    link = request.build_absolute_uri(reverse("werkruimte:uitnodiging", kwargs={"sleutel": key}))
    return _members_page(request, regio, new_link=link, new_invitation=invitation)


@rule("regiobeheer")
@login_required
@require_POST
def uitnodiging_intrekken(request: HttpRequest, regio_id: int, uitnodiging_id: int) -> HttpResponse:
    """Withdraw an open invitation of the region (its link stops working)."""
    regio = region_to_manage(request.user, regio_id)
    invitation = get_object_or_404(Uitnodiging, pk=uitnodiging_id, regio=regio)
    # A conditional update, so a withdrawal and a use at the same moment cannot both succeed.
    if Uitnodiging.open().filter(pk=invitation.pk).update(ingetrokken=timezone.now()):
        audit.record(
            request, "uitnodiging ingetrokken", object=invitation.email, regio=regio.pk, uitnodiging=invitation.pk
        )
        messages.success(request, f"De uitnodiging voor {invitation.email} is ingetrokken.")
    else:
        invitation.refresh_from_db()
        messages.error(request, f"De uitnodiging voor {invitation.email} is niet meer open ({invitation.status()}).")
    return redirect("werkruimte:leden", regio_id=regio.pk)


@rule("regiobeheer")
@login_required
@require_POST
def lid_verwijderen(request: HttpRequest, regio_id: int, gebruiker_id: int) -> HttpResponse:
    """Remove a person's assignment to the region (the account stays; board staff belong via their board)."""
    regio = region_to_manage(request.user, regio_id)
    person = get_object_or_404(Gebruiker, pk=gebruiker_id, regios=regio)
    if person.pk == request.user.pk:
        messages.error(
            request, "U kunt uzelf niet uit de regio verwijderen; vraag een andere coördinator of de beheerder."
        )
        return redirect("werkruimte:leden", regio_id=regio.pk)
    person.regios.remove(regio)
    audit.record(request, "toewijzing verwijderd", object=person.email, regio=regio.pk, rol=person.rol)
    messages.success(request, f"{person} hoort niet meer bij {regio.naam}. Het account zelf bestaat nog.")
    return redirect("werkruimte:leden", regio_id=regio.pk)


@rule("regiobeheer")
@login_required
@require_POST
def bestuursnaam(request: HttpRequest, regio_id: int, bestuur_id: int) -> HttpResponse:
    """Set (or clear) the display name of one of the region's boards."""
    regio = region_to_manage(request.user, regio_id)
    board = get_object_or_404(regio.besturen.all(), pk=bestuur_id)
    form = WeergavenaamForm(request.POST, prefix=f"b{board.pk}")
    if not form.is_valid():
        return _members_page(request, regio, status=400, name_forms={board.pk: form})
    old, new = board.weergavenaam, form.cleaned_data["weergavenaam"]
    if old != new:
        board.weergavenaam = new
        board.save(update_fields=["weergavenaam"])
        audit.record(request, "bestuursnaam gewijzigd", object=board.code, regio=regio.pk, oud=old, nieuw=new)
        shown = new or f"de naam volgens DUO ({board.naam})"
        messages.success(request, f"Bestuur {board.code} heet in de werkruimte nu {shown}.")
    return redirect("werkruimte:leden", regio_id=regio.pk)


def _refused(request: HttpRequest, reason: str) -> HttpResponse:
    context = {"reden": reason, "uitleg": _REFUSED[reason]}
    return render(request, "werkruimte/uitnodiging_ongeldig.html", context, status=_REFUSED_STATUS[reason])


class _NoLongerOpen(Exception):
    """The invitation was used or withdrawn between showing the form and submitting it."""


@rule("publiek")
@never_cache
@require_http_methods(["GET", "POST"])
def uitnodiging(request: HttpRequest, sleutel: str) -> HttpResponse:
    """The invitation link: set name and password; the account is made, the link used up, the person logged in."""
    invitation = Uitnodiging.lookup(sleutel)
    if invitation is None:
        return _refused(request, "onbekend")
    if invitation.status() != "open":
        return _refused(request, invitation.status())
    if Gebruiker.objects.filter(email__iexact=invitation.email).exists():
        return _refused(request, "bestaat")
    # An empty POST is still a bound form: it gets its Dutch messages and makes nothing.
    form = AccepterenForm(request.POST if request.method == "POST" else None, uitnodiging=invitation)
    if request.method == "POST" and form.is_valid():
        try:
            person = _accept(request, invitation, form)
        except _NoLongerOpen:
            invitation.refresh_from_db()
            return _refused(request, invitation.status())
        except IntegrityError:  # an account with this e-mail address was made meanwhile
            return _refused(request, "bestaat")
        login(request, person, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welkom, {person.first_name}. Uw account is klaar.")
        return redirect("werkruimte:regio", regio_id=invitation.regio_id)
    context = {"uitnodiging": invitation, "form": form}
    return render(request, "werkruimte/uitnodiging.html", context, status=400 if form.errors else 200)


def _accept(request: HttpRequest, invitation: Uitnodiging, form: AccepterenForm) -> Gebruiker:
    """Use the invitation up and make its account, all or nothing."""
    with transaction.atomic():
        if not Uitnodiging.open().filter(pk=invitation.pk).update(gebruikt=timezone.now()):
            raise _NoLongerOpen
        person = form.new_user()
        person.set_password(form.cleaned_data["wachtwoord"])
        person.save()
        if invitation.rol != Rol.BESTUUR:
            person.regios.add(invitation.regio)
        Uitnodiging.objects.filter(pk=invitation.pk).update(gebruikt_door=person)
        audit.record(
            request,
            "uitnodiging gebruikt",
            object=invitation.email,
            user=person,
            regio=invitation.regio_id,
            rol=invitation.rol,
            uitnodiging=invitation.pk,
        )
    return person
