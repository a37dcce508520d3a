"""What people do with a hulpvraag, the same for pages and API: ask, write, change status, attach, visit.

Each function checks the person's right to do it (the caller has already checked they may see the
request: :mod:`dekkend.web.hulpvragen.access`), changes the records in one transaction, notifies the
other side (:func:`dekkend.web.notify.notify`) and writes the audit log.
"""

from __future__ import annotations

import datetime as dt
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import File
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from dekkend.web import audit, jobs, tasks
from dekkend.web.hulpvragen import access, uploads
from dekkend.web.hulpvragen.models import (
    VISITATIETHEMAS,
    Bericht,
    Bijlage,
    Hulpvraag,
    Soort,
    Status,
    Visitatiepartner,
)
from dekkend.web.models import Bestuur, Gebruiker, Regio, Taak
from dekkend.web.notify import notify

#: Who to contact when the region has nobody assigned for a kind of request (facts: docs/web.md, knowledge base).
CONTACT = {
    Soort.OCW: (
        "Deze regio heeft (nog) geen accountmanager van OCW in de werkruimte. Mail het accountteam "
        "leerlingendaling van OCW: lld@minocw.nl.",
        "ocw-accountmanagers-leerlingendaling",
    ),
    Soort.ADVISEUR: (
        "Deze regio heeft (nog) geen adviseur van de VO-raad in de werkruimte. Neem contact op met de VO-raad "
        "(project Regionale samenwerking, ledenadviseurs krimp en regionale samenwerking), of vraag de "
        "regiocoördinator een adviseur uit te nodigen.",
        "ledenadviseurs-krimp-regionale-samenwerking",
    ),
    Soort.VISITATIE: (
        "Deze regio heeft (nog) geen adviseur van de VO-raad in de werkruimte die een visitatie kan begeleiden. "
        "Collegiale bestuurlijke visitaties organiseert de VO-academie; vraag de regiocoördinator een adviseur "
        "uit te nodigen.",
        "collegiale-bestuurlijke-visitatie",
    ),
}


class HulpvraagFout(ValueError):
    """A Dutch message why an action is refused (bad input); nothing was changed."""


def link(hulpvraag: Hulpvraag) -> str:
    return reverse("werkruimte:hulpvraag", kwargs={"regio_id": hulpvraag.regio_id, "hulpvraag_id": hulpvraag.pk})


def who(user: Gebruiker) -> str:
    name = user.get_full_name() or user.email
    return f"{name} ({user.bestuur})" if user.bestuur_id else f"{name} ({user.get_rol_display()})"


def _notify_others(hulpvraag: Hulpvraag, actor: Gebruiker, onderwerp: str, tekst: str) -> None:
    people = [*access.requesting_circle(hulpvraag), *access.handling_circle(hulpvraag)]
    notify([p for p in people if p.pk != actor.pk], onderwerp, tekst, link(hulpvraag))


def snapshot(regio: Regio, user: Gebruiker, *, knelpunt: int | None, versie: Any | None) -> dict[str, Any]:
    """What the request refers to, frozen now: the region's knelpunten, the chosen one, the scenario version."""
    analysis = jobs.analysis(regio)
    snap: dict[str, Any] = {
        "gemaakt": timezone.now().isoformat(),
        "regio": {"id": regio.pk, "naam": regio.naam, "selectie": regio.selectie},
    }
    if analysis is None:
        jobs.ensure_analysis(regio, user)
        snap["knelpunten"] = None
        snap["melding"] = "De analyse van de regio werd nog berekend toen deze hulpvraag werd gesteld."
    else:
        found = list(analysis["diagnose"].get("knelpunten", []))
        snap["gegevensversie"] = analysis["versie"]
        snap["peiljaar"] = analysis["diagnose"].get("peiljaar")
        snap["knelpunten"] = found
        if knelpunt is not None:
            if not 0 <= knelpunt < len(found):
                raise HulpvraagFout(f"knelpunt {knelpunt} bestaat niet in de analyse van {regio.naam}")
            snap["knelpunt"] = found[knelpunt]
    if versie is not None:
        snap["scenario"] = {
            "id": versie.scenario_id,
            "naam": versie.scenario.naam,
            "versie": versie.nummer,
            "yaml": versie.yaml,
            "resultaat": versie.resultaat,
            "gegevensversie": versie.data_versie,
            "dekkend_versie": versie.dekkend_versie,
        }
    return snap


