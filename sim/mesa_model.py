"""The model's rules written as a plain Mesa 3 model: the readable reference of :mod:`sim.engine`.

Each household, firm and municipal unit is a Python object whose ``step()``
says what it does in a year, in the words of the ODD (DESIGN section 4); the
municipality is a policy actor that funds grants and builds infrastructure;
the Climatevolution network is a :class:`mesa.space.NetworkGrid` on the
networkx graph of :func:`sim.network.build_network`; a
:class:`mesa.DataCollector` records each year. Configuration and data are
shared with the engine (scenario, parameter values, municipality data,
initial population, network, base-year calibration, drivers, Dataset
assembly); the numerics are not: no kernel of :mod:`sim.kernels` is called,
only its counter-based random numbers (:mod:`sim.kernels.rng`).

A decision draws from the same key as the engine's, ``(seed, year, stream,
agent index)``, so with ``stream_offset=0`` the two implementations take the
same decisions and agree to rounding; a nonzero offset gives the Mesa model
draws independent of the engine's, for statistical comparisons.

    ds = sim.mesa_model.simulate(scenario, seed=1, scale=0.02)   # same Dataset as sim.simulate
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Mapping

import mesa
import numpy as np
import xarray as xr
from mesa.agent import AgentSet
from mesa.space import NetworkGrid

from .base_year import calibrate
from .data import SECTORS, load_municipality
from .engine import (CARS, CLAIMS, DIET, FIRM, FIRM_FLEET, FULFILMENT, GRANTS, HEATING, HOUSEHOLD, LOW_CARBON_CAR,
                     LOW_CARBON_HEAT, LOW_MEAT, MUNICIPAL_FLEET, PLEDGE_RAMP_YEARS, PLEDGED, PLEDGES, PROCESS,
                     RECOVERY, STEPPED, STEPS, UNIT, UNIT_ATTITUDE, crf, package_version)
from .exogenous import build_drivers, removals
from .kernels.rng import make_key, uniform, uniform_at
from .network import build_network
from .population import BEV, DH, ELECTRIC, FIRM_SECTORS, FOSSIL, HEAT_PUMP, OIL, PHEV, build_population
from .results import ENERGY_STEPS, SINKS, VARIABLES, empty_records, to_dataset
from .sampling import parameter_values
from .scenario import Scenario

STREAMS = (CARS, HEATING, FIRM_FLEET, PROCESS, MUNICIPAL_FLEET, PLEDGES, DIET, STEPS, RECOVERY, GRANTS, CLAIMS)
YEARLY = tuple(name for name, (dims, _, _) in VARIABLES.items() if dims[:1] == ("year",))


def happens(hazard: float, key, index: int) -> bool:
    """Whether an event of yearly ``hazard`` happens to agent ``index`` this year."""
    return uniform(key, index) < 1.0 - math.exp(-hazard)


class Options:
    """A choice set at a replacement event, as the market offers it this year."""

    def __init__(self, capex, usage_cost, constant, green, cost_unit, imitation):
        self.capex = [float(x) for x in capex]            # annualised capital cost net of subsidies, SEK/yr
        self.usage_cost = [float(x) for x in usage_cost]  # SEK per km or MWh
        self.constant = [float(x) for x in constant]      # barriers and infrastructure terms
        self.green = [float(x) for x in green]            # how low-carbon each option is, 0..1
        self.cost_unit = float(cost_unit)                 # SEK per unit of utility
        self.imitation = [float(x) for x in imitation]    # imitation hazard per unit exposure

    def utilities(self, weights, usage, attitude, pledge, exposure) -> list[float]:
        """Cost of ownership, social influence, attitude and pledge: the terms of published adoption models."""
        lean = weights[1] * exposure + weights[2] * (attitude - 0.5) + weights[3] * pledge
        return [c - weights[0] * (k + usage * u) / self.cost_unit + lean * g
                for k, u, c, g in zip(self.capex, self.usage_cost, self.constant, self.green)]

    def choose(self, current, rate, utilities, exposure, key, index) -> tuple[int, bool]:
        """A replacement event at hazard ``rate`` or an imitation of neighbours; then a logit choice.

        Returns the option held afterwards and whether an event happened
        (replacing like with like is an event too). An option of utility
        ``-inf`` is not available to the agent: neither chosen nor imitated.
        """
        imitation = self.imitation
        imitating = imitation[current] == 0.0      # adopters do not imitate (Bass)
        imitated = sum(q for option, (q, u) in enumerate(zip(imitation, utilities))
                       if imitating and option != current and u != -math.inf)
        total = rate + exposure * imitated
        if total <= 0.0 or uniform_at(key, index, 0) >= 1.0 - math.exp(-total):
            return current, False
        top = max(utilities)
        shares = [math.exp(u - top) for u in utilities]
        denominator = sum(shares)
        target = uniform_at(key, index, 1) * total
        cumulative, last = 0.0, current
        for option, share in enumerate(shares):
            hazard = rate * share / denominator
            if imitating and option != current and utilities[option] != -math.inf:
                hazard += imitation[option] * exposure
            if hazard > 0.0:
                last = option
            cumulative += hazard
            if target < cumulative:
                return option, True
        return last, True


class Car:
    __slots__ = ("fuel", "index")

    def __init__(self, index, fuel):
        self.index, self.fuel = index, fuel    # index: the counter of the car's draws


class Vehicle:
    __slots__ = ("index", "tech")

    def __init__(self, index, tech):
        self.index, self.tech = index, tech    # tech: fossil, biofuel or electric


class Actor(mesa.Agent):
    """What households, firms and municipal units share: ties in the network, signals, a pledge."""

    kind = HOUSEHOLD

    def __init__(self, model, index, attitude):
        super().__init__(model)
        self.index = index            # place in the engine's agent order: the counter of the actor's draws
        self.attitude = float(attitude)
        self.pledge_year = 0
        self.pledge_baseline = 0.0    # direct t CO2e at signing
        self.direct = 0.0             # direct t CO2e last year
        self.strength = 0.0           # of the pledge this year: 1 when fresh, decaying
        self.delivery = 1.0           # share of fossil energy left after the pledge's cut
        self.signals = [0.0] * 5
        self.exposure = [0.0] * 5
        self.neighbours = []

    def show_signals(self):
        self.signals = [float(s) for s in self.visible()]

    def observe_neighbours(self):
        """Share of neighbours showing each signal (low-carbon car and heat, pledge, energy step, diet)."""
        if self.neighbours:
            totals = [0.0] * 5
            for other in self.neighbours:
                totals = [a + b for a, b in zip(totals, other.signals)]
            self.exposure = [x / len(self.neighbours) for x in totals]
        else:
            self.exposure = [0.0] * 5

    def consider_pledge(self):
        """Sign a local climate pledge, more likely with arena events, pledged neighbours and a green attitude."""
        m = self.model
        if not self.pledge_year:
            hazard = ((m.pledge_hazard[self.kind] + m.values["pledge_social_weight"] * self.exposure[PLEDGED])
                      * 2.0 * self.attitude)
            if hazard > 0.0 and happens(hazard, m.keys[PLEDGES], self.index):
                self.pledge_year = m.year
                self.pledge_baseline = self.direct
        self.strength = math.exp(-m.values["pledge_decay"] * (m.year - self.pledge_year)) if self.pledge_year else 0.0
        self.delivery = self.pledge_delivery()

    @property
    def pledged(self) -> float:
        return 1.0 if self.pledge_year else 0.0

    def pledge_delivery(self) -> float:
        """Share of fossil energy left: the commitment times the actor's own fulfilment, ramped up.

        The fulfilment is the actor's own, fixed for the run: uniform on the
        widest interval in [0, 1] whose mean is the parameter.
        """
        m, f = self.model, self.model.values["pledge_fulfilment"]
        if not self.pledge_year:
            return 1.0
        low, high = max(0.0, 2.0 * f - 1.0), min(1.0, 2.0 * f)
        own = low + (high - low) * uniform_at(m.fulfilment_key, self.index, 0)
        progress = min(1.0, (m.year - self.pledge_year + 1) / PLEDGE_RAMP_YEARS)
        return 1.0 - m.values["pledge_commitment"] * own * progress


class Household(Actor):
    """A household: its dwelling's heating, its cars, its travel and diet."""

    def __init__(self, model, index, hh, cars):
        super().__init__(model, index, hh.attitude[index])
        self.zone, self.persons = int(hh.zone[index]), float(hh.persons[index])
        self.heating, self.heat_demand = int(hh.heating[index]), float(hh.heat_demand[index])
        self.dh_available, self.low_meat_diet = bool(hh.dh_available[index]), bool(hh.low_meat_diet[index])
        self.car_km_factor = float(hh.car_km_factor[index])
        self.cars = cars
        self.km_factor = self.car_km_factor   # no mode shift or pledge before the first year's behaviour

    def visible(self):
        return (any(c.fuel in (BEV, PHEV) for c in self.cars), self.heating in (DH, HEAT_PUMP), self.pledge_year != 0,
                False, self.low_meat_diet)

    def step(self):
        """A household's year: perhaps a pledge, then car and heating replacement, then travel and diet."""
        self.consider_pledge()
        for car in self.cars:
            self.replace_car(car)
        self.replace_heating()
        self.travel_and_eat()

    def replace_car(self, car):
        m, market = self.model, self.model.car_market
        usage = m.calib["km_per_car"] * self.car_km_factor
        u = market.utilities(m.weights, usage, self.attitude, self.strength, self.exposure[LOW_CARBON_CAR])
        car.fuel, replaced = market.choose(car.fuel, m.values["car_replacement_rate"], u,
                                           self.exposure[LOW_CARBON_CAR], m.keys[CARS], car.index)
        if replaced:
            m.new_cars[car.fuel] += 1
            m.costs[0] += m.car_net_premium[car.fuel] * m.weight

    def replace_heating(self):
        m, market = self.model, self.model.heating_market
        u = market.utilities(m.weights, self.heat_demand, self.attitude, self.strength, self.exposure[LOW_CARBON_HEAT])
        if not self.dh_available:
            u[0] = -math.inf                    # cannot be connected to district heating
        chosen, replaced = market.choose(self.heating, m.values["heating_replacement_rate"], u,
                                         self.exposure[LOW_CARBON_HEAT], m.keys[HEATING], self.index)
        if replaced and chosen != self.heating:
            m.costs[0] += m.heating_extra_cost[chosen] * m.weight
            if chosen == HEAT_PUMP:
                m.costs[2] += m.heat_pump_subsidy * m.weight       # the municipality pays the subsidy
        self.heating = chosen

    def travel_and_eat(self):
        """Car use after the zone's mode shift and a pledge's cut; perhaps a turn to a low-meat diet."""
        m = self.model
        self.km_factor = (m.tech["behaviour"]["zone_km_factor"][self.zone] * (1.0 - m.mode_shift[self.zone])
                          * (1.0 - m.tech["behaviour"]["pledge_km_cut"] * self.strength))
        if not self.low_meat_diet:
            hazard = m.values["diet_shift_rate"] * 2.0 * self.attitude * (1.0 + self.strength + self.exposure[LOW_MEAT])
            self.low_meat_diet = happens(hazard, m.keys[DIET], self.index)

    def account(self, fossil_kg_per_km, footprint_kg_per_km):
        """Car t CO2e, travel footprint, oil-heating t CO2e, district heat MWh, electricity MWh, food footprint."""
        m = self.model
        km = m.calib["km_per_car"] * self.km_factor
        heat = m.tech["heating"]
        return (sum(km * fossil_kg_per_km[c.fuel] / 1000.0 for c in self.cars),
                sum(km * footprint_kg_per_km[c.fuel] / 1000.0 for c in self.cars),
                self.heat_demand * m.calib["household_oil_t_per_mwh"] if self.heating == OIL else 0.0,
                self.heat_demand if self.heating == DH else 0.0,
                self.heat_demand * heat["electricity_per_mwh_heat"][self.heating],
                self.persons * m.tech["consumption"]["low_meat_food_t_per_person" if self.low_meat_diet
                                                     else "food_t_per_person"])


