"""Base-year intensities that make the start state reproduce the published totals.

Each agent-driven part of a sector (``sector_split.csv``) is its share of the
start year's SMHI total. Firms' fossil energy is allocated from those parts
directly (:mod:`sim.population`); for households and the municipal group the
activity comes from documented figures (cars per inhabitant, heating mix,
heat demand, vehicles) and one intensity per part is solved from the
*expected* activity of the population, not from a drawn one, so a run's start
year deviates from the statistics only by sampling noise. The solved
intensities are checked against physical emission factors in the tests.
"""
from __future__ import annotations

import numpy as np

from .data import MunicipalityData
from .declarations.codes import FIRM_SECTORS, HEATING_SYSTEMS, PROCUREMENT, Dwelling, Fuel, Heating
from .declarations.constants import VALUES as CONSTANTS
from .exogenous import blend_in
from .population import car_fleet_mix, cars_per_inhabitant, zone_shares_by_dwelling

APARTMENT, DETACHED = Dwelling.APARTMENT, Dwelling.DETACHED
LOW_MEAT_SHARE = CONSTANTS["low_meat_share"]


def _expected_households(data: MunicipalityData, year: int) -> dict[str, float]:
    a = data.assumptions
    dwellings = data.series_value("dwellings", year)
    counts = {APARTMENT: dwellings["multi_dwelling"], DETACHED: dwellings["single_family"]}
    mixes = {APARTMENT: a["heating_mix_apartment"], DETACHED: a["heating_mix_detached"]}
    demand = {APARTMENT: a["household_heat_demand"]["apartment"], DETACHED: a["household_heat_demand"]["detached"]}
    heat_by_system = np.zeros(len(HEATING_SYSTEMS))
    for kind in (APARTMENT, DETACHED):
        shares = np.array([mixes[kind][h] for h in HEATING_SYSTEMS])
        heat_by_system += counts[kind] * demand[kind] * shares / shares.sum()
    relative_cars = {APARTMENT: a["cars_per_household"]["apartment"], DETACHED: a["cars_per_household"]["detached"]}
    zones = zone_shares_by_dwelling(data)
    factor = np.asarray(data.technology["behaviour"]["zone_km_factor"])
    car_weight = {k: counts[k] * relative_cars[k] for k in counts}
    zone_factor = sum(car_weight[k] * zones[k] @ factor for k in counts) / sum(car_weight.values())
    return {"heat_by_system": heat_by_system, "car_zone_factor": float(zone_factor)}


