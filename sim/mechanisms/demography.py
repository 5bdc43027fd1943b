"""An open population: households arrive as the city grows and leave as it shrinks (ODD step 0, before accounting).

The population is built with room for the most inhabitants the run reaches
(:func:`sim.population.build_population`): the start year's households, then
an arrival pool in the order its households arrive. Each year, before the
stock is accounted, the households ``[0, n)`` are present whose persons
track the year's inhabitants: the start's households plus
``(population - start population) x scale`` persons, to the nearest
household. Growth brings the next households of the order; a shrinking city
loses the most recent arrivals first and, below the start, the start's
households from the end of their (random) order. Absent households and their
cars emit nothing, decide nothing, show no signals and are counted in no
record; a household arriving in a slot starts as built (heating system,
diet, no pledge, the zone's car use after the current mode shift), and its
cars' fuels are drawn from the present households' car fleet on 1 January
(movers bring cars like those of the city they join: assumption).
"""
from __future__ import annotations

import numpy as np

from ..declarations.codes import Fuel, Stream
from ..kernels.rng import uniforms
from ..population import car_fleet_mix
from ..state import State, YearContext
from .behaviour import mode_shift


def households_present(persons: np.ndarray, at_start: int, population: np.ndarray, t: int, weight: float) -> int:
    """Households present in year index ``t``: the first ``n`` whose persons are nearest the year's target.

    Parameters
    ----------
    persons : float64[n_households]
        Persons of every built household, in the order they arrive.
    at_start : int
        Households present in the start year.
    population : float64[years]
        Inhabitants by year (``drivers.population``).
    t : int
    weight : float
        Real households per sampled one (1/scale).

    Returns
    -------
    int
        In ``[1, len(persons)]``; ``at_start`` in the start year exactly.
    """
    cumulative = np.concatenate([[0.0], np.cumsum(persons)])
    target = cumulative[at_start] + (population[t] - population[0]) / weight
    i = int(np.searchsorted(cumulative, target))
    if i >= len(cumulative):
        return len(persons)            # the pool is built for the run's peak: only rounding ends here
    if i > 0 and cumulative[i] - target > target - cumulative[i - 1]:
        i -= 1
    return max(1, i)


def arriving_fuels(state: State, context: YearContext, n: int) -> np.ndarray:
    """Fuels (int8) of ``n`` arriving cars, drawn from the present households' car fleet (stream ARRIVALS)."""
    fleet = np.bincount(state.present_cars().fuel, minlength=len(Fuel))
    mix = fleet / fleet.sum() if fleet.sum() else car_fleet_mix(context.data, int(context.drivers.years[0]))
    u = uniforms(context.seed, context.year, Stream.ARRIVALS, n)
    return np.minimum(np.searchsorted(np.cumsum(mix), u, side="right"), len(mix) - 1).astype(np.int8)


def arrive(state: State, context: YearContext, first: int, last: int) -> None:
    """Households ``[first, last)`` move in as built; their cars' fuels are drawn from the fleet in use."""
    hh, built, new = state.households, state.built, slice(first, last)
    hh.heating[new] = built.heating[new]
    hh.low_meat_diet[new] = built.low_meat_diet[new]
    hh.hydronic[new] = built.hydronic[new]
    previous = context.at(context.t - 1)   # residents drive as last year's behaviour step set them
    state.km_factor[new] = built.car_km_factor[new] * (1.0 - mode_shift(previous)[built.zone[new]])
    state.pledge_year[new] = 0
    state.pledge_baseline[new] = 0.0
    state.direct[new] = 0.0
    state.strength[new] = 0.0
    state.delivery[new] = 1.0
    cars_first, cars_last = np.searchsorted(state.cars.owner, [first, last])
    state.cars.fuel[cars_first:cars_last] = arriving_fuels(state, context, int(cars_last - cars_first))
    state.present[new] = True
    state.n_present = last


def leave(state: State, first: int, last: int) -> None:
    """Households ``[first, last)`` move out: absent from now on (their signals are withdrawn in step 2)."""
    state.present[first:last] = False
    state.n_present = first


def step(state: State, context: YearContext) -> None:
    """Arrivals or departures so that the present households' persons track this year's inhabitants."""
    n = households_present(state.built.persons, state.households_at_start, context.drivers.population, context.t,
                           state.weight)
    if n > state.n_present:
        arrive(state, context, state.n_present, n)
    elif n < state.n_present:
        leave(state, n, state.n_present)
