"""Behaviour: kilometres and mode shift, diet, firms' efficiency steps and heat recovery (ODD step 6)."""
from __future__ import annotations

import numpy as np

from ..declarations.codes import ENERGY_STEPS, Payer, Signal, Stream, Zone
from ..kernels import behaviour
from ..state import State, YearContext
from .influence import exposure


def mode_shift(context: YearContext) -> np.ndarray:
    """Share of car kilometres moved to cycling and transit, by Zone."""
    p, d, t = context.p, context.drivers, context.t
    cycling = p["mode_shift_per_cycle_km"] * d.cycle_lanes[t]
    transit = p["transit_elasticity"] * (d.transit_level[t] - 1.0)
    shift = np.empty(len(Zone))
    shift[Zone.CENTRAL] = shift[Zone.URBAN] = cycling + transit
    shift[Zone.RURAL] = p["rural_transit_factor"] * transit
    return np.clip(shift, 0.0, p["mode_shift_cap"])


def _households(state: State, context: YearContext) -> None:
    hh, n_h, b = state.present_households(), state.n_present, context.tech["behaviour"]
    behaviour.household_behaviour(hh.zone, hh.attitude, state.strength[:n_h], exposure(state, context, Signal.LOW_MEAT, slice(0, n_h)),
                                  hh.low_meat_diet, np.asarray(b["zone_km_factor"]), mode_shift(context),
                                  b["pledge_km_cut"], context.p["diet_shift_rate"], context.key(Stream.DIET),
                                  state.km_factor[:n_h])


def _firms(state: State, context: YearContext) -> None:
    """Energy steps and heat recovery; the fast track's support is paid by the group."""
    firms, steps, hr, p = state.firms, context.tech["firm_steps"], context.tech["heat_recovery"], context.p
    pledged = (state.pledge_year[state.firm_slice] != 0).astype(float)
    before = firms.energy_step.copy()
    behaviour.climb_energy_steps(firms.energy_step, len(ENERGY_STEPS) - 1, pledged,
                                 exposure(state, context, Signal.STEPPED, state.firm_slice), steps["base_rate"],
                                 p["efficiency_support"], steps["pledge_factor"], steps["social_weight"],
                                 context.key(Stream.STEPS))
    step_cost = float(np.sum((firms.energy_step - before) * firms.employees)) * steps["cost_sek_per_employee"]
    connected_before = int(np.count_nonzero(firms.heat_recovery))
    behaviour.connect_heat_recovery(firms.heat_recovery_eligible, firms.heat_recovery, pledged, hr["base_rate"],
                                    hr["support_rate"], p["heat_recovery_support"], context.key(Stream.RECOVERY))
    connection_cost = (int(np.count_nonzero(firms.heat_recovery)) - connected_before) * hr["connection_cost_sek"]
    support_e, support_h = p["efficiency_support"], p["heat_recovery_support"]
    state.pay(slice(Payer.FIRMS, Payer.MUNICIPAL_GROUP + 1), np.array([step_cost * (1 - support_e) + connection_cost * (1 - support_h),
                                                  step_cost * support_e + connection_cost * support_h])
              * state.weight, investment=True)


def step(state: State, context: YearContext) -> None:
    """Households' car use and diet; firms' efficiency steps and heat recovery."""
    _households(state, context)
    _firms(state, context)
