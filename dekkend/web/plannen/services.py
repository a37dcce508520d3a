"""What pages and API do with scenarios: one function per action, the same for both.

Everything about the numbers is the library's: :func:`dekkend.scenarios.parse_scenario` and the checks
of :func:`dekkend.scenarios.run_scenario` for validation (the CLI's Dutch messages), ``run_scenario`` on a
:class:`dekkend.scenarios.Baseline` for the result, and the report's :func:`dekkend.report.scenario_numbers`,
:func:`dekkend.report.measure_text` and :func:`dekkend.report.knelpunt_changes` for the figures and words.
This module only stores, shares and audits.
"""

from __future__ import annotations

import json
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

import dekkend
from dekkend import report, safe_yaml
from dekkend.errors import DekkendError, InvoerFout
from dekkend.regions import select_region
from dekkend.scenarios import KINDS, Baseline, ScenarioResult, baseline, check_horizon, parse_scenario, run_scenario
from dekkend.web import audit, tasks
from dekkend.web.analysis import data_version
from dekkend.web.models import Gebruiker, Regio, Taak
from dekkend.web.notify import notify
from dekkend.web.plannen.access import audience, owns
from dekkend.web.plannen.models import NIVEAUS, Opmerking, Scenario, ScenarioVersie
from dekkend.workspace import Workspace

#: Forecast years of a scenario run: the same default as ``dekkend scenario --horizon``.
HORIZON = 10
#: Vestigingen listed per scenario in the receivers-and-losers table of the result.
FLOWS_KEPT = 60


# ---------------------------------------------------------------- tables and baselines (per data version)

_TABLES: OrderedDict[str, dict[str, pd.DataFrame]] = OrderedDict()
_BASELINES: OrderedDict[tuple[str, str], Baseline] = OrderedDict()
_LOCK = threading.Lock()


def werkmap() -> Path:
    return Path(settings.WERKMAP)


def tables() -> dict[str, pd.DataFrame]:
    """The werkmap's tables, read once per process and data version (treated as read-only)."""
    version = data_version(werkmap())
    with _LOCK:
        if version in _TABLES:
            return _TABLES[version]
    found = Workspace(werkmap()).require().tables()
    with _LOCK:
        _TABLES[version] = found
        while len(_TABLES) > 1:
            _TABLES.popitem(last=False)
    return found


def region_baseline(regio: Regio) -> Baseline:
    """The region "zonder ingrijpen" (:func:`dekkend.scenarios.baseline`), kept per data version and selection.

    Every scenario run of a region in this process shares it, as ``dekkend scenario`` shares one baseline
    between the scenarios of one call; a new data version computes it again.
    """
    version = data_version(werkmap())
    key = (version, regio.selectie)
    with _LOCK:
        if key in _BASELINES:
            _BASELINES.move_to_end(key)
            return _BASELINES[key]
    made = baseline(tables(), regio.selectie, horizon=HORIZON)
    with _LOCK:
        for old in [k for k in _BASELINES if k[0] != version]:
            del _BASELINES[old]
        _BASELINES[key] = made
        while len(_BASELINES) > 4:
            _BASELINES.popitem(last=False)
    return made


# ---------------------------------------------------------------- what the pickers offer


@dataclass(frozen=True)
class Choices:
    """What the builder's pickers offer in a region: its vestigingen, what each teaches, the years."""

    origin: int
    years: list[int]
    vestigingen: list[dict[str, Any]]
    kinds: list[str]
    boards: list[str]


_CHOICES: OrderedDict[tuple[str, str], Choices] = OrderedDict()


def choices(regio: Regio) -> Choices:
    """The region's vestigingen with the types and profielen each teaches in the last count year.

    Kept per process, data version and region selection: the builder asks for it on every keystroke.
    """
    key = (data_version(werkmap()), regio.selectie)
    with _LOCK:
        if key in _CHOICES:
            _CHOICES.move_to_end(key)
            return _CHOICES[key]
    made = _choices(regio)
    with _LOCK:
        _CHOICES[key] = made
        while len(_CHOICES) > 32:
            _CHOICES.popitem(last=False)
    return made


