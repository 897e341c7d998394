"""Tests of the figures in analysis/: each function and each `python3 -m analysis.X` command, on
tiny sweeps and a tiny `wom cost` made with the wom binary.

The binary: $WOM_BINARY, else build/release/wom under the repository root. Run from anywhere:
    WOM_BINARY=build/release/wom /usr/bin/python3 -m pytest tests/python/test_analysis.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from analysis import _plot, _sweep  # noqa: E402
from analysis import cost as cost_fig  # noqa: E402
from analysis import heatmap as heatmap_fig  # noqa: E402
from analysis import morris as morris_fig  # noqa: E402
from analysis import response as response_fig  # noqa: E402
from analysis import sobol as sobol_fig  # noqa: E402

WOM = Path(os.environ.get("WOM_BINARY", REPO / "build" / "release" / "wom"))
if not WOM.is_absolute():
    WOM = REPO / WOM
if not (WOM.is_file() and os.access(WOM, os.X_OK)):
    pytest.skip(f"no wom binary at {WOM} (set WOM_BINARY)", allow_module_level=True)

BASE = REPO / "configs" / "default.yaml"
TINY = "overrides: {time.steps: 60, graph.n: 3000}\n"
ACK = "params.policy.acknowledge_rate"
BIAS = "params.talk.negativity_bias"
MARGIN = "params.economics.margin_per_year"


def wom(*args, cwd=REPO):
    r = subprocess.run([str(WOM), *map(str, args)], cwd=cwd, capture_output=True, text=True)
    assert r.returncode == 0, f"wom {' '.join(map(str, args))}: {r.stderr}"
    return r.stdout


def sweep(tmp: Path, name: str, body: str, analyze: bool = False) -> Path:
    spec = tmp / f"{name}.yaml"
    spec.write_text(f"base: {BASE}\nseed: 1\n{body}{TINY}")
    out = tmp / name
    wom("sweep", spec, "--out", out, "-q")
    if analyze:
        wom("sweep", "analyze", out)
    return out


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("analysis")
    grid = sweep(
        tmp,
        "grid",
        f"design: grid\nvary:\n  {ACK}: [0.1, 0.9]\n  {MARGIN}: [50, 100, 150]\n"
        "replicates: 3\nmetrics: [npv, customers_end, rating_end]\n",
    )
    morris = sweep(
        tmp,
        "morris",
        f"design: morris\npoints: 4\nlevels: 4\nvary:\n  {ACK}: {{min: 0.0, max: 1.0}}\n"
        f"  {BIAS}: {{min: 0.5, max: 2.0, log: true}}\n  {MARGIN}: {{min: 50, max: 150}}\n"
        "replicates: 2\nmetrics: [npv, customers_end]\n",
        analyze=True,
    )
    sobol = sweep(
        tmp,
        "sobol",
        f"design: sobol\npoints: 8\nvary:\n  {ACK}: {{min: 0.0, max: 1.0}}\n  {MARGIN}: {{min: 50, max: 150}}\n"
        "replicates: 2\nmetrics: [npv, customers_end]\n",
        analyze=True,
    )
    cost = tmp / "cost"
    wom("cost", BASE, "--set", "graph.n=3000", "--set", "time.steps=150", "--replicates", 2, "--focal", 50,
        "--out", cost)
    return {"grid": grid, "morris": morris, "sobol": sobol, "cost": cost, "tmp": tmp}


def written(paths):
    paths = [Path(p) for p in paths]
    assert [p.suffix for p in paths] == [".png", ".svg"]
    for p in paths:
        assert p.is_file() and p.stat().st_size > 1000, p
    assert paths[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in paths[1].read_bytes()[:2000]


def run_module(name, *args):
    r = subprocess.run([sys.executable, "-m", f"analysis.{name}", *map(str, args)], cwd=REPO,
                       capture_output=True, text=True)
    return r


# ---------------------------------------------------------------------------------------------
# shared pieces


def test_palette_is_okabe_ito_and_save_writes_png_and_svg(tmp_path):
    okabe_ito = {"#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"}
    assert set(_plot.PALETTE) == okabe_ito
    cycle = [c.upper() for c in _plot.plt.rcParams["axes.prop_cycle"].by_key()["color"]]
    assert cycle == [c.upper() for c in _plot.PALETTE]
    assert _plot.plt.get_backend().lower() == "agg"
    fig, ax = _plot.plt.subplots()
    ax.plot([0, 1], [1, 0])
    written(_plot.save(fig, tmp_path / "sub" / "fig"))


def test_units_from_metric_names():
    assert _plot.label("npv") == "npv ($)"
    assert _plot.label("npv", "€") == "npv (€)"
    assert _plot.unit_of("cost.total") == "$ per argued complaint"
    assert _plot.unit_of("cost.by_whom.ripple", "£") == "£ per argued complaint"
    assert _plot.unit_of("terminal_value") == "$"
    assert _plot.unit_of("customers_end") == "persons"
    assert _plot.unit_of("rating_end") == "stars"
    assert _plot.label("acquisitions") == "acquisitions"


# ---------------------------------------------------------------------------------------------
# response


def test_response_grid_lines_are_the_point_means_with_t_intervals(folders):
    d = folders["grid"]
    t = response_fig.response(d, ACK, "npv", out=folders["tmp"] / "fig" / "resp")
    written(t.attrs["paths"])
    rows = pd.read_csv(d / "results.csv")
    g = rows.groupby([ACK, MARGIN])["npv"]
    want = g.mean()
    half = stats.t.ppf(0.975, g.count() - 1) * g.std() / np.sqrt(g.count())
    got = t.set_index([ACK, MARGIN])
    assert len(t) == 6 and (t["n"] == 3).all()
    np.testing.assert_allclose(got["mean"], want.reindex(got.index), rtol=1e-12)
    np.testing.assert_allclose(got["ci_high"] - got["mean"], half.reindex(got.index), rtol=1e-9)
    np.testing.assert_allclose(got["mean"] - got["ci_low"], half.reindex(got.index), rtol=1e-9)
    # One line per value of the other key, its data the table's.
    ax = t.attrs["figure"].axes[0]
    lines = {ln.get_label(): ln for ln in ax.get_lines()}
    assert len(lines) == 3
    for m in (50, 100, 150):
        s = t[t[MARGIN] == m].sort_values(ACK)
        ln = lines[f"{MARGIN} = {m}"]
        np.testing.assert_allclose(ln.get_xdata(), s[ACK])
        np.testing.assert_allclose(ln.get_ydata(), s["mean"])
    # The CI bands: each band's vertices reach the table's ci_low and ci_high.
    assert len(ax.collections) == 3
    for band, (_, s) in zip(ax.collections, t.groupby("series", sort=False)):
        ys = band.get_paths()[0].vertices[:, 1]
        for lo, hi in zip(s["ci_low"], s["ci_high"]):
            assert np.isclose(ys, lo).any() and np.isclose(ys, hi).any()
    assert ax.get_xlabel() == ACK and ax.get_ylabel() == "npv ($)" and ax.get_title()


def test_response_sampled_design_draws_points_with_error_bars(folders):
    d = folders["sobol"]
    t = response_fig.response(d, MARGIN, "customers_end", out=folders["tmp"] / "fig" / "resp_sobol")
    written(t.attrs["paths"])
    rows = pd.read_csv(d / "results.csv")
    assert len(t) == 8 * 4  # N (k + 2) design points
    want = rows.groupby("point_id")["customers_end"].mean()
    np.testing.assert_allclose(t.set_index("point_id")["mean"], want.reindex(t["point_id"]), rtol=1e-12)
    ax = t.attrs["figure"].axes[0]
    (eb,) = ax.containers
    data_line = eb.lines[0]
    np.testing.assert_allclose(np.asarray(data_line.get_xdata(), float), t[MARGIN])
    np.testing.assert_allclose(np.asarray(data_line.get_ydata(), float), t["mean"])
    assert ax.get_ylabel() == "customers_end (persons)"


def test_response_command_writes_into_the_folder_by_default(folders):
    d = folders["grid"]
    r = run_module("response", d, "--x", MARGIN, "--metric", "rating_end")
    assert r.returncode == 0, r.stderr
    written(sorted((d / "figures").glob(f"response_rating_end_{MARGIN}.*")))


def test_response_errors_name_the_key(folders, capsys):
    assert response_fig.main([str(folders["grid"]), "--x", "params.nope", "--metric", "npv"]) == 1
    assert "not a varied key" in capsys.readouterr().err
    assert response_fig.main([str(folders["grid"]), "--x", ACK, "--metric", "nope"]) == 1
    assert "metric 'nope'" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------
# heatmap


def test_heatmap_panels_are_the_mean_and_the_ci_halfwidth(folders):
    d = folders["grid"]
    t = heatmap_fig.heatmap(d, ACK, MARGIN, "npv", out=folders["tmp"] / "fig" / "heat")
    written(t.attrs["paths"])
    rows = pd.read_csv(d / "results.csv")
    g = rows.groupby([MARGIN, ACK])["npv"]
    mean = g.mean().unstack(ACK).sort_index().sort_index(axis=1)
    half = (stats.t.ppf(0.975, g.count() - 1) * g.std() / np.sqrt(g.count())).unstack(ACK)
    half = half.reindex(index=mean.index, columns=mean.columns)
    fig = t.attrs["figure"]
    left, right = fig.axes[0], fig.axes[1]
    np.testing.assert_allclose(np.asarray(left.images[0].get_array()), mean.to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(right.images[0].get_array()), half.to_numpy(), rtol=1e-9)
    assert [x.get_text() for x in left.get_xticklabels()] == ["0.1", "0.9"]
    assert [x.get_text() for x in left.get_yticklabels()] == ["50", "100", "150"]
    assert left.get_xlabel() == ACK and left.get_ylabel() == MARGIN


def test_heatmap_command(folders, capsys):
    d = folders["grid"]
    r = run_module("heatmap", d, "--x", ACK, "--y", MARGIN, "--metric", "customers_end")
    assert r.returncode == 0, r.stderr
    written(sorted((d / "figures").glob(f"heatmap_customers_end_{ACK}_{MARGIN}.*")))
    assert heatmap_fig.main([str(d), "--x", ACK, "--y", ACK, "--metric", "npv"]) == 1
    assert "same key" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------
# morris


def test_morris_scatter_is_sensitivity_csv(folders):
    d = folders["morris"]
    t = morris_fig.morris(d, out=folders["tmp"] / "fig" / "morris")
    written(t.attrs["paths"])
    sens = pd.read_csv(d / "sensitivity.csv")
    pd.testing.assert_frame_equal(t[sens.columns].reset_index(drop=True), sens)
    fig = t.attrs["figure"]
    for ax, metric in zip(fig.axes, ["npv", "customers_end"]):
        s = sens[sens.metric == metric]
        np.testing.assert_allclose(ax.collections[0].get_offsets(), s[["mu_star", "sigma"]].to_numpy())
        assert [a.get_text() for a in ax.texts] == list(s["key"])
        assert metric in ax.get_title()
    assert fig.axes[0].get_xlabel().endswith("($ per unit of the key's range)")
    assert "3 keys" in fig._suptitle.get_text() and "4 trajectories" in fig._suptitle.get_text()


def test_morris_command(folders, capsys):
    r = run_module("morris", folders["morris"])
    assert r.returncode == 0, r.stderr
    written([folders["morris"] / "figures" / "morris.png", folders["morris"] / "figures" / "morris.svg"])
    assert morris_fig.main([str(folders["sobol"])]) == 1
    assert "not morris" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------
# sobol


def test_numpy_sobol_equals_wom_sweep_analyze_at_full_n(folders):
    """The numpy estimators and wom's C++ ones (sensitivity.csv) cannot drift apart."""
    d = folders["sobol"]
    m = json.loads((d / "manifest.json").read_text())
    n, keys = m["sobol_n"], m["keys"]
    rows = pd.read_csv(d / "results.csv")
    sens = pd.read_csv(d / "sensitivity.csv").set_index(["metric", "key"])
    for metric in m["metrics"]:
        y = _sweep.design_row_means(rows, metric, n * (len(keys) + 2))
        if np.ptp(y) == 0:
            continue
        got = sobol_fig.indices(n, len(keys), y, bootstrap=200)
        for i, key in enumerate(keys):
            for col in ("S1", "ST"):
                assert abs(got[col][i] - sens.loc[(metric, key), col]) <= 1e-9, (metric, key, col)
            # the bootstrap interval is wom's only in law; it must still bracket something sane
            assert got["ST_low"][i] <= got["ST_high"][i]


