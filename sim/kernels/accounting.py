"""Accounting: emissions of households and firms by sector, and consumption footprints.

Sums run serially in agent order so that totals are bit-identical at any
thread count.
"""
from numba import njit


@njit(cache=True)
def household_accounts(car_owner, car_fuel, km_per_car, km_factor, fossil_kg_per_km, footprint_kg_per_km,
                       heating, heat_demand, oil_system, oil_t_per_mwh, heat_electricity, heat_district, persons,
                       low_meat_diet, food, totals):
    """Territorial emissions, energy use and consumption footprints of households.

    Parameters
    ----------
    car_owner : int32[c]
    car_fuel : int8[c]
    km_per_car : float
        Base kilometres per car and year (calibrated).
    km_factor : float64[n]
        Household multiplier of car use (zone, mode shift, pledge).
    fossil_kg_per_km : float64[5]
        Territorial fossil CO2e per km by fuel, after bio blending.
    footprint_kg_per_km : float64[5]
        Consumption-based CO2e per km by fuel (tailpipe and lifecycle).
    heating : int8[n]
    heat_demand : float64[n]
        MWh of heat per year.
    oil_system : int
        Code of oil heating (``Heating.OIL``).
    oil_t_per_mwh : float
        Territorial t CO2e per MWh of oil heat (calibrated).
    heat_electricity, heat_district : float64[5]
        MWh of electricity and of district heat per MWh of heat, by system.
    persons : float64[n]
    low_meat_diet : bool[n]
    food : float64[2]
        t CO2e per person and year on a usual and on a low-meat diet.
    totals : float64[6]
        Written: car t CO2e (territorial), car travel footprint t CO2e, oil
        heating t CO2e, district heat MWh, electricity MWh, food footprint t CO2e.
    """
    for t in range(6):
        totals[t] = 0.0
    for i in range(persons.shape[0]):
        if heating[i] == oil_system:
            totals[2] += heat_demand[i] * oil_t_per_mwh
        totals[3] += heat_demand[i] * heat_district[heating[i]]
        totals[4] += heat_demand[i] * heat_electricity[heating[i]]
        totals[5] += persons[i] * (food[1] if low_meat_diet[i] else food[0])
    for c in range(car_owner.shape[0]):
        km = km_per_car * km_factor[car_owner[c]]
        totals[0] += km * fossil_kg_per_km[car_fuel[c]] / 1000.0
        totals[1] += km * footprint_kg_per_km[car_fuel[c]] / 1000.0


@njit(cache=True)
def firm_accounts(sector, vehicle_energy, fleet_tech, process_energy, process_electrified, heating_fossil,
                  machinery_energy, machinery_fossil_free, electricity, district_heat, energy_step,
                  step_saving, delivery, freight_cut, fleet_t_per_mwh, fuel_t_per_mwh, electric_fleet,
                  electric_efficiency, totals, direct):
    """Territorial emissions and energy use of firms.

    Energy-efficiency steps cut process, heating, electricity and district heat
    by ``step_saving`` each; a pledge's delivery factor cuts fossil use; the
    freight cut (rail, consolidation) acts on vehicle energy by sector.

    Parameters
    ----------
    sector : int8[n]
    vehicle_energy, process_energy, heating_fossil, machinery_energy : float64[n]
        MWh per year before steps, pledges and fuel switches.
    fleet_tech : int8[n]
        FleetTech code.
    process_electrified, machinery_fossil_free : bool[n]
    electricity, district_heat : float64[n]
        MWh per year before steps.
    energy_step : int8[n]
    step_saving : float
    delivery : float64[n]
        Pledge delivery factor (1 when unpledged).
    freight_cut : float64[7]
        Share of vehicle energy removed by rail and consolidation, by sector.
    fleet_t_per_mwh : float64[3]
        Fossil t CO2e per MWh of diesel-equivalent by fleet technology.
    fuel_t_per_mwh : float64[3]
        t CO2e per MWh of process fuel, heating oil (as heat) and machinery diesel.
    electric_fleet : int
        Code of an electric fleet (``FleetTech.ELECTRIC``), whose vehicle energy
        is drawn as electricity.
    electric_efficiency : float
        MWh of diesel-equivalent vehicle energy per MWh of electricity.
    totals : float64[6]
        Written: transport, industry, own heating, work machinery t CO2e;
        district heat MWh; electricity MWh.
    direct : float64[n]
        Written: each firm's direct (scope 1) t CO2e.
    """
    for t in range(6):
        totals[t] = 0.0
    for i in range(sector.shape[0]):
        efficiency = (1.0 - step_saving) ** energy_step[i]
        vehicles = vehicle_energy[i] * (1.0 - freight_cut[sector[i]]) * delivery[i]
        transport = vehicles * fleet_t_per_mwh[fleet_tech[i]]
        power = electricity[i] * efficiency
        if fleet_tech[i] == electric_fleet:
            power += vehicles / electric_efficiency
        process = process_energy[i] * efficiency * delivery[i]
        industry = 0.0
        if process_electrified[i]:
            power += process
        else:
            industry = process * fuel_t_per_mwh[0]
        heat = heating_fossil[i] * efficiency * delivery[i] * fuel_t_per_mwh[1]
        machinery = 0.0
        if not machinery_fossil_free[i]:
            machinery = machinery_energy[i] * delivery[i] * fuel_t_per_mwh[2]
        totals[0] += transport
        totals[1] += industry
        totals[2] += heat
        totals[3] += machinery
        totals[4] += district_heat[i] * efficiency
        totals[5] += power
        direct[i] = transport + industry + heat + machinery