def scenario_version(user: Gebruiker, regio: Regio, versie_id: int | None) -> Any | None:
    """The scenario version ``versie_id`` if ``user`` may see its scenario in ``regio``; else a Dutch error."""
    if versie_id is None:
        return None
    from dekkend.web.plannen.access import visible_scenarios
    from dekkend.web.plannen.models import ScenarioVersie

    found = (
        ScenarioVersie.objects.select_related("scenario")
        .filter(pk=versie_id, scenario__in=visible_scenarios(user, regio))
        .first()
    )
    if found is None:
        raise HulpvraagFout(f"scenarioversie {versie_id} bestaat niet in deze regio of is niet zichtbaar voor u")
    return found


def ask(
    request: Any,
    regio: Regio,
    *,
    soort: str,
    onderwerp: str,
    tekst: str,
    knelpunt: int | None = None,
    scenario_versie: int | None = None,
    streefdatum: dt.date | None = None,
    rapport: str = "nieuw",
    themas: list[str] | None = None,
    voorgestelde_data: list[dt.date] | None = None,
) -> Hulpvraag:
    """A new request from ``request.user`` (a board or coordinator of ``regio``), with its snapshot."""
    user: Gebruiker = request.user
    access.require_asker(user)
    if soort not in Soort.values:
        raise HulpvraagFout(f"onbekende soort '{soort}': kies adviseur, visitatie of ocw")
    if not onderwerp.strip() or not tekst.strip():
        raise HulpvraagFout("geef een onderwerp en beschrijf uw vraag")
    handler = access.handlers(regio, soort).first()
    if handler is None:
        raise HulpvraagFout(CONTACT[Soort(soort)][0])
    known = {k for k, _ in VISITATIETHEMAS}
    if themas and not set(themas) <= known:
        raise HulpvraagFout(f"onbekend visitatiethema: kies uit {', '.join(sorted(known))}")
    versie = scenario_version(user, regio, scenario_versie)
    with transaction.atomic():
        hulpvraag = Hulpvraag.objects.create(
            regio=regio,
            bestuur=user.bestuur,
            aanvrager=user,
            soort=soort,
            onderwerp=onderwerp.strip()[:200],
            tekst=tekst.strip(),
            behandelaar=handler,
            knelpunt="",
            scenario_versie=versie,
            momentopname=snapshot(regio, user, knelpunt=knelpunt, versie=versie),
            streefdatum=streefdatum,
            themas=list(themas or []) if soort == "visitatie" else [],
            voorgestelde_data=[d.isoformat() for d in voorgestelde_data or []] if soort == "visitatie" else [],
        )
        chosen = hulpvraag.momentopname.get("knelpunt")
        if chosen:
            hulpvraag.knelpunt = str(chosen.get("titel", ""))[:300]
            hulpvraag.save(update_fields=["knelpunt"])
        hulpvraag.rapport = _report(hulpvraag, user, rapport)
        hulpvraag.save(update_fields=["rapport"])
        audit.record(request, "hulpvraag gesteld", object=f"hulpvraag {hulpvraag.pk}", regio=regio.pk, soort=soort)
        notify(
            access.handling_circle(hulpvraag),
            f"Nieuwe hulpvraag: {hulpvraag.onderwerp}",
            f"{who(user)} in {regio.naam} vraagt {hulpvraag.get_soort_display()}.\n\n{hulpvraag.tekst}",
            link(hulpvraag),
        )
    return hulpvraag


def _report(hulpvraag: Hulpvraag, user: Gebruiker, rapport: str) -> Taak | None:
    if rapport == "geen":
        return None
    if rapport == "laatste":
        latest = (
            Taak.objects.filter(
                regio=hulpvraag.regio, soort__in=[Taak.Soort.RAPPORT, Taak.Soort.HULPVRAAG], status=Taak.Status.KLAAR
            )
            .exclude(resultaat={})
            .order_by("-klaar")
            .first()
        )
        if latest is not None:
            return latest
    job = Taak.objects.create(
        soort=Taak.Soort.HULPVRAAG,
        regio=hulpvraag.regio,
        aangevraagd_door=user,
        parameters={"hulpvraag": hulpvraag.pk, "pdf": True},
    )
    return tasks.start_job(job)


