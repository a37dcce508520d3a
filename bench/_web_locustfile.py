"""The locust users of ``bench/web_load.py``: log in once, then browse one region's cached pages.

Not run on its own: ``web_load.py`` prepares the workspace and the accounts and passes them in the
file named by ``DEKKEND_LOAD_PLAN`` (JSON: ``regio``, ``kaarten``, ``accounts`` [{email, wachtwoord}],
``denktijd`` [min, max] seconds, ``uitvoer``: where every response time goes). Each simulated person
gets an account of their own. Every request's time is kept, so the percentiles are exact (locust's own
statistics round them into buckets).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
from pathlib import Path

from locust import between, events, task
from locust.contrib.fasthttp import FastHttpUser

PLAN = json.loads(Path(os.environ["DEKKEND_LOAD_PLAN"]).read_text(encoding="utf-8"))
_ACCOUNTS = itertools.cycle(PLAN["accounts"])
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
REGIO = int(PLAN["regio"])
PAGES = {
    "overzicht": f"/regio/{REGIO}/",
    "bereikbaarheid": f"/regio/{REGIO}/bereikbaarheid/",
    "knelpunten": f"/regio/{REGIO}/knelpunten/",
    "besturen": f"/regio/{REGIO}/besturen/",
    "advies": f"/regio/{REGIO}/advies/",
    "bronnen": f"/regio/{REGIO}/bronnen/",
}
_TIMES: list[tuple[str, float, bool, float]] = []


@events.request.add_listener
def _record(name: str, response_time: float, exception: BaseException | None, **_: object) -> None:
    """(name, milliseconds, failed, when it ended in Unix seconds) of every request."""
    _TIMES.append((name, response_time, exception is not None, time.time()))


@events.quitting.add_listener
def _write(**_: object) -> None:
    Path(PLAN["uitvoer"]).write_text(json.dumps(_TIMES), encoding="utf-8")


class Person(FastHttpUser):
    """One logged-in person reading the region's pages, with a pause between pages."""

    wait_time = between(*PLAN["denktijd"])

    def on_start(self) -> None:
        account = next(_ACCOUNTS)
        with self.client.get("/inloggen/", name="inloggen (formulier)", catch_response=True) as form:
            found = _CSRF.search(form.text or "")
            if not found:
                form.failure("geen CSRF-token in het inlogformulier")
                return
        data = {"username": account["email"], "password": account["wachtwoord"], "csrfmiddlewaretoken": found[1]}
        headers = {"Referer": f"{self.host}/inloggen/"}
        with self.client.post(
            "/inloggen/", data=data, headers=headers, name="inloggen", catch_response=True, allow_redirects=False
        ) as done:
            if done.status_code != 302:
                done.failure(f"inloggen mislukt: status {done.status_code}")

    def _page(self, name: str) -> None:
        with self.client.get(PAGES[name], name=name, catch_response=True, allow_redirects=False) as page:
            if page.status_code != 200 or 'id="figuren"' not in (page.text or ""):
                page.failure(f"status {page.status_code}, of de analyse was niet berekend")

    @task(3)
    def overzicht(self) -> None:
        self._page("overzicht")

    @task(2)
    def bereikbaarheid(self) -> None:
        self._page("bereikbaarheid")

    @task(2)
    def knelpunten(self) -> None:
        self._page("knelpunten")

    @task(1)
    def besturen(self) -> None:
        self._page("besturen")

    @task(1)
    def advies(self) -> None:
        self._page("advies")

    @task(1)
    def bronnen(self) -> None:
        self._page("bronnen")

    @task(2)
    def kaart(self) -> None:
        if PLAN["kaarten"]:
            name = random.choice(PLAN["kaarten"])
            self._json(f"/regio/{REGIO}/kaart/?kaart={name}", "kaart (JSON)")

    @task(1)
    def api(self) -> None:
        self._json(f"/api/regios/{REGIO}", "api regio")

    def _json(self, url: str, name: str) -> None:
        with self.client.get(url, name=name, catch_response=True, allow_redirects=False) as answer:
            if answer.status_code != 200 or not answer.headers.get("Content-Type", "").startswith("application/json"):
                answer.failure(f"status {answer.status_code}, geen JSON")
