"""The Python rows of the bad-input catalogue (docs/bad-input.md, rows P..): wrong types, bad
keys and out-of-range values given to the `wom` module, each with the exception class and the
message it raises (the command line's message where the argument has a flag), or accepted as
documented. Run with /usr/bin/python3 -m pytest, PYTHONPATH=<build>/python and
WOM_BINARY=<build>/wom (ctest sets both)."""
import math
import os
import re

import numpy as np
import pytest

import wom

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT = os.path.join(ROOT, "configs", "default.yaml")
SMALL = {"graph.n": 300, "time.steps": 5}
SIR = {"model": "sir", "replicates": 1, "time": {"steps": 5},
       "graph": {"generator": "erdos_renyi", "n": 200, "mean_degree": 4}, "params": {"beta": 0.3, "gamma": 0.1}}


def small(**more):
    return {**SMALL, **more}


def sir(**params):
    return {**SIR, "params": {**SIR["params"], **params}}


ACK = "params.policy.acknowledge_rate"
SEED = "0 to 18446744073709551615"

# id, call, the exception class (None: accepted), what its message holds
ROWS = [
    ("P01", lambda: wom.run(42), wom.ConfigError, "config: expected a path, a dict or a YAML string, got int"),
    ("P02", lambda: wom.run(DEFAULT, overrides=[1]), wom.ConfigError, "overrides: expected a dict {'params.x.y': value}"),
    ("P03", lambda: wom.run(DEFAULT, overrides=small(**{"params.nope": 1})), wom.ConfigError,
     "--set 'params.nope=1': unknown key 'params.nope' (accepted in 'params': population,"),
    ("P04", lambda: wom.run(DEFAULT, overrides=small(**{"params.policy.acknowledge_rat": 0.5})), wom.ConfigError,
     "did you mean 'params.policy.acknowledge_rate'?"),
    ("P05", lambda: wom.run(DEFAULT, overrides=small(**{ACK: object()})), wom.ConfigError,
     "expected a number, a string, a bool, a list or None"),
    ("P06", lambda: wom.run(DEFAULT, overrides=small(**{ACK: math.nan})), wom.ConfigError,
     f"--set '{ACK}=.nan': {ACK} = .nan is out of range: accepted [0, 1] (probability)"),
    ("P07", lambda: wom.run(DEFAULT, overrides=small(**{ACK: math.inf})), wom.ConfigError,
     f"--set '{ACK}=.inf': {ACK} = .inf is out of range: accepted [0, 1]"),
    ("P08", lambda: wom.run(DEFAULT, overrides=small(**{ACK: np.float64(-math.inf)})), wom.ConfigError,
     f"{ACK} = -.inf is out of range"),
    ("P09", lambda: wom.run(DEFAULT, overrides=small(**{ACK: 1.5})), wom.ConfigError,
     f"{ACK} = 1.5 is out of range: accepted [0, 1]"),
    ("P10", lambda: wom.run(DEFAULT, overrides=small(**{ACK: "high"})), wom.ConfigError,
     f"{ACK}: expected a number, got 'high'"),
    ("P11", lambda: wom.run(DEFAULT, overrides=small(**{ACK: True})), wom.ConfigError,
     f"{ACK}: expected a number, got 'true'"),
    ("P12", lambda: wom.run(DEFAULT, overrides=small(**{ACK: "0.3"})), None, "a string is YAML text, as on the command line"),
    ("P13", lambda: wom.run(DEFAULT, overrides=small(**{ACK: np.float32(0.25)})), None, "NumPy scalars are numbers"),
    ("P14", lambda: wom.run(DEFAULT, overrides=small(), seed=-1), wom.ConfigError, f"seed = -1 is out of range: accepted {SEED}"),
    ("P15", lambda: wom.run(DEFAULT, overrides=small(), seed=2**64), wom.ConfigError,
     f"seed = 18446744073709551616 is out of range: accepted {SEED}"),
    ("P16", lambda: wom.run(DEFAULT, overrides=small(), seed="1"), wom.ConfigError,
     f"seed: expected a whole number from {SEED}, got '1' (str)"),
    ("P17", lambda: wom.run(DEFAULT, overrides=small(), seed=1.5), wom.ConfigError,
     f"seed: expected a whole number from {SEED}, got 1.5 (float)"),
    ("P18", lambda: wom.run(DEFAULT, overrides=small(), seed=2**64 - 1), None, "the largest seed"),
    ("P19", lambda: wom.run(DEFAULT, overrides=small(), replicates=0), wom.ConfigError,
     "replicates = 0 is out of range: accepted 1 to 10000000"),
    ("P20", lambda: wom.run(DEFAULT, overrides=small(), replicates=True), wom.ConfigError,
     "replicates: expected a whole number from 1 to 10000000, got True (bool)"),
    ("P21", lambda: wom.run(DEFAULT, overrides=small(), threads=-1), wom.ConfigError,
     "threads = -1 is out of range: accepted 0 to 65536"),
    ("P22", lambda: wom.run(DEFAULT, overrides=small(), threads="x"), wom.ConfigError,
     "threads: expected a whole number from 0 to 65536, got 'x' (str)"),
    ("P23", lambda: wom.run("no/such/config.yaml"), wom.IOError,
     "cannot read config 'no/such/config.yaml': No such file or directory"),
    ("P24", lambda: wom.run({"model": "nope"}), wom.ConfigError, "<config>:1: model: unknown model 'nope'"),
    ("P25", lambda: wom.run("model: sir\nmodel: bass\n"), wom.ConfigError,
     "<config>:2: duplicate key 'model' (first given at <config>:1)"),
    ("P26", lambda: wom.run(sir(beta=math.nan)), wom.ConfigError, "params.beta = .nan is out of range: accepted [0, 1]"),
    ("P27", lambda: wom.run(sir(beta=[0.3])), wom.ConfigError, "params.beta: expected a number, got a list"),
    ("P28", lambda: wom.run({**SIR, 1: 2}), wom.ConfigError, "unknown key '1'"),
    ("P29", lambda: wom.run(DEFAULT, overrides={"graph.n": 10**30, "time.steps": 5}), wom.ConfigError,
     "graph.n = 1000000000000000000000000000000 is out of range: accepted [1, 4294967294] (integer)"),
    ("P30", lambda: wom.run(DEFAULT, overrides={"graph.n": 3_000_000_000, "time.steps": 5}), wom.ConfigError,
     "this run needs an estimated"),
    ("P31", lambda: wom.cost(DEFAULT, overrides=small(), focal=0), wom.ConfigError,
     "focal = 0 is out of range: accepted 1 to 1000000"),
    ("P32", lambda: wom.cost(DEFAULT, overrides=small(), focal="x"), wom.ConfigError,
     "focal: expected a whole number from 1 to 1000000, got 'x' (str)"),
    ("P33", lambda: wom.cost(DEFAULT, overrides=small(), options={"bogus": "1"}), wom.ConfigError,
     "--option bogus=1: model 'service_wom' offers no intervention option 'bogus'; it offers: severity, misunderstanding"),
    ("P34", lambda: wom.cost(DEFAULT, overrides=small(), options=["severity"]), wom.ConfigError,
     "options: expected a dict {'KEY': 'VALUE'}"),
    ("P35", lambda: wom.compare([DEFAULT], overrides=small()), wom.ConfigError,
     "compare: expected two or more what-ifs, got 1"),
    ("P36", lambda: wom.compare(DEFAULT, vary="params.x", overrides=small()), wom.ConfigError,
     "--vary 'params.x': expected key=v1,v2,..."),
    ("P37", lambda: wom.compare([SIR, SIR]), wom.ConfigError, "compare: give config files (paths)"),
    ("P38", lambda: wom.sweep("no/such/spec.yaml", "out"), wom.IOError,
     "no/such/spec.yaml: cannot read the sweep spec: No such file or directory"),
    ("P39", lambda: wom.sweep(DEFAULT, "out", shard=(2, 1)), wom.ConfigError, "--shard 2/1: accepted I/N with 0 <= I < N"),
    ("P40", lambda: wom.sweep(DEFAULT, "out", shard=3), wom.ConfigError, "shard: expected (I, N) with 0 <= I < N, got 3"),
    ("P41", lambda: wom.params("nope"), wom.ConfigError, "unknown model 'nope' (models: bass,"),
    ("P42", lambda: wom.load("/no/such/folder"), wom.IOError, "/no/such/folder: not a folder"),
    ("P43", lambda: wom.run(DEFAULT, overrides=small()).columns("nope"), wom.Error, "unknown column 'nope' (columns:"),
]


@pytest.mark.parametrize("row", ROWS, ids=[r[0] for r in ROWS])
def test_bad_python_argument(row, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a sweep's folder, if any, lands here
    _, call, error, says = row
    if error is None:
        call()
        return
    with pytest.raises(error) as e:
        call()
    assert says in str(e.value)
    assert isinstance(e.value, wom.Error)  # every error of the module is a wom.Error
    assert not os.path.exists(tmp_path / "out")  # refused before anything was written


def test_the_catalogue_lists_exactly_these_rows():
    doc = open(os.path.join(ROOT, "docs", "bad-input.md"), encoding="utf-8").read()
    listed = re.findall(r"\n\| (P[0-9]{2}) \|", doc)
    assert len(listed) == len(set(listed))
    assert sorted(listed) == sorted(r[0] for r in ROWS)
