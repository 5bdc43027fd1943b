"""Each numba kernel alone, in nanoseconds per agent-step, at a small and at the full scale.

Inputs are a realistic mid-run state (year 2025) of the baseline scenario:
the population and network of the given scale, about a tenth of the actors
pledged, a fifth showing each signal. "small" is scale 0.1 (about 5,700
agents), "full" is scale 1 (about 57,000 agents: Eskilstuna). The municipal
group is never scaled, so the grant allocation is measured on the real
number of proposals ("small") and on a hundred times as many ("full").
One agent-step is one agent (car, household, firm, proposal) through the
kernel once; ``extra_info["n"]`` says how many there were.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import pytest
from bench_settings import QUICK, ROOT, SEED

from sim.data import load_municipality
from sim.declarations.codes import ActorKind, Signal, Stream
from sim.declarations.constants import VALUES as CONSTANTS
from sim.kernels import accounting, adoption, behaviour, grants, influence, pledges, rng
from sim.kernels.rng import make_key, uniforms
from sim.mechanisms.adoption import crf
from sim.network import build_network
from sim.population import build_population
from sim.sampling import parameter_values
from sim.scenario import load_scenario

SCALES = {"small": 0.01, "full": 0.02} if QUICK else {"small": 0.1, "full": 1.0}
YEAR = 2025


@lru_cache(maxsize=2)
def state(size: str) -> dict:
    """Arrays as the engine holds them in 2025, for the population of ``SCALES[size]``."""
    scenario = load_scenario(ROOT / "scenarios" / "baseline.toml")
    values = parameter_values(scenario, SEED)
    data = load_municipality(scenario.municipality)
    pop = build_population(data, scenario.start_year, SEED, SCALES[size])
    net = build_network(pop, SEED, str(values["network_topology"]))
    hh, firms, units = pop.households, pop.firms, pop.units
    n_h, n_f, n_u = len(hh.zone), len(firms.sector), len(units.name)
    n = n_h + n_f + n_u
    signals = (uniforms(SEED, 0, 901, 5 * n).reshape(n, 5) < 0.2)
    bits = np.full(n, 1 << int(Signal.PRESENT), dtype=np.uint8)   # everyone present
    for column in range(5):
        bits |= signals[:, column].astype(np.uint8) << column
    counts = np.zeros((n, len(Signal)), dtype=np.int32)
    influence.update_counts(net.indptr, net.indices, np.zeros(n, dtype=np.uint8), bits, counts)
    exposure = np.empty((n, 5))
    for column in range(5):
        influence.shares(counts, column, int(Signal.PRESENT), 0, exposure[:, column])
    changed = bits ^ (uniforms(SEED, 0, 902, n) < 0.1).astype(np.uint8)   # a year's changes: about 10 % of agents
    pledge_year = np.where(uniforms(SEED, 0, 900, n) < 0.1, 2022, 0).astype(np.int32)
    strength = np.empty(n)
    pledges.pledge_strength(pledge_year, YEAR, values["pledge_decay"], strength)
    tech = data.technology
    return dict(values=values, data=data, pop=pop, net=net, n=n, n_h=n_h, n_f=n_f, n_u=n_u, tech=tech,
                kind=np.repeat(np.array([ActorKind.HOUSEHOLD, ActorKind.FIRM, ActorKind.MUNICIPAL_UNIT],
                                        dtype=np.int8), [n_h, n_f, n_u]),
                attitude=np.concatenate([hh.attitude, firms.attitude, np.full(n_u, CONSTANTS["unit_attitude"])]),
                bits=bits, changed=changed, counts=counts, exposure=exposure, pledge_year=pledge_year,
                strength=strength,
                weights=np.array([values[k] for k in ("cost_weight", "social_weight", "attitude_weight",
                                                      "pledge_bonus")]))


def _car_utilities(s):
    car, cars, hh = s["tech"]["car"], s["pop"].cars, s["pop"].households
    owner = cars.owner
    capex = np.asarray(car["purchase_premium_sek"], dtype=float) * crf(s["values"]["discount_rate_households"],
                                                                        car["annuity_years"])
    out = np.empty((len(owner), 5))
    args = (12000.0 * hh.car_km_factor[owner], hh.attitude[owner], s["strength"][owner], s["exposure"][owner, 0],
            capex, np.asarray(car["energy_cost_sek_per_km"], dtype=float), np.asarray(car["constant"], dtype=float),
            np.asarray(car["green"], dtype=float), 10000.0, s["weights"], out)
    return args


def case(name: str, size: str):
    """(kernel, function building fresh arguments, agent-steps per call) for one benchmark case."""
    s = state(size)
    v, pop, n, n_h, n_f = s["values"], s["pop"], s["n"], s["n_h"], s["n_f"]
    hh, firms = pop.households, pop.firms
    key = make_key(SEED, YEAR, 7)
    firm_pledged = (s["pledge_year"][n_h:n_h + n_f] != 0).astype(float)
    if name == "rng.fill_uniform":
        return rng.fill_uniform, lambda: (key, np.empty(n)), n
    if name == "influence.update_counts":
        net = s["net"]
        return influence.update_counts, lambda: (net.indptr, net.indices, s["bits"].copy(), s["changed"],
                                                 s["counts"].copy()), n
    if name == "influence.shares":
        net = s["net"]
        return influence.shares, lambda: (s["counts"], 2, int(Signal.PRESENT), 0, np.empty(n)), n
    if name == "pledges.sign_pledges":
        hazard = np.array([v["household_pledge_rate"], 0.05, 0.15])
        return pledges.sign_pledges, lambda: (s["kind"], np.ones(n, dtype=bool), s["attitude"], s["pledge_year"].copy(),
                                              s["exposure"][:, 2],
                                              hazard, v["pledge_social_weight"], YEAR, key), n
    if name == "pledges.pledge_strength":
        return pledges.pledge_strength, lambda: (s["pledge_year"], YEAR, v["pledge_decay"], np.empty(n)), n
    if name == "pledges.delivery_factor":
        return pledges.delivery_factor, lambda: (s["pledge_year"], YEAR, v["pledge_commitment"],
                                                 v["pledge_fulfilment"], 5.0, make_key(SEED, 0, Stream.FULFILMENT),
                                                 np.empty(n)), n
    n_cars = len(pop.cars.owner)
    if name == "adoption.utilities":
        return adoption.utilities, lambda: _car_utilities(s), n_cars
    if name == "adoption.adopt":
        args = _car_utilities(s)
        adoption.utilities(*args)
        utilities = args[-1]
        exposure = s["exposure"][pop.cars.owner, 0]
        rates = np.full(n_cars, v["car_replacement_rate"])
        imitation = v["imitation_rate"] * np.array([0.0, 0.0, 0.5, 1.0, 0.0])
        return adoption.adopt, lambda: (pop.cars.fuel, rates, utilities, exposure, imitation, 1.0, key,
                                        np.empty(n_cars, dtype=np.int8), np.empty(n_cars, dtype=bool)), n_cars
    if name == "adoption.choose":
        car = s["tech"]["car"]
        capex = np.asarray(car["purchase_premium_sek"], dtype=float) * crf(v["discount_rate_households"],
                                                                            car["annuity_years"])
        table = np.stack([capex, np.asarray(car["energy_cost_sek_per_km"], dtype=float),
                          np.asarray(car["constant"], dtype=float), np.asarray(car["green"], dtype=float),
                          v["imitation_rate"] * np.array([0.0, 0.0, 0.5, 1.0, 0.0])])
        return adoption.choose, lambda: (pop.cars.fuel, pop.cars.owner, np.full(n_h, v["car_replacement_rate"]),
                                         12000.0, hh.car_km_factor, hh.attitude, s["strength"][:n_h],
                                         s["exposure"][:n_h, 0], -1, np.zeros(n_h, dtype=bool),
                                         np.zeros(n_h, dtype=np.int64), table[np.newaxis], 10000.0,
                                         s["weights"], key, np.empty(n_cars, dtype=np.int8),
                                         np.empty(n_cars, dtype=bool)), n_cars
    if name == "behaviour.household_behaviour":
        zone_km = np.asarray(s["tech"]["behaviour"]["zone_km_factor"], dtype=float)
        return behaviour.household_behaviour, lambda: (hh.zone, hh.attitude, s["strength"][:n_h],
                                                       s["exposure"][:n_h, 4], hh.low_meat_diet.copy(), zone_km,
                                                       np.array([0.02, 0.02, 0.0]), 0.05, v["diet_shift_rate"], key,
                                                       np.empty(n_h)), n_h
    if name == "behaviour.climb_energy_steps":
        return behaviour.climb_energy_steps, lambda: (firms.energy_step.copy(), 4, firm_pledged,
                                                      s["exposure"][n_h:n_h + n_f, 3], 0.05, 0.5, 1.0, 0.1, key), n_f
    if name == "behaviour.connect_heat_recovery":
        return behaviour.connect_heat_recovery, lambda: (firms.heat_recovery_eligible, firms.heat_recovery.copy(),
                                                         firm_pledged, 0.02, 0.1, 0.5, key), n_f
    if name == "accounting.household_accounts":
        tech = s["tech"]
        fossil = np.array([0.16, 0.15, 0.05, 0.0, 0.02])
        return accounting.household_accounts, lambda: (
            pop.cars.owner, pop.cars.fuel, 12000.0, np.ones(n_h), fossil, fossil + 0.05, hh.heating, hh.heat_demand,
            3, 0.27, np.asarray(tech["heating"]["electricity_per_mwh_heat"], dtype=float),
            np.array([1.0, 0, 0, 0, 0]), hh.persons, hh.low_meat_diet, np.array([1.5, 1.0]), np.empty(6)), n_h
    if name == "accounting.firm_accounts":
        return accounting.firm_accounts, lambda: (
            firms.sector, firms.vehicle_energy, firms.fleet_tech, firms.process_energy, firms.process_electrified,
            firms.heating_fossil, firms.machinery_energy, np.zeros(n_f, dtype=bool), firms.electricity,
            firms.district_heat, firms.energy_step, 0.05, np.ones(n_f), np.zeros(7), np.array([0.25, 0.05, 0.0]),
            np.array([0.27, 0.29, 0.25]), 2, 3.0, np.empty(6), np.empty(n_f)), n_f
    if name == "grants.allocate_grants":
        m = 3 * s["n_u"] * (100 if size == "full" else 1)
        cost = 1e5 + 1e6 * uniforms(SEED, YEAR, 910, m)
        true = 50.0 * uniforms(SEED, YEAR, 911, m)
        return grants.allocate_grants, lambda: (cost, true * 1.3, true, np.arange(m, dtype=np.int64),
                                                10e6 * m / (3 * s["n_u"]), False, 0.2, 0.8, key, key,
                                                np.empty(m, dtype=bool), np.empty(m, dtype=bool)), m
    raise KeyError(name)


KERNELS = ("rng.fill_uniform", "influence.update_counts", "influence.shares", "pledges.sign_pledges",
           "pledges.pledge_strength", "pledges.delivery_factor", "adoption.utilities", "adoption.adopt",
           "adoption.choose", "behaviour.household_behaviour",
           "behaviour.climb_energy_steps", "behaviour.connect_heat_recovery", "accounting.household_accounts",
           "accounting.firm_accounts", "grants.allocate_grants")


@pytest.mark.parametrize("size", list(SCALES))
@pytest.mark.parametrize("name", KERNELS)
def test_kernel(measure, benchmark, name, size):
    target, make_args, n_steps = case(name, size)
    target(*make_args())  # compile (or load from the cache) outside the timing
    benchmark.group = f"kernel: {name}"
    benchmark.extra_info["scale"] = SCALES[size] if name != "grants.allocate_grants" else None
    measure(target, lambda: make_args(), n_steps, rounds=50 if size == "small" else 20,
            unit="proposal" if name.startswith("grants") else "agent-step")
