"""Morris screen of a sweep: mu* against sigma of the elementary effects, one panel per metric,
each point labelled with its key, from DIR/sensitivity.csv (`wom sweep analyze DIR`, design
morris: columns metric, key, mu, mu_star, sigma).

Elementary effects are per unit of each key's range (the design's unit coordinates), so mu*
and sigma are in the metric's unit: a key far right moves the metric most; a key high up acts
non-linearly or in interaction with others. The dashed line is sigma = mu*.

    python3 -m analysis.morris DIR [--out STEM]

Default output: DIR/figures/morris.png and .svg.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from . import _plot, _sweep


def table(folder) -> pd.DataFrame:
    m = _sweep.manifest(folder)
    if m.get("design") != "morris":
        raise _sweep.SweepError(f"{folder}: design '{m.get('design')}' is not morris")
    path = Path(folder) / "sensitivity.csv"
    if not path.is_file():
        raise _sweep.SweepError(f"{folder}: no sensitivity.csv: run `wom sweep analyze {folder}` first")
    t = pd.read_csv(path)
    for c in ("metric", "key", "mu", "mu_star", "sigma"):
        if c not in t.columns:
            raise _sweep.SweepError(f"{path}: no column '{c}' (a morris sensitivity.csv has metric,key,mu,mu_star,sigma)")
    k = len(m["keys"])
    trajectories = len(m.get("unit", [])) // (k + 1) if k else 0
    t.attrs.update(currency=_sweep.currency(m), trajectories=trajectories, keys=list(m["keys"]))
    return t


def morris(folder, out=None) -> pd.DataFrame:
    """Plots mu*-sigma per metric and saves the figure. Returns sensitivity.csv as plotted, in
    its row order (per metric, by mu*); attrs hold the figure and the paths written."""
    t = table(folder)
    metrics = list(dict.fromkeys(t["metric"]))
    cur = t.attrs["currency"]
    cols = min(2, len(metrics))
    rows = math.ceil(len(metrics) / cols)
    fig, axes = _plot.plt.subplots(rows, cols, figsize=(6.5 * cols, 5 * rows), squeeze=False, constrained_layout=True)
    for ax in axes.flat[len(metrics):]:
        ax.set_visible(False)
    for ax, metric in zip(axes.flat, metrics):
        s = t[t["metric"] == metric]
        unit = _plot.unit_of(metric, cur)
        per = f"{unit} per unit of the key's range" if unit != metric else "per unit of the key's range"
        ax.scatter(s["mu_star"], s["sigma"], s=36, color=_plot.colour(0), zorder=3)
        top = float(np.nanmax(np.r_[s["mu_star"].to_numpy(), s["sigma"].to_numpy(), 0.0]))
        lim = top * 1.15 if top > 0 else 1.0
        ax.plot([0, lim], [0, lim], "--", color=_plot.OKABE_ITO["black"], lw=0.8, alpha=0.5, label="σ = μ*")
        ax.set_xlim(-0.02 * lim, lim)
        ax.set_ylim(-0.02 * lim, lim)
        ax.set_xlabel(f"μ*: mean |elementary effect|\n({per})")
        ax.set_ylabel(f"σ of the elementary effects\n({per})")
        if _plot.is_money(metric, cur):
            _plot.thousands(ax, "x")
            _plot.thousands(ax, "y")
        ax.set_title(f"What moves {metric}: Morris screen", fontsize=10)
        ax.legend(fontsize=8, loc="upper left")
    for ax, metric in zip(axes.flat, metrics):  # labels last: the layout is settled
        s = t[t["metric"] == metric]
        _plot.label_points(ax, s["mu_star"].to_numpy(), s["sigma"].to_numpy(), list(s["key"]))
    traj = t.attrs.get("trajectories")
    fig.suptitle(
        f"Morris elementary effects ({traj} trajectories, {len(t.attrs['keys'])} keys)", fontsize=11
    )
    stem = out if out is not None else _plot.default_stem(folder, "morris")
    t.attrs["figure"] = fig
    t.attrs["paths"] = _plot.save(fig, stem)
    return t


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python3 -m analysis.morris", description=__doc__.split("\n\n")[0])
    p.add_argument("dir", help="a wom sweep folder of design morris, analysed (wom sweep analyze DIR)")
    p.add_argument("--out", help="output path stem (default DIR/figures/morris)")
    a = p.parse_args(argv)
    return _plot.report("analysis.morris", lambda: morris(a.dir, a.out))


if __name__ == "__main__":
    sys.exit(main())
