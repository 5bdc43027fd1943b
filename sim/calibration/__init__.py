"""Calibration on history: observed series, distances, the ABC-SMC fit and posterior files.

``sim.calibrate(scenario, out, ...)`` fits (:mod:`.fit`); :mod:`.posterior` writes the result and
turns it into batch designs (``sim.run_batch(..., parameters=path)``); :mod:`.checks` gives the posterior
predictive interval of every observed point, the errors on held-out years and the prior-to-posterior widths;
:mod:`.plots` draws the predictive check.
"""
from .checks import check_batch, coverage_by_series, holdout_errors, parameter_widths, predictive_check
from .distances import distance, noise_sd
from .fit import FITTED, calibrate, scenario_observations
from .observations import Observations, load_observations, simulated
from .posterior import posterior_design, read_posterior, write_posterior

__all__ = ["FITTED", "Observations", "calibrate", "check_batch", "coverage_by_series", "distance", "holdout_errors",
           "load_observations", "noise_sd", "parameter_widths", "posterior_design", "predictive_check",
           "read_posterior", "scenario_observations", "simulated", "write_posterior"]
