"""Security settings: the Content Security Policy on every page, a sandbox for downloaded reports, check --deploy."""

from __future__ import annotations

import os
import subprocess
import sys

from web.conftest import REGION_IDS


def _directives(header: str) -> dict[str, list[str]]:
    found = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            found[words[0]] = words[1:]
    return found


def test_every_page_has_a_policy_without_inline_scripts(client, world, analysed):
    client.force_login(world["people"]["bestuur"])
    regio = REGION_IDS["demo"]
    for url in ["/inloggen/", "/", "/profiel/", f"/regio/{regio}/", f"/regio/{regio}/knelpunten/", "/api/openapi.json"]:
        response = client.get(url)
        assert response.status_code in (200, 302), url
        policy = _directives(response["Content-Security-Policy"])
        assert policy["script-src"] == ["'self'"], url  # no 'unsafe-inline', no 'unsafe-eval', no other host
        assert policy["default-src"] == ["'self'"] and policy["object-src"] == ["'none'"], url
        assert policy["frame-ancestors"] == ["'none'"] and policy["form-action"] == ["'self'"], url
        assert response["X-Frame-Options"] == "DENY" and response["X-Content-Type-Options"] == "nosniff", url


def test_a_downloaded_report_runs_in_a_sandbox_without_network(client, world, tmp_path):
    from pathlib import Path

    from django.conf import settings

    from dekkend.web.models import Taak

    folder = Path(settings.WEB_MAP) / "rapporten" / "sandbox-test"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "rapport.html").write_text("<script>alert(1)</script>", encoding="utf-8")
    taak = Taak.objects.create(
        soort="rapport",
        regio=world["regions"]["demo"],
        status="klaar",
        resultaat={"html": "rapporten/sandbox-test/rapport.html"},
    )
    client.force_login(world["people"]["bestuur"])
    response = client.get(f"/regio/{REGION_IDS['demo']}/rapport/{taak.pk}/html/")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    policy = _directives(response["Content-Security-Policy"])
    assert policy["sandbox"] == ["allow-scripts"]  # an opaque origin: no cookies, no same-origin requests
    assert policy["connect-src"] == ["'none'"] and policy["default-src"] == ["'none'"]


def test_the_production_settings_pass_djangos_deployment_checks(tmp_path):
    env = {
        **os.environ,
        "DEKKEND_WEB_HTTPS": "1",
        "DEKKEND_WEB_HOSTS": "werkruimte.example.nl",
        "DEKKEND_WEB_MAP": str(tmp_path / "web"),
        "DEKKEND_SECRET_KEY": "",
    }
    for test_only in ("DEKKEND_WEB_DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL"):
        env.pop(test_only, None)
    done = subprocess.run(
        [sys.executable, "-m", "dekkend.web", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout + done.stderr


def test_refusals_are_explained_in_dutch(client, world):
    from django.test import Client

    coordinator_only = f"/regio/{REGION_IDS['demo']}/leden/uitnodigen/"
    client.force_login(world["people"]["bestuur"])  # a member of the region, not its coordinator
    response = client.post(coordinator_only, {"email": "x@test.nl", "rol": "adviseur"})
    assert response.status_code == 403
    assert "Geen toestemming" in response.content.decode() and "regiocoördinator" in response.content.decode()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world["people"]["regiocoordinator"])
    response = strict.post(coordinator_only, {"email": "x@test.nl", "rol": "adviseur"})
    assert response.status_code == 403 and "Formulier verlopen" in response.content.decode()


def test_an_oversized_request_is_refused_before_it_is_read(client, world):
    from dekkend.web.middleware import MAX_REQUEST_BYTES

    client.force_login(world["people"]["bestuur"])
    response = client.generic(
        "POST", "/api/regios", b"x", content_type="application/json", CONTENT_LENGTH=str(MAX_REQUEST_BYTES + 1)
    )
    assert response.status_code == 413 and "te groot" in response.content.decode()
    assert client.get("/profiel/").status_code == 200  # normal requests are untouched
