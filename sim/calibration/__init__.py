"""Calibration on history: observed series, distances, the ABC-SMC fit and posterior files.

``sim.calibrate(scenario, out, ...)`` fits (:mod:`.fit`); :mod:`.posterior` writes the result and
turns it into batch designs (``sim.run_batch(..., parameters=path)``); :mod:`.checks` gives the posterior
predictive interval of every observed point.
"""
from .checks import coverage_by_series, predictive_check
from .distances import distance, noise_sd
from .fit import FITTED, calibrate
from .observations import Observations, load_observations, simulated
from .posterior import posterior_design, read_posterior, write_posterior

__all__ = ["FITTED", "Observations", "calibrate", "coverage_by_series", "distance", "load_observations", "noise_sd",
           "posterior_design", "predictive_check", "read_posterior", "simulated", "write_posterior"]
