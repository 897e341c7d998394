# Type stub for the wom package (python/wom/__init__.py): the calls, their arguments and results.
import os
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
import pandas as pd

from . import design as design, sensitivity as sensitivity

Config = Union[str, os.PathLike[str], Mapping[str, Any]]

class Error(Exception): ...
class ConfigError(Error): ...
class GraphError(Error): ...
class IOError(Error): ...

class RunResult:
    @property
    def timeseries(self) -> pd.DataFrame: ...
    @property
    def summary(self) -> Dict[str, Any]: ...
    @property
    def names(self) -> List[str]: ...
    def columns(self, name: str) -> np.ndarray: ...

class CompareResult:
    table: pd.DataFrame
    document: Dict[str, Any]

class CostResult:
    summary: pd.DataFrame
    events: pd.DataFrame
    document: Dict[str, Any]

class SweepResult:
    out: str
    ran: int
    results: pd.DataFrame
    points: pd.DataFrame
    status: Dict[str, int]

def run(config: Config, overrides: Optional[Mapping[str, Any]] = ..., seed: Optional[int] = ...,
        replicates: Optional[int] = ..., threads: Optional[int] = ...) -> RunResult: ...
def compare(configs_or_config: Union[Config, Sequence[Config]], vary: Optional[str] = ...,
            overrides: Optional[Mapping[str, Any]] = ..., seed: Optional[int] = ..., replicates: Optional[int] = ...,
            threads: Optional[int] = ...) -> CompareResult: ...
def cost(config: Config, focal: int = ..., channel_focal: int = ..., options: Optional[Mapping[str, str]] = ...,
         overrides: Optional[Mapping[str, Any]] = ..., seed: Optional[int] = ..., replicates: Optional[int] = ...,
         threads: Optional[int] = ..., cone: bool = ...) -> CostResult: ...
def sweep(spec: str, out: str, resume: bool = ..., shard: Optional[Tuple[int, int]] = ...,
          threads: Optional[int] = ..., fail_fast: bool = ...) -> SweepResult: ...
def params(model: str = ...) -> pd.DataFrame: ...
def load(dir: str) -> Dict[str, Any]: ...