def test_numpy_sobol_equals_the_wom_module_where_it_is_built():
    """Where the Python module is importable, its C++ estimator and the numpy one agree."""
    wom_module = pytest.importorskip("wom")
    if not hasattr(getattr(wom_module, "sensitivity", None), "sobol_indices"):
        pytest.skip("wom has no sensitivity.sobol_indices")
    rng = np.random.default_rng(5)
    n, k = 16, 3
    y = rng.normal(size=n * (k + 2))
    for n_sub in sobol_fig.sizes(n):
        ys = sobol_fig.subset(y, n, k, n_sub)
        a = sobol_fig.indices(n_sub, k, ys, bootstrap=0)
        b = wom_module.sensitivity.sobol_indices(n_sub, k, ys, bootstrap=0, seed=1)
        np.testing.assert_allclose(a[["S1", "ST"]].to_numpy(), b[["S1", "ST"]].to_numpy(), rtol=1e-9, atol=1e-12)


def test_numpy_sobol_on_an_additive_function():
    """y = 2 x1 + x2 on independent uniform A, B: S1 = ST = (4/5, 1/5) in the limit."""
    rng = np.random.default_rng(3)
    n, k = 4096, 2
    A, B = rng.random((n, k)), rng.random((n, k))
    f = lambda X: 2 * X[:, 0] + X[:, 1]  # noqa: E731
    blocks = [f(A), f(B)]
    for i in range(k):
        AB = A.copy()
        AB[:, i] = B[:, i]
        blocks.append(f(AB))
    r = sobol_fig.indices(n, k, np.concatenate(blocks), bootstrap=100)
    np.testing.assert_allclose(r["S1"], [0.8, 0.2], atol=0.05)
    np.testing.assert_allclose(r["ST"], [0.8, 0.2], atol=0.05)
    assert (r["S1_low"] <= r["S1_high"]).all()


