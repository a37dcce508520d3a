"""Issue 23, hostile input in outputs: report JSON, spreadsheet formulas, unwritable targets, YAML
bombs, very long searches.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import openpyxl
import pandas as pd
import pytest
import yaml

from dekkend import safe_yaml
from dekkend.errors import InvoerFout, RegioFout, SchrijfFout
from dekkend.knowledge import _search
from dekkend.output import ensure_folder, sweep_temporaries, write_table, write_text_atomic
from dekkend.report._render import figures_json
from dekkend.scenarios import load_scenario

HOSTILE = ["<!--<script>", "</script><script>alert(1)</script>", "a & b > c", "\u2028regel"]


@pytest.mark.parametrize("name", HOSTILE)
def test_figures_json_has_no_markup_and_round_trips(name):
    text = figures_json({"kaart": {"data": [{"name": name, "x": [1]}]}})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text)["kaart"]["data"][0]["name"] == name


def test_formulas_stay_text_in_xlsx_and_csv(tmp_path):
    frame = pd.DataFrame(
        {
            "naam": ['=HYPERLINK("http://x","klik")', "+1+1", "@SOM(A1)", "-x", "-5", "gewoon"],
            "n": [1, 2, 3, 4, 5, 6],
        }
    )
    write_table(frame, tmp_path / "t.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "t.xlsx").active
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert all(c.data_type == "s" for c in cells)
    assert cells[0].value == frame["naam"][0]  # the text itself, not a formula
    write_table(frame, tmp_path / "t.csv")
    back = pd.read_csv(tmp_path / "t.csv", dtype=str)["naam"].tolist()
    assert back[:4] == ["'" + v for v in frame["naam"][:4]] and back[4:] == ["-5", "gewoon"]


def test_output_that_is_a_folder_or_under_a_file_is_a_dutch_error(tmp_path):
    (tmp_path / "map.csv").mkdir()
    with pytest.raises(SchrijfFout, match="is een map"):
        write_table(pd.DataFrame({"a": [1]}), tmp_path / "map.csv")
    (tmp_path / "bestand").write_text("x")
    with pytest.raises(SchrijfFout, match="bestand is een bestand, geen map"):
        write_table(pd.DataFrame({"a": [1]}), tmp_path / "bestand" / "t.csv")
    with pytest.raises(SchrijfFout, match="is een bestand, geen map"):
        ensure_folder(tmp_path / "bestand")


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="alleen Linux heeft /proc")
def test_output_under_proc_is_a_dutch_error():
    with pytest.raises(SchrijfFout, match="kan niet worden"):
        write_table(pd.DataFrame({"a": [1]}), "/proc/dekkend-test/t.csv")


def test_full_disk_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = write_text_atomic(tmp_path / "r.html", "oud")

    def full(self, *args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(type(target), "write_text", full)
    with pytest.raises(SchrijfFout, match="de schijf is vol"):
        write_text_atomic(target, "nieuw")
    monkeypatch.undo()
    assert target.read_text() == "oud" and [p.name for p in tmp_path.iterdir()] == ["r.html"]


def test_temporaries_of_a_killed_writer_are_swept(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (tmp_path / f".tmp-{dead.pid}-abc.csv").write_text("half")
    (tmp_path / f".tmp-{os.getpid()}-mine.csv").write_text("busy")
    sweep_temporaries(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [f".tmp-{os.getpid()}-mine.csv"]


BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)
)


def test_alias_bomb_is_refused_fast_in_scenario_and_region(tmp_path):
    start = time.perf_counter()
    with pytest.raises(yaml.YAMLError, match="verwijzingen"):
        safe_yaml.load(BOMB)
    scenario = tmp_path / "s.yaml"
    scenario.write_text(BOMB + "naam: *i\nmaatregelen: []\n")
    with pytest.raises(InvoerFout, match="geen geldige YAML"):
        load_scenario(scenario)
    from dekkend.regions import _from_yaml

    with pytest.raises(RegioFout, match="geen geldige YAML"):
        _from_yaml(scenario)
    assert time.perf_counter() - start < 5


def test_deep_nesting_and_huge_text_are_refused():
    with pytest.raises(yaml.YAMLError, match="te diep genest"):
        safe_yaml.load("[" * 100_000 + "]" * 100_000)
    with pytest.raises(yaml.YAMLError, match="te groot"):
        safe_yaml.load("a: " + "x" * (safe_yaml.MAX_CHARS + 1))
    assert safe_yaml.load("naam: Veenland\nlijst: [1, [2, [3]]]\n") == {
        "naam": "Veenland",
        "lijst": [1, [2, [3]]],
    }


def test_long_query_uses_each_term_once_and_at_most_max_terms():
    index = _search._default_index()
    words = " ".join(f"woord{i} krimp" for i in range(2000))
    groups = index.query_groups(words)
    assert len(groups) == _search.MAX_TERMS and len(set(groups)) == len(groups)
    assert index.query_groups("krimp krimp havo") == index.query_groups("krimp havo")
