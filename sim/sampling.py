"""Uncertainties to parameter values.

A single run draws each uncertainty from its distribution with the
counter-based generator keyed by the run's seed; a batch passes Latin
hypercube or Sobol quantiles instead (:func:`quantiles`). Levers are taken
as the scenario sets them.
"""
from __future__ import annotations

import numbers
from collections.abc import Mapping

import numpy as np
from scipy.stats import qmc

from .declarations.codes import Stream
from .declarations.parameters import BY_NAME, UNCERTAINTIES
from .kernels.rng import uniforms
from .scenario import Scenario, ScenarioError

SAMPLERS = ("lhs", "sobol", "random")


def parameter_values(scenario: Scenario, seed: int = 0,
                     params: Mapping[str, float] | None = None) -> dict[str, float | str]:
    """Lever and uncertainty values of one run.

    Parameters
    ----------
    scenario : Scenario
    seed : int
        Draws each uncertainty at a quantile from the counter-based generator.
    params : mapping, optional
        Values that replace draws (name -> value), checked against the
        parameter's bounds.

    Returns
    -------
    dict
        Every lever and uncertainty by name.
    """
    values: dict[str, float | str] = dict(scenario.levers)
    q = uniforms(seed, 0, Stream.PARAMETERS, len(UNCERTAINTIES))
    for p, quantile in zip(UNCERTAINTIES, q):
        values[p.name] = scenario.uncertainties[p.name].ppf(float(quantile))
    for name, value in (params or {}).items():
        p = BY_NAME.get(name)
        if p is None or p.role != "uncertainty":
            raise ScenarioError(scenario.path, f"params.{name}", "an uncertainty of sim.declarations.parameters",
                                f"unknown key {name!r}")
        if (not isinstance(value, numbers.Real) or isinstance(value, (bool, np.bool_))
                or not p.low <= float(value) <= p.high):
            raise ScenarioError(scenario.path, f"params.{name}", f"a number in [{p.low:g}, {p.high:g}] "
                                f"{p.units}", value)
        values[name] = float(value)
    return values


def quantiles(n: int, dimensions: int, seed: int, sampler: str = "lhs") -> np.ndarray:
    """``n`` points in the unit hypercube for a batch (``scipy.stats.qmc``).

    Parameters
    ----------
    n, dimensions : int
    seed : int
    sampler : {"lhs", "sobol", "random"}

    Returns
    -------
    float64[n, dimensions]
    """
    if sampler == "lhs":
        return qmc.LatinHypercube(d=dimensions, seed=np.random.default_rng(seed)).random(n)
    if sampler == "sobol":
        return qmc.Sobol(d=dimensions, scramble=True, seed=np.random.default_rng(seed)).random(n)
    if sampler == "random":
        return np.random.default_rng(seed).random((n, dimensions))
    raise ValueError(f"sampler: allowed {list(SAMPLERS)}; given {sampler!r}")
