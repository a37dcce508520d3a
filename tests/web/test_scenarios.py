"""Scenarios in the workspace: the API, runs equal to ``dekkend scenario``, recomputation, sharing, comments, copies."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from web.conftest import REGION_IDS

DEMO = REGION_IDS["demo"]
CLOSE = "naam: Sluit Zandbrug\nmaatregelen:\n  - {soort: sluit-vestiging, vestiging: 99BB03, vanaf: 2026}\n"


def _token(person) -> str:
    from dekkend.web.models import ApiToken

    return ApiToken.create_for(person, "test")[1]


def _api(client, person, method: str, url: str, body: dict | None = None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {_token(person)}"}
    if method == "GET":
        return client.get(url, **headers)
    return client.post(url, json.dumps(body or {}), content_type="application/json", **headers)


def _cli(werkmap: Path, yaml_text: str, out: Path) -> tuple[dict, pd.DataFrame, pd.DataFrame, str]:
    """``dekkend scenario`` on the same YAML and werkmap: its summary, boards and flows, and its output."""
    from dekkend.cli import app

    out.mkdir(parents=True, exist_ok=True)
    path = out / "scenario.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    res = CliRunner().invoke(
        app, ["scenario", str(path), "--werkmap", str(werkmap), "--uitvoer", str(out / "uit")], env={"COLUMNS": "400"}
    )
    if res.exit_code != 0:
        return {}, pd.DataFrame(), pd.DataFrame(), res.output
    folder = next(p for p in (out / "uit").iterdir() if p.is_dir())
    summary = json.loads((folder / "scenario.json").read_text(encoding="utf-8"))["samenvatting"]
    return summary, pd.read_csv(folder / "besturen.csv"), pd.read_csv(folder / "winst-en-verlies.csv"), res.output


def test_api_creates_a_private_scenario_and_explains_bad_input_in_dutch(client, world, analysed):
    board = world["people"]["bestuur"]
    made = _api(client, board, "POST", f"/api/regios/{DEMO}/scenarios", {"naam": "Sluit Zandbrug", "yaml": CLOSE})
    assert made.status_code == 201, made.content
    assert made.json()["zichtbaarheid"] == "bestuur" and made.json()["id"] > 0
    listed = _api(client, board, "GET", f"/api/regios/{DEMO}/scenarios").json()
    assert [s["naam"] for s in listed] == ["Sluit Zandbrug"]
    # the adviser does not see a board's private scenario: 404, and not in the list
    adviser = world["people"]["adviseur"]
    assert _api(client, adviser, "GET", f"/api/scenarios/{made.json()['id']}").status_code == 404
    assert _api(client, adviser, "GET", f"/api/regios/{DEMO}/scenarios").json() == []

    bad = _api(client, board, "POST", f"/api/regios/{DEMO}/scenarios", {"naam": "", "yaml": "naam: x\n"})
    assert bad.status_code == 422
    fields = {f["veld"] for f in bad.json()["fouten"]}
    assert fields == {"naam", "yaml"}
    missing = _api(client, board, "POST", f"/api/regios/{DEMO}/scenarios", {"yaml": CLOSE})
    assert missing.json()["fouten"] == [{"veld": "naam", "melding": "dit veld ontbreekt"}]


def test_validation_gives_the_clis_message(client, world, analysed, web_werkmap, tmp_path):
    """An unknown vestiging: the API's message is the one ``dekkend scenario`` prints (without the file name)."""
    text = CLOSE.replace("99BB03", "99ZZ99")
    board = world["people"]["bestuur"]
    bad = _api(client, board, "POST", f"/api/regios/{DEMO}/scenarios", {"naam": "Fout", "yaml": text})
    assert bad.status_code == 422
    message = bad.json()["fouten"][0]["melding"]
    assert "99ZZ99" in message and "maatregel 1 (sluit-vestiging), veld 'vestiging'" in message
    _, _, _, output = _cli(web_werkmap, text, tmp_path)
    assert message in " ".join(output.split())


