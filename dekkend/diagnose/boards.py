"""Per-board impact: what the diagnosis means for each board ("wat betekent dit voor ons bestuur")."""

from __future__ import annotations

import re

import pandas as pd

from dekkend.diagnose.context import Context
from dekkend.diagnose.model import TYPES, Knelpunt

BOARD_COLUMNS = [
    "bestuur",
    "vestigingen",
    "leerlingen_nu",
    "leerlingen_over_5_jaar",
    "leerlingen_over_10_jaar",
    "verandering_10_jaar",
    "aanbod_nu",
    "aanbod_onder_drempel",
    "enige_aanbieder_van",
    *TYPES,
]


#: Units that are no school of their own: an ISK (internationale schakelklas) or a VAVO department.
NOT_A_SCHOOL = re.compile(r"\bisk\b|schakelkl|\bvavo\b|volwassenenonderwijs", re.IGNORECASE)


def left_out(ctx: Context) -> tuple[set[str], str | None]:
    """Vestigingen left out of the per-board chapter (ISK and VAVO units) and a Dutch note saying so."""
    names = ctx.vestigingen.set_index("vestigingscode")["naam"].fillna("").astype(str)
    units = {c for c, n in names.items() if NOT_A_SCHOOL.search(n)}
    if not units:
        return set(), None
    return units, (
        f"{len(units)} eenheid/eenheden zonder eigen schoolaanbod (ISK, VAVO) staan niet in de tabel per "
        f"bestuur: {', '.join(sorted(units))}."
    )


def board_impact(ctx: Context, knelpunten: list[Knelpunt]) -> pd.DataFrame:
    """One row per board of the region with pupils now, offer at risk and knelpunten by type.

    ISK and VAVO units (:data:`NOT_A_SCHOOL`) and boards without pupils in the
    count year are left out; :func:`board_notes` says which.
    """
    units, _ = left_out(ctx)
    ves = ctx.vestigingen[~ctx.vestigingen["vestigingscode"].isin(units)]
    ves = ves.assign(bestuur=ves["bestuur"].fillna("onbekend").astype(str))
    totals = ctx.totals
    until = ctx.origin + ctx.lookahead
    rows = []
    for board, g in ves.groupby("bestuur"):
        codes = set(g["vestigingscode"])
        t = totals.loc[totals.index.intersection(sorted(codes))]
        now = float(t[ctx.origin].sum()) if len(t) else 0.0
        y5, y10 = ctx.origin + 5, ctx.origin + 10
        later5 = float(t[y5].sum()) if y5 in t else None
        later10 = float(t[y10].sum()) if y10 in t else None
        offer = ctx.offer[ctx.offer["vestigingscode"].isin(codes) & (ctx.offer["onderwijstype"] != "onderbouw")]
        base = offer[offer["jaar"] == ctx.origin]
        risk = offer[(offer["jaar"] > ctx.origin) & (offer["jaar"] <= until) & offer["at_risk"]]
        risk_keys = set(zip(risk["vestigingscode"], risk["onderwijstype"], risk["profiel"].fillna(""), strict=True))
        mine = [k for k in knelpunten if board in k.besturen]
        sole = sorted({s for k in mine if k.type == "enige-aanbieder" for s in k.bewijs.get("soorten", [])})
        row = {
            "bestuur": board,
            "vestigingen": len(codes),
            "leerlingen_nu": round(now),
            "leerlingen_over_5_jaar": None if later5 is None else round(later5),
            "leerlingen_over_10_jaar": None if later10 is None else round(later10),
            "verandering_10_jaar": None if later10 is None or now == 0 else round(later10 / now - 1, 3),
            "aanbod_nu": len(base),
            "aanbod_onder_drempel": len(risk_keys),
            "enige_aanbieder_van": ", ".join(sole),
        }
        for kind in TYPES:
            row[kind] = sum(1 for k in mine if k.type == kind)
        rows.append(row)
    out = pd.DataFrame(rows, columns=BOARD_COLUMNS)
    out = out[out["leerlingen_nu"] > 0]
    return out.sort_values("leerlingen_nu", ascending=False).reset_index(drop=True)


def board_notes(ctx: Context, impact: pd.DataFrame) -> tuple[str, ...]:
    """Dutch notes on what the per-board table leaves out (non-school units, boards without pupils)."""
    _, note = left_out(ctx)
    all_boards = set(ctx.vestigingen["bestuur"].fillna("onbekend").astype(str))
    empty = sorted(all_boards - set(impact["bestuur"]))
    notes = [note] if note else []
    if "bestuur_van_brin" in ctx.vestigingen.columns:
        derived = ctx.vestigingen.dropna(subset=["bestuur_van_brin"]).drop_duplicates("vestigingscode")
        if len(derived):
            notes.append(
                "Bestuur ontbrak in het bronbestand en is overgenomen van de andere vestigingen van dezelfde "
                "BRIN: "
                + ", ".join(f"{r.vestigingscode} (bestuur {r.bestuur})" for r in derived.itertuples(index=False))
                + "."
            )
    if empty:
        notes.append(
            f"Besturen zonder leerlingen in {ctx.origin}/{str(ctx.origin + 1)[-2:]} staan niet in de tabel: "
            f"{', '.join(empty)}."
        )
    return tuple(notes)
