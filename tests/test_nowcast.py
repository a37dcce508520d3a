"""The nowcast (registrations adjust a board's leerjaar-1 intake) and the board-upload templates and checks."""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dekkend.demo import build_demo_workspace
from dekkend.forecast import (
    UploadContext,
    UploadFout,
    board_offer,
    board_ratio,
    nowcast,
    prior_ratio,
    ratio_from_history,
    read_upload,
    registration_history,
    simulate_registrations,
    template,
    template_bytes,
)
from dekkend.workspace import Workspace

dates = st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2025, 12, 31))
counts = st.floats(min_value=0, max_value=2000, allow_nan=False)


@given(
    registrations=counts,
    date=dates,
    mean=counts,
    spread=st.floats(min_value=0, max_value=1),
    history=st.lists(st.tuples(counts, st.floats(min_value=1, max_value=2000)), max_size=6),
)
@settings(max_examples=300, deadline=None)
def test_nowcast_interval_holds_its_mean(registrations, date, mean, spread, history):
    result = nowcast(registrations, date, (mean, mean * (1 - spread), mean * (1 + spread)), history)
    assert 0 <= result.laag <= result.verwacht <= result.hoog
    assert np.isfinite(result.hoog)


@given(date=dates)
def test_prior_is_stated_and_ordered(date):
    prior = prior_ratio(date)
    if date.month < 2 or date.month >= 10:
        assert prior is None
    else:
        assert prior is not None and 0 < prior.laag < prior.verwacht < prior.hoog
        assert "eigen keuze" in prior.uitleg


def test_without_a_usable_date_the_forecast_is_unchanged():
    result = nowcast(40, dt.date(2025, 1, 10), (100, 80, 125))
    assert result.verwacht == pytest.approx(100) and (result.laag, result.hoog) == pytest.approx((80, 125))


def test_late_registrations_outweigh_the_model():
    """In September registrations are nearly complete: a board with far more registrations than forecast moves."""
    result = nowcast(150, dt.date(2025, 9, 1), (100, 80, 125))
    assert result.verwacht > 140 and result.laag > 125


def test_history_ratio_interval_widens_with_spread():
    tight = ratio_from_history([(90, 100), (91, 100), (89, 100)])
    loose = ratio_from_history([(70, 100), (95, 100), (110, 100)])
    assert tight is not None and loose is not None
    assert tight.hoog - tight.laag < loose.hoog - loose.laag
    assert ratio_from_history([(90, 100)]) is None


def _matched(pairs, years=None):
    years = years or list(range(2015, 2015 + len(pairs)))
    return pd.DataFrame(
        [(y, f"{y}-03-15", reg, octo, 1) for y, (reg, octo) in zip(years, pairs, strict=True)],
        columns=["jaar", "peildatum", "aanmeldingen", "oktober", "rijen"],
    )


def test_without_enough_history_the_prior_is_used_and_the_reason_given():
    date = dt.date(2025, 3, 15)
    prior = prior_ratio(date)
    none, one = board_ratio(_matched([]), date), board_ratio(_matched([(80, 100)]), date)
    for ratio in (none, one):
        assert ratio is not None and ratio.bron == "aanname" and ratio.jaren == ()
        assert (ratio.verwacht, ratio.laag, ratio.hoog) == (prior.verwacht, prior.laag, prior.hoog)
    assert none.uitleg.startswith("geen eigen historie") and "te weinig eigen historie (1 eerder jaar" in one.uitleg
    assert board_ratio(_matched([(80, 100)]), dt.date(2025, 1, 10)) is None  # no prior in January either
    two = board_ratio(_matched([(80, 100), (84, 100)]), date)
    assert two.bron == "historie" and two.jaren == (2015, 2016) and "2015, 2016" in two.uitleg
    with_reason, plain = nowcast(50, date, (60, 50, 70), ratio=none), nowcast(50, date, (60, 50, 70))
    assert (with_reason.verwacht, with_reason.laag, with_reason.hoog) == (plain.verwacht, plain.laag, plain.hoog)
    assert "geen eigen historie; aanname van dekkend" in with_reason.uitleg


pairs = st.lists(
    st.tuples(st.floats(min_value=0, max_value=500), st.floats(min_value=1, max_value=500)), min_size=2, max_size=8
)


@given(history=pairs, date=dates)
@settings(max_examples=200, deadline=None)
def test_a_history_ratio_holds_its_estimate(history, date):
    ratio = board_ratio(_matched(history), date)
    if ratio is not None:
        assert 0 < ratio.laag <= ratio.verwacht <= ratio.hoog
        assert (ratio.bron == "historie") == (len(ratio.jaren) == len(history))


