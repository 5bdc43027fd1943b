"""The explorer's batches: the baseline and the explored setting on common random numbers, cached.

One :class:`Explorer` serves every browser session of an ``sim explore`` process; it holds the Dask
client of the app's lifetime (workers started once, kernels compiled once) and runs one batch at a
time.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, replace

import xarray as xr

from ..declarations.parameters import LEVERS
from ..scenario import Scenario
from .controls import LeverControl, changed_levers, lever_controls

BASELINE, EXPLORED = "baseline", "explored"
"""Scenario names in the explorer's results: every lever at its declared default, and the levers as set."""

CACHE_SIZE = 16
"""Batches kept in memory (a few MB each at the explorer's scale): moving a lever back answers at once."""


@dataclass(frozen=True)
class Result:
    """One batch of the explorer.

    Parameters
    ----------
    settings : dict
        Every lever's value in the explored scenario.
    runs : int
    dataset : xarray.Dataset
        The batch (:func:`sim.run_batch`): scenarios ``baseline`` and ``explored``.
    seconds : float
        Wall time of the batch (0 when it came from the cache).
    """

    settings: dict[str, float | str]
    runs: int
    dataset: xr.Dataset
    seconds: float


class Explorer:
    """Runs the baseline and an explored lever setting on the same sample and run seeds.

    Parameters
    ----------
    scenario : Scenario
        The opened scenario: its levers are the controls' starting values, its uncertainties are
        sampled in both scenarios of every batch.
    runs : int
        Runs per scenario of a batch until more are asked for.
    scale : float
        Population scale of every run.
    seed : int
        Root seed of every batch (the same sample whatever the lever setting).
    client : distributed.Client, optional
        The cluster of the app's lifetime; without one each batch starts a local cluster.
    """

    def __init__(self, scenario: Scenario, runs: int, scale: float, seed: int = 0, client=None):
        # the pledge counterfactual (for delivered_reduction, which the explorer does not show) would double the work
        self.opened = scenario.name  # its own name; in the batches it is the explored setting
        self.scenario = replace(scenario, name=EXPLORED, pledge_counterfactual=False)
        self.baseline = replace(self.scenario.with_levers(**{p.name: p.default for p in LEVERS}), name=BASELINE)
        self.controls: list[LeverControl] = lever_controls(scenario)
        self.runs, self.scale, self.seed, self.client = int(runs), float(scale), int(seed), client
        self._cache: OrderedDict[tuple, Result] = OrderedDict()
        self._lock = threading.Lock()

    def initial_settings(self) -> dict[str, float | str]:
        """The opened scenario's lever values."""
        return {c.name: c.value for c in self.controls}

    def explored(self, settings: dict[str, float | str]) -> Scenario:
        """The opened scenario with the levers of ``settings`` (validated: a ScenarioError names a bad value)."""
        return self.scenario.with_levers(**changed_levers(self.controls, settings))

    def run(self, settings: dict[str, float | str], runs: int | None = None) -> Result:
        """The batch of ``settings`` (every lever) at ``runs`` runs (default the explorer's), from the cache if made."""
        runs = self.runs if runs is None else int(runs)
        key = (tuple(sorted(settings.items())), runs)
        with self._lock:  # one batch at a time on the shared cluster; a second session waits
            if key in self._cache:
                self._cache.move_to_end(key)
                return replace(self._cache[key], seconds=0.0)
            from ..batch import run_batch

            explored = self.explored(settings)
            start = time.perf_counter()
            ds = run_batch([self.baseline, explored], runs, seed=self.seed, client=self.client, scale=self.scale)
            result = Result(dict(settings), runs, ds, time.perf_counter() - start)
            self._cache[key] = result
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
            return result
