"""sim: an agent-based model of a municipality's climate transition (first city: Eskilstuna).

Public API::

    scenario = sim.load_scenario("scenarios/baseline.toml")
    ds = sim.simulate(scenario, seed=1)      # one run -> xarray.Dataset

Importing the package compiles nothing; numba kernels compile on first use
and are cached on disk.
"""
from .engine import simulate
from .scenario import Scenario, ScenarioError, load_scenario

__all__ = ["Scenario", "ScenarioError", "load_scenario", "simulate"]
