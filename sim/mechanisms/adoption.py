"""Adoption at replacement events: cars, heating, firm fleets, process energy, municipal vehicles (ODD step 5).

Each choice set (:class:`ChoiceSet`) is a plain function of the year's
context, shared with the Mesa reference; :func:`step` draws every agent's
decision with the logit-and-imitation kernels of :mod:`sim.kernels.adoption`.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
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
    """Capital recovery factor: annual payment per SEK of investment.

    Written with ``expm1`` and ``log1p`` so that a rate too small for
    ``(1 + rate) ** -years`` to differ from 1 gives ``1 / years``, not a
    division by zero.
    """
    return rate / -math.expm1(-years * math.log1p(rate)) if rate > 0 else 1.0 / years


def utility_weights(context: YearContext) -> np.ndarray:
    """Cost, social, attitude and pledge weights of the utilities."""
    p = context.p
    return np.array([p["cost_weight"], p["social_weight"], p["attitude_weight"], p["pledge_bonus"]])


def car_bonus(context: YearContext) -> np.ndarray:
    """The national climate bonus (bonus-malus) by fuel of a new car this year (SEK), paid by the state."""
    d, t = context.drivers, context.t
    bonus = np.zeros(len(Fuel))
    bonus[Fuel.BEV], bonus[Fuel.PHEV] = d.bev_bonus[t], d.phev_bonus[t]
    return bonus


def car_net_premium(context: YearContext) -> np.ndarray:
    """Purchase premium over a petrol car by fuel, after the national BEV and PHEV bonuses (SEK, never below 0)."""
    car, p, d, t = context.tech["car"], context.p, context.drivers, context.t
    premium = np.asarray(car["purchase_premium_sek"], dtype=float).copy()
    premium[Fuel.BEV] = d.bev_premium[t]
    premium[Fuel.PHEV] = car["purchase_premium_sek"][Fuel.PHEV] * np.exp(-p["bev_premium_decline"]
                                                                        * (context.year - 2020))
    return np.maximum(0.0, premium - car_bonus(context))


def car_choice(context: YearContext, availability: float) -> ChoiceSet:
    """Household car fuels; ``availability`` of public charging enters the BEV's and PHEV's constants."""
    car, p = context.tech["car"], context.p
    constant = np.asarray(car["constant"], dtype=float).copy()
    constant[Fuel.BEV] = p["bev_barrier_2020"] + p["bev_barrier_trend"] * (context.year - 2020) + availability
    constant[Fuel.PHEV] = (p["phev_barrier"] + p["phev_barrier_trend"] * (context.year - 2020)
                           + p["phev_charging_factor"] * availability)
    return ChoiceSet(car_net_premium(context) * crf(p["discount_rate_households"], car["annuity_years"]),
                     np.asarray(car["energy_cost_sek_per_km"], dtype=float), constant,
                     np.asarray(car["green"], dtype=float), p["household_cost_unit"],
                     p["imitation_rate"] * np.array(p["car_imitation"]))


WATER_BORNE = np.array([Heating.DISTRICT_HEATING, Heating.OIL, Heating.BIOFUEL])
"""Systems that feed water-borne distribution in every house (a heat pump does unless it is air-to-air)."""


def heating_group(hydronic, current):
    """Index of the heating choice table a household faces: water-borne distribution or not, times its system.

    Works on arrays (the engine) and on single values (the Mesa reference).
    """
    return np.asarray(hydronic, dtype=np.int64) * len(Heating) + np.asarray(current, dtype=np.int64)


def heating_gross_capital(context: YearContext) -> np.ndarray:
    """SEK to install each system (columns) in a house of each group (rows, :func:`heating_group`), before subsidy.

    With water-borne distribution: the installed cost, or less where a part
    is kept: the district-heating connection (a new substation only), a heat
    pump's borehole (a new pump only), an electric boiler to which a pump is
    docked (the pump only, the boiler staying as back-up). Without: district
    heating, oil and biofuel boilers need the conversion to water-borne
    distribution first, and the heat pump on offer is an air-to-air pump.
    """
    heat, p = context.tech["heating"], context.p
    new = np.asarray(heat["capital_cost_sek"], dtype=float).copy()
    new[Heating.HEAT_PUMP] = p["heat_pump_cost"]
    capital = np.empty((2 * len(Heating), len(Heating)))
    for current in Heating:
        kept = new.copy()
        if current == Heating.DISTRICT_HEATING:
            kept[Heating.DISTRICT_HEATING] = heat["district_heating_renewal_sek"]
        if current in (Heating.HEAT_PUMP, Heating.DIRECT_ELECTRIC):   # borehole kept, or docked to the boiler
            kept[Heating.HEAT_PUMP] = new[Heating.HEAT_PUMP] * heat["heat_pump_machine_share"]
        capital[heating_group(True, current)] = kept
        converted = new.copy()
        converted[WATER_BORNE] += p["hydronic_conversion_cost"]
        converted[Heating.HEAT_PUMP] = heat["air_to_air_cost_sek"]
        capital[heating_group(False, current)] = converted
    return capital


def heating_subsidy(context: YearContext) -> np.ndarray:
    """SEK the municipality pays a household of each group that installs a heat pump in place of another system.

    At most the pump's cost; nothing where a heat pump replaces a heat pump.
    """
    subsidy = np.minimum(context.p["heat_pump_subsidy"], heating_gross_capital(context)[:, Heating.HEAT_PUMP])
    subsidy[heating_group(np.array([False, True]), Heating.HEAT_PUMP)] = 0.0
    return subsidy


def heating_capital(context: YearContext) -> np.ndarray:
    """Capital cost of each system (columns) for each group (rows) net of the heat-pump subsidy (SEK)."""
    capital = heating_gross_capital(context)
    capital[:, Heating.HEAT_PUMP] -= heating_subsidy(context)
    return capital


def heating_extra_cost(context: YearContext) -> np.ndarray:
    """A household's extra investment in each system (columns) over an oil boiler in a water-borne house (SEK)."""
    oil_boiler = context.tech["heating"]["capital_cost_sek"][Heating.OIL]
    return np.maximum(0.0, heating_capital(context) - oil_boiler)