def _choices(regio: Regio) -> Choices:
    t = tables()
    region = select_region(t, regio.selectie)
    codes = set(region.vestigingen)
    offer, pupils = t["aanbod"], t["leerlingen"]
    # the count year scenarios start from, as the library's checks take it (the region's last counted year)
    origin = int(pupils.loc[pupils["vestigingscode"].isin(codes), "schooljaar"].max())
    now = offer[(offer["schooljaar"] == origin) & offer["vestigingscode"].isin(codes) & (offer["leerlingen"] > 0)]
    teaches: dict[str, set[tuple[str, str | None]]] = {}
    for code, typ, prof in zip(now["vestigingscode"], now["onderwijstype"], now["profiel"], strict=True):
        teaches.setdefault(code, set()).add((str(typ), None if pd.isna(prof) else str(prof)))
    ves = t["vestigingen"].drop_duplicates("vestigingscode")
    ves = ves[ves["vestigingscode"].isin(codes)].sort_values(["plaatsnaam", "naam"])
    rows = []
    for code, naam, plaats, bestuur in zip(
        ves["vestigingscode"], ves["naam"], ves["plaatsnaam"], ves["bestuur"], strict=True
    ):
        pairs = sorted(teaches.get(code, set()), key=lambda p: (p[0], p[1] or ""))
        rows.append(
            {
                "code": code,
                "naam": str(naam),
                "plaats": "" if pd.isna(plaats) else str(plaats).title(),
                "bestuur": "" if pd.isna(bestuur) else str(bestuur),
                "types": sorted({p[0] for p in pairs}),
                "profielen": [f"{typ}/{prof}" for typ, prof in pairs if prof],
            }
        )
    boards = sorted({r["bestuur"] for r in rows if r["bestuur"]})
    return Choices(origin, list(range(origin + 1, origin + HORIZON + 1)), rows, list(KINDS), boards)


# ---------------------------------------------------------------- validation (the CLI's messages)


@dataclass(frozen=True)
class Checked:
    """A scenario text checked against the region: the parsed scenario, or the Dutch errors."""

    scenario: dekkend.scenarios.Scenario | None
    errors: list[str]
    warnings: list[str]
    doc: dict[str, Any] | None


def load_yaml(text: str) -> object:
    """The YAML document of ``text``, with a Dutch error naming the line."""
    try:
        return safe_yaml.load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InvoerFout(
            f"geen geldige YAML ({getattr(exc, 'problem', exc)})",
            line=mark.line + 1 if mark else None,
            expected="een YAML-document",
        ) from exc


def check(regio: Regio, text: str) -> Checked:
    """Parse and validate ``text`` for ``regio`` with the library's checks (what ``dekkend scenario`` says)."""
    doc: object = None
    try:
        doc = load_yaml(text)
        scenario = parse_scenario(doc)
        t = tables()
        report.check_scenarios(t, regio.selectie, [scenario])
        region = select_region(t, regio.selectie)
        warnings = dekkend.scenarios.check_region(scenario, region)
        check_horizon(scenario, choices(regio).origin + HORIZON)
    except DekkendError as exc:
        return Checked(None, [str(exc)], [], doc if isinstance(doc, dict) else None)
    return Checked(scenario, [], list(warnings), doc if isinstance(doc, dict) else None)


class Ongeldig(Exception):
    """Input that does not make a valid scenario; ``fouten`` are ``(veld, melding)`` pairs in Dutch."""

    def __init__(self, fouten: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(m for _, m in fouten))
        self.fouten = fouten


def _checked_or_fail(regio: Regio, naam: str, text: str) -> str:
    errors: list[tuple[str, str]] = []
    if not naam.strip():
        errors.append(("naam", "geef het scenario een naam"))
    if len(naam) > 200:
        errors.append(("naam", "de naam is langer dan 200 tekens"))
    found = check(regio, text)
    errors += [("yaml", e) for e in found.errors]
    if errors:
        raise Ongeldig(errors)
    assert found.scenario is not None
    return text if text.endswith("\n") else text + "\n"


# ---------------------------------------------------------------- creating, versions, forks


def _owner_board(user: Gebruiker, regio: Regio) -> Any:
    """The board that owns what ``user`` makes in ``regio`` (their board when it is in the region)."""
    if user.bestuur_id is not None:
        return user.bestuur
    return None


@transaction.atomic
def create(
    request: HttpRequest | None, user: Gebruiker, regio: Regio, naam: str, text: str, herkomst: str = "handmatig"
) -> Scenario:
    """A new scenario (visibility ``bestuur``) with ``text`` as its first version; :class:`Ongeldig` if invalid."""
    text = _checked_or_fail(regio, naam, text)
    now = timezone.now()
    scenario = Scenario.objects.create(
        regio=regio,
        bestuur=_owner_board(user, regio),
        auteur=user,
        naam=naam.strip(),
        herkomst=herkomst,
        aangemaakt=now,
        gewijzigd=now,
    )
    ScenarioVersie.objects.create(scenario=scenario, nummer=1, yaml=text, door=user, aangemaakt=now)
    audit.record(request, "scenario gemaakt", object=f"scenario {scenario.pk}", user=user, regio=regio.pk)
    return scenario


