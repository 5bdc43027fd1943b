"""What households, firms and the municipal group pay for the energy and fuel of the stock in use (ODD step 7).

The prices are the ones the decisions already use (:class:`EnergyPrices`, from the choice sets of
:mod:`sim.mechanisms.adoption` and the heating table), the quantities the ones the accounting turns
into emissions (:func:`sim.kernels.accounting.household_accounts` and ``firm_accounts``): car
kilometres after mode shift and pledges, heat demand by system, firms' vehicle, process, heating,
machinery, electricity and district-heat energy after efficiency steps, pledges and the rail share,
and the municipal units' vehicles, fossil heat, electricity and district heat. A lever's net cost is
then its change in ``costs`` plus its change in ``energy_expenditure`` against a counterfactual.
The extra cost of fossil-free machinery fuel is a lever cost (``costs``), not energy expenditure.
"""
from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass

import numpy as np

from ..declarations.codes import FleetTech, Heating, Payer
from ..kernels import energy as kernels
from ..state import State, YearContext
from .accounting import km_per_car
from .adoption import fleet_choice, heating_running_costs, process_choice, vehicle_choice
from .infrastructure import freight_cut


@dataclass(frozen=True)
class EnergyPrices:
    """This year's prices of the energy the model tracks, in SEK of the price year."""

    car_sek_per_km: np.ndarray            # by Fuel
    heat_sek_per_mwh: np.ndarray          # by water-borne distribution (0 no, 1 yes) and Heating
    fleet_sek_per_mwh: np.ndarray         # firms' diesel-equivalent vehicle energy by FleetTech
    process_sek_per_mwh: np.ndarray       # process energy: fuel with its EU ETS allowances, electricity
    vehicle_sek_per_km: np.ndarray        # municipal vehicles by FleetTech
    oil_heat_sek_per_mwh: float           # fossil heat of firms and units
    diesel_sek_per_mwh: float             # work machinery (a fossil fleet's diesel)
    electricity_sek_per_mwh: float
    district_heat_sek_per_mwh: float


def prices(context: YearContext) -> EnergyPrices:
    """The year's energy prices: the usage costs of the choice sets; electricity is the price of direct
    electric heat (one MWh of electricity per MWh of heat), district heat and oil heat those of the
    heating table."""
    heat = np.asarray(context.tech["heating"]["price_sek_per_mwh"], dtype=float)
    per_heat = np.asarray(context.tech["heating"]["electricity_per_mwh_heat"], dtype=float)
    fleet = fleet_choice(context).usage_cost
    return EnergyPrices(
        car_sek_per_km=np.asarray(context.tech["car"]["energy_cost_sek_per_km"], dtype=float),
        heat_sek_per_mwh=heating_running_costs(context), fleet_sek_per_mwh=fleet,
        process_sek_per_mwh=process_choice(context).usage_cost, vehicle_sek_per_km=vehicle_choice(context).usage_cost,
        oil_heat_sek_per_mwh=float(heat[Heating.OIL]), diesel_sek_per_mwh=float(fleet[FleetTech.FOSSIL]),
        electricity_sek_per_mwh=float(heat[Heating.DIRECT_ELECTRIC] / per_heat[Heating.DIRECT_ELECTRIC]),
        district_heat_sek_per_mwh=float(heat[Heating.DISTRICT_HEATING]))


def expenditure(state: State, context: YearContext, freight_cut: np.ndarray) -> np.ndarray:
    """SEK/yr each Payer spends on the energy of the stock in use this year (float64[len(Payer)]).

    ``freight_cut`` is the share of vehicle energy the rail share removes, by FirmSector
    (:func:`sim.mechanisms.accounting.firm_fuel_factors`).
    """
    price, out = prices(context), np.zeros(len(Payer))
    hh, cars, firms = state.present_households(), state.present_cars(), state.firms
    out[Payer.HOUSEHOLDS] = kernels.household_energy_bill(
        cars.owner, cars.fuel, km_per_car(context), state.km_factor[:state.n_present], price.car_sek_per_km,
        hh.heating, hh.hydronic, hh.heat_demand, price.heat_sek_per_mwh) * state.weight
    out[Payer.FIRMS] = kernels.firm_energy_bill(
        firms.sector, firms.vehicle_energy, firms.fleet_tech, firms.process_energy, firms.process_electrified,
        firms.heating_fossil, firms.machinery_energy, firms.electricity, firms.district_heat, firms.energy_step,
        context.p["energy_step_saving"], state.delivery[state.firm_slice], freight_cut, price.fleet_sek_per_mwh,
        price.process_sek_per_mwh, np.array([price.oil_heat_sek_per_mwh, price.diesel_sek_per_mwh,
                                             price.electricity_sek_per_mwh, price.district_heat_sek_per_mwh])
    ) * state.weight
    units, vehicles_of = state.units, state.vehicles
    unit_delivery = state.delivery[state.unit_slice]
    km_cost = (context.tech["municipal_fleet"]["km_per_vehicle"] * price.vehicle_sek_per_km[vehicles_of.tech]
               * unit_delivery[vehicles_of.owner])
    out[Payer.MUNICIPAL_GROUP] = float(np.sum(km_cost) + np.sum(
        units.fossil_heat * unit_delivery * price.oil_heat_sek_per_mwh
        + units.electricity * price.electricity_sek_per_mwh + units.district_heat * price.district_heat_sek_per_mwh))
    return out


def step(state: State, context: YearContext, records: MutableMapping[str, np.ndarray]) -> None:
    """Record the energy expenditure of the stock in use this year (the state on 1 January)."""
    records["energy_expenditure"][context.t] = expenditure(state, context, freight_cut(context))
