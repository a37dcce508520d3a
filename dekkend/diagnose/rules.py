"""The knelpunt rules, one function per type; severity rules are documented in ``docs/diagnose.md``."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from dekkend.coverage.kinds import is_openbaar
from dekkend.coverage.offer import TECHNIEK_ROUTE
from dekkend.diagnose.context import UPPER_LEERJAREN, VMBO, Context
from dekkend.diagnose.model import Knelpunt
from dekkend.formatting import count, euro, km, percent, school_year
from dekkend.norms import DREIGT, ONDER_NORM, check, norm_by_id

_TYPE_NL = {
    "pro": "praktijkonderwijs",
    "vmbo-b": "vmbo basis",
    "vmbo-k": "vmbo kader",
    "vmbo-g": "vmbo gemengd",
    "vmbo-t": "vmbo theoretisch (mavo)",
    "havo": "havo",
    "vwo": "vwo",
    "onderbouw": "onderbouw",
    "vmbo": "vmbo",
    "havo-vwo": "havo/vwo",
    "vo": "voortgezet onderwijs",
    "vo-openbaar": "openbaar of samenwerkingsonderwijs",
    "vmbo-techniek": "technisch vmbo (basis, kader of gemengd: een technisch profiel of een technische route)",
}


PROFIEL_NL = {
    "bouwen-wonen-interieur": "bouwen, wonen en interieur",
    "dienstverlening-producten": "dienstverlening en producten",
    "economie-ondernemen": "economie en ondernemen",
    "groen": "groen",
    "horeca-bakkerij-recreatie": "horeca, bakkerij en recreatie",
    "maritiem-techniek": "maritiem en techniek",
    "media-vormgeving-ict": "media, vormgeving en ICT",
    "mobiliteit-transport": "mobiliteit en transport",
    "produceren-installeren-energie": "produceren, installeren en energie",
    "zorg-welzijn": "zorg en welzijn",
    TECHNIEK_ROUTE: "techniek in een route zonder profiel (vakmanschaps-, beroeps- of technologieroute)",
}


def type_nl(kind: str) -> str:
    """A Dutch name for an onderwijstype, profiel (``profiel:x``) or group."""
    if kind.startswith("profiel:"):
        slug = kind.split(":", 1)[1]
        return PROFIEL_NL[slug] if slug == TECHNIEK_ROUTE else f"profiel {PROFIEL_NL.get(slug, slug)}"
    return _TYPE_NL.get(kind, kind)


#: dekkend's own thresholds (no legal source), read from the settings (``dekkend/norms/drempels.yaml``):
#: a group under ``losse_telling_per_leerjaar`` pupils per leerjaar is a stray count (a few pupils registered
#: in a leerweg the vestiging does not really run); a fall is reported from ``daling_min_leerlingen`` pupils
#: and ``hoog`` only from ``daling_hoog_min_leerlingen``.
STRAY_SETTING = "losse_telling_per_leerjaar"
FALL_SETTING, FALL_HOOG_SETTING = "daling_min_leerlingen", "daling_hoog_min_leerlingen"
OWN_CHOICE = "drempel van dekkend zelf (geen wettelijke bron), zie docs/diagnose.md"


def _first_below(series: dict[int, float], limit: float, start: int, until: int) -> int | None:
    for y in sorted(series):
        if start <= y <= until and series[y] < limit:
            return y
    return None


def _severity(now_below: bool, later: int | None) -> str | None:
    if now_below:
        return "hoog"
    if later is not None:
        return "midden"
    return None


# -- kleine-bovenbouw ------------------------------------------------------------
def kleine_bovenbouw(ctx: Context) -> list[Knelpunt]:
    """Upper-year groups below the user thresholds, one knelpunt per vestiging.

    Checked: each vmbo leerweg per leerjaar (drempel ``vmbo-leerweg``), each vmbo
    profiel per leerjaar (``vmbo-profiel``) and the havo/vwo bovenbouw together
    (``havo-vwo``), now and within the lookahead.
    """
    out: list[Knelpunt] = []
    up = ctx.upper
    until = ctx.origin + ctx.lookahead
    prof_limit, prof_src = ctx.settings.threshold("vmbo-profiel", "leerjaar-bovenbouw") or (20.0, "")
    lw_limit, lw_src = ctx.settings.threshold("vmbo-leerweg", "leerjaar-bovenbouw") or (25.0, "")
    hv_limit, hv_src = ctx.settings.threshold("havo-vwo", "bovenbouw") or (120.0, "")
    base = ctx.offer[(ctx.offer["jaar"] == ctx.origin)]
    for code, offered in base.groupby("vestigingscode"):
        groups: list[dict] = []
        for leerweg in VMBO:
            if ((offered["onderwijstype"] == leerweg) & offered["profiel"].isna()).any():
                per_lj = {y: n / 2 for y, n in up.of(code, leerweg, None).items()}
                groups.append(
                    _group(type_nl(leerweg), leerweg, None, per_lj, lw_limit, ctx.origin, until, "per leerjaar")
                )
        groups += _profiel_groups(ctx, code, offered, prof_limit, until)
        hv: dict[int, float] = {}
        for typ in ("havo", "vwo"):
            for y, n in up.of(code, typ, None).items():
                hv[y] = hv.get(y, 0.0) + n
        if hv:
            groups.append(_group("havo/vwo-bovenbouw", "havo-vwo", None, hv, hv_limit, ctx.origin, until, "in totaal"))
        stray = ctx.settings.values[STRAY_SETTING]
        small = [g for g in groups if g["eerste_jaar_onder"] is not None and g["nu"] >= _stray_floor(g, stray)]
        if not small:
            continue
        now = any(g["eerste_jaar_onder"] == ctx.origin for g in small)
        lines = "; ".join(
            f"{g['naam']}: {g['nu']:.0f} {g['maat']} (drempel {g['drempel']:.0f}"
            + ("" if g["eerste_jaar_onder"] == ctx.origin else f", eronder vanaf {g['eerste_jaar_onder']}")
            + ")"
            for g in small
        )
        types = sorted({g["onderwijstype"] for g in small})
        out.append(
            Knelpunt(
                "kleine-bovenbouw",
                "hoog" if now else "midden",
                f"Kleine bovenbouwgroepen bij {ctx.name(code)}",
                f"Bij {ctx.name(code)} zijn deze bovenbouwgroepen klein of worden dat binnen {ctx.lookahead} jaar: "
                f"{lines}.",
                vestigingen=(code,),
                besturen=(ctx.board(code),),
                onderwijstype=types[0] if len(types) == 1 else ",".join(types),
                jaren=tuple(sorted({g["eerste_jaar_onder"] for g in small})),
                bewijs={"vestigingscode": code, "groepen": small},
                bronnen=(
                    *dict.fromkeys(s for s in (lw_src, prof_src, hv_src) if s),
                    ctx.settings.sources[STRAY_SETTING],
                ),
            )
        )
    return out


def _profiel_groups(ctx: Context, code: str, offered: pd.DataFrame, limit: float, until: int) -> list[dict]:
    """One group per vmbo profiel at the vestiging, its pupils summed over the leerwegen that teach it.

    The profiel drempel (per leerjaar) is about the profiel at a location, not
    about one leerweg: 12 pupils in gemengd and 40 in kader make one profiel.
    """
    out = []
    rows = offered[offered["profiel"].notna() & offered["onderwijstype"].isin(VMBO)]
    for prof, g in rows.groupby("profiel", sort=True):
        leerwegen = [t for t in VMBO if (g["onderwijstype"] == t).any()]
        total: dict[int, float] = {}
        for t in leerwegen:
            for y, n in ctx.upper.of(code, t, prof).items():
                total[y] = total.get(y, 0.0) + n / 2
        label = f"{type_nl('profiel:' + prof)} ({', '.join(_LEERWEG_KORT[t] for t in leerwegen)})"
        out.append(_group(label, f"profiel:{prof}", prof, total, limit, ctx.origin, until, "per leerjaar"))
    return out


_LEERWEG_KORT = {"vmbo-b": "basis", "vmbo-k": "kader", "vmbo-g": "gemengd", "vmbo-t": "theoretisch"}


def _stray_floor(group: dict, per_leerjaar: float) -> float:
    """Pupils below which a group counts as stray: per leerjaar for vmbo, times the upper years for havo/vwo."""
    return per_leerjaar * (1 if group["maat"] == "per leerjaar" else 2)


def _group(
    name: str,
    typ: str,
    profiel: str | None,
    series: dict[int, float],
    limit: float,
    start: int,
    until: int,
    measure: str,
) -> dict:
    return {
        "naam": name,
        "onderwijstype": typ,
        "profiel": profiel,
        "nu": round(series.get(start, 0.0), 1),
        "maat": measure,
        "drempel": limit,
        "eerste_jaar_onder": _first_below(series, limit, start, until),
    }


# -- onder-norm ------------------------------------------------------------------
_SCHOOLSOORT = {"vmbo": VMBO, "havo": ("havo",), "vwo": ("vwo",), "pro": ("pro",)}


def onder_norm(ctx: Context) -> tuple[list[Knelpunt], list[dict]]:
    """Offerings below a norm (or verified closure norm) now or within the lookahead; also all checks made."""
    out: list[Knelpunt] = []
    checks: list[dict] = []
    up = ctx.upper
    rule = norm_by_id(ctx.norms, "vuistregel-leerjaar-schoolsoort")
    pro_limit, pro_src = ctx.settings.threshold("pro", "school") or (60.0, "")
    until = ctx.origin + ctx.lookahead
    base = ctx.offer[(ctx.offer["jaar"] == ctx.origin) & ctx.offer["profiel"].isna()]
    for code, offered in base.groupby("vestigingscode"):
        for soort, types in _SCHOOLSOORT.items():
            present = [t for t in types if (offered["onderwijstype"] == t).any()]
            if not present:
                continue
            series: dict[int, float] = {}
            value: float | None
            for t in present:
                for y, n in up.of(code, t, None).items():
                    series[y] = series.get(y, 0.0) + n
            if soort == "pro":
                value, label, src, explanation = (
                    pro_limit,
                    "drempel praktijkonderwijs",
                    pro_src,
                    "Drempel voor praktijkonderwijs.",
                )
                per = series
            else:
                per = {y: n / UPPER_LEERJAREN[present[0]] for y, n in series.items()}
                value, label, src, explanation = rule.value, rule.id, rule.source.citation(), rule.explanation
            forecast = {y: v for y, v in per.items() if ctx.origin < y <= until}
            result = check(rule, f"{code}:{soort}", ctx.origin, per.get(ctx.origin, 0.0), forecast, value=value)
            checks.append(
                {
                    "vestigingscode": code,
                    "onderwijs": soort,
                    "norm": label,
                    "waarde_nu": round(result.observed, 1),
                    "norm_waarde": value,
                    "status": result.status,
                    "marge": result.margin,
                    "jaren_tot_onderschrijding": result.years_until_breach,
                    "bron": src,
                }
            )
            if result.status not in (ONDER_NORM, DREIGT) or result.breach_year is None or result.margin is None:
                continue  # the margin is known whenever the norm is verified, so for every breach
            now = result.status == ONDER_NORM
            what = "leerlingen" if soort == "pro" else "leerlingen per leerjaar in de bovenbouw"
            out.append(
                Knelpunt(
                    "onder-norm",
                    "midden" if now else "laag",
                    f"{type_nl(soort).capitalize()} bij {ctx.name(code)} onder "
                    f"{'de drempel' if soort == 'pro' else 'de vuistregel'}",
                    f"{type_nl(soort).capitalize()} bij {ctx.name(code)}: nu {result.observed:.0f} {what}, "
                    f"{'drempel' if soort == 'pro' else 'vuistregel'} {value:.0f}. "
                    + ("Nu al eronder." if now else f"Naar verwachting eronder in {school_year(result.breach_year)}.")
                    + " "
                    + explanation,
                    vestigingen=(code,),
                    besturen=(ctx.board(code),),
                    onderwijstype=soort,
                    jaren=(result.breach_year,),
                    bewijs={
                        "vestigingscode": code,
                        "onderwijs": soort,
                        "waarde_nu": round(result.observed, 1),
                        "norm": value,
                        "marge": round(result.margin, 1),
                        "jaar_onder_norm": result.breach_year,
                        "jaren_tot_onderschrijding": result.years_until_breach,
                        "norm_id": label,
                    },
                    bronnen=(src,),
                )
            )
    for norm in ctx.norms:
        if norm.kind == "opheffing":
            checks.append(
                {
                    "vestigingscode": "",
                    "onderwijs": norm.onderwijstype,
                    "norm": norm.id,
                    "waarde_nu": None,
                    "norm_waarde": norm.value,
                    "status": "niet-geverifieerd" if norm.value is None else "niet-toegepast",
                    "marge": None,
                    "jaren_tot_onderschrijding": None,
                    "bron": norm.source.citation(),
                }
            )
    return out, checks


# -- sterke-daling ---------------------------------------------------------------
def sterke_daling(ctx: Context) -> list[Knelpunt]:
    """Vestigingen, and the region as a whole, losing more than X% in 5 or 10 years."""
    out = []
    x5, x10 = ctx.settings.values["daling_5_jaar"], ctx.settings.values["daling_10_jaar"]
    min_fall, min_hoog = ctx.settings.values[FALL_SETTING], ctx.settings.values[FALL_HOOG_SETTING]
    src = (
        ctx.settings.sources["daling_5_jaar"],
        ctx.settings.sources["daling_10_jaar"],
        f"minimaal {min_fall:.0f} leerlingen minder: {ctx.settings.sources[FALL_SETTING]}",
        f"hoog vanaf {min_hoog:.0f} leerlingen minder: {ctx.settings.sources[FALL_HOOG_SETTING]}",
    )
    totals = ctx.totals
    y5, y10 = ctx.origin + 5, ctx.origin + 10

    def judge(now: float, s5: float | None, s10: float | None) -> tuple[float | None, float | None, str | None]:
        d5 = None if s5 is None or now <= 0 else 1 - s5 / now
        d10 = None if s10 is None or now <= 0 else 1 - s10 / now
        hit5, hit10 = d5 is not None and d5 > x5, d10 is not None and d10 > x10
        lost = now - min(v for v in (s5, s10, now) if v is not None)
        if lost < min_fall:
            return d5, d10, None
        sev = "hoog" if hit5 and hit10 else "midden" if hit5 or hit10 else None
        return d5, d10, ("midden" if sev == "hoog" and lost < min_hoog else sev)

    region_now = totals[ctx.origin].sum()
    r5 = totals[y5].sum() if y5 in totals else None
    r10 = totals[y10].sum() if y10 in totals else None
    d5, d10, sev = judge(region_now, r5, r10)
    if sev:
        out.append(
            Knelpunt(
                "sterke-daling",
                sev,
                f"Sterke daling van het aantal leerlingen in {ctx.region.label}",
                f"De regio telt nu {count(region_now)} leerlingen; verwacht over vijf jaar {count(r5)} "
                f"({percent(-(d5 or 0), sign=True)})"
                + (f" en over tien jaar {count(r10)} ({percent(-d10, sign=True)})" if d10 is not None else "")
                + ".",
                vestigingen=tuple(ctx.region.vestigingen),
                besturen=tuple(sorted(set(filter(None, map(ctx.board, ctx.region.vestigingen))))),
                onderwijstype="vo",
                jaren=tuple(y for y in (y5, y10) if y in totals),
                bewijs={
                    "niveau": "regio",
                    "leerlingen_nu": round(region_now, 1),
                    "over_5_jaar": None if r5 is None else round(r5, 1),
                    "over_10_jaar": None if r10 is None else round(r10, 1),
                    "daling_5": d5,
                    "daling_10": d10,
                    "grens_5": x5,
                    "grens_10": x10,
                },
                bronnen=src,
            )
        )
    for code, row in totals.iterrows():
        d5, d10, sev = judge(row[ctx.origin], row.get(y5), row.get(y10))
        if not sev:
            continue
        out.append(
            Knelpunt(
                "sterke-daling",
                sev,
                f"Sterke daling bij {ctx.name(code)}",
                f"{ctx.name(code)} telt nu {count(row[ctx.origin])} leerlingen; verwacht over vijf jaar "
                f"{count(row.get(y5))}" + (f" en over tien jaar {count(row[y10])}" if y10 in row else "") + ".",
                vestigingen=(code,),
                besturen=(ctx.board(code),),
                onderwijstype="vo",
                jaren=tuple(y for y in (y5, y10) if y in row),
                bewijs={
                    "niveau": "vestiging",
                    "vestigingscode": code,
                    "leerlingen_nu": round(row[ctx.origin], 1),
                    "over_5_jaar": round(row.get(y5, np.nan), 1),
                    "over_10_jaar": round(row.get(y10, np.nan), 1),
                    "daling_5": d5,
                    "daling_10": d10,
                    "grens_5": x5,
                    "grens_10": x10,
                },
                bronnen=src,
            )
        )
    return out


# -- aanbod-verdwijnt and enige-aanbieder ----------------------------------------------
def _offer_keys(frame: pd.DataFrame) -> pd.Series:
    return np.where(frame["profiel"].isna(), frame["onderwijstype"], "profiel:" + frame["profiel"].astype(str))


def aanbod_verdwijnt(ctx: Context) -> list[Knelpunt]:
    """A type or profiel that disappears from the region (no-action view) within the lookahead, or shrinks to one
    place."""
    out = []
    until = ctx.origin + ctx.lookahead
    o = ctx.offer[(ctx.offer["jaar"] <= until) & (ctx.offer["onderwijstype"] != "onderbouw")].copy()
    o["soort"] = _offer_keys(o)
    present = o[~o["verdwijnt"]].groupby(["soort", "jaar"])["vestigingscode"].nunique().unstack(fill_value=0)
    for kind, row in present.iterrows():
        now = int(row.get(ctx.origin, 0))
        if now == 0:
            continue
        later = row[[y for y in row.index if y > ctx.origin]]
        gone = [int(y) for y, n in later.items() if n == 0]
        single = [int(y) for y, n in later.items() if n == 1]
        places = sorted(set(o.loc[(o["soort"] == kind) & (o["jaar"] == ctx.origin), "vestigingscode"]))
        if gone:
            year = gone[0]
            out.append(
                Knelpunt(
                    "aanbod-verdwijnt",
                    "hoog",
                    f"{type_nl(kind).capitalize()} verdwijnt uit de regio",
                    f"{type_nl(kind).capitalize()} wordt nu op {now} plaats(en) aangeboden "
                    f"({', '.join(map(ctx.name, places))}). "
                    f"Zonder ingrijpen zakt het aanbod onder de drempel en is het er in {school_year(year)} niet meer.",
                    vestigingen=tuple(places),
                    besturen=tuple(sorted({ctx.board(c) for c in places})),
                    onderwijstype=kind,
                    jaren=(year,),
                    bewijs={
                        "soort": kind,
                        "plaatsen_nu": now,
                        "jaar_verdwenen": year,
                        "plaatsen_per_jaar": {int(y): int(n) for y, n in row.items()},
                    },
                    bronnen=("drempels: " + _threshold_text(ctx, kind),),
                )
            )
        elif now >= 2 and single:
            year = single[0]
            out.append(
                Knelpunt(
                    "aanbod-verdwijnt",
                    "midden",
                    f"{type_nl(kind).capitalize()} houdt nog één plaats in de regio",
                    f"{type_nl(kind).capitalize()} wordt nu op {now} plaatsen aangeboden; zonder ingrijpen is er vanaf "
                    f"{school_year(year)} nog maar één." + _opvang_text(ctx, o, kind, until, named=set(places)),
                    vestigingen=tuple(places),
                    besturen=tuple(sorted({ctx.board(c) for c in places})),
                    onderwijstype=kind,
                    jaren=(year,),
                    bewijs={
                        "soort": kind,
                        "plaatsen_nu": now,
                        "jaar_een_plaats": year,
                        "plaatsen_per_jaar": {int(y): int(n) for y, n in row.items()},
                    },
                    bronnen=("drempels: " + _threshold_text(ctx, kind),),
                )
            )
    return out


def _opvang_text(ctx: Context, offer: pd.DataFrame, kind: str, until: int, named: set[str] | None = None) -> str:
    """Which offering took the pupils of each stopping offering of ``kind`` (the re-choice of the no-action view).

    A vestiging the text already ``named`` (with code and place) is named again by its name alone."""
    seen = set(named or ())

    def name(code: str) -> str:
        full = ctx.name(code)
        if code in seen:
            return full.split(" (", 1)[0]
        seen.add(code)
        return full

    rows = offer[(offer["soort"] == kind) & offer["at_risk"].astype(bool) & offer["opvang"].notna()]
    rows = rows[rows["jaar"] <= until].sort_values("jaar").drop_duplicates("vestigingscode")
    if rows.empty:
        return ""
    moves = []
    for taker, g in rows.groupby("opvang", sort=True):
        givers = " en ".join(
            f"{name(str(r.vestigingscode))} (vanaf {school_year(int(r.jaar))})"
            for r in g.itertuples(index=False)
            if r.vestigingscode != taker
        )
        moves.append(f"die van {givers} gaan naar {name(str(taker))}")
    return (
        " De leerlingen van een aanbod dat stopt, kiezen opnieuw de dichtstbijzijnde plaats die het houdt: "
        + "; ".join(moves)
        + "."
    )


def _threshold_text(ctx: Context, kind: str) -> str:
    t = ctx.thresholds
    if kind.startswith("profiel:"):
        value = t.per_profiel.get(kind.split(":", 1)[1], t.default)
    else:
        value = t.per_type.get(kind, t.default)
    return f"een aanbod verdwijnt als de verwachte bovenbouw onder {value:.0f} leerlingen zakt (docs/diagnose.md)"


def enige_aanbieder(ctx: Context) -> list[Knelpunt]:
    """One knelpunt per board that alone offers one or more types or profielen in the region (at least two boards).

    A board running nearly every school of a region would otherwise get one
    item per type; the single knelpunt lists what it alone offers and which
    of that offer may fall below its threshold within the lookahead.
    """
    boards_in_region = {ctx.board(c) for c in ctx.region.vestigingen} - {""}
    if len(boards_in_region) < 2:
        return []
    base = ctx.offer[(ctx.offer["jaar"] == ctx.origin) & (ctx.offer["onderwijstype"] != "onderbouw")].copy()
    base["soort"] = _offer_keys(base)
    base["bestuur"] = base["vestigingscode"].map(ctx.board)
    until = ctx.origin + ctx.lookahead
    risk = ctx.offer[(ctx.offer["jaar"] > ctx.origin) & (ctx.offer["jaar"] <= until) & ctx.offer["at_risk"]].copy()
    risk_keys = set(zip(risk["vestigingscode"], _offer_keys(risk), strict=True))
    sole: dict[str, list[tuple[str, list[str], bool]]] = {}
    for kind, g in base.groupby("soort"):
        boards = set(g["bestuur"]) - {""}
        if len(boards) != 1:
            continue
        places = sorted(set(g["vestigingscode"]))
        sole.setdefault(boards.pop(), []).append((kind, places, any((c, kind) in risk_keys for c in places)))
    out = []
    for board, items in sorted(sole.items()):
        places = sorted({c for _, p, _ in items for c in p})
        risky = [k for k, _, r in items if r]
        kinds = [k for k, _, _ in items]
        out.append(
            Knelpunt(
                "enige-aanbieder",
                "midden" if risky else "laag",
                f"Bestuur {board} is de enige aanbieder van {len(kinds)} soort(en) onderwijs in de regio",
                f"In {ctx.region.label} biedt alleen bestuur {board} aan: {', '.join(type_nl(k) for k in kinds)} "
                f"(op {', '.join(map(ctx.name, places))})."
                + (
                    f" Onder de drempel binnen {ctx.lookahead} jaar: {', '.join(type_nl(k) for k in risky)}."
                    if risky
                    else ""
                ),
                vestigingen=tuple(places),
                besturen=(board,),
                onderwijstype=",".join(kinds),
                bewijs={
                    "bestuur": board,
                    "soorten": kinds,
                    "vestigingen": places,
                    "besturen_in_regio": len(boards_in_region),
                    "onder_drempel_binnen_termijn": risky,
                },
            )
        )
    return out


# -- spatial rules ---------------------------------------------------------------
def _denominations(ctx: Context) -> pd.Series:
    ves = ctx.tables["vestigingen"].drop_duplicates("vestigingscode").set_index("vestigingscode")
    return is_openbaar(ves["denominatie"]) if "denominatie" in ves else pd.Series(dtype=bool)


#: A kind is reported only for home areas its broader group does not already leave beyond the norm.
PARENT = {
    "pro": "vo",
    "onderbouw": "vo",
    "vmbo": "vo",
    "havo-vwo": "vo",
    "vmbo-b": "vmbo",
    "vmbo-k": "vmbo",
    "vmbo-g": "vmbo",
    "vmbo-t": "vmbo",
    "havo": "havo-vwo",
    "vwo": "havo-vwo",
    "vmbo-techniek": "vmbo",
}


def _parent(kind: str) -> str | None:
    return "vmbo" if kind.startswith("profiel:") else PARENT.get(kind)


def _beyond(table: pd.DataFrame, limit: float) -> dict[str, pd.DataFrame]:
    return {k: g[g["afstand_km"] > limit] for k, g in table.groupby("onderwijstype")}


def witte_vlek(ctx: Context, now: pd.DataFrame, later: pd.DataFrame, later_year: int) -> list[Knelpunt]:
    """Home areas beyond the norm distance to a type or group, now or after a forecast loss.

    A type is reported only for the areas that its broader group does not already
    leave beyond the norm (an area without any school within reach is reported
    once, as ``vo``); the vmbo profielen are reported together in one knelpunt.
    """
    out: list[Knelpunt] = []
    limit = ctx.settings.values["normafstand_km"]
    src = ctx.settings.sources["normafstand_km"]
    kids_now = now.groupby("onderwijstype")["kinderen_12_17"].sum()
    kids_later = later.groupby("onderwijstype")["kinderen_12_17"].sum()
    b_now, b_later = _beyond(now, limit), _beyond(later, limit)
    profiel_rows: list[tuple[str, pd.DataFrame, str]] = []
    for kind in sorted(b_now):
        if kind == "vo-openbaar":
            continue
        parent = _parent(kind)
        own_now = b_now[kind]
        if parent in b_now:
            own_now = own_now[~own_now["pc4"].isin(b_now[parent]["pc4"])]
        own_later = b_later.get(kind, own_now.iloc[0:0])
        own_later = own_later[~own_later["pc4"].isin(b_now[kind]["pc4"])]
        if parent in b_later:
            own_later = own_later[~own_later["pc4"].isin(b_later[parent]["pc4"])]
        for rows, when, year, total in (
            (own_now, "nu", ctx.origin, kids_now),
            (own_later, "later", later_year, kids_later),
        ):
            if rows.empty:
                continue
            if kind.startswith("profiel:"):
                profiel_rows.append((kind, rows, when))
                continue
            kids = float(rows["kinderen_12_17"].sum())
            out.append(
                _white(ctx, kind, rows, kids, kids / max(float(total.get(kind, 0.0)), 1.0), year, limit, src, when)
            )
    for when, year in (("nu", ctx.origin), ("later", later_year)):
        parts = [(k, r) for k, r, w in profiel_rows if w == when]
        if parts:
            out.append(_white_profielen(ctx, parts, year, limit, src, when))
    return out


def _white(
    ctx: Context, kind: str, rows: pd.DataFrame, kids: float, share: float, year: int, limit: float, src: str, when: str
) -> Knelpunt:
    """One witte-vlek knelpunt: severity ``hoog`` for today's gaps with more than 5% or 200 of the children."""
    severity = "hoog" if (when == "nu" and (share > 0.05 or kids > 200)) else "midden"
    areas = tuple(sorted(rows["pc4"].astype(str)))
    title = (
        f"Witte vlek: {type_nl(kind)} verder dan {limit:.0f} km"
        if when == "nu"
        else f"Witte vlek ontstaat: {type_nl(kind)} verder dan {limit:.0f} km in {school_year(year)}"
    )
    text = (
        f"{len(areas)} postcodegebied(en) met ongeveer {count(kids, 'kinderen')} van 12-17 jaar ({100 * share:.0f}%) "
        "liggen "
        f"verder dan {limit:.0f} km van het dichtstbijzijnde aanbod {type_nl(kind)} (tot "
        f"{km(rows['afstand_km'].max())})."
        + ("" if when == "nu" else " Dat komt doordat aanbod zonder ingrijpen onder de drempel zakt.")
    )
    return Knelpunt(
        "witte-vlek",
        severity,
        title,
        text,
        gebieden=areas,
        onderwijstype=kind,
        jaren=(year,),
        bewijs={
            "onderwijstype": kind,
            "jaar": year,
            "normafstand_km": limit,
            "pc4": list(areas),
            "kinderen_12_17": round(kids, 1),
            "aandeel_kinderen": share,
            "max_km": float(rows["afstand_km"].max()),
        },
        bronnen=(src,),
    )


