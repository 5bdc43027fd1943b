"""Pledge kernels: signing, behavioural strength and delivery of pledged organisations."""
import math

import numpy as np
import pytest
import reference as ref
from testdata import ESKILSTUNA, scenario_text

import sim
from sim.data import DataError, load_municipality
from sim.kernels import pledges
from sim.kernels.rng import make_key, uniform, uniform_at
from sim.scenario import ScenarioError, parse_scenario


def test_sign_pledges_matches_reference(rng):
    """Who signs, and in which year, agrees exactly with the reference on the same draws."""
    n = 5000
    kind = rng.integers(0, 3, n).astype(np.int8)
    attitude = rng.random(n)
    pledge_year = np.where(rng.random(n) < 0.1, 2021, 0).astype(np.int32)
    exposure = rng.random(n)
    hazard = np.array([0.01, 0.2, 0.6])
    key = make_key(4, 2024, 6)
    want = ref.sign_pledges(kind, attitude, pledge_year, exposure, hazard, 0.3, 2024, key, uniform)
    pledges.sign_pledges(kind, np.ones(n, dtype=bool), attitude, pledge_year, exposure, hazard, 0.3, 2024, key)
    np.testing.assert_array_equal(pledge_year, want)
    assert np.count_nonzero(pledge_year == 2024) > 100


def test_sign_pledges_keeps_earlier_pledges_and_needs_hazard(rng):
    """A signed pledge keeps its year; with zero hazard nobody signs; attitude 0 never signs."""
    n = 2000
    kind = rng.integers(0, 3, n).astype(np.int8)
    pledge_year = np.where(np.arange(n) % 2 == 0, 2021, 0).astype(np.int32)
    before = pledge_year.copy()
    pledges.sign_pledges(kind, np.ones(n, dtype=bool), rng.random(n), pledge_year, np.zeros(n), np.zeros(3), 0.0,
                         2025, make_key(1, 2025, 6))
    np.testing.assert_array_equal(pledge_year, before)
    pledges.sign_pledges(kind, np.ones(n, dtype=bool), np.zeros(n), pledge_year, np.ones(n), np.ones(3), 1.0, 2026,
                         make_key(1, 2026, 6))
    np.testing.assert_array_equal(pledge_year, before)
    pledges.sign_pledges(kind, np.ones(n, dtype=bool), rng.random(n), pledge_year, rng.random(n), np.full(3, 0.5),
                         0.2, 2027, make_key(1, 2027, 6))
    assert np.all(pledge_year[before != 0] == 2021)
    assert np.count_nonzero(pledge_year == 2027) > 0


def test_absent_agents_never_sign(rng):
    """An agent not present this year does not sign, however high its hazard; the present sign as before."""
    n = 3000
    kind = rng.integers(0, 3, n).astype(np.int8)
    present = rng.random(n) < 0.6
    args = (rng.random(n) + 0.5, np.zeros(n, dtype=np.int32), np.ones(n), np.full(3, 5.0), 1.0, 2028,
            make_key(3, 2028, 6))
    everyone = args[1].copy()
    pledges.sign_pledges(kind, np.ones(n, dtype=bool), args[0], everyone, *args[2:])
    pledges.sign_pledges(kind, present, *args)
    assert np.all(args[1][~present] == 0)
    np.testing.assert_array_equal(args[1][present], everyone[present])
    assert np.count_nonzero(everyone[~present]) > 0


def test_sign_rate_matches_hazard():
    """The share signing in a year is 1 - exp(-(h + w e) 2 a) within 5 binomial standard deviations."""
    n = 100_000
    pledge_year = np.zeros(n, dtype=np.int32)
    hazard = 0.05 + 0.2 * 0.5
    pledges.sign_pledges(np.ones(n, dtype=np.int8), np.ones(n, dtype=bool), np.full(n, 0.5), pledge_year,
                         np.full(n, 0.5), np.array([0.0, 0.05, 0.0]), 0.2, 2030, make_key(2, 2030, 6))
    p = 1 - math.exp(-hazard)
    assert abs(np.count_nonzero(pledge_year) - n * p) < 5 * math.sqrt(n * p * (1 - p))


