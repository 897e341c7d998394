"""Response curve of a sweep: a metric's mean over replicates per point against one key, with
its 95 % CI (Student t on the replicates of each point).

When other keys vary too: on a grid (or csv) design, one line per value of the other keys
(per combination, when several vary); on a sampled design (random, lhs, sobol, morris), each
point is drawn with its error bar.

    python3 -m analysis.response DIR --x KEY --metric M [--out STEM]

Default output: DIR/figures/response_M_KEY.png and .svg.
"""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from . import _plot, _sweep


def table(folder, x: str, metric: str) -> pd.DataFrame:
    """Per point: its keys' values, n replicates, mean, sd, se, ci_low, ci_high and the label
    of the series it is drawn in."""
    m = _sweep.manifest(folder)
    rows = _sweep.results(folder)
    keys = list(m["keys"])
    if x not in keys:
        raise _sweep.SweepError(f"{folder}: --x '{x}' is not a varied key of the sweep (keys: {', '.join(keys)})")
    _sweep.check_columns(rows, [metric], "metric", folder)
    others = [k for k in keys if k != x and rows[k].nunique() > 1]
    out = _sweep.summarise(rows, ["point_id"] + keys, metric)
    sampled = m.get("design") in _sweep.SAMPLED
    if others and not sampled:
        out["series"] = out[others].astype(str).apply(
            lambda r: ", ".join(f"{k} = {v}" for k, v in zip(others, r)), axis=1
        )
    else:
        out["series"] = metric
    order = (["series"] if others and not sampled else []) + [x, "point_id"]
    out = out.sort_values(order, kind="stable").reset_index(drop=True)
    out.attrs.update(design=m.get("design"), others=others, sampled=sampled, currency=_sweep.currency(m))
    return out


def response(folder, x: str, metric: str, out=None) -> pd.DataFrame:
    """Plots the response curve of `metric` against key `x` and saves it (PNG and SVG, at `out`,
    default DIR/figures/response_<metric>_<x>). Returns the plotted table (see `table`); its
    attrs hold the figure and the paths written."""
    t = table(folder, x, metric)
    fig, ax = _plot.plt.subplots(figsize=(7, 4.5))
    if t.attrs["sampled"]:
        ax.errorbar(
            t[x],
            t["mean"],
            yerr=[t["mean"] - t["ci_low"], t["ci_high"] - t["mean"]],
            fmt="o",
            ms=4,
            color=_plot.colour(0),
            ecolor=_plot.colour(0),
            alpha=0.8,
            elinewidth=1,
            capsize=2,
            label=f"{metric}: one design point (mean, 95 % CI)",
        )
    else:
        for i, (name, s) in enumerate(t.groupby("series", sort=False)):
            c = _plot.colour(i)
            ax.plot(s[x], s["mean"], "o-", color=c, label=name)
            if s["ci_low"].notna().any():
                ax.fill_between(s[x], s["ci_low"], s["ci_high"], color=c, alpha=0.2, linewidth=0)
    ax.set_xlabel(x)
    ax.set_ylabel(_plot.label(metric, t.attrs["currency"]))
    if _plot.is_money(metric, t.attrs["currency"]):
        _plot.thousands(ax)
    n = t["n"]
    reps = f"{n.min()}" if n.min() == n.max() else f"{n.min()}-{n.max()}"
    note = ""
    if t.attrs["sampled"] and t.attrs["others"]:
        note = "\nother keys vary from point to point: " + ", ".join(t.attrs["others"])
    ax.set_title(
        f"How {metric} responds to {x}\n(mean over {reps} replicates per point, 95 % CI, Student t){note}",
        fontsize=10,
    )
    ax.legend(fontsize=8, loc="best")
    stem = out if out is not None else _plot.default_stem(folder, f"response_{_plot.safe_name(metric)}_{_plot.safe_name(x)}")
    t.attrs["figure"] = fig
    t.attrs["paths"] = _plot.save(fig, stem)
    return t


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python3 -m analysis.response", description=__doc__.split("\n\n")[0])
    p.add_argument("dir", help="a wom sweep folder")
    p.add_argument("--x", required=True, help="the varied key on the x axis (dotted name)")
    p.add_argument("--metric", required=True, help="a metric of the sweep (a column of results.csv)")
    p.add_argument("--out", help="output path stem (default DIR/figures/response_METRIC_KEY)")
    a = p.parse_args(argv)
    return _plot.report("analysis.response", lambda: response(a.dir, a.x, a.metric, a.out))


if __name__ == "__main__":
    sys.exit(main())
