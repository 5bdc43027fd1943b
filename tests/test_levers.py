"""Levers added late in the first session: each acts where it should and nowhere else."""
import numpy as np
import pytest

import sim
from sim.data import load_municipality
from sim.exogenous import build_drivers
from sim.sampling import parameter_values
from sim.timing import yearly_values


def test_charge_points_follow_the_observed_counts_then_the_lever(small_scenario):
    """Observed public charge points (December counts, 2015-2025) are used as they are; the lever adds points after
    them."""
    data = load_municipality(small_scenario.municipality)
    scenario = small_scenario.with_levers(charge_points_per_year=500.0)
    yearly = yearly_values(parameter_values(scenario, 1), scenario.lever_years, range(2020, 2029))
    drivers = build_drivers(data, yearly, 2020, 2028)
    years = list(drivers.years)
    assert min(data.charge_points) < years[0]
    for year, observed in data.charge_points.items():
        if year in years:
            assert drivers.charge_points[years.index(year)] == observed
    last = max(data.charge_points)
    np.testing.assert_allclose(np.diff(drivers.charge_points[years.index(last):]), 500.0)


def test_procurement_criteria_reach_the_lever_in_five_years(make_scenario):
    """Scope 3 starts at the calibrated level whatever the lever and reaches (1 - 0.3 c) after five years."""
    low = sim.simulate(make_scenario(end_year=2026, levers="procurement_criteria = 0.2"), seed=3)
    high = sim.simulate(make_scenario(end_year=2026, levers="procurement_criteria = 1.0"), seed=3)
    scope3 = lambda ds, year: float(ds["municipal_group_emissions"].sel(scope="scope3", year=year))
    assert scope3(high, 2020) == pytest.approx(scope3(low, 2020), rel=1e-12)
    assert scope3(high, 2025) / scope3(low, 2025) == pytest.approx((1 - 1.0 * 0.3) / (1 - 0.2 * 0.3), rel=1e-12)
    assert scope3(low, 2022) > scope3(high, 2022) > scope3(high, 2025)


def test_heat_pump_subsidy_buys_heat_pumps_and_the_group_pays(make_scenario):
    """A subsidy raises heat-pump adoption, lowers households' cost and raises the municipal group's."""
    none = sim.simulate(make_scenario(end_year=2035, scale=0.05), seed=5)
    paid = sim.simulate(make_scenario(end_year=2035, scale=0.05, levers="heat_pump_subsidy = 100000.0"), seed=5)
    pumps = lambda ds: float(ds["heating_systems"].sel(system="heat_pump", year=2035))
    assert pumps(paid) > pumps(none)
    assert float(paid["costs"].sel(payer="municipal_group").sum()) > float(
        none["costs"].sel(payer="municipal_group").sum())
    np.testing.assert_array_equal(paid["car_fleet"].values, none["car_fleet"].values)


def test_organisations_pledge_without_arena_events(make_scenario):
    """Once the programme runs, organisations sign at the base rate even in years without events."""
    ds = sim.simulate(make_scenario(end_year=2030, scale=0.05, levers="arena_events_per_year = 0.0"), seed=2,
                      params={"pledge_base_rate": 0.05})
    assert float(ds["pledges"].sel(actor_kind="firm", year=2021)) == 0.0
    assert float(ds["pledges"].sel(actor_kind="firm", year=2030)) > 0.0