def test_pledge_strength_matches_reference():
    """Strength is 1 in the signing year, exp(-decay * age) after, 0 when unpledged or signed later."""
    pledge_year = np.array([0, 2020, 2023, 2025, 2026, 2030], dtype=np.int32)
    out = np.full(6, np.nan)
    pledges.pledge_strength(pledge_year, 2025, 0.25, out)
    np.testing.assert_allclose(out, ref.pledge_strength(pledge_year, 2025, 0.25), rtol=1e-15)
    assert out[3] == 1.0 and out[0] == 0.0 and out[4] == 0.0
    assert np.all(np.diff(out[1:4]) > 0)


def test_delivery_factor_matches_reference(rng):
    """Delivery factors agree with the reference: ramped, per-organisation fulfilment, 1 when unpledged."""
    n = 3000
    pledge_year = np.where(rng.random(n) < 0.5, rng.integers(2021, 2030, n), 0).astype(np.int32)
    key = make_key(9, 0, 60)
    out = np.full(n, np.nan)
    pledges.delivery_factor(pledge_year, 2026, 0.4, 0.6, 5.0, key, out)
    want = ref.delivery_factor(pledge_year, 2026, 0.4, 0.6, 5.0, key, uniform_at)
    np.testing.assert_allclose(out, want, rtol=1e-15)
    unpledged = (pledge_year == 0) | (pledge_year > 2026)
    assert np.all(out[unpledged] == 1.0)
    assert np.all(out[~unpledged] >= 1 - 0.4) and np.all(out[~unpledged] <= 1.0)


def test_delivery_factor_fixed_per_organisation_and_ramped():
    """An organisation's fulfilment does not change between years; its cut grows until the ramp ends."""
    n = 1000
    pledge_year = np.full(n, 2022, dtype=np.int32)
    key = make_key(9, 0, 60)
    by_year = []
    for year in range(2022, 2030):
        out = np.empty(n)
        pledges.delivery_factor(pledge_year, year, 0.5, 0.5, 5.0, key, out)
        by_year.append(1 - out)
    cut = np.array(by_year)
    np.testing.assert_allclose(cut[:5] / cut[4], np.outer(np.arange(1, 6) / 5, np.ones(n)), rtol=1e-12)
    np.testing.assert_array_equal(cut[4:], np.tile(cut[4], (4, 1)))


@pytest.mark.parametrize("fulfilment", [0.0, 0.2, 0.5, 0.75, 0.9, 1.0])
def test_mean_fulfilment_equals_parameter(fulfilment):
    """The mean delivered share of a commitment is pledge_fulfilment (5 standard errors, sd <= 0.29 / sqrt(n))."""
    n = 100_000
    out = np.empty(n)
    pledges.delivery_factor(np.full(n, 2020, dtype=np.int32), 2030, 1.0, fulfilment, 5.0, make_key(3, 0, 60), out)
    own = 1 - out
    assert own.min() >= 0.0 and own.max() <= 1.0
    assert abs(own.mean() - fulfilment) < 5 * 0.29 / math.sqrt(n) + 1e-12
    if 0.0 < fulfilment < 1.0:
        assert own.std() > 0.05   # organisations differ


# ------------------------------------------------------------------ municipal units' climate plans
def test_plan_delivery_compounds_the_planned_rate_from_the_pledge_year():
    """A unit's factor is 1 before its plan and (1 - rate f_u)^(y - year + 1) after, f_u its own fulfilment."""
    pledge_year = np.array([0, 2023, 2023, 2026], dtype=np.int32)
    rate = np.array([0.1, 0.1, 0.2, 0.1])
    key, first = make_key(5, 0, 60), 1000
    out = np.empty(4)
    pledges.plan_delivery_factor(pledge_year, rate, 2025, 0.6, key, first, out)
    own = np.array([0.2 + 0.8 * uniform_at(key, first + u, 0) for u in range(4)])   # [2f - 1, 1] for f = 0.6
    np.testing.assert_allclose(out, [1.0, (1 - 0.1 * own[1]) ** 3, (1 - 0.2 * own[2]) ** 3, 1.0], rtol=1e-14)
    pledges.plan_delivery_factor(pledge_year, rate, 2025, 0.0, key, first, out)
    np.testing.assert_array_equal(out, 1.0)                        # no fulfilment, no cut