@given(history=pairs, shrink=st.floats(min_value=0, max_value=1))
@settings(max_examples=200, deadline=None)
def test_a_more_consistent_history_narrows_the_interval(history, shrink):
    """The same years with every ratio moved towards their mean: the interval is no wider."""
    ratios = [reg / octo for reg, octo in history]
    mean = sum(ratios) / len(ratios)
    closer = [(100 * (mean + shrink * (r - mean)), 100.0) for r in ratios]
    date = dt.date(2025, 4, 1)
    wide, narrow = board_ratio(_matched(history), date), board_ratio(_matched(closer), date)
    if wide.bron == "historie":
        assert narrow.bron == "historie"
        assert narrow.hoog - narrow.laag <= (wide.hoog - wide.laag) * (1 + 1e-9) + 1e-12


def test_registration_history_matches_the_date_and_duo_s_count():
    pupils = pd.DataFrame(
        [
            ("99AA00", "havo", 1, 2022, 40),
            ("99AA00", "havo", 1, 2023, 50),
            ("99AA00", "vwo", 1, 2023, 30),
            ("99AA00", "havo", 2, 2023, 99),  # leerjaar 2: not the intake
        ],
        columns=["vestigingscode", "onderwijstype", "leerjaar", "schooljaar", "aantal"],
    )
    regs = pd.DataFrame(
        [
            ("99AA00", "havo", "2023-03-20", 2023, 44),  # newest version first: this one counts
            ("99AA00", "havo", "2023-03-20", 2023, 1),
            ("99AA00", "vwo", "2023-03-20", 2023, 27),
            ("99AA00", "havo", "2023-06-01", 2023, 49),  # far from 15 March
            ("99AA00", "havo", "2022-05-01", 2022, 39),  # 45 days off: outside the window
            ("99AA00", "pro", "2024-03-15", 2024, 5),  # not counted yet: no history
        ],
        columns=["vestigingscode", "onderwijstype", "peildatum", "schooljaar", "aantal"],
    )
    matched = registration_history(regs, pupils, dt.date(2025, 3, 15))
    assert matched.to_dict("records") == [
        {"jaar": 2023, "peildatum": "2023-03-20", "aanmeldingen": 71.0, "oktober": 80.0, "rijen": 2}
    ]
    later = registration_history(regs, pupils, dt.date(2025, 5, 20))
    assert [(r.jaar, r.peildatum, r.aanmeldingen) for r in later.itertuples()] == [
        (2022, "2022-05-01", 39.0),
        (2023, "2023-06-01", 49.0),
    ]
    assert registration_history(regs.iloc[:0], pupils, dt.date(2025, 3, 15)).empty


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return build_demo_workspace(Workspace(tmp_path_factory.mktemp("nowcast") / "w")).tables()


def test_nowcast_on_simulated_registrations_of_the_demo_region(demo):
    """Simulated registrations (real ones are not public) from the demo's leerjaar-1 counts per vestiging x type.

    The last five years of each series are nowcast at three dates from the years before: with that history
    the 80% interval covers about 80%; with dekkend's prior alone (no history) at least 80% (the prior is wide);
    both estimate the October count better than the no-change forecast (last year's count).
    """
    pupils = demo["leerlingen"]
    first = pupils[pupils["leerjaar"] == 1].groupby(["vestigingscode", "onderwijstype", "schooljaar"])["aantal"].sum()
    covered, errors, n = np.zeros(2), np.zeros(3), 0
    for seed, date in enumerate([dt.date(2025, 3, 1), dt.date(2025, 4, 15), dt.date(2025, 6, 1)]):
        rng = np.random.default_rng(seed)
        for _, series in first.groupby(level=[0, 1]):
            october = series.to_numpy(float)
            if len(october) < 8 or october.mean() < 20:
                continue
            registered = simulate_registrations(october, date, rng)
            for t in range(len(october) - 5, len(october)):
                history = list(zip(registered[:t], october[:t], strict=True))
                results = [nowcast(registered[t], date, None, history), nowcast(registered[t], date)]
                covered += [r.laag <= october[t] <= r.hoog for r in results]
                errors += [abs(r.verwacht - october[t]) for r in results] + [abs(october[t - 1] - october[t])]
                n += 1
    assert n >= 100
    assert 0.7 <= covered[0] / n <= 0.92, covered / n
    assert covered[1] / n >= 0.8, covered / n
    assert errors[0] < errors[2] and errors[1] < errors[2], errors / n


