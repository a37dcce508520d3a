"""What a regional coordinator does in the browser: the members page, invitations, assignments, board names.

Each action is checked per role (member, coordinator, other board's staff, outsider, anonymous) and for
the own and the other region; refused and malformed requests must change nothing.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from web.conftest import DEMO_MEMBERS, REGION_IDS, ROLES

DEMO = REGION_IDS["demo"]
OTHER = REGION_IDS["ander"]
GOOD_PASSWORD = "Regio-Veenland-samen-2026"


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    """A fast password hasher for these tests (the installation's Argon2 settings are not what they test)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _client(world: dict, role: str | None) -> Client:
    client = Client()
    if role is not None:
        client.force_login(world["people"][role])
    return client


def _link_key(page: str) -> str:
    found = re.search(r'value="https?://[^"]*/uitnodiging/([^"/]+)/"', page)
    assert found, "the new invitation's link is shown"
    return found.group(1)


def _invite(client: Client, regio_id: int = DEMO, **data: str) -> tuple[int, str]:
    response = client.post(f"/regio/{regio_id}/leden/uitnodigen/", data)
    return response.status_code, response.content.decode()


def _state() -> tuple:
    """Everything the coordinator's actions can change (to show that a refused request changed nothing)."""
    from dekkend.web.models import Bestuur, Gebruiker, Uitnodiging

    return (
        sorted(Uitnodiging.objects.values_list("pk", "email", "gebruikt", "ingetrokken")),
        sorted(Gebruiker.objects.values_list("pk", "email", "is_active")),
        sorted(Gebruiker.regios.through.objects.values_list("gebruiker_id", "regio_id")),
        sorted(Bestuur.objects.values_list("pk", "weergavenaam")),
    )


# --- the members page ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [*ROLES, None])
def test_members_page_per_role_in_the_demo_region(world, role):
    response = _client(world, role).get(f"/regio/{DEMO}/leden/")
    if role is None:
        assert response.status_code == 302 and response.url.startswith("/inloggen/")
        return
    if role not in DEMO_MEMBERS:
        assert response.status_code == 404
        return
    page = response.content.decode()
    assert response.status_code == 200
    assert "Wie hoort bij deze regio" in page
    # members see who belongs: the board's staff under their board, the assigned people with their role
    assert "bestuur@test.nl" in page and "adviseur@test.nl" in page and "accountmanager@test.nl" in page
    assert "bestuur_ander@test.nl" not in page and "buitenstaander@test.nl" not in page
    manages = role in ("regiocoordinator", "beheerder")
    assert ("Iemand uitnodigen" in page) == manages
    assert ("Naam opslaan" in page) == manages
    assert ("Uit de regio verwijderen" in page) == manages
    assert 'aria-current="page">Leden' in page


@pytest.mark.parametrize(
    ("role", "expected"),
    [("bestuur_ander", 200), ("beheerder", 200), ("regiocoordinator", 404), ("bestuur", 404), ("adviseur", 404)],
)
def test_members_page_of_the_other_region(world, role, expected):
    response = _client(world, role).get(f"/regio/{OTHER}/leden/")
    assert response.status_code == expected
    if expected == 200:
        assert ("Iemand uitnodigen" in response.content.decode()) == (role == "beheerder")


# --- who may manage -------------------------------------------------------------------------------------------


def _actions(world: dict, regio_id: int) -> list[tuple[str, dict]]:
    """One POST per managing action on region ``regio_id`` with valid data (each would change something)."""
    from dekkend.web.models import Uitnodiging

    region = world["regions"]["demo" if regio_id == DEMO else "ander"]
    board = region.besturen.order_by("pk").first()
    invitation, _ = Uitnodiging.create_for(world["people"]["beheerder"], region, "open@test.nl", "adviseur")
    assigned = world["people"]["accountmanager"]
    assigned.regios.add(region)
    return [
        (f"/regio/{regio_id}/leden/uitnodigen/", {"email": "nieuw@test.nl", "rol": "adviseur"}),
        (f"/regio/{regio_id}/leden/besturen/{board.pk}/naam/", {f"b{board.pk}-weergavenaam": "Stichting Nieuw"}),
        (f"/regio/{regio_id}/leden/uitnodigingen/{invitation.pk}/intrekken/", {}),
        (f"/regio/{regio_id}/leden/{assigned.pk}/verwijderen/", {}),
    ]


@pytest.mark.parametrize(
    ("role", "regio_id", "expected"),
    [
        ("bestuur", DEMO, 403),
        ("adviseur", DEMO, 403),
        ("accountmanager", DEMO, 403),
        ("bestuur_ander", DEMO, 404),
        ("buitenstaander", DEMO, 404),
        ("regiocoordinator", OTHER, 404),
        ("bestuur_ander", OTHER, 403),
        ("bestuur", OTHER, 404),
        (None, DEMO, 302),
    ],
)
def test_managing_is_refused_and_changes_nothing(world, role, regio_id, expected):
    client = _client(world, role)
    for url, data in _actions(world, regio_id):
        before = _state()
        response = client.post(url, data)
        assert response.status_code == expected, url
        if expected == 302:
            assert response.url.startswith("/inloggen/")
        assert _state() == before, f"{url} changed something for {role}"


@pytest.mark.parametrize(("role", "regio_id"), [("regiocoordinator", DEMO), ("beheerder", DEMO), ("beheerder", OTHER)])
def test_coordinator_and_administrator_may_manage(world, role, regio_id):
    client = _client(world, role)
    for url, data in _actions(world, regio_id):
        before = _state()
        response = client.post(url, data)
        assert response.status_code in (200, 302), url
        assert _state() != before, f"{url} changed nothing for {role}"


def test_managing_needs_post_and_csrf(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["people"]["regiocoordinator"])
    actions = _actions(world, DEMO)
    before = _state()
    for url, data in actions:
        assert client.post(url, data).status_code == 403, url
        assert client.get(url).status_code == 405, url
    assert _state() == before


# --- invitations ----------------------------------------------------------------------------------------------


def test_invitation_as_adviser_end_to_end(world):
    from dekkend.web.access import visible_regions
    from dekkend.web.models import AuditRegel, Gebruiker, Uitnodiging

    coordinator = _client(world, "regiocoordinator")
    status, page = _invite(coordinator, email="Nieuwe.Adviseur@VO-raad.nl", rol="adviseur")
    assert status == 200
    assert "verstuurt nog geen e-mail" in page
    key = _link_key(page)
    invitation = Uitnodiging.objects.get()
    assert invitation.email == "Nieuwe.Adviseur@vo-raad.nl"  # the domain in lower case, as Django normalises it
    assert key not in invitation.sleutel_hash and len(invitation.sleutel_hash) == 64
    assert invitation.uitgenodigd_door == world["people"]["regiocoordinator"]
    assert timedelta(days=6, hours=23) < invitation.verloopt - invitation.aangemaakt <= timedelta(days=7)
    assert AuditRegel.objects.filter(actie="uitnodiging gemaakt", object=invitation.email).exists()
    # the open invitation is listed, but its link is not shown again
    listing = coordinator.get(f"/regio/{DEMO}/leden/").content.decode()
    assert invitation.email in listing and key not in listing

    guest = Client()
    form = guest.get(f"/uitnodiging/{key}/")
    assert form.status_code == 200 and "Demoregio Veenland" in form.content.decode()
    assert "no-cache" in form["Cache-Control"] or "max-age=0" in form["Cache-Control"]
    data = {"voornaam": "Noor", "achternaam": "de Vries", "wachtwoord": GOOD_PASSWORD, "wachtwoord2": GOOD_PASSWORD}
    response = guest.post(f"/uitnodiging/{key}/", data)
    assert response.status_code == 302 and response.url == f"/regio/{DEMO}/"
    person = Gebruiker.objects.get(email=invitation.email)
    assert (person.rol, person.bestuur, person.get_full_name()) == ("adviseur", None, "Noor de Vries")
    assert person.check_password(GOOD_PASSWORD)
    assert list(visible_regions(person)) == [world["regions"]["demo"]]
    assert int(guest.session["_auth_user_id"]) == person.pk
    invitation.refresh_from_db()
    assert invitation.gebruikt is not None and invitation.gebruikt_door == person
    assert AuditRegel.objects.filter(actie="uitnodiging gebruikt", gebruiker=person).exists()
    # single use
    again = Client().get(f"/uitnodiging/{key}/")
    assert again.status_code == 410 and "al gebruikt" in again.content.decode()
    assert Client().post(f"/uitnodiging/{key}/", data).status_code == 410
    assert Gebruiker.objects.filter(email__iexact=invitation.email).count() == 1


def test_invitation_for_board_staff(world):
    from dekkend.web.access import visible_regions
    from dekkend.web.models import Gebruiker

    board = world["boards"][1]
    status, page = _invite(
        _client(world, "regiocoordinator"), email="medewerker@bestuur.nl", rol="bestuur", bestuur=str(board.pk)
    )
    assert status == 200
    data = {"voornaam": "Sam", "achternaam": "Bakker", "wachtwoord": GOOD_PASSWORD, "wachtwoord2": GOOD_PASSWORD}
    assert Client().post(f"/uitnodiging/{_link_key(page)}/", data).status_code == 302
    person = Gebruiker.objects.get(email="medewerker@bestuur.nl")
    assert person.rol == "bestuur" and person.bestuur == board and not person.regios.exists()
    assert world["regions"]["demo"] in visible_regions(person)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"email": "", "rol": "adviseur"}, "email", "Vul het e-mailadres in"),
        ({"email": "geen-adres", "rol": "adviseur"}, "email", "geen geldig e-mailadres"),
        ({"email": "a@test.nl", "rol": "beheerder"}, "rol", "Kies een van de rollen"),
        ({"email": "a@test.nl", "rol": "koning"}, "rol", "Kies een van de rollen"),
        ({"email": "a@test.nl", "rol": "bestuur"}, "bestuur", "Kies het bestuur waar deze persoon werkt"),
        ({"email": "a@test.nl", "rol": "bestuur", "bestuur": "OTHER"}, "bestuur", "Kies een bestuur van deze regio"),
        ({"email": "a@test.nl", "rol": "bestuur", "bestuur": "999999"}, "bestuur", "Kies een bestuur van deze regio"),
        ({"email": "a@test.nl", "rol": "adviseur", "bestuur": "DEMO"}, "bestuur", "Alleen iemand met de rol bestuur"),
        ({"email": "ADVISEUR@test.nl", "rol": "adviseur"}, "email", "Er is al een account met dit e-mailadres"),
    ],
)
def test_bad_invitations_are_refused_per_field(world, data, field, message):
    other_board, demo_board = world["boards"][-1], world["boards"][0]
    data = {k: {"OTHER": str(other_board.pk), "DEMO": str(demo_board.pk)}.get(v, v) for k, v in data.items()}
    before = _state()
    status, page = _invite(_client(world, "regiocoordinator"), **data)
    assert status == 400
    assert message in page
    assert f'name="{field}"' in page.split(message)[0], "the message follows its field"
    assert _state() == before


