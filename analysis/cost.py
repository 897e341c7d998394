"""What one argued interaction costs, from a `wom cost` output folder (cost.json): three panels
of bars with 95 % CI whiskers, in cost.json's currency per argued complaint:

- by kind: the parts of `partition` (own margin, retention ripple, acquisition ripple,
  service, acquisition spend, terminal value), which add up to the total;
- by whom: the complainant and the ripple (everyone else), which add up to the total;
- by channel: the ripple through each channel (switched off alone from t0; channels overlap,
  so they need not add up to the ripple).

Each panel also shows the total (or, by channel, the whole ripple) as a hatched bar.

    python3 -m analysis.cost DIR [--out STEM]

Default output: DIR-figures/cost.png and .svg, beside DIR rather than inside it: a cost
folder holds only what `wom cost` wrote, so `wom cost --force --out DIR` can replace it whole.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from . import _plot
from ._sweep import SweepError

ESTIMATE = ["mean", "se", "ci_low", "ci_high"]


def _estimate(d: dict, where: str) -> dict:
    for k in ESTIMATE:
        if k not in d:
            raise SweepError(f"cost.json: {where} has no '{k}' (an estimate is {{mean, se, ci_low, ci_high}})")
    return {k: float(d[k]) for k in ESTIMATE}


def load(folder) -> dict:
    path = Path(folder) / "cost.json"
    if not path.is_file():
        raise SweepError(f"{folder}: no cost.json: not a wom cost folder (wom cost CONFIG --out DIR)")
    with open(path) as f:
        return json.load(f)


def table(folder) -> pd.DataFrame:
    """One row per bar: panel (kind, whom, channel), part, is_total, mean, se, ci_low, ci_high."""
    c = load(folder)
    for k in ("total", "ripple", "partition", "by_whom"):
        if k not in c:
            raise SweepError(f"{folder}/cost.json: no '{k}'")
    rows = [dict(panel="kind", part="total", is_total=True, **_estimate(c["total"], "total"))]
    for part, e in c["partition"].items():
        rows.append(dict(panel="kind", part=part, is_total=False, **_estimate(e, f"partition.{part}")))
    rows.append(dict(panel="whom", part="total", is_total=True, **_estimate(c["total"], "total")))
    for who in ("complainant", "ripple"):
        e = c["by_whom"][who]
        e = e["total"] if "total" in e else e
        rows.append(dict(panel="whom", part=who, is_total=False, **_estimate(e, f"by_whom.{who}")))
    if c.get("by_channel"):
        rows.append(dict(panel="channel", part="ripple", is_total=True, **_estimate(c["ripple"], "ripple")))
        for ch, e in c["by_channel"].items():
            rows.append(dict(panel="channel", part=ch, is_total=False, **_estimate(e, f"by_channel.{ch}")))
    t = pd.DataFrame(rows)
    t.attrs.update(
        currency=c.get("currency", "$"),
        focal_events=c.get("focal_events"),
        replicates=c.get("replicates"),
        t0_step=c.get("t0_step"),
        severity=c.get("severity"),
    )
    return t


TITLES = {
    "kind": "by kind (the partition: adds up to the total)",
    "whom": "by whom: the complainant and the ripple (everyone else)",
    "channel": "the ripple by channel (each switched off alone; channels overlap)",
}


def cost(folder, out=None) -> pd.DataFrame:
    """Plots the cost of arguing by kind, by whom and by channel and saves the figure. Returns
    the plotted table (see `table`), in bar order; attrs hold the figure and the paths written."""
    t = table(folder)
    cur = t.attrs["currency"]
    panels = [p for p in ("kind", "whom", "channel") if (t.panel == p).any()]
    fig = _plot.plt.figure(figsize=(11, 9), constrained_layout=True)
    grid = fig.add_gridspec(2, 2, width_ratios=[3, max(3, int((t.panel == "channel").sum()))])
    where = {"kind": grid[0, :], "whom": grid[1, 0], "channel": grid[1, 1]}
    parts = [_plot.OKABE_ITO[c] for c in ("blue", "orange", "bluish_green", "vermillion", "reddish_purple", "yellow")]
    for p in panels:
        ax = fig.add_subplot(where[p])
        s = t[t.panel == p]
        pos = np.arange(len(s))
        mean = s["mean"].to_numpy(float)
        err = np.clip([mean - s["ci_low"].to_numpy(float), s["ci_high"].to_numpy(float) - mean], 0, None)
        colours, i = [], 0
        for tot in s["is_total"]:
            colours.append(_plot.OKABE_ITO["sky_blue"] if tot else parts[i % len(parts)])
            i += 0 if tot else 1
        bars = ax.bar(pos, mean, 0.7, yerr=err, capsize=4, color=colours, edgecolor="black", linewidth=0.6,
                      error_kw={"elinewidth": 1, "ecolor": "#333333"})
        for b, tot in zip(bars, s["is_total"]):
            if tot:
                b.set_hatch("//")
        ax.axhline(0, color="black", lw=0.6)
        names = [("whole ripple" if p == "channel" else "total") if tot else v.replace("_", " ")
                 for v, tot in zip(s["part"], s["is_total"])]
        ax.set_xticks(pos, names, rotation=20, ha="right")
        ax.set_xlabel("part of the cost")
        ax.set_ylabel(f"cost of arguing ({cur} per argued complaint)")
        _plot.thousands(ax)
        ax.set_title(TITLES[p], fontsize=10)
    a = t.attrs
    fig.suptitle(
        f"What one argued complaint costs: NPV(acknowledge) − NPV(argue), mean and 95 % CI\n"
        f"({a['focal_events']} focal complaints at step {a['t0_step']}, {a['replicates']} replicates; "
        f"severity: {a['severity']})",
        fontsize=10,
    )
    stem = out if out is not None else Path(str(Path(folder).resolve()) + "-figures") / "cost"
    t.attrs["figure"] = fig
    t.attrs["paths"] = _plot.save(fig, stem)
    return t


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python3 -m analysis.cost", description=__doc__.split("\n\n")[0])
    p.add_argument("dir", help="a wom cost output folder (holding cost.json)")
    p.add_argument("--out", help="output path stem (default DIR-figures/cost)")
    a = p.parse_args(argv)
    return _plot.report("analysis.cost", lambda: cost(a.dir, a.out))


if __name__ == "__main__":
    sys.exit(main())