class Firm(Actor):
    """A workplace: its vehicle fleet, process energy, Energitrappan step and surplus heat."""

    kind = FIRM
    FIELDS = ("sector", "employees", "vehicle_energy", "fleet_tech", "process_energy", "process_electrified",
              "heating_fossil", "machinery_energy", "electricity", "district_heat", "energy_step",
              "heat_recovery_eligible", "heat_recovery", "municipal_supplier")

    def __init__(self, model, index, firms, j):
        super().__init__(model, index, firms.attitude[j])
        self.j = j                    # index among firms: the counter of its fleet, process and step draws
        for name in self.FIELDS:
            setattr(self, name, getattr(firms, name)[j].item())
        self.machinery_fossil_free = False

    def visible(self):
        return (self.fleet_tech == ELECTRIC, self.process_electrified or self.heat_recovery, self.pledge_year != 0,
                self.energy_step > 0, False)

    def step(self):
        """A firm's year: perhaps a pledge, renewal of fleet and process energy, efficiency, heat recovery."""
        self.consider_pledge()
        self.renew_fleet()
        self.renew_process_energy()
        self.climb_energy_ladder()
        self.connect_heat_recovery()

    def renew_fleet(self):
        m, market = self.model, self.model.fleet_market
        u = market.utilities(m.weights, 1.0, self.attitude, self.pledged, self.exposure[LOW_CARBON_CAR])
        rate = m.values["fleet_replacement_rate"] if self.vehicle_energy > 0 else 0.0
        self.fleet_tech, _ = market.choose(self.fleet_tech, rate, u, self.exposure[LOW_CARBON_CAR],
                                           m.keys[FIRM_FLEET], self.j)
        if self.fleet_tech == ELECTRIC:
            m.costs[1] += self.vehicle_energy * m.drivers.fleet_electric_premium[m.t] * m.weight

    def renew_process_energy(self):
        m, market = self.model, self.model.process_market
        u = market.utilities(m.weights, 1.0, self.attitude, self.pledged, self.exposure[LOW_CARBON_HEAT])
        rate = m.values["heating_replacement_rate"] if self.process_energy > 0 else 0.0
        chosen, _ = market.choose(int(self.process_electrified), rate, u, self.exposure[LOW_CARBON_HEAT],
                                  m.keys[PROCESS], self.j)
        self.process_electrified = chosen == 1
        if self.process_electrified:
            m.costs[1] += self.process_energy * market.capex[1] * m.weight

    def climb_energy_ladder(self):
        """One more Energitrappan step, faster with the fast track's support, a pledge and stepping neighbours."""
        m, steps = self.model, self.model.tech["firm_steps"]
        if self.energy_step >= ENERGY_STEPS[-1]:
            return
        support = m.values["efficiency_support"]
        hazard = (steps["base_rate"] * (1.0 + 2.0 * support) * (1.0 + steps["pledge_factor"] * self.pledged)
                  + steps["social_weight"] * self.exposure[STEPPED])
        if happens(hazard, m.keys[STEPS], self.j):
            self.energy_step += 1
            cost = self.employees * steps["cost_sek_per_employee"] * m.weight
            m.costs[1] += cost * (1 - support)
            m.costs[2] += cost * support

    def connect_heat_recovery(self):
        """An eligible firm connects its surplus heat to district heating."""
        m, hr = self.model, self.model.tech["heat_recovery"]
        if not self.heat_recovery_eligible or self.heat_recovery:
            return
        support = m.values["heat_recovery_support"]
        hazard = hr["base_rate"] * (1.0 + self.pledged) + hr["support_rate"] * support
        if happens(hazard, m.keys[RECOVERY], self.j):
            self.heat_recovery = True
            m.costs[1] += hr["connection_cost_sek"] * m.weight * (1 - support)
            m.costs[2] += hr["connection_cost_sek"] * m.weight * support

    def account(self, freight_cut, fleet_t_per_mwh, fuel_t_per_mwh):
        """Transport, industry, heating, machinery t CO2e; district heat and electricity MWh; sets ``direct``."""
        m, delivery = self.model, self.delivery
        efficiency = (1.0 - m.values["energy_step_saving"]) ** self.energy_step
        vehicles = self.vehicle_energy * (1.0 - freight_cut[self.sector]) * delivery
        transport = vehicles * fleet_t_per_mwh[self.fleet_tech]
        power = self.electricity * efficiency + (vehicles / 3.0 if self.fleet_tech == ELECTRIC else 0.0)
        process = self.process_energy * efficiency * delivery
        industry = 0.0 if self.process_electrified else process * fuel_t_per_mwh[0]
        power += process if self.process_electrified else 0.0
        heat = self.heating_fossil * efficiency * delivery * fuel_t_per_mwh[1]
        machinery = 0.0 if self.machinery_fossil_free else self.machinery_energy * delivery * fuel_t_per_mwh[2]
        self.direct = transport + industry + heat + machinery
        return transport, industry, heat, machinery, self.district_heat * efficiency, power


