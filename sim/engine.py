"""The yearly step loop: orchestration only; the numerics live in :mod:`sim.kernels`.

Every year the stock in use (the state on 1 January) is accounted first: its
emissions are the year's emissions and the stocks are recorded as they stood
on 1 January, so the start year reproduces the statistics it was built from.
Then the year's processes run in the order of DESIGN section 4 (exogenous
update, municipal action: grants, infrastructure, arena; influence; pledges;
adoption at replacement events; behaviour); their flows (cars bought, grant
spend, costs) are the year's, and the stock they change is next year's.
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from typing import Mapping

import numpy as np
import xarray as xr

from .base_year import calibrate
from .data import SECTORS, load_municipality
from .exogenous import build_drivers, removals
from .kernels import accounting, adoption, behaviour, grants, influence, pledges
from .kernels.rng import make_key, uniforms
from .network import build_network
from .population import (BEV, DH, ELECTRIC, FIRM_SECTORS, FOSSIL, HEAT_PUMP, OIL, PHEV,
                         Population, build_population)
from .results import ENERGY_STEPS, SINKS, empty_records, to_dataset
from .sampling import parameter_values
from .scenario import Scenario

# random streams; year 0 holds the population's and the fixed per-run draws
CARS, HEATING, FIRM_FLEET, PROCESS, MUNICIPAL_FLEET, PLEDGES, DIET, STEPS, RECOVERY, GRANTS, CLAIMS = range(1, 12)
FULFILMENT = 60
HOUSEHOLD, FIRM, UNIT = 0, 1, 2
LOW_CARBON_CAR, LOW_CARBON_HEAT, PLEDGED, STEPPED, LOW_MEAT = range(5)
UNIT_ATTITUDE = 0.6          # municipal units lean toward their own climate programme (assumption)
PLEDGE_RAMP_YEARS = 5.0      # a pledge's commitment is reached over five years (assumption)


@lru_cache(maxsize=1)
def package_version() -> str:
    try:
        return version("klimatsim")
    except PackageNotFoundError:
        return "0+unknown"


def crf(rate: float, years: float) -> float:
    """Capital recovery factor: annual payment per SEK of investment."""
    return rate / (1.0 - (1.0 + rate) ** -years) if rate > 0 else 1.0 / years


@dataclass
class Agents:
    """Mutable state that is not in the population's initial arrays."""

    kind: np.ndarray             # int8[N]: household, firm, municipal unit
    attitude: np.ndarray         # float64[N]
    pledge_year: np.ndarray      # int32[N]
    pledge_baseline: np.ndarray  # float64[N]: direct t CO2e at signing (organisations)
    direct: np.ndarray           # float64[N]: direct t CO2e last year (organisations)
    signals: np.ndarray          # uint8[N, 5]: 0 or 1 (a byte a signal keeps the neighbour reads in cache)
    exposure: np.ndarray         # float64[N, 5]


def simulate(scenario: Scenario, seed: int = 0, params: Mapping[str, float] | None = None,
             scale: float | None = None) -> xr.Dataset:
    """Run one scenario from its start year to its end year.

    Parameters
    ----------
    scenario : Scenario
        From :func:`sim.load_scenario`.
    seed : int
        Seed of every random draw of the run (uncertainties, population,
        network, decisions).
    params : mapping, optional
        Values of uncertain parameters that replace the seed's draws.
    scale : float, optional
        Population scale (1.0 = the municipality); defaults to the scenario's.

    Returns
    -------
    xarray.Dataset
        Dimension ``year`` plus ``sector``, ``sink``, ``scope``, ``fuel``,
        ``system``, ``step``, ``actor_kind`` and ``payer``; every variable
        carries ``units`` and ``long_name``; the parameter values are scalar
        variables; the attributes hold the scenario text, seed and version.
    """
    if not isinstance(seed, numbers.Integral) or isinstance(seed, bool) or not 0 <= seed < 2**64:
        raise ValueError(f"seed: allowed a whole number in [0, 2**64); given {seed!r}")
    seed = int(seed)
    scale = scenario.scale if scale is None else scale
    if not isinstance(scale, numbers.Real) or isinstance(scale, bool) or not 0 < scale < float("inf"):
        raise ValueError(f"scale: allowed a number > 0; given {scale!r}")
    scale = float(scale)
    values = parameter_values(scenario, seed, params)
    data = load_municipality(scenario.municipality)
    population = build_population(data, scenario.start_year, seed, scale)
    network = build_network(population, seed, str(values["network_topology"]))
    records = run(population, network, data, values, seed, scenario.start_year, scenario.end_year)
    attrs = {
        "title": f"sim run of scenario '{scenario.name}'",
        "scenario": scenario.name, "scenario_text": scenario.text, "scenario_path": scenario.path,
        "seed": int(seed), "scale": scale, "sim_version": package_version(),
        "n_agents": int(population.n_agents), "municipality": data.name,
        "carbon_budget": data.figures["carbon_budget"], "carbon_budget_units": "t CO2",
        "carbon_budget_start_year": int(data.figures["carbon_budget_start_year"]),
        "Conventions": "CF-1.10",
        "history": f"created by sim {package_version()} simulate(seed={seed}, scale={scale})",
    }
    return to_dataset(records, np.arange(scenario.start_year, scenario.end_year + 1), values, attrs,
                      scenario.outputs)