def _run_via_api(client, person, yaml_text: str, commits) -> dict:
    made = _api(client, person, "POST", f"/api/regios/{DEMO}/scenarios", {"naam": "Eigenschap", "yaml": yaml_text})
    assert made.status_code == 201, made.content
    sid = made.json()["id"]
    with commits(execute=True):  # the job is queued when the request's transaction commits
        started = _api(client, person, "POST", f"/api/scenarios/{sid}/doorrekenen")
    assert started.status_code == 202, started.content
    task = _api(client, person, "GET", f"/api/taken/{started.json()['id']}").json()
    assert task["status"] == "klaar", task
    found = _api(client, person, "GET", f"/api/scenarios/{sid}/resultaat")
    assert found.status_code == 200, found.content
    return found.json()


@pytest.fixture(scope="module")
def region_offer(web_werkmap) -> list[tuple[str, str]]:
    """(vestiging, type) pairs the demo region teaches in its last count year (what a scenario can stop)."""
    from dekkend import Workspace

    offer = Workspace(web_werkmap).tables()["aanbod"]
    last = offer[(offer["schooljaar"] == offer["schooljaar"].max()) & offer["profiel"].isna()]
    last = last[(last["leerlingen"] > 0) & (last["onderwijstype"] != "onderbouw")]
    return sorted(set(zip(last["vestigingscode"], last["onderwijstype"], strict=True)))


