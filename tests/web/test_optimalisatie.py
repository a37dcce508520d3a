"""The optimiser in the browser: the page, ``POST /api/regios/{id}/optimalisaties`` and the scenario it yields.

Jobs run at once in the test process (the ImmediateBackend of ``tests/web/conftest.py``), on the demo werkmap.
"""

from __future__ import annotations

import pytest
import yaml

from web.conftest import PASSWORD, REGION_IDS

DEMO = REGION_IDS["demo"]


def _tables():
    from django.conf import settings

    import dekkend

    return dekkend.Workspace(settings.WERKMAP).require().tables()


@pytest.fixture(scope="module")
def origin(web_werkmap) -> int:
    """The demo region's last counted school year."""
    return int(_tables()["leerlingen"]["schooljaar"].max())


def _api(client, user, body: dict, regio_id: int = DEMO):
    client.force_login(user)
    return client.post(f"/api/regios/{regio_id}/optimalisaties", body, content_type="application/json")


def _run(client, user, body: dict, capture) -> dict:
    """Start an optimisation through the API, let the job run, and return its status and outcome."""
    with capture(execute=True):
        response = _api(client, user, body)
    assert response.status_code == 202, response.content
    assert response.json()["taak"]["status"] == "wachtrij"
    found = client.get(f"/api/regios/{DEMO}/optimalisaties/{response.json()['taak']['id']}")
    assert found.status_code == 200
    return found.json()


def _library(year: int, options, settings=None):
    """The library's optimisation of the demo region, called directly (as ``dekkend optimaliseer`` does)."""
    import dekkend.optimise
    import dekkend.scenarios

    tables = _tables()
    base = dekkend.scenarios.baseline(tables, "nl", settings=settings)
    return dekkend.optimise.optimise(tables, "nl", year, options, baseline=base, settings=settings)


