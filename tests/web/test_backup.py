"""Backup and restore: a workspace restored into an empty installation has every table and file of the original.

Each installation is a real one in its own web map and database, driven through the CLI in subprocesses
(as an administrator would): SQLite to SQLite, PostgreSQL to PostgreSQL, and SQLite to PostgreSQL.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    os.environ.get("DEKKEND_WEB_TEST_DB") == "postgresql",
    reason="runs both databases itself; the PostgreSQL rerun of tests/web would repeat it",
)

#: Fills a fresh installation with a bit of everything a workspace holds (rows in every app, own files).
FILL = r"""
import sys
from pathlib import Path
from dekkend.web import configure
web = configure(sys.argv[1])
from dekkend.web import accounts
from dekkend.web.models import ApiToken, AuditRegel, Melding, Regio, Taak, Uitnodiging
from dekkend.web.plannen.models import Opmerking, Scenario, ScenarioVersie
accounts.sync_boards(sys.argv[1])
regio = accounts.add_region(sys.argv[1], "Veenland", "nl")
user, _ = accounts.add_user("bestuur@veen.nl", "bestuur", bestuur=regio.besturen.first().code)
coordinator, _ = accounts.add_user("coordinator@veen.nl", "regiocoordinator", regios=[regio.pk])
ApiToken.create_for(user, "backuptest")
Uitnodiging.create_for(coordinator, regio, "nieuw@veen.nl", "adviseur")
Melding.objects.create(ontvanger=user, onderwerp="Nieuwe opmerking", tekst="ééñ ✓", link="/regio/1/")
AuditRegel.objects.create(gebruiker=user, wie=user.email, actie="test", details={"a": [1, 2]})
taak = Taak.objects.create(soort="rapport", regio=regio, status="klaar", resultaat={"html": "rapporten/taak-1/r.html"})
s = Scenario.objects.create(regio=regio, bestuur=user.bestuur, auteur=user, naam="Sluiting Zuid")
v = ScenarioVersie.objects.create(scenario=s, nummer=1, yaml="naam: x\n", door=user, resultaat={"n": 1.5}, taak=taak)
Opmerking.objects.create(scenario=s, versie=v, door=coordinator, tekst="Goed plan")
(web / "rapporten" / "taak-1").mkdir(parents=True)
(web / "rapporten" / "taak-1" / "r.html").write_text("<html>rapport</html>")
(web / "bestanden" / "uploads").mkdir(parents=True, exist_ok=True)
(web / "bestanden" / "uploads" / "aanmeldingen.csv").write_bytes(b"vestiging;aantal\n00AA00;12\n")
(web / "analyses").mkdir(exist_ok=True)
(web / "analyses" / "cache.json").write_text("{}")
"""

#: Prints every table (natural keys, sorted) and the own files with their hashes, as JSON.
SNAPSHOT = r"""
import io, json, sys, hashlib
from pathlib import Path
from dekkend.web import configure
web = configure(sys.argv[1])
from django.core.management import call_command
from dekkend.web.backups import EXCLUDED_MODELS, own_files
out = io.StringIO()
call_command("dumpdata", natural_foreign=True, natural_primary=True, exclude=list(EXCLUDED_MODELS), stdout=out)
rows = sorted(json.dumps(r, sort_keys=True) for r in json.loads(out.getvalue()))
files = {p.relative_to(web).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in own_files(web)}
print(json.dumps({"rows": rows, "files": files}))
"""


def _env(web_map: Path, database: str | None) -> dict[str, str]:
    env = {**os.environ, "DEKKEND_WEB_MAP": str(web_map), "COLUMNS": "200"}
    env.pop("DATABASE_URL", None)
    if database:
        env["DATABASE_URL"] = database
    return env


def _python(code: str, werkmap: Path, web_map: Path, database: str | None) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code, str(werkmap)], env=_env(web_map, database), capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _cli(args: list[str], werkmap: Path, web_map: Path, database: str | None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dekkend", "web", "--werkmap", str(werkmap), *args],
        env=_env(web_map, database),
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def databases(request) -> dict[str, object]:
    """The source installation's database and the targets to restore into (``None``: SQLite in the web map).

    A SQLite backup is restored into SQLite and into PostgreSQL (one backup, two restores); a PostgreSQL one
    into a second PostgreSQL database.
    """
    server = request.getfixturevalue("postgres_server")
    name = f"backup_{abs(hash(request.node.nodeid)) % 10**8}"
    if request.param == "sqlite":
        return {"source": None, "targets": {"sqlite": None, "postgresql": server.create_database(f"{name}_doel")}}
    return {
        "source": server.create_database(f"{name}_a"),
        "targets": {"postgresql": server.create_database(f"{name}_b")},
    }


@pytest.mark.parametrize("databases", ["sqlite", "postgresql"], indirect=True, ids=["uit-sqlite", "uit-postgresql"])
def test_a_backup_restores_into_an_empty_installation_with_every_table_and_file(tmp_path, web_werkmap, databases):
    source = tmp_path / "bron-web"
    _python(FILL, web_werkmap, source, databases["source"])
    original = json.loads(_python(SNAPSHOT, web_werkmap, source, databases["source"]))
    assert len(original["rows"]) >= 15 and "bestanden/uploads/aanmeldingen.csv" in original["files"]
    assert not any(name.startswith(("analyses/", "geheime-sleutel")) for name in original["files"])

    archive = tmp_path / "werkruimte.tar.gz"
    made = _cli(["backup", str(archive)], web_werkmap, source, databases["source"])
    assert made.returncode == 0, made.stderr[-3000:]
    assert "Backup geschreven" in made.stdout and archive.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".deel")]

    for kind, database in databases["targets"].items():
        target = tmp_path / f"doel-web-{kind}"
        restored = _cli(["herstel", str(archive)], web_werkmap, target, database)
        assert restored.returncode == 0, (kind, restored.stderr[-3000:])
        assert json.loads(_python(SNAPSHOT, web_werkmap, target, database)) == original, kind

        # a second restore into the now filled installation is refused, and changes nothing; --vervang replaces
        again = _cli(["herstel", str(archive)], web_werkmap, target, database)
        assert again.returncode != 0 and "bevat al gegevens" in again.stdout + again.stderr, kind
        replaced = _cli(["herstel", "--vervang", str(archive)], web_werkmap, target, database)
        assert replaced.returncode == 0, (kind, replaced.stderr[-3000:])
        assert json.loads(_python(SNAPSHOT, web_werkmap, target, database)) == original, kind


def test_a_damaged_or_foreign_backup_is_refused_in_dutch_and_restores_nothing(tmp_path, web_werkmap):
    source, target = tmp_path / "bron-web", tmp_path / "doel-web"
    _python(FILL, web_werkmap, source, None)
    archive = tmp_path / "werkruimte.tar.gz"
    assert _cli(["backup", str(archive)], web_werkmap, source, None).returncode == 0
    exists = _cli(["backup", str(archive)], web_werkmap, source, None)
    assert exists.returncode != 0 and "bestaat al" in exists.stdout + exists.stderr

    # the same archive with one file's bytes changed (a valid tar, a wrong checksum)
    damaged = tmp_path / "beschadigd.tar.gz"
    with tarfile.open(archive, "r:gz") as tar, tarfile.open(damaged, "w:gz") as out:
        for member in tar.getmembers():
            data = tar.extractfile(member).read()
            if member.name.endswith("aanmeldingen.csv"):
                data = data.replace(b"12", b"99")
            out.addfile(member, __import__("io").BytesIO(data))
    refused = _cli(["herstel", str(damaged)], web_werkmap, target, None)
    assert refused.returncode != 0 and "beschadigd" in refused.stdout + refused.stderr
    foreign = tmp_path / "ander.tar.gz"
    foreign.write_bytes(hashlib.sha256(b"x").digest())
    refused = _cli(["herstel", str(foreign)], web_werkmap, target, None)
    assert refused.returncode != 0 and "geen backup van dekkend" in refused.stdout + refused.stderr
    snapshot = json.loads(_python(SNAPSHOT, web_werkmap, target, None))
    assert snapshot["files"] == {} and not any('"werkruimte.gebruiker"' in r for r in snapshot["rows"])
