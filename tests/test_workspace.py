"""The workspace: atomic replacement, recovery, locking, and the table writer."""

from __future__ import annotations

import errno
import os
import subprocess
import sys

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
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", boom)
    with pytest.raises(WerkmapFout, match="de schijf is vol; de vorige gegevens zijn ongewijzigd"):
        ws.replace({"a": pd.DataFrame({"x": [2]})})
    monkeypatch.undo()
    assert Workspace(ws.path).table("a")["x"].tolist() == [1]
    assert not list(ws.path.glob(".nieuw-*"))


def test_lock_held_by_another_process_refuses(tmp_path):
    ws = Workspace(tmp_path / "w")
    ws.replace({"a": pd.DataFrame({"x": [1]})})
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(ws.path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "vast"
        with pytest.raises(WerkmapFout, match=rf"al bijgewerkt door een ander proces \(proces {holder.pid}\)"):
            with ws.locked(wait=0.2):
                pass
    finally:
        holder.kill()
        holder.wait()
    assert Workspace(ws.path).table("a")["x"].tolist() == [1]


HOLD_LOCK = """
import sys, time
from dekkend.workspace import Workspace
with Workspace(sys.argv[1]).locked():
    print("vast", flush=True)
    time.sleep(60)
"""


def test_stale_lock_of_a_dead_process_is_recovered_and_said(tmp_path):
    ws = Workspace(tmp_path / "w")
    ws.replace({"a": pd.DataFrame({"x": [1]})})
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (ws.path / ".bezig").write_text(str(dead.pid))
    (ws.path / ".nieuw-abcd1234").mkdir()  # a half-written copy of the crashed write
    again = Workspace(ws.path)
    again.replace({"a": pd.DataFrame({"x": [2]})})
    assert again.table("a")["x"].tolist() == [2]
    assert any(f"proces {dead.pid}" in n and "afgebroken" in n for n in again.notes)
    assert not (ws.path / ".bezig").exists() and not list(ws.path.glob(".nieuw-*"))


def test_werkmap_that_is_a_file(tmp_path):
    f = tmp_path / "w"
    f.write_text("x")
    with pytest.raises(WerkmapFout, match="is een bestand, geen map"):
        Workspace(f)


@pytest.mark.parametrize("damage", ["manifest", "parquet", "manifest-json"])
def test_damaged_workspace_is_a_werkmapfout(tmp_path, damage):
    ws = Workspace(tmp_path / "w")
    ws.replace({"a": pd.DataFrame({"x": list(range(100))})})
    cur = ws.path / "tabellen"
    if damage == "manifest":
        (cur / "werkmap.json").write_text("{ kapot", encoding="utf-8")
    elif damage == "manifest-json":
        (cur / "werkmap.json").write_text("[]", encoding="utf-8")
    else:
        data = (cur / "a.parquet").read_bytes()
        (cur / "a.parquet").write_bytes(data[: len(data) // 2])
    with pytest.raises(WerkmapFout, match="is beschadigd"):
        Workspace(ws.path).tables()


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
