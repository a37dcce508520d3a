"""Who sees, changes and answers an agreement (rules ``regio``, ``regiobeheer`` and ``afspraak``).

Every member of the region sees its agreements (rule ``regio``); its coordinators and site administrators
record and change them (``regiobeheer``: 403 for other members); the staff of a board named in an
agreement answer for that board (``afspraak``: 403 for other members). Anyone outside the region gets 404,
whether or not the agreement exists.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from dekkend.web.access import can_manage_region, region_for, visible_regions
from dekkend.web.afspraken.models import Afspraak
from dekkend.web.models import Bestuur, Gebruiker


def agreement_for(user: Gebruiker, regio_id: int, afspraak_id: int) -> Afspraak:
    """Agreement ``afspraak_id`` of region ``regio_id`` if ``user`` belongs to the region; otherwise 404."""
    regio = region_for(user, regio_id)
    found = Afspraak.objects.filter(regio=regio, pk=afspraak_id).select_related("regio", "versie__scenario").first()
    if found is None:
        raise Http404("afspraak niet gevonden")
    return found


def agreement_by_id(user: Gebruiker, afspraak_id: int) -> Afspraak:
    """Agreement ``afspraak_id`` of any region ``user`` belongs to; otherwise 404 (the API's lookup)."""
    found = (
        Afspraak.objects.filter(pk=afspraak_id, regio__in=visible_regions(user))
        .select_related("regio", "versie__scenario")
        .first()
    )
    if found is None:
        raise Http404("afspraak niet gevonden")
    return found


def require_manager(user: Gebruiker, afspraak: Afspraak) -> None:
    """403 unless ``user`` manages the agreement's region (its coordinator or a site administrator)."""
    if not can_manage_region(user, afspraak.regio):
        raise PermissionDenied("alleen de regiocoördinator of de beheerder kan afspraken vastleggen en wijzigen")


def answering_board(user: Gebruiker, afspraak: Afspraak) -> Bestuur:
    """The board ``user`` answers for: their own, when it is named in the agreement; otherwise 403."""
    if user.bestuur_id is None or not afspraak.besturen.filter(pk=user.bestuur_id).exists():
        raise PermissionDenied("alleen een medewerker van een bestuur dat in deze afspraak staat kan instemmen")
    board: Bestuur = user.bestuur
    return board
