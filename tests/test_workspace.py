"""The workspace: atomic replacement, recovery, locking, and the table writer."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from dekkend.errors import ConfiguratieFout, WerkmapFout
from dekkend.output import write_table
from dekkend.workspace import Workspace


def test_replace_and_read(tmp_path):
    ws = Workspace(tmp_path / "w")
    assert not ws.exists
    ws.replace({"a": pd.DataFrame({"x": [1, 2]})})
    assert ws.table_names() == ["a"] and ws.table("a")["x"].tolist() == [1, 2]
    assert ws.manifest["tabellen"] == {"a": 2}


def test_interrupted_swap_is_recovered(tmp_path):
    ws = Workspace(tmp_path / "w")
    ws.replace({"a": pd.DataFrame({"x": [1]})})
    os.rename(ws.path / "tabellen", ws.path / ".oud-1234")  # crash between the two renames
    again = Workspace(ws.path)
    assert again.exists and again.table("a")["x"].tolist() == [1]


def test_failed_write_keeps_old_tables(tmp_path, monkeypatch):
    ws = Workspace(tmp_path / "w")
    ws.replace({"a": pd.DataFrame({"x": [1]})})

    def boom(self, *a, **k):
        raise OSError("schijf vol")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", boom)
    with pytest.raises(OSError):
        ws.replace({"a": pd.DataFrame({"x": [2]})})
    monkeypatch.undo()
    assert Workspace(ws.path).table("a")["x"].tolist() == [1]
    assert not list(ws.path.glob(".nieuw-*"))


def test_lock(tmp_path):
    ws = Workspace(tmp_path / "w")
    ws.path.mkdir()
    (ws.path / ".bezig").write_text("1")
    with pytest.raises(WerkmapFout, match="al bijgewerkt"):
        ws.replace({"a": pd.DataFrame({"x": [1]})})


def test_missing_table_names_what_is_there(tmp_path):
    ws = Workspace(tmp_path / "w")
    ws.replace({"a": pd.DataFrame({"x": [1]})})
    with pytest.raises(WerkmapFout, match="geen tabel 'b'; aanwezig: a"):
        ws.table("b")


def test_write_table_by_extension(tmp_path):
    frame = pd.DataFrame({"code": ["A"], "waarde": [1.5]})
    write_table(frame, tmp_path / "t.csv")
    assert (tmp_path / "t.csv").read_text() == "code,waarde\nA,1.5\n"
    write_table(frame, tmp_path / "t.xlsx")
    assert pd.read_excel(tmp_path / "t.xlsx", engine="calamine").equals(frame)
    with pytest.raises(ConfiguratieFout, match=r"\.csv .* \.xlsx"):
        write_table(frame, tmp_path / "t.json")
