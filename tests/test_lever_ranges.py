"""Levers as ranges or choices, sampled along run with the uncertainties, and designs fixed run by run."""
import numpy as np
import pytest
from testdata import scenario_text

import sim
from sim.batch import plan_batch, scenario_hash
from sim.declarations.parameters import BY_NAME, UNCERTAINTIES
from sim.scenario import ScenarioError, parse_scenario

RANGED = ('grant_budget = {low = 0, high = 5e7}\n'
          'grant_allocation = {choices = ["tonnes_per_krona", "lottery"]}\n'
          'charge_points_per_year = {low = 50, high = 300, from = 2022}\n')


@pytest.fixture(scope="module")
def ranged():
    return parse_scenario(scenario_text(end_year=2024, levers=RANGED))


def test_ranges_parse_with_their_years(ranged):
    """{low, high}, {choices} and a range with from are kept as ranges, with their effect years."""
    assert set(ranged.lever_ranges) == {"grant_budget", "grant_allocation", "charge_points_per_year"}
    assert ranged.lever_ranges["grant_allocation"].choices == ("tonnes_per_krona", "lottery")
    assert ranged.lever_years["charge_points_per_year"] == 2022
    assert ranged.lever_years["grant_budget"] == 2020  # levers_from = start year in the test scenario


@pytest.mark.parametrize("line, field", [
    ("grant_budget = {low = 5e7, high = 0}", "levers.grant_budget"),
    ("grant_budget = {low = -1, high = 5e7}", "levers.grant_budget.low"),
    ("grant_budget = {low = 0, high = 5e7, mode = 1}", "levers.grant_budget"),
    ('grant_allocation = {choices = ["tonnes_per_krona"]}', "levers.grant_allocation.choices"),
    ('grant_allocation = {choices = ["tonnes_per_krona", "auction"]}', "levers.grant_allocation.choices"),
    ("grant_allocation = {low = 0, high = 1}", "levers.grant_allocation"),
    ("network_topology = {choices = [\"small_world\", \"random\"], from = 2025}", "levers.network_topology.from"),
])
def test_bad_ranges_name_the_field(line, field):
    """A bad range is refused with the file and the field named."""
    with pytest.raises(ScenarioError, match=f"field '{field}'"):
        parse_scenario(scenario_text(levers=line))


def test_a_single_run_draws_a_ranged_lever_from_its_seed(ranged):
    """sim.simulate draws each ranged lever from the run's seed: within its range, the same for the same seed."""
    from sim.sampling import parameter_values

    draws = [parameter_values(ranged, seed)["grant_budget"] for seed in range(40)]
    assert all(0.0 <= d <= 5e7 for d in draws) and len(set(draws)) == 40
    assert parameter_values(ranged, 3) == parameter_values(ranged, 3)
    choices = {parameter_values(ranged, seed)["grant_allocation"] for seed in range(40)}
    assert choices == {"tonnes_per_krona", "lottery"}
    fixed = parse_scenario(scenario_text(end_year=2024))
    # adding ranged levers leaves the uncertainties' draws as they were (the levers' quantiles come after)
    assert all(parameter_values(ranged, 5)[p.name] == parameter_values(fixed, 5)[p.name] for p in UNCERTAINTIES)


