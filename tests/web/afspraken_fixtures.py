"""Shared set-up of the agreement tests: a scenario shared with the region, a second board's staff member."""

from __future__ import annotations

import pytest

from web.conftest import PASSWORD


def demo_yaml() -> str:
    """The demo region's example scenario (closing one vestiging), as a board would store it."""
    from dekkend.demo import demo_scenario_files

    return demo_scenario_files()[0].read_text(encoding="utf-8")


def make_version(world: dict, zichtbaarheid: str = "regio", author: str = "bestuur"):
    """A scenario of the demo region at ``zichtbaarheid`` with one version (rows made directly)."""
    from dekkend.web.plannen.models import Scenario, ScenarioVersie

    writer = world["people"][author]
    scenario = Scenario.objects.create(
        regio=world["regions"]["demo"],
        bestuur=writer.bestuur,
        auteur=writer,
        naam=f"Sluit Zandbrug ({zichtbaarheid})",
        zichtbaarheid=zichtbaarheid,
    )
    return ScenarioVersie.objects.create(scenario=scenario, nummer=1, yaml=demo_yaml(), door=writer)


@pytest.fixture
def afspraak_world(world: dict) -> dict:
    """``world`` plus ``bestuur2`` (staff of a second demo board) and a version shared with the region."""
    from dekkend.web.models import Gebruiker, Rol

    second = Gebruiker.objects.create_user(
        username="bestuur2@test.nl",
        email="bestuur2@test.nl",
        password=PASSWORD,
        rol=Rol.BESTUUR,
        bestuur=world["boards"][1],
    )
    world["people"]["bestuur2"] = second
    world["versie"] = make_version(world)
    return world


def payload(world: dict, **changes: object) -> dict:
    """A valid agreement for the API: the shared version, the first two demo boards."""
    body = {
        "titel": "Zandbrug sluit, leerlingen naar de stad",
        "inhoud": "Het Baken sluit de vestiging Zandbrug per 1 augustus 2026.",
        "versie": world["versie"].pk,
        "besturen": [world["boards"][0].pk, world["boards"][1].pk],
        "ingangsdatum": "2026-08-01",
    }
    body.update(changes)
    return body


def record(world: dict, **changes: object):
    """An agreement recorded (as a concept) by the coordinator through the services."""
    from django.test import RequestFactory

    from dekkend.web.afspraken import services
    from dekkend.web.afspraken.forms import AfspraakForm

    request = RequestFactory().post("/")
    request.user = world["people"]["regiocoordinator"]
    form = AfspraakForm(payload(world, **changes), user=request.user, regio=world["regions"]["demo"])
    assert form.is_valid(), form.errors
    return services.record(request, world["regions"]["demo"], form)


def as_request(user):
    from django.test import RequestFactory

    request = RequestFactory().post("/")
    request.user = user
    return request
