"""The audit log: one call per thing a person did that others may need to trace."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from dekkend.web.models import AuditRegel, Gebruiker


def client_address(request: HttpRequest | None) -> str | None:
    """The client's address as the server saw it (behind a proxy: the proxy's, unless configured)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(
    request: HttpRequest | None,
    actie: str,
    object: str = "",  # noqa: A002 - the column's name
    user: Gebruiker | None = None,
    **details: Any,
) -> AuditRegel:
    """Add a line to the audit log for ``user`` (default: the request's user)."""
    who = user if user is not None else getattr(request, "user", None)
    person = who if isinstance(who, Gebruiker) and who.pk else None
    return AuditRegel.objects.create(
        gebruiker=person,
        wie=person.email if person else "anoniem",
        actie=actie,
        object=object[:200],
        details=details,
        adres=client_address(request),
    )
