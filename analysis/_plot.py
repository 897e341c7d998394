"""Shared plotting: the headless backend, the Okabe-Ito palette, units and labels, saving.

Okabe & Ito (2008), "Color Universal Design": eight colours that stay distinct under the
common colour-vision deficiencies. Sequential maps use matplotlib's ``cividis`` (designed to
read the same for deuteranopes).
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # headless: no display needed, the same output everywhere

import matplotlib.pyplot as plt  # noqa: E402
from cycler import cycler  # noqa: E402

#: Okabe-Ito colours by name.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

#: The order series take colours in (yellow last: it is faint on white).
PALETTE = [
    OKABE_ITO[c]
    for c in ("blue", "orange", "bluish_green", "vermillion", "reddish_purple", "sky_blue", "black", "yellow")
]

#: Sequential colour map for heatmaps.
SEQUENTIAL = "cividis"

plt.rcParams.update(
    {
        "axes.prop_cycle": cycler(color=PALETTE),
        "figure.dpi": 100,
        "savefig.dpi": 150,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "legend.frameon": False,
        "svg.hashsalt": "wom",  # reproducible SVG ids
    }
)


def colour(i: int) -> str:
    """The i-th colour of the palette (cycling)."""
    return PALETTE[i % len(PALETTE)]


def unit_of(metric: str, currency: str = "$") -> str:
    """The unit of a metric, from its name.

    Money for ``npv``, ``cost.*`` and terminal values (the cost of arguing per argued complaint;
    the cost of losing a customer per lost customer), persons for ``customers*`` and for
    cost.json's counts of customers, stars for ``rating*``; otherwise the name itself.
    """
    m = metric.lower()
    if m.startswith("cost."):
        if m.endswith("per_100_argued"):
            return "persons per 100 argued complaints"
        if any(w in m for w in ("customers_lost", "prospects_not_won", "customer_gap")):
            return "persons per argued complaint"
        if m.startswith("cost.lost_customer"):
            return f"{currency} per lost customer"
        return f"{currency} per argued complaint"
    if m == "npv" or m.startswith("npv") or "terminal_value" in m or "cash_flow" in m:
        return currency
    if m.startswith("customers"):
        return "persons"
    if m.startswith("rating"):
        return "stars"
    return metric


def label(metric: str, currency: str = "$") -> str:
    """An axis label: the metric and its unit, e.g. ``npv ($)``; a metric without a known unit
    reads as its name."""
    unit = unit_of(metric, currency)
    return metric if unit == metric else f"{metric} ({unit})"


def default_stem(folder: str | os.PathLike, name: str) -> Path:
    """Where a figure goes when no ``--out`` is given: FOLDER/figures/NAME (.png, .svg)."""
    return Path(folder) / "figures" / name


def safe_name(text: str) -> str:
    """A file-name-friendly version of a key or metric (dots kept, other odd characters _)."""
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in text)


def save(fig, path_stem: str | os.PathLike) -> list[Path]:
    """Writes the figure as PATH_STEM.png and PATH_STEM.svg (creating the folder) and closes it.
    Returns the two paths."""
    stem = Path(path_stem)
    if stem.suffix.lower() in (".png", ".svg"):
        stem = stem.with_suffix("")
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = [stem.parent / (stem.name + ".png"), stem.parent / (stem.name + ".svg")]
    fig.savefig(paths[0], bbox_inches="tight")
    fig.savefig(paths[1], bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    return paths


def thousands(ax, axis: str = "y") -> None:
    """Tick labels with thousands separators (money, counts)."""
    from matplotlib.ticker import FuncFormatter

    fmt = FuncFormatter(lambda v, _: f"{v:,.0f}" if abs(v) >= 1000 else f"{v:g}")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def is_money(metric: str, currency: str = "$") -> bool:
    return unit_of(metric, currency).startswith(currency) and unit_of(metric, currency) != metric


def fmt_value(v) -> str:
    """A key's value as a tick label: numbers in %g, anything else as written."""
    try:
        return f"{float(v):g}"
    except (TypeError, ValueError):
        return str(v)


def label_points(ax, xs, ys, texts, fontsize: float = 7) -> list:
    """Labels each point with its text, next to it: each label tries positions around its point
    until it overlaps no label placed before and stays inside the axes (greedy, in display
    space, topmost points first). Returns the annotations, created in the order of `texts`."""
    renderer = ax.figure.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    offsets = [(5, 3), (5, -10), (-5, 3), (-5, -10), (5, 11), (5, -18), (-5, 11), (-5, -18),
               (5, 19), (5, -26), (-5, 19), (-5, -26), (5, 27), (-5, 27)]

    def make(i, off, leader=False):
        dx, dy = off
        lead = {"arrowprops": {"arrowstyle": "-", "lw": 0.5, "color": "#666666", "shrinkA": 1, "shrinkB": 3}}
        return ax.annotate(texts[i], (xs[i], ys[i]), xytext=(dx, dy), textcoords="offset points",
                           fontsize=fontsize, ha="left" if dx > 0 else "right", va="bottom",
                           **(lead if leader and (dx, dy) != offsets[0] else {}))

    placed, chosen = [], {}
    for i in sorted(range(len(texts)), key=lambda i: (-float(ys[i]), float(xs[i]))):
        best = None
        for strict in (True, False):
            for off in offsets:
                a = make(i, off)
                box = a.get_window_extent(renderer)
                a.remove()
                inside = frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
                if not any(box.overlaps(b) for b in placed) and (inside or not strict):
                    best = (off, box)
                    break
            if best:
                break
        if best is None:
            a = make(i, offsets[0])
            best = (offsets[0], a.get_window_extent(renderer))
            a.remove()
        chosen[i] = best[0]
        placed.append(best[1])
    return [make(i, chosen[i], leader=True) for i in range(len(texts))]


def report(prog: str, make) -> int:
    """A command's ending: runs ``make()`` (a figure function), prints the files it wrote and
    returns 0, or prints ``PROG: error: ...`` for a folder it cannot read and returns 1."""
    import sys

    from ._sweep import SweepError

    try:
        t = make()
    except SweepError as e:
        print(f"{prog}: error: {e}", file=sys.stderr)
        return 1
    for path in t.attrs["paths"]:
        print(path)
    return 0