def write(request: Any, hulpvraag: Hulpvraag, tekst: str, files: list[Any] | None = None) -> Bericht:
    """A message in the thread (with attachments); a board's answer to "wacht op bestuur" reopens it."""
    user: Gebruiker = request.user
    if not tekst.strip() and not files:
        raise HulpvraagFout("schrijf een bericht of voeg een bijlage toe")
    checked = [uploads.check(f.name, f, f.size) for f in files or []]
    written: list[Bijlage] = []
    try:
        with transaction.atomic():
            bericht = Bericht.objects.create(hulpvraag=hulpvraag, door=user, tekst=tekst.strip())
            for upload, ok in zip(files or [], checked, strict=True):
                _store(hulpvraag, user, upload, ok, written, bericht=bericht)
            if hulpvraag.status == "wacht op bestuur" and access.is_requester(user, hulpvraag):
                _set_status(hulpvraag, user, "in behandeling")
            hulpvraag.gewijzigd = timezone.now()
            hulpvraag.save(update_fields=["gewijzigd"])
            audit.record(request, "hulpvraag bericht", object=f"hulpvraag {hulpvraag.pk}", bijlagen=len(checked))
            _notify_others(
                hulpvraag,
                user,
                f"Nieuw bericht bij hulpvraag: {hulpvraag.onderwerp}",
                f"{who(user)}:\n\n{tekst.strip()}",
            )
    except Exception:
        _remove(written)
        raise
    return bericht


def _store(
    hulpvraag: Hulpvraag,
    user: Gebruiker,
    upload: IO[bytes],
    ok: uploads.Checked,
    written: list[Bijlage],
    **fields: Any,
) -> Bijlage:
    bijlage = Bijlage(hulpvraag=hulpvraag, door=user, naam=ok.naam, soort=ok.soort, grootte=ok.grootte, **fields)
    upload.seek(0)
    bijlage.bestand.save(ok.naam, File(upload), save=False)
    written.append(bijlage)
    bijlage.save()
    return bijlage


def _remove(written: list[Bijlage]) -> None:
    """Delete the files of a failed action (its transaction rolled back: nothing is left behind)."""
    for bijlage in written:
        bijlage.bestand.delete(save=False)


def _set_status(hulpvraag: Hulpvraag, user: Gebruiker, status: str) -> None:
    old = hulpvraag.get_status_display()
    hulpvraag.status = status
    hulpvraag.gewijzigd = timezone.now()
    hulpvraag.save(update_fields=["status", "gewijzigd"])
    Bericht.objects.create(hulpvraag=hulpvraag, door=user, status=status)
    _notify_others(
        hulpvraag,
        user,
        f"Status gewijzigd: {hulpvraag.onderwerp}",
        f"{who(user)} zette de hulpvraag van '{old}' op '{hulpvraag.get_status_display()}'.",
    )


def change_status(request: Any, hulpvraag: Hulpvraag, status: str) -> None:
    """Handlers set any status; the requesting side may close its own request (``afgerond``)."""
    user: Gebruiker = request.user
    if status not in Status.values:
        raise HulpvraagFout(f"onbekende status '{status}': kies uit {', '.join(Status.values)}")
    if not access.is_handler(user, hulpvraag) and not (access.is_requester(user, hulpvraag) and status == "afgerond"):
        raise PermissionDenied("alleen de adviseur of accountmanager van deze hulpvraag kan de status wijzigen")
    if status == hulpvraag.status:
        return
    with transaction.atomic():
        _set_status(hulpvraag, user, status)
        audit.record(request, "hulpvraag status", object=f"hulpvraag {hulpvraag.pk}", status=status)


