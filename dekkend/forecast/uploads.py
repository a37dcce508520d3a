"""A board's own figures as files: templates to fill in, and all-or-nothing validation of what comes back.

Two kinds (:data:`KINDS`), each a table with one row per vestiging x onderwijstype (x schooljaar):

``aanmeldingen``
    registrations for the coming leerjaar 1, with the date they were counted (``peildatum``); rows of earlier
    years (a date before a 1 October DUO counted, at most :data:`MAX_YEARS` back) are the board's history,
    which the nowcast matches to DUO's count (:func:`dekkend.forecast.registration_history`);
``prognose``
    the board's own forecast of leerjaar-1 pupils per schooljaar (``onderwijstype`` may be ``totaal``
    when the board has no split by type).

The template (:func:`template`) is pre-filled with the board's vestigingen and the types each one
teaches in leerjaar 1 (:func:`board_offer`), so a board fills in numbers only. :func:`read_upload`
reads CSV or XLSX and either returns every row or raises :class:`UploadFout` listing every problem
with its line and column, in Dutch; nothing is accepted from a file with an error.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass

import pandas as pd

from dekkend.errors import InvoerFout
from dekkend.output import defuse_formulas

KINDS = ("aanmeldingen", "prognose")
COLUMNS = {
    "aanmeldingen": ["vestigingscode", "vestiging", "onderwijstype", "peildatum", "aanmeldingen"],
    "prognose": ["vestigingscode", "vestiging", "onderwijstype", "schooljaar", "leerlingen_leerjaar_1"],
}
NUMBER = {"aanmeldingen": "aanmeldingen", "prognose": "leerlingen_leerjaar_1"}
TOTAL = "totaal"
#: Years of own forecast a template offers, and the furthest year accepted after (forecasts) or before
#: (registration history) the last count.
TEMPLATE_YEARS, MAX_YEARS = 5, 10
#: dekkend's own plausibility limit: a number above ``max(FACTOR * largest, largest + MARGIN)``, where ``largest``
#: is the vestiging's largest counted leerjaar 1 (of that type) in the last five years, is rejected as a likely typo.
FACTOR, MARGIN = 2.0, 50
MAX_ERRORS = 100
#: dekkend's own limits for an uploaded workbook: what all its members unpack to, and how many members it has.
#: A filled-in template unpacks to a few MB; a 'zip bomb' (a small file that unpacks to gigabytes) is refused.
MAX_UNPACKED, MAX_MEMBERS = 50 * 1024 * 1024, 2000


class UploadFout(InvoerFout):
    """An upload with errors; ``fouten`` holds every one as ``(line, column, message)`` (line 1 = header)."""

    def __init__(self, fouten: list[tuple[int | None, str | None, str]], bestand: str = "") -> None:
        self.fouten = list(fouten)
        self.bestand = bestand
        shown = "; ".join(_where(line, column) + message for line, column, message in self.fouten[:10])
        more = f" (en nog {len(self.fouten) - 10})" if len(self.fouten) > 10 else ""
        super().__init__(f"{len(self.fouten)} fout(en), niets is opgeslagen: {shown}{more}", file=bestand or None)


def _where(line: int | None, column: str | None) -> str:
    parts = ([f"regel {line}"] if line else []) + ([f"kolom '{column}'"] if column else [])
    return f"{', '.join(parts)}: " if parts else ""


def board_offer(tables: dict[str, pd.DataFrame], bestuur: str, years: int = 5) -> pd.DataFrame:
    """The board's vestigingen with the onderwijstypes each teaches in leerjaar 1 in the werkmap's newest count year.

    A vestiging whose last leerjaar 1 is older (closed, merged, or no longer taking first-years) is left out.

    Columns ``vestigingscode``, ``vestiging`` (name), ``onderwijstype`` and ``grootste``: the largest
    leerjaar-1 count of that vestiging and type in the last ``years`` count years (for the plausibility check).
    """
    ves = tables["vestigingen"]
    own = ves.loc[ves["bestuur"].astype(str) == str(bestuur), ["vestigingscode", "naam"]]
    pupils = tables["leerlingen"]
    first = pupils[(pupils["leerjaar"] == 1) & pupils["vestigingscode"].isin(own["vestigingscode"])]
    if first.empty:
        return pd.DataFrame(columns=["vestigingscode", "vestiging", "onderwijstype", "grootste"])
    newest = int(pupils["schooljaar"].max())
    recent = first[first["schooljaar"] > newest - years]
    sums = recent.groupby(["vestigingscode", "onderwijstype", "schooljaar"], as_index=False)["aantal"].sum()
    largest = sums.groupby(["vestigingscode", "onderwijstype"], as_index=False)["aantal"].max()
    taught = first.loc[first["schooljaar"] == newest]  # a vestiging without leerjaar 1 in that year has no intake
    keys = taught[["vestigingscode", "onderwijstype"]].drop_duplicates()
    frame = keys.merge(largest, how="left").merge(own.rename(columns={"naam": "vestiging"}))
    frame["grootste"] = frame["aantal"].fillna(0).astype(int)
    columns = ["vestigingscode", "vestiging", "onderwijstype", "grootste"]
    return frame[columns].sort_values(["vestigingscode", "onderwijstype"]).reset_index(drop=True)


def template(kind: str, offer: pd.DataFrame, last_count_year: int) -> pd.DataFrame:
    """The empty template of ``kind`` for a board with ``offer`` (:func:`board_offer`): numbers left blank."""
    _check_kind(kind)
    base = offer[["vestigingscode", "vestiging", "onderwijstype"]].copy()
    if kind == "aanmeldingen":
        base["peildatum"] = ""
        base["aanmeldingen"] = ""
        return base[COLUMNS[kind]]
    years = pd.DataFrame({"schooljaar": range(last_count_year + 1, last_count_year + 1 + TEMPLATE_YEARS)})
    frame = base.merge(years, how="cross")
    frame["leerlingen_leerjaar_1"] = ""
    return frame[COLUMNS[kind]].sort_values(["vestigingscode", "schooljaar", "onderwijstype"]).reset_index(drop=True)


def template_bytes(frame: pd.DataFrame, fmt: str) -> bytes:
    """The template as a file: ``csv`` (semicolon-separated, UTF-8 with BOM, as Dutch Excel reads it) or ``xlsx``."""
    frame = defuse_formulas(frame)  # a name such as "=HYPERLINK(...)" stays text in Excel
    if fmt == "csv":
        # CRLF rows: a cell holding a bare CR is then quoted (with LF rows it would start a new row in Excel)
        return frame.to_csv(index=False, sep=";", lineterminator="\r\n").encode("utf-8-sig")
    if fmt == "xlsx":
        buffer = io.BytesIO()
        with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
            frame.to_excel(writer, index=False, sheet_name="gegevens")
        return buffer.getvalue()
    raise ValueError(f"unknown template format {fmt!r}")


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown upload kind {kind!r}")


def _check_archive(content: bytes) -> None:
    """Refuse an XLSX whose zip members unpack to more than :data:`MAX_UNPACKED` bytes or are too many.

    The bytes are counted while unpacking (a crafted archive can lie about sizes in its headers), and
    unpacking stops at the limit.
    """
    too_big = UploadFout(
        fouten=[
            (
                None,
                None,
                f"het Excel-bestand pakt uit tot meer dan {MAX_UNPACKED // 1024 // 1024} MB; gebruik het sjabloon",
            )
        ]
    )
    archive = zipfile.ZipFile(io.BytesIO(content))
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise UploadFout(
            fouten=[(None, None, f"het Excel-bestand bevat {len(members)} onderdelen; gebruik het sjabloon")]
        )
    unpacked = 0
    for member in members:
        if unpacked + member.file_size > MAX_UNPACKED:
            raise too_big
        with archive.open(member) as stream:
            while chunk := stream.read(1 << 20):
                unpacked += len(chunk)
                if unpacked > MAX_UNPACKED:
                    raise too_big


def _read_cells(content: bytes, filename: str) -> pd.DataFrame:
    """Every cell as text (blank: empty string); CSV with ``;`` or ``,``, or the first sheet of an XLSX."""
    name = filename.lower()
    try:
        if name.endswith(".xlsx"):
            _check_archive(content)
            frame = pd.read_excel(io.BytesIO(content), dtype=str, engine="openpyxl")
        elif name.endswith(".csv") or name.endswith(".txt"):
            text = content.decode("utf-8-sig")
            sep = csv.Sniffer().sniff(text.splitlines()[0] if text else ";", delimiters=";,\t").delimiter
            frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
        else:
            raise UploadFout(fouten=[(None, None, "alleen .csv of .xlsx (het sjabloon) kan worden ingelezen")])
    except UnicodeDecodeError:
        raise UploadFout(
            fouten=[(None, None, "het CSV-bestand is geen UTF-8-tekst; sla het op als CSV UTF-8")]
        ) from None
    except UploadFout:
        raise
    except (ValueError, OSError, csv.Error, KeyError, zipfile.BadZipFile, EOFError, NotImplementedError) as exc:
        raise UploadFout(
            fouten=[(None, None, f"het bestand kan niet gelezen worden ({exc.__class__.__name__})")]
        ) from exc
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    return frame.fillna("").astype(str).apply(lambda s: s.str.strip())


@dataclass(frozen=True)
class UploadContext:
    """What a board's upload is checked against."""

    offer: pd.DataFrame  # board_offer() of the uploading board
    boards: dict[str, str]  # vestigingscode -> bestuur code, every vestiging in the werkmap
    last_count_year: int  # the newest schooljaar DUO counted
    today: dt.date


