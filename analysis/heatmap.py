"""Heatmap of a sweep over two keys: two panels side by side, the metric's mean over
replicates and its 95 % CI half-width (Student t on the replicates), on the grid of (K1, K2).

Each cell pools the rows whose K1 and K2 have its values: the replicates of one point on a
grid of two keys; when other keys vary too, the cell averages over them as well (the title
says so).

    python3 -m analysis.heatmap DIR --x K1 --y K2 --metric M [--out STEM]

Default output: DIR/figures/heatmap_M_K1_K2.png and .svg.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
import pandas as pd

from . import _plot, _sweep

#: More distinct values than this on an axis: not a grid (a sampled design?).
MAX_LEVELS = 60


def table(folder, x: str, y: str, metric: str) -> pd.DataFrame:
    """Per (x, y) cell: n rows, mean, sd, se, the CI half-width, ci_low and ci_high."""
    m = _sweep.manifest(folder)
    rows = _sweep.results(folder)
    keys = list(m["keys"])
    for k, flag in ((x, "--x"), (y, "--y")):
        if k not in keys:
            raise _sweep.SweepError(f"{folder}: {flag} '{k}' is not a varied key of the sweep (keys: {', '.join(keys)})")
    if x == y:
        raise _sweep.SweepError("--x and --y name the same key")
    _sweep.check_columns(rows, [metric], "metric", folder)
    for k in (x, y):
        if rows[k].nunique() > MAX_LEVELS:
            raise _sweep.SweepError(
                f"{folder}: key '{k}' takes {rows[k].nunique()} values: a heatmap needs a grid "
                f"(at most {MAX_LEVELS} values a key; design '{m.get('design')}')"
            )
    out = _sweep.summarise(rows, [x, y], metric)
    out.attrs.update(
        others=[k for k in keys if k not in (x, y) and rows[k].nunique() > 1], currency=_sweep.currency(m)
    )
    return out


def grids(t: pd.DataFrame, x: str, y: str):
    """The two matrices drawn (rows: y values ascending, columns: x values ascending)."""
    mean = t.pivot(index=y, columns=x, values="mean").sort_index().sort_index(axis=1)
    half = t.pivot(index=y, columns=x, values="ci_halfwidth").reindex(index=mean.index, columns=mean.columns)
    return mean, half


def heatmap(folder, x: str, y: str, metric: str, out=None) -> pd.DataFrame:
    """Plots mean and CI half-width of `metric` over the (x, y) grid and saves the figure.
    Returns the plotted table (see `table`); attrs hold the figure and the paths written."""
    t = table(folder, x, y, metric)
    mean, half = grids(t, x, y)
    cur = t.attrs["currency"]
    fig, axes = _plot.plt.subplots(1, 2, figsize=(11, 4.5), constrained_layout=True)
    panels = (
        (axes[0], mean, f"mean of {metric}", _plot.label(metric, cur)),
        (axes[1], half, "95 % CI half-width", f"CI half-width ({_plot.unit_of(metric, cur)})"),
    )
    for ax, grid, title, bar in panels:
        values = np.ma.masked_invalid(grid.to_numpy(dtype=float))
        im = ax.imshow(values, origin="lower", aspect="auto", cmap=_plot.SEQUENTIAL, interpolation="nearest")
        ax.set_xticks(range(grid.shape[1]), [_plot.fmt_value(v) for v in grid.columns])
        ax.set_yticks(range(grid.shape[0]), [_plot.fmt_value(v) for v in grid.index])
        ax.set_xlabel(x)
        ax.set_ylabel(y)
        ax.grid(False)
        ax.set_title(title, fontsize=10)
        cb = fig.colorbar(im, ax=ax)
        cb.set_label(bar)
        lo, hi = np.nanmin(values), np.nanmax(values)
        for (i, j), v in np.ndenumerate(grid.to_numpy(dtype=float)):
            if np.isfinite(v):
                dark = hi > lo and (v - lo) / (hi - lo) < 0.5
                ax.text(j, i, f"{v:,.3g}" if abs(v) < 1000 else f"{v:,.0f}", ha="center", va="center",
                        fontsize=7, color="white" if dark else "black")
    n = t["n"]
    reps = f"{n.min()}" if n.min() == n.max() else f"{n.min()}-{n.max()}"
    extra = f"; averaged over {', '.join(t.attrs['others'])}" if t.attrs["others"] else ""
    fig.suptitle(f"{metric} over {x} and {y} ({reps} runs per cell{extra}; CI: Student t)", fontsize=10)
    stem = out if out is not None else _plot.default_stem(
        folder, f"heatmap_{_plot.safe_name(metric)}_{_plot.safe_name(x)}_{_plot.safe_name(y)}"
    )
    t.attrs["figure"] = fig
    t.attrs["paths"] = _plot.save(fig, stem)
    return t


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python3 -m analysis.heatmap", description=__doc__.split("\n\n")[0])
    p.add_argument("dir", help="a wom sweep folder")
    p.add_argument("--x", required=True, help="the key on the x axis (dotted name)")
    p.add_argument("--y", required=True, help="the key on the y axis (dotted name)")
    p.add_argument("--metric", required=True, help="a metric of the sweep (a column of results.csv)")
    p.add_argument("--out", help="output path stem (default DIR/figures/heatmap_METRIC_K1_K2)")
    a = p.parse_args(argv)
    return _plot.report("analysis.heatmap", lambda: heatmap(a.dir, a.x, a.y, a.metric, a.out))


if __name__ == "__main__":
    sys.exit(main())
