"""wom: a parallel agent-based simulator of word of mouth, from Python.

The same calls as the command line, with the same names and meanings::

    import wom
    r = wom.run("configs/default.yaml", overrides={"graph.n": 5000, "time.steps": 30})
    r.timeseries          # pandas DataFrame, one row per (replicate, step), as timeseries.csv
    r.summary             # dict, as summary.json
    r.columns("customers")  # NumPy array (replicates x steps+1), a view into the result

A ``config`` is a path, a dict (the config file's keys) or a YAML string; ``overrides`` are
``{"params.x.y": value}`` (as ``--set``). Runs release the GIL and stop on Ctrl-C
(KeyboardInterrupt; nothing half-written). Errors raise ``wom.Error`` (``ConfigError``,
``GraphError``, ``IOError``) with the command line's exact message. Everything that decides a
result runs in C++ (``wom._wom``); this module only converts.
"""
from __future__ import annotations

import io as _io
import json as _json
import math as _math
import os as _os
from dataclasses import dataclass as _dataclass
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as _np
import pandas as _pd

from . import _wom
from ._wom import ConfigError, Error, GraphError, IOError  # noqa: F401  (re-exported)

__all__ = ["run", "compare", "cost", "sweep", "params", "load", "design", "sensitivity", "Error", "ConfigError",
           "GraphError", "IOError", "RunResult", "CompareResult", "CostResult", "SweepResult"]

Config = Union[str, "_os.PathLike[str]", Mapping[str, Any]]


def _config(config: Config) -> Tuple[str, bool]:
    """(text or path, is_text): a dict becomes YAML (JSON is YAML), a string that names no
    file and looks like YAML is the config's text."""
    if isinstance(config, Mapping):
        return _json.dumps(_yaml_safe(config)), True
    if isinstance(config, _os.PathLike):
        return _os.fspath(config), False
    if not isinstance(config, str):
        raise ConfigError(f"config: expected a path, a dict or a YAML string, got {type(config).__name__}")
    if not _os.path.exists(config) and ("\n" in config or ":" in config and not config.endswith((".yaml", ".yml"))):
        return config, True
    return config, False


def _yaml_safe(v: Any) -> Any:
    """``v`` with NaN and infinities spelt as YAML spells them (.nan, .inf, -.inf): JSON's NaN and
    Infinity are not YAML numbers, so the range check, not a type error, answers them."""
    if isinstance(v, (float, _np.floating)) and not _math.isfinite(float(v)):
        return ".nan" if _math.isnan(float(v)) else (".inf" if float(v) > 0 else "-.inf")
    if isinstance(v, Mapping):
        return {k: _yaml_safe(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_yaml_safe(x) for x in v]
    if isinstance(v, (_np.integer, _np.floating)):
        return v.item()
    return v


def _value(v: Any) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "null"
    if isinstance(v, (int, float, list, tuple, dict, _np.integer, _np.floating)):
        v = _yaml_safe(v)
        return v if isinstance(v, str) else _json.dumps(v)
    raise ConfigError(f"override value {v!r}: expected a number, a string, a bool, a list or None")


def _whole(name: str, v: Any, lo: int, hi: int, none: bool = False) -> Optional[int]:
    """A whole-number argument, checked as the command line checks its flag: a bool, a float or a
    string is refused rather than converted (``seed=1.5``, ``replicates=True``)."""
    if v is None and none:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, _np.integer)):
        raise ConfigError(f"{name}: expected a whole number from {lo} to {hi}, got {v!r} ({type(v).__name__})")
    if not lo <= int(v) <= hi:
        raise ConfigError(f"{name} = {int(v)} is out of range: accepted {lo} to {hi}")
    return int(v)


def _overrides(overrides: Optional[Mapping[str, Any]]) -> List[str]:
    if overrides is None:
        return []
    if not isinstance(overrides, Mapping):
        raise ConfigError("overrides: expected a dict {'params.x.y': value}")
    return [f"{k}={_value(v)}" for k, v in overrides.items()]


_SEED_MAX = 2**64 - 1
_REPLICATES_MAX = 10_000_000


def _threads(threads: Optional[int]) -> int:
    return 0 if threads is None else _whole("threads", threads, 0, 65536)


def _plan(seed: Optional[int], replicates: Optional[int]) -> Tuple[Optional[int], Optional[int]]:
    return _whole("seed", seed, 0, _SEED_MAX, none=True), _whole("replicates", replicates, 1, _REPLICATES_MAX, none=True)