@settings(max_examples=2, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_a_scenario_run_through_the_api_equals_dekkend_scenario(
    data, client, world, analysed, web_werkmap, tmp_path_factory, region_offer, django_capture_on_commit_callbacks
):
    """Property: for a scenario drawn from the region's own offer, the API's numbers are those of the CLI."""
    code, typ = data.draw(st.sampled_from(region_offer), label="aanbod")
    year = data.draw(st.integers(2025, 2030), label="vanaf")
    kind = data.draw(st.sampled_from(["stop-aanbod", "sluit-vestiging"]), label="soort")
    measure = f"{{soort: {kind}, vestiging: {code}, vanaf: {year}" + (
        f", onderwijstype: {typ}}}" if kind == "stop-aanbod" else "}"
    )
    text = f"naam: Eigenschap\nmaatregelen:\n  - {measure}\n"
    web = _run_via_api(client, world["people"]["bestuur"], text, django_capture_on_commit_callbacks)
    summary, boards, flows, output = _cli(web_werkmap, text, tmp_path_factory.mktemp("cli"))
    assert summary, output
    assert web["resultaat"]["samenvatting"] == {**web["resultaat"]["samenvatting"], **summary}
    assert set(summary) <= set(web["resultaat"]["samenvatting"])
    ours = pd.DataFrame(web["resultaat"]["besturen"])
    pd.testing.assert_frame_equal(
        ours.astype({"bestuur": str}).reset_index(drop=True),
        boards.astype({"bestuur": str})[ours.columns].reset_index(drop=True),
        check_dtype=False,
        atol=0.01,
    )
    theirs = flows.set_index("vestigingscode")
    for row in web["resultaat"]["stromen"]:
        assert row["netto"] == pytest.approx(float(theirs.loc[row["vestigingscode"], "netto"]), abs=0.01)
    assert web["dekkend_versie"] and web["data_versie"]


def test_recomputing_a_version_gives_the_same_numbers(client, world, analysed, django_capture_on_commit_callbacks):
    from dekkend.web.models import Taak
    from dekkend.web.plannen.models import ScenarioVersie

    board = world["people"]["bestuur"]
    first = _run_via_api(client, board, CLOSE, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        again = _api(client, board, "POST", f"/api/scenarios/{first['scenario']}/doorrekenen", {"versie": 1})
    assert again.status_code == 202
    job = Taak.objects.get(pk=again.json()["id"])
    assert job.status == "klaar" and job.resultaat["opnieuw"] is True
    assert job.resultaat["gelijk"] is True and job.resultaat["zelfde_gegevens"] is True
    stored = ScenarioVersie.objects.get(scenario_id=first["scenario"], nummer=1)
    assert stored.resultaat == first["resultaat"]  # the original result is kept as it was
    no_such = _api(client, board, "POST", f"/api/scenarios/{first['scenario']}/doorrekenen", {"versie": 7})
    assert no_such.status_code == 422 and no_such.json()["fouten"][0]["veld"] == "versie"


def test_a_new_version_leaves_the_old_one_and_only_the_board_changes_it(client, world, analysed):
    from dekkend.web.plannen.models import Scenario

    board = world["people"]["bestuur"]
    sid = _api(client, board, "POST", f"/api/regios/{DEMO}/scenarios", {"naam": "A", "yaml": CLOSE}).json()["id"]
    client.force_login(board)
    url = f"/regio/{DEMO}/scenarios/{sid}/bewerken/"
    changed = CLOSE.replace("2026", "2027")
    assert client.post(url, {"naam": "A2", "yaml": changed, "actie": "opslaan"}).status_code == 302
    scenario = Scenario.objects.get(pk=sid)
    assert [v.nummer for v in scenario.versies.all()] == [1, 2] and scenario.naam == "A2"
    assert scenario.versies.get(nummer=1).yaml == CLOSE and "2027" in scenario.versies.get(nummer=2).yaml
    yaml_download = client.get(f"/regio/{DEMO}/scenarios/{sid}/versies/1/yaml/")
    assert yaml_download.content.decode() == CLOSE and "attachment" in yaml_download["Content-Disposition"]


def test_the_builder_adds_and_removes_measures_from_the_pickers(client, world, analysed):
    client.force_login(world["people"]["bestuur"])
    url = f"/regio/{DEMO}/scenarios/nieuw/"
    picker = client.get(f"/regio/{DEMO}/scenarios/kiezer/", {"soort": "stop-aanbod", "vestiging": "99BB03"})
    html = picker.content.decode()
    assert 'value="99BB03"' in html and "selected" in html
    added = client.post(
        url,
        {
            "naam": "Bouw",
            "yaml": "",
            "actie": "toevoegen",
            "soort": "sluit-vestiging",
            "vestiging": "99BB03",
            "vanaf": "2026",
        },
        HTTP_HX_REQUEST="true",
    )
    text = added.content.decode()
    assert "sluit-vestiging" in text and "Het scenario is geldig" in text
    # the CLI's message for a measure left incomplete
    empty = client.post(
        url,
        {"naam": "Bouw", "yaml": "", "actie": "toevoegen", "soort": "stop-aanbod", "vanaf": "2026"},
        HTTP_HX_REQUEST="true",
    )
    assert "veld &#x27;onderwijstype&#x27;: ontbreekt" in empty.content.decode()


def test_visibility_preview_lists_exactly_who_will_see_it_and_narrowing_is_immediate(client, world, analysed):
    from dekkend.web.models import AuditRegel
    from dekkend.web.plannen.access import audience
    from dekkend.web.plannen.models import Scenario

    board = world["people"]["bestuur"]
    sid = _api(client, board, "POST", f"/api/regios/{DEMO}/scenarios", {"naam": "Delen", "yaml": CLOSE}).json()["id"]
    scenario = Scenario.objects.get(pk=sid)
    client.force_login(board)
    url = f"/regio/{DEMO}/scenarios/{sid}/zichtbaarheid/"
    preview = client.post(url, {"zichtbaarheid": "regio"})
    assert preview.status_code == 200
    scenario.refresh_from_db()
    assert scenario.zichtbaarheid == "bestuur"  # nothing changed before confirming
    listed = {p.email for p, _ in preview.context["mensen"]}
    assert listed == {p.email for p in audience(scenario, "regio")}
    for email in listed:
        assert email in preview.content.decode()
    assert client.post(url, {"zichtbaarheid": "regio", "bevestigd": "ja"}).status_code == 302
    scenario.refresh_from_db()
    assert scenario.zichtbaarheid == "regio"
    assert client.post(url, {"zichtbaarheid": "bestuur"}).status_code == 302  # narrowing: no preview
    scenario.refresh_from_db()
    assert scenario.zichtbaarheid == "bestuur"
    changes = AuditRegel.objects.filter(actie="zichtbaarheid scenario gewijzigd", object=f"scenario {sid}")
    assert [(a.details["van"], a.details["naar"]) for a in changes.order_by("pk")] == [
        ("bestuur", "regio"),
        ("regio", "bestuur"),
    ]
    # the API: widening with the audience in the answer; someone else who sees it may not change it
    shared = _api(client, board, "POST", f"/api/scenarios/{sid}/zichtbaarheid", {"zichtbaarheid": "adviseur"})
    assert shared.status_code == 200 and set(shared.json()["zien"]) == {p.email for p in audience(scenario, "adviseur")}
    adviser = world["people"]["adviseur"]
    refused = _api(client, adviser, "POST", f"/api/scenarios/{sid}/zichtbaarheid", {"zichtbaarheid": "regio"})
    assert refused.status_code == 403
    wrong = _api(client, board, "POST", f"/api/scenarios/{sid}/zichtbaarheid", {"zichtbaarheid": "iedereen"})
    assert wrong.status_code == 422 and wrong.json()["fouten"][0]["veld"] == "zichtbaarheid"


def test_a_comment_notifies_the_board_not_the_writer(client, world, analysed):
    from dekkend.web.models import Melding
    from dekkend.web.plannen.models import Scenario

    board = world["people"]["bestuur"]
    sid = _api(client, board, "POST", f"/api/regios/{DEMO}/scenarios", {"naam": "Praat", "yaml": CLOSE}).json()["id"]
    Scenario.objects.filter(pk=sid).update(zichtbaarheid="adviseur")
    adviser = world["people"]["adviseur"]
    client.force_login(adviser)
    assert (
        client.post(f"/regio/{DEMO}/scenarios/{sid}/opmerkingen/", {"tekst": "Kijk ook naar vmbo-k."}).status_code
        == 302
    )
    assert list(Melding.objects.values_list("ontvanger__email", flat=True)) == [board.email]
    client.force_login(board)
    client.post(f"/regio/{DEMO}/scenarios/{sid}/opmerkingen/", {"tekst": "Doen we."})
    assert Melding.objects.count() == 1  # the board's own comment notifies nobody
    page = client.get(f"/regio/{DEMO}/scenarios/{sid}/").content.decode()
    assert "Kijk ook naar vmbo-k." in page and "Doen we." in page
    # the account manager does not see an adviser-level scenario, nor can comment on it
    client.force_login(world["people"]["accountmanager"])
    assert client.post(f"/regio/{DEMO}/scenarios/{sid}/opmerkingen/", {"tekst": "x"}).status_code == 404


def test_another_board_copies_a_shared_scenario_into_its_own(client, world, analysed):
    from dekkend.web.models import Gebruiker, Rol
    from dekkend.web.plannen.models import Scenario

    board = world["people"]["bestuur"]
    sid = _api(client, board, "POST", f"/api/regios/{DEMO}/scenarios", {"naam": "Samen", "yaml": CLOSE}).json()["id"]
    Scenario.objects.filter(pk=sid).update(zichtbaarheid="regio")
    other_board = world["boards"][1]
    other = Gebruiker.objects.create_user(
        username="ander-bestuur@test.nl",
        email="ander-bestuur@test.nl",
        password="x",
        rol=Rol.BESTUUR,
        bestuur=other_board,
    )
    client.force_login(other)
    response = client.post(f"/regio/{DEMO}/scenarios/{sid}/kopieren/")
    assert response.status_code == 302
    copy = Scenario.objects.exclude(pk=sid).get(naam="Samen (kopie)")
    assert copy.bestuur == other_board and copy.zichtbaarheid == "bestuur" and copy.herkomst == "kopie"
    assert copy.afgeleid_van == Scenario.objects.get(pk=sid).laatste()
    assert copy.laatste().yaml == CLOSE
    # the original board does not see the copy
    assert _api(client, board, "GET", f"/api/scenarios/{copy.pk}").status_code == 404
