"""Influence: what each agent shows its neighbours, and its exposure to them (ODD step 3)."""
from __future__ import annotations

import numpy as np

from ..declarations.codes import FleetTech, Fuel, Heating, Signal
from ..kernels import influence
from ..state import State, YearContext


def signal_bits(state: State, out: np.ndarray) -> None:
    """Write the signals each agent shows into ``out`` (uint8[N]), bit ``1 << Signal`` set where shown.

    An absent household shows nothing, not even ``PRESENT``.
    """
    hh, cars, firms, vehicles = state.present_households(), state.present_cars(), state.firms, state.vehicles
    n_h = state.n_present
    out[:] = (((state.pledge_year != 0) & state.present).astype(np.uint8) << int(Signal.PLEDGED)
              | state.present.astype(np.uint8) << int(Signal.PRESENT))
    influence.household_signals(cars.owner, (cars.fuel == Fuel.BEV) | (cars.fuel == Fuel.PHEV),
                                (hh.heating == Heating.DISTRICT_HEATING) | (hh.heating == Heating.HEAT_PUMP),
                                hh.low_meat_diet, int(Signal.LOW_CARBON_CAR), int(Signal.LOW_CARBON_HEAT),
                                int(Signal.LOW_MEAT), out[:n_h])
    firm_bits = out[state.firm_slice]
    firm_bits |= (firms.fleet_tech == FleetTech.ELECTRIC).astype(np.uint8) << int(Signal.LOW_CARBON_CAR)
    firm_bits |= (firms.process_electrified | firms.heat_recovery).astype(np.uint8) << int(Signal.LOW_CARBON_HEAT)
    firm_bits |= (firms.energy_step > 0).astype(np.uint8) << int(Signal.STEPPED)
    electric = vehicles.tech == FleetTech.ELECTRIC
    out[state.unit_slice.start + vehicles.owner[electric]] |= np.uint8(1 << Signal.LOW_CARBON_CAR)


def step(state: State, context: YearContext) -> None:
    """Everyone shows the signals of 1 January; each agent's counts of neighbours showing each are brought up to date."""
    bits = np.empty_like(state.signals)
    signal_bits(state, bits)
    influence.update_counts(context.network.indptr, context.network.indices, state.signals, bits, state.signal_counts)


def exposure(state: State, context: YearContext, signal: Signal, agents: slice = slice(None)) -> np.ndarray:
    """Share of each agent's present neighbours showing ``signal`` (float64, for ``agents`` of the index space)."""
    start, stop, _ = agents.indices(len(state.kind))
    out = np.empty(stop - start)
    influence.shares(state.signal_counts, int(signal), int(Signal.PRESENT), start, out)
    return out
