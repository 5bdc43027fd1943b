"""The open population: households and their cars arrive as the city grows and leave as it shrinks.

Runs use the Eskilstuna data with the observed population series replaced
where a test needs a known path (flat, growing, shrinking): the observed
series is not flat, so constant population can only be had that way.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import replace

import numba
import numpy as np
import pytest
from testdata import BASELINE, ESKILSTUNA

import sim
from sim.base_year import calibrate
from sim.data import load_municipality
from sim.declarations.codes import Fuel, Heating, Signal
from sim.engine import run_state
from sim.exogenous import build_drivers
from sim.land import removals
from sim.mechanisms import accounting, adoption, behaviour, demography, influence, pledges
from sim.network import build_network
from sim.population import arrival_detached_share, arrival_pool_size, build_population, cars_per_inhabitant
from sim.sampling import parameter_values
from sim.state import State, YearContext
from sim.timing import paths, yearly_values

START, END, SCALE = 2020, 2034, 0.05
YEARLY = ("emissions", "removals", "net_emissions", "consumption_emissions_per_capita", "municipal_group_emissions",
          "car_fleet", "new_cars", "heating_systems", "firm_energy_step", "heat_recovery_connections", "pledges",
          "pledged_reduction", "delivered_reduction", "grant_spend", "grant_abatement", "costs", "fossil_co2",
          "cumulative_co2")


@pytest.fixture(scope="module")
def data():
    return load_municipality(ESKILSTUNA)


def with_population(data, path: dict[int, float]):
    """The data with the population series replaced (years not given are dropped)."""
    return replace(data, population=dict(path))


def flat(data):
    return with_population(data, {START: data.population[START]})


def values_for(growth: float, seed: int = 3) -> dict:
    scenario = sim.load_scenario(BASELINE)
    return dict(parameter_values(scenario, seed, {"population_growth": growth}))


def open_run(data, growth: float, seed: int = 3, end: int = END, scale: float = SCALE):
    """Records and final state of a run with room for the run's peak, and the population it started from."""
    values = values_for(growth, seed)
    peak = build_drivers(data, yearly_values(values, {}, range(START, end + 1)), START, end).population.max()
    population = build_population(data, START, seed, scale, peak_population=float(peak))
    network = build_network(population, seed, str(values["network_topology"]))
    records, state = run_state(population, network, data, values, seed, START, end)
    return records, state, population


def closed_run(data, growth: float, seed: int = 3, end: int = END, scale: float = SCALE):
    """The same run on a population built without room to grow (closed above the start)."""
    values = values_for(growth, seed)
    population = build_population(data, START, seed, scale)
    records, _ = run_state(population, build_network(population, seed, str(values["network_topology"])), data,
                           values, seed, START, end)
    return records


def test_base_year_records_unchanged(data):
    """The start year's records (stocks, emissions and the year's flows) are those of the closed population."""
    grown, _, population = open_run(data, 0.02)
    closed = closed_run(data, 0.02)
    assert len(population.households.zone) > population.households_at_start   # there is a pool
    for name in YEARLY:
        np.testing.assert_array_equal(grown[name][0], closed[name][0], err_msg=name)
    assert not np.array_equal(grown["car_fleet"][-1], closed["car_fleet"][-1])


def test_constant_population_changes_nothing(data):
    """A flat series and no growth: no pool is built and every record equals the closed population's."""
    still = flat(data)
    records, state, population = open_run(still, 0.0)
    assert len(population.households.zone) == population.households_at_start
    assert state.n_present == population.households_at_start and state.present.all()
    closed = closed_run(still, 0.0)
    for name in YEARLY:
        np.testing.assert_array_equal(records[name], closed[name], err_msg=name)