def test_plan_delivery_mean_is_the_planned_rate_times_fulfilment():
    """Over many units the first year's cut averages rate * pledge_fulfilment (5 standard errors)."""
    n, rate, fulfilment = 100_000, 0.1, 0.7
    out = np.empty(n)
    pledges.plan_delivery_factor(np.full(n, 2023, dtype=np.int32), np.full(n, rate), 2023, fulfilment,
                                 make_key(6, 0, 60), 0, out)
    cut = 1 - out
    assert abs(cut.mean() - rate * fulfilment) < 5 * rate * 0.29 / math.sqrt(n)


def test_units_pledge_by_their_plans_not_by_hazard():
    """Units count as pledged from their plan year (shown from the next 1 January), even with every hazard high."""
    plan_year = int(load_municipality(ESKILSTUNA).municipal_units["plan_year"].min())
    n_units = len(load_municipality(ESKILSTUNA).municipal_units["name"])
    scenario = parse_scenario(scenario_text(end_year=plan_year + 2, levers="arena_start_year = 2015\n"
                                            "arena_events_per_year = 100.0",
                                            uncertainties="pledge_base_rate = 1.0\npledge_social_weight = 1.0"))
    ds = sim.simulate(scenario, seed=2)
    units = ds["pledges"].sel(actor_kind="municipal_unit")
    assert np.all(units.sel(year=slice(None, plan_year)) == 0)
    assert np.all(units.sel(year=slice(plan_year + 1, None)) == n_units)
    assert float(ds["pledges"].sel(year=2021, actor_kind="firm")) > 0      # firms do sign on the hazard


def test_unit_plans_cut_the_groups_own_emissions():
    """With full fulfilment the group's scope 1 falls below the same run with none (same seed, no grants)."""
    def scope1(fulfilment):
        scenario = parse_scenario(scenario_text(end_year=2030, levers="grant_budget = 0.0",
                                                uncertainties=f"pledge_fulfilment = {fulfilment}"))
        return sim.simulate(scenario, seed=4)["municipal_group_emissions"].sel(scope="scope1")
    with_plans, without = scope1(1.0), scope1(0.0)
    np.testing.assert_array_equal(with_plans.sel(year=slice(None, 2023)), without.sel(year=slice(None, 2023)))
    assert float(with_plans.sel(year=2030)) < float(without.sel(year=2030))


