"""The yearly loop: the ODD's steps in order over one :class:`~sim.state.State`.

Every year the stock in use (the state on 1 January) is accounted first: its
emissions are the year's emissions and the stocks are recorded as they stood
on 1 January, so the start year reproduces the statistics it was built from.
Then the year's processes run in the order of DESIGN section 4; their flows
(cars bought, grant spend, costs) are the year's, and the stock they change
is next year's. The rules live in :mod:`sim.mechanisms`.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import xarray as xr

from . import __version__
from .base_year import calibrate
from .cities import city_params, for_city
from .counterfactual import combine, without_pledge_effect
from .data import MunicipalityData, load_municipality
from .exogenous import build_drivers
from .land import land_use_flux, removals
from .mechanisms import (
    accounting,
    adoption,
    behaviour,
    demography,
    energy,
    grants,
    influence,
    infrastructure,
    pledges,
    procurement,
)
from .mechanisms import sectors as sector_measures
from .network import Network, build_network
from .population import Population, build_population
from .results import empty_records, to_dataset
from .sampling import parameter_values
from .scenario import Scenario
from .state import State, YearContext
from .timing import paths, yearly_values
from .validation import check_scale, check_seed


def simulate(scenario: Scenario, seed: int = 0, params: Mapping[str, float] | None = None,
             scale: float | None = None) -> xr.Dataset:
    """Run one scenario from its start year to its end year.

    Parameters
    ----------
    scenario : Scenario
        From :func:`sim.load_scenario`.
    seed : int
        Seed of every random draw of the run (uncertainties, population,
        network, decisions), in [0, 2**64).
    params : mapping, optional
        Values of uncertainties or levers that replace the seed's draws or the scenario's levers.
    scale : float, optional
        Population scale (1.0 = the municipality); defaults to the scenario's.

    Returns
    -------
    xarray.Dataset
        Dimension ``year`` plus ``sector``, ``sink``, ``land_flux``, ``scope``, ``fuel``,
        ``system``, ``step``, ``actor_kind`` and ``payer``; every variable
        carries ``units`` and ``long_name``; the parameter values are scalar
        variables; the attributes hold the scenario text, seed and version. A scenario of
        several municipalities gives one run per city with the same seed and parameters, along
        a ``municipality`` dimension (:mod:`sim.cities`: per-city levers, in ``params`` too,
        scaled to each from the scenario's ``levers_for``).
    """
    if len(scenario.municipalities) > 1:
        runs = [simulate(for_city(scenario, city), seed, city_params(scenario, city, params), scale)
                for city in scenario.municipalities]
        names = [city.name for city in scenario.municipalities]
        out = xr.concat(runs, dim="municipality", coords="minimal", compat="override", combine_attrs="drop_conflicts")
        out.coords["municipality"] = ("municipality", names, {"long_name": "municipality (data folder)"})
        out.attrs["n_agents"] = int(sum(r.attrs["n_agents"] for r in runs))
        out.attrs["n_agents_by_municipality"] = [int(r.attrs["n_agents"]) for r in runs]
        return out
    params = city_params(scenario, scenario.municipality, params)  # levers in params: for levers_for, too
    scenario = for_city(scenario, scenario.municipality)
    seed = check_seed(seed)
    scale = check_scale(scenario.scale if scale is None else scale)
    values = parameter_values(scenario, seed, params)
    data = load_municipality(scenario.municipality)
    yearly = yearly_values(values, scenario.lever_years, scenario.years)
    peak = build_drivers(data, yearly, scenario.start_year, scenario.end_year).population.max()
    population = build_population(data, scenario.start_year, seed, scale, peak_population=float(peak))
    network = build_network(population, seed, str(values["network_topology"]))
    records, state = run_state(population, network, data, values, seed, scenario.start_year, scenario.end_year,
                               scenario.lever_years)
    signed = state.pledge_year[state.n_households:].copy()   # the organisations' signing years, not the state:
    del state                                                # the counterfactual pass needs only these
    wanted = scenario.pledge_counterfactual and (not scenario.outputs or "delivered_reduction" in scenario.outputs)
    counterfactual = (run(population, network, data, values, seed, scenario.start_year, scenario.end_year,
                          scenario.lever_years, pledge_effect=False, accounted_pledges=signed) if wanted else None)
    records = combine(records, counterfactual)
    attrs = {
        "title": f"sim run of scenario '{scenario.name}'",
        "scenario": scenario.name, "scenario_text": scenario.text, "scenario_path": scenario.path,
        "seed": int(seed), "scale": scale, "sim_version": __version__,
        "n_agents": int(population.n_agents), "municipality": data.name,
        "Conventions": "CF-1.10",
        "history": f"created by sim {__version__} simulate(seed={seed}, scale={scale})",
    }
    return to_dataset(records, np.arange(scenario.start_year, scenario.end_year + 1), values, attrs, data.targets,
                      scenario.outputs, scenario.lever_years, data.price_year)


def run(population: Population, network: Network, data: MunicipalityData, values: Mapping, seed: int, start: int,
        end: int, lever_years: Mapping[str, int] | None = None, pledge_effect: bool = True,
        accounted_pledges: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """The yearly steps from ``start`` to ``end``; returns the records (see :data:`sim.results.VARIABLES`).

    ``lever_years`` gives the year each lever takes effect (:attr:`sim.scenario.Scenario.lever_years`);
    a lever not named acts from the start. With ``pledge_effect`` false the run is the pledge
    counterfactual (:mod:`sim.counterfactual`), and ``accounted_pledges`` (int32, the organisations'
    signing years at the end of the run it is the counterfactual of) says whose direct emissions its
    ``pledged_direct`` counts.
    """
    return run_state(population, network, data, values, seed, start, end, lever_years, pledge_effect,
                     accounted_pledges)[0]


def run_state(population: Population, network: Network, data: MunicipalityData, values: Mapping, seed: int,
              start: int, end: int, lever_years: Mapping[str, int] | None = None, pledge_effect: bool = True,
              accounted_pledges: np.ndarray | None = None) -> tuple[dict[str, np.ndarray], State]:
    """:func:`run`, also returning the state after the last year (the population is left as it was)."""
    values = values if pledge_effect else without_pledge_effect(values)
    yearly = yearly_values(values, lever_years or {}, range(start, end + 1))
    drivers = build_drivers(data, yearly, start, end)
    path = paths(yearly)
    first = YearContext.first(data, network, values, seed, calibrate(data, start, drivers.car_traffic[0]), drivers,
                              removals(path, data.land, drivers.years), yearly)
    state = State.from_population(population, first.p["unit_attitude"])
    state.accounted_pledges = accounted_pledges
    records = empty_records(len(drivers.years))
    for t in range(len(drivers.years)):
        context = first.at(t)                      # 1. exogenous update: this year's drivers and keys
        demography.step(state, context)            # households arrive or leave with the population
        accounting.step(state, context, records)   # 7. the stock in use this year, on 1 January
        energy.step(state, context, records)       #    and what its energy costs
        state.open_year()
        grants.step(state, context)                # 2. municipal action: grants, infrastructure, procurement
        infrastructure.step(state, context)
        procurement.step(state, context)
        sector_measures.step(state, context)       #    sector measures' costs
        influence.step(state, context)             # 3. exposure to neighbours' signals
        pledges.step(state, context)               # 4. pledges
        adoption.step(state, context)              # 5. adoption at replacement events
        behaviour.step(state, context)             # 6. behaviour
        accounting.record_flows(state, context, records)
    accounting.close(state, first, records)
    records["land_use_flux"][:] = land_use_flux(path, data.land)
    return records, state
