"""The Python module `wom`: every call, its errors, zero-copy columns, bit-identity with the
command line, and the C++ estimators on analytic functions. Run with /usr/bin/python3 -m pytest,
PYTHONPATH=<build>/python and WOM_BINARY=<build>/wom (ctest sets both)."""
import json
import math
import os
import signal
import subprocess
import threading
import time

import numpy as np
import pandas as pd
import pytest

import wom

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT = os.path.join(ROOT, "configs", "default.yaml")
WOM = os.environ.get("WOM_BINARY", os.path.join(ROOT, "build", "release", "wom"))
SMALL = {"graph.n": 3000, "time.steps": 40}


def cli(*args, cwd=None):
    return subprocess.run([WOM, *args], capture_output=True, text=True, cwd=cwd)


def cli_error(*args):
    r = cli(*args)
    assert r.returncode == 1
    assert r.stderr.startswith("wom: error: ")
    return r.stderr[len("wom: error: "):].strip()


def test_the_issue_one_liner():
    r = wom.run(DEFAULT, overrides={"graph.n": 5000, "time.steps": 30})
    assert r.timeseries.shape == (4 * 31, 2 + len(r.names))


def test_run_is_bit_identical_to_the_cli(tmp_path):
    r = wom.run(DEFAULT, overrides=SMALL, seed=7, replicates=2)
    out = tmp_path / "run"
    res = cli("run", DEFAULT, "--set", "graph.n=3000", "--set", "time.steps=40", "--seed", "7", "--replicates", "2",
              "--out", str(out), "-q")
    assert res.returncode == 0, res.stderr
    ts = pd.read_csv(out / "timeseries.csv", float_precision="round_trip")  # the CSV is shortest round-trip
    assert list(ts.columns) == list(r.timeseries.columns)
    assert np.array_equal(ts.to_numpy(dtype=float), r.timeseries.to_numpy(dtype=float))
    summary = json.load(open(out / "summary.json"))
    assert summary["per_replicate"] == r.summary["per_replicate"]
    assert summary["across_replicates"] == r.summary["across_replicates"]


def test_columns_are_zero_copy_views_of_the_result():
    r = wom.run(DEFAULT, overrides=SMALL, replicates=3)
    a = r.columns("customers")
    assert a.shape == (3, 41)
    assert a.base is r._native  # a view into the result, not a copy
    assert not a.flags.writeable
    b = r.columns("customers")
    assert np.shares_memory(a, b)
    ts = r.timeseries
    for rep in range(3):
        assert np.array_equal(a[rep], ts[ts.replicate == rep]["customers"].to_numpy())
    with pytest.raises(wom.Error, match="unknown column 'nope'"):
        r.columns("nope")


def test_config_as_dict_and_as_yaml_text():
    base = {"model": "sir", "seed": 3, "replicates": 2, "time": {"steps": 30},
            "graph": {"generator": "erdos_renyi", "n": 2000, "mean_degree": 6},
            "params": {"beta": 0.3, "gamma": 0.1, "initial": {"fraction": 0.01}}}
    a = wom.run(base)
    text = "model: sir\nseed: 3\nreplicates: 2\ntime: {steps: 30}\n" \
           "graph: {generator: erdos_renyi, n: 2000, mean_degree: 6}\n" \
           "params: {beta: 0.3, gamma: 0.1, initial: {fraction: 0.01}}\n"
    b = wom.run(text)
    assert a.timeseries.equals(b.timeseries)


def test_errors_carry_the_cli_message():
    with pytest.raises(wom.ConfigError) as e:
        wom.run(DEFAULT, overrides={"params.policy.acknowledge_rat": 0.5})
    assert str(e.value) == cli_error("run", DEFAULT, "--set", "params.policy.acknowledge_rat=0.5")
    with pytest.raises(wom.ConfigError) as e:  # a string where a number goes: never converted
        wom.run(DEFAULT, overrides={"params.policy.acknowledge_rate": "high"})
    assert str(e.value) == cli_error("run", DEFAULT, "--set", "params.policy.acknowledge_rate=high")
    with pytest.raises(wom.ConfigError, match="out of range"):
        wom.run(DEFAULT, overrides={"params.policy.acknowledge_rate": 1.5})
    with pytest.raises(wom.ConfigError, match="params.beta"):  # a nested error in a dict
        wom.run({"model": "sir", "graph": {"generator": "erdos_renyi", "n": 100, "mean_degree": 4},
                 "params": {"beta": -1}})
    with pytest.raises(wom.Error) as e:
        wom.run("no/such/config.yaml")
    assert str(e.value) == cli_error("run", "no/such/config.yaml")
    with pytest.raises(wom.Error):
        wom.run(42)
    assert issubclass(wom.ConfigError, wom.Error) and issubclass(wom.IOError, wom.Error)