def test_a_second_open_invitation_for_one_address_is_refused(world):
    client = _client(world, "regiocoordinator")
    assert _invite(client, email="dubbel@test.nl", rol="accountmanager")[0] == 200
    status, page = _invite(client, email="DUBBEL@test.nl", rol="accountmanager")
    assert status == 400 and "al een open uitnodiging" in page


def _open_invitation(world: dict, email: str = "gast@test.nl", rol: str = "adviseur"):
    from dekkend.web.models import Uitnodiging

    return Uitnodiging.create_for(world["people"]["regiocoordinator"], world["regions"]["demo"], email, rol)


def test_expired_invitation_is_refused(world):
    from dekkend.web.models import Gebruiker

    invitation, key = _open_invitation(world)
    invitation.verloopt = timezone.now() - timedelta(seconds=1)
    invitation.save()
    page = Client().get(f"/uitnodiging/{key}/")
    assert page.status_code == 410 and "verlopen" in page.content.decode()
    data = {"voornaam": "A", "achternaam": "B", "wachtwoord": GOOD_PASSWORD, "wachtwoord2": GOOD_PASSWORD}
    assert Client().post(f"/uitnodiging/{key}/", data).status_code == 410
    assert not Gebruiker.objects.filter(email="gast@test.nl").exists()


