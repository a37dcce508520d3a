"""Forecast III figures: national forecast as of 2019 against CBS 85701NED, national and COROP back-tests,
and the correlation of vestiging errors within a COROP (the basis of dekkend.forecast.aggregate.RHO).

Run: ``.venv/bin/python bench/forecast_iii.py WERKMAP`` (a werkmap with every file of ../shared/data imported).
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd

from dekkend.forecast import CohortModel
from dekkend.ingest._text import estimated_count
from dekkend.workspace import Workspace


def main(path: str) -> None:
    tables = Workspace(path).tables()
    p = tables["leerlingen"].assign(n=lambda f: estimated_count(f))
    cbs = tables["leerlingen_woongemeente"]
    cbs = cbs[cbs["label_onderwijssoort"] == "Totaal voortgezet onderwijs"].groupby("schooljaar")["aantal"].sum()
    m = CohortModel().fit(tables, 2019)
    fc = m.predict(4)
    vavo = p[(p["schooljaar"] == 2019) & p["vavo"].astype(bool)]["n"].sum()
    print("| jaar | prognose (zonder VAVO) | CBS 85701NED | verschil |\n|---|---|---|---|")
    for y, v in fc.groupby("jaar")["verwacht"].sum().items():
        print(f"| {y} | {v - vavo:,.0f} | {cbs.get(y, np.nan):,.0f} | {100 * ((v - vavo) / cbs.get(y, np.nan) - 1):+.1f}% |")
    act = p.groupby(["schooljaar", "vestigingscode"])["n"].sum()
    corop = tables["vestigingen"].drop_duplicates("vestigingscode").set_index("vestigingscode")["corop_code"]
    print("\n| peiljaar | doeljaar | landelijk: werkelijk t.o.v. prognose | vestigingen | spreiding log-fout vestiging | correlatie binnen COROP "
          "| COROP-fout mediaan | COROP-fout rms |\n|---|---|---|---|---|---|---|---|")
    for as_of, target in ((2016, 2017), (2017, 2019), (2016, 2019)):
        vt = CohortModel().fit(tables, as_of).vestiging_totals(target - as_of)
        vt = vt[vt["jaar"] == target].set_index("vestigingscode")["verwacht"]
        a = act.loc[target].reindex(vt.index).fillna(0.0)
        nat = act.loc[target].sum() / vt.sum() - 1
        keep = (a > 0) & (vt > 0)
        f, a = vt[keep], a[keep]
        e = np.log(a / f)
        s = float(np.sqrt(np.average(e**2, weights=f)))
        d = pd.DataFrame({"f": f, "a": a, "me": f * e, "ms": f * s, "c": corop.reindex(f.index).fillna("?")})
        g = d.groupby("c")
        num = (g["me"].sum() ** 2 - g["me"].apply(lambda x: (x**2).sum())).sum()
        den = (g["ms"].sum() ** 2 - g["ms"].apply(lambda x: (x**2).sum())).sum()
        ce = np.log(g["a"].sum() / g["f"].sum())
        print(f"| {as_of} | {target} | {100 * nat:+.1f}% | {int(keep.sum())} | {s:.3f} | {num / den:.3f} | "
              f"{100 * ce.abs().median():.1f}% | {100 * np.sqrt((ce**2).mean()):.1f}% |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/work/nl-werkmap")