def run(population: Population, network, data, values: Mapping, seed: int, start: int,
        end: int) -> dict[str, np.ndarray]:
    """The step loop over years; returns the yearly records (see :data:`sim.results.VARIABLES`)."""
    drivers = build_drivers(data, dict(values), start, end)
    sinks = removals(dict(values), drivers.years)
    calib = calibrate(data, start)
    tech = data.technology
    hh, firms, units, vehicles = population.households, population.firms, population.units, population.vehicles
    n_h, n_f, n_u = len(hh.zone), len(firms.sector), len(units.name)
    n = n_h + n_f + n_u
    weight = population.weight
    agents = Agents(
        kind=np.concatenate([np.full(n_h, HOUSEHOLD), np.full(n_f, FIRM), np.full(n_u, UNIT)]).astype(np.int8),
        attitude=np.concatenate([hh.attitude, firms.attitude, np.full(n_u, UNIT_ATTITUDE)]),
        pledge_year=np.zeros(n, dtype=np.int32), pledge_baseline=np.zeros(n), direct=np.zeros(n),
        signals=np.zeros((n, 5), dtype=np.uint8), exposure=np.zeros((n, 5)))
    records = empty_records(len(drivers.years))
    machinery_fossil_free = np.zeros(n_f, dtype=bool)
    grant_abatement = 0.0
    cumulative = 0.0
    km_factor = hh.car_km_factor.copy()   # no mode shift or pledge before the first year's behaviour
    strength = np.zeros(n)
    delivery = np.ones(n)
    fulfilment_key = make_key(seed, 0, FULFILMENT)
    budget_start = int(data.figures["carbon_budget_start_year"])
    org_weight = np.concatenate([np.full(n_f, weight), np.ones(n_u)])

    for t, year in enumerate(drivers.years):
        year = int(year)

        # 7. accounting of the stock in use this year: the state on 1 January
        sectors, consumption, scopes, agents.direct[n_h:] = _accounts(
            values, tech, calib, drivers, t, population, km_factor, delivery, strength, machinery_fossil_free)
        fossil = sum(sectors[s] * data.co2_share[s] for s in SECTORS)
        cumulative += fossil if year >= budget_start else 0.0
        _record_stock(records, t, population, agents, sectors, consumption, scopes, sinks, values, org_weight)
        records["fossil_co2"][t] = fossil
        records["cumulative_co2"][t] = cumulative
        records["grant_abatement"][t] = grant_abatement

        # the year's processes change the stock from next year on; their flows are this year's
        costs = np.zeros(3)  # households, firms, municipal group

        # 1-2. exogenous update and municipal action
        spend, credited, own_cost = _grants(values, tech, calib, drivers, t, units, vehicles, seed, year)
        grant_abatement += credited
        costs[2] += spend + own_cost + _lever_costs(values, tech, drivers, t, sinks)
        if year >= values["fossil_free_machinery_year"]:
            machinery_fossil_free |= firms.municipal_supplier & (firms.machinery_energy > 0)
            costs[2] += (tech["machinery"]["fossil_free_cost_sek_per_mwh"]
                         * float(np.sum(firms.machinery_energy[machinery_fossil_free])) * weight)

        # 3. influence
        _signals(agents, population)
        influence.neighbour_share(network.indptr, network.indices, agents.signals, agents.exposure)

        # 4. pledges
        arena = year >= values["arena_start_year"]   # local pledges exist once the programme runs
        org_hazard = values["pledge_base_rate"] + values["arena_reach"] * drivers.arena_events[t]
        hazard_by_kind = np.array([values["household_pledge_rate"], org_hazard, 3.0 * org_hazard]) * arena
        before = agents.pledge_year == 0
        pledges.sign_pledges(agents.kind, agents.attitude, agents.pledge_year,
                             agents.exposure[:, PLEDGED], hazard_by_kind, values["pledge_social_weight"],
                             year, make_key(seed, year, PLEDGES))
        new = before & (agents.pledge_year != 0)
        agents.pledge_baseline[new] = agents.direct[new]
        pledges.pledge_strength(agents.pledge_year, year, values["pledge_decay"], strength)
        pledged_org = (agents.pledge_year != 0).astype(float)
        pledges.delivery_factor(agents.pledge_year, year, values["pledge_commitment"],
                                values["pledge_fulfilment"], PLEDGE_RAMP_YEARS, fulfilment_key, delivery)

        # 5. adoption at replacement events
        new_cars, costs[0] = _cars(values, tech, calib, drivers, t, population, agents, strength, seed, year)
        heating_cost, subsidies = _heating(values, tech, population, agents, strength, seed, year)
        costs[0] += heating_cost
        costs[2] += subsidies
        costs[1] += _firm_fleets(values, tech, drivers, t, firms, agents.exposure[n_h:n_h + n_f],
                                 pledged_org[n_h:n_h + n_f], seed, year) * weight
        costs[2] += _municipal_fleet(values, tech, year, vehicles, seed)

        # 6. behaviour
        mode_shift = _mode_shift(values, drivers, t)
        behaviour.household_behaviour(hh.zone, hh.attitude, strength[:n_h], agents.exposure[:n_h, LOW_MEAT],
                                      hh.low_meat_diet, np.asarray(tech["behaviour"]["zone_km_factor"]),
                                      mode_shift, tech["behaviour"]["pledge_km_cut"], values["diet_shift_rate"],
                                      make_key(seed, year, DIET), km_factor)
        costs[1:] += _firm_behaviour(values, tech, firms, pledged_org[n_h:n_h + n_f],
                                     agents.exposure[n_h:n_h + n_f, STEPPED], seed, year) * weight
        records["new_cars"][t] = new_cars
        records["costs"][t] = costs
        records["grant_spend"][t] = spend
    if start <= budget_start <= end:
        records["within_budget"][()] = float(cumulative <= data.figures["carbon_budget"])
    return records