def _white_profielen(
    ctx: Context, parts: list[tuple[str, pd.DataFrame]], year: int, limit: float, src: str, when: str
) -> Knelpunt:
    rows = pd.concat([r for _, r in parts])
    areas = tuple(sorted(rows["pc4"].astype(str).unique()))
    per: dict[str, dict[str, Any]] = {
        k.split(":", 1)[1]: {
            "pc4": sorted(r["pc4"].astype(str)),
            "kinderen_12_17": round(float(r["kinderen_12_17"].sum()), 1),
            "max_km": float(r["afstand_km"].max()),
        }
        for k, r in parts
    }
    listing = "; ".join(
        f"{PROFIEL_NL.get(p, p)} ({len(v['pc4'])} gebied(en), tot {km(v['max_km'])})" for p, v in per.items()
    )
    title = (
        f"Witte vlekken per vmbo-profiel (verder dan {limit:.0f} km)"
        if when == "nu"
        else f"Witte vlekken per vmbo-profiel ontstaan in {school_year(year)}"
    )
    return Knelpunt(
        "witte-vlek",
        "midden",
        title,
        f"Gebieden die wel een vmbo binnen {limit:.0f} km hebben, maar niet dit profiel: {listing}."
        + ("" if when == "nu" else " Dat komt doordat aanbod zonder ingrijpen onder de drempel zakt."),
        gebieden=areas,
        onderwijstype="vmbo-profielen",
        jaren=(year,),
        bewijs={"jaar": year, "normafstand_km": limit, "profielen": per},
        bronnen=(src,),
    )


