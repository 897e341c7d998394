"""Sobol' indices of a sweep: per metric, the first-order (S1) and total (ST) index of each key
as bars with their bootstrap 95 % CIs (DIR/sensitivity.csv from `wom sweep analyze DIR`), and
a convergence panel: the indices recomputed on the first N' base points, N' = N/8, N/4, N/2, N.

Design rows (sweep/design.hpp, saltelli_design): A (N rows), B (N), then AB_1 ... AB_k (N each);
y per design row is the mean over its replicates in results.csv. The first N' base points are
rows j < N' of every block. The estimators are Saltelli et al. (2010) for S1,
mean(f(B) (f(AB_i) - f(A))) / V, and Jansen (1999) for ST, mean((f(A) - f(AB_i))^2) / (2 V),
V the population variance of f(A) and f(B) pooled, outputs centred on their mean first. They
are computed by wom's own C++ estimator when the Python module `wom` offers
wom.sensitivity.sobol_indices, else by the numpy version here (`indices`), which the tests
hold equal to sensitivity.csv.

    python3 -m analysis.sobol DIR [--bootstrap B] [--out STEM]

Default output: DIR/figures/sobol.png and .svg.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from . import _plot, _sweep

COLUMNS = ["S1", "S1_low", "S1_high", "ST", "ST_low", "ST_high"]


def _estimate(n: int, k: int, y: np.ndarray, rows: np.ndarray):
    """S1 and ST (arrays of shape rows.shape[:-1] + (k,)) over base rows `rows` (..., n), and a
    mask of the (re)samples where V > 0."""
    fA = y[:n][rows]
    fB = y[n : 2 * n][rows]
    mean = (fA.sum(axis=-1) + fB.sum(axis=-1)) / (2 * n)
    a = fA - mean[..., None]
    b = fB - mean[..., None]
    V = ((a * a).sum(axis=-1) + (b * b).sum(axis=-1)) / (2 * n)
    defined = V > 0
    Vs = np.where(defined, V, 1.0)
    S1 = np.empty(rows.shape[:-1] + (k,))
    ST = np.empty_like(S1)
    for i in range(k):
        fAB = y[(2 + i) * n : (3 + i) * n][rows]
        d = fAB - fA
        S1[..., i] = (b * d).sum(axis=-1) / n / Vs
        ST[..., i] = (d * d).sum(axis=-1) / n / (2 * Vs)
    return S1, ST, defined


def indices(n: int, k: int, y, bootstrap: int = 1000, seed: int = 1) -> pd.DataFrame:
    """Sobol' indices in numpy: one row per factor, columns S1, S1_low, S1_high, ST, ST_low,
    ST_high (percentile bootstrap over the n base rows, the same rows for A, B and every AB_i;
    resamples with V = 0 left out). The point estimates equal wom's (sweep/sensitivity.cpp);
    the bootstrap draws use numpy's generator, so the CIs agree with wom's only in law."""
    y = np.asarray(y, dtype=float)
    if n < 1 or k < 1:
        raise ValueError(f"sobol indices: points = {n}, factors = {k}: need at least 1 of each")
    if y.size != n * (k + 2):
        raise ValueError(f"sobol indices: {y.size} outputs for {n} points and {k} factors: expected {n * (k + 2)}")
    if not np.all(np.isfinite(y)):
        raise ValueError("sobol indices: every output must be finite")
    S1, ST, ok = _estimate(n, k, y, np.arange(n))
    if not ok:
        raise ValueError(f"sobol indices: all outputs are equal: the indices are 0/0 ({y.size} runs)")
    out = pd.DataFrame({"S1": S1, "S1_low": S1, "S1_high": S1, "ST": ST, "ST_low": ST, "ST_high": ST})
    if bootstrap > 0:
        rng = np.random.default_rng(seed)
        rows = rng.integers(0, n, size=(bootstrap, n))
        bS1, bST, good = _estimate(n, k, y, rows)
        if good.any():
            q = np.quantile(bS1[good], [0.025, 0.975], axis=0)  # linear: Hyndman & Fan type 7, as wom
            out["S1_low"], out["S1_high"] = q[0], q[1]
            q = np.quantile(bST[good], [0.025, 0.975], axis=0)
            out["ST_low"], out["ST_high"] = q[0], q[1]
    return out[COLUMNS]


def _wom_estimator():
    """wom.sensitivity.sobol_indices when the Python module offers it, else None."""
    try:
        import wom  # noqa: F401

        f = wom.sensitivity.sobol_indices
    except (ImportError, AttributeError):
        return None
    return f if callable(f) else None


def estimator():
    """(function, name): wom's C++ estimator when available, else the numpy one."""
    f = _wom_estimator()
    if f is not None:
        return (lambda n, k, y, bootstrap, seed: pd.DataFrame(f(n, k, np.asarray(y, float), bootstrap=bootstrap, seed=seed))[COLUMNS].reset_index(drop=True)), "wom (C++)"
    return indices, "numpy"