def _signals(agents: Agents, population: Population) -> None:
    """Binary signals each agent shows its neighbours."""
    hh, cars, firms, vehicles = population.households, population.cars, population.firms, population.vehicles
    n_h, n_f = len(hh.zone), len(firms.sector)
    s = agents.signals
    s[:] = 0.0
    s[:n_h, LOW_CARBON_CAR] = np.bincount(cars.owner, weights=(cars.fuel == BEV) | (cars.fuel == PHEV),
                                          minlength=n_h) > 0
    s[n_h:n_h + n_f, LOW_CARBON_CAR] = firms.fleet_tech == ELECTRIC
    s[n_h + n_f:, LOW_CARBON_CAR] = np.bincount(vehicles.owner, weights=vehicles.tech == ELECTRIC,
                                                minlength=len(population.units.name)) > 0
    s[:n_h, LOW_CARBON_HEAT] = (hh.heating == DH) | (hh.heating == HEAT_PUMP)
    s[n_h:n_h + n_f, LOW_CARBON_HEAT] = firms.process_electrified | firms.heat_recovery
    s[:, PLEDGED] = agents.pledge_year != 0
    s[n_h:n_h + n_f, STEPPED] = firms.energy_step > 0
    s[:n_h, LOW_MEAT] = hh.low_meat_diet


