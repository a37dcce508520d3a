"""The demo region's simulated board data: made once at the first start, shown with the nowcast and the check.

And the nowcast's history in the workspace: a board's registrations of years DUO counted since, matched to that
count, give the ratio (with the years shown); with too little history the page says it used dekkend's prior.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dekkend import forecast
from dekkend.workspace import Workspace
from web.conftest import REGION_IDS


@pytest.fixture
def demo_started(db, web_werkmap):
    """The web map after ``dekkend web`` first started on the demo werkmap (``setup_demo``, as the server calls it)."""
    from dekkend.web import accounts
    from dekkend.web.models import Regio

    made = accounts.setup_demo(web_werkmap)
    return Regio.objects.get(selectie="nl"), made


def test_the_first_start_uploads_simulated_board_data_and_a_restart_adds_nothing(demo_started, web_werkmap):
    from dekkend.web import accounts
    from dekkend.web.bestuursdata.models import Upload

    regio, _ = demo_started
    boards = list(regio.besturen.order_by("code"))
    assert len(boards) >= 3
    first = {(u.bestuur.code, u.soort, u.versie, u.niveau, u.met) for u in Upload.objects.all()}
    assert {(b, s) for b, s, *_ in first} == {(b.code, s) for b in boards for s in ("aanmeldingen", "prognose")}
    for code, soort, versie, niveau, met in first:
        assert versie == 1
        assert (niveau, met) == (("totalen", "regio") if soort == "prognose" else ("niets", "adviseur")), code
    registrations = {u.bestuur.code: u.rijen for u in Upload.objects.filter(soort="aanmeldingen")}
    last = int(Workspace(web_werkmap).table("leerlingen")["schooljaar"].max())
    for board in boards[:-1]:  # history years for all but the last board, whose page shows the prior
        assert {r["schooljaar"] for r in registrations[board.code]} == set(range(last - 3, last + 2))
    assert {r["schooljaar"] for r in registrations[boards[-1].code]} == {last + 1}
    accounts.setup_demo(web_werkmap)  # a restart
    accounts.setup_demo(web_werkmap)
    assert {(u.bestuur.code, u.soort, u.versie, u.niveau, u.met) for u in Upload.objects.all()} == first
    Upload.objects.filter(bestuur=boards[0]).delete()  # a visitor deletes a board's demo data: it stays deleted
    accounts.setup_demo(web_werkmap)
    assert not Upload.objects.filter(bestuur=boards[0]).exists()


def test_the_simulation_is_deterministic(web_werkmap):
    from dekkend.web.bestuursdata import demo

    tables = Workspace(web_werkmap).tables()
    day = dt.date(2026, 12, 1)
    one, two = (demo.registrations(tables, "99002", True, day) for _ in range(2))
    assert one.equals(two) and one["aanmeldingen"].astype(int).sum() > 0


def test_a_board_sees_its_nowcast_with_history_and_the_region_the_check(client, demo_started, web_werkmap):
    from dekkend.web.bestuursdata import data
    from dekkend.web.models import Gebruiker

    regio, _ = demo_started
    found = data.intake(regio) or data.compute_intake(regio)
    boards = list(regio.besturen.order_by("code"))
    client.force_login(Gebruiker.objects.get(email=f"bestuur{boards[0].code}@demo.dekkend.nl"))
    page = client.get(f"/regio/{regio.pk}/eigen-gegevens/").content.decode()
    assert "gesimuleerde cijfers" in page and "met en zonder uw aanmeldingen" in page
    assert "uw eigen historie</strong>, 4 jaar" in page
    client.force_login(Gebruiker.objects.get(email=f"bestuur{boards[-1].code}@demo.dekkend.nl"))
    page = client.get(f"/regio/{regio.pk}/eigen-gegevens/").content.decode()
    assert "aanname van dekkend</strong>" in page and "geen eigen historie" in page
    client.force_login(Gebruiker.objects.get(email="adviseur@demo.dekkend.nl"))
    check = client.get(f"/api/regios/{regio.pk}/consistentie").json()
    assert check["bijdragers"] == len(boards) and check["som"] is not None
    year = found["peiljaar"] + 1
    from dekkend.web.bestuursdata.access import current
    from dekkend.web.bestuursdata.models import Upload

    newest = current(Upload.objects.filter(bestuur__in=boards, soort="prognose"))
    shared = sum(r["aantal"] for u in newest for r in u.rijen if r["schooljaar"] == year)
    assert check["som"] == pytest.approx(shared)


def test_no_simulated_data_on_a_werkmap_that_is_not_the_demo(db, web_werkmap, tmp_path):
    from dekkend.web.bestuursdata import demo
    from dekkend.web.bestuursdata.models import Upload
    from dekkend.web.paths import is_demo

    tables = Workspace(web_werkmap).tables()
    files = tables["bestanden"].copy()
    files["formaat"] = "duo-csv"
    real = Workspace(tmp_path / "echt")
    real.replace({**tables, "bestanden": files})
    assert not is_demo(real.path) and is_demo(web_werkmap)
    from dekkend.web import accounts

    regio = accounts.add_region(real.path, "Echte regio", "nl")
    assert demo.seed(real.path, regio) == 0
    assert not Upload.objects.exists()


# --- history: registrations of counted years matched to DUO's count ---------------------------------------------


def test_history_rows_feed_the_ratio_and_the_page_names_the_years(client, world):
    """A board uploads its registrations of three counted years beside this year's: the ratio comes from them."""
    from dekkend.web.bestuursdata import data

    person = world["people"]["bestuur"]
    board = person.bestuur
    tables = data._tables()
    pupils = tables["leerlingen"]
    last = int(pupils["schooljaar"].max())
    ctx = data.context(board, tables)
    first = pupils[pupils["leerjaar"] == 1].groupby(["vestigingscode", "onderwijstype", "schooljaar"])["aantal"].sum()
    sheets = []
    for year, share in ((last - 2, 0.80), (last - 1, 0.82), (last, 0.81), (last + 1, None)):
        sheet = forecast.template("aanmeldingen", ctx.offer, last)
        sheet["peildatum"] = f"20-03-{year}"
        base = [
            first.get((c, t, year if share else last), 0)
            for c, t in zip(sheet.vestigingscode, sheet.onderwijstype, strict=True)
        ]
        sheet["aanmeldingen"] = [str(round(b * (share or 0.8))) for b in base]
        sheets.append(sheet)
    content = forecast.template_bytes(pd.concat(sheets, ignore_index=True), "csv")
    upload = data.store_upload(None, person, board, "aanmeldingen", "a.csv", content)
    found = data.intake(world["regions"]["demo"]) or data.compute_intake(world["regions"]["demo"])
    result = data.nowcast_rows(upload, found)
    assert {r["schooljaar"] for r in result["rijen"]} == {last + 1}  # history rows are not nowcast
    (ratio,) = result["verhoudingen"]
    assert ratio["bron"] == "historie" and ratio["jaren"] == [last - 2, last - 1, last]
    assert 0.78 < ratio["verwacht"] < 0.84 and ratio["laag"] <= ratio["verwacht"] <= ratio["hoog"]
    client.force_login(person)
    page = client.get(f"/regio/{REGION_IDS['demo']}/eigen-gegevens/").content.decode()
    assert f"uw eigen historie</strong>, 3 jaar ({last - 2}, {last - 1}, {last})" in page


