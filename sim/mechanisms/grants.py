"""Climate grants (klimatmedel): the municipal units' proposals, their ranking and what gets done (ODD step 2).

Every year each unit proposes one project of each :class:`GrantProject` kind
that it still can (vehicles to electrify or to move to biogas, charge points,
fossil heat to replace, electricity to save, a behaviour project), so the pool
renews itself: a unit whose fleet is electrified proposes other kinds. Free
riders go ahead whether or not there is a budget, so a comparison with and
without grants credits only the additional projects.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..declarations.codes import FleetTech, GrantProject, Payer, Stream
from ..kernels import grants
from ..kernels.rng import uniforms
from ..state import State, YearContext
from .accounting import municipal_vehicle_t


@dataclass(frozen=True)
class Proposals:
    """The units' grant projects: kind by kind in :class:`GrantProject` order, one per unit within a kind.

    ``cost`` in SEK, ``abatement`` the true cut in t CO2e/yr if executed;
    ``ids`` each proposal's stable identity (``kind * n_units + unit``);
    ``electrify`` and ``to_biogas`` the vehicles a unit's vehicle and biogas
    projects convert, ``saved_power`` the MWh/yr its efficiency project saves.
    """

    cost: np.ndarray
    abatement: np.ndarray
    ids: np.ndarray
    electrify: np.ndarray
    to_biogas: np.ndarray
    saved_power: np.ndarray

    def of(self, kind: GrantProject) -> slice:
        """Positions of one kind's proposals (one per unit)."""
        n_u = len(self.electrify)
        return slice(kind * n_u, (kind + 1) * n_u)


def proposals(state: State, context: YearContext) -> Proposals:
    """This year's proposal of each kind from each unit (cost 0 where a unit has nothing left of that kind)."""
    g, mf, p, units = context.tech["grants"], context.tech["municipal_fleet"], context.p, state.units
    n_u = len(units.name)
    plan = state.delivery[state.unit_slice]          # a unit's plan already cuts its fuel use
    fossil = np.bincount(state.vehicles.owner, weights=state.vehicles.tech == FleetTech.FOSSIL, minlength=n_u)
    electrify = np.minimum(fossil, g["fleet_batch"])
    to_biogas = np.minimum(fossil - electrify, g["fleet_batch"])
    saved_power = units.electricity * g["efficiency_saving"]
    points = np.full(n_u, float(g["charging_points_per_project"]))
    vehicle_t = municipal_vehicle_t(context)
    district_heat_t = context.calib["dh_t_per_mwh"] * context.drivers.district_heat_factor[context.t]
    cost = np.concatenate([electrify * mf["electric_premium_sek"], to_biogas * g["biogas_cost_sek_per_vehicle"],
                           points * context.tech["infrastructure"]["charge_point_cost_sek"],
                           units.fossil_heat * g["heat_cost_sek_per_mwh"],
                           saved_power * g["efficiency_cost_sek_per_mwh"], np.full(n_u, g["behaviour_cost_sek"])])
    abatement = np.concatenate([
        electrify * (vehicle_t[FleetTech.FOSSIL] - vehicle_t[FleetTech.ELECTRIC]) * plan,
        to_biogas * (vehicle_t[FleetTech.FOSSIL] - vehicle_t[FleetTech.BIOFUEL]) * plan,
        points * p["grant_charging_t_per_point"],
        units.fossil_heat * (context.calib["unit_oil_t_per_mwh"] * plan - district_heat_t),
        saved_power * context.drivers.electricity_ef[context.t],
        np.full(n_u, p["grant_behaviour_t_per_project"])])
    return Proposals(cost, abatement, np.arange(len(cost), dtype=np.int64), electrify, to_biogas, saved_power)


def claim_overestimate(context: YearContext, n: int) -> np.ndarray:
    """Factor by which each proposal's claim overstates its true cut (mean ``1 + claim_overestimate``)."""
    p = context.p
    return 1.0 + p["claim_overestimate_spread"] * p["claim_overestimate"] * uniforms(
        context.seed, context.year, Stream.CLAIMS, n)


def execute(state: State, offer: Proposals, executed: np.ndarray) -> None:
    """Carry out the executed projects: vehicles electrified or to biogas, charge points and behaviour projects
    (a lasting cut of transport), oil heat to district heat, power saved."""
    units, vehicles = state.units, state.vehicles
    done = {kind: executed[offer.of(kind)] for kind in GrantProject}
    for unit in np.flatnonzero(done[GrantProject.VEHICLES] | done[GrantProject.BIOGAS]):
        candidates = np.flatnonzero((vehicles.owner == unit) & (vehicles.tech == FleetTech.FOSSIL))
        n_electric = int(offer.electrify[unit]) if done[GrantProject.VEHICLES][unit] else 0
        vehicles.tech[candidates[:n_electric]] = FleetTech.ELECTRIC
        if done[GrantProject.BIOGAS][unit]:   # the next batch: never the vehicles of the electric batch
            start = int(offer.electrify[unit])
            vehicles.tech[candidates[start:start + int(offer.to_biogas[unit])]] = FleetTech.BIOFUEL
    for kind in (GrantProject.CHARGING, GrantProject.BEHAVIOUR):
        state.grant_transport_cut += float(np.sum(offer.abatement[offer.of(kind)][done[kind]]))
    heat_done = done[GrantProject.HEATING]
    units.district_heat[heat_done] += units.fossil_heat[heat_done]
    units.fossil_heat[heat_done] = 0.0
    efficiency = done[GrantProject.EFFICIENCY]
    units.electricity[efficiency] -= offer.saved_power[efficiency]


def step(state: State, context: YearContext) -> None:
    """Fund proposals within the year's budget (possibly none); free riders go ahead on the group's own money."""
    p, budget = context.p, context.drivers.grant_budget[context.t]
    offer = proposals(state, context)
    real = offer.cost > 0
    overestimate = claim_overestimate(context, len(offer.cost))
    if not real.any():
        return
    index = np.flatnonzero(real)
    funded, executed = np.zeros(len(index), dtype=bool), np.zeros(len(index), dtype=bool)
    spend, credited = grants.allocate_grants(offer.cost[index], offer.abatement[index] * overestimate[index],
                                             offer.abatement[index], offer.ids[index], budget,
                                             p["grant_allocation"] == "lottery", p["free_rider_share"],
                                             p["grant_delivery"], context.key(Stream.GRANTS),
                                             context.run_key(Stream.FREE_RIDERS), funded, executed)
    all_funded, all_executed = np.zeros(len(offer.cost), dtype=bool), np.zeros(len(offer.cost), dtype=bool)
    all_funded[index], all_executed[index] = funded, executed
    execute(state, offer, all_executed)
    own_cost = float(np.sum(offer.cost[all_executed & ~all_funded]))
    state.grant_abatement += credited
    state.grant_spend = spend
    state.pay(Payer.MUNICIPAL_GROUP, spend + own_cost, investment=False)
    paid = (all_funded | all_executed)[offer.of(GrantProject.BEHAVIOUR)]
    running = float(np.sum(offer.cost[offer.of(GrantProject.BEHAVIOUR)][paid]))   # behaviour projects
    state.investment[Payer.MUNICIPAL_GROUP] += max(0.0, spend + own_cost - running)
