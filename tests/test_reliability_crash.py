"""Issue 23: kill -9 at random moments and two imports at once (bounded runs, a few seconds each).

After a kill the workspace holds the old or the new tables, the next command works without help, and
no temporary files or child processes remain. Two imports at once end with both files or one
clear refusal.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from vo_fixtures import OLD_ROWS, centroids, old_vintage

from dekkend.ingest import import_paths
from dekkend.output import write_table, write_text_atomic
from dekkend.workspace import Workspace

RUNS = 3
IMPORT = (
    "import sys; from pathlib import Path; from dekkend.ingest import import_paths; "
    "from dekkend.workspace import Workspace; "
    "import_paths([Path(p) for p in sys.argv[2:]], Workspace(sys.argv[1]))"
)


def _start(code: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _total(ws: Workspace) -> int:
    return int(ws.table("leerlingen")["aantal"].sum())


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith((".nieuw-", ".oud-", ".bezig", ".tmp-")))


def test_kill_9_during_import_leaves_old_or_new_state(tmp_path):
    old_file = old_vintage(tmp_path / "oud" / "leerlingen-2019.csv")
    rows = [r.replace(";50;48;", ";60;48;") for r in OLD_ROWS]
    new_file = old_vintage(tmp_path / "nieuw" / "leerlingen-2019-correctie.csv", rows=rows)
    ws = Workspace(tmp_path / "w")
    import_paths([old_file], ws)
    old_total = _total(ws)
    rng = random.Random(23)
    outcomes = []
    for _ in range(RUNS):
        proc = _start(IMPORT, str(ws.path), str(new_file))
        time.sleep(rng.uniform(0.5, 2.5))
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        again = Workspace(ws.path)  # repairs an interrupted swap on opening
        total = _total(again)
        assert total in (old_total, old_total + 10)  # the old or the new state, never a mix
        outcomes.append(total)
        with again.locked(wait=0):  # no lock left that needs a person
            pass
        assert _leftovers(ws.path) == []
    import_paths([old_file], Workspace(ws.path))  # the next command works without help
    assert _total(Workspace(ws.path)) == old_total
    assert len(outcomes) == RUNS


def test_an_interrupted_swap_at_every_step_recovers(tmp_path, monkeypatch):
    ws = Workspace(tmp_path / "w")
    ws.replace({"a": pd.DataFrame({"x": [1]})})
    real_rename = os.rename
    for fail_at in (1, 2):
        calls = {"n": 0}

        def rename(src, dst, fail_at=fail_at, calls=calls):
            calls["n"] += 1
            if calls["n"] == fail_at:
                raise KeyboardInterrupt  # stands for the process dying here
            return real_rename(src, dst)

        monkeypatch.setattr(os, "rename", rename)
        with pytest.raises(KeyboardInterrupt):
            ws.replace({"a": pd.DataFrame({"x": [2]})})
        monkeypatch.setattr(os, "rename", real_rename)
        assert Workspace(ws.path).table("a")["x"].tolist() in ([1], [2])
        assert _leftovers(ws.path) == []


WRITER = """
import sys, pandas as pd
from pathlib import Path
from dekkend.output import write_table, write_text_atomic
out = Path(sys.argv[1])
frame = pd.DataFrame({"naam": ["=x", "school"] * 20000, "n": range(40000)})
while True:
    write_table(frame, out / "leerlingen.xlsx")
    write_table(frame, out / "leerlingen.csv")
    write_text_atomic(out / "rapport.html", "<p>" * 300000)
"""


def test_kill_9_while_writing_outputs_leaves_whole_files_and_no_temporaries(tmp_path):
    rng = random.Random(7)
    out = tmp_path / "uitvoer"
    write_table(pd.DataFrame({"naam": ["oud"], "n": [0]}), out / "leerlingen.csv")
    for _ in range(RUNS):
        proc = _start(WRITER, str(out))
        time.sleep(rng.uniform(1.0, 3.0))
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        frame = pd.read_csv(out / "leerlingen.csv")
        assert len(frame) in (1, 40000)  # old or new, never half
        if (out / "leerlingen.xlsx").exists():
            assert len(pd.read_excel(out / "leerlingen.xlsx", engine="calamine")) == 40000
        if (out / "rapport.html").exists():
            assert (out / "rapport.html").read_text() in ("nieuw", "<p>" * 300000)
        write_text_atomic(out / "rapport.html", "nieuw")  # the next write sweeps what the killed one left
        assert _leftovers(out) == []


PRINTER = """
import sys
from pathlib import Path
from dekkend.report._pdf import print_pdf
print_pdf(Path(sys.argv[1]), Path(sys.argv[2]), browser=Path(sys.argv[3]))
"""


@pytest.mark.skipif(sys.platform != "linux", reason="PR_SET_PDEATHSIG bestaat alleen op Linux")
def test_kill_9_while_printing_leaves_no_browser_and_no_profile(tmp_path):
    import tempfile

    from dekkend.report._pdf import PROFILE_PREFIX, sweep_profiles

    fake = tmp_path / "chromium"
    marker = tmp_path / "browser.pid"
    fake.write_text(f"#!/bin/sh\necho $$ > {marker}\nexec sleep 60\n")
    fake.chmod(0o755)
    html = tmp_path / "r.html"
    html.write_text("<p>rapport</p>")
    proc = _start(PRINTER, str(html), str(tmp_path / "r.pdf"), str(fake))
    deadline = time.monotonic() + 20
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    browser_pid = int(marker.read_text())
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    deadline = time.monotonic() + 5
    while Path(f"/proc/{browser_pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    state = Path(f"/proc/{browser_pid}/stat")
    assert not state.exists() or state.read_text().split()[2] == "Z", "de browser leeft nog na kill -9"
    sweep_profiles()
    left = [p for p in Path(tempfile.gettempdir()).glob(f"{PROFILE_PREFIX}{proc.pid}-*")]
    assert left == [] and _leftovers(tmp_path) == []


def test_two_imports_at_once_keep_both_files_or_refuse_one(tmp_path):
    duo = old_vintage(tmp_path / "duo" / "leerlingen-2019.csv")
    geo = centroids(tmp_path / "geo" / "pc4.csv")
    for round_ in range(1):
        ws_path = tmp_path / f"w{round_}"
        a = _start(IMPORT, str(ws_path), str(duo))
        b = _start(IMPORT, str(ws_path), str(geo))
        results = [(p.wait(timeout=120), p.communicate()[1]) for p in (a, b)]
        names = set(Workspace(ws_path).table("bestanden")["bestandsnaam"])
        ok = [code == 0 for code, _ in results]
        if all(ok):
            assert names == {"leerlingen-2019.csv", "pc4.csv"}  # both, nothing lost
        else:
            assert sum(ok) == 1
            refused = next(err for code, err in results if code != 0)
            assert "wordt al bijgewerkt door een ander proces" in refused
        assert _leftovers(ws_path) == []
