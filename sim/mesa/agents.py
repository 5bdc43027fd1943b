"""The agents of the Mesa reference: each says in ``step()`` what it does in a year, in the words of the ODD.

Choice sets, costs and emission factors come from the engine's mechanisms
(:mod:`sim.mechanisms`), codes and constants from :mod:`sim.declarations`;
every decision (who has an event, what is chosen, who signs, what is
funded) is taken here, agent by agent, in plain Python.
"""
from __future__ import annotations

import math

import mesa

from ..declarations.codes import ENERGY_STEPS, ActorKind, FleetTech, Fuel, GrantProject, Heating, Signal, Stream
from ..kernels.rng import uniform, uniform_at
from ..mechanisms import accounting, adoption, infrastructure, procurement, sectors
from ..mechanisms.adoption import ChoiceSet


def happens(hazard: float, key, index: int) -> bool:
    """Whether an event of yearly ``hazard`` happens to agent ``index`` this year."""
    return uniform(key, index) < 1.0 - math.exp(-hazard)


class Options:
    """A choice set at a replacement event, as the market offers it this year (from the engine's mechanisms)."""

    def __init__(self, choice: ChoiceSet):
        self.capex = [float(x) for x in choice.capex]            # annualised capital cost net of subsidies, SEK/yr
        self.usage_cost = [float(x) for x in choice.usage_cost]  # SEK per km or MWh
        self.constant = [float(x) for x in choice.constant]      # barriers and infrastructure terms
        self.green = [float(x) for x in choice.green]            # how low-carbon each option is, 0..1
        self.cost_unit = float(choice.cost_unit)                 # SEK per unit of utility
        self.imitation = [float(x) for x in choice.imitation]    # imitation hazard per unit exposure

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

    kind = ActorKind.HOUSEHOLD

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
            hazard = ((m.pledge_hazard[self.kind] + m.p["pledge_social_weight"] * self.exposure[Signal.PLEDGED])
                      * 2.0 * self.attitude)
            if hazard > 0.0 and happens(hazard, m.keys[Stream.PLEDGES], self.index):
                self.pledge_year = m.year
                self.pledge_baseline = self.direct
        self.strength = math.exp(-m.p["pledge_decay"] * (m.year - self.pledge_year)) if self.pledge_year else 0.0
        self.delivery = self.pledge_delivery()

    @property
    def pledged(self) -> float:
        return 1.0 if self.pledge_year else 0.0

    def pledge_delivery(self) -> float:
        """Share of fossil energy left: the commitment times the actor's own fulfilment, ramped up.

        The fulfilment is the actor's own, fixed for the run: uniform on the
        widest interval in [0, 1] whose mean is the parameter.
        """
        m = self.model
        if not self.pledge_year:
            return 1.0
        progress = min(1.0, (m.year - self.pledge_year + 1) / m.p["pledge_ramp_years"])
        return 1.0 - m.p["pledge_commitment"] * self.own_fulfilment() * progress

    def own_fulfilment(self) -> float:
        """The actor's own share of what it set out to cut, fixed for the run: uniform on the widest interval
        in [0, 1] whose mean is the parameter."""
        m, f = self.model, self.model.p["pledge_fulfilment"]
        low, high = max(0.0, 2.0 * f - 1.0), min(1.0, 2.0 * f)
        return low + (high - low) * uniform_at(m.fulfilment_key, self.index, 0)