def heating_replacement_rates(context: YearContext) -> np.ndarray:
    """Yearly hazard of a heating decision by the system held: worn-out systems, and direct electric rarely."""
    rates = np.full(len(Heating), context.p["heating_replacement_rate"])
    rates[Heating.DIRECT_ELECTRIC] = context.p["direct_electric_replacement_rate"]
    return rates


def heating_choices(context: YearContext) -> list[ChoiceSet]:
    """Household heating systems, one choice set per group of :func:`heating_group`.

    Capital is annualised over each system's life at the households' implicit
    discount rate, so the cost term is the lifetime cost per year; in a house
    without water-borne distribution the heat pump is an air-to-air pump with
    its own life and running cost (direct electric for the heat it does not
    save). Changing system costs the hassle of :func:`heating_constants`.
    District heating only where it can be connected: see :func:`step`.
    """
    heat, p = context.tech["heating"], context.p
    rate, life = p["discount_rate_households"], np.asarray(heat["service_life_years"], dtype=float)
    air_life = life.copy()
    air_life[Heating.HEAT_PUMP] = heat["air_to_air_life_years"]
    annuity = {True: np.array([crf(rate, years) for years in life]),
               False: np.array([crf(rate, years) for years in air_life])}
    running = dict(zip((False, True), heating_running_costs(context)))
    capital = heating_capital(context)
    green = np.asarray(heat["green"], dtype=float)
    imitation = p["imitation_rate"] * np.array(p["heating_imitation"])
    return [ChoiceSet(capital[heating_group(hydronic, current)] * annuity[hydronic], running[hydronic],
                      heating_constants(context, current), green, p["household_cost_unit"], imitation)
            for hydronic in (False, True) for current in Heating]


def heating_running_costs(context: YearContext) -> np.ndarray:
    """SEK per MWh of heat by system (columns) in a house without (row 0) and with (row 1) water-borne
    distribution: without it the heat pump is an air-to-air pump, direct electric for the heat it does not save."""
    price = np.asarray(context.tech["heating"]["price_sek_per_mwh"], dtype=float)
    air_price = price.copy()
    air_price[Heating.HEAT_PUMP] = price[Heating.DIRECT_ELECTRIC] * (1.0 - context.p["air_to_air_saving"])
    return np.stack([air_price, price])


def heating_constants(context: YearContext, current: int) -> np.ndarray:
    """Hassle constants of each system for a household holding ``current``: changing system costs hassle."""
    constant = np.asarray(context.tech["heating"]["constant"], dtype=float).copy()
    constant[np.arange(len(Heating)) != current] -= context.p["heating_switching_hassle"]
    return constant


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


def _decide(choices: Sequence[ChoiceSet], weights, current, owner, rate, usage_scale, usage, attitude, pledged,
            exposure, key, blocked_option: int = -1, blocked=None, group=None):
    """Events and choices of every item; owner ``o`` faces ``choices[group[o]]`` (one set: no group).

    Returns the options chosen and whether an event happened.
    """
    n, m = len(current), len(rate)
    chosen = np.empty(n, dtype=np.int8)
    replaced = np.empty(n, dtype=bool)
    tables = np.stack([np.stack([c.capex, c.usage_cost, c.constant, c.green, c.imitation]) for c in choices])
    adoption.choose(current, owner, rate, usage_scale, usage, attitude, pledged, exposure, blocked_option,
                    np.zeros(m, dtype=bool) if blocked is None else blocked,
                    np.zeros(m, dtype=np.int64) if group is None else group, tables, choices[0].cost_unit, weights,
                    key, chosen, replaced)
    return chosen, replaced