def _cars(values, tech, calib, drivers, t, population, agents, strength, seed, year):
    """Household car replacement; returns cars bought by fuel (weighted) and the households' cost."""
    car, cars, hh = tech["car"], population.cars, population.households
    owner = cars.owner
    premium = np.asarray(car["purchase_premium_sek"], dtype=float).copy()
    premium[BEV] = drivers.bev_premium[t]
    premium[PHEV] = car["purchase_premium_sek"][PHEV] * np.exp(-values["bev_premium_decline"] * (year - 2020))
    net_premium = np.maximum(0.0, premium - np.where(np.arange(5) == BEV, drivers.bev_bonus[t], 0.0))
    cars_real = max(1.0, len(owner) * population.weight)
    availability = drivers.charge_points[t] / (drivers.charge_points[t]
                                               + values["charging_half_saturation"] * cars_real / 1000.0)
    constant = np.asarray(car["constant"], dtype=float).copy()
    constant[BEV] = values["bev_barrier_2020"] + values["bev_barrier_trend"] * max(0, year - 2020) + availability
    constant[PHEV] += 0.3 * availability
    green = np.asarray(car["green"], dtype=float)
    utilities = np.empty((len(owner), 5))
    km = calib["km_per_car"] * hh.car_km_factor[owner]
    adoption.utilities(km, hh.attitude[owner], strength[owner], agents.exposure[owner, LOW_CARBON_CAR],
                       net_premium * crf(values["discount_rate_households"], car["annuity_years"]),
                       np.asarray(car["energy_cost_sek_per_km"], dtype=float), constant, green, 10000.0,
                       _weights(values), utilities)
    chosen = np.empty(len(owner), dtype=np.int8)
    replaced = np.empty(len(owner), dtype=bool)
    imitation = values["imitation_rate"] * np.array([0.0, 0.0, 0.5, 1.0, 0.0])
    adoption.adopt(cars.fuel, np.full(len(owner), values["car_replacement_rate"]), utilities,
                   agents.exposure[owner, LOW_CARBON_CAR], imitation, 1.0, make_key(seed, year, CARS),
                   chosen, replaced)
    bought = np.bincount(chosen[replaced], minlength=5).astype(float)
    cars.fuel[:] = chosen
    return bought * population.weight, float((bought * net_premium).sum()) * population.weight


def _heating(values, tech, population, agents, strength, seed, year) -> tuple[float, float]:
    """Household heating replacement; returns the households' extra investment and the subsidies paid (SEK)."""
    heat, hh = tech["heating"], population.households
    n_h = len(hh.zone)
    capital = np.asarray(heat["capital_cost_sek"], dtype=float).copy()
    subsidy = min(values["heat_pump_subsidy"], values["heat_pump_cost"])
    capital[HEAT_PUMP] = values["heat_pump_cost"] - subsidy
    constant = np.asarray(heat["constant"], dtype=float)
    utilities = np.empty((n_h, 5))
    adoption.utilities(hh.heat_demand, hh.attitude, strength[:n_h], agents.exposure[:n_h, LOW_CARBON_HEAT],
                       capital * crf(values["discount_rate_households"], heat["annuity_years"]),
                       np.asarray(heat["price_sek_per_mwh"], dtype=float), constant,
                       np.asarray(heat["green"], dtype=float), 10000.0, _weights(values), utilities)
    utilities[~hh.dh_available, 0] = -np.inf  # cannot be connected: neither chosen nor imitated
    chosen = np.empty(n_h, dtype=np.int8)
    replaced = np.empty(n_h, dtype=bool)
    imitation = values["imitation_rate"] * np.array([1.0, 1.0, 0.0, 0.0, 0.0])
    adoption.adopt(hh.heating, np.full(n_h, values["heating_replacement_rate"]), utilities,
                   agents.exposure[:n_h, LOW_CARBON_HEAT], imitation, 1.0, make_key(seed, year, HEATING),
                   chosen, replaced)
    switched = replaced & (chosen != hh.heating)
    hh.heating[:] = chosen
    extra = np.maximum(0.0, capital - capital[OIL])
    subsidised = int(np.count_nonzero(switched & (chosen == HEAT_PUMP)))
    return (float(np.sum(extra[chosen[switched]])) * population.weight,
            subsidy * subsidised * population.weight)