_DATE = (re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$"), re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$"))


def _date(text: str) -> dt.date | None:
    for i, pattern in enumerate(_DATE):
        match = pattern.match(text)
        if match:
            a, b, c = (int(g) for g in match.groups())
            try:
                return dt.date(c, b, a) if i == 0 else dt.date(a, b, c)
            except ValueError:
                return None
    return None


def _int(text: str) -> int | None:
    cleaned = text.replace(" ", "")
    if re.fullmatch(r"-?\d+(?:[.,]0+)?", cleaned):
        return int(re.split(r"[.,]", cleaned)[0])
    return None


class _Rows:
    """Checks rows one by one and collects the errors."""

    def __init__(self, kind: str, ctx: UploadContext) -> None:
        self.kind, self.ctx = kind, ctx
        self.errors: list[tuple[int | None, str | None, str]] = []
        self.rows: list[dict[str, object]] = []
        self.seen: dict[tuple[object, ...], int] = {}
        self.taught = {(r.vestigingscode, r.onderwijstype): int(r.grootste) for r in ctx.offer.itertuples()}
        self.own = set(ctx.offer["vestigingscode"])

    def fail(self, line: int, column: str, message: str) -> None:
        self.errors.append((line, column, message))

    def vestiging(self, line: int, code: str, kind: str) -> int | None:
        """The largest count (plausibility) of vestiging x type, or ``None`` after recording why the row is wrong."""
        if code not in self.ctx.boards:
            self.fail(line, "vestigingscode", f"onbekende vestiging '{code}' (niet in de DUO-gegevens)")
            return None
        if code not in self.own:
            self.fail(line, "vestigingscode", f"vestiging '{code}' hoort bij een ander bestuur")
            return None
        if kind == TOTAL and self.kind == "prognose":
            return sum(v for (c, _), v in self.taught.items() if c == code)
        if (code, kind) not in self.taught:
            types = ", ".join(sorted(t for c, t in self.taught if c == code)) or "geen"
            self.fail(line, "onderwijstype", f"vestiging {code} heeft geen leerjaar 1 '{kind}' (wel: {types})")
            return None
        return self.taught[(code, kind)]

    def number(self, line: int, text: str, largest: int | None) -> int | None:
        column = NUMBER[self.kind]
        value = _int(text)
        if value is None:
            self.fail(line, column, f"'{text}' is geen geheel getal")
        elif value < 0:
            self.fail(line, column, f"{value} is negatief")
        elif largest is not None and value > max(FACTOR * largest, largest + MARGIN):
            self.fail(
                line,
                column,
                f"{value} is onwaarschijnlijk groot (grootste leerjaar 1 in vijf jaar: {largest}; "
                f"grens van dekkend: {max(FACTOR * largest, largest + MARGIN):.0f})",
            )
        else:
            return value
        return None

    def when(self, line: int, text: str) -> tuple[str, int] | None:
        if self.kind == "aanmeldingen":
            date = _date(text)
            if date is None:
                self.fail(line, "peildatum", f"'{text}' is geen datum (verwacht dd-mm-jjjj)")
                return None
            if date > self.ctx.today:
                self.fail(line, "peildatum", f"{date:%d-%m-%Y} ligt in de toekomst")
                return None
            year = date.year if date.month < 10 else date.year + 1
            if year <= self.ctx.last_count_year - MAX_YEARS:
                self.fail(
                    line, "peildatum", f"aanmeldingen voor {year}: meer dan {MAX_YEARS} jaar voor de laatste telling"
                )
                return None
            return date.isoformat(), year  # a year DUO counted already: history for the nowcast's ratio
        number = _int(text)
        first, last = self.ctx.last_count_year + 1, self.ctx.last_count_year + MAX_YEARS
        if number is None or not first <= number <= last:
            self.fail(line, "schooljaar", f"'{text}' is geen schooljaar van {first} tot en met {last}")
            return None
        return "", number

    def row(self, line: int, cells: dict[str, str]) -> None:
        number_text = cells[NUMBER[self.kind]]
        if number_text == "":
            return  # not filled in: skipped (a 0 is written as 0)
        code, kind = cells["vestigingscode"].upper(), cells["onderwijstype"].lower()
        largest = self.vestiging(line, code, kind)
        value = self.number(line, number_text, largest)
        moment = self.when(line, cells["peildatum" if self.kind == "aanmeldingen" else "schooljaar"])
        if largest is None or value is None or moment is None:
            return
        key = (code, kind, moment[1])
        if key in self.seen:
            self.fail(
                line, "onderwijstype", f"dubbel: dezelfde vestiging, type en jaar staan al op regel {self.seen[key]}"
            )
            return
        self.seen[key] = line
        self.rows.append(
            {
                "vestigingscode": code,
                "onderwijstype": kind,
                "peildatum": moment[0],
                "schooljaar": moment[1],
                "aantal": value,
            }
        )

    def mixed_totals(self) -> None:
        """A ``totaal`` row next to rows per type for the same vestiging and year would count pupils twice."""
        kinds: dict[tuple[object, object], set[object]] = {}
        for r in self.rows:
            kinds.setdefault((r["vestigingscode"], r["schooljaar"]), set()).add(r["onderwijstype"])
        for (code, year), found in kinds.items():
            if TOTAL in found and len(found) > 1:
                line = self.seen[(code, TOTAL, year)]
                self.fail(line, "onderwijstype", f"'totaal' naast losse typen voor {code} in {year} telt dubbel")