def test_sobol_subset_takes_the_first_base_rows_of_every_block():
    n, k = 8, 2
    y = np.arange(n * (k + 2), dtype=float)
    np.testing.assert_array_equal(sobol_fig.subset(y, n, k, 2), [0, 1, 8, 9, 16, 17, 24, 25])
    np.testing.assert_array_equal(sobol_fig.subset(y, n, k, n), y)
    assert sobol_fig.sizes(64) == [8, 16, 32, 64] and sobol_fig.sizes(8) == [1, 2, 4, 8]


def test_sobol_bars_and_convergence_are_the_tables(folders):
    d = folders["sobol"]
    t = sobol_fig.sobol(d, out=folders["tmp"] / "fig" / "sobol", bootstrap=200)
    written(t.attrs["paths"])
    sens = pd.read_csv(d / "sensitivity.csv")
    bars = t[t.panel == "indices"]
    pd.testing.assert_frame_equal(bars[sens.columns].reset_index(drop=True), sens)
    fig = t.attrs["figure"]
    m = json.loads((d / "manifest.json").read_text())
    keys = m["keys"]
    for j, metric in enumerate(dict.fromkeys(sens.metric)):
        ax, cx = fig.axes[2 * j], fig.axes[2 * j + 1]
        s = sens[sens.metric == metric].set_index("key").reindex(keys).sort_values("ST", ascending=False)
        s1_bars, st_bars = [c for c in ax.containers if hasattr(c, "patches")]
        np.testing.assert_allclose([p.get_height() for p in s1_bars.patches], s["S1"])
        np.testing.assert_allclose([p.get_height() for p in st_bars.patches], s["ST"])
        assert [x.get_text() for x in ax.get_xticklabels()] == list(s.index)
        # error bars span the bootstrap CI (where the CI holds the estimate)
        segs = st_bars.errorbar.lines[2][0].get_segments()
        for seg, (_, r) in zip(segs, s.iterrows()):
            if r.ST_low <= r.ST <= r.ST_high:
                np.testing.assert_allclose(sorted(seg[:, 1]), [r.ST_low, r.ST_high])
        # convergence: at N' = N the recomputed indices are sensitivity.csv's
        c = t[(t.panel == "convergence") & (t.metric == metric)]
        assert sorted(c.n.unique()) == [1, 2, 4, 8]
        full = c[c.n == 8].set_index("key").reindex(keys)
        np.testing.assert_allclose(full["S1"], s.reindex(keys)["S1"], atol=1e-9)
        np.testing.assert_allclose(full["ST"], s.reindex(keys)["ST"], atol=1e-9)
        lines = {ln.get_label(): ln for ln in cx.get_lines()}
        for key in keys:
            r = c[c.key == key].sort_values("n")
            np.testing.assert_allclose(lines[f"{key}: ST"].get_xdata(), r["n"])
            np.testing.assert_allclose(lines[f"{key}: ST"].get_ydata(), r["ST"], equal_nan=True)
            np.testing.assert_allclose(lines[f"{key}: S1"].get_ydata(), r["S1"], equal_nan=True)
    # the convergence rows on the first N' base points equal the estimator on those rows
    rows = pd.read_csv(d / "results.csv")
    y = _sweep.design_row_means(rows, "npv", 8 * 4)
    direct = sobol_fig.indices(4, 2, sobol_fig.subset(y, 8, 2, 4), bootstrap=0)
    half = t[(t.panel == "convergence") & (t.metric == "npv") & (t.n == 4)]
    np.testing.assert_allclose(half["S1"], direct["S1"], rtol=1e-12)
    np.testing.assert_allclose(half["ST"], direct["ST"], rtol=1e-12)