class MunicipalUnit(Actor):
    """A department or company of the municipal group: its vehicles, buildings and procurement."""

    kind = UNIT

    def __init__(self, model, index, units, u, vehicles):
        super().__init__(model, index, UNIT_ATTITUDE)
        self.fossil_heat, self.electricity = float(units.fossil_heat[u]), float(units.electricity[u])
        self.district_heat, self.procurement = float(units.district_heat[u]), units.procurement[u]
        self.vehicles = vehicles

    def visible(self):
        return any(v.tech == ELECTRIC for v in self.vehicles), False, self.pledge_year != 0, False, False

    def step(self):
        """A unit's year: perhaps a pledge, then renewal of its vehicles (electric only after the mandate)."""
        self.consider_pledge()
        m, market = self.model, self.model.vehicle_market
        for vehicle in self.vehicles:
            u = market.utilities(m.weights, m.tech["municipal_fleet"]["km_per_vehicle"], UNIT_ATTITUDE, 0.0, 0.0)
            vehicle.tech, replaced = market.choose(vehicle.tech, m.values["fleet_replacement_rate"], u, 0.0,
                                                   m.keys[MUNICIPAL_FLEET], vehicle.index)
            if replaced and vehicle.tech == ELECTRIC:
                m.costs[2] += m.tech["municipal_fleet"]["electric_premium_sek"]

    def proposals(self, vehicle_t):
        """Grant projects (cost SEK, true t CO2e/yr cut): electrify a batch of vehicles, replace oil, save power."""
        m, g = self.model, self.model.tech["grants"]
        batch = min(sum(v.tech == FOSSIL for v in self.vehicles), g["fleet_batch"])
        saved = self.electricity * g["efficiency_saving"]
        return [("fleet", batch * m.tech["municipal_fleet"]["electric_premium_sek"], batch * vehicle_t, batch),
                ("heat", self.fossil_heat * g["heat_cost_sek_per_mwh"],
                 self.fossil_heat * m.calib["unit_oil_t_per_mwh"], 0),
                ("efficiency", saved * g["efficiency_cost_sek_per_mwh"], saved * m.drivers.electricity_ef[m.t], saved)]

    def execute(self, project, size):
        if project == "fleet":
            for vehicle in [v for v in self.vehicles if v.tech == FOSSIL][:int(size)]:
                vehicle.tech = ELECTRIC
        elif project == "heat":
            self.district_heat += self.fossil_heat
            self.fossil_heat = 0.0
        else:
            self.electricity -= size


