"""The broken-file corpus: damaged copies of the real DUO/CBS files, each with the outcome dekkend
promises.

Run: ``.venv/bin/python bench/corpus.py [DATA_DIR] [OUT_DIR]`` writes the corpus into OUT_DIR
(default: a temporary folder), imports every case with ``dekkend importeer`` in-process and prints
one line per case and the totals. The test suite runs the same cases (``tests/test_corpus.py``).
Nothing from DATA_DIR is committed: the cases are made from the first lines of the real files at run
time.

Every case says what must happen: ``fout`` (a Dutch error naming the file, exit code 2, the
workspace unchanged) with a fragment of the message, or ``goed`` (imported; with the number of
pupils it must count).
"""

from __future__ import annotations

import csv
import gzip
import io
import os
import shutil
import sys
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("DEKKEND_SHARED_DATA", ROOT.parent / "shared" / "data"))
VO = "duo/01.-leerlingen-vo-per-vestiging-naar-onderwijstype-2019.csv"
HEAD_LINES = 150


@dataclass(frozen=True)
class Case:
    """One corpus case: the files to import (named or as a folder) and the promised outcome."""

    name: str
    files: tuple[Path, ...]
    outcome: str  # "fout" or "goed"
    message: str = ""  # a fragment of the Dutch error (fout) or of a note in the summary (goed)
    pupils: int | None = None  # goed: pupils the workspace must hold afterwards
    folder: bool = False  # import the folder instead of naming the files


def _rows(data: Path) -> tuple[list[str], list[list[str]]]:
    text = (data / VO).read_bytes().decode("latin-1")
    reader = csv.reader(io.StringIO(text), delimiter=";")
    header = next(reader)
    return header, [r for _, r in zip(range(HEAD_LINES), reader, strict=False)]


def _csv(header: list[str], rows: list[list[str]], delimiter: str = ";") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _count(header: list[str], rows: list[list[str]]) -> int:
    cols = [i for i, h in enumerate(header) if h.upper().startswith("LEER- OF VERBLIJFSJAAR ")]
    return sum(int(r[i]) for r in rows for i in cols)