def test_board_offer_and_template(demo):
    offer = board_offer(demo, "99002")
    assert set(offer["vestigingscode"]) <= set(demo["vestigingen"].query("bestuur == '99002'")["vestigingscode"])
    assert (offer["grootste"] > 0).all()
    sheet = template("aanmeldingen", offer, 2024)
    assert len(sheet) == len(offer) and (sheet["aanmeldingen"] == "").all()
    forecast = template("prognose", offer, 2024)
    assert set(forecast["schooljaar"]) == {2025, 2026, 2027, 2028, 2029}
    xlsx = template_bytes(sheet, "xlsx")
    assert pd.read_excel(io.BytesIO(xlsx), dtype=str, engine="openpyxl").shape == sheet.shape


def test_the_offer_leaves_out_a_vestiging_without_leerjaar_1_in_the_newest_year(demo):
    """A closed vestiging (its last leerjaar 1 counted years ago) gets no template row and cannot be uploaded."""
    pupils = demo["leerlingen"]
    last = int(pupils["schooljaar"].max())
    closed = board_offer(demo, "99002")["vestigingscode"].iloc[0]
    gone = pupils[~((pupils["vestigingscode"] == closed) & (pupils["schooljaar"] >= last - 2))]
    offer = board_offer({**demo, "leerlingen": gone}, "99002")
    assert closed not in set(offer["vestigingscode"]) and len(offer) > 0
    assert set(offer["vestigingscode"]) == set(board_offer(demo, "99002")["vestigingscode"]) - {closed}


def _context(demo, board="99002"):
    return UploadContext(
        offer=board_offer(demo, board),
        boards=dict(
            zip(demo["vestigingen"]["vestigingscode"], demo["vestigingen"]["bestuur"].astype(str), strict=True)
        ),
        last_count_year=int(demo["leerlingen"]["schooljaar"].max()),
        today=dt.date(2025, 5, 1),
    )


def _filled(demo, fmt: str, board="99002") -> tuple[bytes, pd.DataFrame]:
    ctx = _context(demo, board)
    sheet = template("aanmeldingen", ctx.offer, ctx.last_count_year)
    sheet["peildatum"] = "15-03-2025"
    sheet["aanmeldingen"] = [str(int(g * 0.8)) for g in ctx.offer["grootste"]]
    return template_bytes(sheet, fmt), sheet


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_filled_template_reads_back(demo, fmt):
    content, sheet = _filled(demo, fmt)
    rows = read_upload("aanmeldingen", content, f"a.{fmt}", _context(demo))
    assert len(rows) == len(sheet) and (rows["schooljaar"] == 2025).all()
    assert rows["aantal"].sum() == sum(int(v) for v in sheet["aanmeldingen"])


def test_bad_rows_are_named_in_dutch_and_nothing_is_accepted(demo):
    ctx = _context(demo)
    once = template("aanmeldingen", ctx.offer, ctx.last_count_year)
    sheet = pd.concat([once, once], ignore_index=True)  # rows 5-8 repeat rows 1-4, which all fail
    sheet["peildatum"] = "15-03-2025"
    sheet["aanmeldingen"] = "10"
    other = demo["vestigingen"].query("bestuur != '99002'")["vestigingscode"].iloc[0]
    sheet.loc[0, "vestigingscode"] = "00XX99"
    sheet.loc[1, "vestigingscode"] = other
    sheet.loc[2, "aanmeldingen"] = "-3"
    sheet.loc[3, "aanmeldingen"] = "99999"
    sheet.loc[4, "onderwijstype"] = "gymnasium"
    sheet.loc[5, "peildatum"] = "31-02-2025"
    with pytest.raises(UploadFout) as caught:
        read_upload("aanmeldingen", template_bytes(sheet, "csv"), "aanm.csv", ctx)
    found = {(line, column): text for line, column, text in caught.value.fouten}
    assert "onbekende vestiging" in found[(2, "vestigingscode")]
    assert "ander bestuur" in found[(3, "vestigingscode")]
    assert "negatief" in found[(4, "aanmeldingen")]
    assert "onwaarschijnlijk" in found[(5, "aanmeldingen")]
    assert "geen leerjaar 1 'gymnasium'" in found[(6, "onderwijstype")]
    assert "geen datum" in found[(7, "peildatum")]
    assert "niets is opgeslagen" in str(caught.value) and "aanm.csv" in str(caught.value)


