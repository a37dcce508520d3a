"""Boards, regions and accounts: from the werkmap's data, the command line and the demo.

Accounts are invite-only: a site administrator adds them (``dekkend web gebruiker toevoegen`` or the
admin). A real installation has no default accounts; only the demo werkmap gets one account per role,
with passwords printed when the server starts.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from dekkend import select_region
from dekkend.errors import InvoerFout
from dekkend.web.models import Bestuur, Gebruiker, Regio, Rol
from dekkend.workspace import Workspace


def board_names(vestigingen: pd.DataFrame) -> dict[str, str]:
    """``bestuur code -> name``: the open data has numbers only, so "Bestuur N (its largest places)"."""
    names: dict[str, str] = {}
    frame = vestigingen.dropna(subset=["bestuur"])
    for code, rows in frame.groupby(frame["bestuur"].astype(str)):
        places = rows["plaatsnaam"].dropna().astype(str).str.title().value_counts().index[:2].tolist()
        names[str(code)] = f"Bestuur {code}" + (f" ({', '.join(places)})" if places else "")
    return names


def sync_boards(werkmap: str | Path) -> int:
    """Create a :class:`Bestuur` for every board in the werkmap (names a person set are kept)."""
    ves = Workspace(werkmap).require().table("vestigingen")
    names = board_names(ves)
    existing = set(Bestuur.objects.values_list("code", flat=True))
    Bestuur.objects.bulk_create([Bestuur(code=c, naam=n) for c, n in names.items() if c not in existing])
    for board in Bestuur.objects.filter(code__in=list(names)):
        if board.naam != names[board.code]:
            board.naam = names[board.code]
            board.save(update_fields=["naam"])
    return len(names)


def add_region(
    werkmap: str | Path,
    naam: str,
    selectie: str,
    soort: str | None = None,
    *,
    tables: dict[str, pd.DataFrame] | None = None,
) -> Regio:
    """Add (or update) a region from a ``--regio`` expression; its boards are those of its vestigingen."""
    tables = tables if tables is not None else Workspace(werkmap).require().tables()
    region = select_region(tables, selectie)
    ves = tables["vestigingen"]
    codes = ves.loc[ves["vestigingscode"].isin(region.vestigingen), "bestuur"].dropna().astype(str).unique()
    kind = soort or (
        "corop" if selectie.startswith("corop:") else "samenwerking" if selectie.startswith("bestuur:") else "gemeenten"
    )
    with transaction.atomic():
        if not Bestuur.objects.filter(code__in=list(codes)).count() == len(codes):
            sync_boards(werkmap)
        regio, _ = Regio.objects.update_or_create(selectie=selectie, defaults={"naam": naam, "soort": kind})
        regio.besturen.set(Bestuur.objects.filter(code__in=list(codes)))
    return regio


def sync_corop_regions(werkmap: str | Path) -> int:
    """One region per COROP-gebied in the werkmap (a national workspace starts with these); returns how many.

    Existing regions are kept as they are (their names may have been changed); the boards of each follow the data.
    """
    tables = Workspace(werkmap).require().tables()
    ves = tables["vestigingen"]
    if "corop_code" not in ves:
        return 0
    latest = ves.sort_values("peildatum") if "peildatum" in ves else ves
    names = latest.dropna(subset=["corop_code"]).groupby("corop_code")["corop_naam"].last()
    sync_boards(werkmap)
    for code, name in names.items():
        if not Regio.objects.filter(selectie=f"corop:{code}").exists():
            add_region(werkmap, f"COROP {name}", f"corop:{code}", "corop", tables=tables)
    return len(names)


def add_user(
    email: str,
    rol: str,
    *,
    naam: str = "",
    bestuur: str | None = None,
    regios: list[int] | None = None,
    password: str | None = None,
) -> tuple[Gebruiker, str]:
    """Add a person; returns the account and its (new, random when not given) password.

    Raises :class:`InvoerFout` with a Dutch message for an unknown role, a missing or unknown board,
    an existing e-mail address or a weak password.
    """
    if rol not in Rol.values:
        raise InvoerFout(f"rol '{rol}' bestaat niet; kies uit {', '.join(Rol.values)}")
    if Gebruiker.objects.filter(email__iexact=email).exists():
        raise InvoerFout(f"er is al een account met e-mailadres {email}")
    board = None
    if rol == "bestuur":
        if not bestuur:
            raise InvoerFout("een account met rol 'bestuur' hoort bij één bestuur: geef --bestuur NUMMER")
        board = Bestuur.objects.filter(code=bestuur).first()
        if board is None:
            raise InvoerFout(
                f"bestuur {bestuur} staat niet in de werkruimte (voeg eerst een regio met dit bestuur toe)"
            )
    password = password or secrets.token_urlsafe(12)
    first, _, last = naam.partition(" ")
    user = Gebruiker(email=email, username=email, rol=rol, bestuur=board, first_name=first, last_name=last)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise InvoerFout("wachtwoord te zwak: " + " ".join(exc.messages)) from exc
    user.set_password(password)
    user.is_staff = user.is_superuser = rol == "beheerder"
    with transaction.atomic():
        user.save()
        if regios:
            found = list(Regio.objects.filter(pk__in=regios))
            if len(found) != len(set(regios)):
                raise InvoerFout(f"regio's {sorted(set(regios) - {r.pk for r in found})} bestaan niet")
            user.regios.set(found)
    return user, password


@dataclass(frozen=True)
class DemoAccount:
    email: str
    rol: str
    wachtwoord: str
    bestuur: str | None


def setup_demo(werkmap: str | Path) -> list[DemoAccount]:
    """The demo region, its boards and one account per role plus one per board (passwords new each start).

    When the demo region is new (the first start of this web map), its boards also get simulated registrations
    and own forecasts (:mod:`dekkend.web.bestuursdata.demo`); later starts leave board data as it is.
    """
    first_start = not Regio.objects.filter(selectie="nl").exists()
    regio = add_region(werkmap, "Demoregio Veenland", "nl", "samenwerking")
    accounts = []
    roles = [
        ("coordinator@demo.dekkend.nl", "regiocoordinator"),
        ("adviseur@demo.dekkend.nl", "adviseur"),
        ("accountmanager@demo.dekkend.nl", "accountmanager"),
        ("beheer@demo.dekkend.nl", "beheerder"),
    ]
    roles += [(f"bestuur{b.code}@demo.dekkend.nl", "bestuur") for b in regio.besturen.order_by("code")]
    for email, rol in roles:
        password = secrets.token_urlsafe(12)
        user = Gebruiker.objects.filter(email=email).first()
        if user is None:
            board = email.removeprefix("bestuur").split("@")[0] if rol == "bestuur" else None
            user, _ = add_user(email, rol, bestuur=board, password=password, naam=f"Demo {rol}")
        else:
            user.set_password(password)
            user.save(update_fields=["password"])
        if rol in ("regiocoordinator", "adviseur", "accountmanager"):
            user.regios.add(regio)
        accounts.append(DemoAccount(email, rol, password, user.bestuur.code if user.bestuur else None))
    if first_start:
        from dekkend.web.bestuursdata import demo

        demo.seed(werkmap, regio)
    return accounts
