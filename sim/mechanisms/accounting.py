"""Accounting of the stock in use: emissions by sector, consumption per inhabitant, the group's scopes (ODD step 7).

Every year is accounted first, from the state on 1 January, so the start
year reproduces the statistics it was built from; the records of the stocks
are taken at the same moment. The year's flows (cars bought, costs, grant
spend) are recorded after the year's processes, by :func:`record_flows`.
"""
from __future__ import annotations

from collections.abc import MutableMapping

import numpy as np

from ..declarations.codes import ENERGY_STEPS, SECTORS, FleetTech, Fuel, Heating, Measure, Sector, Sink
from ..kernels import accounting
from ..state import State, YearContext
from . import sectors as measures
from .infrastructure import freight_cut
from .pledges import unit_plans


def km_per_car(context: YearContext) -> float:
    """This year's km per household car before each household's factor: a normal year's (calibrated) times
    the year's car traffic (below 1 in the pandemic years)."""
    return context.calib["km_per_car"] * context.drivers.car_traffic[context.t]


def car_fossil_kg_per_km(context: YearContext) -> np.ndarray:
    """Territorial fossil CO2e per km by Fuel, after bio blending (kg/km)."""
    d, t, tech = context.drivers, context.t, context.tech
    fossil = {"petrol": 1 - d.blend_petrol[t], "diesel": 1 - d.blend_diesel[t],
              "gas": tech["fuel"]["gas_fossil_share"], "none": 0.0}
    return context.calib["tailpipe"] * np.array([fossil[f] for f in tech["car"]["fossil_fuel"]])


def car_footprint_kg_per_km(context: YearContext) -> np.ndarray:
    """Consumption-based CO2e per km by Fuel: tailpipe, lifecycle and a BEV's electricity (kg/km)."""
    car = context.tech["car"]
    return (context.calib["tailpipe"] + car["lifecycle_kg_per_km_extra"]
            + (np.arange(len(Fuel)) == Fuel.BEV) * car["electricity_kwh_per_km"]
            * context.drivers.electricity_ef[context.t])


