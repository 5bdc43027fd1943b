"""Lever timing: every lever takes effect from a year, and the years before are the baseline's, bit for bit."""
import numpy as np
import pytest
from testdata import BASELINE, scenario_text

import sim
from sim.declarations.parameters import BY_NAME, LEVERS
from sim.exogenous import _ramp_to
from sim.scenario import ScenarioError, parse_scenario
from sim.timing import paths, yearly_values

CONTRACT = BASELINE.parent / "klimatkontrakt_2024.toml"


def _yearly_variables(ds):
    return [name for name, v in ds.data_vars.items() if "year" in v.dims]


@pytest.fixture(scope="module")
def baseline_and_contract():
    """Baseline and contract scenario, same seed, to 2026 at scale 0.05."""
    from dataclasses import replace
    runs = [sim.simulate(replace(sim.load_scenario(path), end_year=2026), seed=11, scale=0.05)
            for path in (BASELINE, CONTRACT)]
    return runs


def test_contract_equals_baseline_before_its_levers_take_effect(baseline_and_contract):
    """Every yearly variable of the contract scenario is bit-identical to the baseline's before 2023."""
    baseline, contract = baseline_and_contract
    decision = sim.load_scenario(CONTRACT).levers_from
    assert decision == 2023
    before = slice(None, decision - 1)
    for name in _yearly_variables(baseline):
        np.testing.assert_array_equal(contract[name].sel(year=before).values, baseline[name].sel(year=before).values,
                                      err_msg=name)
    after = slice(decision, None)
    assert not np.array_equal(contract["costs"].sel(year=after).values, baseline["costs"].sel(year=after).values)
    assert float(contract["net_emissions"].sel(year=2026)) < float(baseline["net_emissions"].sel(year=2026))


def test_baseline_levers_are_the_declared_defaults():
    """The baseline's policies are the levers' defaults, the values a timed lever has before its year."""
    baseline = sim.load_scenario(BASELINE)
    for p in LEVERS:
        assert baseline.levers[p.name] == p.default, p.name


def test_a_lever_acts_from_its_own_year():
    """{value, from} moves one lever's effect year; the run equals the default before it and differs after."""
    text = scenario_text(end_year=2030, scale=0.02, levers_from=None)
    late = parse_scenario(scenario_text(end_year=2030, scale=0.02, levers_from=None,
                                        levers="transit_growth = {value = 0.05, from = 2027}"))
    assert late.lever_years["transit_growth"] == 2027
    default, lever = sim.simulate(parse_scenario(text), seed=4), sim.simulate(late, seed=4)
    car_km = lambda ds: ds["emissions"].sel(sector="transport")
    np.testing.assert_array_equal(car_km(lever).sel(year=slice(None, 2027)), car_km(default).sel(year=slice(None, 2027)))
    assert float(car_km(lever).sel(year=2030)) < float(car_km(default).sel(year=2030))
    assert lever["transit_growth"].attrs["from_year"] == 2027


def test_yearly_values_switch_at_the_effect_year():
    values = {"cycle_lanes_per_year": 20.0, "grant_budget": BY_NAME["grant_budget"].default, "social_weight": 1.5}
    yearly = yearly_values(values, {"cycle_lanes_per_year": 2023, "grant_budget": 2023}, range(2020, 2026))
    path = paths(yearly)
    np.testing.assert_array_equal(path["cycle_lanes_per_year"], [3.0, 3.0, 3.0, 20.0, 20.0, 20.0])
    np.testing.assert_array_equal(path["social_weight"], 1.5)   # uncertainties hold in every year
    np.testing.assert_array_equal(path["grant_budget"], BY_NAME["grant_budget"].default)


def test_ramp_is_the_straight_line_under_a_constant_target_and_restarts_when_it_changes():
    years = np.arange(2020, 2036)
    constant = _ramp_to(0.0, np.full(len(years), 0.1), np.full(len(years), 2030.0), years)
    np.testing.assert_allclose(constant, 0.1 * np.clip((years - 2020) / 10, 0, 1), rtol=1e-12, atol=1e-15)
    target = np.where(years >= 2025, 0.3, 0.1)
    changed = _ramp_to(0.0, target, np.full(len(years), 2030.0), years)
    np.testing.assert_array_equal(changed[:5], constant[:5])
    np.testing.assert_allclose(np.diff(changed[4:11]), (0.3 - changed[4]) / 6, rtol=1e-12)
    assert changed[10] == pytest.approx(0.3) and (changed[10:] == 0.3).all()


@pytest.mark.parametrize("lever, message", [
    ("transit_growth = {value = 0.05, from = 2019}", "levers.transit_growth.from"),
    ("transit_growth = {value = 0.05, from = 2026.5}", "levers.transit_growth.from"),
    ("transit_growth = {value = 0.05, since = 2026}", "levers.transit_growth"),
    ("transit_growth = {value = 0.5, from = 2026}", "levers.transit_growth"),
    ('network_topology = {value = "random", from = 2025}', "levers.network_topology.from"),
])
def test_bad_timing_is_refused_with_the_field(lever, message):
    with pytest.raises(ScenarioError, match=message.replace(".", r"\.")):
        parse_scenario(scenario_text(end_year=2030, levers=lever))


def test_levers_from_must_be_a_year():
    with pytest.raises(ScenarioError, match=r"scenario\.levers_from"):
        parse_scenario(scenario_text(end_year=2030, levers_from=None, extra="").replace(
            'municipality = "eskilstuna"\n', 'municipality = "eskilstuna"\nlevers_from = "soon"\n'))


def test_a_retired_start_year_lever_names_its_replacement():
    """A file still using biochar_start_year is told to give biochar_capacity its own year."""
    with pytest.raises(ScenarioError, match=r"biochar_capacity = \{value = \.\.\., from = year\}"):
        parse_scenario(scenario_text(end_year=2030, levers="biochar_capacity = 5000.0\nbiochar_start_year = 2026"))


@pytest.mark.parametrize("seed", [1, 2])
def test_maximum_ambition_cuts_every_sector_by_2030(seed):
    """Every lever at its documented maximum: each of the eight SMHI sectors emits less in 2030 than the baseline
    (full scale, same seed), and 2020-2022 are the baseline's."""
    from dataclasses import replace
    maximum = sim.load_scenario(BASELINE.parent / "maximum_ambition.toml")
    runs = [sim.simulate(replace(scenario, end_year=2030), seed=seed, scale=1.0)
            for scenario in (sim.load_scenario(BASELINE), maximum)]
    baseline, ambitious = (ds["emissions"] for ds in runs)
    cut = ambitious.sel(year=2030) < baseline.sel(year=2030)
    assert bool(cut.all()), dict(zip(baseline["sector"].values, cut.values))
    np.testing.assert_array_equal(ambitious.sel(year=slice(None, 2022)), baseline.sel(year=slice(None, 2022)))
