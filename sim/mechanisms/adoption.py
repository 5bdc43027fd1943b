"""Adoption at replacement events: cars, heating, firm fleets, process energy, municipal vehicles (ODD step 5).

Each choice set (:class:`ChoiceSet`) is a plain function of the year's
context, shared with the Mesa reference; :func:`step` draws every agent's
decision with the logit-and-imitation kernels of :mod:`sim.kernels.adoption`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..declarations.codes import FleetTech, Fuel, Heating, Payer, ProcessEnergy, Signal, Stream
from ..kernels import adoption
from ..state import State, YearContext
from .influence import exposure
from .infrastructure import charging_availability


@dataclass(frozen=True)
class ChoiceSet:
    """The options of a replacement decision as the market offers them this year (one entry per option code)."""

    capex: np.ndarray        # annualised capital cost net of subsidies, SEK/yr
    usage_cost: np.ndarray   # SEK per unit of use (km, MWh)
    constant: np.ndarray     # alternative-specific constants, infrastructure terms included; -inf: not offered
    green: np.ndarray        # how low-carbon each option is, in [0, 1]
    cost_unit: float         # SEK per unit of utility
    imitation: np.ndarray    # imitation hazard per unit exposure


def crf(rate: float, years: float) -> float:
    """Capital recovery factor: annual payment per SEK of investment."""
    return rate / (1.0 - (1.0 + rate) ** -years) if rate > 0 else 1.0 / years


def utility_weights(context: YearContext) -> np.ndarray:
    """Cost, social, attitude and pledge weights of the utilities."""
    p = context.p
    return np.array([p["cost_weight"], p["social_weight"], p["attitude_weight"], p["pledge_bonus"]])


def car_net_premium(context: YearContext) -> np.ndarray:
    """Purchase premium over a petrol car by fuel, after the national BEV bonus (SEK)."""
    car, p, d, t = context.tech["car"], context.p, context.drivers, context.t
    premium = np.asarray(car["purchase_premium_sek"], dtype=float).copy()
    premium[Fuel.BEV] = d.bev_premium[t]
    premium[Fuel.PHEV] = car["purchase_premium_sek"][Fuel.PHEV] * np.exp(-p["bev_premium_decline"]
                                                                        * (context.year - 2020))
    return np.maximum(0.0, premium - np.where(np.arange(len(Fuel)) == Fuel.BEV, d.bev_bonus[t], 0.0))


def car_choice(context: YearContext, availability: float) -> ChoiceSet:
    """Household car fuels; ``availability`` of public charging enters the BEV's and PHEV's constants."""
    car, p = context.tech["car"], context.p
    constant = np.asarray(car["constant"], dtype=float).copy()
    constant[Fuel.BEV] = p["bev_barrier_2020"] + p["bev_barrier_trend"] * max(0, context.year - 2020) + availability
    constant[Fuel.PHEV] += p["phev_charging_factor"] * availability
    return ChoiceSet(car_net_premium(context) * crf(p["discount_rate_households"], car["annuity_years"]),
                     np.asarray(car["energy_cost_sek_per_km"], dtype=float), constant,
                     np.asarray(car["green"], dtype=float), p["household_cost_unit"],
                     p["imitation_rate"] * np.array(p["car_imitation"]))


def heat_pump_subsidy(context: YearContext) -> float:
    """SEK the municipality pays per heat pump installed (at most its cost)."""
    return min(context.p["heat_pump_subsidy"], context.p["heat_pump_cost"])


def heating_capital(context: YearContext) -> np.ndarray:
    """Capital cost of each heating system net of the heat-pump subsidy (SEK)."""
    capital = np.asarray(context.tech["heating"]["capital_cost_sek"], dtype=float).copy()
    capital[Heating.HEAT_PUMP] = context.p["heat_pump_cost"] - heat_pump_subsidy(context)
    return capital


def heating_extra_cost(context: YearContext) -> np.ndarray:
    """A household's extra investment in each system over an oil boiler, net of subsidy (SEK)."""
    capital = heating_capital(context)
    return np.maximum(0.0, capital - capital[Heating.OIL])