def calibrate(data: MunicipalityData, year: int, car_traffic: float = 1.0) -> dict[str, object]:
    """Intensities and residuals of the start year.

    Parameters
    ----------
    data : MunicipalityData
    year : int
        Start year.
    car_traffic : float
        Household car traffic of the start year relative to a normal year (below 1 in a pandemic year,
        :attr:`sim.exogenous.Drivers.car_traffic`): ``km_per_car`` is a normal year's, so that the start
        year's observed transport is reproduced at this year's traffic.

    Returns
    -------
    dict
        ``km_per_car`` (km/yr), ``tailpipe`` (kg/km by fuel),
        ``household_oil_t_per_mwh``, ``unit_oil_t_per_mwh``, ``fleet_factor``
        (municipal vehicles, relative to the technology figure), ``dh_t_per_mwh``
        (territorial), ``dh_scope2`` (t/MWh), ``procurement_t_per_sek`` (by
        category), ``public_other_t`` and ``goods_t_per_person``.
    """
    tech, a, split = data.technology, data.assumptions, data.sector_split
    emissions = data.series_value("emissions", year)
    inhabitants = data.series_value("population", year)
    expected = _expected_households(data, year)
    fuel = tech["fuel"]
    fossil = {"petrol": 1 - blend_in(fuel["petrol_blend"], year), "diesel": 1 - blend_in(fuel["diesel_blend"], year),
              "gas": fuel["gas_fossil_share"], "none": 0.0}
    tailpipe = np.asarray(tech["car"]["tailpipe_kg_per_km"], dtype=float)
    fossil_share = np.array([fossil[f] for f in tech["car"]["fossil_fuel"]])
    mix = car_fleet_mix(data, year)
    cars = cars_per_inhabitant(data, year) * inhabitants
    car_target = emissions["transport"] * split["transport"]["household_cars"]
    km_per_car = car_target * 1000.0 / (cars * expected["car_zone_factor"] * float(mix @ (tailpipe * fossil_share))
                                        * car_traffic)

    oil_mwh = expected["heat_by_system"][Heating.OIL]
    household_oil = emissions["own_heating"] * split["own_heating"]["household_heating"] / oil_mwh

    units = data.municipal_units
    fleet = tech["municipal_fleet"]
    shares = np.asarray(a["municipal_fleet"]["initial_shares"], dtype=float)
    per_vehicle = fleet["km_per_vehicle"] * fleet["kg_per_km"] / 1000.0 * float(
        shares @ np.array([fossil["diesel"], tech["firm_fleet"]["bio_fossil_share"], 0.0]))
    fleet_target = emissions["transport"] * split["transport"]["municipal_fleet"]
    fleet_factor = fleet_target / (units["vehicles"].sum() * per_vehicle)
    unit_oil = emissions["own_heating"] * split["own_heating"]["municipal_heating"] / units["fossil_heat_mwh"].sum()

    energy = a["firm_energy"]
    firm_employees = a["private_employment_share"]["value"] * data.figures["employed"]
    sectors = a["firm_sectors"]
    non_agri = 1.0 - sectors["agriculture"] / sum(sectors[s] for s in FIRM_SECTORS)
    firm_dh = firm_employees * non_agri * energy["district_heat_mwh_per_employee"]
    dh_demand = expected["heat_by_system"][Heating.DISTRICT_HEATING] + firm_dh + units["district_heat_mwh"].sum()
    dh_t_per_mwh = emissions["electricity_district_heating"] / dh_demand

    intensity = np.array([data.procurement_intensity[c] / 1000.0 for c in PROCUREMENT])
    procurement = np.stack([units[f"procurement_{c}_msek"] * 1e6 for c in PROCUREMENT], axis=1)
    criteria = 1.0 - a["procurement_criteria_start"]["value"] * tech["consumption"]["criteria_effect"]
    scope3 = float(np.sum(procurement @ intensity)) * criteria
    public_other = data.figures["public_consumption_and_investment"] - scope3

    # goods and services: what the consumption footprint leaves after the modelled parts
    consumption = tech["consumption"]
    dh_scope2 = data.figures["district_heat_scope2_factor"]
    electricity_ef = data.figures["electricity_emission_factor"]
    electric_heat = np.asarray(tech["heating"]["electricity_per_mwh_heat"], dtype=float)
    footprint_km = tailpipe + tech["car"]["lifecycle_kg_per_km_extra"] + (
        np.arange(len(Fuel)) == Fuel.BEV) * tech["car"]["electricity_kwh_per_km"] * electricity_ef
    household = (cars * expected["car_zone_factor"] * km_per_car * car_traffic * float(mix @ footprint_km) / 1000.0
                 + oil_mwh * household_oil + expected["heat_by_system"][Heating.DISTRICT_HEATING] * dh_scope2
                 + float(expected["heat_by_system"] @ electric_heat) * electricity_ef
                 + inhabitants * ((1 - LOW_MEAT_SHARE) * consumption["food_t_per_person"]
                                  + LOW_MEAT_SHARE * consumption["low_meat_food_t_per_person"]
                                  + consumption["aviation_t_per_person"]))
    goods = data.figures["consumption_per_capita"] - (public_other + scope3 + household) / inhabitants
    return {"km_per_car": km_per_car, "tailpipe": tailpipe, "household_oil_t_per_mwh": household_oil,
            "unit_oil_t_per_mwh": unit_oil, "fleet_factor": fleet_factor, "dh_t_per_mwh": dh_t_per_mwh,
            "dh_scope2": dh_scope2, "procurement_t_per_sek": intensity, "public_other_t": public_other,
            "goods_t_per_person": goods}
