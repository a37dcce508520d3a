"""The authorization matrix: every URL and API operation x every role x own/other region.

Generated from the URL configuration and the API's operations: a new view or operation without an
access rule, or with a URL parameter this module has no sample value for, fails here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from dekkend.web.access import RULES
from web.conftest import DEMO_MEMBERS, REGION_IDS, ROLES

ANONYMOUS = "anoniem"
#: Who belongs to which test region (see the ``world`` fixture).
MEMBERS = {"demo": DEMO_MEMBERS, "ander": {"bestuur_ander", "beheerder", "accountmanager"}}


def walk(patterns, prefix: str = "", namespace: str = "") -> list[tuple[str, URLPattern, str]]:
    """Every URL pattern with its full route and namespace."""
    found = []
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or namespace
            found += walk(p.url_patterns, prefix + str(p.pattern), ns)
        else:
            found.append((prefix + str(p.pattern), p, namespace))
    return found


def page_patterns() -> list[tuple[str, URLPattern]]:
    """The workspace's own pages (not the API, not the admin)."""
    return [(route, p) for route, p, ns in walk(get_resolver().url_patterns) if ns == "werkruimte"]


def api_operations() -> list[tuple[str, str, object]]:
    """``(method, path, view function)`` of every API operation."""
    from dekkend.web.api import api

    found = []
    for prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for operation in view.operations:
                for method in operation.methods:
                    found.append((method, "/api" + (prefix or "") + path, operation.view_func))
    return found


def test_every_page_and_api_operation_declares_a_rule():
    missing = [route for route, p in page_patterns() if getattr(p.callback, "dekkend_rule", None) not in RULES]
    missing += [f"{m} {path}" for m, path, f in api_operations() if getattr(f, "dekkend_rule", None) not in RULES]
    assert not missing, f"views without an access rule (dekkend.web.access.rule): {missing}"
    # every URL is either a page, the API or the admin
    namespaces = {ns for _, _, ns in walk(get_resolver().url_patterns)}
    assert namespaces <= {"werkruimte", "api", "admin"}, namespaces


def test_the_api_operations_are_the_api_urls():
    routes = {route for route, _, ns in walk(get_resolver().url_patterns) if ns == "api"}
    paths = {path.replace("{", "<").replace("}", ">") for _, path, _ in api_operations()}
    assert len(routes) >= len({p.split("<")[0] for p in paths}) > 0


@pytest.fixture
def samples(world, analysed, tmp_path):
    """Sample URL values per test region: a finished report job with a file, a token of each person."""
    from django.conf import settings

    from dekkend.web.analysis import AnalysisStore
    from dekkend.web.models import ApiToken, Taak

    store = AnalysisStore(Path(settings.WERKMAP), Path(settings.WEB_MAP))
    # The matrix tests access, not content: the other region reuses the demo's analysis file.
    other = store.path(REGION_IDS["ander"])
    if not other.exists():
        other.write_text(store.path(REGION_IDS["demo"]).read_text(encoding="utf-8"), encoding="utf-8")
    jobs = {}
    for key, region in world["regions"].items():
        folder = Path(settings.WEB_MAP) / "rapporten" / f"test-{key}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "rapport.html").write_text(f"<html>{key}</html>", encoding="utf-8")
        jobs[key] = Taak.objects.create(
            soort="rapport",
            regio=region,
            status="klaar",
            voortgang=100,
            resultaat={"html": f"rapporten/test-{key}/rapport.html"},
        )
    tokens = {role: ApiToken.create_for(world["people"][role], "matrix") for role in ROLES}
    # the members pages: an open invitation, an assigned person (not the coordinator) and a board per region
    from dekkend.web.models import Uitnodiging

    invitations, assigned, boards = {}, {}, {}
    for key, region in world["regions"].items():
        invitations[key] = Uitnodiging.create_for(
            world["people"]["beheerder"], region, f"matrix-{key}@test.nl", "adviseur"
        )
        boards[key] = region.besturen.order_by("pk").first()
    # a separate invitation for the public link (the managers' matrix POSTs withdraw the ones above)
    link = Uitnodiging.create_for(
        world["people"]["beheerder"], world["regions"]["demo"], "matrix-link@test.nl", "adviseur"
    )
    world["people"]["accountmanager"].regios.add(world["regions"]["ander"])  # MEMBERS below knows this
    assigned = {"demo": world["people"]["adviseur"], "ander": world["people"]["accountmanager"]}
    from dekkend.web.bestuursdata.models import Upload

    uploads = {k: Upload.objects.create(bestuur=boards[k], soort="prognose", versie=1, bestand="-") for k in boards}
    a_map = next(name for name, kind in analysed["soorten"].items() if kind == "kaart")
    return {
        "jobs": jobs,
        "tokens": tokens,
        "query": {"kaart": {"kaart": a_map}},
        "invitations": invitations,
        "assigned": assigned,
        "boards": boards,
        "link": link[1],
        "uploads": uploads,
    }


