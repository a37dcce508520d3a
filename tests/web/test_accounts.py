"""Accounts, boards and regions: invite-only accounts with Dutch errors, boards from the data, the CLI, settings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dekkend.errors import InvoerFout


def test_boards_come_from_the_werkmap_and_keep_their_display_name(db, web_werkmap):

    from dekkend.web.accounts import sync_boards
    from dekkend.web.models import Bestuur
    from dekkend.workspace import Workspace

    n = sync_boards(web_werkmap)
    codes = set(Workspace(web_werkmap).table("vestigingen")["bestuur"].dropna().astype(str))
    assert n == len(codes) and set(Bestuur.objects.values_list("code", flat=True)) == codes
    board = Bestuur.objects.first()
    board.weergavenaam = "Stichting Veenland"
    board.save()
    sync_boards(web_werkmap)
    board.refresh_from_db()
    assert str(board) == "Stichting Veenland" and board.naam.startswith("Bestuur ")


def test_a_region_gets_the_boards_of_its_vestigingen(db, web_werkmap):
    from dekkend.web.accounts import add_region
    from dekkend.workspace import Workspace

    ves = Workspace(web_werkmap).table("vestigingen")
    board = str(ves["bestuur"].dropna().iloc[0])
    region = add_region(web_werkmap, "Eén bestuur", f"bestuur:{board}")
    assert region.soort == "samenwerking"
    assert list(region.besturen.values_list("code", flat=True)) == [board]
    everything = add_region(web_werkmap, "Alles", "nl")
    assert everything.besturen.count() == ves["bestuur"].dropna().nunique()


def test_a_region_that_selects_nothing_is_refused_in_dutch(db, web_werkmap):
    from dekkend.errors import RegioFout
    from dekkend.web.accounts import add_region

    with pytest.raises(RegioFout, match="komt niet voor in de werkmap"):
        add_region(web_werkmap, "Niets", "gemeente:9999")


@pytest.mark.parametrize(
    ("email", "rol", "options", "message"),
    [
        ("a@b.nl", "koning", {}, "rol 'koning' bestaat niet"),
        ("a@b.nl", "bestuur", {}, "hoort bij één bestuur"),
        ("a@b.nl", "bestuur", {"bestuur": "12345"}, "bestuur 12345 staat niet"),
        ("a@b.nl", "adviseur", {"password": "kort"}, "wachtwoord te zwak"),
        ("a@b.nl", "adviseur", {"regios": [999]}, "bestaan niet"),
    ],
)
def test_bad_accounts_get_dutch_errors_and_nothing_is_saved(db, web_werkmap, email, rol, options, message):
    from dekkend.web.accounts import add_user, sync_boards
    from dekkend.web.models import Gebruiker

    sync_boards(web_werkmap)
    with pytest.raises(InvoerFout, match=message):
        add_user(email, rol, **options)
    assert not Gebruiker.objects.filter(email=email).exists()


def test_an_email_address_is_one_account(db, web_werkmap):
    from dekkend.web.accounts import add_user

    add_user("dubbel@test.nl", "adviseur")
    with pytest.raises(InvoerFout, match="al een account"):
        add_user("DUBBEL@test.nl", "accountmanager")


def test_beheerder_can_use_the_admin_others_cannot(client, world):
    client.force_login(world["people"]["beheerder"])
    assert client.get("/beheer/").status_code == 200
    assert client.get("/beheer/werkruimte/auditregel/").status_code == 200
    client.force_login(world["people"]["regiocoordinator"])
    assert client.get("/beheer/").status_code == 302


def test_production_settings():
    """Argon2 first, sessions that expire, no debug, secure cookies and HSTS behind HTTPS (a fresh process)."""
    code = (
        "import dekkend.web.settings as s;"
        "print(s.PASSWORD_HASHERS[0], s.DEBUG, s.SESSION_COOKIE_AGE, s.SESSION_COOKIE_SECURE, s.SECURE_HSTS_SECONDS)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEKKEND_WEB_DEBUG")}
    plain = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert plain.stdout.split() == ["django.contrib.auth.hashers.Argon2PasswordHasher", "False", "28800", "False", "0"]
    https = subprocess.run(
        [sys.executable, "-c", code], env={**env, "DEKKEND_WEB_HTTPS": "1"}, capture_output=True, text=True, check=True
    )
    assert https.stdout.split()[3:] == ["True", "31536000"]


def test_the_data_version_follows_the_werkmap(tmp_path, web_werkmap):
    import shutil

    from dekkend.web.analysis import data_version
    from dekkend.workspace import Workspace

    copy = tmp_path / "w"
    shutil.copytree(web_werkmap, copy)
    assert data_version(copy) == data_version(web_werkmap), "same data, same version"
    workspace = Workspace(copy)
    tables = workspace.tables()
    tables["leerlingen"] = tables["leerlingen"].iloc[:-1]
    files = tables["bestanden"].copy()
    files.loc[files.index[0], files.columns[0]] = "anders"
    tables["bestanden"] = files
    workspace.replace(tables)
    assert data_version(copy) != data_version(web_werkmap), "a re-import invalidates the cached analyses"


def run_cli(args: list[str], web_map: Path, werkmap: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "DEKKEND_WEB_MAP": str(web_map), "COLUMNS": "200"}
    env.pop("DATABASE_URL", None) if "DEKKEND_WEB_TEST_DB" not in os.environ else None
    return subprocess.run(
        [sys.executable, "-m", "dekkend", "web", "--werkmap", str(werkmap), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_cli_adds_regions_accounts_and_tokens(tmp_path, web_werkmap):
    if os.environ.get("DEKKEND_WEB_TEST_DB") == "postgresql":
        pytest.skip("the CLI test uses its own SQLite database; the PostgreSQL run covers the web suite itself")
    web_map = tmp_path / "web"
    region = run_cli(["regio", "toevoegen", "Veenland", "nl"], web_map, web_werkmap)
    assert region.returncode == 0, region.stderr
    assert "heeft nummer 1" in region.stdout
    added = run_cli(
        ["gebruiker", "toevoegen", "ad@test.nl", "--rol", "adviseur", "--regionummer", "1"], web_map, web_werkmap
    )
    assert added.returncode == 0, added.stderr
    assert "Wachtwoord (alleen nu zichtbaar)" in added.stdout
    token = run_cli(["token", "ad@test.nl"], web_map, web_werkmap)
    assert token.returncode == 0 and "dk_" in token.stdout
    wrong = run_cli(["gebruiker", "toevoegen", "x@test.nl", "--rol", "koning"], web_map, web_werkmap)
    assert wrong.returncode != 0
    assert "rol 'koning' bestaat niet" in wrong.stdout + wrong.stderr
    assert "Traceback" not in wrong.stdout + wrong.stderr
    assert (web_map / "werkruimte.sqlite3").exists()


def test_the_suite_runs_on_the_database_it_was_asked_for(db):
    from django.db import connection

    wanted = "postgresql" if os.environ.get("DEKKEND_WEB_TEST_DB") == "postgresql" else "sqlite"
    assert connection.vendor == wanted
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