def heating_choice(context: YearContext) -> ChoiceSet:
    """Household heating systems (district heating only where it can be connected: see :func:`step`)."""
    heat, p = context.tech["heating"], context.p
    return ChoiceSet(heating_capital(context) * crf(p["discount_rate_households"], heat["annuity_years"]),
                     np.asarray(heat["price_sek_per_mwh"], dtype=float), np.asarray(heat["constant"], dtype=float),
                     np.asarray(heat["green"], dtype=float), p["household_cost_unit"],
                     p["imitation_rate"] * np.array(p["heating_imitation"]))


def fleet_choice(context: YearContext) -> ChoiceSet:
    """Firm fleet drives, per MWh of diesel-equivalent vehicle energy."""
    fleet, p = context.tech["firm_fleet"], context.p
    return ChoiceSet(np.array([0.0, 0.0, context.drivers.fleet_electric_premium[context.t]]),
                     np.asarray(fleet["cost_sek_per_mwh"], dtype=float), np.asarray(fleet["constant"], dtype=float),
                     np.asarray(fleet["green"], dtype=float), p["firm_cost_unit"],
                     p["imitation_rate"] * np.array(p["fleet_imitation"]))


def process_choice(context: YearContext) -> ChoiceSet:
    """Process heat: fuel (with the EU ETS price) or electrification, per MWh."""
    proc, p = context.tech["firm_process"], context.p
    fuel_cost = (proc["fuel_cost_sek_per_mwh"]
                 + context.drivers.ets_price[context.t] * proc["fuel_kg_per_mwh"] / 1000.0)
    return ChoiceSet(np.array([0.0, proc["electric_premium_sek_per_mwh"]]),
                     np.array([fuel_cost, proc["electric_cost_sek_per_mwh"]]),
                     np.asarray(proc["constant"], dtype=float), np.array(p["process_green"]), p["firm_cost_unit"],
                     p["imitation_rate"] * np.array(p["process_imitation"]))


def vehicle_choice(context: YearContext) -> ChoiceSet:
    """Municipal vehicles: only electric from the mandate year."""
    mf, p = context.tech["municipal_fleet"], context.p
    constant = np.array(p["municipal_vehicle_constant"])
    if context.year >= p["municipal_fleet_ev_year"]:
        constant[:FleetTech.ELECTRIC] = -np.inf
    premium = np.array([0.0, 0.0, mf["electric_premium_sek"]])
    return ChoiceSet(premium * crf(p["discount_rate_firms"], mf["annuity_years"]),
                     np.asarray(mf["cost_sek_per_km"], dtype=float), constant,
                     np.array(p["municipal_vehicle_green"]), p["household_cost_unit"], np.zeros(len(FleetTech)))


def _decide(choice: ChoiceSet, weights, current, owner, rate, usage_scale, usage, attitude, pledged, exposure, key,
            blocked_option: int = -1, blocked=None):
    """Events and choices of every item for one choice set; returns the options chosen and whether an event happened."""
    n = len(current)
    chosen = np.empty(n, dtype=np.int8)
    replaced = np.empty(n, dtype=bool)
    table = np.stack([choice.capex, choice.usage_cost, choice.constant, choice.green, choice.imitation])
    adoption.choose(current, owner, rate, usage_scale, usage, attitude, pledged, exposure, blocked_option,
                    np.zeros(len(rate), dtype=bool) if blocked is None else blocked, table, choice.cost_unit, weights,
                    key, chosen, replaced)
    return chosen, replaced


def _cars(state: State, context: YearContext, weights: np.ndarray) -> None:
    cars, hh, p, n_h = state.present_cars(), state.present_households(), context.p, state.n_present
    cars_real = max(1.0, len(cars.owner) * state.weight)
    choice = car_choice(context, charging_availability(context, cars_real))
    chosen, replaced = _decide(choice, weights, cars.fuel, cars.owner, np.full(n_h, p["car_replacement_rate"]),
                               context.calib["km_per_car"], hh.car_km_factor, hh.attitude, state.strength[:n_h],
                               exposure(state, context, Signal.LOW_CARBON_CAR, slice(0, n_h)), context.key(Stream.CARS))
    bought = np.bincount(chosen[replaced], minlength=len(Fuel)).astype(float)
    cars.fuel[:] = chosen
    state.new_cars = bought * state.weight
    state.costs[Payer.HOUSEHOLDS] += float((bought * car_net_premium(context)).sum()) * state.weight


