"""``dekkend download`` against a local HTTP server on 127.0.0.1: cache, manifest, import, offline, errors."""

from __future__ import annotations

import json
import socket
import threading
from datetime import date
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import typer
import yaml
from conftest import write_bytes
from population_fixtures import HERKOMST_OLD, KWB, PROGNOSE_WIDE
from typer.testing import CliRunner

from dekkend.cli.download import download
from dekkend.cli.support import DutchCommand
from dekkend.ingest import catalogue
from dekkend.ingest.catalogue import KnownFile
from dekkend.ingest.download import (
    MIRROR_ENV,
    DownloadFout,
    GeenVerbinding,
    download_and_import,
    read_manifest,
    select_sources,
)
from dekkend.ingest.formats import all_formats
from dekkend.workspace import Workspace


class _Handler(SimpleHTTPRequestHandler):
    hits: list[str] = []

    def log_message(self, *args: object) -> None:  # keep the test output clean
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        type(self).hits.append(self.path)
        if self.path.startswith("/html"):
            body = b"<!DOCTYPE html><html><body>Pagina niet gevonden</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()


@pytest.fixture
def server(tmp_path):
    """A loopback-only HTTP server serving ``tmp_path/site``."""
    site = tmp_path / "site"
    site.mkdir()
    _Handler.hits = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Handler, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield site, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _entry(key: str, filename: str, url: str | None, fmt: str, year: int, sha: str | None = None) -> KnownFile:
    return KnownFile(
        key,
        key,
        filename,
        fmt,
        date(year, 10, 1),
        sha,
        "DUO",
        page="https://duo.nl/open_onderwijsdata/",
        url=url,
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_download_fetches_records_and_imports(server, tmp_path):
    site, base = server
    write_bytes(
        site / "02.-leerlingen-per-vestiging-naar-postcode-en-leerjaar-2017-2018.csv",
        HERKOMST_OLD,
        "latin-1",
    )
    write_bytes(site / "kwb-2019-gemeenten.csv", KWB)
    entries = [
        _entry(
            "herkomst",
            "02.-leerlingen-per-vestiging-naar-postcode-en-leerjaar-2017-2018.csv",
            f"{base}/02.-leerlingen-per-vestiging-naar-postcode-en-leerjaar-2017-2018.csv",
            "duo-vo-herkomst",
            2017,
        ),
        _entry(
            "kwb",
            "kwb-2019-gemeenten.csv",
            f"{base}/kwb-2019-gemeenten.csv",
            "cbs-kwb-gemeenten",
            2019,
            sha="0" * 64,
        ),
        _entry("handwerk", "x.csv", None, "cbs-85701ned", 2019),
    ]
    werkmap = tmp_path / "w"
    result = download_and_import(werkmap, entries=entries)
    assert [f.path.name for f in result.files] == [
        "02.-leerlingen-per-vestiging-naar-postcode-en-leerjaar-2017-2018.csv",
        "kwb-2019-gemeenten.csv",
    ]
    assert [e.key for e in result.manual] == ["handwerk"]
    assert any("wijkt af van de catalogus" in n for n in result.notes)  # the kwb checksum differs
    manifest = read_manifest(werkmap / "downloads")
    rec = manifest["herkomst"]
    assert rec["adres"].startswith("http://127.0.0.1:") and len(rec["sha256"]) == 64 and rec["opgehaald"][:4].isdigit()
    assert rec["grootte"] == (werkmap / "downloads" / rec["bestandsnaam"]).stat().st_size
    ws = Workspace(werkmap)
    assert ws.has("leerlingen_herkomst") and ws.has("bevolking_gemeente")
    # a second run reuses the cache: nothing is fetched again
    hits = len(_Handler.hits)
    again = download_and_import(werkmap, entries=entries)
    assert all(f.from_cache for f in again.files) and len(_Handler.hits) == hits


def test_offline_stops_with_a_dutch_message_and_changes_nothing(tmp_path):
    url = f"http://127.0.0.1:{_free_port()}/01.-leerlingen-2019.csv"
    with pytest.raises(GeenVerbinding) as err:
        download_and_import(
            tmp_path / "w",
            entries=[_entry("x", "01.-leerlingen-2019.csv", url, "duo-vo-onderwijstype", 2019)],
        )
    text = str(err.value)
    assert "geen verbinding met 127.0.0.1" in text and "niets geïmporteerd" in text
    assert not Workspace(tmp_path / "w").exists
    assert not any((tmp_path / "w" / "downloads").glob("*.csv"))


def test_http_error_and_web_page_instead_of_file(server, tmp_path):
    _, base = server
    with pytest.raises(DownloadFout) as err:
        download_and_import(
            tmp_path / "w",
            entries=[_entry("x", "weg-2019.csv", f"{base}/weg-2019.csv", "duo-vo-herkomst", 2019)],
        )
    assert "HTTP 404" in str(err.value) and "nooit geverifieerd" in str(err.value)
    with pytest.raises(DownloadFout) as err:
        download_and_import(
            tmp_path / "w",
            entries=[_entry("y", "p-2019.csv", f"{base}/html/p-2019.csv", "duo-vo-herkomst", 2019)],
        )
    assert "webpagina" in str(err.value)
    assert not Workspace(tmp_path / "w").exists
    assert not any((tmp_path / "w" / "downloads").glob("*.csv"))


def test_select_by_year_and_newest():
    entries = [
        _entry("a17", "a-2017.csv", "http://x/a-2017.csv", "duo-vo-herkomst", 2017),
        _entry("a25", "a-2025.csv", "http://x/a-2025.csv", "duo-vo-herkomst", 2025),
        _entry("b17", "b-2017.csv", None, "cbs-85701ned", 2017),
    ]
    wanted, manual = select_sources(2017, entries)
    assert [e.key for e in wanted] == ["a17"] and [e.key for e in manual] == ["b17"]
    wanted, manual = select_sources(None, entries)
    assert [e.key for e in wanted] == ["a25"] and [e.key for e in manual] == ["b17"]


def test_cli_command_with_a_mirror(server, tmp_path, monkeypatch):
    """The CLI function fetches the catalogue's 2017 files from a mirror and imports them."""
    site, base = server
    write_bytes(
        site / "02.-leerlingen-per-vestiging-naar-postcode-en-leerjaar-2017-2018.csv",
        HERKOMST_OLD,
        "latin-1",
    )
    write_bytes(site / "11-leerlingenprognose-vo-2012-2037.csv", PROGNOSE_WIDE, "latin-1")
    monkeypatch.setenv(MIRROR_ENV, base)
    app = typer.Typer()
    app.command(cls=DutchCommand)(download)
    app.command("andere")(lambda: None)  # two commands, so typer keeps the command name
    result = CliRunner().invoke(app, ["download", "--werkmap", str(tmp_path / "w"), "--jaar", "2017"])
    assert result.exit_code == 0, result.output
    assert "Klaar" in result.output and "prognose_vo" in result.output
    ws = Workspace(tmp_path / "w")
    assert ws.has("leerlingen_herkomst") and ws.has("prognose_vo")
    prog = ws.table("prognose_vo")
    assert (prog["peiljaar"] == 2017).all()  # the catalogue knows the peiljaar of the prognosis file
    offline = CliRunner().invoke(
        app,
        ["download", "--werkmap", str(tmp_path / "w2"), "--jaar", "2017"],
        env={MIRROR_ENV: f"http://127.0.0.1:{_free_port()}"},
    )
    assert offline.exit_code == 2 and "geen verbinding" in offline.output


def test_catalogue_entries_have_origin_fields_and_known_formats():
    text = (Path(catalogue.__file__).parent / "catalogus.yaml").read_text(encoding="utf-8")
    raw = yaml.safe_load(text)["bestanden"]
    formats = {f.key for f in all_formats()}
    for e in raw:
        assert {"bronpagina", "adres", "laatst_geverifieerd"} <= set(e), e["sleutel"]
        assert e["formaat"] in formats, e["formaat"]
        if e["adres"] and e["laatst_geverifieerd"] is None:
            assert e["adres"].startswith("https://")
    keys = [e["sleutel"] for e in raw]
    assert len(keys) == len(set(keys))
    assert all(isinstance(f.reference_date, date) for f in catalogue.known_files())
    formats_with_address = {e["formaat"] for e in raw if e["adres"]}
    assert {"duo-vo-prognose", "duo-vo-herkomst"} <= formats_with_address


def test_manifest_is_json_with_the_recorded_fields(server, tmp_path):
    site, base = server
    write_bytes(site / "kwb-2019-gemeenten.csv", KWB)
    download_and_import(
        tmp_path / "w",
        entries=[
            _entry(
                "kwb",
                "kwb-2019-gemeenten.csv",
                f"{base}/kwb-2019-gemeenten.csv",
                "cbs-kwb-gemeenten",
                2019,
            )
        ],
    )
    data = json.loads((tmp_path / "w" / "downloads" / "downloads.json").read_text(encoding="utf-8"))
    assert set(data["bestanden"][0]) == {
        "sleutel",
        "adres",
        "bestandsnaam",
        "opgehaald",
        "sha256",
        "grootte",
        "komt_overeen_met_catalogus",
    }