@given(bad=st.integers(min_value=0, max_value=20), value=st.sampled_from(["-1", "abc", "1,5", "1e9"]))
@settings(max_examples=25, deadline=None)
def test_one_bad_row_rejects_the_whole_file(demo, bad, value):
    ctx = _context(demo)
    sheet = template("aanmeldingen", ctx.offer, ctx.last_count_year)
    sheet["peildatum"] = "01-04-2025"
    sheet["aanmeldingen"] = "5"
    row = bad % len(sheet)
    sheet.loc[row, "aanmeldingen"] = value
    with pytest.raises(UploadFout) as caught:
        read_upload("aanmeldingen", template_bytes(sheet, "csv"), "x.csv", ctx)
    assert [(line, col) for line, col, _ in caught.value.fouten] == [(row + 2, "aanmeldingen")]


def test_forecast_upload_checks_years_and_double_totals(demo):
    ctx = _context(demo)
    sheet = template("prognose", ctx.offer, ctx.last_count_year)
    sheet["leerlingen_leerjaar_1"] = "20"
    code = sheet.loc[0, "vestigingscode"]
    extra = pd.DataFrame(
        [
            {
                "vestigingscode": code,
                "vestiging": "",
                "onderwijstype": "totaal",
                "schooljaar": 2025,
                "leerlingen_leerjaar_1": "60",
            }
        ]
    )
    late = sheet.iloc[[0]].assign(schooljaar=2040)
    with pytest.raises(UploadFout) as caught:
        read_upload("prognose", template_bytes(pd.concat([sheet, extra, late]), "csv"), "p.csv", ctx)
    messages = " | ".join(text for _, _, text in caught.value.fouten)
    assert "telt dubbel" in messages and "geen schooljaar" in messages
    rows = read_upload("prognose", template_bytes(sheet, "xlsx"), "p.xlsx", ctx)
    assert len(rows) == len(sheet) and rows["schooljaar"].min() == ctx.last_count_year + 1


def test_missing_columns_and_empty_files(demo):
    ctx = _context(demo)
    with pytest.raises(UploadFout, match="kolom 'peildatum'"):
        read_upload("aanmeldingen", b"vestigingscode;onderwijstype;aanmeldingen\n99BB00;havo;3\n", "a.csv", ctx)
    empty = template_bytes(template("aanmeldingen", ctx.offer, ctx.last_count_year), "csv")
    with pytest.raises(UploadFout, match="geen enkel getal"):
        read_upload("aanmeldingen", empty, "a.csv", ctx)
    with pytest.raises(UploadFout, match="alleen .csv of .xlsx"):
        read_upload("aanmeldingen", b"x", "a.pdf", ctx)


def test_board_history_from_simulated_registrations_of_the_demo_region(demo):
    """A demo board's simulated registrations of six counted years, matched to DUO's count: the ratio comes out
    around the ratio the simulation drew around, and the October side is exactly DUO's leerjaar-1 count."""
    pupils = demo["leerlingen"]
    last = int(pupils["schooljaar"].max())
    offer = board_offer(demo, "99002")
    first = pupils[pupils["leerjaar"] == 1].groupby(["vestigingscode", "onderwijstype", "schooljaar"])["aantal"].sum()
    rng = np.random.default_rng(7)
    rows = []
    for r in offer.itertuples():
        years = list(range(last - 5, last + 1))
        october = [float(first.get((r.vestigingscode, r.onderwijstype, y), 0)) for y in years]
        for year, drawn in zip(years, simulate_registrations(october, dt.date(last, 3, 15), rng), strict=True):
            rows.append((r.vestigingscode, r.onderwijstype, f"{year}-03-15", year, drawn))
    regs = pd.DataFrame(rows, columns=["vestigingscode", "onderwijstype", "peildatum", "schooljaar", "aantal"])
    matched = registration_history(regs, pupils, dt.date(last + 1, 3, 10))
    assert list(matched["jaar"]) == list(range(last - 5, last + 1))
    own = set(offer["vestigingscode"])
    duo = first[first.index.get_level_values(0).isin(own)].groupby(level=2).sum()
    assert list(matched["oktober"]) == [float(duo.get(y, 0)) for y in matched["jaar"]]
    ratio = board_ratio(matched, dt.date(last + 1, 3, 10))
    drawn_around = prior_ratio(dt.date(last, 3, 15)).verwacht
    assert ratio.bron == "historie" and ratio.laag <= drawn_around <= ratio.hoog
    assert (
        ratio.hoog - ratio.laag
        < prior_ratio(dt.date(last + 1, 3, 10)).hoog - prior_ratio(dt.date(last + 1, 3, 10)).laag
    )
