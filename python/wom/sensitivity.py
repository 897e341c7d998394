"""Sensitivity indices (the C++ estimators `wom sweep analyze` uses), for any function:
``y`` holds one output per row of the design's ``points``."""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import _wom
from .design import Design


def _y(design: Design, y) -> list:
    y = np.asarray(y, dtype=float).ravel()
    if len(y) != len(design.unit):
        raise _wom.ConfigError(f"y: {len(y)} outputs for a design of {len(design.unit)} rows: give one per row")
    return y.tolist()


def sobol(design: Design, y, bootstrap: int = 1000, seed: int = 1) -> pd.DataFrame:
    """First-order (Saltelli 2010) and total (Jansen 1999) indices with bootstrap 95 % CIs,
    one row per parameter: S1, S1_low, S1_high, ST, ST_low, ST_high."""
    if design.kind != "sobol":
        raise _wom.ConfigError(f"sensitivity.sobol needs a wom.design.sobol design, got {design.kind}")
    rows = _wom.sobol_indices(design.n, len(design.names), _y(design, y), int(bootstrap), int(seed))
    return pd.DataFrame(rows, index=design.names, columns=["S1", "S1_low", "S1_high", "ST", "ST_low", "ST_high"])


def sobol_indices(n: int, k: int, y, bootstrap: int = 1000, seed: int = 1) -> pd.DataFrame:
    """The same from the sizes alone (y in Saltelli row order: A, B, AB_1 ... AB_k)."""
    rows = _wom.sobol_indices(int(n), int(k), np.asarray(y, dtype=float).ravel().tolist(), int(bootstrap), int(seed))
    return pd.DataFrame(rows, columns=["S1", "S1_low", "S1_high", "ST", "ST_low", "ST_high"])


def morris(design: Design, y) -> pd.DataFrame:
    """Elementary effects per parameter: mu, mu_star (Campolongo et al. 2007), sigma, in unit
    coordinates of each parameter's range."""
    if design.kind != "morris":
        raise _wom.ConfigError(f"sensitivity.morris needs a wom.design.morris design, got {design.kind}")
    rows = _wom.morris_indices(design.unit, _y(design, y), len(design.names))
    return pd.DataFrame(rows, index=design.names, columns=["mu", "mu_star", "sigma"])