@transaction.atomic
def new_version(
    request: HttpRequest | None, user: Gebruiker, scenario: Scenario, naam: str, text: str
) -> ScenarioVersie:
    """A new version of ``scenario`` (its owners only); the earlier versions stay as they were."""
    if not owns(user, scenario):
        raise PermissionDenied("alleen het bestuur van dit scenario kan het wijzigen")
    text = _checked_or_fail(scenario.regio, naam, text)
    Scenario.objects.select_for_update().filter(pk=scenario.pk).first()
    last = scenario.laatste()
    number = (last.nummer if last else 0) + 1
    made = ScenarioVersie.objects.create(scenario=scenario, nummer=number, yaml=text, door=user)
    scenario.naam, scenario.gewijzigd = naam.strip(), timezone.now()
    scenario.save(update_fields=["naam", "gewijzigd"])
    audit.record(request, "scenarioversie gemaakt", object=f"scenario {scenario.pk}", user=user, versie=number)
    return made


@transaction.atomic
def fork(request: HttpRequest | None, user: Gebruiker, scenario: Scenario) -> Scenario:
    """A copy of the scenario's newest version owned by ``user``'s board (visibility ``bestuur``)."""
    source = scenario.laatste()
    if source is None:
        raise Ongeldig([("scenario", "dit scenario heeft nog geen versie")])
    now = timezone.now()
    copy = Scenario.objects.create(
        regio=scenario.regio,
        bestuur=_owner_board(user, scenario.regio),
        auteur=user,
        naam=f"{scenario.naam} (kopie)"[:200],
        herkomst="kopie",
        afgeleid_van=source,
        aangemaakt=now,
        gewijzigd=now,
    )
    ScenarioVersie.objects.create(
        scenario=copy, nummer=1, yaml=source.yaml, door=user, aangemaakt=now, toelichting=source.toelichting
    )
    audit.record(
        request,
        "scenario gekopieerd",
        object=f"scenario {copy.pk}",
        user=user,
        van=f"scenario {scenario.pk}",
        versie=source.nummer,
    )
    return copy


# ---------------------------------------------------------------- visibility


def widens(scenario: Scenario, niveau: str) -> bool:
    return NIVEAUS.index(niveau) > NIVEAUS.index(scenario.zichtbaarheid)


def set_visibility(request: HttpRequest | None, user: Gebruiker, scenario: Scenario, niveau: str) -> Scenario:
    """Change who sees ``scenario`` (its owners only); audited with who sees it from now on."""
    if niveau not in NIVEAUS:
        raise Ongeldig([("zichtbaarheid", f"'{niveau}' is geen zichtbaarheid; kies uit {', '.join(NIVEAUS)}")])
    if not owns(user, scenario):
        raise PermissionDenied("alleen het bestuur van dit scenario kan bepalen wie het ziet")
    before = scenario.zichtbaarheid
    if before != niveau:
        scenario.zichtbaarheid = niveau
        scenario.save(update_fields=["zichtbaarheid"])
        audit.record(
            request,
            "zichtbaarheid scenario gewijzigd",
            object=f"scenario {scenario.pk}",
            user=user,
            van=before,
            naar=niveau,
            zien=[p.email for p in audience(scenario, niveau)],
        )
    return scenario


# ---------------------------------------------------------------- comments


def owners_of(scenario: Scenario) -> list[Gebruiker]:
    if scenario.bestuur_id is not None:
        return list(Gebruiker.objects.filter(bestuur_id=scenario.bestuur_id, is_active=True))
    return [scenario.auteur] if scenario.auteur is not None else []


@transaction.atomic
def comment(request: HttpRequest | None, user: Gebruiker, scenario: Scenario, tekst: str) -> Opmerking:
    """A comment on ``scenario``; its board is notified when someone outside it comments."""
    tekst = tekst.strip()
    if not tekst:
        raise Ongeldig([("tekst", "schrijf een opmerking")])
    if len(tekst) > 5000:
        raise Ongeldig([("tekst", "een opmerking is hoogstens 5000 tekens")])
    made = Opmerking.objects.create(scenario=scenario, versie=scenario.laatste(), door=user, tekst=tekst)
    audit.record(request, "opmerking geplaatst", object=f"scenario {scenario.pk}", user=user)
    others = [p for p in owners_of(scenario) if p.pk != user.pk]
    if others:
        link = reverse("werkruimte:scenario", kwargs={"regio_id": scenario.regio_id, "scenario_id": scenario.pk})
        notify(
            others,
            f"Opmerking bij scenario '{scenario.naam}'",
            f"{user.get_full_name() or user.email} schreef bij '{scenario.naam}':\n\n{tekst}",
            link,
        )
    return made