def test_unknown_link_gets_a_dutch_404(world):
    for key in ("nu_bestaat-niet", "iets-anders", "dk_" + "x" * 40):
        page = Client().get(f"/uitnodiging/{key}/")
        assert page.status_code == 404 and "bestaat niet" in page.content.decode()


def test_an_account_made_meanwhile_gets_a_clear_message(world):
    from dekkend.web.models import Gebruiker

    invitation, key = _open_invitation(world)
    Gebruiker.objects.create_user(username="gast", email="Gast@test.nl", password=GOOD_PASSWORD)
    page = Client().get(f"/uitnodiging/{key}/")
    assert page.status_code == 409 and "al een account met dit e-mailadres" in page.content.decode()
    invitation.refresh_from_db()
    assert invitation.gebruikt is None


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"voornaam": "", "wachtwoord": GOOD_PASSWORD}, "voornaam", "Vul uw voornaam in."),
        ({"achternaam": "   "}, "achternaam", "Vul uw achternaam in."),
        ({"wachtwoord": "kort", "wachtwoord2": "kort"}, "wachtwoord", "te kort: gebruik minstens 12 tekens"),
        ({"wachtwoord": "123456789012345", "wachtwoord2": "123456789012345"}, "wachtwoord", "alleen uit cijfers"),
        ({"wachtwoord": "password1234", "wachtwoord2": "password1234"}, "wachtwoord", "te vaak gebruikt"),
        ({"wachtwoord": "gast@test.nl!", "wachtwoord2": "gast@test.nl!"}, "wachtwoord", "te veel op uw e-mailadres"),
        ({"wachtwoord2": GOOD_PASSWORD + "x"}, "wachtwoord2", "niet gelijk"),
        ({"wachtwoord2": ""}, "wachtwoord2", "Vul het wachtwoord nogmaals in."),
    ],
)
def test_bad_acceptance_is_refused_per_field_and_changes_nothing(world, data, field, message):
    invitation, key = _open_invitation(world)
    full = {"voornaam": "Gast", "achternaam": "Jansen", "wachtwoord": GOOD_PASSWORD, "wachtwoord2": GOOD_PASSWORD}
    full.update(data)
    before = _state()
    guest = Client()
    response = guest.post(f"/uitnodiging/{key}/", full)
    page = response.content.decode()
    assert response.status_code == 400
    assert message in page
    assert f'name="{field}"' in page.split(message)[0]
    assert _state() == before
    assert "_auth_user_id" not in guest.session