def _cars(state: State, context: YearContext, weights: np.ndarray) -> None:
    cars, hh, p, n_h = state.present_cars(), state.present_households(), context.p, state.n_present
    cars_real = max(1.0, len(cars.owner) * state.weight)
    choice = car_choice(context, charging_availability(context, cars_real))
    chosen, replaced = _decide((choice,), weights, cars.fuel, cars.owner, np.full(n_h, p["car_replacement_rate"]),
                               context.calib["km_per_car"], hh.car_km_factor, hh.attitude, state.strength[:n_h],
                               exposure(state, context, Signal.LOW_CARBON_CAR, slice(0, n_h)), context.key(Stream.CARS))
    bought = np.bincount(chosen[replaced], minlength=len(Fuel)).astype(float)
    cars.fuel[:] = chosen
    state.new_cars = bought * state.weight
    state.pay(Payer.HOUSEHOLDS, float((bought * car_net_premium(context)).sum()) * state.weight, investment=True)
    state.pay(Payer.STATE, float((bought * car_bonus(context)).sum()) * state.weight, investment=True)


def _heating(state: State, context: YearContext, weights: np.ndarray) -> None:
    hh, n_h = state.present_households(), state.n_present
    group = heating_group(hh.hydronic, hh.heating)
    chosen, replaced = _decide(heating_choices(context), weights, hh.heating, np.arange(n_h, dtype=np.int32),
                               heating_replacement_rates(context)[hh.heating], 1.0, hh.heat_demand, hh.attitude,
                               state.strength[:n_h], exposure(state, context, Signal.LOW_CARBON_HEAT, slice(0, n_h)),
                               context.key(Stream.HEATING), Heating.DISTRICT_HEATING, ~hh.dh_available, group)
    switched = replaced & (chosen != hh.heating)
    pump = switched & (chosen == Heating.HEAT_PUMP)
    state.pay(Payer.HOUSEHOLDS, float(np.sum(heating_extra_cost(context)[group[switched], chosen[switched]]))
              * state.weight, investment=True)
    state.pay(Payer.MUNICIPAL_GROUP, float(np.sum(heating_subsidy(context)[group[pump]])) * state.weight,
              investment=True)
    hh.hydronic |= switched & np.isin(chosen, WATER_BORNE)   # the conversion was paid with the new system
    hh.heating[:] = chosen


def _firms(state: State, context: YearContext, weights: np.ndarray) -> None:
    firms, p = state.firms, context.p
    n_f = state.n_firms
    pledged = (state.pledge_year[state.firm_slice] != 0).astype(float)
    ones, itself = np.ones(n_f), np.arange(n_f, dtype=np.int32)
    chosen, _ = _decide((fleet_choice(context),), weights, firms.fleet_tech, itself,
                        np.where(firms.vehicle_energy > 0, p["fleet_replacement_rate"], 0.0), 1.0, ones,
                        firms.attitude, pledged, exposure(state, context, Signal.LOW_CARBON_CAR, state.firm_slice),
                        context.key(Stream.FIRM_FLEET))
    firms.fleet_tech[:] = chosen
    cost = (float(np.sum(firms.vehicle_energy[chosen == FleetTech.ELECTRIC]))
            * context.drivers.fleet_electric_premium[context.t])
    process = process_choice(context)
    chosen, _ = _decide((process,), weights, firms.process_electrified.astype(np.int8), itself,
                        np.where(firms.process_energy > 0, p["heating_replacement_rate"], 0.0), 1.0, ones,
                        firms.attitude, pledged, exposure(state, context, Signal.LOW_CARBON_HEAT, state.firm_slice),
                        context.key(Stream.PROCESS))
    firms.process_electrified[:] = chosen == ProcessEnergy.ELECTRIC
    cost += float(np.sum(firms.process_energy[firms.process_electrified])) * process.capex[ProcessEnergy.ELECTRIC]
    state.pay(Payer.FIRMS, cost * state.weight, investment=True)   # annualised capital charges of the premiums


def _municipal_vehicles(state: State, context: YearContext, weights: np.ndarray) -> None:
    vehicles, n_v = state.vehicles, len(state.vehicles.owner)
    if n_v == 0:
        return
    mf = context.tech["municipal_fleet"]
    chosen, replaced = _decide((vehicle_choice(context),), weights, vehicles.tech, np.arange(n_v, dtype=np.int32),
                               np.full(n_v, context.p["fleet_replacement_rate"]), 1.0,
                               np.full(n_v, mf["km_per_vehicle"]), np.full(n_v, context.p["unit_attitude"]),
                               np.zeros(n_v), np.zeros(n_v), context.key(Stream.MUNICIPAL_FLEET))
    bought_electric = int(np.count_nonzero(replaced & (chosen == FleetTech.ELECTRIC)))
    vehicles.tech[:] = chosen
    state.pay(Payer.MUNICIPAL_GROUP, bought_electric * mf["electric_premium_sek"], investment=True)


def step(state: State, context: YearContext) -> None:
    """Replacement events and choices of every household car and heating system, firm and municipal vehicle."""
    weights = utility_weights(context)
    _cars(state, context, weights)
    _heating(state, context, weights)
    _firms(state, context, weights)
    _municipal_vehicles(state, context, weights)
