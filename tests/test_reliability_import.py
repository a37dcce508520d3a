"""Issue 23, data integrity: nothing counted twice within one import, nothing lost to a second
import,
a missing count column is an error, explicitly named unreadable files are errors naming why."""

from __future__ import annotations

import gzip
import os
import shutil

import pandas as pd
import pytest
from conftest import write_bytes
from vo_fixtures import OLD_HEADER, OLD_ROWS, old_vintage

from dekkend.errors import InvoerFout, OnbekendBestand
from dekkend.ingest import _text, import_paths
from dekkend.workspace import Workspace

TOTAL = sum(int(x) for row in OLD_ROWS for x in row.split(";")[10:])


def _pupils(ws: Workspace) -> int:
    return int(ws.table("leerlingen")["aantal"].sum())


def test_two_copies_in_one_batch_are_counted_once(tmp_path):
    d = tmp_path / "Downloads"
    old_vintage(d / "leerlingen-2019.csv")
    shutil.copy(d / "leerlingen-2019.csv", d / "leerlingen-2019 (1).csv")
    ws = Workspace(tmp_path / "w")
    result = import_paths([d], ws)
    assert _pupils(ws) == TOTAL
    skipped = [f for f in result.files if f.status == "overgeslagen"]
    assert len(skipped) == 1 and "zelfde inhoud als" in skipped[0].reason and "één keer geteld" in skipped[0].reason


def test_two_releases_of_one_count_newest_wins_and_is_said(tmp_path):
    d = tmp_path / "in"
    older = old_vintage(d / "leerlingen-2019.csv")
    corrected_rows = [OLD_ROWS[0].replace(";50;48;", ";51;48;"), *OLD_ROWS[1:]]
    newer = old_vintage(d / "leerlingen-2019-correctie.csv", rows=corrected_rows)
    os.utime(older, (1_600_000_000, 1_600_000_000))
    os.utime(newer, (1_700_000_000, 1_700_000_000))
    ws = Workspace(tmp_path / "w")
    result = import_paths([d], ws)
    assert _pupils(ws) == TOTAL + 1  # the corrected release only
    by_name = {f.path.name: f for f in result.files}
    assert by_name[older.name].status == "overgeslagen"
    assert "oudere versie" in by_name[older.name].reason and newer.name in by_name[older.name].reason
    assert any("nieuwste versie" in n for n in by_name[newer.name].notes)
    # Swap the modification times: the other file wins, whatever the names or order.
    os.utime(older, (1_800_000_000, 1_800_000_000))
    ws2 = Workspace(tmp_path / "w2")
    import_paths([newer, older], ws2)
    assert _pupils(ws2) == TOTAL


def test_missing_count_column_is_an_error_and_changes_nothing(tmp_path):
    ws = Workspace(tmp_path / "w")
    import_paths([old_vintage(tmp_path / "a" / "leerlingen-2019.csv")], ws)
    cols = OLD_HEADER.split(";")
    drop = cols.index("LEER- OF VERBLIJFSJAAR 6 - VROUW")
    rows = [";".join(c for i, c in enumerate(r.split(";")) if i != drop) for r in OLD_ROWS]
    header = ";".join(c for i, c in enumerate(cols) if i != drop)
    bad = write_bytes(tmp_path / "b" / "leerlingen-2019.csv", "\n".join([header, *rows]) + "\n", "latin-1")
    with pytest.raises(InvoerFout, match="LEER- OF VERBLIJFSJAAR 6 - VROUW") as err:
        import_paths([bad], ws)
    assert err.value.line == 1 and "ontbreken" in str(err.value)
    assert _pupils(Workspace(ws.path)) == TOTAL


def _xlsx_truncated(path):
    pd.DataFrame({"a": [1, 2]}).to_excel(path, index=False)
    path.write_bytes(path.read_bytes()[:300])
    return path