def test_one_year_of_history_falls_back_to_the_prior_and_says_why(world):
    from dekkend.web.bestuursdata import data

    person = world["people"]["bestuur"]
    tables = data._tables()
    last = int(tables["leerlingen"]["schooljaar"].max())
    ctx = data.context(person.bestuur, tables)
    sheet = forecast.template("aanmeldingen", ctx.offer, last)
    old, new = sheet.assign(peildatum=f"15-03-{last}"), sheet.assign(peildatum=f"15-03-{last + 1}")
    both = pd.concat([old, new], ignore_index=True)
    both["aanmeldingen"] = "10"
    upload = data.store_upload(
        None, person, person.bestuur, "aanmeldingen", "a.csv", forecast.template_bytes(both, "csv")
    )
    found = data.intake(world["regions"]["demo"]) or data.compute_intake(world["regions"]["demo"])
    (ratio,) = data.nowcast_rows(upload, found)["verhoudingen"]
    assert ratio["bron"] == "aanname" and "te weinig eigen historie (1 eerder jaar" in ratio["uitleg"]
    assert ratio["jaren"] == [] and [h["jaar"] for h in ratio["historie"]] == [last]


def test_the_nowcast_of_a_region_page_leaves_out_the_board_s_vestigingen_elsewhere(world):
    """A board spanning regions: a region's page nowcasts only the region's vestigingen, and names the others."""
    from dekkend.web.bestuursdata import data

    person = world["people"]["bestuur"]
    tables = data._tables()
    last = int(tables["leerlingen"]["schooljaar"].max())
    ctx = data.context(person.bestuur, tables)
    sheet = forecast.template("aanmeldingen", ctx.offer, last).assign(peildatum=f"15-03-{last + 1}", aanmeldingen="20")
    upload = data.store_upload(
        None, person, person.bestuur, "aanmeldingen", "a.csv", forecast.template_bytes(sheet, "csv")
    )
    found = data.intake(world["regions"]["demo"]) or data.compute_intake(world["regions"]["demo"])
    elsewhere = sheet["vestigingscode"].iloc[0]
    narrowed = {
        **found,
        "besturen": {c: b for c, b in found["besturen"].items() if c != elsewhere},
        "rijen": [r for r in found["rijen"] if r["vestigingscode"] != elsewhere],
    }
    result = data.nowcast_rows(upload, narrowed)
    assert result["buiten_regio"] == [elsewhere]
    assert {r["vestigingscode"] for r in result["rijen"]} == set(sheet["vestigingscode"]) - {elsewhere}
    assert set(result["totaal"]) == {"met", "zonder"}  # every row left has the model's forecast beside it


def test_the_upload_message_names_the_rows_that_became_history(client, world):
    """A registration dated in a year DUO counted is history, not an error: the board is told which, so a typo shows."""
    import io

    from dekkend.web.bestuursdata import data

    person = world["people"]["bestuur"]
    tables = data._tables()
    last = int(tables["leerlingen"]["schooljaar"].max())
    ctx = data.context(person.bestuur, tables)
    sheet = forecast.template("aanmeldingen", ctx.offer, last).assign(aanmeldingen="12")
    sheet["peildatum"] = [f"15-03-{last if i == 0 else last + 1}" for i in range(len(sheet))]
    handle = io.BytesIO(forecast.template_bytes(sheet, "csv"))
    handle.name = "a.csv"
    client.force_login(person)
    response = client.post(
        f"/regio/{REGION_IDS['demo']}/eigen-gegevens/upload/", {"soort": "aanmeldingen", "bestand": handle}, follow=True
    )
    assert f"1 regel(s) met een peildatum in een jaar dat DUO al telde ({last}) gelden als uw historie" in (
        response.content.decode()
    )
