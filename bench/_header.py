"""One header line for every benchmark: when, which commit, which machine.

Printed before the figures, so that a table copied into ``docs/benchmarks.md`` says where it
came from.
"""

from __future__ import annotations

import os
import platform
import subprocess
from datetime import datetime
from pathlib import Path


def _git(*args: str) -> str:
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True, timeout=10)
    return done.stdout.strip()


def _commit() -> str:
    try:
        commit = _git("rev-parse", "--short", "HEAD")
        dirty = _git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return "onbekend"
    return f"{commit}{' (met wijzigingen)' if dirty else ''}"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def header(name: str) -> str:
    """``# <name>: <date time>, commit <hash>, <n> CPU (<model>), Python <version>``."""
    load = ""
    if hasattr(os, "getloadavg"):
        load = f", belasting {os.getloadavg()[0]:.1f}".replace(".", ",")
    return (
        f"# {name}: {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}, commit {_commit()}, "
        f"{os.cpu_count()} CPU ({_cpu_model()}){load}, Python {platform.python_version()}"
    )


def print_header(name: str) -> None:
    """Print :func:`header` (flushed, so it comes before any progress output)."""
    print(header(name), flush=True)
