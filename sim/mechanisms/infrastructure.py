"""Infrastructure and removal programmes the municipality builds and pays for (ODD step 2).

Infrastructure stocks follow the scenario's levers (:mod:`sim.exogenous`);
the group pays their investment, the running costs of transit, arena events,
rail freight (per MWh of truck energy moved to rail) and removal programmes;
their effects on decisions are read where the decision is made: charging
availability in the car choice (:func:`charging_availability`), cycle lanes
and transit in the mode shift (:func:`sim.mechanisms.behaviour.mode_shift`).
"""
from __future__ import annotations

import numpy as np

from ..declarations.codes import FirmSector, Payer
from ..state import State, YearContext


def charging_availability(context: YearContext, cars_real: float) -> float:
    """Public charging availability in [0, 1): points over points plus the half-saturation density."""
    points = context.drivers.charge_points[context.t]
    return points / (points + context.p["charging_half_saturation"] * cars_real / 1000.0)


def lever_investment(context: YearContext) -> float:
    """The municipal group's investment this year (SEK): new charge points and cycle lanes, and the
    establishment of this year's rewetted peatland."""
    infra, d, t = context.tech["infrastructure"], context.drivers, context.t
    new_points = d.charge_points[t] - (d.charge_points[t - 1] if t else d.charge_points[t])
    new_lanes = d.cycle_lanes[t] - (d.cycle_lanes[t - 1] if t else 0.0)
    return float(new_points * infra["charge_point_cost_sek"] + new_lanes * infra["cycle_lane_cost_sek_per_km"]
                 + context.sinks["rewetted_area_added"][t] * context.tech["removals"]["rewetting_cost_sek_per_ha"])


def lever_running_costs(context: YearContext) -> float:
    """The municipal group's running spending this year on transit, arena events, biochar storage, forestry
    measures and offsets (SEK)."""
    infra, rem, d, t, sinks = (context.tech["infrastructure"], context.tech["removals"], context.drivers,
                               context.t, context.sinks)
    return float((d.transit_level[t] - 1.0) * infra["transit_cost_sek_per_yr"]
                 + d.arena_events[t] * infra["arena_event_cost_sek"]
                 + sinks["biochar"][t] * rem["biochar_cost_sek_per_t"]
                 + sinks["forestry_area"][t] * rem["forestry_cost_sek_per_ha_yr"]
                 + sinks["purchased_offsets"][t] * rem["offset_cost_sek_per_t"])


def rail_freight_cost(context: YearContext, shifted_mwh: float) -> float:
    """The group's cost of this year's rail freight (SEK): terminal handling and modal-shift support per MWh
    of truck diesel (diesel-equivalent vehicle energy, whole municipality) the rail share removes."""
    return shifted_mwh * context.tech["infrastructure"]["rail_freight_cost_sek_per_mwh"]


def freight_cut(context: YearContext) -> np.ndarray:
    """Share of the firms' vehicle energy moved to rail this year, by FirmSector (local haulage only)."""
    cut = np.zeros(len(FirmSector))
    cut[FirmSector.TRANSPORT] = context.drivers.rail_share[context.t]
    return cut


def shifted_to_rail(state: State, context: YearContext) -> float:
    """MWh/yr of the firms' vehicle energy the rail share removes this year (whole municipality; the cut
    :func:`sim.kernels.accounting.firm_accounts` applies)."""
    firms = state.firms
    return float(np.sum(firms.vehicle_energy * freight_cut(context)[firms.sector]
                        * state.delivery[state.firm_slice])) * state.weight


def step(state: State, context: YearContext) -> None:
    """The group pays for this year's infrastructure, arena events, rail freight and removals."""
    state.pay(Payer.MUNICIPAL_GROUP, lever_investment(context), investment=True)
    state.pay(Payer.MUNICIPAL_GROUP, lever_running_costs(context)
              + rail_freight_cost(context, shifted_to_rail(state, context)), investment=False)