def fill(route: str, region: str, role: str, samples: dict) -> str:
    """A concrete URL for ``route`` in ``region`` for ``role``; fails for a parameter without a sample."""
    values = {
        "regio_id": str(REGION_IDS[region]),
        "taak_id": str(samples["jobs"][region].pk),
        "token_id": str(samples["tokens"][role if role != ANONYMOUS else "bestuur"][0].pk),
        "soort": "html",
        "uitnodiging_id": str(samples["invitations"][region][0].pk),
        "sleutel": samples["link"],
        "gebruiker_id": str(samples["assigned"][region].pk),
        "bestuur_id": str(samples["boards"][region].pk),
        "upload_id": str(samples["uploads"][region].pk),
        "sjabloon": "aanmeldingen",
    }
    url = route
    while "<" in url:
        start = url.index("<")
        end = url.index(">", start)
        name = url[start + 1 : end].split(":")[-1]
        assert name in values, f"no sample value for URL parameter {name!r} in {route}: add one to fill()"
        url = url[:start] + values[name] + url[end + 1 :]
    return "/" + url.lstrip("/")


def expected_page(rule: str, role: str, region: str, url: str) -> set[int]:
    """Acceptable status codes of a GET (or the POST-only views' POST) for ``role``."""
    if rule == "publiek":
        return {200, 302, 405}
    if role == ANONYMOUS:
        return {302}  # to the login page
    if rule == "ingelogd":
        return {200, 302, 405}
    if rule == "beheerder":
        return {200} if role == "beheerder" else {302, 403, 404}
    member = role in MEMBERS[region]
    if rule == "bestuursdata":  # a board's own data: the object-level matrix is in test_bestuursdata.py
        return {200, 302, 400, 403, 404} if member else {404}
    if rule == "regiobeheer":
        manager = role == "beheerder" or (role == "regiocoordinator" and region == "demo")
        return {200, 302, 400} if manager else {403} if member else {404}
    return {200, 302} if member else {404}


@pytest.mark.parametrize("role", [ANONYMOUS, *ROLES])
def test_page_matrix(client, world, samples, role):
    if role != ANONYMOUS:
        client.force_login(world["people"][role])
    problems = []
    for route, pattern in page_patterns():
        rule = pattern.callback.dekkend_rule
        regions = ["demo", "ander"] if "<int:regio_id>" in route or "taak_id" in route else ["demo"]
        for region in regions:
            url = fill(route, region, role, samples)
            if url == "/uitloggen/":
                continue  # logging out would end this role's session for the rest of the loop
            response = client.get(url, samples["query"].get(pattern.name, {}))
            if response.status_code == 405:  # POST-only views are checked with a POST
                response = client.post(url)
            wanted = expected_page(rule, role, region, url)
            if response.status_code not in wanted:
                problems.append(f"{role} {url} ({rule}): {response.status_code}, expected {sorted(wanted)}")
            if role == ANONYMOUS and response.status_code == 302 and rule not in ("publiek",):
                assert response["Location"].startswith("/inloggen/"), url
    assert not problems, "\n".join(problems)


def test_a_token_of_another_person_cannot_be_withdrawn(client, world, samples):
    from dekkend.web.models import ApiToken

    other = samples["tokens"]["adviseur"][0]
    client.force_login(world["people"]["bestuur"])
    assert client.post(f"/profiel/tokens/{other.pk}/intrekken/").status_code == 404
    assert ApiToken.objects.filter(pk=other.pk).exists()


def expected_api(rule: str, role: str, region: str) -> set[int]:
    if role == ANONYMOUS:
        return {401}
    if rule in ("ingelogd", "publiek"):
        return {200}
    if rule == "beheerder":
        return {200} if role == "beheerder" else {403, 404}
    if rule == "bestuursdata":  # a board's own data: the object-level matrix is in test_bestuursdata.py
        return {200, 201, 204, 403, 404, 409, 422}
    return {200, 202} if role in MEMBERS[region] else {404}


@pytest.mark.parametrize("role", [ANONYMOUS, *ROLES])
def test_api_matrix(client, world, samples, role, monkeypatch):
    from dekkend.web import tasks

    monkeypatch.setattr(tasks, "start_job", lambda taak: taak)  # jobs are queued, not run, in the matrix
    headers = {} if role == ANONYMOUS else {"HTTP_AUTHORIZATION": f"Bearer {samples['tokens'][role][1]}"}
    problems = []
    for method, path, view in api_operations():
        rule = view.dekkend_rule
        route = path.replace("{", "<").replace("}", ">")
        regions = ["demo", "ander"] if "regio_id" in route or "taak_id" in route else ["demo"]
        for region in regions:
            url = fill(route, region, role, samples)
            if method == "GET":
                response = client.get(url, **headers)
            else:
                response = client.generic(method, url, "{}", content_type="application/json", **headers)
            wanted = expected_api(rule, role, region)
            if response.status_code not in wanted:
                problems.append(f"{role} {method} {url} ({rule}): {response.status_code}, expected {sorted(wanted)}")
            elif response.status_code == 404:
                assert response.json() == {"detail": "niet gevonden"}, "no hint that the object exists"
    assert not problems, "\n".join(problems)


def test_region_lists_show_only_own_regions(client, world, samples):
    for role in ROLES:
        token = samples["tokens"][role][1]
        names = {r["naam"] for r in client.get("/api/regios", HTTP_AUTHORIZATION=f"Bearer {token}").json()}
        wanted = {
            name for key, name in (("demo", "Demoregio Veenland"), ("ander", "Andere regio")) if role in MEMBERS[key]
        }
        assert names == wanted, role
