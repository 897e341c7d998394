"""Experimental designs (the C++ ones `wom sweep` uses): ``sobol``, ``morris``, ``lhs``,
``random``. ``bounds`` is a dict {name: (low, high)} (or a list of pairs); the result's
``points`` has one row per run, in the order the estimators of ``wom.sensitivity`` expect."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence, Tuple, Union

import numpy as np

from . import _wom

Bounds = Union[Mapping[str, Tuple[float, float]], Sequence[Tuple[float, float]]]


@dataclass
class Design:
    kind: str
    names: list
    bounds: np.ndarray  #: (k, 2)
    unit: np.ndarray    #: unit coordinates, one row per run
    n: int = 0          #: sobol: base N; morris: trajectories
    levels: int = 0

    @property
    def points(self) -> np.ndarray:
        """The design in the parameters' units: low + unit (high - low)."""
        return self.bounds[:, 0] + self.unit * (self.bounds[:, 1] - self.bounds[:, 0])


def _bounds(bounds: Bounds):
    if isinstance(bounds, Mapping):
        names, pairs = list(bounds.keys()), list(bounds.values())
    else:
        pairs = list(bounds)
        names = [f"x{i + 1}" for i in range(len(pairs))]
    b = np.asarray(pairs, dtype=float)
    if b.ndim != 2 or b.shape[1] != 2 or len(b) == 0:
        raise _wom.ConfigError("bounds: expected {name: (low, high)} or [(low, high), ...]")
    if not np.all(b[:, 1] > b[:, 0]):
        raise _wom.ConfigError("bounds: every range needs low < high")
    return names, b


def sobol(bounds: Bounds, n: int, seed: int = 1) -> Design:
    """Saltelli (2010): A, B and the k mixed matrices AB_i from a scrambled Sobol' sequence;
    n (a power of 2) base points, n (k + 2) rows."""
    names, b = _bounds(bounds)
    return Design("sobol", names, b, _wom.design_sobol(int(n), len(names), int(seed)), n=int(n))


def morris(bounds: Bounds, trajectories: int, levels: int = 4, seed: int = 1) -> Design:
    """Morris (1991): r trajectories of k + 1 points on a p-level grid."""
    names, b = _bounds(bounds)
    return Design("morris", names, b, _wom.design_morris(int(trajectories), len(names), int(levels), int(seed)),
                  n=int(trajectories), levels=int(levels))


def lhs(bounds: Bounds, n: int, seed: int = 1) -> Design:
    """Latin hypercube of n points."""
    names, b = _bounds(bounds)
    return Design("lhs", names, b, _wom.design_lhs(int(n), len(names), int(seed)), n=int(n))


def random(bounds: Bounds, n: int, seed: int = 1) -> Design:
    """n independent uniform points."""
    names, b = _bounds(bounds)
    return Design("random", names, b, _wom.design_random(int(n), len(names), int(seed)), n=int(n))