@pytest.mark.parametrize(
    ("make", "why"),
    [
        (lambda p: p.write_bytes(b""), "leeg"),
        (lambda p: p.write_bytes(OLD_HEADER.encode("utf-16")), "UTF-16"),
        (lambda p: p.write_bytes(b"\x00\x01\x02\x03binair\x00" * 50), "binair"),
        (
            lambda p: p.write_text(OLD_HEADER.replace(";", ":") + "\n1:2\n"),
            "onbekend scheidingsteken",
        ),
        (
            lambda p: p.write_bytes(gzip.compress(OLD_HEADER.encode())[:20]),
            "gzip-bestand is afgebroken",
        ),
    ],
)
def test_explicit_unreadable_file_is_an_error_naming_why(tmp_path, make, why):
    path = tmp_path / "bestand.csv"
    make(path)
    with pytest.raises(OnbekendBestand, match=why):
        import_paths([path], Workspace(tmp_path / "w"))
    result = import_paths([tmp_path], Workspace(tmp_path / "w2"))  # found in a folder: skipped, with why
    assert [f.status for f in result.files] == ["overgeslagen"] and why in result.files[0].reason


def test_truncated_excel_named_explicitly(tmp_path):
    path = _xlsx_truncated(tmp_path / "bo.xlsx")
    with pytest.raises(OnbekendBestand, match="beschadigd of afgebroken Excel"):
        import_paths([path], Workspace(tmp_path / "w"))


def test_gzip_bomb_is_refused_without_unpacking_it_all(tmp_path, monkeypatch):
    monkeypatch.setattr(_text, "MAX_UNPACKED_BYTES", 2**20)
    body = (OLD_HEADER + "\n" + "\n".join(OLD_ROWS * 4000) + "\n").encode("latin-1")
    assert len(body) > 2**20
    path = tmp_path / "leerlingen-2019.csv.gz"
    path.write_bytes(gzip.compress(body))
    with pytest.raises(InvoerFout, match="pakt uit tot meer dan 1 MB"):
        import_paths([path], Workspace(tmp_path / "w"))
    # Only the header is needed to recognise it: that works below the cap.
    assert _text.header_line(path)[0] == "BRIN NUMMER"


def test_concatenated_gzip_members_are_read_whole(tmp_path):
    a = (OLD_HEADER + "\n" + OLD_ROWS[0] + "\n").encode("latin-1")
    b = ("\n".join(OLD_ROWS[1:]) + "\n").encode("latin-1")
    path = tmp_path / "leerlingen-2019.csv.gz"
    path.write_bytes(gzip.compress(a) + gzip.compress(b))
    assert _text.file_bytes(path) == a + b


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("1e3", "'1e3' is geen aantal"),
        ("9999999999", "geen aannemelijk aantal"),
        ("99999999999999999999999", "geen aannemelijk aantal"),
        ("-4", "'-4' is geen aantal"),
        ("2.5", "'2.5' is geen aantal"),
    ],
)
def test_implausible_counts_name_line_and_column(tmp_path, cell, message):
    rows = [*OLD_ROWS]
    rows[2] = rows[2].replace(";20;22;19;", f";{cell};22;19;")
    path = old_vintage(tmp_path / "leerlingen-2019.csv", rows=rows)
    with pytest.raises(InvoerFout, match=message) as err:
        import_paths([path], Workspace(tmp_path / "w"))
    assert err.value.line == 4 and err.value.column == "LEER- OF VERBLIJFSJAAR 4 - MAN"


def test_unterminated_quote_names_its_own_line_in_dutch(tmp_path):
    rows = [*OLD_ROWS] * 30
    rows = [r.replace("00AB;00", f"00AB;{i % 90 + 10:02d}") if "00AB" in r else r for i, r in enumerate(rows)]
    rows[9] = rows[9].replace("Lyceum Twee", '"Lyceum Twee')
    path = old_vintage(tmp_path / "leerlingen-2019.csv", rows=rows)
    with pytest.raises(InvoerFout) as err:
        _text.read_table(path)
    assert err.value.line == 11  # header is line 1, the tenth data row is line 11
    assert "aanhalingsteken" in str(err.value)
