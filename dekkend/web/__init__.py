"""The regional web workspace: one shared picture of a region for its boards, advisers and OCW.

A Django application (``dekkend.web.settings``) over the library's public API. The functions here
are what ``dekkend web`` calls; each configures Django for the given werkmap and database first, so
nothing about the web is imported until it is used. See ``docs/web.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from dekkend.web.boot import configure

if TYPE_CHECKING:
    from dekkend.web.accounts import DemoAccount

__all__ = [
    "DemoAccount",
    "add_region",
    "add_user",
    "backup",
    "configure",
    "daily_notifications",
    "make_token",
    "manage",
    "restore",
    "serve",
]


def add_user(email: str, rol: str, **options: object) -> tuple[object, str]:
    """Add an account (after :func:`configure`); see :func:`dekkend.web.accounts.add_user`."""
    from dekkend.web import accounts

    return accounts.add_user(email, rol, **options)  # type: ignore[arg-type]


def add_region(werkmap: str | Path, naam: str, selectie: str) -> object:
    """Add a region (after :func:`configure`); see :func:`dekkend.web.accounts.add_region`."""
    from dekkend.web import accounts

    return accounts.add_region(werkmap, naam, selectie)


def make_token(email: str, naam: str) -> str:
    """A new personal API token for ``email`` (after :func:`configure`); the key is returned once."""
    from dekkend.errors import InvoerFout
    from dekkend.web.models import ApiToken, Gebruiker

    user = Gebruiker.objects.filter(email__iexact=email).first()
    if user is None:
        raise InvoerFout(f"er is geen account met e-mailadres {email}")
    return ApiToken.create_for(user, naam)[1]


def backup(target: str | Path) -> dict:
    """Write a backup of the workspace (after :func:`configure`); see :func:`dekkend.web.backups.backup`."""
    from dekkend.web import backups as _backup

    return _backup.backup(target)


def restore(source: str | Path, *, replace: bool = False) -> dict:
    """Restore a backup (after :func:`configure`); see :func:`dekkend.web.backups.restore`."""
    from dekkend.web import backups as _backup

    return _backup.restore(source, replace=replace)


def daily_notifications() -> dict[str, int]:
    """The daily run of notifications (after :func:`configure`): reminders, then digests; see
    :func:`dekkend.web.notify.run_daily`. Returns how many of each were sent."""
    from dekkend.web.notify import run_daily

    return run_daily()


def manage(argv: Sequence[str]) -> None:
    """Run a Django management command (after :func:`configure`), e.g. ``["createsuperuser"]``."""
    from django.core.management import execute_from_command_line

    execute_from_command_line(["dekkend web beheer", *argv])


def serve(*args: object, **kwargs: object) -> None:
    """Run the production server and the task worker; see :func:`dekkend.web.server.serve`."""
    from dekkend.web.server import serve as _serve

    _serve(*args, **kwargs)  # type: ignore[arg-type]