def test_growth_adds_households_and_cars(data):
    """Present persons track population x scale to within half a household; households and cars grow with them."""
    growth = 0.03
    grown = flat(data)
    records, state, population = open_run(grown, growth)
    years = np.arange(START, END + 1)
    inhabitants = data.population[START] * (1 + growth) ** (years - START)
    weight = 1 / SCALE
    hh = population.households
    n0 = population.households_at_start
    households = records["heating_systems"].sum(axis=1) / weight     # one heating system per present household
    assert np.all(np.diff(households) >= 0) and households[-1] > households[0]
    cumulative = np.concatenate([[0.0], np.cumsum(hh.persons)])
    n = households.round().astype(int)
    target = cumulative[n0] + (inhabitants - inhabitants[0]) / weight
    assert np.all(np.abs(cumulative[n] - target) <= hh.persons.max() / 2 + 1e-9)   # nearest household
    # households added vs persons added / mean persons of arrivals: binomial spread of their dwelling mix
    share = arrival_detached_share(data, START)
    persons = np.unique(hh.persons[n0:])
    mean = (1 - share) * persons.min() + share * persons.max()
    added = n[-1] - n0
    sd = math.sqrt(added * share * (1 - share)) * (persons.max() - persons.min()) / mean
    assert abs(added - (target[-1] - cumulative[n0]) / mean) < 4 * sd + 1
    # cars: Poisson around the built households' expected cars (start rule), plus nothing else
    cars = records["car_fleet"].sum(axis=1) / weight
    arrived_cars = cars[-1] - cars[0]
    expected = np.count_nonzero(population.cars.owner < n[-1]) - np.count_nonzero(population.cars.owner < n0)
    assert arrived_cars == expected                                       # every arriving household's cars
    per_person = cars_per_inhabitant(data, START)
    assert abs(arrived_cars - per_person * (inhabitants[-1] - inhabitants[0]) / weight) < 5 * math.sqrt(
        per_person * (inhabitants[-1] - inhabitants[0]) / weight) + 2 * hh.persons.max()


def context_and_state(data, growth: float, seed: int = 5, peak: float | None = None):
    """The first year's context and start state, the population built for ``peak`` (default: the run's)."""
    values = values_for(growth, seed)
    yearly = yearly_values(values, {}, range(START, END + 1))
    drivers = build_drivers(data, yearly, START, END)
    peak = float(drivers.population.max()) if peak is None else peak
    population = build_population(data, START, seed, SCALE, peak_population=peak)
    network = build_network(population, seed, str(values["network_topology"]))
    first = YearContext.first(data, network, values, seed, calibrate(data, START), drivers,
                              removals(paths(yearly), data.land, drivers.years), yearly)
    return first, State.from_population(population, first.p["unit_attitude"]), population


def test_arriving_cars_take_the_fleet_mix_in_use(data):
    """Arrivals' fuels are drawn from the present cars' mix on 1 January: each share within 4 binomial sd."""
    first, state, _ = context_and_state(data, 0.02)
    state.cars.fuel[:state.n_present_cars:7] = Fuel.BEV        # a fleet unlike the start's mix
    mix = np.bincount(state.present_cars().fuel, minlength=len(Fuel)) / state.n_present_cars
    n = 40_000
    drawn = np.bincount(demography.arriving_fuels(state, first.at(5), n), minlength=len(Fuel)) / n
    assert mix[Fuel.BEV] > 0.1
    assert np.all(np.abs(drawn - mix) <= 4 * np.sqrt(mix * (1 - mix) / n) + 1e-12)


def one_year(state, context):
    """The year's steps as the engine runs them, returning the accounts of 1 January."""
    demography.step(state, context)
    sectors, consumption, scopes, _ = accounting.account(state, context)
    state.open_year()
    influence.step(state, context)
    pledges.step(state, context)
    adoption.step(state, context)
    behaviour.step(state, context)
    return sectors, consumption, scopes


def test_absent_households_contribute_nothing(data):
    """Whatever absent households and their cars hold, present agents' accounts, decisions and signals are the same."""
    room = 1.1 * data.population[START]                        # a pool that never arrives: the series is flat
    first, state, population = context_and_state(flat(data), 0.0, peak=room)
    _, other, _ = context_and_state(flat(data), 0.0, peak=room)
    n0, n_h = population.households_at_start, state.n_households
    assert n_h > n0
    other.households.heating[n0:] = Heating.OIL               # absent: oil heat, many cars, pledged, driving a lot
    other.cars.fuel[other.cars.owner >= n0] = Fuel.DIESEL
    other.km_factor[n0:] = 50.0
    other.pledge_year[n0:n_h] = 2020
    other.households.low_meat_diet[n0:] = True
    for t in range(4):
        a, b = one_year(state, first.at(t)), one_year(other, first.at(t))
        for x, y in zip(a, b):
            np.testing.assert_array_equal(x, y)
    present_cars = state.n_present_cars
    np.testing.assert_array_equal(state.cars.fuel[:present_cars], other.cars.fuel[:present_cars])
    np.testing.assert_array_equal(state.households.heating[:n0], other.households.heating[:n0])
    np.testing.assert_array_equal(state.pledge_year[:n0], other.pledge_year[:n0])
    np.testing.assert_array_equal(state.pledge_year[n_h:], other.pledge_year[n_h:])
    np.testing.assert_array_equal(state.signal_counts, other.signal_counts)
    assert not other.signals[n0:n_h].any()                    # the absent show nothing, presence included
    assert np.all(other.signals[:n0] & (1 << Signal.PRESENT))


