"""A board's own data in the workspace: uploads, disclosure per level and audience, audit, the regional check, export.

The object-level matrix: own board, another board of the region, a board of another region, coordinator, adviser,
account manager, administrator and an outsider, for each disclosure level and audience, in pages and API alike.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from django.conf import settings
from hypothesis import given
from hypothesis import strategies as st

from dekkend import forecast
from web.conftest import PASSWORD, REGION_IDS

DEMO = REGION_IDS["demo"]


@pytest.fixture
def boards(world):
    """Staff of three boards of the demo region (the first is the world's ``bestuur``)."""
    from dekkend.web.models import Gebruiker, Rol

    people = {world["boards"][0].code: world["people"]["bestuur"]}
    for board in world["boards"][1:3]:
        people[board.code] = Gebruiker.objects.create_user(
            username=f"staf-{board.code}@test.nl",
            email=f"staf-{board.code}@test.nl",
            password=PASSWORD,
            rol=Rol.BESTUUR,
            bestuur=board,
        )
    return people


@pytest.fixture
def intake(world):
    from dekkend.web.bestuursdata import data

    return data.intake(world["regions"]["demo"]) or data.compute_intake(world["regions"]["demo"])


def data_codes(board: str) -> list[str]:
    from dekkend.web.bestuursdata import data

    ves = data._tables()["vestigingen"]
    return list(ves.loc[ves["bestuur"].astype(str) == board, "vestigingscode"])


def filled(board, soort: str, value, fmt: str = "csv") -> tuple[bytes, pd.DataFrame]:
    """The board's template of ``soort`` with every number set to ``value(row)``."""
    from dekkend.web.bestuursdata import data

    ctx = data.context(board)
    sheet = forecast.template(soort, ctx.offer, ctx.last_count_year)
    if soort == "aanmeldingen":
        sheet["peildatum"] = "15-03-2025"
        sheet["aanmeldingen"] = [str(value(r)) for r in ctx.offer.itertuples()]
    else:
        largest = dict(
            zip(ctx.offer["vestigingscode"] + ctx.offer["onderwijstype"], ctx.offer["grootste"], strict=True)
        )
        sheet["leerlingen_leerjaar_1"] = [
            str(value(largest[c + t])) for c, t in zip(sheet.vestigingscode, sheet.onderwijstype, strict=True)
        ]
    return forecast.template_bytes(sheet, fmt), sheet


def store(person, soort="prognose", value=lambda r: 30):
    from dekkend.web.bestuursdata import data

    content, _ = filled(person.bestuur, soort, value if soort == "prognose" else (lambda r: value(r)))
    return data.store_upload(None, person, person.bestuur, soort, f"{soort}.csv", content)


# --- uploads ---------------------------------------------------------------------------------------------------------


def test_template_upload_and_nowcast_on_the_page(client, world, intake):
    person = world["people"]["bestuur"]
    client.force_login(person)
    response = client.get(f"/regio/{DEMO}/eigen-gegevens/sjabloon/aanmeldingen/?formaat=xlsx")
    assert response.status_code == 200
    sheet = pd.read_excel(io.BytesIO(response.content), dtype=str, engine="openpyxl")
    assert len(sheet) > 0 and set(sheet["vestigingscode"]) <= set(data_codes(person.bestuur.code))
    sheet["peildatum"] = "15-03-2025"
    sheet["aanmeldingen"] = "40"
    buffer = io.BytesIO()
    sheet.to_excel(buffer, index=False)
    buffer.name = "aanmeldingen.xlsx"
    buffer.seek(0)
    response = client.post(f"/regio/{DEMO}/eigen-gegevens/upload/", {"soort": "aanmeldingen", "bestand": buffer})
    assert response.status_code == 302
    from dekkend.web.bestuursdata.models import Upload

    upload = Upload.objects.get(bestuur=person.bestuur)
    assert upload.versie == 1 and upload.niveau == "niets"  # private by default
    assert (Path(settings.WEB_MAP) / upload.bestand).is_file()
    page = client.get(f"/regio/{DEMO}/eigen-gegevens/").content.decode()
    assert "met en zonder uw aanmeldingen" in page and "Totaal" in page


def test_a_bad_upload_names_line_and_column_and_stores_nothing(client, world):
    person = world["people"]["bestuur"]
    content, sheet = filled(person.bestuur, "aanmeldingen", lambda r: 10)
    text = content.decode("utf-8-sig").splitlines()
    text[1] = text[1].rsplit(";", 1)[0] + ";-4"
    client.force_login(person)
    folder = Path(settings.WEB_MAP) / "bestuursdata"
    before = {(p, p.stat().st_mtime_ns) for p in folder.rglob("*")}
    upload = io.BytesIO("\n".join(text).encode())
    upload.name = "aanm.csv"
    response = client.post(f"/regio/{DEMO}/eigen-gegevens/upload/", {"soort": "aanmeldingen", "bestand": upload})
    assert response.status_code == 400
    page = response.content.decode()
    assert "niet opgeslagen" in page and "regel 2, kolom 'aanmeldingen': -4 is negatief" in page
    from dekkend.web.bestuursdata.models import Upload

    assert not Upload.objects.exists()
    assert {(p, p.stat().st_mtime_ns) for p in folder.rglob("*")} == before  # no file written or changed


def test_api_upload_template_share_and_delete(client, world):
    person = world["people"]["bestuur"]
    client.force_login(person)
    template = client.get("/api/uploads/sjabloon/prognose?formaat=csv")
    assert template.status_code == 200 and b"leerlingen_leerjaar_1" in template.content
    bad = client.post(
        "/api/uploads", {"soort": "prognose", "bestand": _file(b"vestigingscode;onderwijstype\n", "p.csv")}
    )
    assert bad.status_code == 422 and {f["kolom"] for f in bad.json()["fouten"]} >= {
        "schooljaar",
        "leerlingen_leerjaar_1",
    }
    content, _ = filled(person.bestuur, "prognose", lambda g: 20)
    made = client.post("/api/uploads", {"soort": "prognose", "bestand": _file(content, "p.csv")})
    assert made.status_code == 201, made.content
    upload_id = made.json()["id"]
    assert [u["id"] for u in client.get("/api/uploads").json()] == [upload_id]
    shared = client.post(
        f"/api/uploads/{upload_id}/delen", {"niveau": "totalen", "met": "regio"}, content_type="application/json"
    )
    assert shared.status_code == 200 and shared.json()["voorbeeld"]["inhoud"]["niveau"] == "totalen"
    assert client.delete(f"/api/uploads/{upload_id}").status_code == 204
    assert client.get(f"/api/uploads/{upload_id}").status_code == 404
    client.force_login(world["people"]["adviseur"])
    assert client.post("/api/uploads", {"soort": "prognose", "bestand": _file(content, "p.csv")}).status_code == 403


def _file(content: bytes, name: str):
    handle = io.BytesIO(content)
    handle.name = name
    return handle


# --- the object-level matrix -----------------------------------------------------------------------------------------

#: Who sees a shared upload of the demo's first board (besides its own staff), per audience.
AUDIENCE = {
    "regio": {"ander_bestuur", "regiocoordinator", "adviseur", "accountmanager", "beheerder"},
    "adviseur": {"adviseur"},
}
VIEWERS = (
    "eigen",
    "ander_bestuur",
    "bestuur_ander",
    "regiocoordinator",
    "adviseur",
    "accountmanager",
    "beheerder",
    "buitenstaander",
)


@pytest.mark.parametrize("met", ["adviseur", "regio"])
@pytest.mark.parametrize("niveau", ["niets", "totalen", "detail"])
def test_object_matrix(client, world, boards, niveau, met):
    from dekkend.web.bestuursdata import data
    from dekkend.web.models import AuditRegel

    owner = world["people"]["bestuur"]
    upload = store(owner, "aanmeldingen", lambda r: 11)
    data.share(None, upload, niveau, met)
    people = {**world["people"], "eigen": owner, "ander_bestuur": boards[world["boards"][1].code]}
    problems = []
    for who in VIEWERS:
        client.force_login(people[who])
        wanted = "eigen" if who == "eigen" else (niveau if niveau != "niets" and who in AUDIENCE[met] else None)
        api = client.get(f"/api/uploads/{upload.pk}")
        page = client.get(f"/regio/{DEMO}/eigen-gegevens/{upload.pk}/")
        listed = [u for u in client.get("/api/uploads").json() if u["id"] == upload.pk]
        got = api.json()["niveau"] if api.status_code == 200 else None
        if got != wanted or (page.status_code == 200) != (wanted is not None and who != "bestuur_ander"):
            problems.append(f"{who}: api {api.status_code} {got}, page {page.status_code}, wanted {wanted}")
        if [u["niveau"] for u in listed] != ([wanted] if wanted else []):
            problems.append(f"{who}: list shows {listed}")
        if wanted == "totalen":
            assert all("vestigingscode" not in r for r in api.json()["rijen"])
        for path in ("delen/", "verwijderen/") if who != "eigen" else ():  # only the owner changes it
            changed = client.post(
                f"/regio/{DEMO}/eigen-gegevens/{upload.pk}/{path}", {"niveau": "detail", "met": "regio"}
            )
            if who != "eigen" and changed.status_code != 404:
                problems.append(f"{who}: POST {path} answered {changed.status_code}")
        if who != "eigen":
            assert (
                client.post(
                    f"/api/uploads/{upload.pk}/delen", {"niveau": "detail"}, content_type="application/json"
                ).status_code
                == 404
            )
    assert not problems, "\n".join(problems)
    reads = AuditRegel.objects.filter(actie="bestuursgegevens gelezen", details__bestuur=owner.bestuur.code)
    readers = {r.wie for r in reads}
    assert readers == {people[w].email for w in AUDIENCE[met]} if niveau != "niets" else readers == set()


def test_withdrawal_and_a_new_version_are_private_at_once(client, world):
    from dekkend.web.bestuursdata import data

    owner = world["people"]["bestuur"]
    first = store(owner)
    client.force_login(owner)
    assert (
        client.post(f"/regio/{DEMO}/eigen-gegevens/{first.pk}/delen/", {"niveau": "detail", "met": "regio"}).status_code
        == 302
    )
    client.force_login(world["people"]["accountmanager"])
    assert client.get(f"/api/uploads/{first.pk}").status_code == 200
    data.share(None, first, "niets", "regio")
    assert client.get(f"/api/uploads/{first.pk}").status_code == 404
    data.share(None, first, "detail", "regio")
    store(owner)  # version 2, private: version 1 no longer counts
    assert client.get(f"/api/uploads/{first.pk}").status_code == 404


def test_the_preview_is_what_others_see(client, world):
    owner = world["people"]["bestuur"]
    upload = store(owner, "aanmeldingen", lambda r: 12)
    client.force_login(owner)
    preview = client.get(f"/regio/{DEMO}/eigen-gegevens/{upload.pk}/delen/", {"niveau": "totalen", "met": "regio"})
    assert preview.status_code == 200
    client.post(f"/regio/{DEMO}/eigen-gegevens/{upload.pk}/delen/", {"niveau": "totalen", "met": "regio"})
    client.force_login(world["people"]["regiocoordinator"])
    seen = client.get(f"/api/uploads/{upload.pk}").json()["rijen"]
    shown = re.findall(r"<tr><td>([^<]+)</td><td>(\d+)</td><td>(\d+)</td></tr>", preview.content.decode())
    assert [(r["onderwijstype"], str(r["schooljaar"]), str(r["aantal"])) for r in seen] == shown


def test_the_board_reads_its_audit_log_and_others_do_not(client, world):
    from dekkend.web.bestuursdata import data

    owner = world["people"]["bestuur"]
    upload = store(owner)
    data.share(None, upload, "totalen", "adviseur")
    client.force_login(world["people"]["adviseur"])
    client.get(f"/api/uploads/{upload.pk}")
    client.force_login(owner)
    assert "adviseur@test.nl" in client.get(f"/regio/{DEMO}/eigen-gegevens/").content.decode()
    client.force_login(world["people"]["regiocoordinator"])
    assert "adviseur@test.nl" not in client.get(f"/regio/{DEMO}/eigen-gegevens/").content.decode()


def test_no_numbers_leak_to_anyone_unless_shared(client, world, boards, intake):
    """Distinctive numbers of one board: in no page or API answer for any other role until shared at that level."""
    from dekkend.web.bestuursdata import data

    owner = world["people"]["bestuur"]
    marks = iter([53, 59, 61, 67, 71, 73, 79, 83, 89])
    values = {}

    def mark(r):
        values[r.vestigingscode] = next(marks)
        return values[r.vestigingscode]

    upload = store(owner, "aanmeldingen", mark)
    people = {**world["people"], "ander_bestuur": boards[world["boards"][1].code]}
    del people["bestuur"]
    urls = [
        f"/regio/{DEMO}/eigen-gegevens/",
        "/api/uploads",
        f"/api/uploads/{upload.pk}",
        f"/api/regios/{DEMO}/consistentie",
    ]
    urls += [f"/regio/{REGION_IDS['ander']}/eigen-gegevens/", f"/regio/{DEMO}/eigen-gegevens/{upload.pk}/"]

    def found(who: str) -> set[int]:
        client.force_login(people[who])
        text = " ".join(client.get(u).content.decode() for u in urls)
        return {v for v in values.values() if re.search(rf"(>|\"aantal\": ?){v}(<|[,}}])", text)}

    for who in people:
        assert not found(who), who
    data.share(None, upload, "detail", "adviseur")
    for who in people:
        assert bool(found(who)) == (who == "adviseur"), who


@given(st.dictionaries(st.text(min_size=1, max_size=4), st.floats(min_value=0, max_value=1e4), max_size=8))
def test_no_aggregate_of_fewer_than_three_boards(contributions):
    from dekkend.web.bestuursdata import data

    total = data.aggregate(contributions)
    assert (total is None) == (len(contributions) < 3)
    if total is not None:
        assert total == pytest.approx(sum(contributions.values()))


@given(
    st.lists(
        st.tuples(st.sampled_from(["99AA00", "99AA01"]), st.sampled_from(["brugjaar", "pro"]), st.integers(0, 500)),
        min_size=1,
    )
)
def test_totals_hide_vestigingen_and_keep_the_sum(rows):
    from dekkend.web.bestuursdata import data
    from dekkend.web.bestuursdata.models import Upload
    from dekkend.web.models import Bestuur

    upload = Upload(
        bestuur=Bestuur(code="1", naam="x"),
        soort="prognose",
        versie=1,
        rijen=[
            {"vestigingscode": c, "onderwijstype": t, "schooljaar": 2026, "peildatum": "", "aantal": n}
            for c, t, n in rows
        ],
    )
    upload.aangemaakt = __import__("django.utils.timezone", fromlist=["now"]).now()
    shown = data.view(upload, "totalen")["rijen"]
    assert all(set(r) == {"onderwijstype", "schooljaar", "aantal"} for r in shown)
    assert sum(r["aantal"] for r in shown) == sum(n for _, _, n in rows)


# --- the regional consistency check ----------------------------------------------------------------------------------


def test_consistency_check_needs_three_boards_and_says_by_how_much(client, world, boards, intake):
    from dekkend.web.bestuursdata import data

    year = intake["peiljaar"] + 1
    uploads = []
    for person in boards.values():
        upload = store(
            person, "prognose", lambda g: max(g * 2 - 1, 0)
        )  # every board expects about twice its largest year
        uploads.append(upload)
    client.force_login(world["people"]["accountmanager"])
    data.share(None, uploads[0], "detail", "regio")
    data.share(None, uploads[1], "totalen", "regio")
    check = client.get(f"/api/regios/{DEMO}/consistentie").json()
    assert check["bijdragers"] == 2 and check["som"] is None and check["detail"] == []
    from dekkend.web.models import AuditRegel

    via_check = AuditRegel.objects.filter(actie="bestuursgegevens gelezen", details__via="consistentiecheck")
    assert not via_check.exists(), "nothing shown, nothing read"
    data.share(None, uploads[2], "totalen", "regio")
    check = client.get(f"/api/regios/{DEMO}/consistentie").json()
    claimed = sum(r["aantal"] for u in uploads for r in u.rijen if r["schooljaar"] == year)
    assert check["bijdragers"] == 3 and check["som"] == pytest.approx(claimed)
    theirs = sum(
        r["verwacht"]
        for r in intake["rijen"]
        if r["jaar"] == year and intake["besturen"][r["vestigingscode"]] in boards
    )
    assert check["model_bijdragers"] == pytest.approx(theirs, abs=0.1)
    with_boards = check["regio"]["verwacht"] - theirs + claimed  # the other board's vestigingen at the model
    assert check["met_besturen"] == pytest.approx(with_boards, abs=0.2)
    assert check["te_veel"] == pytest.approx(with_boards - check["regio"]["hoog"], abs=0.2) and check["te_veel"] > 0
    assert [d["bestuur"] for d in check["detail"]] == [str(uploads[0].bestuur)]  # only the board that shared detail
    assert {r.details["bestuur"] for r in via_check} == set(boards)
    page = client.get(f"/regio/{DEMO}/eigen-gegevens/").content.decode()
    assert "meer dan de bovenkant van de marge" in page
    other_numbers = {str(int(sum(r["aantal"] for r in u.rijen if r["schooljaar"] == year))) for u in uploads[1:]}
    assert not any(f"prognose {n}" in page for n in other_numbers)


# --- export and delete -----------------------------------------------------------------------------------------------


def test_export_and_delete_everything(client, world):
    from dekkend.web.bestuursdata.models import Upload
    from dekkend.web.models import AuditRegel

    owner = world["people"]["bestuur"]
    first, second = store(owner), store(owner, "aanmeldingen", lambda r: 9)
    client.force_login(owner)
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/regio/{DEMO}/eigen-gegevens/export/").content))
    assert {"prognose-v1.csv", "aanmeldingen-v1.csv", "gegevens.json"} <= set(archive.namelist())
    assert len(json.loads(archive.read("gegevens.json"))["uploads"]) == 2
    files = [Path(settings.WEB_MAP) / u.bestand for u in (first, second)]
    assert client.post(f"/regio/{DEMO}/eigen-gegevens/verwijderen/").status_code == 302
    assert not Upload.objects.filter(bestuur=owner.bestuur).exists() and not any(f.exists() for f in files)
    line = AuditRegel.objects.get(actie="bestuursgegevens verwijderd")
    assert line.details == {"bestuur": owner.bestuur.code, "aantal": 2}
    client.force_login(world["people"]["adviseur"])
    assert client.get(f"/regio/{DEMO}/eigen-gegevens/export/").status_code == 404


def test_a_new_private_version_leaves_the_check_also_for_its_own_board(client, world, boards, intake):
    from dekkend.web.bestuursdata import data

    uploads = [store(person, "prognose", lambda g: 25) for person in boards.values()]
    for upload in uploads:
        data.share(None, upload, "totalen", "regio")
    owner = world["people"]["bestuur"]
    client.force_login(owner)
    assert client.get(f"/api/regios/{DEMO}/consistentie").json()["bijdragers"] == 3
    store(owner, "prognose", lambda g: 26)  # version 2, private
    for who in (owner, world["people"]["adviseur"]):
        client.force_login(who)
        check = client.get(f"/api/regios/{DEMO}/consistentie").json()
        assert check["bijdragers"] == 2 and check["som"] is None


def test_a_few_boards_of_a_large_region_that_claim_too_much_are_flagged(client, world, boards, intake):
    """The sharing boards' claims plus the model for the others: beyond the region's band is too much, even when
    the shared sum alone is far below the whole region's (three boards of a COROP with thirty)."""
    from dekkend.web.bestuursdata import data

    year = intake["peiljaar"] + 1
    model = {}
    for r in intake["rijen"]:
        if r["jaar"] == year:
            key = (r["vestigingscode"], r["onderwijstype"])
            model[key] = model.get(key, 0) + r["verwacht"]
    region = next(r for r in intake["regio"] if r["jaar"] == year)
    slack = region["hoog"] - region["verwacht"]

    def share_with(extra: float) -> dict:
        """Every board forecasts the model for its vestigingen, scaled so that together they claim ``extra`` more."""
        from dekkend.web.bestuursdata.models import Upload

        Upload.objects.all().delete()
        theirs = sum(v for (c, _), v in model.items() if intake["besturen"][c] in boards)
        for person in boards.values():
            ctx = data.context(person.bestuur)
            sheet = forecast.template("prognose", ctx.offer, intake["peiljaar"])
            sheet = sheet[sheet["schooljaar"] == year].copy()
            sheet["leerlingen_leerjaar_1"] = [
                str(round(model.get((c, t), 0) * (1 + extra / theirs)))
                for c, t in zip(sheet.vestigingscode, sheet.onderwijstype, strict=True)
            ]
            upload = data.store_upload(
                None, person, person.bestuur, "prognose", "p.csv", forecast.template_bytes(sheet, "csv")
            )
            data.share(None, upload, "totalen", "regio")
        client.force_login(world["people"]["adviseur"])
        return client.get(f"/api/regios/{DEMO}/consistentie").json()

    check = share_with(2 * slack)
    assert check["som"] < check["regio"]["hoog"] and check["te_veel"] is not None and check["te_veel"] > 0
    assert "meer dan de bovenkant van de marge" in client.get(f"/regio/{DEMO}/eigen-gegevens/").content.decode()
    check = share_with(0.25 * slack)
    assert check["te_veel"] is None