def _firm_fleets(values, tech, drivers, t, firms, firm_exposure, pledged, seed, year) -> float:
    """Firm fleet and process-energy renewal; returns the firms' extra cost (SEK, unweighted)."""
    fleet, proc = tech["firm_fleet"], tech["firm_process"]
    n_f = len(firms.sector)
    exposure = firm_exposure[:, LOW_CARBON_CAR]
    ones = np.ones(n_f)
    utilities = np.empty((n_f, 3))
    capex = np.array([0.0, 0.0, drivers.fleet_electric_premium[t]])
    adoption.utilities(ones, firms.attitude, pledged, exposure, capex,
                       np.asarray(fleet["cost_sek_per_mwh"], dtype=float),
                       np.asarray(fleet["constant"], dtype=float), np.asarray(fleet["green"], dtype=float),
                       1000.0, _weights(values), utilities)
    chosen = np.empty(n_f, dtype=np.int8)
    replaced = np.empty(n_f, dtype=bool)
    rate = np.where(firms.vehicle_energy > 0, values["fleet_replacement_rate"], 0.0)
    adoption.adopt(firms.fleet_tech, rate, utilities, exposure,
                   values["imitation_rate"] * np.array([0.0, 0.5, 1.0]), 1.0,
                   make_key(seed, year, FIRM_FLEET), chosen, replaced)
    firms.fleet_tech[:] = chosen
    cost = float(np.sum(firms.vehicle_energy[chosen == ELECTRIC])) * drivers.fleet_electric_premium[t]

    utilities = np.empty((n_f, 2))
    fuel_cost = proc["fuel_cost_sek_per_mwh"] + drivers.ets_price[t] * proc["fuel_kg_per_mwh"] / 1000.0
    adoption.utilities(ones, firms.attitude, pledged, firm_exposure[:, LOW_CARBON_HEAT],
                       np.array([0.0, proc["electric_premium_sek_per_mwh"]]),
                       np.array([fuel_cost, proc["electric_cost_sek_per_mwh"]]),
                       np.asarray(proc["constant"], dtype=float), np.array([0.0, 1.0]), 1000.0,
                       _weights(values), utilities)
    current = firms.process_electrified.astype(np.int8)
    chosen = np.empty(n_f, dtype=np.int8)
    rate = np.where(firms.process_energy > 0, values["heating_replacement_rate"], 0.0)
    adoption.adopt(current, rate, utilities, firm_exposure[:, LOW_CARBON_HEAT],
                   np.array([0.0, values["imitation_rate"]]), 1.0, make_key(seed, year, PROCESS), chosen, replaced)
    firms.process_electrified[:] = chosen == 1
    return cost + float(np.sum(firms.process_energy[firms.process_electrified])) * proc["electric_premium_sek_per_mwh"]


def _municipal_fleet(values, tech, year, vehicles, seed) -> float:
    """Municipal vehicle renewal, electric only after the mandate year; returns the group's extra cost."""
    mf = tech["municipal_fleet"]
    n_v = len(vehicles.owner)
    if n_v == 0:
        return 0.0
    constant = np.array([0.0, -0.5, -1.5])
    if year >= values["municipal_fleet_ev_year"]:
        constant[:2] = -np.inf
    premium = np.array([0.0, 0.0, mf["electric_premium_sek"]])
    utilities = np.empty((n_v, 3))
    adoption.utilities(np.full(n_v, mf["km_per_vehicle"]), np.full(n_v, UNIT_ATTITUDE), np.zeros(n_v),
                       np.zeros(n_v), premium * crf(values["discount_rate_firms"], mf["annuity_years"]),
                       np.asarray(mf["cost_sek_per_km"], dtype=float), constant, np.array([0.0, 0.7, 1.0]),
                       10000.0, _weights(values), utilities)
    chosen = np.empty(n_v, dtype=np.int8)
    replaced = np.empty(n_v, dtype=bool)
    adoption.adopt(vehicles.tech, np.full(n_v, values["fleet_replacement_rate"]), utilities, np.zeros(n_v),
                   np.zeros(3), 1.0, make_key(seed, year, MUNICIPAL_FLEET), chosen, replaced)
    bought_electric = int(np.count_nonzero(replaced & (chosen == ELECTRIC)))
    vehicles.tech[:] = chosen
    return bought_electric * mf["electric_premium_sek"]


def _weights(values) -> np.ndarray:
    return np.array([values["cost_weight"], values["social_weight"], values["attitude_weight"],
                     values["pledge_bonus"]])


def _mode_shift(values, drivers, t) -> np.ndarray:
    """Share of car kilometres moved to cycling and transit, by zone (central, urban, rural)."""
    cycling = values["mode_shift_per_cycle_km"] * drivers.cycle_lanes[t]
    transit = values["transit_elasticity"] * (drivers.transit_level[t] - 1.0)
    return np.clip(np.array([cycling + transit, cycling + transit, 0.5 * transit]), 0.0, 0.5)


