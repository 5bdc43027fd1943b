"""The engine and its Dataset: reproducibility, the result contract, accounting identities and lever effects."""
import hashlib
import os
import re
import subprocess
import sys
import textwrap
from importlib.metadata import version

import numpy as np
import pytest
import xarray as xr
from testdata import ESKILSTUNA, ROOT, SMALL_SEED, scenario_text

import sim
from sim.data import SECTORS, load_municipality
from sim.population import build_population
from sim.results import VARIABLES

EXPECTED_SECTORS = ("transport", "electricity_district_heating", "industry", "agriculture", "work_machinery",
                    "product_use", "waste", "own_heating")


# ------------------------------------------------------------ reproducibility
def test_same_seed_identical(small_scenario, small_run):
    """The same scenario and seed give an identical Dataset, attributes included."""
    xr.testing.assert_identical(sim.simulate(small_scenario, seed=SMALL_SEED), small_run)


def test_different_seeds_differ(small_scenario, small_run):
    """Another seed gives other parameter draws and other outcomes."""
    other = sim.simulate(small_scenario, seed=SMALL_SEED + 1)
    assert not other["net_emissions"].equals(small_run["net_emissions"])
    assert float(other["imitation_rate"]) != float(small_run["imitation_rate"])


def test_same_params_different_seed_differs_only_by_agents(small_scenario):
    """With every uncertainty pinned by params=, two seeds still differ through the agents' own draws."""
    params = {p.name: p.default for p in sim.declarations.parameters.UNCERTAINTIES}
    a = sim.simulate(small_scenario, seed=1, params=params)
    b = sim.simulate(small_scenario, seed=2, params=params)
    assert float(a["imitation_rate"]) == float(b["imitation_rate"])
    assert not a["car_fleet"].equals(b["car_fleet"])


HASH_SCRIPT = textwrap.dedent("""
    import hashlib, sys
    import sim
    from sim.scenario import parse_scenario
    scenario = parse_scenario(sys.argv[1])
    ds = sim.simulate(scenario, seed=5, scale=0.05)
    digest = hashlib.sha256()
    for name in sorted(ds.variables):
        digest.update(name.encode())
        digest.update(ds[name].values.tobytes())
    import numba
    print(numba.get_num_threads(), digest.hexdigest())
""")


