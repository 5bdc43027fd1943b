"""Energy expenditure of households and firms: the quantities of :mod:`sim.kernels.accounting` times prices.

Sums run serially in agent order so that totals are bit-identical at any thread count.
"""
from numba import njit


@njit(cache=True)
def household_energy_bill(car_owner, car_fuel, km_per_car, km_factor, car_price, heating, hydronic, heat_demand,
                          heat_price):
    """SEK/yr the households pay for their cars' fuel or power and their heat (unweighted).

    Parameters
    ----------
    car_owner : int32[c]
    car_fuel : int8[c]
    km_per_car : float
        Base kilometres per car and year (calibrated).
    km_factor : float64[n]
        Household multiplier of car use.
    car_price : float64[5]
        SEK per km by fuel.
    heating : int8[n]
    hydronic : bool[n]
        Water-borne heat distribution.
    heat_demand : float64[n]
        MWh of heat per year.
    heat_price : float64[2, 5]
        SEK per MWh of heat by distribution (0 none, 1 water-borne) and system.
    """
    total = 0.0
    for c in range(car_owner.shape[0]):
        total += km_per_car * km_factor[car_owner[c]] * car_price[car_fuel[c]]
    for i in range(heating.shape[0]):
        total += heat_demand[i] * heat_price[1 if hydronic[i] else 0, heating[i]]
    return total


@njit(cache=True)
def firm_energy_bill(sector, vehicle_energy, fleet_tech, process_energy, process_electrified, heating_fossil,
                     machinery_energy, electricity, district_heat, energy_step, step_saving, delivery, freight_cut,
                     fleet_price, process_price, unit_prices):
    """SEK/yr the firms pay for their energy, with the quantities of ``firm_accounts`` (unweighted).

    Parameters
    ----------
    sector, vehicle_energy, fleet_tech, process_energy, process_electrified, heating_fossil, machinery_energy,
    electricity, district_heat, energy_step, step_saving, delivery, freight_cut
        As in :func:`sim.kernels.accounting.firm_accounts`.
    fleet_price : float64[3]
        SEK per MWh of diesel-equivalent vehicle energy by fleet technology.
    process_price : float64[2]
        SEK per MWh of process energy: fuel (with its allowances), electrified.
    unit_prices : float64[4]
        SEK per MWh of fossil heat, machinery diesel, electricity and district heat.
    """
    total = 0.0
    for i in range(sector.shape[0]):
        efficiency = (1.0 - step_saving) ** energy_step[i]
        vehicles = vehicle_energy[i] * (1.0 - freight_cut[sector[i]]) * delivery[i]
        process = process_energy[i] * efficiency * delivery[i]
        total += (vehicles * fleet_price[fleet_tech[i]]
                  + process * process_price[1 if process_electrified[i] else 0]
                  + heating_fossil[i] * efficiency * delivery[i] * unit_prices[0]
                  + machinery_energy[i] * delivery[i] * unit_prices[1]
                  + electricity[i] * efficiency * unit_prices[2]
                  + district_heat[i] * efficiency * unit_prices[3])
    return total
