"""One ``--regio`` syntax for every command: gemeenten, region codes, a board, or a YAML file."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from dekkend import safe_yaml
from dekkend.errors import RegioFout
from dekkend.ingest.formats.vestigingen import place_key

#: Region kinds of the VO address file, with their column prefix and Dutch name.
REGION_KINDS = {
    "corop": "COROP-gebied",
    "rmc": "RMC-regio",
    "onderwijsgebied": "onderwijsgebied",
    "nodaal": "nodaal gebied",
    "rpa": "RPA-gebied",
    "wgr": "WGR-gebied",
}
KINDS = ("gemeente", *REGION_KINDS, "bestuur")
NATIONAL = {"", "nl", "nederland", "landelijk", "alles"}


@dataclass(frozen=True)
class Region:
    """A selection of vestigingen, gemeenten and home areas (PC4)."""

    expression: str
    label: str
    vestigingen: tuple[str, ...]
    gemeenten: tuple[str, ...]
    pc4: tuple[str, ...]

    def contains_vestiging(self, codes: pd.Series) -> pd.Series:
        """Boolean mask of the codes in this region."""
        return codes.isin(self.vestigingen)


def boards_filled(vestigingen: pd.DataFrame) -> tuple[pd.Series, dict[str, str]]:
    """The board per row, a missing one taken from the same BRIN's other vestigingen (one board only).

    A vestiging sometimes lacks its board in one file while the BRIN's other
    vestigingen (in any vintage) name it, as 02FC07 of board 42571. Returns the
    filled ``bestuur`` column and ``{vestigingscode: brin}`` of the rows filled.
    """
    board = vestigingen["bestuur"].astype(object).where(vestigingen["bestuur"].notna(), None)
    if "vestigingscode" not in vestigingen.columns or board.notna().all():
        return board, {}
    brin = vestigingen.get("brin", vestigingen["vestigingscode"].astype(str).str[:4]).astype(str)
    known = pd.DataFrame({"brin": brin, "bestuur": board}).dropna().drop_duplicates()
    single = known.groupby("brin")["bestuur"].agg(lambda s: s.iloc[0] if s.nunique() == 1 else None).dropna()
    missing = board.isna() & brin.isin(single.index)
    filled = board.copy()
    filled[missing] = brin[missing].map(single)
    notes = dict(zip(vestigingen.loc[missing, "vestigingscode"].astype(str), brin[missing], strict=True))
    return filled, notes


def pc4_gemeenten(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """PC4 -> current gemeentecode, from the best table available.

    In order: ``pc4_gemeente`` (the demo region); the CBS population per PC4
    (``bevolking_pc4``, newest file first, codes mapped to today's gemeenten
    through ``gemeente_naar_huidig``); else ``pc4_woonplaats`` names matched to
    the gemeente names of the vestigingen (the PC4 takes the gemeente of most of
    its rows).
    """
    if "pc4_gemeente" in tables and len(tables["pc4_gemeente"]):
        return tables["pc4_gemeente"][["pc4", "gemeentecode"]].drop_duplicates("pc4")
    pop = tables.get("bevolking_pc4")
    if pop is not None and len(pop) and "gemeentecode" in pop.columns:
        p = pop.loc[pop["pc4"].notna() & pop["gemeentecode"].notna(), ["pc4", "gemeentecode", "peildatum"]]
        p = p.sort_values("peildatum", ascending=False).drop_duplicates("pc4")[["pc4", "gemeentecode"]]
        mapping = tables.get("gemeente_naar_huidig")
        if mapping is not None and len(mapping):
            current = mapping.drop_duplicates("gemeentecode").set_index("gemeentecode")["huidige_code"]
            p = p.assign(gemeentecode=p["gemeentecode"].map(current).fillna(p["gemeentecode"]))
        return p.reset_index(drop=True)
    wp = tables.get("pc4_woonplaats")
    ves = tables.get("vestigingen")
    if wp is None or ves is None or wp.empty:
        return pd.DataFrame(columns=["pc4", "gemeentecode"])
    names = ves.dropna(subset=["gemeentecode", "gemeentenaam"])
    by_name = dict(zip(names["gemeentenaam"].map(place_key), names["gemeentecode"], strict=True))
    gem = wp.assign(gemeentecode=wp["gemeentenaam"].map(place_key).map(by_name)).dropna(subset=["gemeentecode"])
    # The most frequent gemeente per PC4, the lowest code on a tie (what Series.mode().iloc[0] gives), vectorised.
    counts = gem.groupby(["pc4", "gemeentecode"]).size().rename("n").reset_index()
    counts = counts.sort_values(["pc4", "n", "gemeentecode"], ascending=[True, False, True], kind="mergesort")
    return counts.drop_duplicates("pc4")[["pc4", "gemeentecode"]].reset_index(drop=True)


#: Region names that changed spelling: today's spelling (place_key) -> the spelling in DUO's files
#: (CBS writes Zeeuws-Vlaanderen since 2022 for COROP 31; DUO's address files still say Zeeuwsch-).
NAME_ALIASES = {"zeeuwsvlaanderen": "zeeuwschvlaanderen", "zeeuwschvlaanderen": "zeeuwsvlaanderen"}


def _name_keys(name: str) -> set[str]:
    """The keys a name is known by: its own and its other spelling (:data:`NAME_ALIASES`)."""
    key = place_key(name)
    return {key, NAME_ALIASES[key]} if key in NAME_ALIASES else {key}


def _suggest(wanted: str, names: Iterable[str]) -> str:
    """' Bedoelde u ...?' for names close to ``wanted`` (difflib), or ''."""
    by_key = {place_key(n): n for n in names if isinstance(n, str)}
    close = difflib.get_close_matches(place_key(wanted), list(by_key), n=3, cutoff=0.75)
    return f" Bedoelde u {' of '.join(repr(by_key[k]) for k in close)}?" if close else ""


def _match(values: pd.DataFrame, code_col: str, name_col: str | None, wanted: str, what: str) -> set[str]:
    """Codes whose code equals ``wanted`` or whose name matches it unambiguously (today's or older spelling)."""
    codes = values[code_col].dropna().astype(str)
    w = wanted.strip()
    if w in set(codes) or w.lstrip("0") in {c.lstrip("0") for c in codes}:
        return {c for c in codes if c == w or c.lstrip("0") == w.lstrip("0")}
    if name_col is None:
        raise RegioFout(f"{what} '{wanted}' komt niet voor in de werkmap")
    pairs = values[[code_col, name_col]].dropna().drop_duplicates()
    key = place_key(w)
    exact = pairs[pairs[name_col].map(place_key).isin(_name_keys(w))]
    if exact[code_col].nunique() == 1:
        return set(exact[code_col])
    partial = pairs[pairs[name_col].map(place_key).str.contains(key, regex=False)] if key else pairs.iloc[0:0]
    found = exact if len(exact) else partial
    if found[code_col].nunique() == 1:
        return set(found[code_col])
    if found.empty:
        raise RegioFout(
            f"{what} '{wanted}' komt niet voor in de werkmap (geen code of naam die past)."
            + _suggest(w, pairs[name_col].unique())
        )
    cands = "; ".join(f"{c} ({n})" for c, n in found.drop_duplicates(code_col).itertuples(index=False))
    raise RegioFout(f"{what} '{wanted}' is niet eenduidig; kies een van: {cands}")


def _select_part(tables: dict[str, pd.DataFrame], kind: str, values: Iterable[str]) -> tuple[set[str], set[str], str]:
    """(vestigingen, gemeenten, label) for one ``kind:value,...`` part."""
    ves = tables["vestigingen"]
    ves_set: set[str] = set()
    gem_set: set[str] = set()
    labels: list[str] = []
    for value in values:
        if kind == "gemeente":
            gems = _match(ves, "gemeentecode", "gemeentenaam", value, "gemeente")
            sel = ves[ves["gemeentecode"].isin(gems)]
        elif kind == "bestuur":
            sel = ves[ves["bestuur"].astype(str) == value.strip()]
            if sel.empty:
                raise RegioFout(f"bestuur '{value}' (bevoegd-gezagnummer) komt niet voor in de werkmap")
            gems = set()
        else:
            codes = _match(ves, f"{kind}_code", f"{kind}_naam", value, REGION_KINDS[kind])
            sel = ves[ves[f"{kind}_code"].isin(codes)]
            gems = set(sel["gemeentecode"].dropna())
        ves_set |= set(sel["vestigingscode"])
        gem_set |= gems
        names = sel.get(f"{kind}_naam") if kind in REGION_KINDS else sel.get("gemeentenaam")
        name = names.dropna().iloc[0] if names is not None and names.notna().any() else value
        labels.append(f"{name}" if kind != "bestuur" else str(value))
    title = REGION_KINDS.get(kind, kind)
    return ves_set, gem_set, f"{title} {', '.join(labels)}"


def _exact_kinds(ves: pd.DataFrame, name: str) -> list[tuple[str, str]]:
    """(kind, official name) of every region whose name is ``name`` (any spelling), gemeente first."""
    keys = _name_keys(name)
    found = []
    for kind in ("gemeente", *REGION_KINDS):
        col = "gemeentenaam" if kind == "gemeente" else f"{kind}_naam"
        if col not in ves.columns:
            continue
        names = [n for n in ves[col].dropna().unique() if place_key(n) in keys]
        found += [(kind, n) for n in names[:1]]
    return found


def bare_name(ves: pd.DataFrame, name: str) -> str:
    """The ``kind:name`` a bare region name stands for: a gemeente, else a COROP, else one other region.

    Raises :class:`RegioFout` when nothing matches (with a suggestion) or when
    several region kinds other than gemeente and COROP carry the name.
    """
    found = _exact_kinds(ves, name)
    for preferred in ("gemeente", "corop"):
        hit = [n for k, n in found if k == preferred]
        if hit:
            return f"{preferred}:{hit[0]}"
    if len(found) == 1:
        return f"{found[0][0]}:{found[0][1]}"
    if found:
        options = ", ".join(f"{k}:{n}" for k, n in found)
        raise RegioFout(f"regio '{name}' is niet eenduidig; kies een van: {options}")
    cols = ["gemeentenaam", *(f"{k}_naam" for k in REGION_KINDS)]
    names = [n for c in cols if c in ves.columns for n in ves[c].dropna().unique()]
    raise RegioFout(
        f"regio '{name}' is geen gemeente- of regionaam in de werkmap; gebruik soort:code, zoals gemeente:0715 of "
        f"corop:31." + _suggest(name, names)
    )


def parse_expression(expression: str) -> list[tuple[str, list[str]]]:
    """Split ``kind:a,b`` parts (several parts joined by ``+``) into (kind, values)."""
    parts = []
    for part in expression.split("+"):
        kind, sep, rest = part.partition(":")
        kind = kind.strip().lower()
        if not sep or kind not in KINDS:
            raise RegioFout(
                f"regio '{part}' niet begrepen; gebruik soort:code, zoals gemeente:0715,0716, corop:31, "
                f"onderwijsgebied:19, rmc:33, rpa:.., nodaal:.., wgr:.., bestuur:NUMMER, of een YAML-bestand "
                f"(soorten: {', '.join(KINDS)})"
            )
        values = [v.strip() for v in rest.split(",") if v.strip()]
        if not values:
            raise RegioFout(f"regio '{part}' noemt geen code of naam na de dubbele punt")
        parts.append((kind, values))
    return parts


def _from_yaml(path: Path) -> tuple[str, list[tuple[str, list[str]]]]:
    try:
        doc = safe_yaml.load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise RegioFout(f"regiobestand {path} is geen geldige YAML: {exc}") from exc
    if not isinstance(doc, dict):
        raise RegioFout(f"regiobestand {path}: verwacht velden zoals 'naam' en 'gemeenten' of 'corop'")
    unknown = set(doc) - {"naam", *KINDS, "gemeenten", "besturen"}
    if unknown:
        raise RegioFout(
            f"regiobestand {path}: onbekende velden {', '.join(sorted(unknown))} (toegestaan: naam, {', '.join(KINDS)})"
        )
    parts = []
    for key, value in doc.items():
        if key == "naam":
            continue
        kind = {"gemeenten": "gemeente", "besturen": "bestuur"}.get(key, str(key))
        values = [str(v) for v in (value if isinstance(value, list) else [value])]
        parts.append((kind, values))
    if not parts:
        raise RegioFout(f"regiobestand {path} selecteert niets")
    return str(doc.get("naam") or path.stem), parts


def select_region(tables: dict[str, pd.DataFrame], expression: str | None) -> Region:
    """Resolve a ``--regio`` expression against the workspace tables.

    ``None`` or ``nl`` selects the whole country. Raises :class:`RegioFout`
    with a Dutch message when the expression selects nothing or is ambiguous.
    """
    ves = tables.get("vestigingen")
    if ves is None or ves.empty:
        raise RegioFout("de werkmap bevat geen vestigingen; importeer eerst gegevens")
    pc4_gem = pc4_gemeenten(tables)
    expr = (expression or "").strip()
    if expr.lower() in NATIONAL:
        return Region(
            "nl",
            "alle vestigingen in de werkmap",
            tuple(sorted(ves["vestigingscode"])),
            tuple(sorted(ves["gemeentecode"].dropna().unique())),
            tuple(sorted(pc4_gem["pc4"])),
        )
    path = Path(expr)
    if path.suffix.lower() in (".yaml", ".yml"):
        if not path.is_file():
            raise RegioFout(f"regiobestand {path} bestaat niet")
        label, parts = _from_yaml(path)
    else:
        if ":" not in expr and "+" not in expr:
            expr = bare_name(ves, expr)
        label, parts = "", parse_expression(expr)
    ves_set: set[str] = set()
    gem_set: set[str] = set()
    labels = []
    for kind, values in parts:
        v, g, lab = _select_part(tables, kind, values)
        ves_set |= v
        gem_set |= g
        labels.append(lab)
    if not ves_set and not gem_set:
        raise RegioFout(f"regio '{expr}' selecteert geen enkele vestiging of gemeente")
    pc4 = pc4_gem[pc4_gem["gemeentecode"].isin(gem_set)]["pc4"]
    return Region(expr, label or " + ".join(labels), tuple(sorted(ves_set)), tuple(sorted(gem_set)), tuple(sorted(pc4)))