def _hash_in_subprocess(threads: int) -> tuple[str, str]:
    env = {**os.environ, "NUMBA_NUM_THREADS": str(threads)}
    done = subprocess.run([sys.executable, "-c", HASH_SCRIPT, scenario_text(end_year=2035, scale=0.05)],
                          env=env, capture_output=True, text=True, timeout=300, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr
    n, digest = done.stdout.split()
    return n, digest


def test_bit_identical_at_one_and_two_threads():
    """NUMBA_NUM_THREADS=1 and =2 give bit-identical results (hash of every variable), equal to this process's."""
    one, two = _hash_in_subprocess(1), _hash_in_subprocess(2)
    assert one[0] == "1" and two[0] == "2"
    assert one[1] == two[1]
    ds = sim.simulate(sim.scenario.parse_scenario(scenario_text(end_year=2035, scale=0.05)), seed=5, scale=0.05)
    digest = hashlib.sha256()
    for name in sorted(ds.variables):
        digest.update(name.encode())
        digest.update(ds[name].values.tobytes())
    assert one[1] == digest.hexdigest()   # the subprocesses ran the same model as this process


def test_import_compiles_nothing():
    """Importing sim compiles no numba dispatcher (every kernel has no signature after import)."""
    script = textwrap.dedent("""
        import importlib, pkgutil, sys
        import sim, sim.kernels
        from numba.core.registry import CPUDispatcher
        modules = [importlib.import_module("sim.kernels." + m.name) for m in pkgutil.iter_modules(sim.kernels.__path__)]
        modules.append(importlib.import_module("sim.network"))
        found = compiled = 0
        for module in modules:
            for name, obj in vars(module).items():
                if isinstance(obj, CPUDispatcher) and obj.__module__ == module.__name__:
                    found += 1
                    compiled += len(obj.signatures)
                    if obj.signatures:
                        print("compiled:", module.__name__, name, obj.signatures)
        print(found, compiled)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT,
                          check=False)
    assert done.returncode == 0, done.stderr
    found, compiled = done.stdout.split()[-2:]
    assert int(found) >= 15 and int(compiled) == 0, done.stdout


# ---------------------------------------------------------------- contract
def test_dimensions_and_coordinates(small_run, small_scenario):
    """Dims and coordinates follow the contract, sector names exactly as the national statistics."""
    ds = small_run
    assert tuple(ds["sector"].values) == EXPECTED_SECTORS == SECTORS
    np.testing.assert_array_equal(ds["year"].values, np.arange(small_scenario.start_year, small_scenario.end_year + 1))
    assert tuple(ds["sink"].values) == ("biochar", "peatland_rewetting", "forestry", "purchased_offsets")
    assert tuple(ds["scope"].values) == ("scope1", "scope2", "scope3")
    assert tuple(ds["fuel"].values) == ("petrol", "diesel", "phev", "bev", "biogas")
    assert tuple(ds["system"].values) == ("district_heating", "heat_pump", "direct_electric", "oil", "biofuel")
    assert tuple(ds["actor_kind"].values) == ("household", "firm", "municipal_unit")
    assert tuple(ds["payer"].values) == ("households", "firms", "municipal_group", "state")
    for name, (dims, units, long_name) in VARIABLES.items():
        assert ds[name].dims == dims, name
    assert ds["emissions"].dims == ("year", "sector")


def test_every_variable_has_units_and_long_name(small_run):
    """Every data variable (results and parameters) carries non-empty units and long_name; coords a long_name."""
    for name, variable in small_run.data_vars.items():
        assert isinstance(variable.attrs.get("units"), str) and variable.attrs["units"], name
        assert isinstance(variable.attrs.get("long_name"), str) and variable.attrs["long_name"], name
    for name, coord in small_run.coords.items():
        assert coord.attrs.get("long_name"), name


def test_parameters_stored_with_run(small_run):
    """Every lever and uncertainty is a scalar variable with its role, so batches can be analysed directly."""
    for p in sim.declarations.parameters.PARAMETERS:
        assert small_run[p.name].dims == ()
        assert small_run[p.name].attrs["role"] == p.role
        if not p.is_choice:
            assert p.low <= float(small_run[p.name]) <= p.high


def test_attributes(tmp_path, eskilstuna):
    """Attributes hold the file's exact text, seed, version, agent count and carbon budget."""
    text = scenario_text(end_year=2031, scale=0.02) + "# a comment that must survive\n"
    path = tmp_path / "run.toml"
    path.write_text(text, encoding="utf-8")
    ds = sim.simulate(sim.load_scenario(path), seed=3)
    assert ds.attrs["scenario_text"] == path.read_text(encoding="utf-8")
    assert ds.attrs["seed"] == 3
    assert ds.attrs["sim_version"] == version("klimatsim")
    growth = float(ds["population_growth"])     # agents built: the start's and the arrivals the run's peak needs
    peak = max(eskilstuna.population_at(int(y), growth) for y in ds["year"].values)
    population = build_population(eskilstuna, 2020, 3, 0.02, peak_population=peak)
    assert ds.attrs["n_agents"] == population.n_agents > build_population(eskilstuna, 2020, 3, 0.02).n_agents
    assert ds.attrs["carbon_budget"] == eskilstuna.targets.budget.budget_t_co2
    assert ds.attrs["scale"] == 0.02


def test_scale_argument_overrides_scenario(small_scenario):
    """simulate(scale=) replaces the scenario's scale; a non-positive scale is refused."""
    ds = sim.simulate(small_scenario, seed=1, scale=0.01)
    assert ds.attrs["scale"] == 0.01
    for bad in (0.0, -1.0, float("inf"), float("nan"), "0.1", True):
        with pytest.raises(ValueError, match="scale"):
            sim.simulate(small_scenario, seed=1, scale=bad)


def test_outputs_subset(make_scenario):
    """[outputs] variables keeps those results (plus the parameters) and drops the rest."""
    scenario = sim.scenario.parse_scenario(scenario_text(end_year=2031) + '\n[outputs]\nvariables = ["emissions", '
                                           '"net_emissions"]\n')
    ds = sim.simulate(scenario, seed=1)
    assert "emissions" in ds and "net_emissions" in ds and "car_fleet" not in ds
    assert "imitation_rate" in ds


def test_netcdf_round_trip(small_run, tmp_path):
    """Writing NetCDF (sim.store) and reading it back (its checksums verified) gives an identical Dataset."""
    from sim.store import open_results, write_dataset
    path = write_dataset(small_run, tmp_path / "run.nc")
    xr.testing.assert_identical(open_results(path), small_run)


# ------------------------------------------------------ accounting identities
def test_net_emissions_identity(long_run):
    """net_emissions = emissions - removals other than offsets; net_emissions_with_offsets subtracts all sinks."""
    ds = long_run
    np.testing.assert_allclose(ds["net_emissions"], ds["emissions"].sum("sector") - ds["removals"].drop_sel(
        sink="purchased_offsets").sum("sink"), rtol=1e-12)
    np.testing.assert_allclose(ds["net_emissions_with_offsets"],
                               ds["emissions"].sum("sector") - ds["removals"].sum("sink"), rtol=1e-12)


def test_targets(long_run):
    """target_2030_met is (net 2030 <= 0.2 net 2020); reduction_vs_2020 and climate_positive_2045 follow net."""
    ds = long_run
    net = ds["net_emissions"]
    base = float(net.sel(year=2020))
    assert float(ds["target_2030_met"]) == float(float(net.sel(year=2030)) <= 0.2 * base)
    np.testing.assert_allclose(ds["reduction_vs_2020"], 1 - net / base, rtol=1e-12)
    assert float(ds["climate_positive_2045"]) == float(float(net.sel(year=2045)) < 0)
    assert float(ds["reduction_vs_2020"].sel(year=2020)) == 0.0


def test_target_met_with_large_removals(make_scenario):
    """With sinks and storage above all emissions from 2022, the 2030 target is met and 2045 is climate-positive."""
    scenario = make_scenario(end_year=2046, levers="biochar_capacity = 100000.0\n"
                                                   "forestry_measures = 50000.0")
    ds = sim.simulate(scenario, seed=2, params={"forestry_effect": 4.0, "forestry_ramp_years": 5.0})
    assert float(ds["target_2030_met"]) == 1.0 and float(ds["climate_positive_2045"]) == 1.0


def test_offsets_do_not_meet_targets(make_scenario):
    """Purchased offsets are kept apart: they lower net_emissions_with_offsets, not the targets' net emissions."""
    scenario = make_scenario(end_year=2046, levers="offsets_per_year = {value = 500000.0, from = 2021}")
    ds = sim.simulate(scenario, seed=2)
    assert float(ds["target_2030_met"]) == 0.0 and float(ds["climate_positive_2045"]) == 0.0
    assert float(ds["net_emissions_with_offsets"].sel(year=2045)) < 0.0


def test_targets_undefined_outside_horizon(small_run):
    """A run ending before 2045 has climate_positive_2045 undefined (NaN), not a made-up 0 or 1."""
    assert np.isnan(float(small_run["climate_positive_2045"]))
    assert not np.isnan(float(small_run["target_2030_met"]))


def test_fossil_and_cumulative_co2(long_run, eskilstuna):
    """fossil_co2 is the CO2 share of each sector's emissions; cumulative_co2 its running sum from the budget's
    start year; budget flag agrees."""
    ds = long_run
    share = xr.DataArray([eskilstuna.co2_share[s] for s in SECTORS], dims="sector", coords={"sector": list(SECTORS)})
    np.testing.assert_allclose(ds["fossil_co2"], (ds["emissions"] * share).sum("sector"), rtol=1e-12)
    counted = ds["fossil_co2"].where(ds["year"] >= eskilstuna.targets.budget.start_year, 0.0)
    np.testing.assert_allclose(ds["cumulative_co2"], np.cumsum(counted.values), rtol=1e-12)
    assert float(ds["within_budget"]) == float(ds["cumulative_co2"][-1] <= ds.attrs["carbon_budget"])


def test_exogenous_sectors_follow_their_trend(long_run, eskilstuna):
    """Agriculture, product use and waste are the 2020 totals times (1 + trend)^t, as sampled for the run."""
    ds = long_run
    t = ds["year"].values - 2020
    for sector, trend in (("agriculture", "agriculture_trend"), ("product_use", "product_use_trend"),
                          ("waste", "waste_trend")):
        want = eskilstuna.emissions[2020][sector] * (1 + float(ds[trend])) ** t
        np.testing.assert_allclose(ds["emissions"].sel(sector=sector), want, rtol=1e-12)


# ------------------------------------------------------------------ levers
def test_offsets_lower_net_exactly(make_scenario):
    """Offsets change nothing but net emissions with offsets, which fall by exactly the offsets (common random numbers)."""
    base = sim.simulate(make_scenario(end_year=2032), seed=4)
    more = sim.simulate(make_scenario(end_year=2032, levers="offsets_per_year = {value = 10000.0, from = 2025}"),
                        seed=4)
    offsets = np.where(base["year"] >= 2025, 10000.0, 0.0)
    np.testing.assert_allclose(more["net_emissions_with_offsets"], base["net_emissions_with_offsets"] - offsets,
                               rtol=1e-12)
    xr.testing.assert_identical(more["emissions"], base["emissions"])
    np.testing.assert_allclose(more["net_emissions"], base["net_emissions"])
    assert float(more["costs"].sel(payer="municipal_group", year=2030)) > float(
        base["costs"].sel(payer="municipal_group", year=2030))


def test_grants_leave_households_untouched(make_scenario):
    """Common random numbers: grants act on the municipal group only, so households' stocks are bit-identical."""
    none = sim.simulate(make_scenario(end_year=2032, levers="grant_budget = 0.0"), seed=4)
    rich = sim.simulate(make_scenario(end_year=2032, levers="grant_budget = 50e6\ngrant_start_year = 2020"), seed=4)
    for name in ("car_fleet", "heating_systems", "new_cars"):
        xr.testing.assert_identical(none[name], rich[name])
    assert float(rich["grant_spend"].sum()) > 0
    assert float(rich["municipal_group_emissions"].sel(scope="scope1", year=2032)) < float(
        none["municipal_group_emissions"].sel(scope="scope1", year=2032))


def test_grants_within_budget(make_scenario):
    """Grant spend never exceeds the yearly budget and is zero before the start year or with no budget."""
    ds = sim.simulate(make_scenario(end_year=2032, levers="grant_budget = 3e6\ngrant_start_year = 2023"), seed=6)
    spend = ds["grant_spend"]
    assert np.all(spend <= 3e6) and np.all(spend.sel(year=slice(2020, 2022)) == 0)
    assert float(spend.sum()) > 0
    assert np.all(np.diff(ds["grant_abatement"].values) >= 0)   # cumulative
    none = sim.simulate(make_scenario(end_year=2032, levers="grant_budget = 0.0"), seed=6)
    assert np.all(none["grant_spend"] == 0) and np.all(none["grant_abatement"] == 0)


def test_municipal_ev_mandate_cuts_group_scope1(make_scenario):
    """Electrifying every replaced municipal vehicle from 2020 lowers the group's scope 1 by 2032."""
    base = sim.simulate(make_scenario(end_year=2032), seed=8)
    mandate = sim.simulate(make_scenario(end_year=2032, levers="municipal_fleet_ev_year = 2020"), seed=8)
    s1 = "scope1"
    assert float(mandate["municipal_group_emissions"].sel(year=2032, scope=s1)) < float(
        base["municipal_group_emissions"].sel(year=2032, scope=s1))


def test_start_year_pledges_have_a_baseline(make_scenario):
    """Organisations pledging in the start year commit to a positive share of their start-year emissions."""
    scenario = make_scenario(end_year=2022, levers="arena_start_year = 2015\narena_events_per_year = 100.0",
                             uncertainties="pledge_base_rate = 1.0\npledge_commitment = 0.5")
    ds = sim.simulate(scenario, seed=3)
    # stocks are recorded on 1 January: nothing is signed before the start year, 2020's signatures show in 2021
    assert float(ds["pledges"].sel(year=2020).sum()) == 0
    assert float(ds["pledges"].sel(year=2021, actor_kind="firm")) > 0
    assert float(ds["pledged_reduction"].sel(year=2021)) > 0
    assert np.all(ds["delivered_reduction"] >= 0)


def test_data_are_cached_per_folder():
    """load_municipality returns the same object for the same folder (lru cache), so runs do not re-read files."""
    assert load_municipality(ESKILSTUNA.resolve()) is load_municipality(ESKILSTUNA.resolve())


def test_within_budget_counts_from_the_budget_year(make_scenario, eskilstuna):
    """The carbon-budget flag counts fossil CO2 from the year the budget starts, whatever the run's start year."""
    start = eskilstuna.targets.budget.start_year
    ds = sim.simulate(make_scenario(start_year=2020, end_year=start + 1), seed=1)
    since_start = float(ds["fossil_co2"].sel(year=slice(start, None)).sum())
    assert since_start < eskilstuna.targets.budget.budget_t_co2 < float(ds["fossil_co2"].sum()), \
        "the check needs a horizon whose total, but not its years from the start, exceeds the budget"
    assert float(ds["within_budget"]) == 1.0
    np.testing.assert_array_equal(ds["cumulative_co2"].sel(year=slice(None, start - 1)), 0.0)
    np.testing.assert_allclose(ds["cumulative_co2"].sel(year=start + 1), since_start, rtol=1e-12)


def test_no_district_heating_where_unavailable(make_scenario, eskilstuna):
    """Households whose dwelling cannot connect to district heating never end up on it."""
    from sim.declarations.codes import Heating
    from sim.engine import run_state
    from sim.network import build_network
    from sim.sampling import parameter_values
    scenario = make_scenario(end_year=2032, scale=0.02)
    values = parameter_values(scenario, 1, {"imitation_rate": 0.1})
    population = build_population(eskilstuna, 2020, 1, 0.02)
    start = population.households.heating.copy()
    assert not np.any(start[~population.households.dh_available] == Heating.DISTRICT_HEATING)
    _, state = run_state(population, build_network(population, 1), eskilstuna, values, 1, 2020, 2032)
    end = state.households.heating
    assert np.count_nonzero(end != start) > 100          # households did switch
    assert np.count_nonzero(end[~state.households.dh_available] == Heating.DISTRICT_HEATING) == 0


def test_run_leaves_the_population_unchanged(make_scenario, eskilstuna):
    """The engine changes copies in its State: every array of the population is as built after a run."""
    from sim.engine import run_state
    from sim.network import build_network
    from sim.sampling import parameter_values
    population = build_population(eskilstuna, 2020, 3, 0.02)
    before = {f"{part}.{name}": np.array(value, copy=True)
              for part in ("households", "cars", "firms", "units", "vehicles")
              for name, value in vars(getattr(population, part)).items()}
    values = parameter_values(make_scenario(end_year=2035, scale=0.02), 3, None)
    _, state = run_state(population, build_network(population, 3), eskilstuna, values, 3, 2020, 2035)
    for key, value in before.items():
        part, name = key.split(".")
        np.testing.assert_array_equal(getattr(getattr(population, part), name), value, err_msg=key)
    assert np.count_nonzero(state.cars.fuel != population.cars.fuel) > 100   # while the state moved on


@pytest.mark.parametrize("seed", [-1, 1.5, 2**64, True, "3"])
def test_invalid_seed_is_refused(small_scenario, seed):
    """simulate refuses a seed that is not a whole number in [0, 2**64), with an error naming the seed.

    Regression: a negative seed failed deep in numpy and seed=1.5 silently ran as seed 1.
    """
    with pytest.raises(ValueError, match=rf"^seed: allowed .*; given {re.escape(repr(seed))}$"):
        sim.simulate(small_scenario, seed=seed)


def test_large_and_numpy_seeds_accepted(small_scenario):
    """Seeds up to 2**64 - 1 and numpy integers (as SeedSequence gives) run and are stored as given."""
    for seed in (2**64 - 1, np.uint32(7)):
        assert sim.simulate(small_scenario, seed=seed, scale=0.005).attrs["seed"] == int(seed)