def openbaar_onbereikbaar(ctx: Context, now: pd.DataFrame) -> list[Knelpunt]:
    """Home areas without an openbare or samenwerkings school within the reasonable distance."""
    limit = ctx.settings.values["normafstand_km"]
    g = now[now["onderwijstype"] == "vo-openbaar"]
    beyond = g[g["afstand_km"] > limit]
    if beyond.empty:
        return []
    kids = float(beyond["kinderen_12_17"].sum())
    share = kids / max(float(g["kinderen_12_17"].sum()), 1.0)
    areas = tuple(sorted(beyond["pc4"].astype(str)))
    return [
        Knelpunt(
            "openbaar-onbereikbaar",
            "hoog" if share > 0.1 else "midden",
            f"Geen openbare school binnen {limit:.0f} km",
            f"{len(areas)} postcodegebied(en) met ongeveer {count(kids, 'kinderen')} van 12-17 jaar hebben geen "
            "openbare of "
            f"samenwerkingsschool binnen {limit:.0f} km (tot {km(beyond['afstand_km'].max())}). Een bijzondere "
            "school mag "
            f"een leerling dan niet weigeren op grond van richting (beleidsregel 'redelijke afstand').",
            gebieden=areas,
            onderwijstype="vo-openbaar",
            jaren=(ctx.origin,),
            bewijs={
                "normafstand_km": limit,
                "pc4": list(areas),
                "kinderen_12_17": round(kids, 1),
                "aandeel_kinderen": share,
                "max_km": float(beyond["afstand_km"].max()),
            },
            bronnen=(ctx.settings.sources["normafstand_km"],),
        )
    ]


