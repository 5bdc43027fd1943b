"""Household heating (ODD 7.6.5): the national trend's direction, the distribution constraint, the subsidy."""
import math

import numpy as np
import pytest

from sim.base_year import calibrate
from sim.declarations.codes import Dwelling, Heating, Payer
from sim.declarations.parameters import UNCERTAINTIES
from sim.engine import run_state
from sim.exogenous import build_drivers
from sim.land import removals
from sim.mechanisms import adoption
from sim.network import build_network
from sim.population import build_population
from sim.sampling import parameter_values
from sim.state import State, YearContext
from sim.timing import paths, yearly_values

CENTRAL = {p.name: p.default for p in UNCERTAINTIES}
"""Every uncertainty at the centre of its range: the tests check the mechanism, not a lucky draw."""
WATER_BORNE = (Heating.DISTRICT_HEATING, Heating.OIL, Heating.BIOFUEL)


def detached_shares(heating, dwelling):
    """Share of detached houses on each heating system."""
    detached = dwelling == Dwelling.DETACHED
    return np.bincount(heating[detached], minlength=len(Heating)) / np.count_nonzero(detached)


def test_start_mix_is_the_base_year_mix(eskilstuna):
    """The population's detached mix is the assumption's (quotas exact up to one house per system)."""
    population = build_population(eskilstuna, 2020, 1, 0.1)
    hh = population.households
    mix = eskilstuna.assumptions["heating_mix_detached"]
    n = np.count_nonzero(hh.dwelling == Dwelling.DETACHED)
    np.testing.assert_allclose(detached_shares(hh.heating, hh.dwelling) * n,
                               [mix[s] * n for s in ("district_heating", "heat_pump", "direct_electric", "oil",
                                                     "biofuel")], atol=1.0)


def test_distribution_is_drawn_from_the_declared_shares(eskilstuna):
    """Boilers and district heating are water-borne; heat pumps and direct electric by the declared shares."""
    from sim.declarations.constants import VALUES
    hh = build_population(eskilstuna, 2020, 3, 0.5).households
    assert hh.hydronic[np.isin(hh.heating, WATER_BORNE)].all()
    for system, name in ((Heating.HEAT_PUMP, "heat_pump_hydronic_share"),
                         (Heating.DIRECT_ELECTRIC, "direct_electric_hydronic_share")):
        held = hh.heating == system
        share, n = hh.hydronic[held].mean(), np.count_nonzero(held)
        p = VALUES[name]
        assert share == pytest.approx(p, abs=5 * math.sqrt(p * (1 - p) / n))   # binomial draws, 5 sd


@pytest.fixture(scope="module")
def trend(baseline_scenario, eskilstuna):
    """Change of the detached shares from 1 January 2020 to 1 January 2045 in six seeds: baseline, central values."""
    changes = []
    for seed in range(1, 7):
        values = parameter_values(baseline_scenario, seed, CENTRAL)
        population = build_population(eskilstuna, 2020, seed, 0.1)
        hh = population.households
        network = build_network(population, seed, str(values["network_topology"]))
        _, state = run_state(population, network, eskilstuna, values, seed, 2020, 2044,
                             baseline_scenario.lever_years)
        changes.append(detached_shares(state.households.heating, hh.dwelling) - detached_shares(hh.heating,
                                                                                                   hh.dwelling))
    return np.array(changes)


@pytest.mark.parametrize("system, sign", [(Heating.HEAT_PUMP, 1), (Heating.DISTRICT_HEATING, 1),
                                          (Heating.DIRECT_ELECTRIC, -1), (Heating.OIL, -1)])
def test_trend_has_the_national_direction(trend, system, sign):
    """Heat pumps and district heating gain, direct electric and oil lose, as in the national statistics.

    Tolerance: the mean change over six seeds must lie more than four standard
    errors (seed-to-seed standard deviation over sqrt(6)) on the right side of zero.
    """
    change = trend[:, system]
    standard_error = change.std(ddof=1) / math.sqrt(len(change))
    assert sign * change.mean() > 4 * standard_error
    assert sign * change.mean() > 0.01       # at least a percentage point over 25 years: not a rounding drift


def heating_year(eskilstuna, scenario, changes, **params):
    """One year of the heating step on a population changed by ``changes(households)``: (state, context)."""
    seed = 4
    values = parameter_values(scenario, seed, {**CENTRAL, **params})
    population = build_population(eskilstuna, 2020, seed, 0.05)
    changes(population.households)
    yearly = yearly_values(values, {}, range(2020, 2022))     # the levers act from the first year
    drivers = build_drivers(eskilstuna, yearly, 2020, 2021)
    context = YearContext.first(eskilstuna, build_network(population, seed), values, seed, calibrate(eskilstuna, 2020),
                                drivers, removals(paths(yearly), eskilstuna.land, drivers.years), yearly)
    state = State.from_population(population, context.p["unit_attitude"])
    adoption._heating(state, context, adoption.utility_weights(context))
    return state, context


