"""Uncertainties to parameter values.

A single run draws each uncertainty from its distribution with the
counter-based generator keyed by the run's seed; a batch passes Latin
hypercube or Sobol quantiles instead (:func:`quantiles`). Levers are taken
as the scenario sets them, except those it gives as a range or a set of
choices, which are drawn like the uncertainties.
"""
from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence

import numpy as np
from scipy.stats import qmc

from .declarations.codes import Stream
from .declarations.parameters import BY_NAME, LEVERS, UNCERTAINTIES
from .kernels.rng import uniforms
from .scenario import Scenario, ScenarioError
from .scenario_values import check_lever

SAMPLERS = ("lhs", "sobol", "random")


def parameter_values(scenario: Scenario, seed: int = 0,
                     params: Mapping[str, float | str] | None = None) -> dict[str, float | str]:
    """Lever and uncertainty values of one run.

    Parameters
    ----------
    scenario : Scenario
    seed : int
        Draws each uncertainty, and each lever the scenario gives as a range or choices, at a quantile
        from the counter-based generator (uncertainty ``k`` at index ``k``; lever ``j`` of
        :data:`sim.declarations.parameters.LEVERS` at index ``len(UNCERTAINTIES) + j``).
    params : mapping, optional
        Values that replace draws or the scenario's levers (name -> value), checked against the
        parameter's declaration.

    Returns
    -------
    dict
        Every lever and uncertainty by name.
    """
    values: dict[str, float | str] = dict(scenario.levers)
    q = uniforms(seed, 0, Stream.PARAMETERS, len(UNCERTAINTIES) + len(LEVERS))
    for p, quantile in zip(UNCERTAINTIES, q):
        values[p.name] = scenario.uncertainties[p.name].ppf(float(quantile))
    for j, p in enumerate(LEVERS):
        if p.name in scenario.lever_ranges:
            values[p.name] = scenario.lever_ranges[p.name].ppf(float(q[len(UNCERTAINTIES) + j]))
    for name, value in (params or {}).items():
        p = BY_NAME.get(name)
        if p is None:
            raise ScenarioError(scenario.path, f"params.{name}", "a lever or uncertainty of "
                                "sim.declarations.parameters", f"unknown key {name!r}")
        if p.role == "lever":
            value = value.item() if isinstance(value, np.generic) else value
            values[name] = check_lever(scenario.path, name, value, p)
            continue
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


def check_design(design: Mapping[str, Sequence] | None, runs: int) -> dict[str, np.ndarray]:
    """The design as arrays of ``runs`` checked values by parameter name (empty without one).

    Raises
    ------
    ValueError
        Naming the parameter and what is allowed: a lever or uncertainty, ``runs`` values each within
        its declaration.
    """
    if design is None:
        return {}
    if not isinstance(design, Mapping):
        raise TypeError(f"design: allowed a mapping of parameter names to {runs} values; given {type(design)}")
    checked = {}
    for name, given in design.items():
        p = BY_NAME.get(name)
        if p is None:
            raise ValueError(f"design.{name}: allowed a lever or uncertainty of sim.declarations.parameters; "
                             f"given unknown key {name!r}")
        values = np.asarray(given, dtype=object if p.is_choice else float)
        if values.shape != (runs,):
            raise ValueError(f"design.{name}: allowed {runs} values (one per run); given shape {values.shape}")
        for value in values:
            if p.is_choice and value not in p.choices:
                raise ValueError(f"design.{name}: allowed values from {list(p.choices)}; given {value!r}")
            if not p.is_choice and not (p.low <= value <= p.high and (not p.integer or value == int(value))):
                raise ValueError(f"design.{name}: allowed {'whole ' if p.integer else ''}numbers in "
                                 f"[{p.low:g}, {p.high:g}] {p.units}; given {value!r}")
        checked[name] = values.astype(str) if p.is_choice else values
    return checked
