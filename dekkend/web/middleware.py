"""Middleware of the workspace: an idle session expiry that does not write the session on every request."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest, HttpResponse

#: Session key holding when the session's expiry was last moved forward (Unix seconds).
REFRESHED = "_dekkend_vernieuwd"
#: At most this often a logged-in session is written to move its expiry forward (dekkend's own choice:
#: sessions then end between 8 hours minus 5 minutes and 8 hours after the last request).
REFRESH_SECONDS = 5 * 60


class RefreshSession:
    """Keep a session alive while it is used, writing it at most every :data:`REFRESH_SECONDS`.

    Django's ``SESSION_SAVE_EVERY_REQUEST`` writes the session row on every request: a database write
    (on SQLite one writer at a time across all server processes) for every page. Instead this marks the
    session changed only when its expiry was last moved more than five minutes ago; Django's session
    middleware then saves it with a new expiry of ``SESSION_COOKIE_AGE``. Only sessions of a logged-in
    person are refreshed (not an anonymous one, nor a cookie whose session has ended), so no session is
    ever created here.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.session_key and SESSION_KEY in session:
            now = int(time.time())
            if now - int(session.get(REFRESHED, 0)) >= REFRESH_SECONDS:
                session[REFRESHED] = now
        return response


#: The largest request body the workspace accepts (dekkend's own choice: the largest upload, 10 MB for an
#: attachment, several at once, plus the form). Larger requests are refused before Django reads them.
MAX_REQUEST_BYTES = 30 * 1024 * 1024


class LimitRequestSize:
    """Refuse a request whose declared body is larger than :data:`MAX_REQUEST_BYTES` (413, in Dutch)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > MAX_REQUEST_BYTES:
            return HttpResponse(
                f"Dit verzoek is te groot ({declared // (1024 * 1024)} MB); de werkruimte neemt hoogstens "
                f"{MAX_REQUEST_BYTES // (1024 * 1024)} MB per keer aan.",
                status=413,
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)