def subset(y: np.ndarray, n: int, k: int, n_sub: int) -> np.ndarray:
    """The design rows of the first n_sub base points: rows j < n_sub of A, B and each AB_i."""
    return np.concatenate([y[b * n : b * n + n_sub] for b in range(k + 2)])


def sizes(n: int) -> list[int]:
    """N/8, N/4, N/2, N (those at least 1)."""
    return sorted({n // d for d in (8, 4, 2, 1) if n // d >= 1})


def table(folder, bootstrap: int = 1000, seed: int = 1) -> pd.DataFrame:
    """sensitivity.csv's rows (panel 'indices', n = N) and the convergence rows (panel
    'convergence', n = N'), columns panel, metric, key, n, S1 ... ST_high, estimator."""
    m = _sweep.manifest(folder)
    if m.get("design") != "sobol":
        raise _sweep.SweepError(f"{folder}: design '{m.get('design')}' is not sobol")
    path = Path(folder) / "sensitivity.csv"
    if not path.is_file():
        raise _sweep.SweepError(f"{folder}: no sensitivity.csv: run `wom sweep analyze {folder}` first")
    sens = pd.read_csv(path)
    for c in ["metric", "key"] + COLUMNS:
        if c not in sens.columns:
            raise _sweep.SweepError(f"{path}: no column '{c}' (a sobol sensitivity.csv has metric,key,{','.join(COLUMNS)})")
    n, keys = int(m["sobol_n"]), list(m["keys"])
    k = len(keys)
    rows = _sweep.results(folder)
    est, name = estimator()
    parts = [sens.assign(panel="indices", n=n, estimator="wom sweep analyze")]
    for metric in dict.fromkeys(sens["metric"]):
        y = _sweep.design_row_means(rows, metric, n * (k + 2))
        for n_sub in sizes(n):
            try:
                r = est(n_sub, k, subset(y, n, k, n_sub), bootstrap, seed)
            except Exception as e:  # noqa: BLE001 - wom.Error is no ValueError
                if "all outputs are equal" not in str(e):
                    raise
                r = pd.DataFrame(np.nan, index=range(k), columns=COLUMNS)  # 0/0 at this size
            parts.append(r.assign(panel="convergence", metric=metric, key=keys, n=n_sub, estimator=name))
    out = pd.concat(parts, ignore_index=True)[["panel", "metric", "key", "n"] + COLUMNS + ["estimator"]]
    out.attrs.update(sobol_n=n, keys=keys, estimator=name, replicates=rows.groupby("point_id").size().agg(["min", "max"]).tolist())
    return out


def sobol(folder, out=None, bootstrap: int = 1000, seed: int = 1) -> pd.DataFrame:
    """Plots, per metric, S1 and ST with CIs and their convergence in N', and saves the figure.
    Returns the plotted table (see `table`); attrs hold the figure and the paths written."""
    t = table(folder, bootstrap, seed)
    metrics = list(dict.fromkeys(t.loc[t.panel == "indices", "metric"]))
    keys = t.attrs["keys"]
    fig, axes = _plot.plt.subplots(
        len(metrics), 2, figsize=(13, 4.6 * len(metrics)), squeeze=False, constrained_layout=True,
        gridspec_kw={"width_ratios": [1.25, 1]},
    )
    w = 0.38
    for (ax, cx), metric in zip(axes, metrics):
        s = t[(t.panel == "indices") & (t.metric == metric)].set_index("key").reindex(keys)
        order = list(s.sort_values("ST", ascending=False).index)  # most important first
        s = s.loc[order]
        pos = np.arange(len(order))
        for off, idx, c, lab in ((-w / 2, "S1", _plot.colour(0), "first order S1"), (w / 2, "ST", _plot.colour(1), "total ST")):
            val = s[idx].to_numpy(float)
            err = np.clip([val - s[f"{idx}_low"].to_numpy(float), s[f"{idx}_high"].to_numpy(float) - val], 0, None)
            ax.bar(pos + off, val, w, yerr=err, color=c, capsize=3, label=f"{lab} (95 % bootstrap CI)",
                   error_kw={"elinewidth": 1})
        ax.axhline(0, color="black", lw=0.6)
        ax.set_xticks(pos, order, rotation=15, ha="right", fontsize=8)
        ax.set_xlabel("key")
        ax.set_ylabel("Sobol' index (share of the variance of " + metric + ")")
        ax.set_title(f"What drives the variance of {metric} (N = {t.attrs['sobol_n']} base points)", fontsize=10)
        ax.legend(fontsize=8)
        c = t[(t.panel == "convergence") & (t.metric == metric)]
        for i, key in enumerate(order):
            r = c[c.key == key].sort_values("n")
            col = _plot.colour(keys.index(key))
            cx.plot(r["n"], r["ST"], "o-", color=col, label=f"{key}: ST")
            cx.fill_between(r["n"], r["ST_low"], r["ST_high"], color=col, alpha=0.12, linewidth=0)
            cx.plot(r["n"], r["S1"], "s--", color=col, ms=4, alpha=0.8, label=f"{key}: S1")
        cx.set_xscale("log", base=2)
        ns = sorted(c["n"].unique())
        cx.set_xticks(ns, [str(v) for v in ns])
        cx.minorticks_off()
        cx.set_xlabel("base points used, N' (design rows: N' (k + 2))")
        cx.set_ylabel("Sobol' index")
        pts = c[["S1", "ST"]].to_numpy(float)
        pts = pts[np.isfinite(pts)]
        if pts.size:
            cx.set_ylim(min(0.0, pts.min()) - 0.05, max(1.0, pts.max()) + 0.05)  # bands may run off
        cx.set_title(f"Convergence: indices on the first N' base points ({t.attrs['estimator']}; band: ST's CI)", fontsize=10)
        cx.legend(fontsize=7, ncol=2, loc="upper center", bbox_to_anchor=(0.5, -0.16))
    lo, hi = t.attrs["replicates"]
    reps = f"{lo}" if lo == hi else f"{lo}-{hi}"
    fig.suptitle(f"Sobol' sensitivity indices (Saltelli 2010 first order, Jansen 1999 total; {reps} replicates per design row, averaged)", fontsize=11)
    stem = out if out is not None else _plot.default_stem(folder, "sobol")
    t.attrs["figure"] = fig
    t.attrs["paths"] = _plot.save(fig, stem)
    return t


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python3 -m analysis.sobol", description=__doc__.split("\n\n")[0])
    p.add_argument("dir", help="a wom sweep folder of design sobol, analysed (wom sweep analyze DIR)")
    p.add_argument("--bootstrap", type=int, default=1000, help="bootstrap resamples for the convergence CIs (default 1000)")
    p.add_argument("--seed", type=int, default=1, help="bootstrap seed (default 1)")
    p.add_argument("--out", help="output path stem (default DIR/figures/sobol)")
    a = p.parse_args(argv)
    return _plot.report("analysis.sobol", lambda: sobol(a.dir, a.out, a.bootstrap, a.seed))


if __name__ == "__main__":
    sys.exit(main())
