"""Simulated board data for the demo region, so a demo visitor sees the nowcast and the consistency check at work.

Real registrations are not public, so every demo board gets figures simulated from the demo werkmap's own
leerjaar-1 counts, deterministically (a fixed seed per board), uploaded through the same checks as a real file:

* **registrations** (``aanmeldingen``) counted on 15 March of the coming year (or today, if that is earlier), drawn
  with :func:`dekkend.forecast.simulate_registrations` around the pupils of the last counted year per vestiging x
  type; every board except the last (by code) also gets its registrations on 15 March of the last
  :data:`HISTORY_YEARS` counted years, drawn around DUO's count of that year, so the nowcast has a history to
  match (the last board shows the prior). Private, as every upload starts.
* **an own forecast** (``prognose``): every coming year the vestiging's best leerjaar-1 year of the last five (a
  board planning on its best year, the habit the consistency check is for), shared as totals with the region.

Only on the demo werkmap, and once: when the demo region is made (the first start of a web map); a board that
already has an upload is left alone, so nothing is uploaded twice.
"""

from __future__ import annotations

import datetime as dt
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

from dekkend import forecast
from dekkend.web.bestuursdata import data
from dekkend.web.bestuursdata.models import Upload
from dekkend.web.models import Bestuur, Gebruiker, Regio
from dekkend.web.paths import is_demo
from dekkend.workspace import Workspace

#: Counted years before the coming one of which the demo boards get registrations (their history).
HISTORY_YEARS = 4
SEED = 22
PREFIX = "demo-gesimuleerd-"
NAME = PREFIX + "{soort}.csv"


def _count_date(year: int, today: dt.date) -> dt.date:
    return min(dt.date(year, 3, 15), today)


def registrations(tables: dict[str, pd.DataFrame], board: str, history: bool, today: dt.date) -> pd.DataFrame:
    """The demo board's simulated registrations as a filled-in template (see the module docstring)."""
    offer = forecast.board_offer(tables, board)
    pupils = tables["leerlingen"]
    last = int(pupils["schooljaar"].max())
    first = pupils[pupils["leerjaar"] == 1].groupby(["vestigingscode", "onderwijstype", "schooljaar"])["aantal"].sum()
    rng = np.random.default_rng([SEED, zlib.crc32(board.encode())])
    years = list(range(last - HISTORY_YEARS + 1, last + 1)) if history else []
    rows = []
    for r in offer.itertuples():
        counts = [float(first.get((r.vestigingscode, r.onderwijstype, y), 0)) for y in [*years, last]]
        dates = [_count_date(y, today) for y in years] + [_count_date(last + 1, today)]
        for date, count in zip(dates, counts, strict=True):
            drawn = simulate_one(count, date, rng)
            rows.append((r.vestigingscode, r.vestiging, r.onderwijstype, f"{date:%d-%m-%Y}", str(drawn)))
    return pd.DataFrame(rows, columns=forecast.template("aanmeldingen", offer, last).columns)


def simulate_one(count: float, date: dt.date, rng: np.random.Generator) -> int:
    """Registrations on ``date`` for ``count`` October pupils (the library's simulation; 0 before February)."""
    if forecast.prior_ratio(date) is None:
        return 0
    return int(forecast.simulate_registrations([count], date, rng)[0])


def own_forecast(tables: dict[str, pd.DataFrame], board: str) -> pd.DataFrame:
    """The demo board's own forecast: every coming year its best leerjaar-1 year of the last five, per type."""
    offer = forecast.board_offer(tables, board)
    last = int(tables["leerlingen"]["schooljaar"].max())
    sheet = forecast.template("prognose", offer, last)
    best = {(r.vestigingscode, r.onderwijstype): int(r.grootste) for r in offer.itertuples()}
    sheet["leerlingen_leerjaar_1"] = [
        str(best[(c, t)]) for c, t in zip(sheet["vestigingscode"], sheet["onderwijstype"], strict=True)
    ]
    return sheet


def seed(werkmap: str | Path, regio: Regio, today: dt.date | None = None) -> int:
    """Upload the simulated figures of every board of the demo ``regio`` that has none yet; returns how many uploads.

    Does nothing on a werkmap that is not the demo's.
    """
    if not is_demo(werkmap):
        return 0
    tables = Workspace(werkmap).require().tables()
    today = today or dt.date.today()
    boards = list(regio.besturen.order_by("code"))
    made = 0
    for board in boards:
        if Upload.objects.filter(bestuur=board).exists():
            continue
        person = Gebruiker.objects.filter(bestuur=board).order_by("pk").first()
        sheet = registrations(tables, board.code, history=board != boards[-1], today=today)
        made += _store(person, board, "aanmeldingen", sheet, tables) is not None
        upload = _store(person, board, "prognose", own_forecast(tables, board.code), tables)
        if upload is not None:
            data.share(None, upload, "totalen", "regio")
            made += 1
    return made


def _store(
    person: Gebruiker | None, board: Bestuur, soort: str, sheet: pd.DataFrame, tables: dict[str, pd.DataFrame]
) -> Upload | None:
    content = forecast.template_bytes(sheet, "csv")
    if person is None:
        return None
    return data.store_upload(None, person, board, soort, NAME.format(soort=soort), content, tables=tables)