class Municipality(mesa.Agent):
    """The city as policy actor: climate grants, infrastructure, removals, procurement demands."""

    def step(self):
        m = self.model
        self.allocate_grants()
        m.costs[2] += m.grant_spend + self.lever_costs()
        if m.year >= m.values["fossil_free_machinery_year"]:
            for firm in m.firms:
                if firm.municipal_supplier and firm.machinery_energy > 0:
                    firm.machinery_fossil_free = True
            m.costs[2] += (m.tech["machinery"]["fossil_free_cost_sek_per_mwh"] * m.weight
                           * sum(f.machinery_energy for f in m.firms if f.machinery_fossil_free))

    def allocate_grants(self):
        """Rank the units' proposals by claimed tonnes per krona (or by lot) and fund them within the budget.

        Claims overstate the true cut; a free rider goes ahead without a grant;
        only funded, delivered projects that are not free riders count as
        additional abatement.
        """
        m, t = self.model, self.model.t
        mf = m.tech["municipal_fleet"]
        vehicle_t = mf["km_per_vehicle"] * mf["kg_per_km"] / 1000.0 * (1 - m.drivers.blend_diesel[t]) * m.calib[
            "fleet_factor"]
        by_unit = [unit.proposals(vehicle_t) for unit in m.units]
        projects = [(unit, *by_unit[u][kind]) for kind in range(3) for u, unit in enumerate(m.units)]
        overestimate = [1.0 + 2.0 * m.values["claim_overestimate"] * uniform(m.keys[CLAIMS], i)
                        for i in range(len(projects))]
        real = [(p, o) for p, o in zip(projects, overestimate) if p[2] > 0]
        m.grant_spend = 0.0
        budget = m.drivers.grant_budget[t]
        if budget <= 0 or not real:
            return
        key, lottery = m.keys[GRANTS], m.values["grant_allocation"] == "lottery"
        rank = [-uniform_at(key, p, 0) if lottery else -(true * over) / cost
                for p, ((_, _, cost, true, _), over) in enumerate(real)]
        funded = [False] * len(real)
        remaining = budget
        for p in sorted(range(len(real)), key=rank.__getitem__):
            if real[p][0][2] <= remaining:
                funded[p] = True
                remaining -= real[p][0][2]
                m.grant_spend += real[p][0][2]
        for p, ((unit, project, cost, true, size), _) in enumerate(real):
            free_rider = uniform_at(key, p, 1) < m.values["free_rider_share"]
            if uniform_at(key, p, 2) < m.values["grant_delivery"] and (funded[p] or free_rider):
                unit.execute(project, size)
                if funded[p] and not free_rider:
                    m.grant_abatement += true
                elif not funded[p]:
                    m.costs[2] += cost

    def lever_costs(self) -> float:
        """The group's spending this year on charge points, cycle lanes, transit, removals and offsets."""
        m, t, d = self.model, self.model.t, self.model.drivers
        infra, rem, sinks = m.tech["infrastructure"], m.tech["removals"], m.sinks
        cost = (d.charge_points[t] - (d.charge_points[t - 1] if t else d.charge_points[t])) * infra[
            "charge_point_cost_sek"]
        cost += (d.cycle_lanes[t] - (d.cycle_lanes[t - 1] if t else 0.0)) * infra["cycle_lane_cost_sek_per_km"]
        cost += (d.transit_level[t] - 1.0) * infra["transit_cost_sek_per_yr"]
        cost += sinks["biochar"][t] * rem["biochar_cost_sek_per_t"]
        cost += m.values["rewetting_per_year"] * (t > 0) * rem["rewetting_cost_sek_per_ha"]
        cost += (sinks["forestry"][t] > 0) * m.values["forestry_measures"] * rem["forestry_cost_sek_per_ha_yr"]
        return float(cost + sinks["purchased_offsets"][t] * rem["offset_cost_sek_per_t"])


