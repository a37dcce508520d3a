"""The locust users of ``bench/web_load.py``: log in once, browse one region, run scenarios and comment.

Not run on its own: ``web_load.py`` prepares the workspace and the accounts and passes them in the
file named by ``DEKKEND_LOAD_PLAN`` (JSON: ``regio``, ``kaarten``, ``accounts`` [{email, wachtwoord,
token}], ``denktijd`` [min, max] seconds, ``scenario_interval`` seconds between two scenario runs of one
person, ``scenario_wacht`` seconds a run may take, ``uitvoer``: where every response time goes). Each
simulated person gets an account of their own. Every request's time is kept, so the percentiles are
exact (locust's own statistics round them into buckets).

A scenario run is what a person does in the browser, through the API with their own token: make a small
scenario for the region (close one demo school from a year drawn at random), ask for its run, poll the job
until it is done, read the result (API and page) and comment on it through the page's form. The first run
of person *i* of *n* starts *i/n* of an interval after their login, so the runs are spread evenly and the
task worker is not flooded at once.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
from pathlib import Path

import gevent  # type: ignore[import-untyped]
from locust import between, events, task
from locust.contrib.fasthttp import FastHttpUser

PLAN = json.loads(Path(os.environ["DEKKEND_LOAD_PLAN"]).read_text(encoding="utf-8"))
_ACCOUNTS = itertools.cycle(PLAN["accounts"])
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_ORDER = itertools.count()
REGIO = int(PLAN["regio"])
INTERVAL = float(PLAN["scenario_interval"])
RUN_WAIT = float(PLAN["scenario_wacht"])
SCENARIO = "naam: {naam}\nmaatregelen:\n  - {{soort: sluit-vestiging, vestiging: {vestiging}, vanaf: {jaar}}}\n"
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
        self.name = account["email"].split("@")[0]
        self.auth = {"Authorization": f"Bearer {account['token']}"}
        self.scenarios: list[int] = []
        self.runs = 0
        self.next_run = time.monotonic() + INTERVAL * next(_ORDER) / len(PLAN["accounts"])
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

    # ---------------------------------------------------------------- scenarios and comments

    @task(2)
    def scenario(self) -> None:
        """Make a scenario, run it, wait for its result and read it (at most once per interval per person)."""
        if time.monotonic() < self.next_run:
            self._page("overzicht")
            return
        self.next_run += INTERVAL
        self.runs += 1
        naam = f"Belasting {self.name} {self.runs}"
        text = SCENARIO.format(naam=naam, vestiging=PLAN["vestiging"], jaar=random.randint(2026, 2030))
        made = self._api_post(f"/api/regios/{REGIO}/scenarios", {"naam": naam, "yaml": text}, 201, "api scenario maken")
        if made is None:
            return
        job = self._api_post(f"/api/scenarios/{made['id']}/doorrekenen", {}, 202, "api doorrekenen")
        if job is None:
            return
        if self._wait_for(int(job["id"])):
            self.scenarios.append(int(made["id"]))
            with self.client.get(
                f"/api/scenarios/{made['id']}", headers=self.auth, name="api scenario", catch_response=True
            ) as answer:
                if answer.status_code != 200 or not (answer.json() or {}).get("doorgerekend"):
                    answer.failure(f"status {answer.status_code}, of het scenario is niet doorgerekend")
            self._comment(int(made["id"]))

    @task(1)
    def opmerking(self) -> None:
        """Comment on one of one's own scenarios (every finished run also gets one comment right away)."""
        if not self.scenarios:
            self._page("bronnen")
            return
        self._comment(random.choice(self.scenarios))

    def _comment(self, sid: int) -> None:
        """The scenario's page, then a comment through its form (session and CSRF token)."""
        token = self._scenario_page(sid)
        if token is None:
            return
        url = f"/regio/{REGIO}/scenarios/{sid}/opmerkingen/"
        data = {"tekst": f"Opmerking van {self.name}: kijk ook naar het vervoer.", "csrfmiddlewaretoken": token}
        with self.client.post(
            url,
            data=data,
            headers={"Referer": f"{self.host}/regio/{REGIO}/scenarios/{sid}/"},
            name="opmerking plaatsen",
            catch_response=True,
            allow_redirects=False,
        ) as answer:
            if answer.status_code != 302:
                answer.failure(f"opmerking niet geplaatst: status {answer.status_code}")

    def _scenario_page(self, sid: int) -> str | None:
        """The scenario's page; returns its form's CSRF token."""
        url = f"/regio/{REGIO}/scenarios/{sid}/"
        with self.client.get(url, name="scenario (pagina)", catch_response=True, allow_redirects=False) as page:
            found = _CSRF.search(page.text or "") if page.status_code == 200 else None
            if found is None:
                page.failure(f"status {page.status_code}, of geen formulier op de scenariopagina")
                return None
            return found[1]

    def _api_post(self, url: str, body: dict, expected: int, name: str) -> dict | None:
        with self.client.post(url, json=body, headers=self.auth, name=name, catch_response=True) as answer:
            if answer.status_code != expected:
                answer.failure(f"status {answer.status_code}: {(answer.text or '')[:200]}")
                return None
            return dict(answer.json())

    def _wait_for(self, taak: int) -> bool:
        """Poll the job once a second until it is done; its whole wait is recorded as one pseudo-request."""
        begin = time.monotonic()
        status = "?"
        while time.monotonic() - begin < RUN_WAIT:
            gevent.sleep(1.0)
            with self.client.get(f"/api/taken/{taak}", headers=self.auth, name="api taak", catch_response=True) as a:
                if a.status_code != 200:
                    a.failure(f"status {a.status_code}")
                    return False
                status = str((a.json() or {}).get("status"))
            if status in ("klaar", "mislukt"):
                break
        failed = None if status == "klaar" else RuntimeError(f"taak {taak}: {status} na {RUN_WAIT:.0f} s")
        self.environment.events.request.fire(
            request_type="TAAK",
            name="scenario doorgerekend (wachttijd)",
            response_time=1000 * (time.monotonic() - begin),
            response_length=0,
            exception=failed,
            context={},
        )
        return failed is None
