"""Fuzzing every reader, the scenario YAML loader and the --regio syntax; reports crashes that are
not dekkend's own errors.

Run: ``make fuzz`` or ``.venv/bin/python bench/fuzz.py [--seconds N] [--engine
hypothesis|atheris]``.

A crash is any exception other than :class:`dekkend.errors.DekkendError` (a traceback a user would
see). Inputs start from the first lines of every real file in ``../shared/data`` (read at run time,
never stored) plus the scenario examples, mutated: bytes cut, inserted and flipped, lines doubled
and dropped, cells replaced by hostile values, delimiters and encodings changed. With atheris
(coverage-guided, when installed) the same targets get libFuzzer's inputs; without, hypothesis
drives them for the given time. Each crash is printed with the target and the input (``repr``) and
saved under ``bench/fuzz-crashes/``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("DEKKEND_SHARED_DATA", ROOT.parent / "shared" / "data"))
SEED_LINES = 25
HOSTILE = [
    "",
    "<5",
    "-",
    "x",
    "1e3",
    "9" * 25,
    "-1",
    "1.5",
    "NaN",
    "inf",
    "\x00",
    '"',
    '";"',
    "=HYPERLINK(1)",
    "<!--<script>",
    "\ufeff",
    "ÿ",
    "0x10",
    " 12 ",
    "1,5",
    "9999999999",
]

SCENARIO_SEED = """naam: Proef
beschrijving: fuzz
maatregelen:
  - soort: sluiten
    vestiging: 00AA00
    jaar: 2026
"""
REGION_SEEDS = [
    "gemeente:9901",
    "corop:99",
    "bestuur:99001",
    "gemeente:9901,9902+bestuur:99002",
    "onderwijsgebied:Veenland",
    "rmc:",
    ":",
    "gemeente:veenstad",
    "wgr:99+rpa:99",
]


def text_seeds(data: Path = DATA) -> list[tuple[str, bytes]]:
    """(file name, first lines) of every real text file; empty when the data is absent."""
    seeds = []
    for path in sorted(data.rglob("*")) if data.is_dir() else []:
        if path.suffix.lower() in (".csv", ".txt") and path.is_file():
            with path.open("rb") as fh:
                head = b"".join(fh.readline() for _ in range(SEED_LINES))
            if b"\r" in head and b"\n" not in head:  # bare-CR files: the first lines by CR
                head = b"\r".join(fh_line for fh_line in path.read_bytes()[:200_000].split(b"\r")[:SEED_LINES])
            seeds.append((path.name, head))
    return seeds


def mutate(data: bytes, ops: list[tuple[int, int, int]]) -> bytes:
    """Apply mutation operations ``(kind, position, value)`` to ``data``."""
    buf = bytearray(data)
    for kind, pos, value in ops:
        at = pos % (len(buf) + 1)
        lines = bytes(buf).split(b"\n")
        line = pos % max(len(lines), 1)
        if kind == 0:  # cut from here to the end (a truncated file)
            del buf[at:]
        elif kind == 1:  # insert a byte
            buf[at:at] = bytes([value % 256])
        elif kind == 2 and buf:  # flip a byte
            buf[at % len(buf)] ^= (value % 255) + 1
        elif kind == 3:  # double a line
            lines.insert(line, lines[line] if lines else b"")
            buf = bytearray(b"\n".join(lines))
        elif kind == 4 and len(lines) > 1:  # drop a line
            del lines[line]
            buf = bytearray(b"\n".join(lines))
        elif kind == 5:  # replace a cell with a hostile value
            cells = lines[line].split(b";") if lines else [b""]
            cells[value % len(cells)] = HOSTILE[value % len(HOSTILE)].encode("utf-8")
            lines[line] = b";".join(cells)
            buf = bytearray(b"\n".join(lines))
        elif kind == 6:  # another delimiter
            buf = bytearray(bytes(buf).replace(b";", [b",", b"\t", b":", b"|"][value % 4]))
        elif kind == 7:  # another encoding or line ending
            text = bytes(buf).decode("latin-1")
            buf = bytearray(
                [
                    text.encode("utf-16"),
                    text.replace("\n", "\r").encode("latin-1"),
                    b"\xef\xbb\xbf" + text.encode("utf-8", "replace"),
                ][value % 3]
            )
    return bytes(buf)


def check_file(name: str, data: bytes, folder: Path) -> None:
    """Recognise and read one file as the importer does; only dekkend's own errors may come out."""
    from dekkend.ingest.importer import deduplicate, parse_files

    path = folder / name
    path.write_bytes(data)
    try:
        deduplicate(parse_files([path], explicit=frozenset({path})))
    finally:
        path.unlink(missing_ok=True)


def check_scenario(text: str, folder: Path) -> None:
    """Load a scenario YAML file; only dekkend's own errors may come out."""
    from dekkend.scenarios import load_scenario

    path = folder / "scenario.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogateescape")
    load_scenario(path)


def check_region(expression: str, tables: dict) -> None:
    """Select a region; only dekkend's own errors may come out."""
    from dekkend.regions import select_region

    select_region(tables, expression)


def demo_tables(folder: Path) -> dict:
    """The demo workspace's tables (the region syntax needs vestigingen and gemeenten)."""
    from dekkend.demo import build_demo_workspace
    from dekkend.workspace import Workspace

    return build_demo_workspace(Workspace(folder / "demo")).tables()


