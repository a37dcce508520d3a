"""Benchmark: the web workspace under load and in a soak test, and the first computation of a COROP region.

Usage::

    .venv/bin/python bench/web_load.py                               # demo werkmap, 50 people, 60 s
    .venv/bin/python bench/web_load.py --werkmap W --regio corop:14  # a region of a real werkmap
    .venv/bin/python bench/web_load.py --werkmap W --corop 31        # also times COROP 31's first computation
    .venv/bin/python bench/web_load.py --gebruikers 20 --seconden 30 --geen-doel
    .venv/bin/python bench/web_load.py --seconden 600                # the soak test (make soak)
    .venv/bin/python bench/web_load.py --database postgresql://...  # the server on PostgreSQL (an empty database)

Steps: a fresh web map in a temporary folder (the werkmap is only read), the region and ``--gebruikers``
accounts (role ``adviseur``), the region's analysis computed once (with ``--corop`` this is the timed
first computation: wall and CPU time, in a process that has not loaded the tables or the knowledge base
yet), then ``dekkend web`` as a child process on a free port of 127.0.0.1 and locust (headless, its own
process) against it: every person logs in once (the CSRF token from the login form) and then reads the
region's pages, some maps (``/regio/<id>/kaart/``) and the API (``/api/regios/<id>``) with a pause of
``--denktijd`` seconds between requests, runs a scenario once per ``--scenario-interval`` seconds (made
through the API with their own token, run, polled until done, read) and comments on their scenarios
through the scenario page, for ``--seconden`` seconds. Only 127.0.0.1 is ever contacted.

Meanwhile the resident memory (RSS, from /proc) of the server's whole process group (gunicorn's arbiter and
workers, the task worker) is sampled every ``--rss-interval`` seconds. After locust stops, the script waits
(at most ``--afvoertijd`` seconds) until the task queue is empty: no job ``wachtrij``/``bezig`` and no
django-tasks-db entry READY/RUNNING.

Prints p50/p95/p99 per request kind and overall (exact, from every response time), the number of requests
and errors, the CPU time the server used per request, the scenario runs, the queue at the end and the
memory (start after warm-up, peak, end). Goals (issues 19 and 24): p95 of the cached region pages <= 300 ms
with 50 people; no errors; the queue drained; memory at the end <= start + ``--geheugengrens`` MB; first
computation of a COROP region <= 30 s. Exits 1 when a goal is missed, unless ``--geen-doel``. ``--json``
writes the figures for a test (tests/web/test_load.py runs a short form). Needs locust (``bench`` or
``test`` extra).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _header import print_header  # noqa: E402

HERE = Path(__file__).resolve().parent
LOCUSTFILE = HERE / "_web_locustfile.py"
HOST = "127.0.0.1"
P95_GOAL_MS = 300.0
COROP_GOAL_S = 30.0
PAGES = ("overzicht", "bereikbaarheid", "knelpunten", "besturen", "advies", "bronnen")
PASSWORD = "bench-wachtwoord-{i}-lang-genoeg"
#: Memory growth allowed from the end of the warm-up to the end of the run, whole process group (see
#: docs/reliability.md "Belasting en duurtest": allocator slack of four processes, not a leak of any size that matters).
RSS_BOUND_MB = 100.0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--werkmap", type=Path, help="werkmap (default: a new demo werkmap in a temporary folder)")
    parser.add_argument("--regio", help="region expression (default: 'nl' for the demo, corop:N with --corop)")
    parser.add_argument("--corop", type=int, help="time the first computation of this COROP region (then load it)")
    parser.add_argument("--gebruikers", type=int, default=50, help="concurrent logged-in people (default 50)")
    parser.add_argument("--seconden", type=int, default=60, help="length of the load test (default 60)")
    parser.add_argument("--per-seconde", type=float, default=5.0, help="people starting per second (default 5)")
    parser.add_argument("--denktijd", type=float, nargs=2, default=(1.0, 5.0), metavar=("MIN", "MAX"))
    parser.add_argument("--processen", type=int, default=2, help="gunicorn processes (dekkend web --processen)")
    parser.add_argument("--scenario-interval", type=float, default=300.0, help="s between two runs of one person")
    parser.add_argument("--scenario-wacht", type=float, default=240.0, help="s a scenario run may take (default 240)")
    parser.add_argument("--inlogtijd", type=float, default=30.0, help="s allowed beyond the spawning for logins")
    parser.add_argument("--afvoertijd", type=float, default=300.0, help="s to wait for the queue at the end")
    parser.add_argument("--rss-interval", type=float, default=2.0, help="s between two memory samples")
    parser.add_argument("--geheugengrens", type=float, default=RSS_BOUND_MB, help="MB growth allowed (default 100)")
    parser.add_argument("--opwarmen", type=float, default=60.0, help="s of warm-up before the memory start (60)")
    parser.add_argument("--database", help="database URL of the server (default: SQLite in its web map)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON to this file")
    parser.add_argument("--geen-doel", action="store_true", help="always exit 0 (report only)")
    return parser.parse_args()


def _demo_werkmap(folder: Path) -> Path:
    werkmap = folder / "demo"
    subprocess.run(
        [sys.executable, "-m", "dekkend", "demo", "--geen-pdf", "--geen-scenarios", "-w", str(werkmap)]
        + ["-o", str(folder / "rapport")],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return werkmap


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _prepare(werkmap: Path, web_map: Path, selectie: str, people: int, timed: bool) -> dict[str, object]:
    """Region, accounts and the region's analysis (timed when ``timed``); returns the locust plan."""
    import dekkend.web

    dekkend.web.configure(werkmap, web_map=web_map)
    from dekkend.web import accounts
    from dekkend.web.analysis import AnalysisStore
    from dekkend.web.models import ApiToken

    regio = accounts.add_region(werkmap, f"Belastingstest {selectie}", selectie)
    plan_accounts = []
    for i in range(people):
        email, password = f"persoon{i}@belasting.dekkend.nl", PASSWORD.format(i=i)
        person, _ = accounts.add_user(email, "adviseur", naam=f"Persoon {i}", regios=[regio.pk], password=password)
        plan_accounts.append({"email": email, "wachtwoord": password, "token": ApiToken.create_for(person, "last")[1]})
    store = AnalysisStore(werkmap, web_map)
    wall, cpu = time.perf_counter(), _cpu_seconds()
    analysis = store.compute(regio.pk, selectie)
    wall, cpu = time.perf_counter() - wall, _cpu_seconds() - cpu
    vestigingen = len({r["vestigingscode"] for r in analysis["prognose"]["vestigingen"]})
    label = "Eerste berekening" if timed else "Analyse vooraf berekend"
    print(f"{label} van {selectie} ({vestigingen} vestigingen): {wall:.1f} s wand, {cpu:.1f} s CPU".replace(".", ","))
    if timed:
        verdict = "gehaald" if wall <= COROP_GOAL_S else ("CPU binnen doel" if cpu <= COROP_GOAL_S else "NIET gehaald")
        print(f"  doel <= {COROP_GOAL_S:.0f} s: {verdict}", flush=True)
    maps = sorted(name for name, kind in analysis["soorten"].items() if kind == "kaart")
    codes = sorted({str(r["vestigingscode"]) for r in analysis["prognose"]["vestigingen"]})
    return {
        "regio": regio.pk,
        "kaarten": maps,
        "vestiging": codes[len(codes) // 2],  # the school the scenarios close: one of the region's own
        "accounts": plan_accounts,
        "tijd": {"wand": wall, "cpu": cpu},
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _wait_until_up(url: str, server: subprocess.Popen[bytes], timeout: float = 180.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if server.poll() is not None:
            raise SystemExit(f"dekkend web stopte met code {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/inloggen/", timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"dekkend web antwoordde niet binnen {timeout:.0f} s")


def _group_rss(pgid: int) -> tuple[float, int, dict[str, float]]:
    """Resident memory (MB) of the live processes of process group ``pgid``, how many, and MB per process."""
    total, count, each = 0, 0, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[2]) != pgid:
                continue
            status = (entry / "status").read_text()
        except (OSError, IndexError, ValueError):
            continue
        rss = next((line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")), None)
        if rss is not None:  # kernel threads and zombies have none
            total += int(rss)
            count += 1
            each[entry.name] = int(rss) / 1024
    return total / 1024, count, each


class MemorySampler(threading.Thread):
    """Samples the process group's RSS every ``interval`` seconds: (Unix time, MB, processes, MB per pid)."""

    def __init__(self, pgid: int, interval: float) -> None:
        super().__init__(daemon=True)
        self.pgid, self.interval = pgid, interval
        self.samples: list[tuple[float, float, int, dict[str, float]]] = []
        self.halt = threading.Event()

    def run(self) -> None:
        while True:
            self.samples.append((time.time(), *_group_rss(self.pgid)))
            if self.halt.wait(self.interval):
                self.samples.append((time.time(), *_group_rss(self.pgid)))
                return


def _queue_open() -> tuple[int, int]:
    """Jobs waiting or running, and django-tasks-db entries READY or RUNNING (read from the server's database)."""
    from django_tasks_db.models import DBTaskResult

    from dekkend.web.models import Taak

    jobs = Taak.objects.filter(status__in=[Taak.Status.WACHTRIJ, Taak.Status.BEZIG]).count()
    return jobs, DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).count()


def _drain(limit: float) -> dict[str, object]:
    """Wait until the queue is empty (at most ``limit`` seconds); the figures of the queue at the end."""
    from dekkend.web.models import Taak

    begin = time.monotonic()
    jobs, entries = _queue_open()
    while (jobs or entries) and time.monotonic() - begin < limit:
        time.sleep(1.0)
        jobs, entries = _queue_open()
    runs = Taak.objects.filter(soort=Taak.Soort.SCENARIO)
    return {
        "open_taken": jobs,
        "open_wachtrij": entries,
        "afvoer_s": time.monotonic() - begin,
        "scenario_taken": runs.count(),
        "scenario_klaar": runs.filter(status=Taak.Status.KLAAR).count(),
        "scenario_mislukt": runs.filter(status=Taak.Status.MISLUKT).count(),
    }


def _group_cpu(pgid: int) -> float:
    """CPU seconds used so far by the live processes of process group ``pgid`` (the server and its workers)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields after the name: state ppid pgrp ... utime(11) stime(12)
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def _load(args: argparse.Namespace, werkmap: Path, web_map: Path, plan: dict[str, object], folder: Path) -> list:
    port = _free_port()
    url = f"http://{HOST}:{port}"
    env = {**os.environ, "DEKKEND_WEB_MAP": str(web_map)}
    command = [sys.executable, "-m", "dekkend", "web", "-w", str(werkmap), "--adres", f"{HOST}:{port}"]
    server = subprocess.Popen(
        [*command, "--processen", str(args.processen)], env=env, start_new_session=True, stdout=subprocess.DEVNULL
    )
    try:
        _wait_until_up(url, server)
        plan_file = folder / "plan.json"
        times_file = folder / "tijden.json"
        plan = {**plan, "denktijd": list(args.denktijd), "uitvoer": str(times_file)}
        plan |= {"scenario_interval": args.scenario_interval, "scenario_wacht": args.scenario_wacht}
        plan_file.write_text(json.dumps(plan), encoding="utf-8")
        server_cpu = _group_cpu(server.pid)
        memory = MemorySampler(server.pid, args.rss_interval)
        memory.start()
        locust = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--only-summary"]
        ramp = int(args.gebruikers / args.per_seconde + args.inlogtijd)
        locust += ["-u", str(args.gebruikers), "-r", str(args.per_seconde), "-t", f"{ramp + args.seconden}s"]
        locust += ["--host", url, "--stop-timeout", "10", "--loglevel", "WARNING", "--exit-code-on-error", "0"]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        with (folder / "locust.log").open("wb") as log:
            done = subprocess.run(
                locust,
                env={**env, "DEKKEND_LOAD_PLAN": str(plan_file)},
                timeout=ramp + args.seconden + 180,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        if done.returncode != 0:
            raise SystemExit(f"locust stopte met code {done.returncode}; zie {folder / 'locust.log'}")
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        queue = _drain(args.afvoertijd)
        memory.halt.set()
        memory.join()
        server_cpu = _group_cpu(server.pid) - server_cpu
        results: list = json.loads(times_file.read_text(encoding="utf-8"))
        locust_cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        return [results, server_cpu, locust_cpu, queue, memory.samples]
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # the group started above: gunicorn, its workers, the task worker
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


def _row(name: str, times: np.ndarray, errors: int) -> str:
    p50, p95, p99 = (np.percentile(times, q) for q in (50, 95, 99))
    return f"| {name} | {len(times)} | {errors} | {p50:.0f} | {p95:.0f} | {p99:.0f} | {times.max():.0f} |"


def _table(records: list, order: list[str]) -> None:
    print("\n| verzoek | aantal | fouten | p50 ms | p95 ms | p99 ms | max ms |\n|---|---:|---:|---:|---:|---:|---:|")
    for name in order:
        rows = [r for r in records if r[0] == name]
        if rows:
            print(_row(name, np.array([r[1] for r in rows]), sum(1 for r in rows if r[2])))


def _report(records: list, server_cpu: float, locust_cpu: float, args: argparse.Namespace) -> dict[str, float]:
    """Tables of response times (logging in; then browsing once everyone is logged in); the figures.

    ``records`` are (name, ms, failed, end time). The browsing figures count the requests that started after the
    last login ended, so that the deliberately slow password hashing of 50 logins does not count as page time.
    """
    logins = [r for r in records if r[0].startswith("inloggen")]
    ready = max((r[3] for r in logins), default=0.0)
    browsing = [r for r in records if not r[0].startswith("inloggen") and r[3] - r[1] / 1000 >= ready]
    window = max((r[3] for r in browsing), default=ready) - ready
    print(f"\nInloggen ({args.gebruikers} personen, {args.per_seconde:g} per seconde gestart):")
    _table(logins, ["inloggen (formulier)", "inloggen"])
    print(
        f"\nLezen, {args.gebruikers} ingelogde personen tegelijk, {window:.0f} s na de laatste inlog, "
        f"denktijd {args.denktijd[0]:g}-{args.denktijd[1]:g} s:"
    )
    names = list(dict.fromkeys(r[0] for r in browsing))
    _table(browsing, [*[p for p in PAGES if p in names], *sorted(n for n in names if n not in PAGES)])
    pages = [r for r in browsing if r[0] in PAGES]
    page_times = np.array([r[1] for r in pages])
    if len(page_times):
        print(_row("**regiopagina's**", page_times, sum(1 for r in pages if r[2])))
        real = [r for r in browsing if r[0] != "scenario doorgerekend (wachttijd)"]  # not a request: a job's wait
        print(_row("**alle verzoeken**", np.array([r[1] for r in real]), sum(1 for r in real if r[2])))
    errors = sum(1 for r in records if r[2])
    n = len(records)
    rate = len(browsing) / max(window, 1e-9)
    line = (
        f"\n{n} verzoeken in de hele run ({len(browsing)} na de laatste inlog, {rate:.1f} per seconde), "
        f"{errors} fouten; server-CPU {server_cpu:.1f} s over de hele run ({1000 * server_cpu / max(n, 1):.0f} ms "
        f"per verzoek, inloggen inbegrepen), locust-CPU {locust_cpu:.1f} s"
    )
    print(line.replace(".", ","))
    p95 = float(np.percentile(page_times, 95)) if len(page_times) else float("inf")
    runs = [r for r in records if r[0] == "scenario doorgerekend (wachttijd)"]
    comments = [r for r in records if r[0] == "opmerking plaatsen"]
    return {
        "p95_regiopaginas_ms": p95,
        "verzoeken": n,
        "fouten": errors,
        "foutfractie": errors / max(n, 1),
        "meetvenster_s": window,
        "klaar_voor_lezen": ready,
        "eerste_run_klaar": min((r[3] for r in runs if not r[2]), default=ready),
        "scenarioruns": len(runs),
        "opmerkingen": sum(1 for r in comments if not r[2]),
        "server_cpu_s": server_cpu,
    }


def _memory(samples: list, figures: dict[str, float], args: argparse.Namespace) -> dict[str, float]:
    """Start (first sample after the warm-up), peak and end (after the queue drained) of the group's RSS.

    The warm-up ends ``--opwarmen`` seconds after both the last login and the first finished scenario run:
    by then every process has loaded what it loads once (the task worker the werkmap's tables, gunicorn's
    workers the region's analysis).
    """
    bound = args.geheugengrens
    warm_end = max(figures["klaar_voor_lezen"], figures["eerste_run_klaar"]) + args.opwarmen
    after = [s for s in samples if s[0] >= warm_end]
    # The last sample is taken after the queue drained, so a run whose first scenario finished has one; a short
    # run may have only that one, and then start and end are close together (the CI form: a smoke check).
    start = after[0][1] if after else float("nan")
    peak, end = max(s[1] for s in samples), samples[-1][1]
    print(
        f"\nGeheugen (RSS van de hele procesgroep, {len(samples)} metingen om de {args.rss_interval:g} s, "
        f"{samples[-1][2]} processen): bij het opstarten {samples[0][1]:.0f} MB, na het opwarmen {start:.0f} MB, "
        f"piek {peak:.0f} MB, eind (wachtrij leeg) {end:.0f} MB; groei {end - start:+.0f} MB, grens +{bound:.0f} MB"
    )
    if len(after) >= 2:
        per_pid = ", ".join(f"{after[0][3].get(pid, 0):.0f} -> {mb:.0f}" for pid, mb in samples[-1][3].items())
        print(f"  per proces, na het opwarmen -> eind (MB): {per_pid}")
    return {"rss_opstart_mb": samples[0][1], "rss_start_mb": start, "rss_piek_mb": peak, "rss_eind_mb": end}


def _goals(figures: dict[str, float], args: argparse.Namespace) -> bool:
    """Print every goal with its verdict; True when all are met."""
    growth = figures["rss_eind_mb"] - figures["rss_start_mb"]
    # A run shorter than its warm-up has no start sample: memory is then not judged (said so), not passed silently.
    memory = "niet beoordeeld: run korter dan het opwarmen" if np.isnan(growth) else f"{growth:+.0f} MB"
    memory_ok = bool(np.isnan(growth) or growth <= args.geheugengrens)
    goals = {
        f"p95 van de regiopagina's <= {P95_GOAL_MS:.0f} ms ({figures['p95_regiopaginas_ms']:.0f} ms)": figures[
            "p95_regiopaginas_ms"
        ]
        <= P95_GOAL_MS,
        f"geen fouten ({figures['fouten']:.0f} van {figures['verzoeken']:.0f})": figures["fouten"] == 0,
        f"meetvenster >= helft van --seconden ({figures['meetvenster_s']:.0f} s)": figures["meetvenster_s"]
        >= 0.5 * args.seconden,
        f"scenario's doorgerekend ({figures['scenario_klaar']:.0f} van {figures['scenario_taken']:.0f})": figures[
            "scenario_klaar"
        ]
        > 0,
        f"wachtrij leeg na {figures['afvoer_s']:.0f} s (taken {figures['open_taken']:.0f}, "
        f"django-tasks {figures['open_wachtrij']:.0f})": figures["open_taken"] == 0 and figures["open_wachtrij"] == 0,
        f"geheugen: eind <= start + {args.geheugengrens:.0f} MB ({memory})": memory_ok,
    }
    print()
    for text, met in goals.items():
        print(f"Doel: {text}: {'gehaald' if met else 'NIET gehaald'}")
    return all(goals.values())


def main() -> int:
    args = _arguments()
    print_header("web_load")
    folder = Path(tempfile.mkdtemp(prefix="dekkend-webload-"))
    if args.database:  # the server inherits the environment, and this process reads the queue from it too
        os.environ["DATABASE_URL"] = args.database
    else:
        os.environ.pop("DATABASE_URL", None)
    werkmap = args.werkmap.resolve() if args.werkmap else _demo_werkmap(folder)
    selectie = args.regio or (f"corop:{args.corop}" if args.corop is not None else "nl")
    web_map = folder / "web"
    plan = _prepare(werkmap, web_map, selectie, args.gebruikers, timed=args.corop is not None)
    timing = plan.pop("tijd")
    results, server_cpu, locust_cpu, queue, samples = _load(args, werkmap, web_map, plan, folder)
    figures = _report(results, server_cpu, locust_cpu, args) | queue
    print(
        f"\nScenario's: {queue['scenario_taken']} doorrekeningen gevraagd, {queue['scenario_klaar']} klaar, "
        f"{queue['scenario_mislukt']} mislukt; {figures['opmerkingen']:.0f} opmerkingen geplaatst"
    )
    figures |= _memory(samples, figures, args)
    ok = _goals(figures, args)
    if args.json:
        args.json.write_text(json.dumps(figures | {"doelen_gehaald": ok}, indent=1), encoding="utf-8")
    if args.corop is not None and timing["wand"] > COROP_GOAL_S:  # type: ignore[index]
        ok = False
    return 0 if ok or args.geen_doel else 1


if __name__ == "__main__":
    raise SystemExit(main())
