"""The scenario format: YAML and the same as Python objects (see ``docs/scenarios.md``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import NoReturn

import yaml

from dekkend import safe_yaml
from dekkend.errors import InvoerFout
from dekkend.ingest.labels import PROFIEL_SLUGS

OFFER_TYPES = ("pro", "vmbo-b", "vmbo-k", "vmbo-g", "vmbo-t", "havo", "vwo", "onderbouw")
UPPER_TYPES = OFFER_TYPES[:-1]


@dataclass(frozen=True)
class Measure:
    """Base of every measure: the school year it starts."""

    vanaf: int


@dataclass(frozen=True)
class StopAanbod(Measure):
    """A vestiging stops offering a type (or one profiel of it); its pupils choose again."""

    vestiging: str
    onderwijstype: str
    profiel: str | None = None


@dataclass(frozen=True)
class SluitVestiging(Measure):
    """The whole vestiging closes."""

    vestiging: str


@dataclass(frozen=True)
class VerplaatsAanbod(Measure):
    """A type (or profiel) moves from one vestiging to another."""

    van: str
    naar: str
    onderwijstype: str
    profiel: str | None = None


@dataclass(frozen=True)
class Fuseer(Measure):
    """Vestigingen merge into one, at the location of ``naar``."""

    vestigingen: tuple[str, ...]
    naar: str


@dataclass(frozen=True)
class ConcentreerBovenbouw(Measure):
    """The upper years of a type are taught only at ``naar`` (from ``van``, default: the region's others)."""

    onderwijstype: str
    naar: str
    van: tuple[str, ...] = ()


@dataclass(frozen=True)
class Nevenvestiging(Measure):
    """A new location with its own offer."""

    code: str
    naam: str
    bestuur: str
    denominatie: str
    x_rd: float
    y_rd: float
    aanbod: tuple[tuple[str, str | None], ...]


@dataclass(frozen=True)
class DeelProfiel(Measure):
    """Pupils of ``van`` take a profiel at ``naar`` (uitbesteding): they stay pupils of ``van``."""

    van: str
    naar: str
    onderwijstype: str
    profiel: str


@dataclass(frozen=True)
class Afstandsonderwijs(Measure):
    """The offer stays at the vestiging but is (partly) remote: a utility penalty in the choice model."""

    vestiging: str
    onderwijstype: str
    profiel: str | None = None
    nutsverlies: float = 0.3


@dataclass(frozen=True)
class Drempels(Measure):
    """Other viability thresholds from this year on.

    Keys as in ``drempels.yaml``: vmbo-profiel, vmbo-leerweg, havo-vwo, pro.
    """

    waarden: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class DenominatieEis(Measure):
    """Pupils who must leave an openbare school choose an openbare (or samenwerkings) alternative
    within the norm distance when one exists."""


KINDS: dict[str, type[Measure]] = {
    "stop-aanbod": StopAanbod,
    "sluit-vestiging": SluitVestiging,
    "verplaats-aanbod": VerplaatsAanbod,
    "fuseer": Fuseer,
    "concentreer-bovenbouw": ConcentreerBovenbouw,
    "nevenvestiging": Nevenvestiging,
    "deel-profiel": DeelProfiel,
    "afstandsonderwijs": Afstandsonderwijs,
    "drempels": Drempels,
    "denominatie-eis": DenominatieEis,
}
KIND_OF = {v: k for k, v in KINDS.items()}
THRESHOLD_KEYS = ("vmbo-profiel", "vmbo-leerweg", "havo-vwo", "pro")


@dataclass(frozen=True)
class Scenario:
    """A named set of measures."""

    naam: str
    beschrijving: str = ""
    maatregelen: tuple[Measure, ...] = ()
    bron: str | None = None

    def to_dict(self) -> dict:
        """The YAML form."""
        out = []
        for m in self.maatregelen:
            d = {"soort": KIND_OF[type(m)]}
            for f in fields(m):
                v = getattr(m, f.name)
                if v is None or v == ():
                    continue
                if isinstance(m, Nevenvestiging) and f.name == "aanbod":
                    v = [{"onderwijstype": t, **({"profiel": p} if p else {})} for t, p in v]
                elif isinstance(m, Drempels) and f.name == "waarden":
                    v = dict(v)
                elif isinstance(v, tuple):
                    v = list(v)
                d[f.name] = v
            out.append(d)
        return {"naam": self.naam, "beschrijving": self.beschrijving, "maatregelen": out}

    def to_yaml(self) -> str:
        """The scenario as YAML text."""
        return yaml.safe_dump(self.to_dict(), allow_unicode=True, sort_keys=False)


class _Fields:
    """Reads one measure's fields with Dutch errors naming the measure and the field."""

    def __init__(self, raw: dict, number: int, kind: str, path: Path | None) -> None:
        self.raw, self.number, self.kind, self.path = raw, number, kind, path

    def fail(self, name: str, problem: str, expected: str) -> NoReturn:
        raise InvoerFout(
            f"maatregel {self.number} ({self.kind}), veld '{name}': {problem}", file=self.path, expected=expected
        )

    def text(self, name: str, required: bool = True) -> str | None:
        v = self.raw.get(name)
        if v is None or (isinstance(v, str) and not v.strip()):
            if required:
                self.fail(name, "ontbreekt", "een waarde")
            return None
        return str(v).strip()

    def code(self, name: str) -> str:
        v = str(self.text(name)).upper()
        if len(v) != 6 or not v[:4].isalnum() or not v[4:].isdigit():
            self.fail(name, f"'{v}' is geen vestigingscode", "6 tekens: BRIN + 2 cijfers, zoals 99BB03")
        return v

    def codes(self, name: str, required: bool = True) -> tuple[str, ...]:
        v = self.raw.get(name)
        if v is None:
            if required:
                self.fail(name, "ontbreekt", "een lijst vestigingscodes")
            return ()
        if not isinstance(v, list) or not v:
            self.fail(name, "is geen lijst", "een lijst vestigingscodes, zoals [99DD00, 99DD01]")
        return tuple(_Fields({name: x}, self.number, self.kind, self.path).code(name) for x in v)

    def year(self, name: str = "vanaf") -> int:
        v = self.raw.get(name)
        if not isinstance(v, int) or not 1990 <= v <= 2100:
            self.fail(name, f"'{v}' is geen schooljaar", "een jaartal, zoals 2026 (voor 2026/27)")
        return int(v)

    def typ(self, name: str = "onderwijstype", upper_only: bool = False) -> str:
        allowed = UPPER_TYPES if upper_only else OFFER_TYPES
        v = self.text(name)
        if v not in allowed:
            self.fail(name, f"'{v}' is geen onderwijstype", ", ".join(allowed))
        return str(v)

    def profiel(self, name: str = "profiel", required: bool = False) -> str | None:
        v = self.text(name, required)
        if v is not None and v not in PROFIEL_SLUGS:
            self.fail(name, f"'{v}' is geen vmbo-profiel", ", ".join(PROFIEL_SLUGS))
        return v

    def number_(self, name: str, lo: float, hi: float, default: float | None = None) -> float:
        v = self.raw.get(name, default)
        if not isinstance(v, (int, float)) or not lo <= float(v) <= hi:
            self.fail(name, f"'{v}' valt buiten {lo:g}-{hi:g}", f"een getal van {lo:g} tot {hi:g}")
        return float(v)


def _profiel_needs_vmbo(f: _Fields, typ: str, profiel: str | None) -> None:
    if profiel is not None and typ not in ("vmbo-b", "vmbo-k", "vmbo-g", "vmbo-t"):
        f.fail("profiel", "een profiel hoort bij een vmbo-leerweg", "onderwijstype vmbo-b, vmbo-k, vmbo-g of vmbo-t")


def _measure(raw: object, number: int, path: Path | None) -> Measure:
    if not isinstance(raw, dict):
        raise InvoerFout(
            f"maatregel {number} is geen lijst van velden", file=path, expected="velden zoals soort: stop-aanbod"
        )
    kind = str(raw.get("soort", "")).strip()
    if kind not in KINDS:
        raise InvoerFout(
            f"maatregel {number}, veld 'soort': '{kind}' is onbekend", file=path, expected=", ".join(KINDS)
        )
    cls = KINDS[kind]
    f = _Fields(raw, number, kind, path)
    allowed = {x.name for x in fields(cls)} | {"soort"}
    extra = sorted(set(raw) - allowed)
    if extra:
        f.fail(extra[0], "is geen veld van deze maatregel", ", ".join(sorted(allowed)))
    return _BUILDERS[cls](f, f.year())


def _stop_aanbod(f: _Fields, vanaf: int) -> Measure:
    typ, prof = f.typ(), f.profiel()
    _profiel_needs_vmbo(f, typ, prof)
    return StopAanbod(vanaf, f.code("vestiging"), typ, prof)


def _sluit_vestiging(f: _Fields, vanaf: int) -> Measure:
    return SluitVestiging(vanaf, f.code("vestiging"))


def _verplaats_aanbod(f: _Fields, vanaf: int) -> Measure:
    typ, prof = f.typ(), f.profiel()
    _profiel_needs_vmbo(f, typ, prof)
    van, naar = f.code("van"), f.code("naar")
    if van == naar:
        f.fail("naar", "is dezelfde vestiging als 'van'", "een andere vestiging")
    return VerplaatsAanbod(vanaf, van, naar, typ, prof)


def _fuseer(f: _Fields, vanaf: int) -> Measure:
    codes, naar = f.codes("vestigingen"), f.code("naar")
    if naar not in codes or len(set(codes)) < 2:
        f.fail("vestigingen", "moet minstens twee vestigingen noemen, waaronder 'naar'", f"bijvoorbeeld [{naar}, ...]")
    return Fuseer(vanaf, codes, naar)


def _concentreer_bovenbouw(f: _Fields, vanaf: int) -> Measure:
    return ConcentreerBovenbouw(vanaf, f.typ(upper_only=True), f.code("naar"), f.codes("van", required=False))


def _nevenvestiging(f: _Fields, vanaf: int) -> Measure:
    offer = f.raw.get("aanbod")
    if not isinstance(offer, list) or not offer:
        f.fail("aanbod", "ontbreekt of is leeg", "een lijst zoals [{onderwijstype: vmbo-k, profiel: zorg-welzijn}]")
    pairs = []
    for item in offer:
        sub = _Fields(item if isinstance(item, dict) else {}, f.number, f.kind, f.path)
        t, p = sub.typ(), sub.profiel()
        _profiel_needs_vmbo(sub, t, p)
        pairs.append((t, p))
    return Nevenvestiging(
        vanaf,
        f.code("code"),
        str(f.text("naam")),
        str(f.text("bestuur")),
        str(f.text("denominatie")),
        f.number_("x_rd", -7_000, 300_000),
        f.number_("y_rd", 289_000, 629_000),
        tuple(pairs),
    )


def _deel_profiel(f: _Fields, vanaf: int) -> Measure:
    typ, prof = f.typ(), f.profiel(required=True)
    _profiel_needs_vmbo(f, typ, prof)
    return DeelProfiel(vanaf, f.code("van"), f.code("naar"), typ, str(prof))


def _afstandsonderwijs(f: _Fields, vanaf: int) -> Measure:
    typ, prof = f.typ(), f.profiel()
    _profiel_needs_vmbo(f, typ, prof)
    return Afstandsonderwijs(vanaf, f.code("vestiging"), typ, prof, f.number_("nutsverlies", 0.0, 1.0, 0.3))


def _denominatie_eis(f: _Fields, vanaf: int) -> Measure:
    return DenominatieEis(vanaf)


def _drempels(f: _Fields, vanaf: int) -> Measure:
    values = f.raw.get("waarden")
    if not isinstance(values, dict) or not values:
        f.fail("waarden", "ontbreekt", "bijvoorbeeld {vmbo-profiel: 15}")
    for k, v in values.items():
        if k not in THRESHOLD_KEYS:
            f.fail("waarden", f"'{k}' is geen drempel", ", ".join(THRESHOLD_KEYS))
        if not isinstance(v, (int, float)) or v < 0:
            f.fail("waarden", f"'{v}' voor {k} is geen getal >= 0", "een aantal leerlingen")
    return Drempels(vanaf, tuple((str(k), float(v)) for k, v in values.items()))


#: The parser of each kind of measure: its fields (``vanaf`` read first) to the measure.
_BUILDERS: dict[type[Measure], Callable[[_Fields, int], Measure]] = {
    StopAanbod: _stop_aanbod,
    SluitVestiging: _sluit_vestiging,
    VerplaatsAanbod: _verplaats_aanbod,
    Fuseer: _fuseer,
    ConcentreerBovenbouw: _concentreer_bovenbouw,
    Nevenvestiging: _nevenvestiging,
    DeelProfiel: _deel_profiel,
    Afstandsonderwijs: _afstandsonderwijs,
    DenominatieEis: _denominatie_eis,
    Drempels: _drempels,
}


def _identity(m: Measure) -> tuple:
    """What makes a measure the same measure: its kind and every field but ``vanaf``."""
    return (type(m), *(getattr(m, f.name) for f in fields(m) if f.name != "vanaf"))


def _no_repeats(measures: tuple[Measure, ...], path: Path | None) -> None:
    """The same measure twice (same kind, vestigingen, type/profiel; any year) is an error, not a double move."""
    seen: dict[tuple, int] = {}
    for i, m in enumerate(measures, start=1):
        first = seen.setdefault(_identity(m), i)
        if first != i:
            years = f"vanaf {measures[first - 1].vanaf} en {m.vanaf}"
            raise InvoerFout(
                f"maatregel {i} ({KIND_OF[type(m)]}) herhaalt maatregel {first} ({years}); "
                "een maatregel kan maar één keer gelden",
                file=path,
                expected="elke maatregel één keer, met één startjaar",
            )


def parse_scenario(doc: object, path: Path | None = None) -> Scenario:
    """A :class:`Scenario` from a parsed YAML document, with Dutch errors for anything invalid."""
    if not isinstance(doc, dict):
        raise InvoerFout("een scenario is een lijst van velden", file=path, expected="naam, beschrijving, maatregelen")
    extra = sorted(set(doc) - {"naam", "beschrijving", "maatregelen"})
    if extra:
        raise InvoerFout(f"onbekend veld '{extra[0]}'", file=path, expected="naam, beschrijving, maatregelen")
    naam = str(doc.get("naam") or "").strip()
    if not naam:
        raise InvoerFout("veld 'naam' ontbreekt", file=path, expected="een naam voor het scenario")
    raw = doc.get("maatregelen")
    if not isinstance(raw, list) or not raw:
        raise InvoerFout("veld 'maatregelen' ontbreekt of is leeg", file=path, expected="een lijst maatregelen")
    measures = tuple(_measure(m, i, path) for i, m in enumerate(raw, start=1))
    _no_repeats(measures, path)
    return Scenario(naam, str(doc.get("beschrijving") or ""), measures, str(path) if path else None)


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario YAML file."""
    path = Path(path)
    try:
        doc = safe_yaml.load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvoerFout(f"het scenariobestand is niet te lezen ({exc.strerror})", file=path) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InvoerFout(
            f"geen geldige YAML ({getattr(exc, 'problem', exc)})",
            file=path,
            line=mark.line + 1 if mark else None,
            expected="een YAML-document",
        ) from exc
    return parse_scenario(doc, path)