def upload_report(request: Any, hulpvraag: Hulpvraag, upload: Any) -> Bijlage:
    """The visitation report (a PDF) at the end of a visitation."""
    user: Gebruiker = request.user
    if hulpvraag.soort != Soort.VISITATIE:
        raise HulpvraagFout("alleen een visitatie heeft een visitatieverslag")
    ok = uploads.check(upload.name, upload, upload.size)
    if ok.soort != "pdf":
        raise HulpvraagFout("het visitatieverslag moet een PDF-bestand zijn")
    written: list[Bijlage] = []
    try:
        with transaction.atomic():
            bijlage = _store(hulpvraag, user, upload, ok, written, verslag=True)
            Bericht.objects.create(hulpvraag=hulpvraag, door=user, tekst=f"Visitatieverslag toegevoegd: {ok.naam}")
            audit.record(request, "visitatieverslag", object=f"hulpvraag {hulpvraag.pk}")
            _notify_others(
                hulpvraag, user, f"Visitatieverslag: {hulpvraag.onderwerp}", f"{who(user)} voegde het verslag toe."
            )
    except Exception:
        _remove(written)
        raise
    return bijlage


def share_report(request: Any, hulpvraag: Hulpvraag, shared: bool) -> None:
    """The requesting board shares the visitation report with the region's members (or stops sharing)."""
    if not access.is_requester(request.user, hulpvraag):
        raise PermissionDenied("alleen het bestuur dat de visitatie aanvroeg kan het verslag delen")
    hulpvraag.verslag_gedeeld = shared
    hulpvraag.save(update_fields=["verslag_gedeeld"])
    audit.record(
        request,
        "visitatieverslag gedeeld" if shared else "visitatieverslag niet gedeeld",
        object=f"hulpvraag {hulpvraag.pk}",
    )


def invite_peer(request: Any, hulpvraag: Hulpvraag, bestuur: Bestuur) -> Visitatiepartner:
    """Ask a board from another region to visit; its staff are notified and answer on their own page."""
    if hulpvraag.soort != Soort.VISITATIE:
        raise HulpvraagFout("alleen bij een visitatie horen visiterende besturen")
    if hulpvraag.regio.besturen.filter(pk=bestuur.pk).exists():
        raise HulpvraagFout("kies een bestuur uit een andere regio: collega's van buiten kijken onbevangen mee")
    partner, _ = Visitatiepartner.objects.get_or_create(hulpvraag=hulpvraag, bestuur=bestuur)
    target = reverse("werkruimte:visitatie", kwargs={"regio_id": hulpvraag.regio_id, "hulpvraag_id": hulpvraag.pk})
    notify(
        bestuur.medewerkers.all(),
        "Verzoek om een collegiale visitatie",
        f"{hulpvraag.bestuur or hulpvraag.regio.naam} vraagt uw bestuur om een collegiale bestuurlijke visitatie.",
        target,
    )
    audit.record(request, "visitatiepartner gevraagd", object=f"hulpvraag {hulpvraag.pk}", bestuur=bestuur.code)
    return partner


def answer_peer(request: Any, partner: Visitatiepartner, agree: bool) -> None:
    partner.antwoord = Visitatiepartner.Antwoord.TOEGEZEGD if agree else Visitatiepartner.Antwoord.AFGESLAGEN
    partner.beantwoord_door = request.user
    partner.save(update_fields=["antwoord", "beantwoord_door"])
    hulpvraag = partner.hulpvraag
    _notify_others(
        hulpvraag,
        request.user,
        f"Visitatie {'toegezegd' if agree else 'afgeslagen'}: {hulpvraag.onderwerp}",
        f"{partner.bestuur} heeft de visitatie {'toegezegd' if agree else 'afgeslagen'}.",
    )
    audit.record(request, "visitatie beantwoord", object=f"hulpvraag {hulpvraag.pk}", toegezegd=agree)


def remind(now: dt.datetime) -> int:
    """Due-date reminders: requests not closed whose wished answer date is tomorrow or past, once each."""
    due = timezone.localdate(now) + dt.timedelta(days=1)
    count = 0
    for hulpvraag in (
        Hulpvraag.objects.select_related("regio")
        .filter(streefdatum__lte=due, herinnerd__isnull=True)
        .exclude(status=Status.AFGEROND)
    ):
        with transaction.atomic():
            notify(
                access.handling_circle(hulpvraag),
                f"Herinnering: hulpvraag '{hulpvraag.onderwerp}'",
                f"Het bestuur wenst een antwoord vóór {hulpvraag.streefdatum:%d-%m-%Y}; de status is "
                f"'{hulpvraag.get_status_display()}'.",
                link(hulpvraag),
            )
            Hulpvraag.objects.filter(pk=hulpvraag.pk).update(herinnerd=now)
        count += 1
    return count
