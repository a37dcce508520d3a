"""The catalogue of known published DUO/CBS files (``catalogus.yaml``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

import yaml


@dataclass(frozen=True)
class KnownFile:
    """One published file: what it is, its reference date and where it comes from."""

    key: str
    title: str
    filename: str
    format: str
    reference_date: date
    sha256: str | None
    publisher: str
    licence: str | None = None
    page: str | None = None
    url: str | None = None
    verified: date | None = None


@cache
def known_files() -> tuple[KnownFile, ...]:
    """Every catalogue entry."""
    text = resources.files("dekkend.ingest").joinpath("catalogus.yaml").read_text(encoding="utf-8")
    out = []
    for e in yaml.safe_load(text)["bestanden"]:
        out.append(
            KnownFile(
                key=e["sleutel"],
                title=e["titel"],
                filename=e["bestandsnaam"],
                format=e["formaat"],
                reference_date=e["peildatum"],
                sha256=e.get("sha256"),
                publisher=e.get("uitgever", ""),
                licence=e.get("licentie"),
                page=e.get("bronpagina"),
                url=e.get("adres"),
                verified=e.get("laatst_geverifieerd"),
            )
        )
    return tuple(out)


def by_checksum(sha256: str) -> KnownFile | None:
    """The catalogue entry for a file with this SHA-256, if any."""
    for known in known_files():
        if known.sha256 == sha256:
            return known
    return None