class Crashes:
    """Collects inputs whose exception is not a :class:`DekkendError`."""

    def __init__(self) -> None:
        self.found: list[tuple[str, str, str]] = []
        self.runs = 0

    def run(self, target: str, payload: object, fn: Callable[[], None]) -> None:
        from dekkend.errors import DekkendError

        self.runs += 1
        try:
            fn()
        except DekkendError:
            pass
        except Exception as exc:  # noqa: BLE001 - that is what we hunt
            self.found.append((target, repr(payload)[:2000], "".join(traceback.format_exception(exc))[-1500:]))


def run_hypothesis(seconds: float, folder: Path, crashes: Crashes, data: Path = DATA) -> None:
    """Drive every target with hypothesis for about ``seconds`` in total."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    seeds = text_seeds(data) or [("leerlingen-2019.csv", b"BRIN NUMMER;VESTIGINGSNUMMER\n00AA;00\n")]
    tables = demo_tables(folder)
    ops = st.lists(st.tuples(st.integers(0, 7), st.integers(0, 10**6), st.integers(0, 10**6)), max_size=6)
    quick = settings(max_examples=50, deadline=None, database=None, suppress_health_check=list(HealthCheck))

    @quick
    @given(st.sampled_from(seeds), ops, st.sampled_from(["", ".gz"]))
    def files(seed: tuple[str, bytes], mutation: list, gz: str) -> None:
        import gzip

        data_ = mutate(seed[1], mutation)
        payload = gzip.compress(data_) if gz else data_
        crashes.run("bestand", (seed[0] + gz, mutation), lambda: check_file(seed[0] + gz, payload, folder))

    @quick
    @given(
        st.one_of(
            st.text(max_size=400),
            st.builds(
                lambda cut, extra: SCENARIO_SEED[:cut] + extra,
                st.integers(0, len(SCENARIO_SEED)),
                st.text(max_size=80),
            ),
        )
    )
    def scenarios(text: str) -> None:
        crashes.run("scenario", text, lambda: check_scenario(text, folder))

    @quick
    @given(
        st.one_of(
            st.sampled_from(REGION_SEEDS),
            st.text(max_size=60),
            st.builds(lambda a, b: a + b, st.sampled_from(REGION_SEEDS), st.text(max_size=20)),
        )
    )
    def regions(expression: str) -> None:
        crashes.run("regio", expression, lambda: check_region(expression, tables))

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for target in (files, files, scenarios, regions):
            target()


def run_atheris(seconds: float, folder: Path) -> None:  # pragma: no cover - only with atheris installed
    """Coverage-guided fuzzing with atheris (libFuzzer); exits the process when done."""
    import atheris
    import pandas  # noqa: F401 - imported first so only dekkend is instrumented
    import yaml  # noqa: F401

    with atheris.instrument_imports(include=["dekkend"]):
        import dekkend.ingest.importer  # noqa: F401
        import dekkend.regions  # noqa: F401
        import dekkend.scenarios  # noqa: F401
    seeds = text_seeds() or [("leerlingen-2019.csv", b"BRIN NUMMER;VESTIGINGSNUMMER\n00AA;00\n")]
    tables = demo_tables(folder)
    from dekkend.errors import DekkendError

    def one(data: bytes) -> None:
        fdp = atheris.FuzzedDataProvider(data)
        choice = fdp.ConsumeIntInRange(0, 9)
        try:
            if choice < 7:
                name, seed = seeds[fdp.ConsumeIntInRange(0, len(seeds) - 1)]
                ops = [
                    (
                        fdp.ConsumeIntInRange(0, 7),
                        fdp.ConsumeIntInRange(0, 10**6),
                        fdp.ConsumeIntInRange(0, 10**6),
                    )
                    for _ in range(fdp.ConsumeIntInRange(0, 4))
                ]
                check_file(name, mutate(seed, ops) + fdp.ConsumeBytes(64), folder)
            elif choice < 9:
                check_scenario(fdp.ConsumeUnicodeNoSurrogates(600), folder)
            else:
                check_region(fdp.ConsumeUnicodeNoSurrogates(80), tables)
        except DekkendError:
            pass

    crash_dir = ROOT / "bench" / "fuzz-crashes"
    crash_dir.mkdir(exist_ok=True)
    (crash_dir / ".gitignore").write_text("*\n")  # crash inputs are local findings, never committed
    atheris.Setup(
        [
            sys.argv[0],
            f"-max_total_time={int(seconds)}",
            f"-artifact_prefix={crash_dir}/",
            "-rss_limit_mb=3072",
            "-timeout=30",
        ],
        one,
    )
    atheris.Fuzz()


def main() -> int:
    from _header import print_header  # bench/ is on sys.path when a script runs

    print_header("bench/fuzz.py")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--engine", choices=("hypothesis", "atheris"), default="hypothesis")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dekkend-fuzz-") as tmp:
        folder = Path(tmp)
        if args.engine == "atheris":
            run_atheris(args.seconds, folder)
            return 0
        crashes = Crashes()
        start = time.monotonic()
        run_hypothesis(args.seconds, folder, crashes)
        minutes = (time.monotonic() - start) / 60
    for target, payload, trace in crashes.found:
        print(f"--- crash in {target}: {payload}\n{trace}")
    print(f"hypothesis: {crashes.runs} invoer in {minutes:.1f} minuten, {len(crashes.found)} crashes")
    return 1 if crashes.found else 0


if __name__ == "__main__":
    raise SystemExit(main())