def test_the_api_runs_the_optimiser_and_its_scenario_is_the_librarys_and_private(
    client, world, origin, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    import dekkend.optimise
    import dekkend.scenarios
    from dekkend.regions import select_region
    from dekkend.web.models import Taak
    from dekkend.web.plannen.access import scenario_for
    from dekkend.web.plannen.models import Scenario

    user = world["people"]["bestuur"]
    year = origin + 2
    body = _run(client, user, {"jaar": year, "vast": ["99DD00"]}, capture)
    taak = Taak.objects.get(pk=body["taak"]["id"])
    assert (taak.soort, taak.status, taak.aangevraagd_door) == ("optimalisatie", "klaar", user)
    assert body["uitkomst"] == "scenario" and body["scenario"] is not None
    scenario = Scenario.objects.get(pk=body["scenario"])
    assert (scenario.herkomst, scenario.zichtbaarheid, scenario.bestuur, scenario.auteur) == (
        "optimalisatie",
        "bestuur",
        user.bestuur,
        user,
    )
    version = scenario.laatste()
    assert version.nummer == 1 and version.taak == taak and version.door == user
    assert version.data_versie and version.dekkend_versie == dekkend.__version__

    # the YAML is a scenario the library loads back and that fits the werkmap
    tables = _tables()
    parsed = dekkend.scenarios.parse_scenario(yaml.safe_load(version.yaml))
    dekkend.scenarios.validate(parsed, tables, select_region(tables, "nl"), origin)

    # the same inputs given to the library directly give the same configuration and explanations
    options = dekkend.optimise.OptimiseOptions(locked=("99DD00:alles",))
    direct = _library(year, options)
    assert direct.scenario() is not None
    assert version.yaml == direct.scenario().to_yaml()
    assert all(c.toelichting in version.toelichting for c in direct.changes)
    assert body["toelichting"] == [c.toelichting for c in direct.changes]
    assert parsed.maatregelen and not any(m.vestiging == "99DD00" for m in parsed.maatregelen)

    # private to the author's board: a colleague sees it, everyone else gets 404
    from django.http import Http404

    from dekkend.web.models import Gebruiker

    colleague = Gebruiker.objects.create_user(
        username="collega@test.nl", email="collega@test.nl", password=PASSWORD, rol="bestuur", bestuur=user.bestuur
    )
    other_board = world["boards"][1]
    assert other_board != user.bestuur
    neighbour = Gebruiker.objects.create_user(
        username="buur@test.nl", email="buur@test.nl", password=PASSWORD, rol="bestuur", bestuur=other_board
    )
    assert scenario_for(colleague, DEMO, scenario.pk) == scenario
    for person in [neighbour, *(world["people"][r] for r in world["people"] if r != "bestuur")]:
        with pytest.raises(Http404):
            scenario_for(person, DEMO, scenario.pk)
    # the job's status: a region member who may not see the scenario does not learn its number
    client.force_login(world["people"]["adviseur"])
    seen = client.get(f"/api/regios/{DEMO}/optimalisaties/{taak.pk}").json()
    assert seen["taak"]["status"] == "klaar" and seen["scenario"] is None
    client.force_login(colleague)
    assert client.get(f"/api/regios/{DEMO}/optimalisaties/{taak.pk}").json()["scenario"] == scenario.pk
    client.force_login(world["people"]["bestuur_ander"])
    assert client.get(f"/api/regios/{DEMO}/optimalisaties/{taak.pk}").status_code == 404


def test_own_norms_reach_the_library_and_are_named_in_the_settings(
    client, world, origin, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    import dekkend.norms
    import dekkend.optimise
    from dekkend.web.plannen.models import Scenario
    from dekkend.web.plannen.optimalisatie import OWN_SOURCE, settings_of

    user = world["people"]["regiocoordinator"]  # without a board: the scenario is the author's own
    body = {"jaar": origin + 1, "normafstand_km": 15, "drempels": {"havo-vwo": 100}, "toewijzing": "dichtstbij"}
    found = _run(client, user, body, capture)

    base = dekkend.norms.load_settings()
    values = {**base.values, "normafstand_km": 15.0}
    thresholds = tuple(
        {**t, "waarde": 100.0, "bron": "eigen"} if t["onderwijstype"] == "havo-vwo" else t for t in base.thresholds
    )
    own = dekkend.norms.Settings(values, base.sources, thresholds)
    ours = settings_of({"normafstand_km": 15, "drempels": {"havo-vwo": 100}})
    assert ours.values == own.values and ours.threshold("havo-vwo", "bovenbouw") == (100.0, OWN_SOURCE)
    assert ours.threshold("pro", "school") == base.threshold("pro", "school")
    options = dekkend.optimise.OptimiseOptions(assignment="dichtstbij")
    wanted = _library(origin + 1, options, own).scenario()
    default = _library(origin + 1, options).scenario()
    assert wanted is not None and default is not None and wanted.to_yaml() != default.to_yaml()
    scenario = Scenario.objects.get(pk=found["scenario"])
    assert scenario.laatste().yaml == wanted.to_yaml()
    assert (scenario.bestuur, scenario.auteur, scenario.zichtbaarheid) == (None, user, "bestuur")


def test_no_change_needed_or_no_configuration_makes_no_scenario(
    client, world, origin, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    import dekkend.optimise
    from dekkend.web.plannen.models import Scenario

    user = world["people"]["bestuur"]
    # vwo alone: the library finds nothing better than the present offer, and explains the knelpunten it leaves
    direct = _library(origin + 1, dekkend.optimise.OptimiseOptions(kinds=("vwo",)))
    assert direct.feasible and not direct.changes
    body = _run(client, user, {"jaar": origin + 1, "soorten": ["vwo"]}, capture)
    assert (body["uitkomst"], body["scenario"], body["taak"]["status"]) == ("geen-wijziging", None, "klaar")
    assert body["melding"].startswith("Geen wijziging nodig") and "geen scenario" in body["melding"]
    assert body["toelichting"] == [f"[{k.ernst}] {k.toelichting}" for k in direct.knelpunten]
    # no change allowed at all: no configuration meets the thresholds; the reasons use the form's words
    body = _run(client, user, {"jaar": origin + 1, "max_wijzigingen": 0}, capture)
    assert (body["uitkomst"], body["scenario"]) == ("onhaalbaar", None)
    assert body["toelichting"] and not any("--" in line for line in body["toelichting"])
    assert any("'hoogstens zoveel aanbiedingen stoppen'" in line for line in body["toelichting"])
    assert not Scenario.objects.exists()


def test_invalid_choices_get_dutch_messages_per_field_and_change_nothing(client, world, origin):
    from dekkend.web.models import Taak

    body = {
        "jaar": origin,
        "normafstand_km": 0,
        "vast": ["99ZZ99"],
        "soorten": ["gymnasium"],
        "drempels": {"mavo": 10, "pro": -1},
        "max_wijzigingen": -2,
    }
    response = _api(client, world["people"]["bestuur"], body)
    assert response.status_code == 422
    found = response.json()
    assert found["detail"] == "ongeldige invoer"
    errors = {e["veld"]: e["melding"] for e in found["fouten"]}
    assert errors == {
        "jaar": "Kies een schooljaar uit de prognose.",
        "normafstand_km": "De normafstand is minstens 1 km.",
        "vast": "Vestiging 99ZZ99 hoort niet bij deze regio.",
        "soorten": "gymnasium wordt in deze regio niet aangeboden.",
        "drempels.mavo": "onbekende drempel; kies uit havo-vwo, pro, vmbo-leerweg, vmbo-profiel",
        "drempels.pro": "Een drempel is 0 of meer.",
        "max_wijzigingen": "Vul 0 of meer in.",
    }
    wrong_order = _api(client, world["people"]["bestuur"], {"jaar": origin + 3, "tot_jaar": origin + 2})
    assert wrong_order.json()["fouten"] == [
        {"veld": "tot_jaar", "melding": "Dit schooljaar ligt vóór het schooljaar waarin de opstelling begint."}
    ]
    not_json = _api(client, world["people"]["bestuur"], {"toewijzing": "willekeurig"})
    assert not_json.status_code == 422
    assert not_json.json()["fouten"] == [{"veld": "toewijzing", "melding": "niet een van de toegestane waarden"}]
    assert not Taak.objects.filter(soort="optimalisatie").exists()


def test_the_page_shows_the_choices_validates_in_dutch_and_links_the_scenario(
    client, world, origin, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    from dekkend.web.models import Taak

    client.force_login(world["people"]["bestuur"])
    url = f"/regio/{DEMO}/optimaliseren/"
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'aria-current="page">Optimaliseren</a>' in html
    for code in ("99AA00", "99CC01", "99DD00"):
        assert f'value="{code}"' in html
    assert f'<option value="{origin + 1}" selected>{origin + 1}/{str(origin + 2)[-2:]}</option>' in html
    assert "Normafstand (km)" in html and "Drempel havo-vwo" in html

    bad = client.post(url, {"jaar": origin + 1, "normafstand_km": "ver", "toewijzing": "keuze"})
    assert bad.status_code == 400
    assert "Vul een getal in." in bad.content.decode()
    inline = client.post(url, {"jaar": origin + 1, "normafstand_km": 0, "toewijzing": "keuze"}, HTTP_HX_REQUEST="true")
    assert (inline.status_code, inline["HX-Retarget"]) == (200, "#optimalisatie-formulier")
    assert 'id="fout-normafstand_km">De normafstand is minstens 1 km.' in inline.content.decode()
    assert not Taak.objects.filter(soort="optimalisatie").exists()

    form = {"jaar": origin + 2, "normafstand_km": 12, "toewijzing": "keuze", "vast": ["99CC01"]}
    form |= {"drempel_vmbo_profiel": 20, "drempel_havo_vwo": 120, "drempel_vmbo_leerweg": 25, "drempel_pro": 60}
    with capture(execute=True):
        started = client.post(url, form, HTTP_HX_REQUEST="true")
    assert started.status_code == 200
    taak = Taak.objects.get(soort="optimalisatie")
    assert taak.parameters["vast"] == ["99CC01"] and taak.status == "klaar"
    first = started.content.decode()  # rendered before the job ran: it polls the job's status
    assert f'id="optimalisatie-{taak.pk}"' in first and 'hx-swap-oob="delete"' in first and "every 1s" in first
    partial = client.get(f"{url}{taak.pk}/").content.decode()
    assert "every 1s" not in partial and taak.resultaat["melding"] in partial
    if taak.resultaat["scenario"] is not None:
        from dekkend.web.plannen.optimalisatie import scenario_url

        link = scenario_url(DEMO, taak.resultaat["scenario"])
        assert (link in partial) if link else f"nummer {taak.resultaat['scenario']}" in partial
    # the list shows one's own optimisations only
    assert f'id="optimalisatie-{taak.pk}"' in client.get(url).content.decode()
    client.force_login(world["people"]["adviseur"])
    assert f'id="optimalisatie-{taak.pk}"' not in client.get(url).content.decode()


@pytest.mark.parametrize("niveau", ["bestuur", "adviseur", "regio"])
def test_an_optimisations_scenario_is_shown_exactly_to_those_who_may_see_it(client, world, niveau):
    """The job's status (API and page) names its scenario only to whoever sees the scenario at its level."""
    from dekkend.web.models import Taak
    from dekkend.web.plannen.access import audience
    from dekkend.web.plannen.models import Scenario

    author = world["people"]["bestuur"]
    regio = world["regions"]["demo"]
    scenario = Scenario.objects.create(
        regio=regio, bestuur=author.bestuur, auteur=author, naam="Optimalisatie", herkomst="optimalisatie"
    )
    scenario.zichtbaarheid = niveau
    scenario.save()
    taak = Taak.objects.create(
        soort="optimalisatie",
        regio=regio,
        aangevraagd_door=author,
        status="klaar",
        parameters={"jaar": 2026},
        resultaat={"uitkomst": "scenario", "melding": "1 wijziging gevonden.", "scenario": scenario.pk},
    )
    seers = {p.email for p in audience(scenario, niveau)}
    for role, person in world["people"].items():
        client.force_login(person)
        api = client.get(f"/api/regios/{DEMO}/optimalisaties/{taak.pk}")
        page = client.get(f"/regio/{DEMO}/optimaliseren/{taak.pk}/")
        if role in ("bestuur_ander", "buitenstaander"):  # not in the region: no hint the job exists
            assert (api.status_code, page.status_code) == (404, 404), role
            assert api.json() == {"detail": "niet gevonden"}
            continue
        sees = person.email in seers
        assert api.json()["scenario"] == (scenario.pk if sees else None), (role, niveau)
        assert ("1 wijziging gevonden." in page.content.decode()) is sees, (role, niveau)


def test_board_constraints_become_the_librarys_options(world):
    from dekkend.web.plannen.optimalisatie import keuzes, options_of

    choices = keuzes(world["regions"]["demo"])
    board = world["boards"][1].code
    own = sorted(code for code, b in choices.board_of.items() if b == board)
    assert own, "the board has vestigingen in the demo region"
    options = options_of({"besturen_vast": [board], "vast": ["99AA00"], "besturen_houden": True}, choices.board_of)
    assert options.locked == tuple(f"{c}:alles" for c in sorted({*own, "99AA00"}))
    assert options.boards_keep and options.kinds is None and options.assignment == "keuze"
    assert options_of({"soorten": ["havo"], "tot_jaar": 2030}, choices.board_of).kinds == ("havo",)
    assert options_of({"tot_jaar": 2030}, choices.board_of).until_year == 2030


def test_a_region_without_pupils_says_why_it_cannot_be_optimised(client, world):
    from dekkend.web.models import Regio, Taak

    empty = Regio.objects.create(pk=99, naam="Lege regio", soort="samenwerking", selectie="bestuur:00000")
    client.force_login(world["people"]["beheerder"])
    page = client.get(f"/regio/{empty.pk}/optimaliseren/")
    assert page.status_code == 200
    assert "Optimaliseren kan in deze regio niet:" in page.content.decode()
    answer = client.post(f"/api/regios/{empty.pk}/optimalisaties", {}, content_type="application/json")
    assert answer.status_code == 422 and answer.json()["detail"].startswith("optimaliseren kan in deze regio niet: ")
    assert not Taak.objects.filter(soort="optimalisatie").exists()