def read_upload(kind: str, content: bytes, filename: str, ctx: UploadContext) -> pd.DataFrame:
    """Every row of an uploaded file of ``kind``, checked; :class:`UploadFout` with all problems otherwise.

    Returns columns ``vestigingscode``, ``onderwijstype``, ``peildatum`` (ISO date; empty for ``prognose``),
    ``schooljaar`` (for registrations: the year of the coming 1 October) and ``aantal``. Rows whose number
    cell is blank are skipped; a file with no number at all is an error.
    """
    _check_kind(kind)
    try:
        cells = _read_cells(content, filename)
        missing = [c for c in COLUMNS[kind] if c != "vestiging" and c not in cells.columns]
        if missing:
            raise UploadFout(
                fouten=[(1, c, "deze kolom ontbreekt (gebruik het sjabloon)") for c in missing], bestand=filename
            )
        rows = _Rows(kind, ctx)
        for i, record in enumerate(cells.to_dict("records")):
            rows.row(i + 2, record)
            if len(rows.errors) >= MAX_ERRORS:
                break
        rows.mixed_totals()
        if not rows.errors and not rows.rows:
            rows.errors.append((None, NUMBER[kind], "er is geen enkel getal ingevuld"))
        if rows.errors:
            raise UploadFout(fouten=rows.errors, bestand=filename)
    except UploadFout as exc:
        if not exc.bestand:
            raise UploadFout(fouten=exc.fouten, bestand=filename) from None
        raise
    return pd.DataFrame(rows.rows, columns=["vestigingscode", "onderwijstype", "peildatum", "schooljaar", "aantal"])
