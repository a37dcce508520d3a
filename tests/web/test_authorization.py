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
#: Who writes the knowledge base: advisers (``buitenstaander`` is an adviser without a region) and administrators.
KENNIS_EDITORS = {"adviseur", "buitenstaander", "beheerder"}
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
def samples(world, analysed, tmp_path, monkeypatch):
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
    # a finished optimisation per region (dekkend/web/plannen/optimalisatie.py)
    optimisations = {
        key: Taak.objects.create(
            soort="optimalisatie", regio=region, status="klaar", voortgang=100, parameters={"jaar": 2025}
        )
        for key, region in world["regions"].items()
    }
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
    requests, files, version = _support_samples(world, jobs)
    afspraken, afspraak_jobs = matrix_agreements(world)
    # a scenario per region, shared with the region, of the region's first board, with one version and a run
    from dekkend.web import tasks
    from dekkend.web.plannen.models import Scenario, ScenarioVersie

    monkeypatch.setattr(tasks, "start_job", lambda taak: taak)  # runs are queued, not run, in the matrix
    scenarios, runs = {}, {}
    for key, region in world["regions"].items():
        board = boards[key]
        scenarios[key] = Scenario.objects.create(
            regio=region, bestuur=board, naam=f"matrix {key}", zichtbaarheid="regio"
        )
        scenario_version = ScenarioVersie.objects.create(scenario=scenarios[key], nummer=1, yaml="naam: matrix\n")
        runs[key] = Taak.objects.create(soort="scenario", regio=region, parameters={"versie": scenario_version.pk})
    return {
        "requests": requests,
        "files": files,
        "version": version,
        "afspraken": afspraken,
        "afspraak_jobs": afspraak_jobs,
        "jobs": jobs,
        "tokens": tokens,
        "query": {"kaart": {"kaart": a_map}},
        "invitations": invitations,
        "assigned": assigned,
        "boards": boards,
        "link": link[1],
        "optimisations": optimisations,
        "scenarios": scenarios,
        "runs": runs,
        "uploads": uploads,
    }


def _support_samples(world, jobs):
    """A support request per region (demo: the demo board to the adviser; ander: the other board to OCW) with a
    file, and a knowledge base version (hulpvragen app; its object-level matrix is in test_hulpvragen.py)."""
    from django.core.files.base import ContentFile

    from dekkend.web.hulpvragen.models import Bijlage, Hulpvraag, KennisVersie

    requests, files = {}, {}
    for key, board, kind, handler in (
        ("demo", "bestuur", "adviseur", "adviseur"),
        ("ander", "bestuur_ander", "ocw", "accountmanager"),
    ):
        person = world["people"][board]
        requests[key] = Hulpvraag.objects.create(
            regio=world["regions"][key],
            bestuur=person.bestuur,
            aanvrager=person,
            soort=kind,
            onderwerp="matrix",
            tekst="matrix",
            behandelaar=world["people"][handler],
            rapport=jobs[key],
        )
        files[key] = Bijlage(hulpvraag=requests[key], naam="a.csv", soort="csv", grootte=4)
        files[key].bestand.save("a.csv", ContentFile(b"a;b\n"), save=True)
    version = KennisVersie.objects.create(artikel="matrix", nummer=1, tekst="---", titel="matrix", soort="handreiking")
    return requests, files, version


def matrix_agreements(world: dict) -> tuple[dict, dict]:
    """Per test region: an agreement put up for confirmation to the region's first board, and a finished annex job."""
    from django.conf import settings

    from dekkend.web.afspraken.models import Afspraak
    from dekkend.web.models import Taak
    from dekkend.web.plannen.models import Scenario, ScenarioVersie

    agreements, jobs = {}, {}
    for key, region in world["regions"].items():
        board = region.besturen.order_by("code").first()
        scenario = Scenario.objects.create(regio=region, bestuur=board, naam=f"matrix {key}", zichtbaarheid="regio")
        version = ScenarioVersie.objects.create(scenario=scenario, nummer=1, yaml="naam: x")
        agreements[key] = Afspraak.objects.create(
            regio=region,
            titel=f"matrix {key}",
            inhoud="x",
            versie=version,
            ingangsdatum="2026-08-01",
            herzieningsdatum="2031-08-01",
            status="ter_instemming",
            ronde=1,
            data_versie="x",
            dekkend_versie="x",
        )
        agreements[key].besturen.set([board])
        folder = Path(settings.WEB_MAP) / "afspraken" / f"test-{key}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "bijlage.html").write_text(f"<html>{key}</html>", encoding="utf-8")
        jobs[key] = Taak.objects.create(
            soort="afspraak",
            regio=region,
            status="klaar",
            voortgang=100,
            parameters={"afspraak": agreements[key].pk},
            resultaat={"html": f"afspraken/test-{key}/bijlage.html"},
        )
    return agreements, jobs