def _bomb(path: Path, good: bytes, size: int) -> None:
    """A real file followed by ``size`` bytes of blank lines, gzipped: a few hundred kB on disk."""
    engine = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b"\n" * (1 << 20)
    with path.open("wb") as fh:
        fh.write(engine.compress(good))
        for _ in range(size // len(block) + 1):
            fh.write(engine.compress(block))
        fh.write(engine.flush())


def build(data: Path, out: Path, *, bomb_size: int | None = None) -> list[Case]:
    """Write the corpus into ``out`` and return its cases (``bomb_size``: the bomb unpacked)."""
    header, rows = _rows(data)
    total = _count(header, rows)
    out.mkdir(parents=True, exist_ok=True)
    cases: list[Case] = []

    def write(name: str, payload: bytes | str, *, encoding: str = "latin-1") -> Path:
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(payload.encode(encoding) if isinstance(payload, str) else payload)
        return path

    def add(
        name: str,
        files: Path | tuple[Path, ...],
        outcome: str,
        message: str = "",
        pupils: int | None = None,
        folder: bool = False,
    ) -> None:
        files = files if isinstance(files, tuple) else (files,)
        cases.append(Case(name, files, outcome, message, pupils, folder))

    good = _csv(header, rows)
    col = header.index("LEER- OF VERBLIJFSJAAR 1 - MAN")

    def with_cell(value: str, at: int) -> list[list[str]]:
        return [[*r[:col], value, *r[col + 1 :]] if i == at else r for i, r in enumerate(rows)]

    # -- accepted, with the right total ---------------------------------------------------
    add("schoon", write("schoon/leerlingen-2019.csv", good), "goed", pupils=total)
    add(
        "utf8-bom-crlf",
        write("bom/leerlingen-2019.csv", b"\xef\xbb\xbf" + good.replace("\n", "\r\n").encode()),
        "goed",
        pupils=total,
    )
    add("kale-cr", write("cr/leerlingen-2019.csv", good.replace("\n", "\r")), "goed", pupils=total)
    add(
        "komma-als-scheidingsteken",
        write("komma/leerlingen-2019.csv", _csv(header, rows, ",")),
        "goed",
        pupils=total,
    )
    add(
        "tab-als-scheidingsteken",
        write("tab/leerlingen-2019.csv", _csv(header, rows, "\t")),
        "goed",
        pupils=total,
    )
    add(
        "extra-kolom",
        write("extra/leerlingen-2019.csv", _csv([*header, "OPMERKING"], [[*r, "x"] for r in rows])),
        "goed",
        pupils=total,
    )
    add(
        "gzip",
        write("gz/leerlingen-2019.csv.gz", gzip.compress(good.encode("latin-1"))),
        "goed",
        pupils=total,
    )
    copy = out / "kopie"
    write("kopie/leerlingen-2019.csv", good)
    write("kopie/leerlingen-2019 (1).csv", good)
    add("kopie-in-een-map", copy, "goed", "één keer geteld", pupils=total, folder=True)
    older = write("versies/leerlingen-2019.csv", good)
    newer = write(
        "versies/leerlingen-2019-correctie.csv",
        _csv(header, with_cell(str(int(rows[0][col]) + 7), 0)),
    )
    os.utime(older, (1_600_000_000, 1_600_000_000))
    os.utime(newer, (1_700_000_000, 1_700_000_000))
    add(
        "twee-versies-van-een-telling",
        out / "versies",
        "goed",
        "nieuwste versie",
        pupils=total + 7,
        folder=True,
    )

    # -- refused: a Dutch error, exit 2, nothing changed ----------------------------------
    data_bytes = good.encode("latin-1")
    add("leeg", write("leeg.csv", b""), "fout", "leeg")
    add(
        "alleen-kopregel",
        write("kop/leerlingen-2019.csv", good.split("\n")[0] + "\n"),
        "fout",
        "geen gegevens",
    )
    add(
        "afgebroken-midden-in-regel",
        write("afgebroken/leerlingen-2019.csv", data_bytes[: len(data_bytes) * 2 // 3]),
        "fout",
        "velden",
    )
    add("utf16", write("utf16/leerlingen-2019.csv", good, encoding="utf-16"), "fout", "UTF-16")
    add(
        "dubbelepunt-scheidingsteken",
        write("dp/leerlingen-2019.csv", _csv(header, rows, ":")),
        "fout",
        "onbekend scheidingsteken",
    )
    missing = header.index("LEER- OF VERBLIJFSJAAR 6 - VROUW")
    add(
        "ontbrekende-telkolom",
        write(
            "mist/leerlingen-2019.csv",
            _csv(
                [h for i, h in enumerate(header) if i != missing],
                [[v for i, v in enumerate(r) if i != missing] for r in rows],
            ),
        ),
        "fout",
        "LEER- OF VERBLIJFSJAAR 6 - VROUW",
    )
    add(
        "dubbele-regel",
        write("dubbel/leerlingen-2019.csv", _csv(header, [*rows, rows[3]])),
        "fout",
        "dubbele regel",
    )
    add(
        "enorm-aantal",
        write("groot/leerlingen-2019.csv", _csv(header, with_cell("9999999999", 5))),
        "fout",
        "geen aannemelijk aantal",
    )
    add(
        "groter-dan-int64",
        write("int64/leerlingen-2019.csv", _csv(header, with_cell("9" * 25, 5))),
        "fout",
        "geen aannemelijk aantal",
    )
    add(
        "wetenschappelijke-notatie",
        write("e/leerlingen-2019.csv", _csv(header, with_cell("1e3", 5))),
        "fout",
        "'1e3' is geen aantal",
    )
    add(
        "negatief",
        write("neg/leerlingen-2019.csv", _csv(header, with_cell("-3", 5))),
        "fout",
        "'-3' is geen aantal",
    )
    lines = good.split("\n")
    lines[99] = lines[99].replace(";", ';"', 1)
    add(
        "open-aanhalingsteken-regel-100",
        write("quote/leerlingen-2019.csv", "\n".join(lines)),
        "fout",
        "regel 100: een aanhalingsteken",
    )
    add(
        "nul-byte-vooraan",
        write("nul/leerlingen-2019.csv", data_bytes[:2000] + b"\x00" + data_bytes[2000:]),
        "fout",
        "binair",
    )
    add(
        "nul-byte-verderop",
        write("nul2/leerlingen-2019.csv", data_bytes[:20000] + b"\x00" + data_bytes[20000:]),
        "fout",
        "NUL-teken",
    )
    add("binair", write("binair.csv", os.urandom(4096)), "fout", "")
    add(
        "gzip-afgebroken",
        write(
            "gzkapot/leerlingen-2019.csv.gz",
            gzip.compress(data_bytes)[: len(gzip.compress(data_bytes)) // 2],
        ),
        "fout",
        "afgebroken",
    )
    bomb = out / "bom" / "leerlingen-2019.csv.gz"
    bomb.parent.mkdir(parents=True, exist_ok=True)
    _bomb(bomb, good.encode("latin-1"), bomb_size or (1 << 30))
    add("gzip-bom", bomb, "fout", "pakt uit tot meer dan")
    xls = data / "duo/03.-alle-vestigingen-bo-2020.xls"
    if xls.is_file():
        with xls.open("rb") as fh:
            add(
                "xls-afgebroken",
                write("xls/alle-vestigingen-bo-2020.xls", fh.read(4096)),
                "fout",
                "Excel",
            )
    add(
        "xlsx-afgebroken",
        write("xlsx/lijst.xlsx", b"PK\x03\x04" + os.urandom(600)),
        "fout",
        "Excel",
    )
    return cases


def run_case(case: Case, werkmap: Path) -> tuple[int, str]:
    """Import one case with the command line in-process: (exit code, everything printed)."""
    from typer.testing import CliRunner

    from dekkend.cli import app

    args = ["importeer", *(str(f) for f in case.files), "--werkmap", str(werkmap)]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "1000"})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # a traceback: the corpus fails
    return result.exit_code, result.output


def main() -> int:
    from _header import print_header  # bench/ is on sys.path when a script runs

    print_header("bench/corpus.py")
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else DATA
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(tempfile.mkdtemp(prefix="dekkend-corpus-"))
    failures = 0
    cases = build(data, out)
    for case in cases:
        code, text = run_case(case, out / f"werkmap-{case.name}")
        ok = (code == 2) if case.outcome == "fout" else (code == 0)
        ok = ok and case.message.replace("\n", " ") in " ".join(text.split())
        failures += not ok
        print(f"{'ok ' if ok else 'FOUT'} {case.name:32} verwacht {case.outcome}, exit {code}")
    print(f"{len(cases)} gevallen, {failures} mislukt ({out})")
    if len(sys.argv) <= 2:
        shutil.rmtree(out, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
