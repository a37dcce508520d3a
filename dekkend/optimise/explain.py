"""Dutch explanations: per change the binding constraint, the pupils moved, the children newly beyond the norm,
the boards affected; and for an infeasible instance which constraint, which offering, by how much."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from dekkend.formatting import school_year
from dekkend.optimise._analysis import top_closures
from dekkend.optimise.instance import Instance
from dekkend.optimise.results import VIABILITY_TOL, Evaluation, Shortfall

#: Pupils below this are not listed as a move.
MIN_LISTED = 0.5


@dataclass(frozen=True)
class Move:
    """Pupils of a stopped offering that go to a kept offering (first year)."""

    vestigingscode: str
    naam: str
    leerlingen: float
    km: float | None


@dataclass(frozen=True)
class Change:
    """One change of the configuration, explained.

    ``soort`` is ``stop-aanbod`` or ``sluit-vestiging``; ``bindend`` is ``drempel`` (the
    offering cannot reach its threshold, even with the pupils of what else stops),
    ``concentratie`` (it stops so that other offerings reach theirs) or ``gelijk`` (no
    constraint forces it, but keeping it adds no coverage: a tie).
    """

    vestigingscode: str
    naam: str
    onderwijstype: str
    profiel: str | None
    soort: str
    bindend: str
    leerlingen: float
    drempel: float
    verplaatst: tuple[Move, ...]
    elders: float
    kinderen_verder_dan_norm: dict[str, float]
    besturen: tuple[str, ...]
    geholpen: tuple[str, ...]
    toelichting: str

    def to_dict(self) -> dict:
        """JSON form."""
        return asdict(self)


@dataclass(frozen=True)
class Saved:
    """An offering below its threshold "zonder ingrijpen" that the configuration keeps viable."""

    vestigingscode: str
    naam: str
    onderwijstype: str
    profiel: str | None
    leerlingen_zonder: float
    leerlingen_met: float
    drempel: float
    van: tuple[str, ...] = field(default_factory=tuple)
    toelichting: str = ""

    def to_dict(self) -> dict:
        """JSON form."""
        return asdict(self)


def dutch_number(x: float, digits: int = 0) -> str:
    """Dutch number: decimal comma, dot for thousands (``12.345,6``)."""
    text = f"{x:,.{digits}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


_num = dutch_number


def label(inst: Instance, h: int) -> str:
    """``vmbo-k (profiel groen)`` for texts."""
    o = inst.offerings  # not inst.column: knelpunt notes call this with a minimal instance too
    t, p = o["onderwijstype"].iat[h], o["profiel"].iat[h]
    return f"{t}, profiel {p}" if isinstance(p, str) else t


def _km(inst: Instance, a: str, b: str) -> float | None:
    site_a, site_b = inst.site(a), inst.site(b)
    if site_a is None or site_b is None:
        return None
    (xa, ya), (xb, yb) = site_a, site_b
    if not np.isfinite([xa, ya, xb, yb]).all():
        return None
    dx, dy = xa - xb, ya - yb
    return round(1.3 * float(np.hypot(dx, dy)) / 1000.0, 1)


def _unit(inst: Instance, h: int) -> list[int]:
    """A change as rows: the offering and its profielen."""
    return [h, *inst.model.child_lists[h]]


def explain_changes(inst: Instance, after: Evaluation) -> list[Change]:
    """Every change of ``after`` against today's offer, with its reason and effects."""
    model = inst.model
    out = []
    for h in top_closures(model, after.keep):
        unit = _unit(inst, h) if model.parent[h] < 0 else [h]
        out.append(_change(inst, after, _reopen(inst, after, unit), h, unit))
    return out


