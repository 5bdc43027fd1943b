"""sim: an agent-based model of a municipality's climate transition (first city: Eskilstuna).

Public API::

    scenario = sim.load_scenario("scenarios/baseline.toml")
    ds = sim.simulate(scenario, seed=1)      # one run -> xarray.Dataset
    batch = sim.run_batch(scenario, runs=200, seed=1, store="results.zarr")  # Monte Carlo on Dask

Importing the package compiles nothing; numba kernels compile on first use
and are cached on disk.
"""
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("klimatsim")
except PackageNotFoundError:   # run from a source tree that was not installed
    __version__ = "0+unknown"

from .batch import run_batch
from .engine import simulate
from .scenario import Scenario, ScenarioError, load_scenario
from .store import open_results

__all__ = ["Scenario", "ScenarioError", "__version__", "load_scenario", "open_results", "run_batch", "simulate"]