def firm_fuel_factors(context: YearContext) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Freight cut by FirmSector, fossil t CO2e per MWh by FleetTech, and per MWh of process fuel, oil heat (times
    the share of firms' oil heating not yet converted, ``drivers.firm_heating_fossil``), diesel."""
    tech, d, t = context.tech, context.drivers, context.t
    fleet = tech["firm_fleet"]
    diesel_t = fleet["diesel_kg_per_mwh"] / 1000.0 * (1 - d.blend_diesel[t])
    return (freight_cut(context), np.array([diesel_t, diesel_t * fleet["bio_fossil_share"], 0.0]),
            np.array([tech["firm_process"]["fuel_kg_per_mwh"] / 1000.0,
                      tech["heating"]["oil_kg_per_mwh_heat"] / 1000.0 * d.firm_heating_fossil[t], diesel_t]))


def municipal_vehicle_t(context: YearContext) -> np.ndarray:
    """t CO2e/yr of one municipal vehicle by FleetTech (calibrated)."""
    mf, d, t = context.tech["municipal_fleet"], context.drivers, context.t
    return (mf["km_per_vehicle"] * mf["kg_per_km"] / 1000.0 * context.calib["fleet_factor"]
            * np.array([1 - d.blend_diesel[t], context.tech["firm_fleet"]["bio_fossil_share"], 0.0]))


def _household_totals(state: State, context: YearContext) -> np.ndarray:
    hh, cars, heat, consumption = (state.present_households(), state.present_cars(), context.tech["heating"],
                                   context.tech["consumption"])
    totals = np.empty(6)
    accounting.household_accounts(cars.owner, cars.fuel, km_per_car(context),
                                  state.km_factor[:state.n_present],
                                  car_fossil_kg_per_km(context), car_footprint_kg_per_km(context), hh.heating,
                                  hh.heat_demand, int(Heating.OIL), context.calib["household_oil_t_per_mwh"],
                                  np.asarray(heat["electricity_per_mwh_heat"], dtype=float),
                                  (np.arange(len(Heating)) == Heating.DISTRICT_HEATING).astype(float), hh.persons,
                                  hh.low_meat_diet, np.array([consumption["food_t_per_person"],
                                                              consumption["low_meat_food_t_per_person"]]), totals)
    return totals * state.weight


def _firm_totals(state: State, context: YearContext, machinery_fossil_free: np.ndarray) -> np.ndarray:
    """Firms' totals (see the kernel); writes each firm's direct emissions into ``state.direct``."""
    firms = state.firms
    freight, fleet_t, fuel_t = firm_fuel_factors(context)
    totals = np.empty(6)
    direct = np.empty(state.n_firms)
    accounting.firm_accounts(firms.sector, firms.vehicle_energy, firms.fleet_tech, firms.process_energy,
                             firms.process_electrified, firms.heating_fossil, firms.machinery_energy,
                             machinery_fossil_free, firms.electricity, firms.district_heat, firms.energy_step,
                             context.p["energy_step_saving"], state.delivery[state.firm_slice], freight, fleet_t,
                             fuel_t, int(FleetTech.ELECTRIC), context.p["electric_vehicle_efficiency"], totals, direct)
    state.direct[state.firm_slice] = direct
    return totals * state.weight


def heat_recovery_displaced(state: State, context: YearContext) -> float:
    """Share of district-heat production displaced by firms' surplus heat."""
    firms = state.firms
    eligible = firms.employees[firms.heat_recovery_eligible]
    connected = firms.employees[firms.heat_recovery_eligible & firms.heat_recovery]
    return context.p["heat_recovery_share"] * (connected.sum() / eligible.sum() if eligible.size else 0.0)


def account(state: State, context: YearContext) -> tuple[np.ndarray, float, np.ndarray, np.ndarray]:
    """Emissions by Sector (t CO2e), consumption per inhabitant (t CO2e), the group's scopes (t CO2e) and the
    cut by each sector measure (t CO2e, by Measure).

    Writes the organisations' direct emissions into ``state.direct``.
    """
    units, vehicles, d, t, calib, tech = (state.units, state.vehicles, context.drivers, context.t, context.calib,
                                          context.tech)
    household = _household_totals(state, context)
    levels = measures.year_uptake(context)
    permits = measures.permit_only(state, context, levels)
    firm = _firm_totals(state, context, state.machinery_fossil_free | permits)
    unit_delivery = state.delivery[state.unit_slice]   # a unit's climate plan cuts its fleet's and its heat's fuel
    unit_fleet = np.bincount(vehicles.owner, weights=municipal_vehicle_t(context)[vehicles.tech],
                             minlength=len(units.name)) * unit_delivery
    unit_heat = units.fossil_heat * unit_delivery * calib["unit_oil_t_per_mwh"]
    state.direct[state.unit_slice] = unit_fleet + unit_heat
    dh_demand = household[3] + firm[4] + float(np.sum(units.district_heat))
    dh_emissions = (dh_demand * calib["dh_t_per_mwh"] * d.district_heat_factor[t]
                    * (1.0 - heat_recovery_displaced(state, context)))
    exo = {k: v[t] for k, v in d.exogenous.items()}
    sectors = np.empty(len(Sector))
    sectors[Sector.TRANSPORT] = max(0.0, household[0] + firm[0] + float(unit_fleet.sum()) + exo["other_transport"]
                                    - state.grant_transport_cut)   # grants' charging and behaviour projects
    sectors[Sector.ELECTRICITY_DISTRICT_HEATING] = dh_emissions
    sectors[Sector.INDUSTRY] = firm[1] + exo["industrial_process"]
    sectors[Sector.AGRICULTURE] = exo["agriculture"]
    sectors[Sector.WORK_MACHINERY] = firm[3]
    sectors[Sector.PRODUCT_USE] = exo["product_use"]
    sectors[Sector.WASTE] = exo["waste"]
    sectors[Sector.OWN_HEATING] = household[2] + firm[2] + float(unit_heat.sum())
    abatement, _ = measures.aggregate_abatement(context, levels)
    measures.apply_cuts(sectors, abatement)
    abatement[Measure.MACHINERY_PERMITS] = machinery_saved(state, context, permits)
    criteria = 1.0 - d.procurement_criteria[t] * tech["consumption"]["criteria_effect"]
    scope3 = float((units.procurement * calib["procurement_t_per_sek"]).sum()) * criteria  # no BLAS: its threads
    scopes = np.array([float(unit_fleet.sum() + unit_heat.sum()) + dh_emissions,  # own energy company: scope 1
                       float(np.sum(units.electricity)) * d.electricity_ef[t], scope3])
    return sectors, _consumption_per_capita(state, context, household, scope3), scopes, abatement


def machinery_saved(state: State, context: YearContext, permits: np.ndarray) -> float:
    """t CO2e of the machinery of the firms in ``permits`` had it run on this year's blended diesel."""
    if not permits.any():
        return 0.0
    diesel_t = firm_fuel_factors(context)[2][2]
    firms = state.firms
    return float(np.sum(firms.machinery_energy[permits] * state.delivery[state.firm_slice][permits])) * diesel_t \
        * state.weight


def _consumption_per_capita(state: State, context: YearContext, household: np.ndarray, scope3: float) -> float:
    hh, d, t, calib, tech = state.present_households(), context.drivers, context.t, context.calib, context.tech
    persons = float(np.sum(hh.persons)) * state.weight
    goods = calib["goods_t_per_person"] * (1.0 + context.p["consumption_trend"]) ** t * (
        persons - tech["behaviour"]["pledge_goods_cut"] * float((hh.persons * state.strength[:state.n_present]).sum())
        * state.weight)
    dh_scope2 = calib["dh_scope2"] * d.district_heat_factor[t]
    household_part = (household[1] + household[2] + household[3] * dh_scope2
                      + household[4] * d.electricity_ef[t] + household[5] + goods
                      + persons * tech["consumption"]["aviation_t_per_person"]) / persons
    return household_part + (calib["public_other_t"] + scope3) / d.population[t]


def step(state: State, context: YearContext, records: MutableMapping[str, np.ndarray]) -> None:
    """Account the stock in use this year and record it (the state on 1 January)."""
    sectors, consumption, scopes, abatement = account(state, context)
    co2_share = context.data.co2_share
    fossil = sum(sectors[s] * co2_share[name] for s, name in enumerate(SECTORS))
    if context.year >= context.data.targets.budget.start_year:
        state.cumulative_co2 += fossil
    t, weight = context.t, state.weight
    records["emissions"][t] = sectors
    removal = np.array([context.sinks[s.name.lower()][t] for s in Sink])
    records["removals"][t] = removal
    total = sum(sectors)
    records["net_emissions"][t] = total - removal[:Sink.PURCHASED_OFFSETS].sum()   # offsets are kept apart
    records["net_emissions_with_offsets"][t] = total - removal.sum()
    records["consumption_emissions_per_capita"][t] = consumption
    records["municipal_group_emissions"][t] = scopes
    records["sector_measure_abatement"][t] = abatement
    records["fossil_co2"][t] = fossil
    records["cumulative_co2"][t] = state.cumulative_co2
    records["grant_abatement"][t] = state.grant_abatement
    records["car_fleet"][t] = np.bincount(state.present_cars().fuel, minlength=len(Fuel)) * weight
    records["heating_systems"][t] = np.bincount(state.present_households().heating, minlength=len(Heating)) * weight
    records["firm_energy_step"][t] = np.bincount(state.firms.energy_step, minlength=len(ENERGY_STEPS)) * weight
    records["heat_recovery_connections"][t] = np.count_nonzero(state.firms.heat_recovery) * weight
    _record_pledges(state, context, records)


def _record_pledges(state: State, context: YearContext, records: MutableMapping[str, np.ndarray]) -> None:
    """Pledges by kind, what pledged organisations committed to, and their direct emissions.

    A firm commits to ``pledge_commitment`` of its baseline; a unit to what its
    plan's rate cuts from its baseline by this year. ``pledged_direct`` (not an
    outcome) is the pledged organisations' direct emissions, from which
    :mod:`sim.counterfactual` makes ``delivered_reduction``; in the counterfactual
    it counts the organisations pledged in the run (``state.accounted_pledges``),
    whose own signing may differ where the pledge's effect changed their neighbours.
    """
    n_h, t = state.n_households, context.t
    org_weight = np.concatenate([np.full(state.n_firms, state.weight), np.ones(len(state.units.name))])
    pledged = (state.pledge_year[n_h:] != 0) * org_weight
    accounted = pledged if state.accounted_pledges is None else (
        (state.accounted_pledges != 0) & (state.accounted_pledges < context.year)) * org_weight
    baseline = state.pledge_baseline[n_h:]
    unit_years = np.maximum(0, context.year - state.pledge_year[state.unit_slice])
    commitment = np.concatenate([np.full(state.n_firms, context.p["pledge_commitment"]),
                                 1.0 - (1.0 - unit_plans(context)[1]) ** unit_years])
    records["pledged_reduction"][t] = np.sum(commitment * baseline * pledged)
    records.setdefault("pledged_direct", np.full(len(context.drivers.years), np.nan))[t] = np.sum(
        state.direct[n_h:] * accounted)
    records["pledges"][t] = [np.count_nonzero(state.pledge_year[:state.n_present]) * state.weight,
                             np.count_nonzero(state.pledge_year[state.firm_slice]) * state.weight,
                             np.count_nonzero(state.pledge_year[state.unit_slice])]


def record_flows(state: State, context: YearContext, records: MutableMapping[str, np.ndarray]) -> None:
    """Record the year's flows once its processes have run."""
    records["new_cars"][context.t] = state.new_cars
    records["costs"][context.t] = state.costs
    records["investment_costs"][context.t] = state.investment
    records["grant_spend"][context.t] = state.grant_spend


def close(state: State, context: YearContext, records: MutableMapping[str, np.ndarray]) -> None:
    """Per-run outcomes after the last year: the pledge goal (NaN when its year is outside the run)."""
    years = context.drivers.years
    goal = context.data.pledge_goal
    if years[0] <= goal.year <= years[-1]:
        by_goal = (state.pledge_year[state.n_households:] != 0) & (state.pledge_year[state.n_households:] <= goal.year)
        organisations = (np.count_nonzero(by_goal[:state.n_firms]) * state.weight
                         + np.count_nonzero(by_goal[state.n_firms:]))
        records["pledge_goal_met"][()] = float(organisations >= goal.organisations)