def _reopen(inst: Instance, after: Evaluation, unit: list[int]) -> Evaluation:
    """The configuration with the unit open again; profielen that then miss their threshold close again
    (as long as the leerweg keeps one), so the reason found is the leerweg's own or another offering's."""
    model = inst.model
    keep = after.keep.copy()
    keep[unit] = True
    alt = model.evaluate(keep)
    for _ in range(len(unit)):
        kids = [g for g in unit[1:] if keep[g]]
        failing = [g for g in kids if (alt.judged_pupils()[g] < model.threshold[g] - VIABILITY_TOL).any()]
        if not failing or len(failing) == len(kids):
            break
        keep[failing] = False
        alt = model.evaluate(keep)
    return alt


def _reason(inst: Instance, alt: Evaluation, unit: list[int]) -> tuple[str, tuple[int, ...]]:
    """Why the unit stays closed: its own threshold, other offerings' thresholds, or nothing (a tie)."""
    model = inst.model
    need = np.flatnonzero(alt.keep & ~model.ext)
    short = need[(alt.judged_pupils()[need] < model.threshold[need, None] - VIABILITY_TOL).any(axis=1)]
    own = [g for g in short if g in unit]
    if own:
        return "drempel", tuple(own)
    if len(short):
        return "concentratie", tuple(int(g) for g in short)
    return "gelijk", ()


def _change(inst: Instance, after: Evaluation, alt: Evaluation, h: int, unit: list[int]) -> Change:
    model = inst.model
    code = str(inst.column("vestigingscode")[h])
    reason, rows = _reason(inst, alt, unit)
    pupils = float(model.pupils[h, 0])
    moves, elders = _moves(inst, after, unit, code)
    beyond = {
        k: round(alt.coverage[k] - after.coverage[k], 1)
        for k in model.kinds
        if alt.coverage[k] - after.coverage[k] > 1e-9
    }
    boards = tuple(dict.fromkeys([str(inst.column("board")[h])] + [_board(inst, m.vestigingscode) for m in moves]))
    helped = (
        tuple(f"{label(inst, g)} op {inst.name(str(inst.column('vestigingscode')[g]))}" for g in rows)
        if reason == "concentratie"
        else ()
    )
    text = _change_text(inst, h, reason, rows, alt, pupils, moves, elders, beyond, boards)
    return Change(
        code,
        inst.name(code),
        str(inst.column("onderwijstype")[h]),
        inst.column("profiel")[h] if isinstance(inst.column("profiel")[h], str) else None,
        "stop-aanbod",
        reason,
        round(pupils, 1),
        float(model.threshold[h]),
        moves,
        round(elders, 1),
        beyond,
        tuple(b for b in boards if b),
        helped,
        text,
    )


def _board(inst: Instance, code: str) -> str:
    return inst.board(code)


def _moves(inst: Instance, after: Evaluation, unit: list[int], code: str) -> tuple[tuple[Move, ...], float]:
    """Where the unit's pupils go (first year), summed per receiving vestiging."""
    moved = after.moved[unit].tocoo()
    per: dict[str, float] = {}
    for h, v in zip(moved.col, moved.data, strict=True):
        dest = str(inst.column("vestigingscode")[h])
        per[dest] = per.get(dest, 0.0) + float(v)
    total = float(inst.model.u[unit, 0].sum())
    elders = total - sum(per.values())
    moves = tuple(
        Move(d, inst.name(d), round(n, 1), _km(inst, code, d))
        for d, n in sorted(per.items(), key=lambda kv: -kv[1])
        if n >= MIN_LISTED
    )
    return moves, max(0.0, elders)


def kind_label(kind: str) -> str:
    """``profiel:groen`` -> ``profiel groen``."""
    return kind.replace("profiel:", "profiel ")


