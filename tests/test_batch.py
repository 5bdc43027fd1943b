"""Monte Carlo batches: common random numbers, reproducibility across workers and task sizes,
resumable stores that survive SIGKILL, file round trips and clear errors.

Batches are small (scale 0.03, 2020-2031, a few runs); one two-worker cluster serves the module.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import sim
from sim.batch import Task, make_tasks, plan_batch
from sim.calibration.posterior import posterior_design, read_posterior, shipped_posterior
from sim.cluster import connect
from sim.declarations.parameters import UNCERTAINTIES
from sim.scenario import parse_scenario
from sim.store import IncompleteStoreError, StoreMismatchError, open_results, write_dataset

ROOT = Path(__file__).resolve().parents[1]
ENVIRON_AT_IMPORT = {k: os.environ.get(k) for k in ("NUMBA_NUM_THREADS", "MALLOC_TRIM_THRESHOLD_")}
RUNS = 6
SEED = 5
TEXT = """[scenario]
name = "{name}"
start_year = 2020
end_year = 2031
scale = 0.03
municipality = "eskilstuna"

[levers]
grant_budget = {budget}
"""


def scenario(name: str = "small", budget: float = 10e6):
    return parse_scenario(TEXT.format(name=name, budget=budget))


@pytest.fixture(scope="module")
def client():
    """A two-worker local cluster shared by the module (an 'existing cluster' for run_batch)."""
    with connect(None, 2) as c:
        yield c


@pytest.fixture(scope="module")
def pair():
    return [scenario("small"), scenario("more_grants", budget=80e6)]


@pytest.fixture(scope="module")
def reference(pair, client):
    """The uninterrupted batch, in memory."""
    return sim.run_batch(pair, RUNS, seed=SEED, client=client)


def test_layout_sample_and_seeds(reference, pair):
    ds = reference
    assert dict(ds.sizes)["scenario"] == 2 and ds.sizes["run"] == RUNS and ds.sizes["year"] == 12
    assert ds["net_emissions"].dims == ("scenario", "run", "year")
    assert ds["emissions"].dims == ("scenario", "run", "year", "sector")
    assert not np.isnan(ds["net_emissions"]).any()
    seeds = [c.generate_state(1)[0] for c in np.random.SeedSequence(SEED).spawn(RUNS)]
    np.testing.assert_array_equal(ds["run_seed"], seeds)
    q = sim.sampling.quantiles(RUNS, len(UNCERTAINTIES), SEED, "lhs")
    # by default an Eskilstuna batch draws the fitted parameters from the shipped posterior (whole particles,
    # their quantile NaN) and the others from the sample
    assert ds.attrs["parameter_source"] == "posterior"
    drawn = posterior_design(read_posterior(shipped_posterior("eskilstuna")), RUNS, SEED)
    for k, p in enumerate(UNCERTAINTIES):  # every sampled parameter along run, each scenario's distribution
        assert ds[p.name].dims == ("scenario", "run") and ds[p.name].attrs["role"] == "uncertainty"
        for s, scn in enumerate(pair):
            if p.name in drawn:
                assert np.isnan(ds["sample_quantile"].values[:, k]).all()
                np.testing.assert_array_equal(ds[p.name].values[s], drawn[p.name])
                continue
            np.testing.assert_array_equal(ds["sample_quantile"].values[:, k], q[:, k])
            expected = [scn.uncertainties[p.name].ppf(float(x)) for x in q[:, k]]
            np.testing.assert_array_equal(ds[p.name].values[s], expected)
    assert list(ds["grant_budget"].values) == [10e6, 80e6]
    assert all("units" in ds[v].attrs and "long_name" in ds[v].attrs for v in ds.data_vars
               if v not in ("scenario_text", "scenario_hash"))
    assert "run_batch" in ds.attrs["history"] and ds.attrs["seed"] == SEED


def test_a_run_of_the_batch_is_simulate_with_its_seed_and_sample(reference, pair):
    run = 4
    values = {p.name: float(reference[p.name].values[1, run]) for p in UNCERTAINTIES}
    one = sim.simulate(pair[1], seed=int(reference["run_seed"][run]), params=values)
    np.testing.assert_array_equal(reference["net_emissions"].values[1, run], one["net_emissions"].values)


def test_summaries(reference):
    ds = reference
    np.testing.assert_array_equal(ds["prob_target_2030"], ds["target_2030_met"].mean("run"))
    np.testing.assert_array_equal(ds["prob_within_budget"], ds["within_budget"].mean("run"))
    assert np.isnan(ds["prob_climate_positive_2045"]).all()  # 2045 is past this horizon
    net = ds["net_emissions"].sel(year=2030).values
    np.testing.assert_array_equal(ds["net_emissions_2030_median"], np.quantile(net, 0.5, axis=1))
    assert (ds["net_emissions_2030_p05"] <= ds["net_emissions_2030_median"]).all()
    assert (ds["net_emissions_2030_median"] <= ds["net_emissions_2030_p95"]).all()
    assert list(ds["runs_done"].values) == [RUNS, RUNS]


def test_common_random_numbers(client):
    twins = [scenario("a"), scenario("b")]
    ds = sim.run_batch(twins, 4, seed=1, client=client)
    for name in ("net_emissions", "emissions", "car_fleet", "costs", "target_2030_met", "discount_rate_firms"):
        np.testing.assert_array_equal(ds[name].sel(scenario="a"), ds[name].sel(scenario="b"))


def test_one_and_two_workers_and_any_task_size_give_identical_results(pair, client, reference, tmp_path):
    # the default path: a local cluster of one process, started and closed by run_batch
    one = sim.run_batch(pair, RUNS, seed=SEED, workers=1, task_size=4)
    xr.testing.assert_identical(one, reference)  # reference: two workers, default task size
    stored = sim.run_batch(pair, RUNS, seed=SEED, client=client, task_size=1, store=tmp_path / "r.zarr")
    xr.testing.assert_identical(stored, reference)


def test_zarr_and_netcdf_round_trips(pair, client, reference, tmp_path):
    store = tmp_path / "r.zarr"
    ds = sim.run_batch(pair, RUNS, seed=SEED, client=client, store=store)
    xr.testing.assert_identical(open_results(store), ds)
    nc = write_dataset(ds, tmp_path / "r.nc")
    back = open_results(nc)
    xr.testing.assert_identical(back, ds)
    assert back["net_emissions"].attrs == {"units": "t CO2e/yr", "long_name": ds["net_emissions"].attrs["long_name"]}
    assert "history" in back.attrs and back.attrs["Conventions"].startswith("CF")
    # a finished store is read back, not recomputed
    again = sim.run_batch(pair, RUNS, seed=SEED, store=store, client="tcp://127.0.0.1:1")
    xr.testing.assert_identical(again, ds)


def _wait_for(predicate, timeout=60.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.02)
    return False


DRIVER = """
import sys, time
import sim
from sim import store
from sim.batch import Task
sys.path.insert(0, {tests!r})
from test_batch import scenario, RUNS, SEED