def _firm_behaviour(values, tech, firms, pledged, exposure_steps, seed, year) -> np.ndarray:
    """Energy steps and heat recovery; returns (firms, municipal group) cost, unweighted."""
    steps, hr = tech["firm_steps"], tech["heat_recovery"]
    before = firms.energy_step.copy()
    behaviour.climb_energy_steps(firms.energy_step, len(ENERGY_STEPS) - 1, pledged, exposure_steps,
                                 steps["base_rate"], values["efficiency_support"], steps["pledge_factor"],
                                 steps["social_weight"], make_key(seed, year, STEPS))
    step_cost = float(np.sum((firms.energy_step - before) * firms.employees)) * steps["cost_sek_per_employee"]
    connected_before = int(np.count_nonzero(firms.heat_recovery))
    behaviour.connect_heat_recovery(firms.heat_recovery_eligible, firms.heat_recovery, pledged,
                                    hr["base_rate"], hr["support_rate"], values["heat_recovery_support"],
                                    make_key(seed, year, RECOVERY))
    connection_cost = (int(np.count_nonzero(firms.heat_recovery)) - connected_before) * hr["connection_cost_sek"]
    support_e, support_h = values["efficiency_support"], values["heat_recovery_support"]
    return np.array([step_cost * (1 - support_e) + connection_cost * (1 - support_h),
                     step_cost * support_e + connection_cost * support_h])


def _grants(values, tech, calib, drivers, t, units, vehicles, seed, year):
    """Proposals of the municipal units, allocation, and the executed projects' effects.

    Returns grant spend, credited additional abatement and the group's own
    cost of free-rider projects executed without a grant.
    """
    g, mf = tech["grants"], tech["municipal_fleet"]
    fossil_vehicles = np.bincount(vehicles.owner, weights=vehicles.tech == FOSSIL, minlength=len(units.name))
    vehicle_t = mf["km_per_vehicle"] * mf["kg_per_km"] / 1000.0 * (1 - drivers.blend_diesel[t]) * calib["fleet_factor"]
    n_u = len(units.name)
    batch = np.minimum(fossil_vehicles, g["fleet_batch"])
    saved_power = units.electricity * g["efficiency_saving"]
    cost = np.concatenate([batch * mf["electric_premium_sek"], units.fossil_heat * g["heat_cost_sek_per_mwh"],
                           saved_power * g["efficiency_cost_sek_per_mwh"]])
    true = np.concatenate([batch * vehicle_t, units.fossil_heat * calib["unit_oil_t_per_mwh"],
                           saved_power * drivers.electricity_ef[t]])
    real = cost > 0
    overestimate = 1.0 + 2.0 * values["claim_overestimate"] * uniforms(seed, year, CLAIMS, len(cost))
    funded = np.zeros(len(cost), dtype=bool)
    executed = np.zeros(len(cost), dtype=bool)
    if drivers.grant_budget[t] <= 0 or not real.any():
        return 0.0, 0.0, 0.0
    index = np.flatnonzero(real)
    f, e = np.zeros(len(index), dtype=bool), np.zeros(len(index), dtype=bool)
    spend, credited = grants.allocate_grants(cost[index], true[index] * overestimate[index], true[index],
                                             drivers.grant_budget[t], values["grant_allocation"] == "lottery",
                                             values["free_rider_share"], values["grant_delivery"],
                                             make_key(seed, year, GRANTS), f, e)
    funded[index], executed[index] = f, e
    for unit in np.flatnonzero(executed[:n_u]):
        candidates = np.flatnonzero((vehicles.owner == unit) & (vehicles.tech == FOSSIL))[:int(batch[unit])]
        vehicles.tech[candidates] = ELECTRIC
    heat_done = executed[n_u:2 * n_u]
    units.district_heat[heat_done] += units.fossil_heat[heat_done]
    units.fossil_heat[heat_done] = 0.0
    units.electricity[executed[2 * n_u:]] -= saved_power[executed[2 * n_u:]]
    own_cost = float(np.sum(cost[executed & ~funded]))
    return spend, credited, own_cost


