"""CBS imports: population per PC4 (2013 CSV, 2018 Excel), kwb, 85701NED, gemeente lists; quirks, errors, real data."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from conftest import write_bytes
from population_fixtures import (
    GEMEENTEN_PER_JAAR,
    KWB,
    OPSPLITSINGEN,
    R85701,
    SAMENVOEGINGEN,
    pc4_2013,
    pc4_excel,
    statline_85701,
)

from dekkend.errors import InvoerFout, LeegBestand, OnbekendBestand
from dekkend.ingest import _text, import_paths
from dekkend.ingest.formats import FileContext, probe, recognise
from dekkend.ingest.formats.cbs_gemeenten import derive_gemeenten
from dekkend.ingest.formats.cbs_leerlingen import derive_woongemeente, unresolved_names
from dekkend.workspace import Workspace


def _read(path: Path):
    fmt = recognise(probe(path))
    assert fmt is not None, f"{path.name} niet herkend"
    return fmt, fmt.read(FileContext(path, _text.sha256_of(path)))


# -- population per PC4 ----------------------------------------------------------------
def test_pc4_2013_bare_cr_mangled_header_mojibake_and_secret_cells(tmp_path):
    fmt, parsed = _read(pc4_2013(tmp_path / "pc4-bevolking-leeftijd-2013.csv"))
    assert fmt.key == "cbs-pc4-bevolking-2013"
    assert parsed.reference_date.isoformat() == "2013-01-01"
    pc4 = parsed.tables["bevolking_pc4"]
    assert set(pc4["gebied"]) == {"pc4", "overig"}
    assert pc4.loc[pc4["gebied"] == "overig", "pc4"].isna().all()
    sw = pc4[pc4["pc4"] == "8701"]
    assert set(sw["gemeentecode"]) == {"1900"}
    assert set(sw["gemeentenaam"]) == {"Súdwest-Fryslân"}  # Mac-Roman mojibake repaired; the key is the code
    cell = sw[(sw["geslacht"] == "totaal") & (sw["leeftijdsklasse"] == "0-4")]["aantal"]
    assert cell.isna().all()  # '-' is missing, not 0
    assert sw[(sw["geslacht"] == "m") & (sw["leeftijdsklasse"] == "0-4")]["aantal"].isna().all()
    assert set(pc4["leeftijdsklasse"]) == {"totaal", "0-4", "5-9", "95+"}
    gem = parsed.tables["bevolking_gemeente"]
    assert set(gem["gemeentecode"]) == {"0363"}  # the 1GGGG row; 8GGGG stays in bevolking_pc4
    assert int(gem[(gem["geslacht"] == "totaal") & (gem["leeftijdsklasse"] == "totaal")]["aantal"].iloc[0]) == 101


def test_pc4_excel_multirow_header_and_aggregates(tmp_path):
    fmt, parsed = _read(pc4_excel(tmp_path / "pc4-bevolking-2018.xlsx"))
    assert fmt.key == "cbs-pc4-bevolking-excel"
    pc4 = parsed.tables["bevolking_pc4"]
    assert set(pc4["pc4"].dropna()) == {"1011", "1012"}
    women = pc4[(pc4["pc4"] == "1012") & (pc4["geslacht"] == "v") & (pc4["leeftijdsklasse"] == "0-4")]
    assert women["aantal"].tolist() == [10]
    old = pc4[(pc4["pc4"] == "1012") & (pc4["leeftijdsklasse"] == "95+")]
    assert old["leeftijd_van"].tolist() == [95] and old["leeftijd_tot"].isna().all()
    gem = parsed.tables["bevolking_gemeente"]
    assert gem.loc[(gem["geslacht"] == "totaal") & (gem["leeftijdsklasse"] == "totaal"), "aantal"].tolist() == [302]


def test_pc4_excel_bad_count_names_row_and_column(tmp_path):
    rows = [[1011, 100, "veel", 0, 50, 5, 50, 5, "0363", "Amsterdam"]]
    with pytest.raises(InvoerFout) as err:
        _read(pc4_excel(tmp_path / "pc4.xlsx", rows))
    assert err.value.line == 6 and "C" in err.value.column and "'veel' is geen aantal" in str(err.value)


def test_kwb_skips_country_row_and_keeps_cbs_missing_code(tmp_path):
    _, parsed = _read(write_bytes(tmp_path / "kwb-2019-gemeenten.csv", KWB))
    gem = parsed.tables["bevolking_gemeente"]
    assert set(gem["gemeentecode"]) == {"0003", "0820"}
    assert parsed.skipped == {"geen gemeente (land, wijk of buurt)": 1}
    young = gem[(gem["gemeentecode"] == "0820") & (gem["leeftijdsklasse"] == "0-14")]
    assert young["aantal"].isna().all()  # -99997 is missing, not a count


# -- 85701NED ----------------------------------------------------------------------------------
def test_85701_blank_is_missing_pseudo_row_typo_and_suffixes(tmp_path):
    fmt, parsed = _read(statline_85701(tmp_path / "85701NED.csv"))
    assert fmt.key == "cbs-85701ned"
    src = parsed.tables["leerlingen_woongemeente_bron"]
    haren = src[(src["gemeentenaam_bron"] == "Haren") & (src["schooljaar"] == 2019)]
    assert haren["aantal"].isna().all()  # blank: Haren no longer existed, not 0 pupils
    assert src.loc[src["gemeentenaam_bron"] == "Gemeenten; niet in te delen", "ingedeeld"].tolist() == [False]
    assert src.loc[src["gemeentenaam_bron"] == "Beek (L.)", "onderwijssoort"].tolist() == ["vso"]  # 'ondewijs '
    assert src.loc[src["schooljaar"] == 2023, "voorlopig"].all()
    assert "Utrecht (gemeente)" in set(src["gemeentenaam_bron"])  # trailing space trimmed
    tables = dict(parsed.tables)
    tables.update(derive_gemeenten(tables))
    out = derive_woongemeente(tables)
    rows = out["leerlingen_woongemeente"]
    assert unresolved_names(rows).empty
    codes = dict(zip(rows["gemeentenaam_bron"], rows["gemeentecode"], strict=False))
    assert codes["Groningen (gemeente)"] == "0014" and codes["Beek (L.)"] == "0888" and codes["Haren"] == "0017"
    today = out["leerlingen_woongemeente_huidig"]
    vo = today[today["onderwijssoort"] == "vo-totaal"].set_index(["schooljaar", "gemeentecode"])["aantal"]
    assert vo[(2013, "0014")] == 120  # Groningen + Haren on today's map
    haaren = today[(today["schooljaar"] == 2019) & today["via_opsplitsing"]]
    assert set(haaren["gemeentecode"]) == {"0757", "0824", "0855", "0865"}
    assert math.isclose(haaren["aantal"].sum(), 40, rel_tol=1e-5)


def test_85701_unknown_label_is_reported_not_guessed(tmp_path):
    rows = [
        *R85701[:2],
        '"Totaal mannen en vrouwen";"Hoger onderwijs";"2013/\'14";"Groningen (gemeente)";7',
    ]
    _, parsed = _read(statline_85701(tmp_path / "85701.csv", rows))
    assert list(parsed.skipped.values()) == [1]
    assert "Hoger onderwijs" in next(iter(parsed.skipped))


def test_85701_bad_period_and_count(tmp_path):
    with pytest.raises(InvoerFout) as err:
        _read(statline_85701(tmp_path / "a.csv", [R85701[0].replace("2013/'14", "2013-14")]))
    assert err.value.line == 2 and err.value.column == "Perioden"
    with pytest.raises(InvoerFout) as err:
        _read(statline_85701(tmp_path / "b.csv", [*R85701[:3], R85701[3].replace(";130", ";1,3e2")]))
    assert err.value.line == 5 and err.value.column == "Leerlingen/studenten (aantal)"


# -- gemeente lists ----------------------------------------------------------------------------
def test_gemeente_lists_quirks(tmp_path):
    _, per_jaar = _read(write_bytes(tmp_path / "gemeenten_per_jaar.csv", GEMEENTEN_PER_JAAR, newline="\r\n"))
    names = per_jaar.tables["gemeenten_jaar"].set_index("gemeentecode")["gemeentenaam"].to_dict()
    assert names["0518"] == "'s-Gravenhage" and names["1900"] == "Súdwest-Fryslân"
    fmt, merged = _read(write_bytes(tmp_path / "samenvoegingen.csv", SAMENVOEGINGEN))
    assert fmt.key == "cbs-samenvoegingen"
    ch = merged.tables["gemeente_wijzigingen"]
    maasdonk = ch[ch["code_oud"] == "1671"]
    assert set(maasdonk["code_nieuw"]) == {"0796", "0828"} and set(maasdonk["soort"]) == {"opsplitsing"}
    assert ch.loc[ch["code_oud"] == "1921", "naam_oud"].tolist() == ["De Friese Meren"]
    assert ch.loc[ch["code_oud"] == "1921", "soort"].tolist() == ["naamswijziging"]
    fmt, split = _read(write_bytes(tmp_path / "opsplitsingen.csv", OPSPLITSINGEN))
    assert fmt.key == "cbs-opsplitsingen"
    assert set(split.tables["gemeente_wijzigingen"]["soort"]) == {"opsplitsing"}


def test_unresolvable_code_0000_is_an_error(tmp_path):
    text = "jaar,code_oud,gemeentenaam_oud,code_nieuw,gemeentenaam_nieuw\n2015,1671,Maasdonk,0000,Nergensland/Oss\n"
    with pytest.raises(InvoerFout) as err:
        _read(write_bytes(tmp_path / "s.csv", text))
    assert err.value.line == 2


# -- bad input leaves the workspace unchanged ----------------------------------------------------
@pytest.fixture
def workspace(tmp_path):
    ws = Workspace(tmp_path / "w")
    import_paths([write_bytes(tmp_path / "goed" / "kwb-2019.csv", KWB)], ws)
    return ws


def _snapshot(ws: Workspace) -> dict[str, pd.DataFrame]:
    return {n: ws.table(n) for n in ws.table_names()}


BAD = {
    "truncated": (
        lambda p: statline_85701(p, [*R85701[:3], '"Totaal mannen en vrouwen";"Totaal voortgezet onderwijs";"2019']),
        5,
        None,
    ),
    "wrong_delimiter": (
        lambda p: write_bytes(p, "jaar,gemeentenaam,code\n2024,Groningen,0014\n2024;Assen;0106\n"),
        3,
        None,
    ),
    "non_numeric": (lambda p: write_bytes(p, KWB.replace("11721", "elfduizend")), 3, "population"),
    "duplicate_key": (
        lambda p: pc4_2013(p, ["0,1011,1,1,0,0,1,1,0,0,1,363,A", "1,1011,1,1,0,0,1,1,0,0,1,363,A"]),
        3,
        None,
    ),
    "bad_code": (
        lambda p: pc4_2013(p, ["0,ABCD,1,1,0,0,1,1,0,0,1,363,A"]),
        2,
        "PostcodesOp1Januari",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_names_file_line_column_and_changes_nothing(workspace, tmp_path, case):
    make, line, column = BAD[case]
    before = _snapshot(workspace)
    bad = make(tmp_path / "slecht" / f"{case}.csv")
    with pytest.raises(InvoerFout) as err:
        import_paths([bad], workspace)
    assert err.value.file == str(bad) and err.value.line == line
    if column:
        assert err.value.column == column
    assert f"regel {line}" in str(err.value) and str(bad) in str(err.value)
    after = _snapshot(Workspace(workspace.path))
    assert after.keys() == before.keys()
    for name in before:
        pd.testing.assert_frame_equal(after[name], before[name])


def test_empty_and_unknown_files(workspace, tmp_path):
    header_only = write_bytes(tmp_path / "x" / "leeg.csv", "jaar,gemeentenaam,code\n")
    before = _snapshot(workspace)
    with pytest.raises(LeegBestand) as err:
        import_paths([header_only], workspace)
    assert "geen gegevens" in str(err.value) and str(header_only) in str(err.value)
    unknown = write_bytes(tmp_path / "y" / "iets.csv", "kolom_a;kolom_b\n1;2\n")
    with pytest.raises(OnbekendBestand, match="kopregel niet herkend: kolom_a, kolom_b"):
        import_paths([unknown], workspace)  # named explicitly: an error
    result = import_paths([unknown.parent], workspace)  # found in a folder: skipped with the reason
    assert result.files[0].status == "overgeslagen" and "niet herkend" in result.files[0].reason
    after = _snapshot(Workspace(workspace.path))
    assert after.keys() == before.keys() and all(after[n].equals(before[n]) for n in before)


# -- real data ----------------------------------------------------------------------------------------
def _within_rounding(pc4_sum: pd.Series, agg: pd.Series, rows: pd.Series) -> pd.Series:
    """CBS rounds every PC4 cell at random to a multiple of 5: the sum of n cells may differ by a few tens."""
    return (agg - pc4_sum).abs() <= (10 * rows.pow(0.5)).clip(lower=10)


@pytest.mark.realdata
@pytest.mark.parametrize("name", ["pc4-bevolking-leeftijd-2013.csv", "pc4-bevolking-leeftijd-2018.xls"])
def test_real_population_per_gemeente_matches_aggregate_rows(shared_data, name):
    _, parsed = _read(shared_data / "cbs" / name)
    pc4 = parsed.tables["bevolking_pc4"]
    gem = parsed.tables["bevolking_gemeente"]
    tot = pc4[(pc4["geslacht"] == "totaal") & (pc4["leeftijdsklasse"] == "totaal")]
    sums = tot.groupby("gemeentecode")["aantal"].sum()
    rows = tot.groupby("gemeentecode").size()
    agg = gem[(gem["geslacht"] == "totaal") & (gem["leeftijdsklasse"] == "totaal")].set_index("gemeentecode")["aantal"]
    assert set(sums.index) == set(agg.index)
    ok = _within_rounding(sums, agg.reindex(sums.index), rows)
    assert ok.all(), sums[~ok]
    assert abs(int(sums.sum()) - int(agg.sum())) / int(agg.sum()) < 1e-3
    for sex in ("m", "v"):  # the sexes add up too, per gemeente
        part = (
            pc4[(pc4["geslacht"] == sex) & (pc4["leeftijdsklasse"] == "totaal")].groupby("gemeentecode")["aantal"].sum()
        )
        aggs = gem[(gem["geslacht"] == sex) & (gem["leeftijdsklasse"] == "totaal")].set_index("gemeentecode")["aantal"]
        assert _within_rounding(part, aggs.reindex(part.index), rows).all()


@pytest.fixture(scope="module")
def real_85701(shared_data):
    tables: dict[str, pd.DataFrame] = {}
    for name in (
        "85701NED-leerlingen-naar-woongemeente-2013-2023.csv",
        "gemeenten_per_jaar.csv",
        "samenvoegingen.csv",
        "opsplitsingen.csv",
    ):
        for key, frame in _read(shared_data / "cbs" / name)[1].tables.items():
            tables[key] = pd.concat([tables[key], frame]) if key in tables else frame
    tables.update(derive_gemeenten(tables))
    tables.update(derive_woongemeente(tables))
    return tables


@pytest.mark.realdata
def test_real_85701_every_row_maps_to_a_code(real_85701):
    rows = real_85701["leerlingen_woongemeente"]
    assert len(rows) == 34342 and rows["gemeentenaam_bron"].nunique() == 446
    assert unresolved_names(rows).empty
    filled = rows[rows["aantal"].notna()]
    assert filled.loc[filled["ingedeeld"], "gemeentecode"].notna().all()
    assert (~filled["ingedeeld"]).sum() == 77  # 'Gemeenten; niet in te delen': 7 soorten x 11 years
    assert rows["aantal"].isna().sum() == 5488  # blanks stay missing


@pytest.mark.realdata
def test_real_85701_vo_total_every_year_on_todays_gemeenten(real_85701):
    today = real_85701["leerlingen_woongemeente_huidig"]
    current = set(real_85701["gemeenten"]["gemeentecode"])
    vo = today[today["onderwijssoort"] == "vo-totaal"]
    src = real_85701["leerlingen_woongemeente"]
    src_vo = src[(src["onderwijssoort"] == "vo-totaal") & src["ingedeeld"]].groupby("schooljaar")["aantal"].sum()
    for year in range(2013, 2024):
        rows = vo[vo["schooljaar"] == year]
        assert set(rows["gemeentecode"]) == current, year
        assert rows["aantal"].notna().all()
        assert math.isclose(rows["aantal"].sum(), int(src_vo[year]), rel_tol=1e-6)
    assert vo.loc[vo["schooljaar"] == 2023, "voorlopig"].all()
