"""The norms table (``normen.yaml``) and user thresholds (``drempels.yaml``), loaded and validated."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path

import yaml

from dekkend.errors import ConfiguratieFout

KINDS = ("stichting", "opheffing", "isolatie", "vuistregel", "drempel")
STATUSES = ("geverifieerd", "secundair", "niet geverifieerd", "vuistregel", "instelling")


@dataclass(frozen=True)
class Source:
    """Where a norm comes from."""

    title: str
    url: str | None = None
    article: str | None = None
    seen: date | None = None

    def citation(self) -> str:
        """A one-line Dutch citation."""
        parts = [self.title]
        if self.article:
            parts.append(self.article)
        if self.url:
            parts.append(self.url)
        return "; ".join(parts)


@dataclass(frozen=True)
class Norm:
    """One norm: kind, legal unit, type, value (None when not verified), status and source."""

    id: str
    kind: str
    unit: str
    onderwijstype: str
    measure: str
    direction: str
    value: float | None
    status: str
    valid_from: date | None
    source: Source
    explanation: str
    years_below: int | None = None
    per_profiel: bool = False

    @property
    def verified(self) -> bool:
        """True when the norm has a value to check against."""
        return self.value is not None


@dataclass(frozen=True)
class Settings:
    """Diagnosis settings and user thresholds, each with its source."""

    values: dict[str, float]
    sources: dict[str, str]
    thresholds: tuple[dict, ...] = field(default_factory=tuple)

    def threshold(self, onderwijstype: str, unit: str) -> tuple[float, str] | None:
        """The user threshold (value, source) for a type group and unit, if any."""
        for t in self.thresholds:
            if t["onderwijstype"] == onderwijstype and t["eenheid"] == unit:
                return float(t["waarde"]), str(t["bron"])
        return None


def _norm(entry: dict, where: str) -> Norm:
    missing = [
        k
        for k in ("id", "soort", "eenheid", "onderwijstype", "maat", "richting", "status", "bron", "toelichting")
        if k not in entry
    ]
    if missing:
        raise ConfiguratieFout(f"{where}: norm {entry.get('id', '?')} mist veld(en) {', '.join(missing)}")
    if entry["soort"] not in KINDS:
        raise ConfiguratieFout(
            f"{where}: norm {entry['id']} heeft onbekende soort '{entry['soort']}' (toegestaan: {', '.join(KINDS)})"
        )
    if entry["status"] not in STATUSES:
        raise ConfiguratieFout(f"{where}: norm {entry['id']} heeft onbekende status '{entry['status']}'")
    bron = entry["bron"] or {}
    if not bron.get("titel"):
        raise ConfiguratieFout(f"{where}: norm {entry['id']} heeft geen bron")
    value = entry.get("waarde")
    if value is None and entry["status"] != "niet geverifieerd":
        raise ConfiguratieFout(f"{where}: norm {entry['id']} heeft geen waarde maar status '{entry['status']}'")
    return Norm(
        id=entry["id"],
        kind=entry["soort"],
        unit=entry["eenheid"],
        onderwijstype=entry["onderwijstype"],
        measure=entry["maat"],
        direction=entry["richting"],
        value=None if value is None else float(value),
        status=entry["status"],
        valid_from=entry.get("geldig_vanaf"),
        source=Source(bron["titel"], bron.get("adres"), bron.get("artikel"), bron.get("gezien")),
        explanation=entry["toelichting"],
        years_below=entry.get("jaren_onder_norm"),
        per_profiel=bool(entry.get("per_profiel")),
    )


def load_norms(user_file: Path | None = None, on: date | None = None) -> tuple[Norm, ...]:
    """The norms in force on ``on`` (default: all latest versions), with user-supplied values merged in.

    A user file is YAML with ``normen:`` entries ``{id: ..., waarde: ..., bron: {titel: ...}}``; it
    fills a value the table could not verify (status becomes ``instelling``) or adds a norm.
    """
    text = resources.files("dekkend.norms").joinpath("normen.yaml").read_text(encoding="utf-8")
    entries = yaml.safe_load(text)["normen"]
    norms: dict[str, Norm] = {}
    for e in entries:
        n = _norm(e, "normen.yaml")
        if on is not None and n.valid_from is not None and n.valid_from > on:
            continue
        prev = norms.get(n.id)
        if prev is None or (n.valid_from or date.min) >= (prev.valid_from or date.min):
            norms[n.id] = n
    if user_file is not None:
        for e in _read_yaml(user_file).get("normen", []):
            if e.get("id") in norms and set(e) <= {"id", "waarde", "bron"}:
                base = norms[e["id"]]
                if not (e.get("bron") or {}).get("titel"):
                    raise ConfiguratieFout(
                        f"{user_file}: waarde voor norm {e['id']} zonder bron (geef bron: {{titel: ...}})"
                    )
                norms[e["id"]] = Norm(
                    **{
                        **base.__dict__,
                        "value": float(e["waarde"]),
                        "status": "instelling",
                        "source": Source(e["bron"]["titel"], e["bron"].get("adres")),
                    }
                )
            else:
                n = _norm(e, str(user_file))
                norms[n.id] = n
    return tuple(norms.values())


def _read_yaml(path: Path) -> dict:
    try:
        doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfiguratieFout(f"{path}: niet te lezen als YAML ({exc})") from exc
    if not isinstance(doc, dict):
        raise ConfiguratieFout(f"{path}: verwacht een YAML-document met velden")
    return doc


def load_settings(user_file: Path | None = None) -> Settings:
    """Diagnosis settings and thresholds; a user file overrides values by name."""
    doc = yaml.safe_load(resources.files("dekkend.norms").joinpath("drempels.yaml").read_text(encoding="utf-8"))
    if user_file is not None:
        user = _read_yaml(user_file)
        for key, val in (user.get("instellingen") or {}).items():
            if key not in doc["instellingen"]:
                raise ConfiguratieFout(
                    f"{user_file}: onbekende instelling '{key}' (bekend: {', '.join(doc['instellingen'])})"
                )
            doc["instellingen"][key] = (
                val if isinstance(val, dict) else {"waarde": val, "bron": f"eigen instelling ({user_file})"}
            )
        if "drempels" in user:
            doc["drempels"] = user["drempels"]
    values = {k: float(v["waarde"]) for k, v in doc["instellingen"].items()}
    sources = {k: str(v["bron"]) for k, v in doc["instellingen"].items()}
    for t in doc["drempels"]:
        if not t.get("bron"):
            raise ConfiguratieFout(f"drempel {t.get('onderwijstype')}/{t.get('eenheid')} heeft geen bron")
    return Settings(values, sources, tuple(doc["drempels"]))


def norm_by_id(norms: tuple[Norm, ...], norm_id: str) -> Norm:
    """Look a norm up by id."""
    for n in norms:
        if n.id == norm_id:
            return n
    raise ConfiguratieFout(f"onbekende norm '{norm_id}'")
