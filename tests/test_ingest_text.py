"""The text reader: encodings, delimiters, line endings, gzip, censored counts, and broken files."""

from __future__ import annotations

import gzip

import pytest
from conftest import write_bytes
from hypothesis import given
from hypothesis import strategies as st

from dekkend.errors import InvoerFout, LeegBestand
from dekkend.ingest import _text

TEXT = "code;naam;aantal\nA1;Één;3\nB2;Twee;<5\n"


@pytest.mark.parametrize(
    ("encoding", "bom", "expected"),
    [
        ("latin-1", False, "cp1252"),
        ("cp1252", False, "cp1252"),
        ("utf-8", False, "utf-8"),
        ("utf-8", True, "utf-8-sig"),
    ],
)
def test_encodings(tmp_path, encoding, bom, expected):
    raw = _text.read_table(write_bytes(tmp_path / "f.csv", TEXT, encoding, bom=bom))
    assert raw.encoding == expected
    assert raw.header == ("code", "naam", "aantal")
    assert raw.rows["naam"].tolist() == ["Één", "Twee"]


@pytest.mark.parametrize(("newline", "name"), [("\n", "LF"), ("\r\n", "CRLF"), ("\r", "CR")])
def test_line_endings_and_line_numbers(tmp_path, newline, name):
    raw = _text.read_table(write_bytes(tmp_path / "f.csv", "a;b\n1;2\n\n3;4\n", newline=newline))
    assert raw.line_ending == name
    assert raw.rows.values.tolist() == [["1", "2"], ["3", "4"]]
    assert raw.lines.tolist() == [2, 4]  # the blank line still counts


def test_comma_delimiter_and_quotes(tmp_path):
    raw = _text.read_table(write_bytes(tmp_path / "f.csv", 'a,b\n"x, y",2\n'))
    assert raw.delimiter == ","
    assert raw.rows["a"].tolist() == ["x, y"]


def test_gzip_recognised_by_content(tmp_path):
    path = tmp_path / "zonder-extensie"
    path.write_bytes(gzip.compress(TEXT.encode("utf-8")))
    assert len(_text.read_table(path).rows) == 2


def test_mangled_bom_in_first_header_cell(tmp_path):
    raw = _text.read_table(write_bytes(tmp_path / "f.csv", '"ï»¿""ID""",b\n1,2\n', "utf-8"))
    assert raw.header[0] == 'ID"' or raw.header[0].strip('"') == "ID"


def test_censored_counts_are_kept_not_zero(tmp_path):
    raw = _text.read_table(write_bytes(tmp_path / "f.csv", TEXT))
    count, censored = _text.parse_count(raw, "aantal")
    assert count.tolist()[0] == 3 and count.isna().tolist() == [False, True]
    assert censored.tolist() == [False, True]


def test_non_numeric_count_names_file_line_and_column(tmp_path):
    raw = _text.read_table(write_bytes(tmp_path / "f.csv", "code;aantal\nA;1\nB;drie\n"))
    with pytest.raises(InvoerFout) as err:
        _text.parse_count(raw, "aantal")
    msg = str(err.value)
    assert "f.csv" in msg and "regel 3" in msg and "kolom 'aantal'" in msg and "geheel getal" in msg


def test_truncated_file(tmp_path):
    path = write_bytes(tmp_path / "f.csv", "a;b;c\n1;2;3\n4;5")
    with pytest.raises(InvoerFout, match="regel 3.*2 velden, de kopregel 3"):
        _text.read_table(path)


def test_wrong_delimiter_gives_one_column(tmp_path):
    with pytest.raises(InvoerFout, match="scheidingsteken"):
        _text.read_table(write_bytes(tmp_path / "f.csv", "a b c\n1 2 3\n"))


@pytest.mark.parametrize("content", ["", "\n\n", "a;b\n"])
def test_empty_files(tmp_path, content):
    with pytest.raises(LeegBestand):
        _text.read_table(write_bytes(tmp_path / "f.csv", content))


@given(
    st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=30),
    st.sampled_from(["\n", "\r\n", "\r"]),
    st.sampled_from([";", ","]),
)
def test_parse_roundtrip_property(tmp_path_factory, values, newline, delim):
    """Whatever the delimiter and line ending, written counts come back unchanged."""
    path = tmp_path_factory.mktemp("p") / "f.csv"
    lines = [f"id{delim}n"] + [f"{i}{delim}{v}" for i, v in enumerate(values)]
    raw = _text.read_table(write_bytes(path, "\n".join(lines), newline=newline))
    count, censored = _text.parse_count(raw, "n")
    assert count.astype(int).tolist() == values
    assert not censored.any()