def test_an_empty_post_of_the_invitation_form_gets_messages_and_makes_nothing(world):
    _, key = _open_invitation(world)
    before = _state()
    response = Client().post(f"/uitnodiging/{key}/", {})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Vul uw voornaam in." in page and "Kies een wachtwoord." in page
    assert _state() == before


def test_empty_posts_of_the_coordinators_forms_change_nothing(world):
    client = _client(world, "regiocoordinator")
    board = world["boards"][0]
    before = _state()
    status, page = _invite(client)
    assert status == 400 and "Vul het e-mailadres in" in page and "Kies de rol van de persoon." in page
    # an empty name form means "no display name": for a board without one that changes nothing
    assert client.post(f"/regio/{DEMO}/leden/besturen/{board.pk}/naam/", {}).status_code == 302
    assert _state() == before


# --- withdrawing and removing -------------------------------------------------------------------------------


def test_withdrawn_invitation_stops_working(world):
    from dekkend.web.models import AuditRegel

    invitation, key = _open_invitation(world)
    client = _client(world, "regiocoordinator")
    response = client.post(f"/regio/{DEMO}/leden/uitnodigingen/{invitation.pk}/intrekken/")
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status() == "ingetrokken"
    assert AuditRegel.objects.filter(actie="uitnodiging ingetrokken", object="gast@test.nl").exists()
    page = Client().get(f"/uitnodiging/{key}/")
    assert page.status_code == 410 and "ingetrokken" in page.content.decode()
    # withdrawing twice says so and changes nothing
    before = _state()
    again = client.post(f"/regio/{DEMO}/leden/uitnodigingen/{invitation.pk}/intrekken/", follow=True)
    assert "niet meer open" in again.content.decode()
    assert _state() == before