def isolatie_afhankelijk(ctx: Context, funding_supplement: float) -> list[Knelpunt]:
    """Vestigingen whose isolation status (and supplement) changes when a neighbour's offer disappears."""
    out = []
    iso = norm_by_id(ctx.norms, "isolatie-afstand")
    iso_pro = norm_by_id(ctx.norms, "isolatie-afstand-pro")
    until = ctx.origin + ctx.lookahead
    ves = ctx.tables["vestigingen"].drop_duplicates("vestigingscode").set_index("vestigingscode")
    national = _isolation_offer(ctx.tables["aanbod"], ctx.origin, ctx.settings.values[STRAY_SETTING])
    lost_rows = ctx.offer[
        ctx.offer["profiel"].isna() & (ctx.offer["jaar"] <= until) & ctx.offer["onderwijstype"].isin(_ISOLATION_SOORT)
    ]
    lost_rows = lost_rows.assign(soort=lost_rows["onderwijstype"].map(_ISOLATION_SOORT))
    gone_by_soort = lost_rows[lost_rows["verdwijnt"]].groupby("soort")["vestigingscode"].agg(set)
    found: dict[tuple[str, str], list[dict]] = {}
    xy = _locations(ves)
    for code in ctx.region.vestigingen:
        if code not in ves.index or pd.isna(ves.at[code, "x_rd"]):
            continue
        mine = set(national.loc[national["vestigingscode"] == code, "soort"])
        for typ in sorted(mine):
            limit = (iso_pro if typ == "pro" else iso).value
            if limit is None:
                continue  # an isolation distance without a value (not verified): nothing to compare with
            others_now = set(national.loc[national["soort"] == typ, "vestigingscode"]) - {code}
            lost = gone_by_soort.get(typ, set())
            others_later = others_now - lost  # outside the region the offer is assumed to stay
            nearest_now = _nearest(xy, code, others_now)
            nearest_later = _nearest(xy, code, others_later)
            if nearest_now is None or nearest_later is None:
                continue
            (d_now, n_now), (d_later, n_later) = nearest_now, nearest_later
            if (d_now >= limit) == (d_later >= limit):
                continue
            if code in lost:
                continue  # its own offer goes too: its isolation no longer matters
            year = until
            if n_now in lost:
                gone = ctx.offer[
                    (ctx.offer["vestigingscode"] == n_now)
                    & ctx.offer["verdwijnt"]
                    & ctx.offer["onderwijstype"].map(_ISOLATION_SOORT).eq(typ)
                ]
                year = int(gone["jaar"].max()) if len(gone) else until
            found.setdefault((code, n_now), []).append(
                {
                    "onderwijstype": typ,
                    "afstand_nu_km": round(d_now, 2),
                    "buur_later": n_later,
                    "afstand_later_km": round(d_later, 2),
                    "grens_km": limit,
                    "wordt_geisoleerd": d_later >= limit,
                    "jaar": year,
                }
            )
    for (code, neighbour), items in found.items():
        gains = items[0]["wordt_geisoleerd"]
        effect = funding_supplement if gains else -funding_supplement
        kinds = ", ".join(type_nl(i["onderwijstype"]) for i in items)
        out.append(
            Knelpunt(
                "isolatie-afhankelijk",
                "midden",
                f"Isolatiestatus van {ctx.name(code)} hangt af van {ctx.name(neighbour)}",
                f"Voor {kinds} ligt de dichtstbijzijnde andere vestiging met hetzelfde aanbod nu op "
                f"{km(items[0]['afstand_nu_km'])} "
                f"({ctx.name(neighbour)}). Verdwijnt dat aanbod zonder ingrijpen, dan wordt dat "
                f"{km(items[0]['afstand_later_km'])} en is "
                f"{ctx.name(code)} "
                + (
                    f"een geïsoleerde vestiging (grens {km(items[0]['grens_km'], 0)}): ongeveer "
                    f"{euro(funding_supplement)} per jaar extra."
                    if gains
                    else f"geen geïsoleerde vestiging meer: ongeveer {euro(funding_supplement)} per jaar minder."
                ),
                vestigingen=(code, neighbour),
                besturen=tuple(sorted({ctx.board(code), ctx.board(neighbour)} - {""})),
                onderwijstype=items[0]["onderwijstype"]
                if len(items) == 1
                else ",".join(i["onderwijstype"] for i in items),
                jaren=tuple(sorted({i["jaar"] for i in items})),
                bewijs={
                    "vestigingscode": code,
                    "buur_nu": neighbour,
                    "typen": items,
                    "bekostigingseffect_euro": round(effect, 2),
                },
                bronnen=(iso.source.citation(),),
            )
        )
    return out


