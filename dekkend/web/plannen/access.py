"""Who sees and changes a scenario (rule ``scenario`` of :mod:`dekkend.web.access`).

A person sees a scenario of a region they belong to when they are in its circle at its level:

``bestuur``   staff of the scenario's board (without a board: only its author);
``adviseur``  and the advisers (role ``adviseur``) assigned to the region;
``regio``     and every member of the region (coordinators, the OCW account manager, other boards,
              site administrators).

Site administrators are not in a board's circle: a board's private scenarios stay private to it.
Only the owning circle (the board's staff, or the author without a board) changes a scenario, its
name, versions and visibility; whoever sees it may comment and copy it into their own board.
Anything one may not see answers 404, in pages and API alike.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from dekkend.web.access import region_for, visible_regions
from dekkend.web.models import Gebruiker, Regio, Rol
from dekkend.web.plannen.models import NIVEAUS, Scenario


def _owner_condition(user: Gebruiker) -> Q:
    if user.bestuur_id is not None:
        return Q(bestuur_id=user.bestuur_id)
    return Q(bestuur__isnull=True, auteur=user)


def visible_scenarios(user: Gebruiker, regio: Regio | None = None) -> QuerySet[Scenario]:
    """The scenarios ``user`` may see (of ``regio``, or of all their regions)."""
    if not user.is_authenticated or not user.is_active:
        return Scenario.objects.none()
    regions = visible_regions(user)
    found = Scenario.objects.filter(regio__in=regions)
    if regio is not None:
        found = found.filter(regio=regio)
    condition = _owner_condition(user) | Q(zichtbaarheid="regio")
    if user.rol == Rol.ADVISEUR:
        condition |= Q(zichtbaarheid="adviseur", regio__in=user.regios.all())
    return found.filter(condition)


def scenario_for(user: Gebruiker, regio_id: int, scenario_id: int) -> Scenario:
    """Scenario ``scenario_id`` of region ``regio_id`` if ``user`` may see it; otherwise 404."""
    regio = region_for(user, regio_id)
    found = visible_scenarios(user, regio).filter(pk=scenario_id).select_related("regio", "bestuur", "auteur").first()
    if found is None:
        raise Http404("scenario niet gevonden")
    return found


def owns(user: Gebruiker, scenario: Scenario) -> bool:
    """Whether ``user`` is in the scenario's owning circle (may change it and its visibility)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if scenario.bestuur_id is not None:
        return user.bestuur_id == scenario.bestuur_id
    return scenario.auteur_id == user.pk


def scenario_to_change(user: Gebruiker, regio_id: int, scenario_id: int) -> Scenario:
    """The scenario if ``user`` may change it; 404 when not visible, 403 when visible but not theirs."""
    found = scenario_for(user, regio_id, scenario_id)
    if not owns(user, found):
        raise PermissionDenied("alleen het bestuur van dit scenario kan het wijzigen")
    return found


def audience(scenario: Scenario, niveau: str) -> QuerySet[Gebruiker]:
    """Exactly who would see ``scenario`` at visibility ``niveau`` (for the preview before widening)."""
    if niveau not in NIVEAUS:
        raise ValueError(f"unknown visibility {niveau!r}")
    regio = scenario.regio
    owners = Q(bestuur_id=scenario.bestuur_id) if scenario.bestuur_id is not None else Q(pk=scenario.auteur_id or 0)
    members = Q(regios=regio) | Q(bestuur__regios=regio) | Q(rol=Rol.BEHEERDER)
    condition = owners
    if niveau in ("adviseur", "regio"):
        condition |= Q(rol=Rol.ADVISEUR, regios=regio)
    if niveau == "regio":
        condition |= members
    return Gebruiker.objects.filter(condition, is_active=True).distinct().order_by("rol", "email")
