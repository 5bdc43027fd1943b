"""Infrastructure and removal programmes the municipality builds and pays for (ODD step 2).

Infrastructure stocks follow the scenario's levers (:mod:`sim.exogenous`);
their effects on decisions are read where the decision is made: charging
availability in the car choice (:func:`charging_availability`), cycle lanes
and transit in the mode shift (:func:`sim.mechanisms.behaviour.mode_shift`).
"""
from __future__ import annotations

from ..declarations.codes import Payer
from ..state import State, YearContext


def charging_availability(context: YearContext, cars_real: float) -> float:
    """Public charging availability in [0, 1): points over points plus the half-saturation density."""
    points = context.drivers.charge_points[context.t]
    return points / (points + context.p["charging_half_saturation"] * cars_real / 1000.0)


def lever_costs(context: YearContext) -> float:
    """The municipal group's spending this year on charge points, cycle lanes, transit, removals and offsets (SEK)."""
    infra, rem, d, t, sinks = (context.tech["infrastructure"], context.tech["removals"], context.drivers,
                               context.t, context.sinks)
    new_points = d.charge_points[t] - (d.charge_points[t - 1] if t else d.charge_points[t])
    new_lanes = d.cycle_lanes[t] - (d.cycle_lanes[t - 1] if t else 0.0)
    cost = new_points * infra["charge_point_cost_sek"] + new_lanes * infra["cycle_lane_cost_sek_per_km"]
    cost += (d.transit_level[t] - 1.0) * infra["transit_cost_sek_per_yr"]
    cost += sinks["biochar"][t] * rem["biochar_cost_sek_per_t"]
    cost += sinks["rewetted_area_added"][t] * rem["rewetting_cost_sek_per_ha"]
    cost += sinks["forestry_area"][t] * rem["forestry_cost_sek_per_ha_yr"]
    cost += sinks["purchased_offsets"][t] * rem["offset_cost_sek_per_t"]
    return float(cost)


def step(state: State, context: YearContext) -> None:
    """The group pays for this year's infrastructure and removals."""
    state.costs[Payer.MUNICIPAL_GROUP] += lever_costs(context)
