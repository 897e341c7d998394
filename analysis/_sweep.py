"""Reading a sweep folder (sweep/sweep.hpp): manifest.json, design.csv, results.csv.

results.csv has one row per (point, replicate): ``point_id, replicate, seed, <varied keys>,
<metrics>``; manifest.json names the design, its keys and metrics, and (sobol) the base N.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd


class SweepError(ValueError):
    """A folder that is not a sweep, or lacks what a figure needs."""


#: Designs whose points are sampled (a cloud, not a grid of values).
SAMPLED = ("random", "lhs", "sobol", "morris")


def manifest(folder: str | os.PathLike) -> dict:
    path = Path(folder) / "manifest.json"
    if not path.is_file():
        raise SweepError(f"{folder}: no manifest.json: not a wom sweep folder (wom sweep SPEC --out DIR)")
    with open(path) as f:
        m = json.load(f)
    if m.get("kind") != "wom sweep":
        raise SweepError(f"{path}: kind is {m.get('kind')!r}, not 'wom sweep'")
    return m


def results(folder: str | os.PathLike) -> pd.DataFrame:
    """results.csv, the varied keys' values as numbers where they all read as numbers."""
    path = Path(folder) / "results.csv"
    if not path.is_file():
        raise SweepError(
            f"{folder}: no results.csv: the sweep is not complete or not merged "
            "(wom sweep status DIR; wom sweep collect DIR)"
        )
    return pd.read_csv(path)


def check_columns(table: pd.DataFrame, names, what: str, folder) -> None:
    for n in names:
        if n not in table.columns:
            raise SweepError(f"{folder}: {what} '{n}' is not a column of results.csv (columns: {', '.join(table.columns)})")


def currency(m: dict) -> str:
    """The currency of a sweep's money figures: an override of params.economics.currency, else
    the base config's (following `extends:`), else the model's default, '$'."""
    for o in m.get("overrides", []):
        key, _, value = o.partition("=")
        if key == "params.economics.currency":
            return value.strip("'\"")
    try:
        import yaml
    except ImportError:  # pragma: no cover - Debian's python3-yaml is usually there
        return "$"
    path = m.get("base")
    seen = set()
    while path and path not in seen and os.path.isfile(path):
        seen.add(path)
        try:
            with open(path) as f:
                doc = yaml.safe_load(f) or {}
        except (OSError, yaml.YAMLError):
            break
        cur = ((doc.get("params") or {}).get("economics") or {}).get("currency")
        if cur:
            return str(cur)
        ext = doc.get("extends")
        path = os.path.join(os.path.dirname(path), ext) if ext else None
    return "$"


def t_halfwidth(sd: pd.Series | np.ndarray, n: pd.Series | np.ndarray) -> np.ndarray:
    """95 % CI half-width of a mean from n replicates with standard deviation sd (Student t,
    n - 1 degrees of freedom); NaN where n < 2."""
    from scipy import stats  # here: the figures that need no t quantile start faster

    n = np.asarray(n, dtype=float)
    sd = np.asarray(sd, dtype=float)
    out = np.full(n.shape, np.nan)
    ok = n >= 2
    out[ok] = stats.t.ppf(0.975, n[ok] - 1) * sd[ok] / np.sqrt(n[ok])
    return out


def summarise(rows: pd.DataFrame, by: list[str], metric: str) -> pd.DataFrame:
    """Mean over the rows of each group, with n, sd (n - 1), se and the 95 % CI (Student t)."""
    g = rows.groupby(by, sort=True)[metric]
    out = g.agg(n="count", mean="mean", sd="std").reset_index()
    out["se"] = out["sd"] / np.sqrt(out["n"])
    half = t_halfwidth(out["sd"], out["n"])
    out["ci_halfwidth"] = half
    out["ci_low"] = out["mean"] - half
    out["ci_high"] = out["mean"] + half
    return out


def design_row_means(table: pd.DataFrame, metric: str, points: int) -> np.ndarray:
    """y per design row (point_id 0 .. points - 1): the mean over its replicates, as
    `wom sweep analyze` computes it."""
    y = table.groupby("point_id")[metric].mean()
    missing = sorted(set(range(points)) - set(y.index))
    if missing:
        raise SweepError(f"{len(missing)} design points have no results (first: point {missing[0]})")
    return y.reindex(range(points)).to_numpy(dtype=float)
