"""Influence: what each agent shows its neighbours, and its exposure to them (ODD step 3)."""
from __future__ import annotations

import numpy as np

from ..declarations.codes import FleetTech, Fuel, Heating, Signal
from ..kernels import influence
from ..state import State, YearContext


def signal_bits(state: State) -> np.ndarray:
    """Signals each agent shows, as a byte with bit ``1 << Signal`` set (uint8[N])."""
    hh, cars, firms, vehicles = state.households, state.cars, state.firms, state.vehicles
    n_h = state.n_households
    low_carbon_car = np.zeros(len(state.kind), dtype=bool)
    plug_in = (cars.fuel == Fuel.BEV) | (cars.fuel == Fuel.PHEV)
    low_carbon_car[cars.owner[plug_in]] = True
    low_carbon_car[state.firm_slice] = firms.fleet_tech == FleetTech.ELECTRIC
    electric = vehicles.tech == FleetTech.ELECTRIC
    low_carbon_car[state.unit_slice.start + vehicles.owner[electric]] = True
    low_carbon_heat = np.zeros(len(state.kind), dtype=bool)
    low_carbon_heat[:n_h] = (hh.heating == Heating.DISTRICT_HEATING) | (hh.heating == Heating.HEAT_PUMP)
    low_carbon_heat[state.firm_slice] = firms.process_electrified | firms.heat_recovery
    stepped = np.zeros(len(state.kind), dtype=bool)
    stepped[state.firm_slice] = firms.energy_step > 0
    low_meat = np.zeros(len(state.kind), dtype=bool)
    low_meat[:n_h] = hh.low_meat_diet
    bits = low_carbon_car.astype(np.uint8) << Signal.LOW_CARBON_CAR
    bits |= low_carbon_heat.astype(np.uint8) << Signal.LOW_CARBON_HEAT
    bits |= (state.pledge_year != 0).astype(np.uint8) << Signal.PLEDGED
    bits |= stepped.astype(np.uint8) << Signal.STEPPED
    bits |= low_meat.astype(np.uint8) << Signal.LOW_MEAT
    return bits


def step(state: State, context: YearContext) -> None:
    """Everyone shows the signals of 1 January and sees the share of neighbours showing each."""
    state.signals[:] = signal_bits(state)
    influence.neighbour_share(context.network.indptr, context.network.indices, state.signals, state.exposure)
