"""Who may see what: one place for the workspace's visibility rules, used by pages and API alike.

Every view and API operation declares its rule with :func:`rule`; the authorization matrix test
(``tests/web/test_authorization.py``) walks the URL configuration and fails for a view without one.

Rules:

``publiek``
    Anyone, also without logging in (the login page, the static help).
``ingelogd``
    Any logged-in person (their own profile, the list of their regions).
``regio``
    A member of the region in the URL (``regio_id``): a region that is not visible answers 404, so
    nobody learns that it exists.
``regiobeheer``
    Managing the region in the URL (``regio_id``): its coordinators (role ``regiocoordinator``, assigned
    to that region) and site administrators. Other members of the region get 403 (they may see the
    region, not change its members); everyone else gets 404, as for ``regio``.
``beheerder``
    Site administrators only.
``scenario``
    A scenario (``scenario_id``) of the region in the URL that the person may see at the scenario's
    visibility (:mod:`dekkend.web.plannen.access`); 404 otherwise. Changing it needs its owning board
    (403 for others who see it).
``hulpvraag``
    A support request (``hulpvraag_id``) of the region in the URL that the person may see: its requesting
    board, its adviser or account manager (:mod:`dekkend.web.hulpvragen.access`); 404 otherwise, also for
    other members of the region. Actions the person may not take answer 403.
``kennisbeheer``
    Writing and reviewing knowledge base entries: advisers and site administrators; 403 for other
    logged-in people.
``afspraak``
    Answering an agreement (``afspraak_id``) for a board: staff of a board named in it
    (:mod:`dekkend.web.afspraken.access`); other members of its region get 403, everyone else 404.
``bestuursdata``
    A board's own data (:mod:`dekkend.web.bestuursdata.access`): its staff see and change all of it; others
    see an upload only at the level the board shared it with them, 404 otherwise; pages are also region pages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

if TYPE_CHECKING:
    from dekkend.web.models import Gebruiker, Regio, Taak

RULES = (
    "publiek",
    "ingelogd",
    "regio",
    "regiobeheer",
    "beheerder",
    "scenario",
    "hulpvraag",
    "kennisbeheer",
    "afspraak",
    "bestuursdata",
)
F = TypeVar("F", bound=Callable[..., Any])


def rule(name: str) -> Callable[[F], F]:
    """Mark a view or API operation with its access rule (checked by the authorization matrix)."""
    if name not in RULES:
        raise ValueError(f"unknown access rule {name!r}")

    def mark(view: F) -> F:
        view.dekkend_rule = name  # type: ignore[attr-defined]
        return view

    return mark


def visible_regions(user: Gebruiker) -> QuerySet[Regio]:
    """The regions ``user`` belongs to: assigned ones, and those containing the person's board."""
    from dekkend.web.models import Regio, Rol

    if not user.is_authenticated or not user.is_active:
        return Regio.objects.none()
    if user.rol == Rol.BEHEERDER:
        return Regio.objects.all()
    condition = Q(toegewezen=user)
    if user.bestuur_id is not None:
        condition |= Q(besturen=user.bestuur_id)
    return Regio.objects.filter(condition).distinct()


#: Job kinds that belong to the person who started them (and their board): a scenario run, an optimisation and
#: the report of a support request say what a board is working on. The others are the region's shared work.
PRIVATE_JOBS = ("scenario", "optimalisatie", "hulpvraag")


def visible_jobs(user: Gebruiker) -> QuerySet[Taak]:
    """The jobs ``user`` may follow: the region's shared jobs, and private ones they or their board started."""
    from dekkend.web.models import Taak

    own = Q(aangevraagd_door=user)
    if user.bestuur_id is not None:
        own |= Q(aangevraagd_door__bestuur_id=user.bestuur_id)
    return Taak.objects.filter(regio__in=visible_regions(user)).filter(~Q(soort__in=PRIVATE_JOBS) | own)


def region_for(user: Gebruiker, regio_id: int) -> Regio:
    """The region ``regio_id`` if ``user`` may see it; otherwise 404 (also when it does not exist)."""
    found = visible_regions(user).filter(pk=regio_id).first()
    if found is None:
        raise Http404("regio niet gevonden")
    return found


def is_admin(user: Gebruiker) -> bool:
    from dekkend.web.models import Rol

    return bool(user.is_authenticated and user.is_active and user.rol == Rol.BEHEERDER)


def can_manage_region(user: Gebruiker, regio: Regio) -> bool:
    """Whether ``user`` may manage ``regio``'s members and board names (rule ``regiobeheer``)."""
    from dekkend.web.models import Rol

    if is_admin(user):
        return True
    if not user.is_authenticated or not user.is_active or user.rol != Rol.REGIOCOORDINATOR:
        return False
    return user.regios.filter(pk=regio.pk).exists()


def region_to_manage(user: Gebruiker, regio_id: int) -> Regio:
    """The region ``regio_id`` if ``user`` may manage it; 404 for non-members, 403 for other members."""
    found = region_for(user, regio_id)
    if not can_manage_region(user, found):
        raise PermissionDenied("alleen de regiocoördinator of de beheerder kan de leden van deze regio beheren")
    return found
