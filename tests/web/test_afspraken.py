"""The agreements register: status rules (property tests), the actions, the API and the pages."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from web.afspraken_fixtures import afspraak_world, as_request, payload, record  # noqa: F401 - fixture

ANSWERS = st.sampled_from(["ingestemd", "afgewezen", None])


@given(st.lists(ANSWERS, min_size=1, max_size=6), st.lists(st.sampled_from(["ingestemd", "afgewezen"]), max_size=3))
def test_established_exactly_when_every_named_board_agreed(per_board, outsiders):
    from dekkend.web.afspraken.models import status_after_answers

    named = list(range(len(per_board)))
    answers = {b: a for b, a in zip(named, per_board, strict=True) if a is not None}
    answers |= {100 + i: a for i, a in enumerate(outsiders)}  # boards not named count for nothing
    status = status_after_answers(named, answers)
    assert (status == "vastgesteld") == all(a == "ingestemd" for a in per_board)
    if "afgewezen" in per_board:
        assert status == "concept"
    if status == "ter_instemming":
        assert None in per_board and "afgewezen" not in per_board


def test_no_named_board_is_never_established():
    from dekkend.web.afspraken.models import status_after_answers

    assert status_after_answers([], {}) == "ter_instemming"
    assert status_after_answers([], {7: "ingestemd"}) == "ter_instemming"


STEPS = st.lists(st.tuples(st.sampled_from(["bestuur", "bestuur2", "voorleggen"]), st.booleans()), max_size=10)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
def test_any_sequence_of_answers_keeps_the_invariant(afspraak_world, steps):  # noqa: F811
    """Whatever the boards answer and however often it is put up again: established iff all agreed this round."""
    from django.db import transaction

    from dekkend.web.afspraken import services
    from dekkend.web.afspraken.access import answering_board
    from dekkend.web.afspraken.models import Afspraak

    w = afspraak_world
    with transaction.atomic():
        made = record(w)
        services.submit(as_request(w["people"]["regiocoordinator"]), made)
        for who, agrees in steps:
            made.refresh_from_db()
            try:
                if who == "voorleggen":
                    services.submit(as_request(w["people"]["regiocoordinator"]), made)
                else:
                    person = w["people"][who]
                    services.answer(
                        as_request(person),
                        made,
                        answering_board(person, made),
                        "ingestemd" if agrees else "afgewezen",
                        "" if agrees else "te weinig leerlingen",
                    )
            except services.StatusFout:
                pass  # not allowed in this status (or answered twice): nothing changed
            made = Afspraak.objects.get(pk=made.pk)
            answers = made.answers() if made.ronde else {}
            named = set(made.besturen.values_list("pk", flat=True))
            all_agreed = all(answers.get(b) == "ingestemd" for b in named)
            assert (made.status == "vastgesteld") == all_agreed
            if "afgewezen" in answers.values():
                assert made.status == "concept"
        transaction.set_rollback(True)


def _token(person) -> str:
    from dekkend.web.models import ApiToken

    return "Bearer " + ApiToken.create_for(person, "test")[1]


def _post(client, path, body, person):
    return client.post(path, body, content_type="application/json", HTTP_AUTHORIZATION=_token(person))


def test_the_api_records_puts_up_and_establishes_an_agreement(client, afspraak_world):  # noqa: F811
    from dekkend.web.models import AuditRegel, Melding

    w = afspraak_world
    coordinator, first, second = (w["people"][k] for k in ("regiocoordinator", "bestuur", "bestuur2"))
    made = _post(client, "/api/regios/1/afspraken", payload(w, voorleggen=True), coordinator)
    assert made.status_code == 201, made.json()
    body = made.json()
    assert body["status"] == "ter_instemming" and body["ronde"] == 1
    assert body["herzieningsdatum"] == "2031-08-01", "empty review date: five years after it takes effect"
    assert body["scenario"]["versie"] == 1 and body["gegevensversie"] and body["dekkend_versie"]
    # the named boards' staff are notified; the coordinator is not (yet)
    assert set(Melding.objects.values_list("ontvanger__email", flat=True)) == {"bestuur@test.nl", "bestuur2@test.nl"}
    url = f"/api/afspraken/{body['id']}/instemming"
    assert _post(client, url, {"besluit": "ingestemd"}, first).json()["status"] == "ter_instemming"
    assert _post(client, url, {"besluit": "ingestemd"}, first).status_code == 409, "a board answers once per round"
    done = _post(client, url, {"besluit": "ingestemd"}, second).json()
    assert done["status"] == "vastgesteld" and done["vastgesteld"]
    assert [(i["besluit"], i["door"]) for i in done["instemmingen"]] == [
        ("ingestemd", "bestuur@test.nl"),
        ("ingestemd", "bestuur2@test.nl"),
    ]
    assert Melding.objects.filter(ontvanger=coordinator).count() == 2, "the coordinator hears of every answer"
    actions = set(AuditRegel.objects.values_list("actie", flat=True))
    assert {"afspraak vastgelegd", "afspraak ter instemming", "afspraak ingestemd"} <= actions
    listed = client.get("/api/regios/1/afspraken", HTTP_AUTHORIZATION=_token(w["people"]["accountmanager"])).json()
    assert [a["status"] for a in listed] == ["vastgesteld"]


def test_a_decline_needs_a_reason_and_sends_it_back(client, afspraak_world):  # noqa: F811
    from dekkend.web.models import Melding

    w = afspraak_world
    made = _post(client, "/api/regios/1/afspraken", payload(w, voorleggen=True), w["people"]["regiocoordinator"])
    url = f"/api/afspraken/{made.json()['id']}/instemming"
    no_reason = _post(client, url, {"besluit": "afgewezen"}, w["people"]["bestuur"])
    assert no_reason.status_code == 422 and no_reason.json()["fouten"][0]["veld"] == "reden"
    assert _post(client, url, {"besluit": "misschien"}, w["people"]["bestuur"]).status_code == 422
    _post(client, url, {"besluit": "ingestemd"}, w["people"]["bestuur2"])
    back = _post(client, url, {"besluit": "afgewezen", "reden": "Eerst het OOGO."}, w["people"]["bestuur"]).json()
    assert back["status"] == "concept"
    assert [i["reden"] for i in back["instemmingen"] if i["besluit"] == "afgewezen"] == ["Eerst het OOGO."]
    text = Melding.objects.filter(ontvanger=w["people"]["regiocoordinator"]).order_by("-aangemaakt").first().tekst
    assert "Eerst het OOGO." in text and "concept" in text
    assert _post(client, url, {"besluit": "ingestemd"}, w["people"]["bestuur2"]).status_code == 409


@pytest.mark.parametrize(
    ("changes", "field", "fragment"),
    [
        ({"herzieningsdatum": "2031-08-02"}, "herzieningsdatum", "ten hoogste vijf jaar"),
        ({"herzieningsdatum": "2026-07-01"}, "herzieningsdatum", "na de ingangsdatum"),
        ({"besturen": []}, "besturen", "ten minste één bestuur"),
        ({"titel": ""}, "titel", "titel"),
        ({"versie": None}, "versie", "scenarioversie"),
    ],
)
def test_invalid_agreements_get_dutch_errors_and_change_nothing(client, afspraak_world, changes, field, fragment):  # noqa: F811
    from dekkend.web.afspraken.models import Afspraak

    body = {k: v for k, v in payload(afspraak_world, **changes).items() if v is not None}
    answer = _post(client, "/api/regios/1/afspraken", body, afspraak_world["people"]["regiocoordinator"])
    assert answer.status_code == 422
    errors = answer.json()["fouten"]
    assert any(e["veld"] == field and fragment in e["melding"] for e in errors), errors
    assert not Afspraak.objects.exists()


@pytest.mark.parametrize("level", ["bestuur", "adviseur"])
def test_only_versions_shared_with_the_region_can_be_agreed(client, afspraak_world, level):  # noqa: F811
    from web.afspraken_fixtures import make_version

    private = make_version(afspraak_world, level)
    for who in ("regiocoordinator", "beheerder"):
        answer = _post(
            client, "/api/regios/1/afspraken", payload(afspraak_world, versie=private.pk), afspraak_world["people"][who]
        )
        assert answer.status_code == 422 and answer.json()["fouten"][0]["veld"] == "versie"


def test_a_board_of_another_region_cannot_be_named(client, afspraak_world):  # noqa: F811
    w = afspraak_world
    body = payload(w, besturen=[w["boards"][-1].pk])
    answer = _post(client, "/api/regios/1/afspraken", body, w["people"]["regiocoordinator"])
    assert answer.status_code == 422 and answer.json()["fouten"][0]["veld"] == "besturen"


def test_a_new_agreement_replaces_an_established_one_and_keeps_it(afspraak_world):  # noqa: F811
    from dekkend.web.afspraken import services
    from dekkend.web.afspraken.models import Afspraak

    w = afspraak_world
    coordinator = as_request(w["people"]["regiocoordinator"])

    def establish(made):
        services.submit(coordinator, made)
        for who in ("bestuur", "bestuur2"):
            services.answer(as_request(w["people"][who]), made, w["people"][who].bestuur, "ingestemd")
        return Afspraak.objects.get(pk=made.pk)

    old = establish(record(w))
    new = record(w, titel="Zandbrug sluit een jaar later", ingangsdatum="2027-08-01", vervangt=old.pk)
    old.refresh_from_db()
    assert old.status == "vastgesteld", "the old one holds until its successor is established"
    establish(new)
    old.refresh_from_db()
    assert old.status == "herzien" and Afspraak.objects.count() == 2
    assert old.instemmingen.count() == 2, "its confirmations are kept"


def test_the_pages_walk_through_an_agreement(client, afspraak_world):  # noqa: F811
    from dekkend.web.afspraken.models import Afspraak

    w = afspraak_world
    client.force_login(w["people"]["regiocoordinator"])
    form = client.get("/regio/1/afspraken/nieuw/")
    assert form.status_code == 200 and "Sluit Zandbrug (regio)" in form.content.decode()
    assert "Sluit Zandbrug (bestuur)" not in form.content.decode()
    body = payload(w)
    made = client.post("/regio/1/afspraken/nieuw/", body)
    assert made.status_code == 302
    found = Afspraak.objects.get()
    page = client.get(made["Location"]).content.decode()
    assert "concept" in page and "Ter instemming voorleggen" in page
    client.post(f"/regio/1/afspraken/{found.pk}/voorleggen/")
    for who in ("bestuur", "bestuur2"):
        client.force_login(w["people"][who])
        page = client.get(f"/regio/1/afspraken/{found.pk}/").content.decode()
        assert "Antwoord vastleggen" in page
        assert client.post(f"/regio/1/afspraken/{found.pk}/instemming/", {"besluit": "ingestemd"}).status_code == 302
        assert "Antwoord vastleggen" not in client.get(f"/regio/1/afspraken/{found.pk}/").content.decode()
    client.force_login(w["people"]["adviseur"])
    listing = client.get("/regio/1/afspraken/").content.decode()
    assert body["titel"] in listing and "vastgesteld" in listing and "Nieuwe afspraak" not in listing
    found.refresh_from_db()
    assert found.status == "vastgesteld"
    # a concept can no longer be changed once established
    client.force_login(w["people"]["regiocoordinator"])
    assert client.get(f"/regio/1/afspraken/{found.pk}/wijzigen/").status_code == 302
