"""Label and code normalisation, with property tests."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dekkend.ingest import _text, labels
from dekkend.ingest.formats.duo_vo import normalise_gemeentecode, normalise_pc6, vestigingscode


@pytest.mark.parametrize(
    ("label", "typ", "vavo"),
    [
        ("Brugjaar 1-2", "brugjaar", False),
        ("VMBO BL lj 3-4", "vmbo-b", False),
        ("VMBO TL lj 3-4", "vmbo-t", False),
        ("HAVO/VWO lj 3", "havo-vwo", False),
        ("VWO lj 4-6", "vwo", False),
        ("Praktijkonderwijs alle vj", "pro", False),
        ("HAVO uitbest. aan VAVO", "havo", True),
        ("VMBO uitbest. aan VAVO", "vmbo-t", True),
        ("Int. Baccelaureaat", "internationaal", False),
        ("  havo lj 4-5 ", "havo", False),
    ],
)
def test_type_labels(label, typ, vavo):
    t = labels.onderwijstype(label)
    assert t is not None and t.onderwijstype == typ and t.vavo == vavo


def test_unknown_type_label_is_not_guessed():
    assert labels.onderwijstype("Mbo niveau 2") is None


@pytest.mark.parametrize(
    ("label", "niveau", "lwoo", "gym"),
    [
        ("Ljvb op VMBO-Bbg/Kbg Lw", ("vmbo-b", "vmbo-k"), False, False),
        ("Ljvb op VWO/HAVO/VMBO-Th/Gm Lw", ("vmbo-g", "vmbo-t", "havo", "vwo"), False, False),
        ("Lj LWOO vb op Alle Lw", ("vmbo-b", "vmbo-k", "vmbo-g", "vmbo-t"), True, False),
        ("VWO-GYMNASIUMSTROOM", ("vwo",), False, True),
        ("MAVO/Theor Lw-VMBO", ("vmbo-t",), False, False),
        ("LWOO Maritiem en techniek Algemeen Leerjaar", ("vmbo-b", "vmbo-k", "vmbo-g", "vmbo-t"), True, False),
    ],
)
def test_first_year_levels(label, niveau, lwoo, gym):
    o = labels.opleiding(label, labels.onderwijstype("Brugjaar 1-2"))
    assert o == labels.Opleiding(niveau, lwoo, gym)


def test_first_year_without_level_is_reported():
    assert labels.opleiding("Iets anders", labels.onderwijstype("Brugjaar 1-2")) is None


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Media, vormgeving en ICT", labels.Afdeling(profiel="media-vormgeving-ict")),
        ("Natuur en Techniek / Natuur en Gezondheid", labels.Afdeling(hv_profiel="NT+NG")),
        ("Vakmanschapsroute Zorg en Welzijn", labels.Afdeling(route="vakmanschapsroute")),
        ("N.v.t.", labels.Afdeling()),
        ("Sterrenkunde", None),
    ],
)
def test_afdeling(label, expected):
    assert labels.afdeling(label) == expected


def test_every_profiel_label_maps_to_its_slug():
    for name, slug in labels.VMBO_PROFIELEN.items():
        assert labels.afdeling(name.title()).profiel == slug


def _raw(values: list[str], brin: list[str]) -> _text.RawTable:
    import numpy as np

    frame = pd.DataFrame({"B": brin, "V": values})
    return _text.RawTable(
        path=__import__("pathlib").Path("x.csv"),
        encoding="utf-8",
        delimiter=";",
        line_ending="LF",
        header=("B", "V"),
        rows=frame,
        lines=np.arange(2, 2 + len(values)),
    )


brin_st = st.from_regex(r"[0-9]{2}[A-Z]{2}", fullmatch=True)


@given(st.lists(st.tuples(brin_st, st.integers(0, 99)), min_size=1, max_size=20))
def test_vestigingscode_from_brin_and_number(pairs):
    codes = vestigingscode(_raw([str(n) for _, n in pairs], [b for b, _ in pairs]), "B", "V")
    assert codes.tolist() == [f"{b}{n:02d}" for b, n in pairs]
    # a 6-character code passes through unchanged, whatever the BRIN column holds
    again = vestigingscode(_raw(codes.tolist(), ["XXXX"] * len(pairs)), "B", "V")
    assert again.tolist() == codes.tolist()


@given(st.integers(1000, 9999), st.from_regex(r"[A-Z]{2}", fullmatch=True), st.sampled_from(["", " ", "  "]))
def test_pc6_normalisation_is_idempotent(num, letters, space):
    once = normalise_pc6(pd.Series([f"{num}{space}{letters.lower()}"]))
    assert once.iloc[0] == f"{num}{letters}"
    assert normalise_pc6(once).iloc[0] == once.iloc[0]


@given(st.integers(1, 9999), st.sampled_from(["", "GM", "gm"]))
def test_gemeentecode_normalisation(n, prefix):
    code = normalise_gemeentecode(pd.Series([f"{prefix}{n}"])).iloc[0]
    assert code == f"{n:04d}" and len(code) == 4


# -- the label table (dekkend/ingest/vo_labels.csv) ------------------------------------------------
def test_label_table_loads_with_known_profielen_sectors_and_routes():
    table = labels.label_table()
    assert len(table) > 900
    assert {m.profiel for m in table.values()} - {None} <= set(labels.PROFIEL_SLUGS)


def test_routes_and_old_programmes():
    vmr = labels.label_meaning("AFDELING", "Vakmanschapsroute Techniek")
    assert vmr == labels.LabelMeaning(None, "techniek", "vakmanschapsroute")
    old = labels.label_meaning("AFDELING", "Bouwtechniek")
    assert old.profiel == "bouwen-wonen-interieur" and old.route == "oud-programma"
    tl = labels.label_meaning("OPLEIDINGSNAAM", "MAVO/Theor Lw-Profiel Techniek")
    assert tl.sector == "techniek" and tl.route == "tl-programma" and tl.profiel is None
    assert labels.label_meaning("AFDELING", "Zorg en welzijn").profiel == "zorg-welzijn"
    assert labels.label_meaning("AFDELING", "iets nieuws") is None
    assert labels.label_meaning("AFDELING", "") == labels.LabelMeaning()


def test_combine_takes_the_sector_cell_first():
    a = labels.LabelMeaning(None, "techniek", "vakmanschapsroute")
    b = labels.LabelMeaning("zorg-welzijn", None, None)
    got = labels.combine([a, None, b], labels.LabelMeaning(None, "economie", None))
    assert got == labels.LabelMeaning("zorg-welzijn", "economie", "vakmanschapsroute")


@given(st.text(max_size=30))
def test_lookup_never_guesses(value):
    meaning = labels.label_meaning("AFDELING", value)
    key = labels._key(value)
    assert (meaning is None) == (key != "" and ("afdeling", key) not in labels.label_table())


def test_theoretische_leerweg_programmes_name_no_profiel():
    from dekkend.ingest.labels import profiel_from_opleiding

    assert profiel_from_opleiding("MAVO/Theor Lw-Profiel Zorg en Welzijn") is None
    assert profiel_from_opleiding("LWOO/Theor Lw-Profiel Techniek") is None
    assert profiel_from_opleiding("VMBO Zorg en welzijn BB") == "zorg-welzijn"


@given(st.integers(min_value=0, max_value=9999))
def test_elementcode_is_four_digits_and_idempotent(n):
    code = labels.elementcode(f" {n} ")
    assert code == f"{n:04d}" and labels.elementcode(code) == code


def test_elementcode_leaves_non_numbers_alone():
    assert labels.elementcode("") == "" and labels.elementcode(" N.v.t. ") == "N.v.t."