# ---------------------------------------------------------------- running


def start_run(
    request: HttpRequest | None, user: Gebruiker, scenario: Scenario, versie: ScenarioVersie | None = None
) -> Taak:
    """Queue a run of a version (default: the newest): computes its result, or recomputes and compares it."""
    versie = versie or scenario.laatste()
    if versie is None:
        raise Ongeldig([("versie", "dit scenario heeft nog geen versie")])
    with transaction.atomic():
        taak = Taak.objects.create(
            soort=Taak.Soort.SCENARIO, regio=scenario.regio, aangevraagd_door=user, parameters={"versie": versie.pk}
        )
        audit.record(
            request,
            "scenario doorrekenen gestart",
            object=f"scenario {scenario.pk}",
            user=user,
            versie=versie.nummer,
            taak=taak.pk,
        )
        return tasks.start_job(taak)


def _clean(value: Any) -> Any:
    """JSON-safe: NaN and infinities become ``None``, numpy scalars plain numbers."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return _clean(json.loads(frame.to_json(orient="records", force_ascii=False)))


def result_json(result: ScenarioResult, t: dict[str, pd.DataFrame]) -> dict[str, Any]:
    """A scenario's result as stored on its version: the library's numbers, the report's words."""
    ves = t["vestigingen"].drop_duplicates("vestigingscode").set_index("vestigingscode")
    names = {c: str(n) for c, n in ves["naam"].items()}
    last = int(result.summary["eindjaar"])
    added, removed = report.knelpunt_changes(result)
    flows = result.flows.copy()
    if len(flows):
        flows["x"] = flows["vestigingscode"].map(ves["x_rd"]).astype(float) / 1000.0
        flows["y"] = flows["vestigingscode"].map(ves["y_rd"]).astype(float) / 1000.0
        flows = flows.reindex(flows["netto"].abs().sort_values(ascending=False).index).head(FLOWS_KEPT)
    ind = result.indicators
    reach = ind[ind["jaar"] == last]
    totals = result.per_vestiging.groupby("jaar")[["zonder_ingrijpen", "met_scenario"]].sum().round(1).reset_index()

    def knel(k: Any) -> dict[str, Any]:
        return {"titel": k.titel, "type": k.type, "ernst": k.ernst, "vestigingen": list(k.vestigingen)}

    return _clean(
        {
            "samenvatting": report.scenario_numbers(result),
            "maatregelen": [report.measure_text(m, names) for m in result.scenario.maatregelen],
            "besturen": _records(result.boards),
            "stromen": _records(flows),
            "bereik": _records(reach),
            "leerlingen_per_jaar": _records(totals),
            "bekostiging": _records(result.funding),
            "knelpunten_erbij": [knel(k) for k in added],
            "knelpunten_weg": [knel(k) for k in removed],
            "waarschuwingen": list(result.warnings),
        }
    )


def compute(versie: ScenarioVersie, progress: Any = None) -> dict[str, Any]:
    """Run ``versie`` with the library on its region's baseline; the stored result (not saved here)."""
    regio = versie.scenario.regio
    if progress:
        progress("zonder ingrijpen", 0, 3)
    base = region_baseline(regio)
    found = check(regio, versie.yaml)
    if found.scenario is None:
        raise InvoerFout(found.errors[0])
    if progress:
        progress("scenario doorrekenen", 1, 3)
    result = run_scenario(tables(), found.scenario, regio.selectie, horizon=HORIZON, baseline=base)
    if progress:
        progress("uitkomsten opslaan", 2, 3)
    return json.loads(json.dumps(result_json(result, tables()), ensure_ascii=False))


def run_version(taak: Taak) -> dict[str, Any]:
    """The task body: store the version's result, or recompute it and say whether the numbers are the same."""
    versie = ScenarioVersie.objects.select_related("scenario__regio").get(pk=taak.parameters["versie"])
    version = data_version(werkmap())
    numbers = compute(versie, tasks.progress(taak))
    if versie.resultaat is None:
        ScenarioVersie.objects.filter(pk=versie.pk, resultaat__isnull=True).update(
            resultaat=numbers, data_versie=version, dekkend_versie=dekkend.__version__, taak=taak
        )
        return {"scenario": versie.scenario_id, "versie": versie.nummer, "opnieuw": False}
    return {
        "scenario": versie.scenario_id,
        "versie": versie.nummer,
        "opnieuw": True,
        "gelijk": numbers == versie.resultaat,
        "data_versie": version,
        "dekkend_versie": dekkend.__version__,
        "zelfde_gegevens": version == versie.data_versie,
    }