def _lever_costs(values, tech, drivers, t, sinks) -> float:
    """The municipal group's spending on infrastructure, removals and offsets in year ``t``."""
    infra, rem = tech["infrastructure"], tech["removals"]
    new_points = drivers.charge_points[t] - (drivers.charge_points[t - 1] if t else drivers.charge_points[t])
    new_lanes = drivers.cycle_lanes[t] - (drivers.cycle_lanes[t - 1] if t else 0.0)
    cost = new_points * infra["charge_point_cost_sek"] + new_lanes * infra["cycle_lane_cost_sek_per_km"]
    cost += (drivers.transit_level[t] - 1.0) * infra["transit_cost_sek_per_yr"]
    cost += sinks["biochar"][t] * rem["biochar_cost_sek_per_t"]
    cost += values["rewetting_per_year"] * (t > 0) * rem["rewetting_cost_sek_per_ha"]
    cost += (sinks["forestry"][t] > 0) * values["forestry_measures"] * rem["forestry_cost_sek_per_ha_yr"]
    cost += sinks["purchased_offsets"][t] * rem["offset_cost_sek_per_t"]
    return float(cost)


def _accounts(values, tech, calib, drivers, t, population, km_factor, delivery, strength, machinery_fossil_free):
    """Emissions by sector, consumption per capita, the group's scopes and the units' direct emissions."""
    hh, cars, firms, units, vehicles = (population.households, population.cars, population.firms,
                                        population.units, population.vehicles)
    n_h, n_f = len(hh.zone), len(firms.sector)
    weight = population.weight
    fossil_kg_per_km = calib["tailpipe"] * _car_fossil_share(tech, drivers, t)
    footprint_kg_per_km = (calib["tailpipe"] + tech["car"]["lifecycle_kg_per_km_extra"]
                           + (np.arange(5) == BEV) * tech["car"]["electricity_kwh_per_km"] * drivers.electricity_ef[t])
    heat = tech["heating"]
    household = np.empty(6)
    accounting.household_accounts(cars.owner, cars.fuel, calib["km_per_car"], km_factor, fossil_kg_per_km,
                                  footprint_kg_per_km, hh.heating, hh.heat_demand, calib["household_oil_t_per_mwh"],
                                  np.asarray(heat["electricity_per_mwh_heat"], dtype=float),
                                  (np.arange(5) == 0).astype(float), hh.persons, hh.low_meat_diet,
                                  np.array([tech["consumption"]["food_t_per_person"],
                                            tech["consumption"]["low_meat_food_t_per_person"]]), household)
    household *= weight
    fleet = tech["firm_fleet"]
    diesel_t = fleet["diesel_kg_per_mwh"] / 1000.0 * (1 - drivers.blend_diesel[t])
    firm = np.empty(6)
    direct = np.empty(n_f)
    freight_cut = np.zeros(len(FIRM_SECTORS))
    freight_cut[FIRM_SECTORS.index("transport")] = drivers.rail_share[t]
    accounting.firm_accounts(firms.sector, firms.vehicle_energy, firms.fleet_tech, firms.process_energy,
                             firms.process_electrified, firms.heating_fossil, firms.machinery_energy,
                             machinery_fossil_free, firms.electricity, firms.district_heat, firms.energy_step,
                             values["energy_step_saving"], delivery[n_h:n_h + n_f], freight_cut,
                             np.array([diesel_t, diesel_t * fleet["bio_fossil_share"], 0.0]),
                             np.array([tech["firm_process"]["fuel_kg_per_mwh"] / 1000.0,
                                       heat["oil_kg_per_mwh_heat"] / 1000.0, diesel_t]), firm, direct)
    firm *= weight
    mf = tech["municipal_fleet"]
    unit_delivery = delivery[n_h + n_f:]
    vehicle_t = (mf["km_per_vehicle"] * mf["kg_per_km"] / 1000.0 * calib["fleet_factor"]
                 * np.array([1 - drivers.blend_diesel[t], fleet["bio_fossil_share"], 0.0]))
    unit_fleet = np.bincount(vehicles.owner, weights=vehicle_t[vehicles.tech], minlength=len(units.name))
    unit_heat = units.fossil_heat * unit_delivery * calib["unit_oil_t_per_mwh"]
    units_dh = float(np.sum(units.district_heat))
    eligible = firms.employees[firms.heat_recovery_eligible]
    connected = firms.employees[firms.heat_recovery_eligible & firms.heat_recovery]
    displaced = values["heat_recovery_share"] * (connected.sum() / eligible.sum() if eligible.size else 0.0)
    dh_demand = household[3] + firm[4] + units_dh
    dh_emissions = dh_demand * calib["dh_t_per_mwh"] * drivers.district_heat_factor[t] * (1.0 - displaced)
    exo = {k: v[t] for k, v in drivers.exogenous.items()}
    sectors = {
        "transport": household[0] + firm[0] + float(unit_fleet.sum()) + exo["other_transport"],
        "electricity_district_heating": dh_emissions,
        "industry": firm[1] + exo["industrial_process"],
        "agriculture": exo["agriculture"],
        "work_machinery": firm[3],
        "product_use": exo["product_use"],
        "waste": exo["waste"],
        "own_heating": household[2] + firm[2] + float(unit_heat.sum()),
    }
    dh_scope2 = calib["dh_scope2"] * drivers.district_heat_factor[t]
    criteria = 1.0 - drivers.procurement_criteria[t] * tech["consumption"]["criteria_effect"]
    scope3 = float((units.procurement * calib["procurement_t_per_sek"]).sum()) * criteria  # elementwise: BLAS threads fight numba's
    scopes = np.array([float(unit_fleet.sum() + unit_heat.sum()) + dh_emissions,
                       # district heat comes from the group's own energy company: already in scope 1
                       float(np.sum(units.electricity)) * drivers.electricity_ef[t],
                       scope3])
    persons = float(np.sum(hh.persons)) * weight
    goods = calib["goods_t_per_person"] * (1.0 + values["consumption_trend"]) ** t * (
        persons - tech["behaviour"]["pledge_goods_cut"] * float((hh.persons * strength[:n_h]).sum()) * weight)
    household_part = (household[1] + household[2] + household[3] * dh_scope2 + household[4] * drivers.electricity_ef[t]
                      + household[5] + goods + persons * tech["consumption"]["aviation_t_per_person"]) / persons
    public_part = (calib["public_other_t"] + scope3) / drivers.population[t]
    return sectors, household_part + public_part, scopes, np.concatenate([direct, unit_fleet + unit_heat])


