"""Invariants of whole runs over random parameter draws (hypothesis) and at the declared bounds."""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from testdata import scenario_text

import sim
from sim.data import load_municipality
from sim.declarations.parameters import UNCERTAINTIES
from sim.scenario import parse_scenario

SCENARIO = parse_scenario(scenario_text(end_year=2035, scale=0.02))
NOT_NEGATIVE = ("emissions", "removals", "fossil_co2", "cumulative_co2", "costs", "grant_spend", "grant_abatement",
                "car_fleet", "new_cars", "heating_systems", "firm_energy_step", "heat_recovery_connections",
                "pledges", "pledged_reduction", "municipal_group_emissions")
# delivered_reduction is not among them: a unit's plan cuts its fossil energy, which makes the climate grants'
# projects at that unit worth fewer tonnes, so in a year the grants may go elsewhere and leave the pledged unit
# with more direct emissions than its counterfactual without the plan (seen at scale 0.02, seed 2: -9 t in 2026)


PARAMS = st.fixed_dictionaries({p.name: st.floats(p.low, p.high, allow_nan=False) for p in UNCERTAINTIES})


def check_invariants(ds):
    """Every invariant of a run; raises AssertionError naming the first that fails."""
    years = ds["year"].values
    # firms are conserved: they only change kind
    firms = ds["firm_energy_step"].sum("step").values
    np.testing.assert_allclose(firms, firms[0], rtol=1e-12, err_msg="firm_energy_step")
    # households (one heating system each) come and go only with the population, and cars only with them
    households = ds["heating_systems"].sum("system").values
    cars = ds["car_fleet"].sum("fuel").values
    data = load_municipality(SCENARIO.municipality)
    population = np.array([data.population_at(int(y), float(ds["population_growth"])) for y in years])
    moved = np.sign(np.diff(households))
    assert np.all((moved == 0) | (moved == np.sign(np.diff(population)))), "households against the population"
    assert np.all(np.diff(cars)[moved == 0] == 0), "cars changed without households moving"
    # no NaN anywhere, except a target whose year lies outside the run and the budget outcomes where undefined
    budget_start = ds.attrs["carbon_budget_start_year"]
    spent = ds["budget_exhausted_year"].values
    undefined = {"climate_positive_2045": np.full((), ds.attrs["target_climate_positive_year"] not in years),
                 "within_budget": np.full((), not years[0] <= budget_start <= years[-1]),
                 "budget_pathway": years < budget_start, "on_budget_pathway": years < budget_start,
                 "budget_required_cut": (years < budget_start) | (years > spent),
                 "budget_exhausted_year": np.full((), float(ds["within_budget"]) == 1.0)}
    undefined["climate_positive_2045_with_compensation"] = undefined["climate_positive_2045"]
    for name, variable in ds.data_vars.items():
        if variable.dtype.kind == "f":
            expected = undefined.get(name, np.zeros(variable.shape, dtype=bool))
            np.testing.assert_array_equal(np.isnan(variable.values), np.broadcast_to(expected, variable.shape),
                                          err_msg=name)
    # no negative source, stock or flow
    for name in NOT_NEGATIVE:
        assert float(ds[name].min()) >= 0.0, name
    assert np.all(np.diff(ds["cumulative_co2"].values) >= 0)
    # shares lie in [0, 1]
    fleet = ds["car_fleet"]
    bev_share = fleet.sel(fuel="bev") / fleet.sum("fuel")
    plug_in_bought = ds["new_cars"].sel(fuel=["bev", "phev"]).sum("fuel") / ds["new_cars"].sum("fuel")
    heat_pump_share = ds["heating_systems"].sel(system="heat_pump") / ds["heating_systems"].sum("system")
    for share in (bev_share, plug_in_bought.fillna(0.0), heat_pump_share):
        assert float(share.min()) >= 0.0 and float(share.max()) <= 1.0
    households = ds["heating_systems"].sum("system")
    firms = ds["firm_energy_step"].sum("step")
    assert np.all(ds["pledges"].sel(actor_kind="household") <= households + 1e-9)
    assert np.all(ds["pledges"].sel(actor_kind="firm") <= firms + 1e-9)
    assert np.all(ds["heat_recovery_connections"] <= firms + 1e-9)
    # commitments and adoption stocks never go back
    signed = np.diff(ds["pledges"].values, axis=0)   # pledges last; households leaving take theirs with them
    assert np.all(signed[:, 1:] >= 0)
    assert np.all((signed[:, 0] >= 0) | (np.diff(households) < 0))
    assert np.all(np.diff(ds["heat_recovery_connections"].values) >= 0)
    at_or_above = ds["firm_energy_step"].values[:, ::-1].cumsum(axis=1)   # firms at step >= s, by year
    assert np.all(np.diff(at_or_above, axis=0) >= -1e-9)
    assert np.all(np.diff(ds["grant_abatement"].values) >= 0)
    # accounting identities
    sinks = ds["removals"].drop_sel(sink="purchased_offsets").sum("sink")
    np.testing.assert_allclose(ds["net_emissions"], ds["emissions"].sum("sector") - sinks, rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(ds["net_emissions_with_offsets"],
                               ds["emissions"].sum("sector") - ds["removals"].sum("sink"), rtol=1e-9, atol=1e-6)
    if 2030 in years and 2020 in years:
        met = float(ds["net_emissions"].sel(year=2030)) <= 0.2 * float(ds["net_emissions"].sel(year=2020))
        assert float(ds["target_2030_met"]) == float(met)


@settings(max_examples=8, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(params=PARAMS, seed=st.integers(0, 2**31 - 1), topology=st.sampled_from(["small_world", "random"]))
def test_invariants_over_parameter_draws(params, seed, topology):
    """For any uncertainty values within their declared bounds, every run keeps the invariants."""
    scenario = SCENARIO.with_levers(network_topology=topology)
    ds = sim.simulate(scenario, seed=seed, params=params)
    for name, value in params.items():
        assert float(ds[name]) == value
    check_invariants(ds)


@pytest.mark.parametrize("side", ["low", "high"])
def test_invariants_at_joint_bounds(side):
    """With every uncertainty at its lower (or upper) bound at once, the invariants still hold."""
    params = {p.name: (p.low if side == "low" else p.high) for p in UNCERTAINTIES}
    check_invariants(sim.simulate(SCENARIO, seed=1, params=params))


@pytest.mark.parametrize("levers", [
    "grant_budget = 500e6\ngrant_start_year = 2015\ngrant_allocation = \"lottery\"",
    "charge_points_per_year = 5000.0\ncycle_lanes_per_year = 50.0\ntransit_growth = 0.1",
    "arena_events_per_year = 100.0\narena_start_year = 2015\nefficiency_support = 1.0\nheat_recovery_support = 1.0",
    ("municipal_fleet_ev_year = 2015\nfossil_free_machinery_year = 2015\nprocurement_criteria = 1.0\n"
     "rail_freight_share_2030 = 0.5"),
    ("rewetting_per_year = 1000.0\nbiochar_capacity = 100000.0\n"
     "forestry_measures = 50000.0\noffsets_per_year = 500000.0"),
])
def test_invariants_at_lever_extremes(levers):
    """Levers at the top of their ranges keep the invariants."""
    check_invariants(sim.simulate(parse_scenario(scenario_text(end_year=2035, scale=0.02, levers=levers)), seed=2))


def test_zero_bev_premium_is_finite():
    """bev_premium_2020 = 0 (its declared lower bound) gives a finite run without a flood of biogas cars.

    Regression: the PHEV premium was scaled by bev_premium[t] / bev_premium_2020, 0 / 0 here, and the NaN
    utilities sent every replaced car to the last option.
    """
    ds = sim.simulate(SCENARIO, seed=1, params={"bev_premium_2020": 0.0})
    assert not np.isnan(ds["costs"].values).any()
    start = ds["car_fleet"].sel(fuel="biogas").values[0]
    assert float(ds["car_fleet"].sel(fuel="biogas").isel(year=-1)) < 3 * start + 100