def test_sobol_command(folders, capsys):
    r = run_module("sobol", folders["sobol"], "--bootstrap", 100)
    assert r.returncode == 0, r.stderr
    written([folders["sobol"] / "figures" / "sobol.png", folders["sobol"] / "figures" / "sobol.svg"])
    assert sobol_fig.main([str(folders["grid"])]) == 1
    assert "not sobol" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------
# cost


def test_cost_bars_are_cost_json(folders):
    d = folders["cost"]
    c = json.loads((d / "cost.json").read_text())
    t = cost_fig.cost(d, out=folders["tmp"] / "fig" / "cost")
    written(t.attrs["paths"])
    kind = t[t.panel == "kind"]
    assert list(kind.part) == ["total", *c["partition"]]
    np.testing.assert_allclose(kind["mean"], [c["total"]["mean"]] + [e["mean"] for e in c["partition"].values()])
    # the partition adds up to the total
    assert np.isclose(kind[~kind.is_total]["mean"].sum(), c["total"]["mean"], rtol=1e-6, atol=1e-6)
    whom = t[t.panel == "whom"]
    np.testing.assert_allclose(
        whom["mean"],
        [c["total"]["mean"], c["by_whom"]["complainant"]["total"]["mean"], c["by_whom"]["ripple"]["total"]["mean"]],
    )
    chan = t[t.panel == "channel"]
    assert list(chan.part) == ["ripple", *c["by_channel"]]
    np.testing.assert_allclose(chan["ci_low"], [c["ripple"]["ci_low"]] + [e["ci_low"] for e in c["by_channel"].values()])
    np.testing.assert_allclose(chan["ci_high"], [c["ripple"]["ci_high"]] + [e["ci_high"] for e in c["by_channel"].values()])
    # read the bars and whiskers back from the figure
    fig = t.attrs["figure"]
    assert len(fig.axes) == 3
    for ax, panel in zip(fig.axes, ["kind", "whom", "channel"]):
        s = t[t.panel == panel]
        (bars,) = [b for b in ax.containers if hasattr(b, "patches")]
        np.testing.assert_allclose([p.get_height() for p in bars.patches], s["mean"])
        segs = bars.errorbar.lines[2][0].get_segments()
        for seg, (_, r) in zip(segs, s.iterrows()):
            np.testing.assert_allclose(sorted(seg[:, 1]), [r.ci_low, r.ci_high], rtol=1e-9, atol=1e-9)
        assert ax.get_ylabel() == f"cost of arguing ({c['currency']} per argued complaint)"


def test_cost_command(folders, tmp_path, capsys):
    import shutil

    d = tmp_path / "cost_copy"
    shutil.copytree(folders["cost"], d)
    r = run_module("cost", d)  # default output: beside the folder, which stays wom's alone
    assert r.returncode == 0, r.stderr
    beside = tmp_path / "cost_copy-figures"
    written([beside / "cost.png", beside / "cost.svg"])
    assert not (d / "figures").exists()
    assert cost_fig.main([str(folders["cost"]), "--out", str(tmp_path / "elsewhere" / "cost")]) == 0
    written([tmp_path / "elsewhere" / "cost.png", tmp_path / "elsewhere" / "cost.svg"])
    assert cost_fig.main([str(tmp_path / "elsewhere")]) == 1
    assert "no cost.json" in capsys.readouterr().err