def _car_fossil_share(tech, drivers, t) -> np.ndarray:
    fossil = {"petrol": 1 - drivers.blend_petrol[t], "diesel": 1 - drivers.blend_diesel[t],
              "gas": tech["fuel"]["gas_fossil_share"], "none": 0.0}
    return np.array([fossil[f] for f in tech["car"]["fossil_fuel"]])


def _record_stock(records, t, population, agents, sectors, consumption, scopes, sinks, values, org_weight) -> None:
    """Record the stocks on 1 January of year ``t`` and the emissions they cause during the year."""
    weight = population.weight
    n_h, n_f = len(population.households.zone), len(population.firms.sector)
    records["emissions"][t] = [sectors[s] for s in SECTORS]
    removal = np.array([sinks[s][t] for s in SINKS])
    records["removals"][t] = removal
    total = sum(sectors.values())
    records["net_emissions"][t] = total - removal[:3].sum()   # sinks and storage; offsets are kept apart
    records["net_emissions_with_offsets"][t] = total - removal.sum()
    records["consumption_emissions_per_capita"][t] = consumption
    records["municipal_group_emissions"][t] = scopes
    records["car_fleet"][t] = np.bincount(population.cars.fuel, minlength=5) * weight
    records["heating_systems"][t] = np.bincount(population.households.heating, minlength=5) * weight
    records["firm_energy_step"][t] = np.bincount(population.firms.energy_step, minlength=5) * weight
    records["heat_recovery_connections"][t] = np.count_nonzero(population.firms.heat_recovery) * weight
    pledged = agents.pledge_year[n_h:] != 0
    baseline = agents.pledge_baseline[n_h:]
    records["pledged_reduction"][t] = values["pledge_commitment"] * np.sum(baseline * pledged * org_weight)
    records["delivered_reduction"][t] = np.sum(np.maximum(0.0, baseline - agents.direct[n_h:]) * pledged * org_weight)
    records["pledges"][t] = [np.count_nonzero(agents.pledge_year[:n_h]) * weight,
                             np.count_nonzero(agents.pledge_year[n_h:n_h + n_f]) * weight,
                             np.count_nonzero(agents.pledge_year[n_h + n_f:])]