def _heating(state: State, context: YearContext, weights: np.ndarray) -> None:
    hh, n_h = state.present_households(), state.n_present
    chosen, replaced = _decide(heating_choice(context), weights, hh.heating, np.arange(n_h, dtype=np.int32),
                               np.full(n_h, context.p["heating_replacement_rate"]), 1.0, hh.heat_demand, hh.attitude,
                               state.strength[:n_h], exposure(state, context, Signal.LOW_CARBON_HEAT, slice(0, n_h)),
                               context.key(Stream.HEATING), Heating.DISTRICT_HEATING, ~hh.dh_available)
    switched = replaced & (chosen != hh.heating)
    hh.heating[:] = chosen
    subsidised = int(np.count_nonzero(switched & (chosen == Heating.HEAT_PUMP)))
    state.costs[Payer.HOUSEHOLDS] += float(np.sum(heating_extra_cost(context)[chosen[switched]])) * state.weight
    state.costs[Payer.MUNICIPAL_GROUP] += heat_pump_subsidy(context) * subsidised * state.weight


def _firms(state: State, context: YearContext, weights: np.ndarray) -> None:
    firms, p = state.firms, context.p
    n_f = state.n_firms
    pledged = (state.pledge_year[state.firm_slice] != 0).astype(float)
    ones, itself = np.ones(n_f), np.arange(n_f, dtype=np.int32)
    chosen, _ = _decide(fleet_choice(context), weights, firms.fleet_tech, itself,
                        np.where(firms.vehicle_energy > 0, p["fleet_replacement_rate"], 0.0), 1.0, ones,
                        firms.attitude, pledged, exposure(state, context, Signal.LOW_CARBON_CAR, state.firm_slice),
                        context.key(Stream.FIRM_FLEET))
    firms.fleet_tech[:] = chosen
    cost = (float(np.sum(firms.vehicle_energy[chosen == FleetTech.ELECTRIC]))
            * context.drivers.fleet_electric_premium[context.t])
    process = process_choice(context)
    chosen, _ = _decide(process, weights, firms.process_electrified.astype(np.int8), itself,
                        np.where(firms.process_energy > 0, p["heating_replacement_rate"], 0.0), 1.0, ones,
                        firms.attitude, pledged, exposure(state, context, Signal.LOW_CARBON_HEAT, state.firm_slice),
                        context.key(Stream.PROCESS))
    firms.process_electrified[:] = chosen == ProcessEnergy.ELECTRIC
    cost += float(np.sum(firms.process_energy[firms.process_electrified])) * process.capex[ProcessEnergy.ELECTRIC]
    state.costs[Payer.FIRMS] += cost * state.weight


def _municipal_vehicles(state: State, context: YearContext, weights: np.ndarray) -> None:
    vehicles, n_v = state.vehicles, len(state.vehicles.owner)
    if n_v == 0:
        return
    mf = context.tech["municipal_fleet"]
    chosen, replaced = _decide(vehicle_choice(context), weights, vehicles.tech, np.arange(n_v, dtype=np.int32),
                               np.full(n_v, context.p["fleet_replacement_rate"]), 1.0,
                               np.full(n_v, mf["km_per_vehicle"]), np.full(n_v, context.p["unit_attitude"]),
                               np.zeros(n_v), np.zeros(n_v), context.key(Stream.MUNICIPAL_FLEET))
    bought_electric = int(np.count_nonzero(replaced & (chosen == FleetTech.ELECTRIC)))
    vehicles.tech[:] = chosen
    state.costs[Payer.MUNICIPAL_GROUP] += bought_electric * mf["electric_premium_sek"]


def step(state: State, context: YearContext) -> None:
    """Replacement events and choices of every household car and heating system, firm and municipal vehicle."""
    weights = utility_weights(context)
    _cars(state, context, weights)
    _heating(state, context, weights)
    _firms(state, context, weights)
    _municipal_vehicles(state, context, weights)