def test_municipal_units_without_plan_columns_are_refused(tmp_path):
    """A data folder whose municipal_units.csv lacks the plan columns fails naming the file and the column."""
    import shutil
    folder = tmp_path / "town"
    shutil.copytree(ESKILSTUNA, folder)
    csv = folder / "municipal_units.csv"
    lines = csv.read_text(encoding="utf-8").splitlines()
    csv.write_text("\n".join(",".join(line.split(",")[:-2]) for line in lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match="municipal_units.csv.*plan_year"):
        load_municipality(folder)


# ------------------------------------------------------------------ the pledge goal
def test_pledge_goal_read_from_the_data_folder():
    goal = load_municipality(ESKILSTUNA).pledge_goal
    assert (goal.organisations, goal.year, goal.source) == (250.0, 2027, "eskilstuna_pledges_2023")


@pytest.mark.parametrize("base_rate, met", [(0.0, 0.0), (0.3, 1.0)])
def test_pledge_goal_met_counts_firms_and_units_by_the_goal_year(base_rate, met):
    """No firm signing leaves the 14 units, short of 250; a high signing rate passes the goal."""
    scenario = parse_scenario(scenario_text(end_year=2028, levers="arena_events_per_year = 0.0",
                                            uncertainties=f"pledge_base_rate = {base_rate}\n"
                                                          "pledge_social_weight = 0.0"))
    ds = sim.simulate(scenario, seed=5)
    assert float(ds["pledge_goal_met"]) == met
    organisations = ds["pledges"].sel(year=2028, actor_kind=["firm", "municipal_unit"]).sum()
    assert (float(organisations) >= 250) == bool(met)   # signed in 2027 or before: the 1 January 2028 stock


def test_pledge_goal_met_nan_when_the_run_ends_before_the_goal():
    ds = sim.simulate(parse_scenario(scenario_text(end_year=2025)), seed=1)
    assert np.isnan(float(ds["pledge_goal_met"]))


# ------------------------------------------------------------------ delivered against the counterfactual
def counterfactual_run(fulfilment, bonus, extra="", end_year=2032, seed=7):
    text = scenario_text(end_year=end_year, levers="arena_events_per_year = 20.0",
                         uncertainties=f"pledge_fulfilment = {fulfilment}\npledge_bonus = {bonus}\n"
                                       "pledge_base_rate = 0.05\npledge_commitment = 0.4", extra=extra)
    return sim.simulate(parse_scenario(text), seed=seed)


def test_no_pledge_effect_delivers_exactly_nothing():
    """With no fulfilment and no bonus the run is its own counterfactual: delivered is 0 to the bit."""
    ds = counterfactual_run(0.0, 0.0)
    assert float(ds["pledges"].sel(year=2032, actor_kind="firm")) > 0
    np.testing.assert_array_equal(ds["delivered_reduction"].values, 0.0)
    assert float(ds["pledged_reduction"].sel(year=2032)) > 0          # so the whole commitment is the gap


def test_fulfilment_delivers_and_the_gap_is_what_is_left():
    """Fulfilment 0.5: delivered positive once pledges act, and below the commitment (a positive gap)."""
    ds = counterfactual_run(0.5, 0.3)
    delivered, pledged = ds["delivered_reduction"], ds["pledged_reduction"]
    assert np.all(delivered.sel(year=slice(None, 2021)) == 0)           # no pledge acts before the arena (2021)
    assert np.all(delivered.sel(year=slice(2023, None)) > 0)
    assert float(pledged.sel(year=2032)) > float(delivered.sel(year=2032)) > 0
    more = counterfactual_run(0.9, 0.3)["delivered_reduction"]
    assert float(more.sel(year=2032)) > float(delivered.sel(year=2032))


def test_counterfactual_can_be_skipped():
    """[outputs] pledge_counterfactual = false leaves delivered_reduction NaN and the rest of the run unchanged."""
    both = counterfactual_run(0.5, 0.3, end_year=2026)
    skipped = counterfactual_run(0.5, 0.3, extra="\n[outputs]\npledge_counterfactual = false\n", end_year=2026)
    assert np.isnan(skipped["delivered_reduction"].values).all()
    np.testing.assert_array_equal(skipped["net_emissions"].values, both["net_emissions"].values)
    with pytest.raises(ScenarioError, match="pledge_counterfactual"):
        parse_scenario(scenario_text(extra="\n[outputs]\npledge_counterfactual = 1\n"))


def test_the_counterfactual_counts_the_runs_pledged_organisations():
    """``pledged_direct`` of a run given its own organisations' signing years is its own (signed before the year
    counts); given no signer it is zero; so the counterfactual, handed the run's signers, counts exactly them."""
    from sim.engine import run_state
    from sim.exogenous import build_drivers
    from sim.network import build_network
    from sim.population import build_population
    from sim.sampling import parameter_values
    from sim.timing import yearly_values

    scenario = parse_scenario(scenario_text(end_year=2027, scale=0.05, levers="arena_events_per_year = 12"))
    values = parameter_values(scenario, 5)
    data = load_municipality(scenario.municipality)
    yearly = yearly_values(values, scenario.lever_years, scenario.years)
    peak = build_drivers(data, yearly, scenario.start_year, scenario.end_year).population.max()
    population = build_population(data, scenario.start_year, 5, scenario.scale, peak_population=float(peak))
    network = build_network(population, 5, str(values["network_topology"]))
    args = (population, network, data, values, 5, scenario.start_year, scenario.end_year, scenario.lever_years)
    records, state = run_state(*args)
    signed = state.pledge_year[state.n_households:].copy()
    assert np.count_nonzero(signed) > 0 and records["pledged_direct"][-1] > 0
    again, _ = run_state(*args, accounted_pledges=signed)
    np.testing.assert_array_equal(again["pledged_direct"], records["pledged_direct"])
    nobody, _ = run_state(*args, accounted_pledges=np.zeros_like(signed))
    assert np.all(nobody["pledged_direct"] == 0)