def test_compare_cost_params_and_load(tmp_path):
    c = wom.compare(DEFAULT, vary="params.policy.acknowledge_rate=0.3,0.9", overrides=SMALL, replicates=2)
    res = cli("compare", DEFAULT, "--vary", "params.policy.acknowledge_rate=0.3,0.9", "--set", "graph.n=3000",
              "--set", "time.steps=40", "--replicates", "2", "--out", str(tmp_path / "cmp"))
    assert res.returncode == 0, res.stderr
    assert c.table.equals(pd.read_csv(tmp_path / "cmp" / "compare.csv"))  # the CLI's table, value for value
    assert set(c.table.label) == {"params.policy.acknowledge_rate=0.3", "params.policy.acknowledge_rate=0.9"}
    k = wom.cost(DEFAULT, focal=20, overrides={"graph.n": 3000, "time.steps": 150}, replicates=2)
    assert len(k.events) == 40
    assert "total" in k.document and k.summary.figure.iloc[0] == "total"
    res = cli("cost", DEFAULT, "--focal", "20", "--set", "graph.n=3000", "--set", "time.steps=150", "--replicates",
              "2", "--out", str(tmp_path / "cost"), "-q")
    assert res.returncode == 0, res.stderr
    doc = json.load(open(tmp_path / "cost" / "cost.json"))
    assert doc["total"] == k.document["total"] and doc["by_whom"] == k.document["by_whom"]
    p = wom.params("service_wom")
    assert list(p.columns[:5]) == ["key", "default", "range", "unit", "source"]
    assert "params.policy.acknowledge_rate" in set(p.key)
    with pytest.raises(wom.Error, match="unknown model"):
        wom.params("nope")
    cmp_dir = tmp_path / "cmp"
    cl = wom.load(cmp_dir)
    assert cl["kind"] == "compare" and isinstance(cl["compare"], pd.DataFrame) and isinstance(cl["compare_json"], dict)
    assert cl["compare"].equals(pd.read_csv(cmp_dir / "compare.csv"))
    loaded = wom.load(tmp_path / "cost")
    assert loaded["kind"] == "cost" and loaded["cost"]["total"] == doc["total"]
    assert len(loaded["cost_events"]) == 40


def test_sweep_and_load(tmp_path):
    spec = tmp_path / "s.yaml"
    spec.write_text(f"base: {DEFAULT}\nseed: 2\ndesign: grid\nvary:\n  params.policy.acknowledge_rate: [0.2, 0.8]\n"
                    "replicates: 2\nmetrics: [npv]\noverrides: {time.steps: 40, graph.n: 3000}\n")
    s = wom.sweep(str(spec), out=str(tmp_path / "sw"))
    assert s.ran == 4 and s.status["points_done"] == 2
    assert list(s.results.columns) == ["point_id", "replicate", "seed", "params.policy.acknowledge_rate", "npv"]
    again = wom.sweep(str(spec), out=str(tmp_path / "sw"), resume=True)
    assert again.ran == 0 and again.results.equals(s.results)
    loaded = wom.load(tmp_path / "sw")
    assert loaded["kind"] == "sweep" and loaded["results"].equals(s.results)
    with pytest.raises(wom.Error, match="add --resume"):
        wom.sweep(str(spec), out=str(tmp_path / "sw"))


def ishigami(x, a=7.0, b=0.1):
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_sobol_on_ishigami():
    d = wom.design.sobol({"x1": (-math.pi, math.pi), "x2": (-math.pi, math.pi), "x3": (-math.pi, math.pi)},
                         n=2 ** 13, seed=3)
    assert d.points.shape == (2 ** 13 * 5, 3)
    s = wom.sensitivity.sobol(d, ishigami(d.points))
    exact_s1, exact_st = [0.3139, 0.4424, 0.0], [0.5576, 0.4424, 0.2437]
    for i, name in enumerate(["x1", "x2", "x3"]):
        row = s.loc[name]
        half = max(row.S1_high - row.S1_low, row.ST_high - row.ST_low)
        assert abs(row.S1 - exact_s1[i]) < half  # within a CI width of the analytic value
        assert abs(row.ST - exact_st[i]) < half
        assert row.S1_low <= row.S1 <= row.S1_high
    with pytest.raises(wom.Error, match="outputs for a design"):
        wom.sensitivity.sobol(d, np.zeros(10))


def test_morris_is_exact_for_additive_functions():
    d = wom.design.morris({"a": (0, 1), "b": (0, 1), "c": (0, 1)}, trajectories=6, levels=4, seed=2)
    assert d.points.shape == (6 * 4, 3)
    y = 2 * d.unit[:, 0] + 7.875 * d.unit[:, 1] - 3 * d.unit[:, 2]
    m = wom.sensitivity.morris(d, y)
    assert m.loc["b", "mu_star"] == pytest.approx(7.875, abs=1e-12)
    assert m.loc["c", "mu"] == pytest.approx(-3, abs=1e-12)
    assert m.loc["a", "sigma"] == pytest.approx(0, abs=1e-12)
    lhs = wom.design.lhs({"a": (10, 20)}, n=50, seed=1)
    assert sorted(np.floor(lhs.unit[:, 0] * 50).astype(int)) == list(range(50))
    assert lhs.points.min() >= 10 and lhs.points.max() < 20


def test_runs_release_the_gil_and_stop_on_ctrl_c():
    ticks = []
    stop = threading.Event()

    def ticker():
        while not stop.is_set():
            ticks.append(1)
            time.sleep(0.005)

    t = threading.Thread(target=ticker)
    t.start()
    wom.run(DEFAULT, overrides={"graph.n": 20000, "time.steps": 200}, replicates=2)
    stop.set()
    t.join()
    assert len(ticks) > 5  # Python ran while wom did
    timer = threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    t0 = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        wom.run(DEFAULT, overrides={"graph.n": 100000, "time.steps": 5000}, replicates=1)
    assert time.monotonic() - t0 < 10
    r = wom.run(DEFAULT, overrides=SMALL)  # cancellation is cleared for the next run
    assert r.timeseries.shape[0] == 4 * 41
