"""Template context for every page: the person's regions for the navigation."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from dekkend.web.access import visible_regions


def workspace(request: HttpRequest) -> dict[str, Any]:
    """``mijn_regios`` is looked up only when a template uses it (not on every page)."""
    user = getattr(request, "user", None)

    def regions() -> list[Any]:
        return list(visible_regions(user)) if user is not None and user.is_authenticated else []

    return {"mijn_regios": SimpleLazyObject(regions), "demo": getattr(settings, "DEKKEND_DEMO", False)}
