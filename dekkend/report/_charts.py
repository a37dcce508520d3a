"""Charts as plotly figure dictionaries: forecast with bands, types, vestigingen, reachability, norms, boards."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dekkend.report._collect import ReportData, total_band
from dekkend.report._format import kind_nl, number, percent, school_year
from dekkend.report._maps import FONT

WIDTH = 680
NAVY = "#1d3557"
BLUE = "#457b9d"
RED = "#b2182b"
ORANGE = "#d9822b"
GREY = "#8a8a84"
GRID = "#e4e4de"
TYPE_COLORS = {
    "pro": "#cc79a7",
    "vmbo-b": "#009e73",
    "vmbo-k": "#56b4e9",
    "vmbo-g": "#e69f00",
    "vmbo-t": "#d55e00",
    "havo": "#0072b2",
    "vwo": "#1b1b1b",
}
UPPER_TYPES = tuple(TYPE_COLORS)


def _layout(height: int, **extra: object) -> dict:
    layout = {
        "width": WIDTH,
        "height": height,
        "margin": {"l": 60, "r": 20, "t": 36, "b": 48},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "separators": ",.",
        "font": {"family": FONT, "size": 11, "color": "#222"},
        "hoverlabel": {"font": {"family": FONT}},
        "legend": {"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom", "font": {"size": 10.5}},
        "xaxis": {"gridcolor": GRID, "zeroline": False, "linecolor": "#999", "ticks": "outside", "fixedrange": True},
        "yaxis": {"gridcolor": GRID, "zeroline": False, "linecolor": "#999", "fixedrange": True},
    }
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(layout.get(key), dict):
            layout[key] = {**layout[key], **value}  # type: ignore[dict-item]
        else:
            layout[key] = value
    return layout


def _year_axis(years: list[int], title: str = "schooljaar (teldatum 1 oktober)") -> dict:
    first, last = min(years), max(years)
    span = last - first
    step = 1 if span <= 10 else 2 if span <= 22 else 5
    ticks = list(range(last, first - 1, -step))[::-1]
    return {"tickvals": ticks, "ticktext": [school_year(y) for y in ticks], "title": {"text": title}, "tickangle": 0}


def counted_points(seen: pd.Series) -> tuple[list[int | None], list[float | None]]:
    """Counted totals per year as plot points: a line only joins two consecutive count years.

    Between count years further apart (2012 and 2016, 2017 and 2019) a ``None`` breaks the
    line, so no count is suggested where there was none; every count keeps its marker.
    """
    seen = seen.dropna().sort_index()
    xs: list[int | None] = []
    ys: list[float | None] = []
    for year, value in seen.items():
        if xs and xs[-1] is not None and int(year) - int(xs[-1]) > 1:
            xs.append(None)
            ys.append(None)
        xs.append(int(year))
        ys.append(float(round(value)))
    return xs, ys


def total_chart(data: ReportData) -> dict:
    """Region total: counts as points (joined only where consecutive), then forecast and bands."""
    seen = data.history.groupby("jaar")["leerlingen"].sum()
    region_fc = data.forecast
    total = region_fc.groupby("jaar")["verwacht"].sum()
    traces: list[dict] = []
    for level, color in ((95, "rgba(69,123,157,0.16)"), (80, "rgba(69,123,157,0.32)")):
        years, lo, hi = total_band(region_fc, level)
        x = [data.origin, *years.tolist()]
        lo_all = [seen.get(data.origin, np.nan), *lo.tolist()]
        hi_all = [seen.get(data.origin, np.nan), *hi.tolist()]
        traces.append(
            {
                "type": "scatter",
                "x": x + x[::-1],
                "y": hi_all + lo_all[::-1],
                "fill": "toself",
                "fillcolor": color,
                "line": {"width": 0},
                "hoverinfo": "skip",
                "name": f"{level}%-band",
            }
        )
    cx, cy = counted_points(seen)
    traces.append(
        {
            "type": "scatter",
            "x": cx,
            "y": cy,
            "mode": "lines+markers",
            "connectgaps": False,
            "line": {"color": NAVY, "width": 2.4},
            "marker": {"size": 8, "color": NAVY},
            "name": "geteld",
            "hovertemplate": "%{x}: %{y:,.0f} leerlingen (geteld)<extra></extra>",
        }
    )
    fx = [data.origin, *total.index.tolist()]
    fy = [float(seen.get(data.origin, np.nan)), *total.round().tolist()]
    traces.append(
        {
            "type": "scatter",
            "x": fx,
            "y": fy,
            "mode": "lines+markers",
            "name": "prognose",
            "line": {"color": BLUE, "width": 2.2, "dash": "dash"},
            "marker": {"size": 6, "symbol": "circle-open", "color": BLUE},
            "hovertemplate": "%{x}: %{y:,.0f} leerlingen (prognose)<extra></extra>",
        }
    )
    all_years = sorted({*seen.index.tolist(), *total.index.tolist()})
    ymax = max(float(np.nanmax(fy)), float(seen.max())) * 1.25
    return {
        "data": traces,
        "layout": _layout(
            360,
            xaxis=_year_axis(all_years),
            yaxis={"title": {"text": "leerlingen"}, "rangemode": "tozero", "range": [0, ymax]},
            shapes=[_origin_line(data.origin)],
            annotations=[_origin_note(data.origin)],
        ),
    }


def _origin_line(origin: int) -> dict:
    return {
        "type": "line",
        "x0": origin,
        "x1": origin,
        "yref": "paper",
        "y0": 0,
        "y1": 1,
        "line": {"color": GREY, "width": 1, "dash": "dot"},
    }


def _origin_note(origin: int) -> dict:
    return {
        "x": origin,
        "y": 1,
        "yref": "paper",
        "text": "laatste telling",
        "showarrow": False,
        "xanchor": "right",
        "yanchor": "top",
        "font": {"size": 10, "color": GREY},
        "xshift": -4,
    }


def type_totals(data: ReportData) -> pd.DataFrame:
    """Upper-year pupils per type (rows) and year (columns): counted years with type detail, then forecast."""
    u = data.upper[data.upper["profiel"].isna() & data.upper["onderwijstype"].isin(UPPER_TYPES)]
    u = u[u["vestigingscode"].isin(data.region.vestigingen)]
    return (
        u.groupby(["onderwijstype", "jaar"])["leerlingen"]
        .sum()
        .unstack("jaar")
        .reindex(list(UPPER_TYPES))
        .dropna(how="all")
    )


def types_chart(data: ReportData) -> dict:
    """Upper-year pupils per onderwijstype: counted (solid) and forecast (dashed)."""
    t = type_totals(data)
    traces = []
    for typ, row in t.iterrows():
        row = row.dropna()
        seen = row[row.index <= data.origin]
        fc = row[row.index >= data.origin]
        color = TYPE_COLORS[str(typ)]
        name = kind_nl(str(typ))
        traces.append(
            {
                "type": "scatter",
                "x": seen.index.tolist(),
                "y": seen.round().tolist(),
                "mode": "lines+markers",
                "line": {"color": color, "width": 2},
                "marker": {"size": 5},
                "name": name,
                "legendgroup": typ,
                "hovertemplate": f"{name}, %{{x}}: %{{y:,.0f}}<extra></extra>",
            }
        )
        traces.append(
            {
                "type": "scatter",
                "x": fc.index.tolist(),
                "y": fc.round().tolist(),
                "mode": "lines",
                "line": {"color": color, "width": 2, "dash": "dash"},
                "name": f"{name} (prognose)",
                "legendgroup": typ,
                "showlegend": False,
                "hovertemplate": f"{name}, %{{x}}: %{{y:,.0f}} (prognose)<extra></extra>",
            }
        )
    years = [int(y) for y in t.columns]
    return {
        "data": traces,
        "layout": _layout(
            380,
            xaxis=_year_axis(years),
            yaxis={"title": {"text": "leerlingen in de bovenbouw"}, "rangemode": "tozero"},
            shapes=[_origin_line(data.origin)],
            annotations=[_origin_note(data.origin)],
            margin={"t": 56},
        ),
    }


def vestiging_changes(data: ReportData) -> pd.DataFrame:
    """Per counted vestiging of the region: pupils now, in 5 and 10 years, change and the 80% band in 10 years."""
    totals = data.totals
    ves = data.region_vestigingen.set_index("vestigingscode")
    last = {c: g for c, g in data.forecast[data.forecast["jaar"] == data.later].groupby("vestigingscode")}
    methods_of = data.forecast.drop_duplicates("vestigingscode").set_index("vestigingscode")["methode"]
    rows = []
    for code, r in ves.iterrows():
        if code not in totals.index:
            continue
        t = totals.loc[code]
        now = float(t.get(data.origin, 0.0))
        later = float(t.get(data.later, np.nan))
        sub = last.get(code)
        lo = hi = np.nan
        if sub is not None and sub["verwacht"].sum() > 0:
            _, l80, h80 = total_band(sub, 80)
            lo, hi = float(l80[0]), float(h80[0])
        rows.append(
            {
                "vestigingscode": code,
                "naam": r["korte_naam"],
                "plaats": r["plaats"],
                "bestuur": r["bestuur"],
                "nu": now,
                "over5": float(t.get(data.origin + 5, np.nan)),
                "over10": later,
                "verandering": later / now - 1 if now > 0 else np.nan,
                "laag80": lo,
                "hoog80": hi,
                "methode": methods_of.get(code, ""),
            }
        )
    return pd.DataFrame(rows).sort_values("nu", ascending=False).reset_index(drop=True)


def vestiging_chart(changes: pd.DataFrame, data: ReportData) -> dict:
    """Change in ten years per vestiging, with the 80% band, sorted."""
    c = changes.dropna(subset=["verandering"]).sort_values("verandering", ascending=False)
    labels = [f"{_cut(r.naam, 34)} ({_cut(r.plaats, 16)})" for r in c.itertuples()]
    x = (100 * c["verandering"]).round(1)
    lo = (100 * (c["laag80"] / c["nu"] - 1)).round(1)
    hi = (100 * (c["hoog80"] / c["nu"] - 1)).round(1)
    limit = -100 * data.settings.values.get("daling_10_jaar", 0.25)
    colors = [RED if v < limit else NAVY for v in x]
    trace = {
        "type": "scatter",
        "mode": "markers",
        "x": x.tolist(),
        "y": labels,
        "marker": {"size": 8, "color": colors},
        "error_x": {
            "type": "data",
            "symmetric": False,
            "array": (hi - x).tolist(),
            "arrayminus": (x - lo).tolist(),
            "color": "#9aa5b1",
            "thickness": 1.4,
            "width": 0,
        },
        "customdata": np.column_stack([c["nu"].round(), c["over10"].round()]).tolist(),
        "hovertemplate": "%{y}<br>nu %{customdata[0]:,.0f}, over tien jaar %{customdata[1]:,.0f} (%{x:+.0f}%)"
        "<extra></extra>",
        "name": "verandering",
    }
    height = 70 + 19 * len(c)
    return {
        "data": [trace],
        "layout": _layout(
            height,
            margin={"l": 250, "r": 20, "t": 10, "b": 40},
            showlegend=False,
            xaxis={
                "title": {
                    "text": f"verandering {school_year(data.origin)} - {school_year(data.later)} (%), met 80%-band"
                },
                "ticksuffix": "%",
                "zeroline": True,
                "zerolinecolor": "#999",
            },
            yaxis={"autorange": "reversed", "tickfont": {"size": 10}, "gridcolor": "#f0f0ea"},
            shapes=[
                {
                    "type": "line",
                    "x0": limit,
                    "x1": limit,
                    "yref": "paper",
                    "y0": 0,
                    "y1": 1,
                    "line": {"color": RED, "width": 1, "dash": "dot"},
                }
            ],
        ),
    }


def _cut(text: str, n: int) -> str:
    text = str(text)
    return text if len(text) <= n else text[: n - 1].rstrip() + "\u2026"


REACH_ORDER = ("pro", "vmbo-b", "vmbo-k", "vmbo-g", "vmbo-t", "havo", "vwo", "vo-openbaar")


def reach_rows(data: ReportData) -> pd.DataFrame:
    """Indicators now and later per kind shown: the types, the profielen offered in the region, and vo-openbaar."""
    ind = data.reach_now.indicators
    assert ind is not None, "the report computes reachability with its indicators"
    kinds = [k for k in REACH_ORDER] + [k for k in ind["onderwijstype"].unique() if str(k).startswith("profiel:")]
    a = ind[ind["jaar"] == data.origin].set_index("onderwijstype")
    b = ind[ind["jaar"] == data.later].set_index("onderwijstype")
    rows = []
    for k in kinds:
        if k not in a.index:
            continue
        rows.append(
            {
                "soort": k,
                "naam": kind_nl(k),
                "aandeel_nu": a.at[k, "aandeel_binnen_norm"],
                "aandeel_later": b.at[k, "aandeel_binnen_norm"] if k in b.index else np.nan,
                "buiten_nu": a.at[k, "kinderen_buiten_norm"],
                "buiten_later": b.at[k, "kinderen_buiten_norm"] if k in b.index else np.nan,
                "pc4_nu": a.at[k, "pc4_buiten_norm"],
                "pc4_later": b.at[k, "pc4_buiten_norm"] if k in b.index else np.nan,
                "km_nu": a.at[k, "gem_km"],
                "km_later": b.at[k, "gem_km"] if k in b.index else np.nan,
            }
        )
    return pd.DataFrame(rows)


def reach_chart(rows: pd.DataFrame, data: ReportData) -> dict:
    """Share of the children within the norm distance per kind: now against later without action (dumbbell)."""
    r = rows.iloc[::-1]
    labels = [_cut(n, 44) for n in r["naam"]]
    now = (100 * r["aandeel_nu"]).round(1).tolist()
    later = (100 * r["aandeel_later"]).round(1).tolist()
    xs: list = []
    ys: list = []
    for label, a, b in zip(labels, now, later, strict=True):
        xs += [a, b, None]
        ys += [label, label, None]
    norm = number(data.settings.values.get("normafstand_km", 12))
    traces = [
        {
            "type": "scatter",
            "mode": "lines",
            "x": xs,
            "y": ys,
            "line": {"color": "#b9c2cc", "width": 3},
            "hoverinfo": "skip",
            "showlegend": False,
            "name": "verschil",
        },
        {
            "type": "scatter",
            "mode": "markers",
            "x": now,
            "y": labels,
            "marker": {"size": 10, "color": NAVY},
            "name": f"nu ({school_year(data.origin)})",
            "hovertemplate": "%{y}: %{x:.1f}% nu<extra></extra>",
        },
        {
            "type": "scatter",
            "mode": "markers",
            "x": later,
            "y": labels,
            "marker": {"size": 10, "color": RED, "symbol": "diamond"},
            "name": f"{school_year(data.later)} zonder ingrijpen",
            "hovertemplate": "%{y}: %{x:.1f}% later<extra></extra>",
        },
    ]
    lowest: float = min([v for v in now + later if v == v] or [0.0])
    return {
        "data": traces,
        "layout": _layout(
            90 + 24 * len(r),
            margin={"l": 250, "r": 20, "t": 36, "b": 48},
            xaxis={
                "title": {"text": f"aandeel kinderen van 12-17 jaar binnen {norm} km"},
                "ticksuffix": "%",
                "range": [max(0.0, lowest - 5), 101],
            },
            yaxis={"tickfont": {"size": 10}},
        ),
    }


def boards_chart(boards: pd.DataFrame, data: ReportData) -> dict:
    """Pupils per board now and in ten years."""
    b = boards[boards["leerlingen_nu"] > 0].iloc[::-1]
    labels = b["label"].tolist()
    traces = [
        {
            "type": "bar",
            "orientation": "h",
            "y": labels,
            "x": b["leerlingen_nu"].tolist(),
            "name": f"nu ({school_year(data.origin)})",
            "marker": {"color": NAVY},
            "hovertemplate": "%{y}: %{x:,.0f} nu<extra></extra>",
        },
        {
            "type": "bar",
            "orientation": "h",
            "y": labels,
            "x": b["leerlingen_over_10_jaar"].tolist(),
            "name": f"verwacht {school_year(data.later)}",
            "marker": {"color": "#a8c5da"},
            "hovertemplate": "%{y}: %{x:,.0f} verwacht<extra></extra>",
        },
    ]
    return {
        "data": traces,
        "layout": _layout(
            80 + 34 * len(b),
            barmode="group",
            margin={"l": 110, "r": 20, "t": 34, "b": 44},
            xaxis={"title": {"text": "leerlingen"}},
            yaxis={"tickfont": {"size": 10.5}},
            legend={"traceorder": "normal"},
        ),
    }


def summary_numbers(data: ReportData) -> dict:
    """The key figures of the summary."""
    seen = data.history.groupby("jaar")["leerlingen"].sum()
    total = data.forecast.groupby("jaar")["verwacht"].sum()
    now = float(seen.get(data.origin, 0.0))
    in5 = float(total.get(data.origin + 5, np.nan))
    in10 = float(total.get(data.later, np.nan))
    years, lo, hi = total_band(data.forecast, 80)
    band = dict(zip(years.tolist(), zip(lo.tolist(), hi.tolist(), strict=True), strict=True)).get(
        data.later, (np.nan, np.nan)
    )
    return {
        "nu": now,
        "over5": in5,
        "over10": in10,
        "verandering5": in5 / now - 1 if now else np.nan,
        "verandering10": in10 / now - 1 if now else np.nan,
        "laag80": band[0],
        "hoog80": band[1],
        "tekst_nu": number(now),
        "tekst5": number(in5),
        "tekst10": number(in10),
        "pct5": percent(in5 / now - 1 if now else None, sign=True),
        "pct10": percent(in10 / now - 1 if now else None, sign=True),
    }
