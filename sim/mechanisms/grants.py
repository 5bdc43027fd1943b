"""Climate grants (klimatmedel): the municipal units' proposals, their ranking and what gets done (ODD step 2)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..declarations.codes import FleetTech, Payer, Stream
from ..kernels import grants
from ..kernels.rng import uniforms
from ..state import State, YearContext


@dataclass(frozen=True)
class Proposals:
    """The units' grant projects, in the order fleet (one per unit), heat (one per unit), efficiency (one per unit).

    ``cost`` in SEK, ``abatement`` the true cut in t CO2e/yr if executed;
    ``fleet_batch`` the vehicles each unit's fleet project electrifies and
    ``saved_power`` the MWh/yr its efficiency project saves.
    """

    cost: np.ndarray
    abatement: np.ndarray
    fleet_batch: np.ndarray
    saved_power: np.ndarray


def municipal_vehicle_t(context: YearContext) -> float:
    """t CO2e/yr of one fossil municipal vehicle this year (calibrated)."""
    mf = context.tech["municipal_fleet"]
    return (mf["km_per_vehicle"] * mf["kg_per_km"] / 1000.0 * (1 - context.drivers.blend_diesel[context.t])
            * context.calib["fleet_factor"])


def proposals(state: State, context: YearContext) -> Proposals:
    """Each unit proposes to electrify a batch of fossil vehicles, replace its oil heat and save electricity."""
    g, mf, units = context.tech["grants"], context.tech["municipal_fleet"], state.units
    fossil_vehicles = np.bincount(state.vehicles.owner, weights=state.vehicles.tech == FleetTech.FOSSIL,
                                  minlength=len(units.name))
    batch = np.minimum(fossil_vehicles, g["fleet_batch"])
    saved_power = units.electricity * g["efficiency_saving"]
    cost = np.concatenate([batch * mf["electric_premium_sek"], units.fossil_heat * g["heat_cost_sek_per_mwh"],
                           saved_power * g["efficiency_cost_sek_per_mwh"]])
    abatement = np.concatenate([batch * municipal_vehicle_t(context),
                                units.fossil_heat * context.calib["unit_oil_t_per_mwh"],
                                saved_power * context.drivers.electricity_ef[context.t]])
    return Proposals(cost, abatement, batch, saved_power)


def claim_overestimate(context: YearContext, n: int) -> np.ndarray:
    """Factor by which each proposal's claim overstates its true cut (mean ``1 + claim_overestimate``)."""
    p = context.p
    return 1.0 + p["claim_overestimate_spread"] * p["claim_overestimate"] * uniforms(
        context.seed, context.year, Stream.CLAIMS, n)


def execute(state: State, offer: Proposals, executed: np.ndarray) -> None:
    """Carry out the executed projects: vehicles electrified, oil heat to district heat, power saved."""
    units, vehicles = state.units, state.vehicles
    n_u = len(units.name)
    for unit in np.flatnonzero(executed[:n_u]):
        candidates = np.flatnonzero((vehicles.owner == unit) & (vehicles.tech == FleetTech.FOSSIL))
        vehicles.tech[candidates[:int(offer.fleet_batch[unit])]] = FleetTech.ELECTRIC
    heat_done = executed[n_u:2 * n_u]
    units.district_heat[heat_done] += units.fossil_heat[heat_done]
    units.fossil_heat[heat_done] = 0.0
    units.electricity[executed[2 * n_u:]] -= offer.saved_power[executed[2 * n_u:]]


def step(state: State, context: YearContext) -> None:
    """Fund proposals within the year's budget; the group pays grants and free riders' own projects."""
    p, budget = context.p, context.drivers.grant_budget[context.t]
    offer = proposals(state, context)
    real = offer.cost > 0
    overestimate = claim_overestimate(context, len(offer.cost))
    if budget <= 0 or not real.any():
        return
    index = np.flatnonzero(real)
    funded, executed = np.zeros(len(index), dtype=bool), np.zeros(len(index), dtype=bool)
    spend, credited = grants.allocate_grants(offer.cost[index], offer.abatement[index] * overestimate[index],
                                             offer.abatement[index], budget, p["grant_allocation"] == "lottery",
                                             p["free_rider_share"], p["grant_delivery"],
                                             context.key(Stream.GRANTS), funded, executed)
    all_funded, all_executed = np.zeros(len(offer.cost), dtype=bool), np.zeros(len(offer.cost), dtype=bool)
    all_funded[index], all_executed[index] = funded, executed
    execute(state, offer, all_executed)
    own_cost = float(np.sum(offer.cost[all_executed & ~all_funded]))
    state.grant_abatement += credited
    state.grant_spend = spend
    state.costs[Payer.MUNICIPAL_GROUP] += spend + own_cost