def _threshold_text(inst: Instance, h: int, rows: tuple[int, ...], alt: Evaluation) -> str:
    """Which threshold is missed when the change is undone, with the pupils it would have."""
    model = inst.model
    judged = alt.judged_pupils()
    kids = [g for g in rows if g != h and model.parent[g] == h]
    if kids and len(kids) == len([g for g in model.child_lists[h] if alt.keep[g]]) and h not in rows:
        best = max(kids, key=lambda g: float((judged[g] - model.threshold[g]).min()))
        t = int(np.argmin(judged[best] - model.threshold[best]))
        return (
            f"geen van de profielen van {label(inst, h)} haalt de drempel van {_num(model.threshold[best])} "
            f"leerlingen (de grootste, {best_name(inst, best)}, komt in {_year(inst, t)} op "
            f"{_num(judged[best, t], 1)}{_across(inst, best)}), en een leerweg zonder profiel kan niet."
        )
    g = rows[0]
    t = int(np.argmin(judged[g] - model.threshold[g]))
    return (
        f"{label(inst, g)} haalt de drempel niet: in {_year(inst, t)} {_num(judged[g, t], 1)} leerlingen in "
        f"de bovenbouw{_across(inst, g)}, ook met de leerlingen van wat verder stopt "
        f"(drempel {_num(model.threshold[g])})."
    )


def _across(inst: Instance, g: int) -> str:
    """`` (profiel over de leerwegen samen)`` for a pooled profiel."""
    return " (het profiel over de leerwegen van de vestiging samen)" if inst.model.pool_of[g] else ""


def best_name(inst: Instance, g: int) -> str:
    """The profiel of a row, for texts."""
    p = inst.column("profiel")[g]
    return f"profiel {p}" if isinstance(p, str) else label(inst, g)


def _year(inst: Instance, t: int) -> str:
    return f"{school_year(inst.years[t])}"


def _change_text(
    inst: Instance,
    h: int,
    reason: str,
    rows: tuple[int, ...],
    alt: Evaluation,
    pupils: float,
    moves: tuple[Move, ...],
    elders: float,
    beyond: dict[str, float],
    boards: tuple[str, ...],
) -> str:
    year = inst.jaar
    what = f"{label(inst, h)} op {inst.name(str(inst.column('vestigingscode')[h]))}"
    parts = [f"{what} stopt vanaf {school_year(year)}."]
    if reason == "drempel":
        parts.append("Reden: " + _threshold_text(inst, h, rows, alt))
    elif reason == "concentratie":
        names = "; ".join(f"{label(inst, g)} op {inst.name(str(inst.column('vestigingscode')[g]))}" for g in rows)
        parts.append(f"Reden: zo halen andere aanbiedingen hun drempel: {names}.")
    else:
        parts.append(
            "Reden: geen drempel dwingt dit af, maar houden levert geen extra kinderen binnen de normafstand "
            "op "
            "(een gelijkwaardige keuze)."
        )
    if moves:
        listed = ", ".join(
            f"{_num(m.leerlingen)} naar {m.naam}" + (f" ({_num(m.km, 1)} km)" if m.km else "") for m in moves
        )
        parts.append(
            f"Leerlingen ({_num(pupils)} verwacht): {listed}"
            + (f"; {_num(elders)} elders (buiten de regio, of geen alternatief)." if elders >= MIN_LISTED else ".")
        )
    elif pupils >= MIN_LISTED:
        parts.append(
            f"De {_num(pupils)} verwachte leerlingen komen niet bij een aanbod in de regio terecht (ze gaan "
            "naar een vestiging buiten de regio, of er is geen alternatief)."
        )
    if beyond:
        listed = ", ".join(f"{_num(v)} voor {kind_label(k)}" for k, v in beyond.items())
        parts.append(f"Kinderen van 12-17 die hierdoor verder dan {_num(inst.norm_km)} km wonen: {listed}.")
    else:
        parts.append(f"Geen kinderen komen hierdoor verder dan {_num(inst.norm_km)} km te wonen.")
    if boards:
        parts.append("Besturen: " + ", ".join(b for b in boards if b) + ".")
    return " ".join(parts)