#: The offer the isolation rule compares ("hetzelfde aanbod"), per onderwijstype as the norms table reads it.
_ISOLATION_SOORT = {t: t for t in ("pro", "vmbo-b", "vmbo-k", "vmbo-g", "vmbo-t", "havo", "vwo")}
_UPPER_YEARS_OF = {"pro": 6, "vmbo-b": 2, "vmbo-k": 2, "vmbo-g": 2, "vmbo-t": 2, "havo": 2, "vwo": 3}


def _isolation_offer(aanbod: pd.DataFrame, year: int, per_leerjaar: float) -> pd.DataFrame:
    """Who offers each soort in ``year`` for the isolation rule (``vestigingscode, soort``).

    Stray counts do not make an offer: a soort needs at least
    ``per_leerjaar`` pupils per upper leerjaar (setting ``losse_telling_per_leerjaar``, dekkend's own
    choice), so sister locations do not turn isolated when a few pupils
    registered elsewhere drop out.
    """
    a = aanbod[
        (aanbod["schooljaar"] == year) & aanbod["profiel"].isna() & aanbod["onderwijstype"].isin(_ISOLATION_SOORT)
    ]
    a = a.assign(soort=a["onderwijstype"].map(_ISOLATION_SOORT))
    per = a.groupby(["vestigingscode", "soort"], as_index=False)["leerlingen"].sum()
    floor = per["soort"].map(_UPPER_YEARS_OF) * per_leerjaar
    return per[per["leerlingen"].astype(float) >= floor][["vestigingscode", "soort"]]


def _nearest(
    xy: tuple[np.ndarray, dict[str, int], np.ndarray], code: str, others: set[str]
) -> tuple[float, str] | None:
    """Straight-line km and code of the nearest of ``others`` (None without one); ``xy`` from :func:`_locations`."""
    coords, index, codes = xy
    idx = [index[c] for c in others if c in index]
    if not idx or code not in index:
        return None
    me = coords[index[code]]
    d = np.hypot(coords[idx, 0] - me[0], coords[idx, 1] - me[1]) / 1000.0
    if not np.isfinite(d).any():
        return None
    i = int(np.argmin(np.where(np.isfinite(d), d, np.inf)))
    return float(d[i]), str(codes[idx[i]])


def _locations(ves: pd.DataFrame) -> tuple[np.ndarray, dict[str, int], np.ndarray]:
    """RD coordinates of the vestigingen (index: vestigingscode) as arrays for :func:`_nearest`."""
    codes = ves.index.to_numpy(object)
    return ves[["x_rd", "y_rd"]].to_numpy(float), {c: i for i, c in enumerate(codes)}, codes
