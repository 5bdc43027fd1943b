"""The Mesa reference model: the municipality's year as agents stepping in the ODD's order.

Configuration, data, choice sets, costs and emission factors are shared with
the engine (scenario, parameter values and constants, municipality data,
initial population, network, base-year calibration, drivers, the
mechanisms' choice sets, Dataset assembly); the decisions are not: no kernel
of :mod:`sim.kernels` is called, only its counter-based random numbers.

A decision draws from the same key as the engine's, ``(seed, year, stream,
agent index)``, so with ``stream_offset=0`` the two implementations take the
same decisions and agree to rounding; a nonzero offset gives the Mesa model
draws independent of the engine's, for statistical comparisons.

    ds = sim.mesa.simulate(scenario, seed=1, scale=0.02)   # same Dataset as sim.simulate

The reference's population is closed: every household of the start year
stays for the whole run, while the engine's households arrive and leave with
the population series (:mod:`sim.mechanisms.demography`). The two agree when
the population is fixed (a flat series and ``population_growth`` 0), which is
how ``tests/test_mesa_equivalence.py`` runs them.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import mesa
import numpy as np
import xarray as xr
from mesa.agent import AgentSet
from mesa.space import NetworkGrid

from .. import __version__
from ..base_year import calibrate
from ..counterfactual import combine, without_pledge_effect
from ..data import load_municipality
from ..declarations.codes import SECTORS, SINKS, ActorKind, Measure, Payer, Stream
from ..exogenous import build_drivers
from ..kernels.rng import make_key
from ..land import land_use_flux, removals
from ..mechanisms import accounting, adoption, behaviour, energy, infrastructure, pledges
from ..mechanisms import sectors as measures
from ..mechanisms.adoption import utility_weights
from ..network import build_network
from ..population import build_population
from ..results import DERIVED, VARIABLES, empty_records, to_dataset
from ..sampling import parameter_values
from ..scenario import Scenario
from ..state import YearContext
from ..timing import paths, yearly_values
from ..validation import check_scale, check_seed
from .agents import Car, Firm, Household, Municipality, MunicipalUnit, Options, Vehicle

YEARLY_STREAMS = tuple(s for s in Stream if s <= Stream.CLAIMS)
"""The decision streams drawn anew each year."""
YEARLY = tuple(name for name, (dims, _, _) in VARIABLES.items()
               if dims[:1] == ("year",) and name not in DERIVED)
"""Variables with a ``year`` dimension: one DataCollector reporter each."""


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
    pledge_effect : bool
        False makes the run the pledge counterfactual (:mod:`sim.counterfactual`).
    accounted_pledges : sequence of int, optional
        In the counterfactual: the signing year of each firm and unit (in order) in the run it is the
        counterfactual of; its ``pledged_direct`` counts those organisations.
    """

    def __init__(self, scenario: Scenario, seed: int = 0, params: Mapping[str, float] | None = None,
                 scale: float | None = None, stream_offset: int = 0, pledge_effect: bool = True,
                 accounted_pledges: Sequence[int] | None = None):
        seed = check_seed(seed)
        scale = check_scale(scenario.scale if scale is None else scale)
        super().__init__(seed=seed % 2**32)  # Mesa's own generators stay unused: draws are counter-based
        self.scenario, self.run_seed, self.stream_offset = scenario, seed, int(stream_offset)
        self.scale = float(scale)
        self.values = parameter_values(scenario, seed, params)
        self.data = load_municipality(scenario.municipality)
        population = build_population(self.data, scenario.start_year, seed, self.scale)
        network = build_network(population, seed, str(self.values["network_topology"]))
        run_values = self.values if pledge_effect else without_pledge_effect(self.values)
        yearly = yearly_values(run_values, scenario.lever_years, scenario.years)
        self.drivers = build_drivers(self.data, yearly, scenario.start_year, scenario.end_year)
        path = paths(yearly)
        self.sinks = removals(path, self.data.land, self.drivers.years)
        self.land_flux = land_use_flux(path, self.data.land)
        self.calib = calibrate(self.data, scenario.start_year, self.drivers.car_traffic[0])
        self.first = YearContext.first(self.data, network, run_values, seed, self.calib, self.drivers, self.sinks,
                                       yearly)
        self.p = self.first.p                 # parameter values and constants (the year's, from step)
        self.tech, self.weight, self.n_agents = self.data.technology, population.weight, population.n_agents
        self.weights = [float(w) for w in utility_weights(self.first)]
        self.fulfilment_key = make_key(seed, 0, Stream.FULFILMENT + self.stream_offset)
        self.free_rider_key = make_key(seed, 0, Stream.FREE_RIDERS + self.stream_offset)
        self.budget_start = self.data.targets.budget.start_year

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
        self.permit_draws = measures.permit_draws(seed, n_f).tolist()
        self.units = [MunicipalUnit(self, n_h + n_f + u, units, u, fleets[u]) for u in range(len(units.name))]
        self.n_cars = len(population.cars.owner)
        self.actors = AgentSet(self.households + self.firms + self.units, random=self.random)
        self.municipality = Municipality(self)
        self.grid = NetworkGrid(network.to_networkx())
        for actor in self.actors:
            self.grid.place_agent(actor, actor.index)
        for actor in self.actors:    # the network does not change during a run
            actor.neighbours = self.grid.get_neighbors(actor.index)
        self.grant_abatement = self.cumulative = self.grant_transport_cut = 0.0
        self.pledged_direct: list[float] = []   # pledged organisations' direct t CO2e/yr, by year
        self.accounted_pledges = None if accounted_pledges is None else [int(y) for y in accounted_pledges]
        self.record: dict[str, object] = {}
        self.datacollector = mesa.DataCollector(
            model_reporters={name: (lambda m, name=name: m.record[name]) for name in YEARLY})

    def step(self):
        """One year: the stock in use on 1 January is accounted, then the year's processes in the ODD's order."""
        self.t = self.steps - 1
        self.context = self.first.at(self.t)
        self.year, self.p = self.context.year, self.context.p   # this year's lever values
        self.keys = {s: make_key(self.run_seed, self.year, s + self.stream_offset) for s in YEARLY_STREAMS}
        self.account()                         # 7. emissions of the stock in use this year
        self.costs, self.investment, self.new_cars = np.zeros(len(Payer)), np.zeros(len(Payer)), np.zeros(5)
        self.open_markets()                    # 1. exogenous update
        self.municipality.step()               # 2. municipal action
        self.actors.do("show_signals")         # 3. influence: everyone sees the neighbours of 1 January
        self.actors.do("observe_neighbours")
        self.actors.do("step")                 # 4-6. pledges, adoption, behaviour: next year's stock
        self.record.update({"new_cars": self.new_cars * self.weight, "costs": self.costs,
                            "investment_costs": self.investment,
                            "grant_spend": self.grant_spend})
        self.datacollector.collect(self)

    def pay(self, payer: int, sek: float, investment: bool) -> None:
        """Book ``sek`` on ``payer`` this year; ``investment``: capital spending, otherwise running spending."""
        self.costs[payer] += sek
        if investment:
            self.investment[payer] += sek

    def run(self) -> ClimateModel:
        for _ in self.drivers.years:
            self.step()
        self.running = False
        return self

    def open_markets(self):
        """This year's choice sets, prices, pledge hazards and mode shift, as the mechanisms define them."""
        c = self.context
        cars_real = max(1.0, self.n_cars * self.weight)
        self.car_net_premium = adoption.car_net_premium(c)
        self.car_bonus = adoption.car_bonus(c)
        self.car_market = Options(adoption.car_choice(c, infrastructure.charging_availability(c, cars_real)))
        self.heating_subsidy = adoption.heating_subsidy(c).tolist()
        self.heating_extra_cost = adoption.heating_extra_cost(c).tolist()
        self.heating_rates = adoption.heating_replacement_rates(c).tolist()
        self.heating_markets = [Options(choice) for choice in adoption.heating_choices(c)]
        self.fleet_market = Options(adoption.fleet_choice(c))
        self.process_market = Options(adoption.process_choice(c))
        self.vehicle_market = Options(adoption.vehicle_choice(c))
        self.pledge_hazard = [float(h) for h in pledges.hazard_by_kind(c)]
        self.mode_shift = behaviour.mode_shift(c).tolist()

    def account(self):
        """Emissions by sector, consumption per inhabitant, the group's scopes, and the stocks on 1 January."""
        v, d, t, tech, calib, w = self.p, self.drivers, self.t, self.tech, self.calib, self.weight
        c = self.context
        fossil_km = accounting.car_fossil_kg_per_km(c).tolist()
        footprint_km = accounting.car_footprint_kg_per_km(c).tolist()
        household = np.sum([h.account(fossil_km, footprint_km) for h in self.households], axis=0) * w
        freight_cut, fleet_t, fuel_t = accounting.firm_fuel_factors(c)
        self.freight_cut = freight_cut.tolist()
        self.measure_uptake = measures.year_uptake(c)
        permitted = set(self.permitted_firms())
        for f in self.firms:
            f.permit_fossil_free = f in permitted
        firm = np.sum([f.account(freight_cut.tolist(), fleet_t.tolist(), fuel_t.tolist()) for f in self.firms],
                      axis=0) * w
        vehicle_t = accounting.municipal_vehicle_t(c)
        unit_fleet = unit_heat = 0.0
        for unit in self.units:
            fleet_t = sum(vehicle_t[x.tech] for x in unit.vehicles) * unit.delivery   # the unit's plan
            heat_t = unit.fossil_heat * unit.delivery * calib["unit_oil_t_per_mwh"]
            unit.direct = fleet_t + heat_t
            unit_fleet, unit_heat = unit_fleet + fleet_t, unit_heat + heat_t
        units_dh = sum(u.district_heat for u in self.units)
        eligible = sum(f.employees for f in self.firms if f.heat_recovery_eligible)
        connected = sum(f.employees for f in self.firms if f.heat_recovery_eligible and f.heat_recovery)
        displaced = v["heat_recovery_share"] * (connected / eligible if eligible else 0.0)
        dh = (household[3] + firm[4] + units_dh) * calib["dh_t_per_mwh"] * d.district_heat_factor[t] * (1 - displaced)
        exo = {k: x[t] for k, x in d.exogenous.items()}
        sectors = {"transport": max(0.0, household[0] + firm[0] + unit_fleet + exo["other_transport"]
                                    - self.grant_transport_cut),
                   "electricity_district_heating": dh, "industry": firm[1] + exo["industrial_process"],
                   "agriculture": exo["agriculture"], "work_machinery": firm[3], "product_use": exo["product_use"],
                   "waste": exo["waste"], "own_heating": household[2] + firm[2] + unit_heat}
        abatement, self.measures_covered = measures.aggregate_abatement(c, self.measure_uptake)
        for m in measures.AGGREGATE:
            sectors[SECTORS[measures.SECTOR_OF[measures.COMPONENT[m]]]] -= abatement[m]
        abatement[Measure.MACHINERY_PERMITS] = w * fuel_t[2] * sum(
            f.machinery_energy * f.delivery for f in permitted if not f.machinery_fossil_free)
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
        self.record["sector_measure_abatement"] = abatement
        price = energy.prices(c)
        self.record["energy_expenditure"] = [sum(h.energy_bill(price) for h in self.households) * w,
                                             sum(f.energy_bill(price, self.freight_cut) for f in self.firms) * w,
                                             sum(u.energy_bill(price) for u in self.units), 0.0]

    def permitted_firms(self):
        """Firms with machinery whose run draw lies below this year's permit share (sector measures)."""
        share = measures.permit_share(self.context, self.measure_uptake)
        return [f for f, u in zip(self.firms, self.permit_draws) if u < share and f.machinery_energy > 0]

    def write_record(self, sectors, consumption, scopes):
        t, w = self.t, self.weight
        removal = np.array([self.sinks[s][t] for s in SINKS])
        total = sum(sectors.values())
        fossil = sum(sectors[s] * self.data.co2_share[s] for s in SECTORS)
        self.cumulative += fossil if self.year >= self.budget_start else 0.0
        orgs = [(a, w if a.kind == ActorKind.FIRM else 1.0) for a in self.firms + self.units if a.pledge_year]
        self.record = {
            "emissions": [sectors[s] for s in SECTORS], "removals": removal, "net_emissions": total - removal[:3].sum(),
            "net_emissions_with_offsets": total - removal.sum(), "land_use_flux": self.land_flux[t],
            "consumption_emissions_per_capita": consumption,
            "municipal_group_emissions": scopes,
            "car_fleet": np.bincount([c.fuel for h in self.households for c in h.cars], minlength=5) * w,
            "heating_systems": np.bincount([h.heating for h in self.households], minlength=5) * w,
            "firm_energy_step": np.bincount([f.energy_step for f in self.firms], minlength=5) * w,
            "heat_recovery_connections": sum(f.heat_recovery for f in self.firms) * w,
            "grant_abatement": self.grant_abatement,
            "fossil_co2": fossil, "cumulative_co2": self.cumulative,
            "pledged_reduction": sum(self.commitment(a) * a.pledge_baseline * x for a, x in orgs),
            "delivered_reduction": np.nan,    # from the counterfactual (dataset)
            "pledges": [sum(bool(a.pledge_year) for a in group) * x
                        for group, x in ((self.households, w), (self.firms, w), (self.units, 1.0))]}
        accounted = orgs if self.accounted_pledges is None else [
            (a, w if a.kind == ActorKind.FIRM else 1.0) for a, signed in zip(self.firms + self.units,
                                                                          self.accounted_pledges)
            if signed and signed < self.year]
        self.pledged_direct.append(sum(a.direct * x for a, x in accounted))

    def commitment(self, actor) -> float:
        """Share of its baseline a pledged organisation committed to: a firm's pledge, a unit's plan by now."""
        if actor.kind == ActorKind.FIRM:
            return self.p["pledge_commitment"]
        return 1.0 - (1.0 - actor.plan_rate) ** max(0, self.year - actor.pledge_year)

    def dataset(self, counterfactual: ClimateModel | None = None) -> xr.Dataset:
        """The run's results as :func:`sim.simulate` returns them; ``delivered_reduction`` against
        ``counterfactual`` (the same run without the pledge effect), NaN without one."""
        records = empty_records(len(self.drivers.years))
        for name in YEARLY:
            records[name][:] = np.array(self.datacollector.model_vars[name], dtype=float)
        records["pledged_direct"] = np.array(self.pledged_direct)
        combine(records, None if counterfactual is None
                else {"pledged_direct": np.array(counterfactual.pledged_direct)})
        sc = self.scenario
        goal = self.data.pledge_goal
        if sc.start_year <= goal.year <= sc.end_year:
            signed = [(a, self.weight if a.kind == ActorKind.FIRM else 1.0) for a in self.firms + self.units
                      if a.pledge_year and a.pledge_year <= goal.year]
            records["pledge_goal_met"][()] = float(sum(x for _, x in signed) >= goal.organisations)
        attrs = {
            "title": f"sim Mesa reference run of scenario '{sc.name}'", "scenario": sc.name,
            "scenario_text": sc.text, "scenario_path": sc.path, "seed": self.run_seed, "scale": self.scale,
            "sim_version": __version__, "n_agents": int(self.n_agents), "municipality": self.data.name,
            "Conventions": "CF-1.10", "implementation": "mesa", "stream_offset": self.stream_offset,
            "history": f"created by sim {__version__} sim.mesa.simulate(seed={self.run_seed}, "
                       f"scale={self.scale}, stream_offset={self.stream_offset})",
        }
        return to_dataset(records, self.drivers.years, self.values, attrs, self.data.targets, sc.outputs,
                          sc.lever_years, self.data.price_year)


def simulate(scenario: Scenario, seed: int = 0, params: Mapping[str, float] | None = None,
             scale: float | None = None, stream_offset: int = 0) -> xr.Dataset:
    """Run the Mesa reference from the start year to the end year; same arguments and Dataset as
    :func:`sim.simulate`, plus ``stream_offset`` (see :class:`ClimateModel`)."""
    model = ClimateModel(scenario, seed, params, scale, stream_offset).run()
    wanted = scenario.pledge_counterfactual and (not scenario.outputs or "delivered_reduction" in scenario.outputs)
    signed = [a.pledge_year for a in model.firms + model.units]
    counterfactual = (ClimateModel(scenario, seed, params, scale, stream_offset, pledge_effect=False,
                                   accounted_pledges=signed).run() if wanted else None)
    return model.dataset(counterfactual)
