"""sim: an agent-based model of a municipality's climate transition (first city: Eskilstuna).

Public API::

    scenario = sim.load_scenario("scenarios/baseline.toml")
    ds = sim.simulate(scenario, seed=1)      # one run -> xarray.Dataset
    batch = sim.run_batch(scenario, runs=200, seed=1, store="results.zarr")  # Monte Carlo on Dask

Importing the package imports nothing heavy: each public name is imported on first use (module
``__getattr__``), so ``sim --help`` does not wait for numba, xarray, dask or matplotlib. Numba kernels
compile on first use and are cached on disk.
"""
from importlib import import_module

_HOMES = {"calibrate": "calibration", "run_batch": "batch", "simulate": "engine", "Scenario": "scenario",
          "ScenarioError": "scenario", "load_scenario": "scenario", "open_results": "store", "investment_plan": "plan"}
"""Module of each public name, imported when the name is first read."""

__all__ = ["Scenario", "ScenarioError", "__version__", "calibrate", "investment_plan", "load_scenario", "open_results",
           "run_batch", "simulate"]


def __getattr__(name: str):
    if name == "__version__":   # importlib.metadata alone takes 0.4 s: read on first use
        from importlib.metadata import PackageNotFoundError, version

        try:
            value = version("klimatsim")
        except PackageNotFoundError:   # run from a source tree that was not installed
            value = "0+unknown"
        globals()[name] = value
        return value
    if name not in _HOMES:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    value = getattr(import_module(f".{_HOMES[name]}", __name__), name)
    globals()[name] = value   # later reads skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOMES) | {"__version__"})