def test_an_invitation_of_another_region_cannot_be_withdrawn_through_ones_own(world):
    from dekkend.web.models import Uitnodiging

    foreign, _ = Uitnodiging.create_for(
        world["people"]["beheerder"], world["regions"]["ander"], "elders@test.nl", "adviseur"
    )
    before = _state()
    response = _client(world, "regiocoordinator").post(f"/regio/{DEMO}/leden/uitnodigingen/{foreign.pk}/intrekken/")
    assert response.status_code == 404
    assert _state() == before


def test_removing_an_assignment_keeps_the_account(world):
    from dekkend.web.models import AuditRegel, Gebruiker

    adviser = world["people"]["adviseur"]
    client = _client(world, "regiocoordinator")
    assert client.post(f"/regio/{DEMO}/leden/{adviser.pk}/verwijderen/").status_code == 302
    assert Gebruiker.objects.filter(pk=adviser.pk, is_active=True).exists()
    assert _client(world, "adviseur").get(f"/regio/{DEMO}/").status_code == 404
    assert AuditRegel.objects.filter(actie="toewijzing verwijderd", object=adviser.email).exists()


def test_board_staff_and_oneself_cannot_be_removed(world):
    coordinator = world["people"]["regiocoordinator"]
    client = _client(world, "regiocoordinator")
    before = _state()
    # board staff belong via their board, not by assignment
    assert client.post(f"/regio/{DEMO}/leden/{world['people']['bestuur'].pk}/verwijderen/").status_code == 404
    # a person of another region is not found here either
    assert client.post(f"/regio/{DEMO}/leden/{world['people']['bestuur_ander'].pk}/verwijderen/").status_code == 404
    response = client.post(f"/regio/{DEMO}/leden/{coordinator.pk}/verwijderen/", follow=True)
    assert "U kunt uzelf niet uit de regio verwijderen" in response.content.decode()
    assert _state() == before


# --- board display names ------------------------------------------------------------------------------------


def test_board_display_name_is_set_shown_and_cleared(world):
    from dekkend.web.models import AuditRegel, Bestuur

    board = world["boards"][0]  # the board of the "bestuur" person
    client = _client(world, "regiocoordinator")
    url = f"/regio/{DEMO}/leden/besturen/{board.pk}/naam/"
    assert client.post(url, {f"b{board.pk}-weergavenaam": "  Stichting   Veenland  "}).status_code == 302
    assert Bestuur.objects.get(pk=board.pk).weergavenaam == "Stichting Veenland"
    line = AuditRegel.objects.get(actie="bestuursnaam gewijzigd")
    assert line.object == board.code and line.details["oud"] == "" and line.details["nieuw"] == "Stichting Veenland"
    # every member sees it: on the members page and in the header of the board's own staff
    assert "Stichting Veenland" in _client(world, "adviseur").get(f"/regio/{DEMO}/leden/").content.decode()
    staff_page = _client(world, "bestuur").get("/profiel/").content.decode()
    assert "Stichting Veenland" in staff_page
    # blank: back to DUO's name
    assert client.post(url, {f"b{board.pk}-weergavenaam": ""}).status_code == 302
    assert str(Bestuur.objects.get(pk=board.pk)) == board.naam
    assert AuditRegel.objects.filter(actie="bestuursnaam gewijzigd").count() == 2


def test_bad_board_names_change_nothing(world):
    board, other_board = world["boards"][0], world["boards"][-1]
    client = _client(world, "regiocoordinator")
    before = _state()
    response = client.post(f"/regio/{DEMO}/leden/besturen/{board.pk}/naam/", {f"b{board.pk}-weergavenaam": "x" * 201})
    assert response.status_code == 400 and "hoogstens 200 tekens" in response.content.decode()
    # a board outside the coordinator's region, through the own region's URL or the other region's
    data = {f"b{other_board.pk}-weergavenaam": "Overgenomen"}
    assert client.post(f"/regio/{DEMO}/leden/besturen/{other_board.pk}/naam/", data).status_code == 404
    assert client.post(f"/regio/{OTHER}/leden/besturen/{other_board.pk}/naam/", data).status_code == 404
    assert _state() == before