def all_direct_electric_without_distribution(hh):
    hh.heating[:] = Heating.DIRECT_ELECTRIC
    hh.hydronic[:] = False
    hh.dh_available[:] = True


def test_water_borne_systems_need_the_conversion(make_scenario, eskilstuna):
    """A direct-electric home without water-borne distribution pays the conversion for every water-borne system.

    The cost booked is recomputed here from the technology table: each switch
    to district heating, oil or biofuel costs its installation plus the
    conversion, a heat pump is an air-to-air pump, and the home is water-borne
    afterwards only if it took a water-borne system. Costs are left out of
    the choice (cost weight 0), so that water-borne systems are taken often.
    """
    conversion = 120e3
    state, context = heating_year(eskilstuna, make_scenario(end_year=2021), all_direct_electric_without_distribution,
                                  direct_electric_replacement_rate=1.0, heating_switching_hassle=0.0,
                                  cost_weight=0.0, hydronic_conversion_cost=conversion)
    after = state.households
    chosen = after.heating
    water = np.isin(chosen, WATER_BORNE)
    assert np.count_nonzero(water) > 20 and np.count_nonzero(chosen == Heating.HEAT_PUMP) > 20
    np.testing.assert_array_equal(after.hydronic, water)
    heat = context.tech["heating"]
    install = np.asarray(heat["capital_cost_sek"], dtype=float)
    install[Heating.HEAT_PUMP] = heat["air_to_air_cost_sek"]
    install[list(WATER_BORNE)] += conversion
    switched = chosen != Heating.DIRECT_ELECTRIC
    expected = np.maximum(0.0, install[chosen[switched]] - heat["capital_cost_sek"][Heating.OIL]).sum()
    assert state.costs[Payer.HOUSEHOLDS] == pytest.approx(expected * state.weight, rel=1e-12)
    assert state.costs[Payer.HOUSEHOLDS] >= np.count_nonzero(water) * (conversion - 20e3) * state.weight


def test_no_water_borne_system_without_distribution_over_a_run(make_scenario, eskilstuna):
    """Over a run with much switching, no home without water-borne distribution ends on a water-borne system."""
    scenario = make_scenario(end_year=2040, scale=0.05)
    values = parameter_values(scenario, 2, {**CENTRAL, "imitation_rate": 0.1, "direct_electric_replacement_rate": 0.1})
    population = build_population(eskilstuna, 2020, 2, 0.05)
    start = population.households
    _, state = run_state(population, build_network(population, 2), eskilstuna, values, 2, 2020, 2040)
    end = state.households
    assert np.count_nonzero(end.hydronic & ~start.hydronic) > 20              # conversions happened
    assert not np.isin(end.heating[~end.hydronic], WATER_BORNE).any()
    assert np.count_nonzero((end.heating == Heating.HEAT_PUMP) & ~end.hydronic) > np.count_nonzero(
        (start.heating == Heating.HEAT_PUMP) & ~start.hydronic)             # air-to-air pumps were installed


def test_subsidy_raises_heat_pump_adoption(make_scenario, eskilstuna):
    """With the same draws, a heat-pump subsidy leaves more heat pumps after one year and the group pays it."""
    unchanged = lambda hh: None
    none, _ = heating_year(eskilstuna, make_scenario(end_year=2021), unchanged, heating_replacement_rate=0.5)
    paid, context = heating_year(eskilstuna, make_scenario(end_year=2021, levers="heat_pump_subsidy = 50000.0"),
                                 unchanged, heating_replacement_rate=0.5)
    pumps = lambda hh: np.count_nonzero(hh.heating == Heating.HEAT_PUMP)
    assert pumps(paid.households) > pumps(none.households)
    assert none.costs[Payer.MUNICIPAL_GROUP] == 0.0 < paid.costs[Payer.MUNICIPAL_GROUP]
    assert adoption.heating_subsidy(context)[adoption.heating_group(True, Heating.HEAT_PUMP)] == 0.0  # no renewals


@pytest.mark.parametrize("rate, years", [(0.3, 15.0), (0.2, 30.0), (1e-131, 8.0), (0.0, 12.0)])
def test_capital_recovery_factor_spreads_the_capital_over_the_life(rate, years):
    """The yearly payment over ``years`` has present value 1 at ``rate`` (1 / years as the rate vanishes)."""
    payment = adoption.crf(rate, years)
    present_value = sum(payment / (1.0 + rate) ** t for t in range(1, int(years) + 1))
    assert present_value == pytest.approx(1.0, rel=1e-12)