class ClimateModel(mesa.Model):
    """Eskilstuna's climate transition, one year per step (the rules of :mod:`sim.engine`).

    Parameters
    ----------
    scenario : Scenario
    seed : int
        Seed of the population, the network, the uncertainties and the decisions.
    params : mapping, optional
        Uncertain parameter values that replace the seed's draws.
    scale : float, optional
        Population scale; defaults to the scenario's.
    stream_offset : int
        Added to every decision stream number: 0 takes the engine's draws,
        another value draws independently of it.
    """

    def __init__(self, scenario: Scenario, seed: int = 0, params: Mapping[str, float] | None = None,
                 scale: float | None = None, stream_offset: int = 0):
        if not isinstance(seed, numbers.Integral) or isinstance(seed, bool) or not 0 <= seed < 2**64:
            raise ValueError(f"seed: allowed a whole number in [0, 2**64); given {seed!r}")
        scale = scenario.scale if scale is None else scale
        if not isinstance(scale, numbers.Real) or isinstance(scale, bool) or not 0 < scale < float("inf"):
            raise ValueError(f"scale: allowed a number > 0; given {scale!r}")
        seed = int(seed)
        super().__init__(seed=seed % 2**32)  # Mesa's own generators stay unused: draws are counter-based
        self.scenario, self.run_seed, self.stream_offset = scenario, seed, int(stream_offset)
        self.scale = float(scale)
        self.values = parameter_values(scenario, seed, params)
        self.data = load_municipality(scenario.municipality)
        population = build_population(self.data, scenario.start_year, seed, self.scale)
        network = build_network(population, seed, str(self.values["network_topology"]))
        self.drivers = build_drivers(self.data, dict(self.values), scenario.start_year, scenario.end_year)
        self.sinks = removals(dict(self.values), self.drivers.years)
        self.calib = calibrate(self.data, scenario.start_year)
        self.tech, self.weight, self.n_agents = self.data.technology, population.weight, population.n_agents
        self.weights = [self.values[k] for k in ("cost_weight", "social_weight", "attitude_weight", "pledge_bonus")]
        self.vehicle_crf = crf(self.values["discount_rate_firms"], self.tech["municipal_fleet"]["annuity_years"])
        self.fulfilment_key = make_key(seed, 0, FULFILMENT + self.stream_offset)
        self.budget_start = int(self.data.figures["carbon_budget_start_year"])

        hh, firms, units = population.households, population.firms, population.units
        n_h, n_f = len(hh.zone), len(firms.sector)
        cars = [[] for _ in range(n_h)]
        for c, (owner, fuel) in enumerate(zip(population.cars.owner.tolist(), population.cars.fuel.tolist())):
            cars[owner].append(Car(c, fuel))
        fleets = [[] for _ in range(len(units.name))]
        for v, (owner, tech) in enumerate(zip(population.vehicles.owner.tolist(), population.vehicles.tech.tolist())):
            fleets[owner].append(Vehicle(v, tech))
        self.households = [Household(self, i, hh, cars[i]) for i in range(n_h)]
        self.firms = [Firm(self, n_h + j, firms, j) for j in range(n_f)]
        self.units = [MunicipalUnit(self, n_h + n_f + u, units, u, fleets[u]) for u in range(len(units.name))]
        self.n_cars = len(population.cars.owner)
        self.actors = AgentSet(self.households + self.firms + self.units, random=self.random)
        self.municipality = Municipality(self)
        self.grid = NetworkGrid(network.to_networkx())
        for actor in self.actors:
            self.grid.place_agent(actor, actor.index)
        for actor in self.actors:    # the network does not change during a run
            actor.neighbours = self.grid.get_neighbors(actor.index)
        self.grant_abatement = self.cumulative = 0.0
        self.record: dict[str, object] = {}
        self.datacollector = mesa.DataCollector(
            model_reporters={name: (lambda m, name=name: m.record[name]) for name in YEARLY})

    def step(self):
        """One year: the stock in use on 1 January is accounted, then the year's processes in the ODD's order."""
        self.t = self.steps - 1
        self.year = int(self.drivers.years[self.t])
        self.keys = {s: make_key(self.run_seed, self.year, s + self.stream_offset) for s in STREAMS}
        self.account()                         # 7. emissions of the stock in use this year
        self.costs, self.new_cars = np.zeros(3), np.zeros(5)
        self.open_markets()                    # 1. exogenous update
        self.municipality.step()               # 2. municipal action
        self.actors.do("show_signals")         # 3. influence: everyone sees the neighbours of 1 January
        self.actors.do("observe_neighbours")
        self.actors.do("step")                 # 4-6. pledges, adoption, behaviour: next year's stock
        self.record.update({"new_cars": self.new_cars * self.weight, "costs": self.costs,
                            "grant_spend": self.grant_spend})
        self.datacollector.collect(self)

    def run(self) -> ClimateModel:
        for _ in self.drivers.years:
            self.step()
        self.running = False
        return self

    def open_markets(self):
        """This year's choice sets, prices, pledge hazards and mode shift."""
        v, d, t, tech = self.values, self.drivers, self.t, self.tech
        car, heat, fleet, proc, mf = (tech[k] for k in ("car", "heating", "firm_fleet", "firm_process",
                                                          "municipal_fleet"))
        premium = np.asarray(car["purchase_premium_sek"], dtype=float).copy()
        premium[BEV] = d.bev_premium[t]
        premium[PHEV] = car["purchase_premium_sek"][PHEV] * np.exp(-v["bev_premium_decline"] * (self.year - 2020))
        self.car_net_premium = np.maximum(0.0, premium - np.where(np.arange(5) == BEV, d.bev_bonus[t], 0.0))
        cars_real = max(1.0, self.n_cars * self.weight)
        available = d.charge_points[t] / (d.charge_points[t] + v["charging_half_saturation"] * cars_real / 1000.0)
        constant = np.asarray(car["constant"], dtype=float).copy()
        constant[BEV] = v["bev_barrier_2020"] + v["bev_barrier_trend"] * max(0, self.year - 2020) + available
        constant[PHEV] += 0.3 * available
        self.car_market = Options(self.car_net_premium * crf(v["discount_rate_households"], car["annuity_years"]),
                            car["energy_cost_sek_per_km"], constant, car["green"], 10000.0,
                            v["imitation_rate"] * np.array([0.0, 0.0, 0.5, 1.0, 0.0]))
        capital = np.asarray(heat["capital_cost_sek"], dtype=float).copy()
        self.heat_pump_subsidy = min(v["heat_pump_subsidy"], v["heat_pump_cost"])
        capital[HEAT_PUMP] = v["heat_pump_cost"] - self.heat_pump_subsidy
        self.heating_extra_cost = np.maximum(0.0, capital - capital[OIL])
        self.heating_market = Options(capital * crf(v["discount_rate_households"], heat["annuity_years"]),
                               heat["price_sek_per_mwh"], heat["constant"], heat["green"], 10000.0,
                               v["imitation_rate"] * np.array([1.0, 1.0, 0.0, 0.0, 0.0]))
        self.fleet_market = Options([0.0, 0.0, d.fleet_electric_premium[t]], fleet["cost_sek_per_mwh"], fleet["constant"],
                             fleet["green"], 1000.0, v["imitation_rate"] * np.array([0.0, 0.5, 1.0]))
        fuel_cost = proc["fuel_cost_sek_per_mwh"] + d.ets_price[t] * proc["fuel_kg_per_mwh"] / 1000.0
        self.process_market = Options([0.0, proc["electric_premium_sek_per_mwh"]],
                               [fuel_cost, proc["electric_cost_sek_per_mwh"]], proc["constant"], [0.0, 1.0], 1000.0,
                               [0.0, v["imitation_rate"]])
        mandate = self.year >= v["municipal_fleet_ev_year"]
        self.vehicle_market = Options(np.array([0.0, 0.0, mf["electric_premium_sek"]]) * self.vehicle_crf,
                                mf["cost_sek_per_km"], [-math.inf, -math.inf, -1.5] if mandate else [0.0, -0.5, -1.5],
                                [0.0, 0.7, 1.0], 10000.0, [0.0, 0.0, 0.0])
        org = v["pledge_base_rate"] + v["arena_reach"] * d.arena_events[t]
        arena = self.year >= v["arena_start_year"]     # local pledges exist once the programme runs
        self.pledge_hazard = [v["household_pledge_rate"] * arena, org * arena, 3.0 * org * arena]
        cycling = v["mode_shift_per_cycle_km"] * d.cycle_lanes[t]
        transit = v["transit_elasticity"] * (d.transit_level[t] - 1.0)
        self.mode_shift = np.clip([cycling + transit, cycling + transit, 0.5 * transit], 0.0, 0.5).tolist()

    def account(self):
        """Emissions by sector, consumption per inhabitant, the group's scopes, and the stocks on 1 January."""
        v, d, t, tech, calib, w = self.values, self.drivers, self.t, self.tech, self.calib, self.weight
        fossil = {"petrol": 1 - d.blend_petrol[t], "diesel": 1 - d.blend_diesel[t],
                  "gas": tech["fuel"]["gas_fossil_share"], "none": 0.0}
        fossil_km = [k * fossil[f] for k, f in zip(calib["tailpipe"], tech["car"]["fossil_fuel"])]
        footprint_km = [k + tech["car"]["lifecycle_kg_per_km_extra"]
                        + (f == BEV) * tech["car"]["electricity_kwh_per_km"] * d.electricity_ef[t]
                        for f, k in enumerate(calib["tailpipe"])]
        household = np.sum([h.account(fossil_km, footprint_km) for h in self.households], axis=0) * w
        fleet = tech["firm_fleet"]
        diesel_t = fleet["diesel_kg_per_mwh"] / 1000.0 * (1 - d.blend_diesel[t])
        freight_cut = [d.rail_share[t] if s == "transport" else 0.0 for s in FIRM_SECTORS]
        fuel_t = [tech["firm_process"]["fuel_kg_per_mwh"] / 1000.0, tech["heating"]["oil_kg_per_mwh_heat"] / 1000.0,
                  diesel_t]
        firm = np.sum([f.account(freight_cut, [diesel_t, diesel_t * fleet["bio_fossil_share"], 0.0], fuel_t)
                       for f in self.firms], axis=0) * w
        mf = tech["municipal_fleet"]
        vehicle_t = (mf["km_per_vehicle"] * mf["kg_per_km"] / 1000.0 * calib["fleet_factor"]
                     * np.array([1 - d.blend_diesel[t], fleet["bio_fossil_share"], 0.0]))
        unit_fleet = unit_heat = 0.0
        for unit in self.units:
            fleet_t = sum(vehicle_t[x.tech] for x in unit.vehicles)
            heat_t = unit.fossil_heat * unit.delivery * calib["unit_oil_t_per_mwh"]
            unit.direct = fleet_t + heat_t
            unit_fleet, unit_heat = unit_fleet + fleet_t, unit_heat + heat_t
        units_dh = sum(u.district_heat for u in self.units)
        eligible = sum(f.employees for f in self.firms if f.heat_recovery_eligible)
        connected = sum(f.employees for f in self.firms if f.heat_recovery_eligible and f.heat_recovery)
        displaced = v["heat_recovery_share"] * (connected / eligible if eligible else 0.0)
        dh = (household[3] + firm[4] + units_dh) * calib["dh_t_per_mwh"] * d.district_heat_factor[t] * (1 - displaced)
        exo = {k: x[t] for k, x in d.exogenous.items()}
        sectors = {"transport": household[0] + firm[0] + unit_fleet + exo["other_transport"],
                   "electricity_district_heating": dh, "industry": firm[1] + exo["industrial_process"],
                   "agriculture": exo["agriculture"], "work_machinery": firm[3], "product_use": exo["product_use"],
                   "waste": exo["waste"], "own_heating": household[2] + firm[2] + unit_heat}
        dh_scope2 = calib["dh_scope2"] * d.district_heat_factor[t]
        criteria = 1.0 - d.procurement_criteria[t] * tech["consumption"]["criteria_effect"]
        scope3 = sum(float(u.procurement @ calib["procurement_t_per_sek"]) for u in self.units) * criteria
        scopes = [unit_fleet + unit_heat + dh,
                  sum(u.electricity for u in self.units) * d.electricity_ef[t], scope3]  # own district heat: scope 1
        persons = sum(h.persons for h in self.households) * w
        pledged_persons = sum(h.persons * h.strength for h in self.households) * w
        goods = calib["goods_t_per_person"] * (1.0 + v["consumption_trend"]) ** t * (
            persons - tech["behaviour"]["pledge_goods_cut"] * pledged_persons)
        consumption = ((household[1] + household[2] + household[3] * dh_scope2 + household[4] * d.electricity_ef[t]
                        + household[5] + goods + persons * tech["consumption"]["aviation_t_per_person"]) / persons
                       + (calib["public_other_t"] + scope3) / d.population[t])
        self.write_record(sectors, consumption, scopes)

    def write_record(self, sectors, consumption, scopes):
        t, w = self.t, self.weight
        removal = np.array([self.sinks[s][t] for s in SINKS])
        total = sum(sectors.values())
        fossil = sum(sectors[s] * self.data.co2_share[s] for s in SECTORS)
        self.cumulative += fossil if self.year >= self.budget_start else 0.0
        orgs = [(a, w if a.kind == FIRM else 1.0) for a in self.firms + self.units if a.pledge_year]
        self.record = {
            "emissions": [sectors[s] for s in SECTORS], "removals": removal, "net_emissions": total - removal[:3].sum(),
            "net_emissions_with_offsets": total - removal.sum(), "consumption_emissions_per_capita": consumption,
            "municipal_group_emissions": scopes,
            "car_fleet": np.bincount([c.fuel for h in self.households for c in h.cars], minlength=5) * w,
            "heating_systems": np.bincount([h.heating for h in self.households], minlength=5) * w,
            "firm_energy_step": np.bincount([f.energy_step for f in self.firms], minlength=5) * w,
            "heat_recovery_connections": sum(f.heat_recovery for f in self.firms) * w,
            "grant_abatement": self.grant_abatement,
            "fossil_co2": fossil, "cumulative_co2": self.cumulative,
            "pledged_reduction": self.values["pledge_commitment"] * sum(a.pledge_baseline * x for a, x in orgs),
            "delivered_reduction": sum(max(0.0, a.pledge_baseline - a.direct) * x for a, x in orgs),
            "pledges": [sum(bool(a.pledge_year) for a in group) * x
                        for group, x in ((self.households, w), (self.firms, w), (self.units, 1.0))],
            "reduction_vs_2020": np.nan}

    def dataset(self) -> xr.Dataset:
        """The run's results as :func:`sim.simulate` returns them."""
        records = empty_records(len(self.drivers.years))
        for name in YEARLY:
            records[name][:] = np.array(self.datacollector.model_vars[name], dtype=float)
        sc = self.scenario
        if sc.start_year <= self.budget_start <= sc.end_year:
            records["within_budget"][()] = float(self.cumulative <= self.data.figures["carbon_budget"])
        attrs = {
            "title": f"sim Mesa reference run of scenario '{sc.name}'", "scenario": sc.name,
            "scenario_text": sc.text, "scenario_path": sc.path, "seed": self.run_seed, "scale": self.scale,
            "sim_version": package_version(), "n_agents": int(self.n_agents), "municipality": self.data.name,
            "carbon_budget": self.data.figures["carbon_budget"], "carbon_budget_units": "t CO2",
            "carbon_budget_start_year": self.budget_start,
            "Conventions": "CF-1.10", "implementation": "mesa", "stream_offset": self.stream_offset,
            "history": f"created by sim {package_version()} mesa_model.simulate(seed={self.run_seed}, "
                       f"scale={self.scale}, stream_offset={self.stream_offset})",
        }
        return to_dataset(records, self.drivers.years, self.values, attrs, sc.outputs)


def simulate(scenario: Scenario, seed: int = 0, params: Mapping[str, float] | None = None,
             scale: float | None = None, stream_offset: int = 0) -> xr.Dataset:
    """Run the Mesa reference from the start year to the end year; same arguments and Dataset as
    :func:`sim.simulate`, plus ``stream_offset`` (see :class:`ClimateModel`)."""
    return ClimateModel(scenario, seed, params, scale, stream_offset).run().dataset()