original = store.ZarrSink.write
writes = []

def write(self, task, arrays):
    writes.append(task)
    if len(writes) == 3:  # the third task: its data reach the store, then the driver is killed
        region = (task.scenario, slice(task.start, task.stop))
        for name, values in arrays.items():
            self.group[name][region] = values
        print("HALF", task.scenario, task.start, task.stop, flush=True)
        time.sleep(120)
    original(self, task, arrays)

store.ZarrSink.write = write
sim.run_batch([scenario("small"), scenario("more_grants", budget=80e6)], RUNS, seed=SEED,
              store={store!r}, client={address!r}, task_size=1)
"""


def test_resume_after_sigkill_of_the_driver(client, reference, tmp_path):
    from distributed import get_task_stream

    store = tmp_path / "killed.zarr"
    script = DRIVER.format(tests=str(ROOT / "tests"), store=str(store), address=client.scheduler.address)
    driver = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                              cwd=tmp_path)
    try:
        line = driver.stdout.readline()
        assert line.startswith("HALF"), line
    finally:
        driver.send_signal(signal.SIGKILL)
        driver.wait(30)
    _, s, start, _ = line.split()
    with pytest.raises(IncompleteStoreError, match="runs finished"):
        open_results(store)
    partial = open_results(store, allow_partial=True)
    done = partial["done"].values.astype(bool)
    assert done.sum() == 2  # two tasks of one run each were finished before the kill
    half = (int(s), int(start))
    assert not done[half]  # its data were written, but it does not count as done
    raw = xr.open_zarr(store, chunks=None)["net_emissions"].values
    assert not np.isnan(raw[half]).any()
    assert np.isnan(partial["net_emissions"].values[half]).all()

    with get_task_stream(client) as stream:
        resumed = sim.run_batch([scenario("small"), scenario("more_grants", budget=80e6)], RUNS, seed=SEED,
                                store=store, client=client, task_size=1)
    computed = [t for t in stream.data if "sim-runs" in str(t["key"])]
    assert len(computed) == 2 * RUNS - 2  # only the missing runs
    xr.testing.assert_identical(resumed, reference)
    xr.testing.assert_identical(open_results(store), reference)


def test_a_killed_worker_loses_nothing(pair, client, reference, tmp_path):
    store = tmp_path / "worker.zarr"
    pids = list(client.run(os.getpid).values())
    result = {}

    def run():
        result["ds"] = sim.run_batch(pair, RUNS, seed=SEED, store=store, client=client, task_size=1)

    thread = threading.Thread(target=run)
    thread.start()
    assert _wait_for(lambda: "ds" in result or bool(client.processing() and any(client.processing().values())))
    os.kill(pids[0], signal.SIGKILL)
    thread.join(120)
    xr.testing.assert_identical(result["ds"], reference)
    client.wait_for_workers(2, timeout=60)


def test_a_store_of_another_call_is_refused(pair, client, tmp_path):
    store = tmp_path / "r.zarr"
    sim.run_batch(pair[:1], 2, seed=1, client=client, store=store)
    with pytest.raises(StoreMismatchError, match=r"r\.zarr: field 'seed': the store holds 1; given 2"):
        sim.run_batch(pair[:1], 2, seed=2, client=client, store=store)
    with pytest.raises(StoreMismatchError, match="field 'scenarios'"):
        sim.run_batch(pair[1:], 2, seed=1, client=client, store=store)
    with pytest.raises(StoreMismatchError, match="field 'scenario_hashes'"):
        sim.run_batch([scenario("small", budget=20e6)], 2, seed=1, client=client, store=store)
    with pytest.raises(StoreMismatchError, match="field 'runs'"):
        sim.run_batch(pair[:1], 3, seed=1, client=client, store=store)
    with pytest.raises(StoreMismatchError, match="field 'sampler'"):
        sim.run_batch(pair[:1], 2, seed=1, client=client, store=store, sampler="random")
    with pytest.raises(StoreMismatchError, match="field 'scale'"):
        sim.run_batch(pair[:1], 2, seed=1, client=client, store=store, scale=0.04)
    other = tmp_path / "other.zarr"
    xr.Dataset({"x": ("a", [1.0])}).to_zarr(other, zarr_format=2)
    with pytest.raises(StoreMismatchError, match="not made by sim.run_batch"):
        sim.run_batch(pair[:1], 2, seed=1, client=client, store=other)


@pytest.mark.parametrize("kwargs, match", [
    ({"runs": 0}, "runs: allowed a whole number >= 1; given 0"),
    ({"seed": -1}, r"seed: allowed a whole number in \[0, 2\*\*64\); given -1"),
    ({"seed": 2**64}, r"seed: allowed a whole number in \[0, 2\*\*64\); given 18446744073709551616"),
    ({"sampler": "grid"}, r"sampler: allowed one of \['lhs', 'sobol', 'random'\]; given 'grid'"),
    ({"scale": 0.0}, "scale: allowed a finite number > 0; given 0.0"),
    ({"scale": float("inf")}, "scale: allowed a finite number > 0; given inf"),
    ({"store": "r.nc"}, "field 'store': allowed a path ending in .zarr"),
    ({"workers": 0}, "workers: allowed a whole number >= 1"),
    ({"task_size": 0}, "task_size: allowed a whole number >= 1"),
    ({"client": 3}, "client: allowed a distributed.Client or a scheduler address"),
])
def test_bad_arguments(kwargs, match, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = {"runs": 2, **kwargs}
    with pytest.raises(ValueError, match=match):
        sim.run_batch(scenario(), **args)


def test_scenarios_must_be_distinct_and_share_years():
    with pytest.raises(ValueError, match="distinct names"):
        plan_batch([scenario("a"), scenario("a")], 2)
    with pytest.raises(ValueError, match="same start_year and end_year"):
        plan_batch([scenario("a"), replace(scenario("b"), end_year=2035)], 2)


def test_samplers_differ_and_are_seeded():
    lhs, sobol, rnd = (plan_batch(scenario(), 8, seed=3, sampler=s).quantiles for s in ("lhs", "sobol", "random"))
    assert not np.array_equal(lhs, sobol) and not np.array_equal(lhs, rnd)
    np.testing.assert_array_equal(lhs, plan_batch(scenario(), 8, seed=3).quantiles)
    # Latin hypercube: one point in each of the 8 strata of every dimension
    assert all(sorted((lhs[:, k] * 8).astype(int)) == list(range(8)) for k in range(lhs.shape[1]))


def test_tasks_cover_the_missing_runs_once():
    todo = np.zeros((2, 10), dtype=bool)
    todo[0, [0, 1, 2, 5, 6, 9]] = True
    todo[1, 3:8] = True
    tasks = make_tasks(todo, 2)
    covered = np.zeros_like(todo)
    for t in tasks:
        assert 1 <= t.stop - t.start <= 2
        assert not covered[t.scenario, t.start:t.stop].any()
        covered[t.scenario, t.start:t.stop] = True
    np.testing.assert_array_equal(covered, todo)
    assert Task(0, 0, 2) in tasks


def _numba_threads():
    import numba

    return numba.config.NUMBA_NUM_THREADS


def test_local_workers_are_single_threaded_and_this_process_is_left_alone(client):
    assert set(client.run(_numba_threads).values()) == {1}
    assert len(client.nthreads()) == 2 and set(client.nthreads().values()) == {1}
    assert os.environ.get("NUMBA_NUM_THREADS") == ENVIRON_AT_IMPORT["NUMBA_NUM_THREADS"]
    assert "MALLOC_TRIM_THRESHOLD_" not in os.environ or ENVIRON_AT_IMPORT["MALLOC_TRIM_THRESHOLD_"]


def test_importing_sim_starts_nothing():
    code = "import sys, sim; print(sorted({'dask', 'distributed', 'zarr', 'matplotlib', 'tqdm'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "[]"


def test_a_batch_of_some_outputs_keeps_what_its_summaries_need(client):
    """[outputs] variables = a subset: the batch still keeps every flag its summaries are means of."""
    subset = parse_scenario(TEXT.format(name="some_outputs", budget=10e6)
                            + '\n[outputs]\nvariables = ["emissions"]\npledge_counterfactual = false\n')
    ds = sim.run_batch(subset, 2, seed=SEED, client=client)
    assert "emissions" in ds and "adoption" not in ds
    for flag in sim.summary.FLAGS.values():
        assert flag in ds, flag
    assert float(ds["runs_done"].sel(scenario="some_outputs")) == 2
    assert np.isfinite(ds["prob_pledge_goal"]).all()


def test_costs_carry_their_price_year(reference):
    """The batch states the year whose SEK its costs are in, on the Dataset and on each output in SEK."""
    assert reference.attrs["price_year"] == 2020
    priced = [name for name, (_, units, _) in sim.results.VARIABLES.items() if "SEK" in units and name in reference]
    assert "costs" in priced and "investment_costs" in priced
    assert all(reference[name].attrs["price_year"] == 2020 for name in priced)


def test_the_default_draws_from_the_municipality_s_posterior_if_it_has_one(client, tmp_path):
    """Default: the shipped posterior of the batch's municipality (Eskilstuna's own; the pooled one of the contract
    cities for Malmö), else the prior (a folder that is no contract city); 'posterior' for such a folder is a clear
    error; 'prior' is one option away."""
    home = scenario("home")
    malmo = parse_scenario(TEXT.format(name="malmo_small", budget=10e6).replace('"eskilstuna"', '"malmo"'))
    elsewhere = tmp_path / "testville"
    shutil.copytree(Path(sim.__file__).parents[1] / "calibration" / "data" / "eskilstuna", elsewhere)
    other = parse_scenario(TEXT.format(name="elsewhere", budget=10e6).replace('"eskilstuna"', f'"{elsewhere}"'))
    own = sim.run_batch(home, 2, seed=SEED, client=client)
    assert own.attrs["parameter_source"] == "posterior"
    assert sim.run_batch(home, 2, seed=SEED, client=client, parameters="prior").attrs["parameter_source"] == "prior"
    pooled = sim.run_batch(malmo, 2, seed=SEED, client=client)
    assert pooled.attrs["parameter_source"] == "posterior"
    drawn = posterior_design(read_posterior(shipped_posterior("contract_cities")), 2, SEED)
    np.testing.assert_array_equal(pooled["cost_weight"].values.ravel(), drawn["cost_weight"])
    assert sim.run_batch(other, 2, seed=SEED, client=client).attrs["parameter_source"] == "prior"
    with pytest.raises(ValueError, match="field 'parameters': allowed 'posterior' for a batch of one municipality"):
        sim.run_batch(other, 2, seed=SEED, client=client, parameters="posterior")