class Household(Actor):
    """A household: its dwelling's heating, its cars, its travel and diet."""

    def __init__(self, model, index, hh, cars):
        super().__init__(model, index, hh.attitude[index])
        self.zone, self.persons = int(hh.zone[index]), float(hh.persons[index])
        self.heating, self.heat_demand = int(hh.heating[index]), float(hh.heat_demand[index])
        self.dh_available, self.low_meat_diet = bool(hh.dh_available[index]), bool(hh.low_meat_diet[index])
        self.hydronic = bool(hh.hydronic[index])   # water-borne heat distribution
        self.car_km_factor = float(hh.car_km_factor[index])
        self.cars = cars
        self.km_factor = self.car_km_factor   # no mode shift or pledge before the first year's behaviour

    def visible(self):
        return (any(c.fuel in (Fuel.BEV, Fuel.PHEV) for c in self.cars), self.heating in (Heating.DISTRICT_HEATING, Heating.HEAT_PUMP), self.pledge_year != 0,
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
        u = market.utilities(m.weights, usage, self.attitude, self.strength, self.exposure[Signal.LOW_CARBON_CAR])
        car.fuel, replaced = market.choose(car.fuel, m.p["car_replacement_rate"], u,
                                           self.exposure[Signal.LOW_CARBON_CAR], m.keys[Stream.CARS], car.index)
        if replaced:
            m.new_cars[car.fuel] += 1
            m.pay(0, m.car_net_premium[car.fuel] * m.weight, investment=True)
            m.pay(3, m.car_bonus[car.fuel] * m.weight, investment=True)

    def replace_heating(self):
        m = self.model
        group = int(adoption.heating_group(self.hydronic, self.heating))
        market = m.heating_markets[group]
        u = market.utilities(m.weights, self.heat_demand, self.attitude, self.strength, self.exposure[Signal.LOW_CARBON_HEAT])
        if not self.dh_available:
            u[0] = -math.inf                    # cannot be connected to district heating
        chosen, replaced = market.choose(self.heating, m.heating_rates[self.heating], u,
                                         self.exposure[Signal.LOW_CARBON_HEAT], m.keys[Stream.HEATING], self.index)
        if replaced and chosen != self.heating:
            m.pay(0, m.heating_extra_cost[group][chosen] * m.weight, investment=True)
            if chosen == Heating.HEAT_PUMP:      # the municipality pays the subsidy
                m.pay(2, m.heating_subsidy[group] * m.weight, investment=True)
            if chosen in adoption.WATER_BORNE:
                self.hydronic = True            # converted to water-borne distribution with the new system
        self.heating = chosen

    def travel_and_eat(self):
        """Car use after the zone's mode shift and a pledge's cut; perhaps a turn to a low-meat diet."""
        m = self.model
        self.km_factor = (m.tech["behaviour"]["zone_km_factor"][self.zone] * (1.0 - m.mode_shift[self.zone])
                          * (1.0 - m.tech["behaviour"]["pledge_km_cut"] * self.strength))
        if not self.low_meat_diet:
            hazard = m.p["diet_shift_rate"] * 2.0 * self.attitude * (1.0 + self.strength + self.exposure[Signal.LOW_MEAT])
            self.low_meat_diet = happens(hazard, m.keys[Stream.DIET], self.index)

    def energy_bill(self, price) -> float:
        """SEK/yr for the cars' fuel or power and the dwelling's heat."""
        km = accounting.km_per_car(self.model.context) * self.km_factor
        return (sum(km * price.car_sek_per_km[c.fuel] for c in self.cars)
                + self.heat_demand * price.heat_sek_per_mwh[int(self.hydronic)][self.heating])

    def account(self, fossil_kg_per_km, footprint_kg_per_km):
        """Car t CO2e, travel footprint, oil-heating t CO2e, district heat MWh, electricity MWh, food footprint."""
        m = self.model
        km = accounting.km_per_car(m.context) * self.km_factor
        heat = m.tech["heating"]
        return (sum(km * fossil_kg_per_km[c.fuel] / 1000.0 for c in self.cars),
                sum(km * footprint_kg_per_km[c.fuel] / 1000.0 for c in self.cars),
                self.heat_demand * m.calib["household_oil_t_per_mwh"] if self.heating == Heating.OIL else 0.0,
                self.heat_demand if self.heating == Heating.DISTRICT_HEATING else 0.0,
                self.heat_demand * heat["electricity_per_mwh_heat"][self.heating],
                self.persons * m.tech["consumption"]["low_meat_food_t_per_person" if self.low_meat_diet
                                                     else "food_t_per_person"])


class Firm(Actor):
    """A workplace: its vehicle fleet, process energy, Energitrappan step and surplus heat."""

    kind = ActorKind.FIRM
    FIELDS = ("sector", "employees", "vehicle_energy", "fleet_tech", "process_energy", "process_electrified",
              "heating_fossil", "machinery_energy", "electricity", "district_heat", "energy_step",
              "heat_recovery_eligible", "heat_recovery", "municipal_supplier")

    def __init__(self, model, index, firms, j):
        super().__init__(model, index, firms.attitude[j])
        self.j = j                    # index among firms: the counter of its fleet, process and step draws
        for name in self.FIELDS:
            setattr(self, name, getattr(firms, name)[j].item())
        self.machinery_fossil_free = False   # by municipal contracts
        self.permit_fossil_free = False      # by the permit demands this year (sector measures)

    def visible(self):
        return (self.fleet_tech == FleetTech.ELECTRIC, self.process_electrified or self.heat_recovery, self.pledge_year != 0,
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
        u = market.utilities(m.weights, 1.0, self.attitude, self.pledged, self.exposure[Signal.LOW_CARBON_CAR])
        rate = m.p["fleet_replacement_rate"] if self.vehicle_energy > 0 else 0.0
        self.fleet_tech, _ = market.choose(self.fleet_tech, rate, u, self.exposure[Signal.LOW_CARBON_CAR],
                                           m.keys[Stream.FIRM_FLEET], self.j)
        if self.fleet_tech == FleetTech.ELECTRIC:
            m.pay(1, self.vehicle_energy * m.drivers.fleet_electric_premium[m.t] * m.weight, investment=True)

    def renew_process_energy(self):
        m, market = self.model, self.model.process_market
        u = market.utilities(m.weights, 1.0, self.attitude, self.pledged, self.exposure[Signal.LOW_CARBON_HEAT])
        rate = m.p["heating_replacement_rate"] if self.process_energy > 0 else 0.0
        chosen, _ = market.choose(int(self.process_electrified), rate, u, self.exposure[Signal.LOW_CARBON_HEAT],
                                  m.keys[Stream.PROCESS], self.j)
        self.process_electrified = chosen == 1
        if self.process_electrified:
            m.pay(1, self.process_energy * market.capex[1] * m.weight, investment=True)

    def climb_energy_ladder(self):
        """One more Energitrappan step, faster with the fast track's support, a pledge and stepping neighbours."""
        m, steps = self.model, self.model.tech["firm_steps"]
        if self.energy_step >= ENERGY_STEPS[-1]:
            return
        support = m.p["efficiency_support"]
        hazard = (steps["base_rate"] * (1.0 + 2.0 * support) * (1.0 + steps["pledge_factor"] * self.pledged)
                  + steps["social_weight"] * self.exposure[Signal.STEPPED])
        if happens(hazard, m.keys[Stream.STEPS], self.j):
            self.energy_step += 1
            cost = self.employees * steps["cost_sek_per_employee"] * m.weight
            m.pay(1, cost * (1 - support), investment=True)
            m.pay(2, cost * support, investment=True)

    def connect_heat_recovery(self):
        """An eligible firm connects its surplus heat to district heating."""
        m, hr = self.model, self.model.tech["heat_recovery"]
        if not self.heat_recovery_eligible or self.heat_recovery:
            return
        support = m.p["heat_recovery_support"]
        hazard = hr["base_rate"] * (1.0 + self.pledged) + hr["support_rate"] * support
        if happens(hazard, m.keys[Stream.RECOVERY], self.j):
            self.heat_recovery = True
            m.pay(1, hr["connection_cost_sek"] * m.weight * (1 - support), investment=True)
            m.pay(2, hr["connection_cost_sek"] * m.weight * support, investment=True)

    def energy_bill(self, price, freight_cut) -> float:
        """SEK/yr for the energy the firm uses after steps, its pledge and the rail share (as in ``account``)."""
        efficiency, delivery = (1.0 - self.model.p["energy_step_saving"]) ** self.energy_step, self.delivery
        return (self.vehicle_energy * (1.0 - freight_cut[self.sector]) * delivery
                * price.fleet_sek_per_mwh[self.fleet_tech]
                + self.process_energy * efficiency * delivery * price.process_sek_per_mwh[int(self.process_electrified)]
                + self.heating_fossil * efficiency * delivery * price.oil_heat_sek_per_mwh
                + self.machinery_energy * delivery * price.diesel_sek_per_mwh
                + self.electricity * efficiency * price.electricity_sek_per_mwh
                + self.district_heat * efficiency * price.district_heat_sek_per_mwh)

    def account(self, freight_cut, fleet_t_per_mwh, fuel_t_per_mwh):
        """Transport, industry, heating, machinery t CO2e; district heat and electricity MWh; sets ``direct``."""
        m, delivery = self.model, self.delivery
        efficiency = (1.0 - m.p["energy_step_saving"]) ** self.energy_step
        vehicles = self.vehicle_energy * (1.0 - freight_cut[self.sector]) * delivery
        transport = vehicles * fleet_t_per_mwh[self.fleet_tech]
        power = self.electricity * efficiency + (vehicles / m.p["electric_vehicle_efficiency"] if self.fleet_tech == FleetTech.ELECTRIC else 0.0)
        process = self.process_energy * efficiency * delivery
        industry = 0.0 if self.process_electrified else process * fuel_t_per_mwh[0]
        power += process if self.process_electrified else 0.0
        heat = self.heating_fossil * efficiency * delivery * fuel_t_per_mwh[1]
        fossil_free = self.machinery_fossil_free or self.permit_fossil_free
        machinery = 0.0 if fossil_free else self.machinery_energy * delivery * fuel_t_per_mwh[2]
        self.direct = transport + industry + heat + machinery
        return transport, industry, heat, machinery, self.district_heat * efficiency, power


class MunicipalUnit(Actor):
    """A department or company of the municipal group: its vehicles, buildings and procurement."""

    kind = ActorKind.MUNICIPAL_UNIT

    def __init__(self, model, index, units, u, vehicles):
        super().__init__(model, index, model.p["unit_attitude"])
        self.u = u
        self.fossil_heat, self.electricity = float(units.fossil_heat[u]), float(units.electricity[u])
        self.district_heat, self.procurement = float(units.district_heat[u]), units.procurement[u]
        self.vehicles = vehicles
        plans = model.data.municipal_units     # the unit's own climate plan: its first year and yearly cut
        self.plan_year, self.plan_rate = int(plans["plan_year"][u]), float(plans["plan_reduction_rate"][u])

    def consider_pledge(self):
        """The municipality leads: from its plan's first year the unit's own climate plan is its pledge."""
        m = self.model
        if not self.pledge_year and self.plan_year <= m.year:
            self.pledge_year = m.year
            self.pledge_baseline = self.direct
        self.strength = math.exp(-m.p["pledge_decay"] * (m.year - self.pledge_year)) if self.pledge_year else 0.0
        self.delivery = self.pledge_delivery()

    def pledge_delivery(self) -> float:
        """Share of its fuel left: the plan's yearly cut, times the unit's own fulfilment, compounded."""
        if not self.pledge_year:
            return 1.0
        cut = min(1.0, self.plan_rate * self.own_fulfilment())
        return (1.0 - cut) ** (self.model.year - self.pledge_year + 1)

    def visible(self):
        return any(v.tech == FleetTech.ELECTRIC for v in self.vehicles), False, self.pledge_year != 0, False, False

    def energy_bill(self, price) -> float:
        """SEK/yr for its vehicles' fuel or power (cut by its plan), fossil heat, electricity and district heat."""
        km = self.model.tech["municipal_fleet"]["km_per_vehicle"]
        return (sum(km * price.vehicle_sek_per_km[v.tech] for v in self.vehicles) * self.delivery
                + self.fossil_heat * self.delivery * price.oil_heat_sek_per_mwh
                + self.electricity * price.electricity_sek_per_mwh + self.district_heat * price.district_heat_sek_per_mwh)

    def step(self):
        """A unit's year: perhaps a pledge, then renewal of its vehicles (electric only after the mandate)."""
        self.consider_pledge()
        m, market = self.model, self.model.vehicle_market
        for vehicle in self.vehicles:
            u = market.utilities(m.weights, m.tech["municipal_fleet"]["km_per_vehicle"], m.p["unit_attitude"], 0.0, 0.0)
            vehicle.tech, replaced = market.choose(vehicle.tech, m.p["fleet_replacement_rate"], u, 0.0,
                                                   m.keys[Stream.MUNICIPAL_FLEET], vehicle.index)
            if replaced and vehicle.tech == FleetTech.ELECTRIC:
                m.pay(2, m.tech["municipal_fleet"]["electric_premium_sek"], investment=True)

    def proposals(self):
        """One grant project of each kind (cost SEK, true t CO2e/yr cut, what it converts), in GrantProject order."""
        m, g, mf = self.model, self.model.tech["grants"], self.model.tech["municipal_fleet"]
        vehicle_t = accounting.municipal_vehicle_t(m.context)
        fossil = [v for v in self.vehicles if v.tech == FleetTech.FOSSIL]
        electrify = fossil[:g["fleet_batch"]]
        to_biogas = fossil[len(electrify):len(electrify) + g["fleet_batch"]]
        saved = self.electricity * g["efficiency_saving"]
        points = g["charging_points_per_project"]
        district_heat_t = m.calib["dh_t_per_mwh"] * m.drivers.district_heat_factor[m.t]
        return [
            (GrantProject.VEHICLES, len(electrify) * mf["electric_premium_sek"],
             len(electrify) * (vehicle_t[FleetTech.FOSSIL] - vehicle_t[FleetTech.ELECTRIC]) * self.delivery, electrify),
            (GrantProject.BIOGAS, len(to_biogas) * g["biogas_cost_sek_per_vehicle"],
             len(to_biogas) * (vehicle_t[FleetTech.FOSSIL] - vehicle_t[FleetTech.BIOFUEL]) * self.delivery, to_biogas),
            (GrantProject.CHARGING, points * m.tech["infrastructure"]["charge_point_cost_sek"],
             points * m.p["grant_charging_t_per_point"], None),
            (GrantProject.HEATING, self.fossil_heat * g["heat_cost_sek_per_mwh"],
             self.fossil_heat * (m.calib["unit_oil_t_per_mwh"] * self.delivery - district_heat_t), None),
            (GrantProject.EFFICIENCY, saved * g["efficiency_cost_sek_per_mwh"], saved * m.drivers.electricity_ef[m.t],
             saved),
            (GrantProject.BEHAVIOUR, g["behaviour_cost_sek"], m.p["grant_behaviour_t_per_project"], None)]

    def execute(self, project, true, size):
        m = self.model
        if project in (GrantProject.VEHICLES, GrantProject.BIOGAS):
            for vehicle in size:
                vehicle.tech = FleetTech.ELECTRIC if project == GrantProject.VEHICLES else FleetTech.BIOFUEL
        elif project in (GrantProject.CHARGING, GrantProject.BEHAVIOUR):
            m.grant_transport_cut += true     # a lasting cut of transport: no agent changes
        elif project == GrantProject.HEATING:
            self.district_heat += self.fossil_heat
            self.fossil_heat = 0.0
        else:
            self.electricity -= size


class Municipality(mesa.Agent):
    """The city as policy actor: climate grants, infrastructure, removals, procurement demands."""

    def step(self):
        m = self.model
        c = m.context
        self.allocate_grants()
        m.costs[2] += m.grant_spend
        m.pay(2, infrastructure.lever_investment(c), investment=True)
        shifted = sum(f.vehicle_energy * m.freight_cut[f.sector] * f.delivery for f in m.firms) * m.weight
        m.pay(2, infrastructure.lever_running_costs(c) + infrastructure.rail_freight_cost(c, shifted),
              investment=False)
        m.pay(2, procurement.criteria_cost(c, sum(float(u.procurement.sum()) for u in m.units)), investment=False)
        if m.year >= m.p["fossil_free_machinery_year"]:
            for firm in m.firms:
                if firm.municipal_supplier and firm.machinery_energy > 0:
                    firm.machinery_fossil_free = True
            m.costs[2] += (m.tech["machinery"]["fossil_free_cost_sek_per_mwh"] * m.weight
                           * sum(f.machinery_energy for f in m.firms if f.machinery_fossil_free))
        m.costs += sectors.costs_by_payer(m.context, m.measures_covered, m.weight * sum(
            f.machinery_energy for f in m.permitted_firms() if not f.machinery_fossil_free))

    def allocate_grants(self):
        """Rank the units' proposals by claimed tonnes per krona (or by lot) and fund them within the budget.

        Every year, budget or not: claims overstate the true cut; a free rider
        (decided once per run for each project) goes ahead without a grant;
        only funded, delivered projects that are not free riders count as
        additional abatement.
        """
        m, t = self.model, self.model.t
        by_unit = [unit.proposals() for unit in m.units]
        projects = [(unit, *by_unit[u][kind]) for kind in range(len(GrantProject)) for u, unit in enumerate(m.units)]
        overestimate = [1.0 + m.p["claim_overestimate_spread"] * m.p["claim_overestimate"] * uniform(m.keys[Stream.CLAIMS], i)
                        for i in range(len(projects))]
        real = [(i, p, o) for i, (p, o) in enumerate(zip(projects, overestimate)) if p[2] > 0]
        m.grant_spend = 0.0
        budget = m.drivers.grant_budget[t]
        key, lottery = m.keys[Stream.GRANTS], m.p["grant_allocation"] == "lottery"
        rank = [-uniform_at(key, i, 0) if lottery else -(true * over) / cost
                for i, (_, _, cost, true, _), over in real]
        funded = [False] * len(real)
        remaining = budget
        for p in sorted(range(len(real)), key=rank.__getitem__):
            if real[p][1][2] <= remaining:
                funded[p] = True
                remaining -= real[p][1][2]
                m.grant_spend += real[p][1][2]
        for p, (i, (unit, project, cost, true, size), _) in enumerate(real):
            free_rider = uniform_at(m.free_rider_key, i, 0) < m.p["free_rider_share"]
            capital = project != GrantProject.BEHAVIOUR     # behaviour projects are running costs
            if funded[p] and capital:
                m.investment[2] += cost
            if uniform_at(key, i, 2) < m.p["grant_delivery"] and (funded[p] or free_rider):
                unit.execute(project, true, size)
                if funded[p] and not free_rider:
                    m.grant_abatement += true
                elif not funded[p]:
                    m.pay(2, cost, investment=capital)
