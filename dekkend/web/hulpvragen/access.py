"""Who sees and changes a hulpvraag (rule ``hulpvraag`` of :mod:`dekkend.web.access`).

A request of a region the person belongs to is visible to:

- its requesting circle: the staff of the requesting board (a coordinator's request: the coordinator);
- its handlers: the person it was assigned to, and whoever has the handling role in the region
  (advisers for ``adviseur`` and ``visitatie``, account managers for ``ocw``).

Nobody else sees it, not other boards, not the coordinator of a board's request, not site
administrators in the workspace; it answers 404 for them, in pages and API alike. A visitation report the
board shared is readable by every member of the region; a peer board asked to visit sees the visitation's
themes, dates and peers (not the thread) on its own page.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from dekkend.web.access import visible_regions
from dekkend.web.hulpvragen.models import Hulpvraag, Soort, Visitatiepartner
from dekkend.web.models import Gebruiker, Regio, Rol

#: The role that handles each kind of request.
HANDLING_ROLE = {Soort.ADVISEUR: Rol.ADVISEUR, Soort.VISITATIE: Rol.ADVISEUR, Soort.OCW: Rol.ACCOUNTMANAGER}
#: Roles that may ask for support.
ASKING_ROLES = (Rol.BESTUUR, Rol.REGIOCOORDINATOR)


def _requester_condition(user: Gebruiker) -> Q:
    if user.bestuur_id is not None:
        return Q(bestuur_id=user.bestuur_id)
    return Q(bestuur__isnull=True, aanvrager=user)


def _handler_condition(user: Gebruiker) -> Q:
    condition = Q(behandelaar=user)
    kinds = [str(k) for k, role in HANDLING_ROLE.items() if role == user.rol]
    if kinds:
        condition |= Q(soort__in=kinds, regio__in=user.regios.all())
    return condition


def visible_requests(user: Gebruiker, regio: Regio | None = None) -> QuerySet[Hulpvraag]:
    """The requests ``user`` may see (of ``regio``, or of all their regions)."""
    if not user.is_authenticated or not user.is_active:
        return Hulpvraag.objects.none()
    found = Hulpvraag.objects.filter(regio__in=visible_regions(user))
    if regio is not None:
        found = found.filter(regio=regio)
    return found.filter(_requester_condition(user) | _handler_condition(user)).distinct()


def request_for(user: Gebruiker, regio_id: int, hulpvraag_id: int) -> Hulpvraag:
    """Request ``hulpvraag_id`` of region ``regio_id`` if ``user`` may see it; otherwise 404."""
    found = (
        visible_requests(user)
        .filter(pk=hulpvraag_id, regio_id=regio_id)
        .select_related("regio", "bestuur", "aanvrager", "behandelaar")
        .first()
    )
    if found is None:
        raise Http404("hulpvraag niet gevonden")
    return found


def is_requester(user: Gebruiker, hulpvraag: Hulpvraag) -> bool:
    """Whether ``user`` is in the requesting circle (shares the visitation report, may close the request)."""
    if hulpvraag.bestuur_id is not None:
        return user.bestuur_id == hulpvraag.bestuur_id
    return hulpvraag.aanvrager_id == user.pk


def is_handler(user: Gebruiker, hulpvraag: Hulpvraag) -> bool:
    """Whether ``user`` handles the request (the assigned person or the handling role in the region)."""
    if hulpvraag.behandelaar_id == user.pk:
        return True
    return user.rol == HANDLING_ROLE[Soort(hulpvraag.soort)] and user.regios.filter(pk=hulpvraag.regio_id).exists()


def may_ask(user: Gebruiker) -> bool:
    """Whether ``user``'s role may ask for support (boards and coordinators)."""
    return user.is_authenticated and user.rol in ASKING_ROLES


def require_asker(user: Gebruiker) -> None:
    if not may_ask(user):
        raise PermissionDenied("alleen besturen en regiocoördinatoren kunnen ondersteuning aanvragen")


def shared_report_request(user: Gebruiker, regio_id: int, hulpvraag_id: int) -> Hulpvraag:
    """A visitation whose report ``user`` may read: visible to them, or shared with their region; else 404."""
    found = visible_requests(user).filter(pk=hulpvraag_id, regio_id=regio_id).first()
    if found is None:
        found = Hulpvraag.objects.filter(
            pk=hulpvraag_id, regio_id=regio_id, regio__in=visible_regions(user), verslag_gedeeld=True
        ).first()
    if found is None or found.verslag() is None:
        raise Http404("verslag niet gevonden")
    return found


def peer_for(user: Gebruiker, regio_id: int, hulpvraag_id: int) -> Visitatiepartner:
    """The invitation of ``user``'s board to visit for request ``hulpvraag_id``; 404 otherwise."""
    if not user.is_authenticated or user.bestuur_id is None:
        raise Http404("visitatie niet gevonden")
    found = (
        Visitatiepartner.objects.select_related("hulpvraag", "hulpvraag__regio", "bestuur")
        .filter(hulpvraag_id=hulpvraag_id, hulpvraag__regio_id=regio_id, bestuur_id=user.bestuur_id)
        .first()
    )
    if found is None:
        raise Http404("visitatie niet gevonden")
    return found


def handlers(regio: Regio, soort: str) -> QuerySet[Gebruiker]:
    """The active people with the handling role for ``soort`` assigned to ``regio`` (first: the one it goes to)."""
    return Gebruiker.objects.filter(rol=HANDLING_ROLE[Soort(soort)], regios=regio, is_active=True).order_by("pk")


def requesting_circle(hulpvraag: Hulpvraag) -> QuerySet[Gebruiker]:
    """The people of the requesting side (to notify)."""
    if hulpvraag.bestuur_id is not None:
        return Gebruiker.objects.filter(bestuur_id=hulpvraag.bestuur_id, is_active=True)
    return Gebruiker.objects.filter(pk=hulpvraag.aanvrager_id or 0, is_active=True)


def handling_circle(hulpvraag: Hulpvraag) -> QuerySet[Gebruiker]:
    """The people of the handling side (to notify): the assigned person, else all with the handling role."""
    if hulpvraag.behandelaar_id is not None:
        return Gebruiker.objects.filter(pk=hulpvraag.behandelaar_id, is_active=True)
    return handlers(hulpvraag.regio, hulpvraag.soort)