def test_shrinking_removes_households_most_recent_first(data):
    """A falling population removes households from the end of the order, below the start too; arrivals start fresh."""
    growth = -0.03
    records, state, population = open_run(flat(data), growth)
    households = records["heating_systems"].sum(axis=1) * SCALE
    assert np.all(np.diff(households) <= 0) and households[-1] < 0.7 * households[0]
    assert len(population.households.zone) == population.households_at_start    # nothing to arrive
    assert not state.present[state.n_present:state.n_households].any() and state.present[:state.n_present].all()
    inhabitants = data.population[START] * (1 + growth) ** (END - START)
    persons = state.built.persons[:state.n_present].sum() / SCALE
    assert abs(persons - inhabitants) <= state.built.persons.max() / SCALE
    ratio = records["car_fleet"][-1].sum() / records["car_fleet"][0].sum()   # leavers are a random sample
    assert abs(ratio - households[-1] / households[0]) < 0.05


def test_a_household_arriving_again_starts_as_built(data):
    """Leaving then arriving in the same slot resets its state: built heating and diet, no pledge, drawn car fuels."""
    first, state, population = context_and_state(data, 0.02)
    n0 = population.households_at_start
    slot = slice(n0, n0 + 20)
    context = first.at(3)
    demography.arrive(state, context, n0, n0 + 20)
    state.households.heating[slot] = Heating.OIL
    state.pledge_year[slot] = 2022
    state.strength[slot] = 1.0
    demography.leave(state, n0, n0 + 20)
    assert state.n_present == n0 and not state.present[slot].any()
    demography.arrive(state, context, n0, n0 + 20)
    np.testing.assert_array_equal(state.households.heating[slot], population.households.heating[slot])
    assert not state.pledge_year[slot].any() and not state.strength[slot].any() and np.all(state.delivery[slot] == 1)
    assert state.n_present == n0 + 20 and state.present[slot].all()


def test_arrays_are_sized_to_the_maximum(data):
    """The pool holds what the run's peak needs, within the two-household margin; no array grows during a run."""
    growth = 0.02
    records, state, population = open_run(flat(data), growth)
    peak = data.population[START] * (1 + growth) ** (END - START)
    n_built = len(population.households.zone)
    assert n_built == population.households_at_start + arrival_pool_size(flat(data), START, SCALE, peak)
    assert n_built - state.n_present <= 3
    assert len(state.kind) == n_built + len(population.firms.sector) + len(population.units.name)
    assert len(state.households.heating) == len(state.km_factor) == n_built
    assert state.signal_counts.shape == (len(state.kind), len(Signal))


def test_start_households_keep_their_ties(data):
    """The start households' ties among themselves are those of the closed population's network."""
    closed = build_population(data, START, 3, SCALE)
    grown = build_population(data, START, 3, SCALE, peak_population=1.2 * data.population[START])
    n0 = closed.households_at_start
    a, b = build_network(closed, 3), build_network(grown, 3)
    for i in range(n0):
        mine = a.indices[a.indptr[i]:a.indptr[i + 1]]
        theirs = b.indices[b.indptr[i]:b.indptr[i + 1]]
        np.testing.assert_array_equal(mine[mine < n0], theirs[theirs < n0])
    newcomers = np.diff(b.indptr)[n0:len(grown.households.zone)]
    assert newcomers.min() >= 1
    # a newcomer owns half a ring node's ties: the households' mean degree is kept
    households = len(grown.households.zone)
    assert abs(np.diff(b.indptr)[:households].mean() - np.diff(a.indptr)[:n0].mean()) < 0.5


def test_bit_identical_across_thread_counts(data):
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one, _, _ = open_run(data, 0.01, end=2026)
        numba.set_num_threads(max(2, threads))
        many, _, _ = open_run(data, 0.01, end=2026)
    finally:
        numba.set_num_threads(threads)
    for name in YEARLY:
        np.testing.assert_array_equal(one[name], many[name], err_msg=name)


def test_simulate_builds_room_for_growth():
    """sim.simulate sizes the population to the scenario's peak and the fleet grows with the city."""
    scenario = sim.load_scenario(BASELINE)
    ds = sim.simulate(dataclasses.replace(scenario, end_year=2040), seed=2, scale=SCALE,
                      params={"population_growth": 0.008})
    fleet = ds["car_fleet"].sum("fuel")
    assert float(fleet.sel(year=2040)) > float(fleet.sel(year=2020))
    assert ds.attrs["n_agents"] > round(48_164 * SCALE) + 8_574 * SCALE