def test_batch_samples_ranged_levers_along_run(ranged):
    """In a batch a ranged lever is a variable along (scenario, run) with its quantile column; others stay."""
    fixed = parse_scenario(scenario_text(end_year=2024).replace('name = "test"', 'name = "fixed"'))
    ds = sim.run_batch([fixed, ranged], runs=4, seed=2, workers=1)
    budget = ds["grant_budget"]
    assert budget.dims == ("scenario", "run") and budget.attrs["role"] == "lever"
    assert budget.attrs["varied_by"] == "range" and budget.attrs["units"] == BY_NAME["grant_budget"].units
    q = ds["lever_quantile"].sel(sampled_lever="grant_budget").values
    np.testing.assert_allclose(budget.sel(scenario="test").values, 5e7 * q)
    assert (budget.sel(scenario="fixed").values == fixed.levers["grant_budget"]).all()
    assert ds["grant_start_year"].dims == ("scenario",)
    # the uncertainties' sample is shared by both scenarios, and the ranged batch ran what it says
    np.testing.assert_array_equal(ds["imitation_rate"].sel(scenario="test"), ds["imitation_rate"].sel(scenario="fixed"))
    run = 1
    one = sim.simulate(ranged, seed=int(ds["run_seed"][run]),
                       params={**{p.name: float(ds[p.name].sel(scenario="test")[run]) for p in UNCERTAINTIES},
                               **{name: ds[name].sel(scenario="test").values[run].item()
                                  for name in ranged.lever_ranges}})
    np.testing.assert_array_equal(one["net_emissions"].values,
                                  ds["net_emissions"].sel(scenario="test").isel(run=run).values)


def test_design_fixes_values_run_by_run():
    """design= gives run i every scenario's value of a lever or uncertainty; it is part of the store's identity."""
    scenario = parse_scenario(scenario_text(end_year=2023))
    budgets = np.array([0.0, 2e7, 4e7])
    rates = np.array([0.1, 0.2, 0.3])
    design = {"grant_budget": budgets, "imitation_rate": rates}
    plan = plan_batch(scenario, runs=3, seed=1, design=design)
    assert [plan.params(0, i)["grant_budget"] for i in range(3)] == list(budgets)
    assert [plan.params(0, i)["imitation_rate"] for i in range(3)] == list(rates)
    k = [p.name for p in UNCERTAINTIES].index("imitation_rate")
    assert np.isnan(plan.quantiles[:, k]).all()
    assert plan.metadata()["design"] != plan_batch(scenario, runs=3, seed=1,
                                                   design={"grant_budget": budgets[::-1]}).metadata()["design"]
    assert "design" not in plan_batch(scenario, runs=3, seed=1).metadata()


@pytest.mark.parametrize("design, message", [
    ({"grant_bugdet": [0, 1, 2]}, "design.grant_bugdet: allowed a lever or uncertainty"),
    ({"grant_budget": [0, 1]}, "design.grant_budget: allowed 3 values"),
    ({"grant_budget": [0, 1, -5]}, r"design.grant_budget: allowed numbers in \[0"),
    ({"grant_allocation": ["tonnes_per_krona", "x", "lottery"]}, "design.grant_allocation: allowed values from"),
])
def test_bad_design_is_refused(design, message):
    scenario = parse_scenario(scenario_text(end_year=2023))
    with pytest.raises(ValueError, match=message):
        plan_batch(scenario, runs=3, seed=1, design=design)


def test_ranges_change_the_hash_only_when_present(ranged):
    """A scenario without ranges keeps its hash (stores made before ranges resume); a range changes it."""
    fixed = parse_scenario(scenario_text(end_year=2024))
    assert scenario_hash(fixed) != scenario_hash(ranged)
    assert scenario_hash(fixed) == scenario_hash(fixed.with_levers(grant_budget=fixed.levers["grant_budget"]))
    assert scenario_hash(fixed.with_levers(grant_budget={"low": 0.0, "high": 1e7})) != scenario_hash(fixed)
    assert not ranged.with_levers(grant_budget=1e6).lever_ranges.get("grant_budget")


def test_a_ranged_batch_resumes_from_its_store(ranged, tmp_path):
    """A store of a ranged batch holds the sampled levers; reopening it and rerunning changes nothing."""
    store = tmp_path / "ranged.zarr"
    first = sim.run_batch(ranged, runs=2, seed=4, store=store, workers=1)
    again = sim.run_batch(ranged, runs=2, seed=4, store=store, workers=1)
    stored = sim.open_results(store)
    for ds in (again, stored):
        np.testing.assert_array_equal(ds["grant_budget"].values, first["grant_budget"].values)
        np.testing.assert_array_equal(ds["grant_allocation"].values, first["grant_allocation"].values)
        np.testing.assert_array_equal(ds["net_emissions"].values, first["net_emissions"].values)