class RunResult:
    """A finished ``wom run``: ``timeseries`` (DataFrame), ``summary`` (dict),
    ``columns(name)`` (NumPy view, replicates x steps+1, whose base is this result)."""

    def __init__(self, native: Any):
        self._native = native
        self._timeseries: Optional[_pd.DataFrame] = None
        self._summary: Optional[dict] = None

    @property
    def timeseries(self) -> _pd.DataFrame:
        """One row per (replicate, step), as timeseries.csv."""
        if self._timeseries is None:
            a = self._native.timeseries()
            df = _pd.DataFrame(a[:, 2:], columns=self._native.names)
            df.insert(0, "step", a[:, 1].astype(_np.int64))
            df.insert(0, "replicate", a[:, 0].astype(_np.int64))
            self._timeseries = df
        return self._timeseries

    @property
    def summary(self) -> dict:
        """As summary.json."""
        if self._summary is None:
            self._summary = _json.loads(self._native.summary_json())
        return self._summary

    @property
    def names(self) -> List[str]:
        """The time-series columns."""
        return list(self._native.names)

    def columns(self, name: str) -> _np.ndarray:
        """Column ``name`` over (replicate, step): a read-only view into this result, no copy."""
        a = self._native.column(name)
        return a

    def __repr__(self) -> str:
        return f"<wom.RunResult {len(self.summary.get('per_replicate', []))} replicates, columns {self.names[:4]}...>"


def run(config: Config, overrides: Optional[Mapping[str, Any]] = None, seed: Optional[int] = None,
        replicates: Optional[int] = None, threads: Optional[int] = None) -> RunResult:
    """Runs a scenario, as ``wom run CONFIG --set ... --seed S --replicates R --threads N``.
    Bit-identical to the command line for the same inputs."""
    text, is_text = _config(config)
    seed, replicates = _plan(seed, replicates)
    return RunResult(_wom.run(text, is_text, _overrides(overrides), seed, replicates, _threads(threads)))


@_dataclass
class CompareResult:
    """``table``: compare.csv as a DataFrame; ``document``: compare.json."""
    table: _pd.DataFrame
    document: dict


def compare(configs_or_config: Union[Config, Sequence[Config]], vary: Optional[str] = None,
            overrides: Optional[Mapping[str, Any]] = None, seed: Optional[int] = None,
            replicates: Optional[int] = None, threads: Optional[int] = None) -> CompareResult:
    """Compares what-ifs on common random numbers, as ``wom compare``: config files, or one
    config and ``vary="key=v1,v2,..."``."""
    items = [configs_or_config] if isinstance(configs_or_config, (str, Mapping, _os.PathLike)) else list(configs_or_config)
    paths = []
    for c in items:
        text, is_text = _config(c)
        if is_text:
            raise ConfigError("compare: give config files (paths); dicts and YAML text are accepted by run and cost")
        paths.append(text)
    seed, replicates = _plan(seed, replicates)
    csv, doc = _wom.compare(paths, vary or "", _overrides(overrides), seed, replicates, _threads(threads))
    return CompareResult(_pd.read_csv(_io.StringIO(csv)), _json.loads(doc))


@_dataclass
class CostResult:
    """``summary``: the headline estimates; ``events``: cost_events.csv; ``document``: cost.json."""
    summary: _pd.DataFrame
    events: _pd.DataFrame
    document: dict


def cost(config: Config, focal: int = 250, channel_focal: int = -1, options: Optional[Mapping[str, str]] = None,
         overrides: Optional[Mapping[str, Any]] = None, seed: Optional[int] = None, replicates: Optional[int] = None,
         threads: Optional[int] = None, cone: bool = True) -> CostResult:
    """Prices the model's cost question, as ``wom cost CONFIG --focal N --option K=V ...``."""
    text, is_text = _config(config)
    seed, replicates = _plan(seed, replicates)
    focal = _whole("focal", focal, 1, 1_000_000)
    channel_focal = -1 if channel_focal == -1 else _whole("channel_focal", channel_focal, 0, 1_000_000)
    if options is not None and not isinstance(options, Mapping):
        raise ConfigError("options: expected a dict {'KEY': 'VALUE'} of the model's intervention options")
    opts = [(k, str(v)) for k, v in (options or {}).items()]
    doc, csv = _wom.cost(text, is_text, _overrides(overrides), seed, replicates, _threads(threads), focal,
                         channel_focal, opts, bool(cone))
    document = _json.loads(doc)
    rows = []
    for name in ("total", "ripple", "lost_or_not_won_per_100_argued", "customers_lost", "prospects_not_won"):
        e = document.get(name)
        if isinstance(e, dict) and "mean" in e:
            rows.append({"figure": name, **{k: e[k] for k in ("mean", "se", "ci_low", "ci_high")}})
    for who, part in document.get("by_whom", {}).items():
        t = part.get("total", {})
        if "mean" in t:
            rows.append({"figure": f"by_whom.{who}", **{k: t[k] for k in ("mean", "se", "ci_low", "ci_high")}})
    return CostResult(_pd.DataFrame(rows), _pd.read_csv(_io.StringIO(csv)), document)