def explain_saved(inst: Instance, after: Evaluation) -> list[Saved]:
    """Offerings that disappear zonder ingrijpen but stay viable in the configuration."""
    model = inst.model
    out = []
    inside = ~model.ext
    for h in np.flatnonzero(inside & after.keep & ~inst.no_action).tolist():
        code = str(inst.column("vestigingscode")[h])
        own = float(model.pupils[h, 0])
        got = float(after.judged_pupils()[h, 0])
        senders = after.moved[:, h].tocoo()
        pairs = zip(senders.row, senders.data, strict=True)
        src = tuple(dict.fromkeys(str(inst.column("vestigingscode")[k]) for k, v in pairs if v >= MIN_LISTED))
        text = (
            f"{label(inst, h)} op {inst.name(code)} blijft: zonder ingrijpen {_num(own, 1)} leerlingen "
            f"(drempel {_num(model.threshold[h])}), met deze opstelling {_num(got, 1)}"
            + (f", met leerlingen van {', '.join(inst.name(s) for s in src)}." if src else ".")
        )
        out.append(
            Saved(
                code,
                inst.name(code),
                str(inst.column("onderwijstype")[h]),
                inst.column("profiel")[h] if isinstance(inst.column("profiel")[h], str) else None,
                round(own, 1),
                round(got, 1),
                float(model.threshold[h]),
                src,
                text,
            )
        )
    return out


def explain_infeasible(inst: Instance, shortfalls: tuple[Shortfall, ...]) -> list[str]:
    """One Dutch sentence per shortfall: which constraint, which offering, by how much."""
    lines = []
    for s in _grouped(shortfalls):
        if s.constraint == "max-wijzigingen":
            text = (
                f"Er zijn minstens {_num(s.required + s.amount)} wijzigingen nodig, --max-wijzigingen staat op "
                f"{_num(s.required)}: {_num(s.amount)} te weinig."
            )
            if s.closures:
                names = "; ".join(
                    f"{label(inst, h)} op {inst.name(str(inst.column('vestigingscode')[h]))}" for h in s.closures
                )
                text += f" Een opstelling met zo weinig mogelijk wijzigingen stopt: {names}."
            lines.append(text)
        elif s.constraint == "drempel":
            h = s.offering
            why = _why_open(inst, h)
            lines.append(
                f"{label(inst, h)} op {inst.name(str(inst.column('vestigingscode')[h]))} moet blijven ({why}), "
                "maar haalt "
                f"in {school_year(inst.years[s.year])} in de beste opstelling "
                f"{_num(s.required - s.amount, 1)} van de {_num(s.required)} leerlingen: {_num(s.amount, 1)} te weinig."
            )
        elif s.constraint == "bestuur":
            lines.append(
                f"Bestuur {s.board} kan geen {kind_label(s.kind)} houden die de drempel haalt (--besturen-houden)."
            )
        elif s.constraint == "aantal":
            lines.append(f"Precies {_num(s.required)} aanbiedingen houden lukt niet ({_num(s.amount)} verschil).")
        else:  # pragma: no cover
            lines.append("De opgave is onhaalbaar; de oorzaak is niet gevonden.")
    return lines


def _grouped(shortfalls: tuple[Shortfall, ...]) -> list[Shortfall]:
    """One shortfall per offering (its worst year) and per other constraint."""
    best: dict[tuple, Shortfall] = {}
    for s in shortfalls:
        key = (s.constraint, s.offering, s.board, s.kind)
        if key not in best or s.amount > best[key].amount:
            best[key] = s
    return list(best.values())


def _why_open(inst: Instance, h: int) -> str:
    """Which user constraint keeps offering ``h`` open."""
    model = inst.model
    if model.locked[h]:
        kids = [g for g in model.child_lists[h] if model.locked[g]]
        return "vastgezet met --vast" if not kids else "de leerweg van een vastgezet profiel"
    if model.boards_keep:
        return f"bestuur {model.board[h]} houdt anders geen {kind_label(model.kinds[model.kind_of[h]])}"
    if model.max_changes is not None:
        return f"meer stoppen past niet binnen --max-wijzigingen {model.max_changes}"
    return "een leerweg heeft minstens één profiel nodig"