def fill(route: str, region: str, role: str, samples: dict) -> str:
    """A concrete URL for ``route`` in ``region`` for ``role``; fails for a parameter without a sample."""
    values = {
        "regio_id": str(REGION_IDS[region]),
        "taak_id": str(samples["afspraak_jobs" if "afspraken" in route else "jobs"][region].pk),
        "afspraak_id": str(samples["afspraken"][region].pk),
        "token_id": str(samples["tokens"][role if role != ANONYMOUS else "bestuur"][0].pk),
        "soort": "html",
        "uitnodiging_id": str(samples["invitations"][region][0].pk),
        "sleutel": samples["link"],
        "gebruiker_id": str(samples["assigned"][region].pk),
        "bestuur_id": str(samples["boards"][region].pk),
        "optimalisatie_id": str(samples["optimisations"][region].pk),
        "hulpvraag_id": str(samples["requests"][region].pk),
        "bijlage_id": str(samples["files"][region].pk),
        "versie_id": str(samples["version"].pk),
        "artikel": "collegiale-bestuurlijke-visitatie",
        "scenario_id": str(samples["scenarios"][region].pk),
        "nummer": "1",
        "run_id": str(samples["runs"][region].pk),
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
    if rule == "hulpvraag":  # object level: tests/web/test_hulpvragen.py
        return {200, 302, 400, 403, 404} if member else {404}
    if rule == "kennisbeheer":
        return {200, 302, 400} if role in KENNIS_EDITORS else {403}
    if rule == "afspraak":  # answering an agreement: the named board's staff (bestuur / bestuur_ander)
        return ({200, 302, 400} if role.startswith("bestuur") else {403}) if member else {404}
    if rule == "bestuursdata":  # a board's own data: the object-level matrix is in test_bestuursdata.py
        return {200, 302, 400, 403, 404} if member else {404}
    if rule == "regiobeheer":
        manager = role == "beheerder" or (role == "regiocoordinator" and region == "demo")
        return {200, 302, 400} if manager else {403} if member else {404}
    if rule == "scenario":  # changing a visible scenario needs its board (403); an empty form is refused (400)
        return {200, 302, 400, 403} if member else {404}
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
    member = role in MEMBERS[region]
    if rule == "hulpvraag":  # object level: tests/web/test_hulpvragen.py; 422: the empty body, checked first
        return {200, 201, 403, 404, 422} if member else {404, 422}
    if rule == "regiobeheer":  # the matrix sends an empty body: invalid input for those who may
        manager = role == "beheerder" or (role == "regiocoordinator" and region == "demo")
        return {200, 201, 202, 422} if manager else {403} if member else {404}
    if rule == "afspraak":
        return ({200, 409, 422} if role.startswith("bestuur") else {403}) if member else {404}
    if rule == "bestuursdata":  # a board's own data: the object-level matrix is in test_bestuursdata.py
        return {200, 201, 204, 403, 404, 409, 422}  # also routes without a region (own uploads, templates)
    if rule == "scenario":  # 403: visible but not theirs to change; 409: not computed yet; 422: the empty body
        return {200, 202, 403, 409, 422} if member else {404}
    return {200, 202, 422} if member else {404}  # 422: an operation that needs a body got "{}"


@pytest.mark.parametrize("role", [ANONYMOUS, *ROLES])
def test_api_matrix(client, world, samples, role, monkeypatch):
    from dekkend.web import tasks

    monkeypatch.setattr(tasks, "start_job", lambda taak: taak)  # jobs are queued, not run, in the matrix
    headers = {} if role == ANONYMOUS else {"HTTP_AUTHORIZATION": f"Bearer {samples['tokens'][role][1]}"}
    problems = []
    for method, path, view in api_operations():
        rule = view.dekkend_rule
        route = path.replace("{", "<").replace("}", ">")
        keys = ("regio_id", "taak_id", "hulpvraag_id", "afspraak_id", "scenario_id")
        regions = ["demo", "ander"] if any(k in route for k in keys) else ["demo"]
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
