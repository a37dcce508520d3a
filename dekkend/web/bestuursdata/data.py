"""What pages and API do with a board's data: store an upload, show it at a level, nowcast, the regional check.

The analyses are the library's (:func:`dekkend.forecast.read_upload`, :func:`dekkend.forecast.nowcast`,
:func:`dekkend.forecast.intake_forecast`, :func:`dekkend.forecast.sum_band`); this module only stores and selects.
The region's leerjaar-1 forecast is cached per region and data version like the region analysis
(``<web map>/bestuursdata/instroom/<version>/regio-<id>.json``); board data is never cached.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import threading
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest

from dekkend import forecast
from dekkend.regions import select_region
from dekkend.web import audit, tasks
from dekkend.web.analysis import data_version
from dekkend.web.bestuursdata.access import READ, current, level_for, record_read
from dekkend.web.bestuursdata.models import Upload
from dekkend.web.models import AuditRegel, Bestuur, Gebruiker, Regio, Taak
from dekkend.workspace import Workspace

#: A regional aggregate of board data is shown only with at least this many boards in it (no figure by subtraction).
MIN_GROUP = 3
FORMATS = ("xlsx", "csv")


def root() -> Path:
    return Path(settings.WEB_MAP) / "bestuursdata"


def _tables() -> dict[str, pd.DataFrame]:
    return Workspace(settings.WERKMAP).require().tables()


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def context(board: Bestuur, tables: dict[str, pd.DataFrame] | None = None) -> forecast.UploadContext:
    """What an upload of ``board`` is checked against (its vestigingen and types, today's date)."""
    tables = tables if tables is not None else _tables()
    ves = tables["vestigingen"]
    return forecast.UploadContext(
        offer=forecast.board_offer(tables, board.code),
        boards=dict(zip(ves["vestigingscode"], ves["bestuur"].astype(str), strict=True)),
        last_count_year=int(tables["leerlingen"]["schooljaar"].max()),
        today=dt.date.today(),
    )


def template_file(board: Bestuur, soort: str, fmt: str) -> tuple[bytes, str]:
    """The pre-filled template of ``soort`` for ``board`` and its file name."""
    ctx = context(board)
    frame = forecast.template(soort, ctx.offer, ctx.last_count_year)
    return forecast.template_bytes(frame, fmt), f"sjabloon-{soort}-bestuur-{board.code}.{fmt}"


def store_upload(
    request: HttpRequest | None,
    user: Gebruiker,
    board: Bestuur,
    soort: str,
    name: str,
    content: bytes,
    tables: dict[str, pd.DataFrame] | None = None,
) -> Upload:
    """Check and store an upload as the board's next version; :class:`dekkend.forecast.UploadFout` if any row is wrong.

    All or nothing: the file is written (atomically) only after every row passed, and removed again when
    the database row cannot be made.
    """
    if soort not in Upload.Soort.values:
        raise ValueError(soort)
    rows = forecast.read_upload(soort, content, name, context(board, tables))
    suffix = Path(name).suffix.lower()
    with transaction.atomic():
        Bestuur.objects.select_for_update().filter(pk=board.pk).first()  # one version number at a time
        last = Upload.objects.filter(bestuur=board, soort=soort).order_by("-versie").first()
        version = (last.versie if last else 0) + 1
        relative = Path("bestuursdata") / f"bestuur-{board.code}" / f"{soort}-v{version}{suffix}"
        path = Path(settings.WEB_MAP) / relative
        _atomic_write(path, content)
        try:
            upload = Upload.objects.create(
                bestuur=board,
                soort=soort,
                versie=version,
                bestandsnaam=Path(name).name[:200],
                bestand=str(relative),
                rijen=json.loads(rows.to_json(orient="records")),
                geupload_door=user,
            )
        except Exception:
            path.unlink(missing_ok=True)
            raise
    audit.record(
        request, "bestuursgegevens geüpload", object=f"upload {upload.pk}", user=user, soort=soort, versie=version
    )
    return upload


def view(upload: Upload, level: str) -> dict[str, Any]:
    """What a person with ``level`` sees of ``upload``: every row (``eigen``, ``detail``) or totals per type."""
    rows = upload.rijen
    if level == "totalen":
        frame = pd.DataFrame(rows)
        keys = ["onderwijstype", "schooljaar"]
        sums = frame.groupby(keys, as_index=False)["aantal"].sum() if len(frame) else frame
        rows = [
            {"onderwijstype": r.onderwijstype, "schooljaar": int(r.schooljaar), "aantal": int(r.aantal)}
            for r in sums.itertuples()
        ]
    elif level not in ("eigen", "detail"):
        rows = []
    return {
        "id": upload.pk,
        "bestuur": str(upload.bestuur),
        "bestuurcode": upload.bestuur.code,
        "soort": upload.soort,
        "versie": upload.versie,
        "niveau": level,
        "aangemaakt": upload.aangemaakt.isoformat(),
        "rijen": rows,
    }


AUDIENCE = {
    "regio": "alle leden van de regio's van uw bestuur (andere besturen, coördinator, adviseur, accountmanager)",
    "adviseur": "alleen de VO-raad-adviseur van de regio's van uw bestuur",
}


def preview(upload: Upload, niveau: str, met: str) -> dict[str, Any]:
    """Exactly what others would see with this choice (the same function that serves them)."""
    if niveau == "niets":
        return {"wie": "niemand buiten uw bestuur", "inhoud": None}
    return {"wie": AUDIENCE[met], "inhoud": view(upload, niveau)}


def share(request: HttpRequest | None, upload: Upload, niveau: str, met: str) -> Upload:
    """Set the disclosure of ``upload`` (at once: the next read by anyone uses it); logged."""
    from django.utils import timezone

    upload.niveau, upload.met = niveau, met
    upload.gedeeld_sinds = None if niveau == "niets" else timezone.now()
    upload.save(update_fields=["niveau", "met", "gedeeld_sinds"])
    audit.record(
        request, "delen gewijzigd", object=f"upload {upload.pk}", bestuur=upload.bestuur.code, niveau=niveau, met=met
    )
    return upload


def reads_of(board: Bestuur) -> Iterable[AuditRegel]:
    """The audit lines of reads of ``board``'s shared data by others (newest first)."""
    return AuditRegel.objects.filter(actie=READ, details__bestuur=board.code).order_by("-moment")[:200]


def export(board: Bestuur) -> bytes:
    """A zip of all the workspace holds of ``board``: each upload as uploaded, its checked rows and disclosure."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        listing = []
        for upload in Upload.objects.filter(bestuur=board).order_by("soort", "versie"):
            path = Path(settings.WEB_MAP) / upload.bestand
            if path.is_file():
                archive.write(path, f"{upload.soort}-v{upload.versie}{path.suffix}")
            listing.append({**view(upload, "eigen"), "gedeeld": upload.niveau, "met": upload.met})
        reads = [{"moment": r.moment.isoformat(), "wie": r.wie, **r.details} for r in reads_of(board)]
        archive.writestr(
            "gegevens.json",
            json.dumps({"uploads": listing, "gelezen_door_anderen": reads}, ensure_ascii=False, indent=1),
        )
    return buffer.getvalue()


def delete(request: HttpRequest | None, uploads: Iterable[Upload], what: str) -> int:
    """Remove uploads from the database and their files from disk; the audit log keeps only that it happened."""
    count = 0
    for upload in list(uploads):
        (Path(settings.WEB_MAP) / upload.bestand).unlink(missing_ok=True)
        board = upload.bestuur.code
        upload.delete()
        count += 1
    if count:
        audit.record(request, "bestuursgegevens verwijderd", object=what, bestuur=board, aantal=count)
    return count


# --- the region's leerjaar-1 forecast (public data), cached per data version -------------------------------------


def _intake_path(regio: Regio, version: str | None = None) -> Path:
    return root() / "instroom" / (version or data_version(settings.WERKMAP)) / f"regio-{regio.pk}.json"


def intake(regio: Regio) -> dict[str, Any] | None:
    """The region's cached leerjaar-1 forecast, or ``None`` when it has to be computed (:func:`ensure_intake`)."""
    try:
        found: dict[str, Any] = json.loads(_intake_path(regio).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    return found


def compute_intake(regio: Regio) -> dict[str, Any]:
    """Compute the region's leerjaar-1 forecast with the library's cohort model and cache it atomically."""
    version = data_version(settings.WERKMAP)
    tables = _tables()
    codes = sorted(select_region(tables, regio.selectie).vestigingen)
    frame = forecast.intake_forecast(tables, codes)
    total = forecast.sum_band(frame, 80)
    ves = tables["vestigingen"]
    result = {
        "versie": version,
        "peiljaar": int(frame.attrs["peiljaar"]),
        "besturen": {c: str(b) for c, b in zip(ves["vestigingscode"], ves["bestuur"], strict=True) if c in set(codes)},
        "rijen": [
            {
                "vestigingscode": r.vestigingscode,
                "onderwijstype": r.onderwijstype,
                "jaar": int(r.jaar),
                "verwacht": float(r.verwacht),
                "laag80": float(r.laag80),
                "hoog80": float(r.hoog80),
            }
            for r in frame.itertuples()
        ],
        "regio": [
            {"jaar": int(r.jaar), "verwacht": float(r.verwacht), "laag": float(r.laag), "hoog": float(r.hoog)}
            for r in total.itertuples()
        ],
        "methode": "cohortmodel van dekkend, leerjaar 1, 80%-interval (docs/methods/forecast.md)",
    }
    _atomic_write(_intake_path(regio, version), json.dumps(result, ensure_ascii=False).encode("utf-8"))
    return result


def ensure_intake(regio: Regio, user: Gebruiker | None) -> Taak:
    """The open job computing the region's leerjaar-1 forecast for the current data; a new one when there is none."""
    version = data_version(settings.WERKMAP)
    with transaction.atomic():
        Regio.objects.select_for_update().filter(pk=regio.pk).first()
        found = Taak.objects.filter(
            regio=regio,
            soort=Taak.Soort.UPLOAD,
            status__in=[Taak.Status.WACHTRIJ, Taak.Status.BEZIG],
            parameters__instroom=version,
        ).first()
        if found is not None:
            return found
        job = Taak.objects.create(
            soort=Taak.Soort.UPLOAD, regio=regio, aangevraagd_door=user, parameters={"instroom": version}
        )
        return tasks.start_job(job)


def history(board: Bestuur, tables: dict[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """Every registration row of ``board`` for a year DUO has counted, newest version first (the nowcast's history)."""
    tables = tables if tables is not None else _tables()
    last = int(tables["leerlingen"]["schooljaar"].max())
    rows = [
        row
        for upload in Upload.objects.filter(bestuur=board, soort=Upload.Soort.AANMELDINGEN).order_by("-versie")
        for row in upload.rijen
        if int(row["schooljaar"]) <= last
    ]
    columns = ["vestigingscode", "onderwijstype", "peildatum", "schooljaar", "aantal"]
    return pd.DataFrame(rows, columns=columns)


def _ratio(board_history: pd.DataFrame, pupils: pd.DataFrame, date: dt.date) -> tuple[Any, dict[str, Any]]:
    """The library's ratio for ``date`` and what the page says about it (history years and n, or the prior)."""
    matched = forecast.registration_history(board_history, pupils, date)
    ratio = forecast.board_ratio(matched, date)
    shown: dict[str, Any] = {"peildatum": date.isoformat(), "bron": ratio.bron if ratio else None}
    if ratio is not None:
        shown.update(
            verwacht=ratio.verwacht, laag=ratio.laag, hoog=ratio.hoog, uitleg=ratio.uitleg, jaren=list(ratio.jaren)
        )
    shown["historie"] = json.loads(matched.to_json(orient="records"))
    return ratio, shown


def nowcast_rows(
    upload: Upload, found: dict[str, Any], tables: dict[str, pd.DataFrame] | None = None
) -> dict[str, Any]:
    """The board's forecast of leerjaar 1 with and without its registrations, per row and in total.

    Only the rows for the coming year of the region's own vestigingen are nowcast (``buiten_regio`` lists the
    others); the ratio comes from the board's own history (its registrations of years DUO counted since, in any
    version, of all its vestigingen) when there is enough, else from the prior.
    """
    tables = tables if tables is not None else _tables()
    model = {(r["vestigingscode"], r["onderwijstype"], r["jaar"]): r for r in found["rijen"]}
    past = history(upload.bestuur, tables)
    ratios: dict[str, tuple[Any, dict[str, Any]]] = {}
    rows, frame, outside = [], [], set()
    for row in upload.rijen:
        if int(row["schooljaar"]) <= int(found["peiljaar"]):
            continue  # history, not a nowcast
        if row["vestigingscode"] not in found["besturen"]:
            outside.add(row["vestigingscode"])  # another region's vestiging: its page compares it with its model
            continue
        key = (row["vestigingscode"], row["onderwijstype"], int(row["schooljaar"]))
        base = model.get(key)
        without = (base["verwacht"], base["laag80"], base["hoog80"]) if base else None
        if row["peildatum"] not in ratios:
            ratios[row["peildatum"]] = _ratio(past, tables["leerlingen"], dt.date.fromisoformat(row["peildatum"]))
        ratio = ratios[row["peildatum"]][0]
        result = forecast.nowcast(float(row["aantal"]), dt.date.fromisoformat(row["peildatum"]), without, ratio=ratio)
        rows.append(
            {**row, "zonder": without, "met": (result.verwacht, result.laag, result.hoog), "uitleg": result.uitleg}
        )
        frame.append(
            {
                "jaar": int(row["schooljaar"]),
                "vestigingscode": row["vestigingscode"],
                "verwacht": result.verwacht,
                "laag80": result.laag,
                "hoog80": result.hoog,
            }
        )
        if without:
            frame[-1].update(zonder=without[0], zonder_laag=without[1], zonder_hoog=without[2])
    totals: dict[str, Any] = {}
    if frame:
        table = pd.DataFrame(frame)
        band = forecast.sum_band(table, 80).iloc[0]
        totals["met"] = (float(band["verwacht"]), float(band["laag"]), float(band["hoog"]))
        if "zonder" in table and table["zonder"].notna().all():
            plain = table.assign(verwacht=table["zonder"], laag80=table["zonder_laag"], hoog80=table["zonder_hoog"])
            band = forecast.sum_band(plain, 80).iloc[0]
            totals["zonder"] = (float(band["verwacht"]), float(band["laag"]), float(band["hoog"]))
    return {
        "rijen": rows,
        "totaal": totals,
        "verhoudingen": [shown for _, shown in ratios.values()],
        "buiten_regio": sorted(outside),
    }


# --- the regional consistency check --------------------------------------------------------------------------------


def aggregate(contributions: dict[str, float], minimum: int = MIN_GROUP) -> float | None:
    """The sum of the boards' figures, or ``None`` when fewer than ``minimum`` boards contributed."""
    return float(sum(contributions.values())) if len(contributions) >= minimum else None


def consistency(request: HttpRequest, user: Gebruiker, regio: Regio, found: dict[str, Any]) -> dict[str, Any]:
    """The region's expected leerjaar-1 intake next year against the sum of the board forecasts ``user`` may see.

    A board counts when its newest own forecast is shared (totals or detail) with ``user`` (its own staff: also
    only when shared). The sum, and whether it exceeds the region's interval, is shown only with at least
    :data:`MIN_GROUP` boards; a single board's number only when it shared detail.
    """
    year = int(found["peiljaar"]) + 1
    region = next(r for r in found["regio"] if r["jaar"] == year)
    codes = set(found["besturen"])
    model_by_board: dict[str, float] = {}
    for r in found["rijen"]:
        if r["jaar"] == year:
            board = found["besturen"].get(r["vestigingscode"], "")
            model_by_board[board] = model_by_board.get(board, 0.0) + r["verwacht"]
    claims: dict[str, float] = {}
    detail: list[dict[str, Any]] = []
    read: list[tuple[Upload, str]] = []
    newest = current(
        Upload.objects.select_related("bestuur").filter(bestuur__in=regio.besturen.all(), soort="prognose")
    )
    for upload in newest:
        if upload.niveau == "niets":
            continue
        level = level_for(user, upload)
        if level not in ("totalen", "detail", "eigen"):
            continue
        rows = [r for r in upload.rijen if int(r["schooljaar"]) == year and r["vestigingscode"] in codes]
        if not rows:
            continue
        claims[upload.bestuur.code] = float(sum(r["aantal"] for r in rows))
        read.append((upload, level))
        if level in ("detail", "eigen"):
            detail.append(
                {
                    "bestuur": str(upload.bestuur),
                    "prognose": claims[upload.bestuur.code],
                    "model": round(model_by_board.get(upload.bestuur.code, 0.0), 1),
                }
            )
    total = aggregate(claims)
    result: dict[str, Any] = {
        "jaar": year,
        "regio": {k: round(region[k], 1) for k in ("verwacht", "laag", "hoog")},
        "bijdragers": len(claims),
        "minimum": MIN_GROUP,
        "som": None,
        "te_veel": None,
        "met_besturen": None,
        "model_bijdragers": None,
        "detail": detail if total is not None else [],
        "methode": found["methode"],
    }
    if total is not None:
        for upload, level in read:  # logged only when the aggregate is shown
            record_read(request, upload, level, "consistentiecheck")
        result["som"] = round(total, 1)
        theirs = sum(v for b, v in model_by_board.items() if b in claims)
        result["model_bijdragers"] = round(theirs, 1)
        # the region with the shared forecasts and the model for every other board: more than the band's top means
        # the sharing boards claim pupils the region does not have (compared with the shared sum alone, a few boards
        # of a large region could never exceed the whole region's band)
        with_boards = region["verwacht"] - theirs + total
        result["met_besturen"] = round(with_boards, 1)
        result["te_veel"] = round(with_boards - region["hoog"], 1) if with_boards > region["hoog"] else None
    return result
