"""The PDF: the HTML report printed by a headless Chromium (or Chrome, or Edge).

Why a browser and not WeasyPrint: the maps and charts are plotly figures drawn
by JavaScript; WeasyPrint runs no JavaScript and would need a second, static
rendering of every figure. Chromium prints the same document the reader sees,
with page numbers and the count date in the page margins (CSS ``@page``).

The browser is looked up, in order: ``DEKKEND_CHROMIUM`` (a path), ``chromium``,
``chromium-browser``, ``google-chrome``, ``chrome``, ``msedge`` on the ``PATH``,
the usual install folders of Chrome and Edge on Windows and macOS, and a
Chromium that Playwright downloaded (``playwright install chromium``). Without
one, :func:`print_pdf` raises :class:`GeenBrowser` whose message says exactly
what to install; the HTML report is written regardless.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from dekkend.errors import GeenBrowser, PdfFout
from dekkend.output import ensure_folder, process_alive, temporary_beside

#: Flags for a quiet, offline, headless print.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-extensions",
    "--hide-scrollbars",
    "--mute-audio",
    "--no-pdf-header-footer",
    "--run-all-compositor-stages-before-draw",
    "--virtual-time-budget=20000",
)
NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome", "msedge", "microsoft-edge")
TIMEOUT_S = 180


def _known_locations() -> list[Path]:
    home = Path.home()
    places = [
        Path("/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"),
        Path("/Applications/Chromium.app/Contents/MacOS/Chromium"),
        Path("/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge"),
        Path("/snap/bin/chromium"),
    ]
    for env in ("PROGRAMFILES", "PROGRAMFILES(X86)", "LOCALAPPDATA"):
        base = os.environ.get(env)
        if base:
            places += [
                Path(base) / "Google/Chrome/Application/chrome.exe",
                Path(base) / "Microsoft/Edge/Application/msedge.exe",
            ]
    caches = [home / ".cache/ms-playwright", home / "Library/Caches/ms-playwright"]
    if os.environ.get("LOCALAPPDATA"):
        caches.append(Path(os.environ["LOCALAPPDATA"]) / "ms-playwright")
    if os.environ.get("PLAYWRIGHT_BROWSERS_PATH"):
        caches.insert(0, Path(os.environ["PLAYWRIGHT_BROWSERS_PATH"]))
    for cache in caches:
        if cache.is_dir():
            for pattern in (
                "chromium-*/chrome-linux*/chrome",
                "chromium-*/chrome-mac*/Chromium.app/Contents/MacOS/Chromium",
                "chromium-*/chrome-win*/chrome.exe",
            ):
                places += sorted(cache.glob(pattern), reverse=True)
    return places


def find_browser() -> Path | None:
    """The Chromium-like browser to print with, or ``None``."""
    chosen = os.environ.get("DEKKEND_CHROMIUM")
    if chosen:
        path = Path(chosen)
        return path if path.is_file() else None
    for name in NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    for path in _known_locations():
        if path.is_file():
            return path
    return None


def install_hint() -> str:
    """Exactly what to install on this machine to get the PDF (Dutch)."""
    system = platform.system()
    no_root = (
        "zonder beheerrechten: 'pip install playwright' en daarna 'playwright install chromium' "
        "(in dezelfde omgeving als dekkend)"
    )
    if system == "Windows":
        return "installeer Microsoft Edge of Google Chrome (https://www.google.com/chrome), of " + no_root
    if system == "Darwin":
        return (
            "installeer Google Chrome (https://www.google.com/chrome) of 'brew install --cask chromium', of " + no_root
        )
    release = _os_release()
    if release & {"debian", "ubuntu", "linuxmint", "pop"}:
        how = "'sudo apt-get install chromium'" + (
            " (Ubuntu: 'sudo snap install chromium')" if "ubuntu" in release else ""
        )
    elif release & {"fedora", "rhel", "centos", "rocky", "almalinux"}:
        how = "'sudo dnf install chromium'"
    elif release & {"arch", "manjaro"}:
        how = "'sudo pacman -S chromium'"
    elif release & {"opensuse", "suse", "opensuse-leap", "opensuse-tumbleweed"}:
        how = "'sudo zypper install chromium'"
    elif release & {"alpine"}:
        how = "'sudo apk add chromium'"
    else:
        how = "Chromium of Google Chrome met de pakketbeheerder van uw systeem"
    return f"installeer {how}, of {no_root}"


def _os_release() -> set[str]:
    try:
        text = Path("/etc/os-release").read_text(encoding="utf-8")
    except OSError:
        return set()
    ids: set[str] = set()
    for line in text.splitlines():
        key, _, value = line.partition("=")
        if key in ("ID", "ID_LIKE"):
            ids |= set(value.strip().strip('"').lower().split())
    return ids


def print_pdf(html: Path, pdf: Path, *, browser: Path | None = None, timeout: float = TIMEOUT_S) -> Path:
    """Print ``html`` to ``pdf`` with a headless Chromium; the page size and margins come from the CSS.

    Raises
    ------
    GeenBrowser
        No browser found; the message names what to install.
    PdfFout
        The browser failed or wrote no PDF.
    """
    exe = browser or find_browser()
    chosen = os.environ.get("DEKKEND_CHROMIUM")
    if exe is None and chosen:
        raise GeenBrowser(f"geen PDF gemaakt: DEKKEND_CHROMIUM wijst naar {chosen}, maar dat bestand bestaat niet")
    if exe is None:
        raise GeenBrowser(
            f"geen PDF gemaakt: dekkend drukt de PDF af met Chromium, Google Chrome of Microsoft Edge "
            f"en vond die niet. {install_hint()[:1].upper() + install_hint()[1:]}; of wijs een browser "
            f"aan met de omgevingsvariabele DEKKEND_CHROMIUM=/pad/naar/chrome"
        )
    folder = ensure_folder(pdf.parent)
    sweep_profiles()
    partial = temporary_beside(pdf)
    partial.unlink()  # the browser creates it; its name carries this process id
    with tempfile.TemporaryDirectory(prefix=f"{PROFILE_PREFIX}{os.getpid()}-") as profile:
        cmd = [
            str(exe),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--print-to-pdf={partial}",
            html.resolve().as_uri(),
        ]
        try:
            done = subprocess.run(
                cmd,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            )
        except subprocess.TimeoutExpired as exc:
            partial.unlink(missing_ok=True)
            raise PdfFout(f"geen PDF gemaakt: {exe.name} was na {timeout:.0f} seconden nog niet klaar") from exc
        except OSError as exc:
            raise PdfFout(f"geen PDF gemaakt: {exe} kon niet starten ({exc}); {install_hint()}") from exc
    if not partial.is_file() or partial.stat().st_size == 0:
        tail = " ".join((done.stderr or "").strip().splitlines()[-2:])[:300]
        partial.unlink(missing_ok=True)
        raise PdfFout(f"geen PDF gemaakt: {exe.name} stopte met code {done.returncode} zonder PDF ({tail})")
    try:
        os.replace(partial, pdf)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise PdfFout(f"geen PDF gemaakt: {pdf} kan niet worden geschreven in {folder} ({exc.strerror})") from exc
    return pdf


#: Prefix of the browser's temporary profile folder; the process id follows, so a later print can
#: remove the folder a killed dekkend left behind.
PROFILE_PREFIX = "dekkend-chromium-"


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: the browser gets SIGKILL when dekkend dies, also after ``kill -9`` (no orphaned Chromium)."""
    import ctypes
    import signal

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def sweep_profiles() -> None:
    """Remove browser profile folders of dekkend processes that are gone (killed while printing)."""
    root = Path(tempfile.gettempdir())
    for folder in root.glob(f"{PROFILE_PREFIX}*"):
        pid = folder.name[len(PROFILE_PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not process_alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