@_dataclass
class SweepResult:
    """``results``: results.csv; ``points``: points.csv; ``out``: the folder; ``ran``: runs
    done by this call."""
    out: str
    ran: int
    results: _pd.DataFrame
    points: _pd.DataFrame
    status: dict


def sweep(spec: str, out: str, resume: bool = False, shard: Optional[Tuple[int, int]] = None,
          threads: Optional[int] = None, fail_fast: bool = False) -> SweepResult:
    """Runs (or resumes) a sweep, as ``wom sweep SPEC --out DIR [--resume] [--shard I/N]``."""
    if shard is not None and (not isinstance(shard, (tuple, list)) or len(shard) != 2):
        raise ConfigError(f"shard: expected (I, N) with 0 <= I < N, got {shard!r}")
    i, n = shard if shard is not None else (0, 1)
    i, n = _whole("shard index", i, 0, 2**31 - 1), _whole("shard count", n, 1, 2**31 - 1)
    ran, skipped, done, pending, failed = _wom.sweep(_os.fspath(spec), _os.fspath(out), bool(resume), i, n,
                                                      _threads(threads), bool(fail_fast))
    status = {"ran": ran, "skipped": skipped, "points_done": done, "points_pending": pending, "points_failed": failed}
    res = _os.path.join(out, "results.csv")
    pts = _os.path.join(out, "points.csv")
    return SweepResult(_os.fspath(out), ran, _pd.read_csv(res) if _os.path.exists(res) else _pd.DataFrame(),
                       _pd.read_csv(pts) if _os.path.exists(pts) else _pd.DataFrame(), status)


def params(model: str = "service_wom") -> _pd.DataFrame:
    """A model's parameters: key, default, range, unit, source (and meaning), as ``wom params``."""
    return _pd.DataFrame(_wom.params(model), columns=["key", "default", "range", "unit", "source", "meaning"])


def load(dir: str) -> Dict[str, Any]:
    """Reads any output folder back (run, compare, cost, sweep): each CSV as a DataFrame under
    its name (``timeseries``, ``compare``, ``results``, ...), each JSON as a dict (``summary``,
    ``cost``, ``manifest``; ``compare_json`` beside compare.csv), and ``kind``: the command."""
    d = _os.fspath(dir)
    if not _os.path.isdir(d):
        raise IOError(f"{d}: not a folder")
    out: Dict[str, Any] = {"dir": d}
    readers = {".csv": lambda p: _pd.read_csv(p), ".json": lambda p: _json.load(open(p)),
               ".jsonl": lambda p: _pd.read_json(p, lines=True)}
    names = sorted(_os.listdir(d))
    for name in names:
        stem, ext = _os.path.splitext(name)
        if ext in readers and _os.path.isfile(_os.path.join(d, name)):
            p = _os.path.join(d, name)
            # compare.csv is "compare", compare.json beside it "compare_json"; results.jsonl "results_jsonl"
            key = stem if ext == ".csv" or (ext == ".json" and stem + ".csv" not in names) else stem + "_" + ext[1:]
            out[key] = readers[ext](p) if _os.path.getsize(p) else _pd.DataFrame()
    if _os.path.exists(_os.path.join(d, "manifest.json")):
        out["kind"] = "sweep"
    elif _os.path.exists(_os.path.join(d, ".wom-output")):
        out["kind"] = open(_os.path.join(d, ".wom-output")).readline().split()[-1]
    else:
        raise IOError(f"{d}: not a wom output folder (no .wom-output or manifest.json)")
    return out


from . import design, sensitivity  # noqa: E402  (they use the names above)
