"""The numba engine against the Mesa reference, same scenario, seed and scale, in one benchmark run.

pytest-benchmark times one Mesa run (it takes from seconds to minutes);
inside the same test the engine is timed as the best of several runs, and
the ratio goes to ``extra_info``:

- ``speedup``: end to end, ``sim.mesa.simulate`` over ``sim.simulate``
  (both build the same population and network and return the same Dataset);
- ``speedup_1_thread``: the same with the engine on one numba thread (the
  Mesa model runs on one core anyway; on a busy machine this is the stable
  figure);
- ``speedup_step_loop``: the yearly loop only, ``ClimateModel.run`` over
  ``sim.engine.run``, set-up excluded on both sides (engine threads as
  configured).

Both runs take the same random draws (``stream_offset=0``), so their
results agree to rounding; the test checks that, so the two timings are of
the same work. Like the equivalence tests, both run one pass (no pledge
counterfactual) on a closed population: the data's population series is
held at the start year's, because the Mesa reference has no arrivals.
"""
from __future__ import annotations

import time
from dataclasses import replace

import numba
import numpy as np
import pytest
from bench_settings import QUICK, SEED, best_of

import sim
import sim.mesa.model
from sim.engine import run
from sim.mesa import ClimateModel
from sim.network import build_network
from sim.population import build_population
from sim.sampling import parameter_values
from sim.scenario import Distribution

SCALES = [0.01] if QUICK else [0.1, 1.0]


@pytest.fixture(scope="module", autouse=True)
def closed_population():
    """Every run of this module loads the data with a flat population series."""
    load = sim.data.load_municipality

    def flat(name):
        data = load(name)
        return replace(data, population={year: data.population[data.start_years[0]] for year in data.population})

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sim.engine, "load_municipality", flat)
        patch.setattr(sim.mesa.model, "load_municipality", flat)
        yield


@pytest.mark.parametrize("scale", SCALES)
def test_speedup_over_mesa(benchmark, scenario, compiled, scale):
    benchmark.group = "engine vs Mesa reference"
    scenario = replace(scenario, pledge_counterfactual=False,
                       uncertainties={**scenario.uncertainties, "population_growth": Distribution("fixed", 0.0, 0.0)})
    years = scenario.end_year - scenario.start_year + 1
    repeat = 1 if QUICK else (5 if scale < 1 else 3)
    engine_ds = sim.simulate(scenario, seed=SEED, scale=scale)
    engine_s = best_of(lambda: sim.simulate(scenario, seed=SEED, scale=scale), repeat)
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        engine_1_s = best_of(lambda: sim.simulate(scenario, seed=SEED, scale=scale), repeat)
    finally:
        numba.set_num_threads(threads)

    values = parameter_values(scenario, SEED)
    data = sim.engine.load_municipality(scenario.municipality)   # the flat series of this module
    loops = []
    for _ in range(repeat):
        population = build_population(data, scenario.start_year, SEED, scale)
        network = build_network(population, SEED, str(values["network_topology"]))
        start = time.perf_counter()
        run(population, network, data, values, SEED, scenario.start_year, scenario.end_year)
        loops.append(time.perf_counter() - start)

    timings = {}

    def mesa_run():
        start = time.perf_counter()
        model = ClimateModel(scenario, seed=SEED, scale=scale)
        built = time.perf_counter()
        model.run()
        stepped = time.perf_counter()
        ds = model.dataset()
        timings.update(build=built - start, loop=stepped - built, total=time.perf_counter() - start)
        return ds

    mesa_ds = benchmark.pedantic(mesa_run, rounds=1, warmup_rounds=0, iterations=1)
    agent_years = engine_ds.attrs["n_agents"] * years
    benchmark.extra_info.update({
        "scale": scale, "n_agents": engine_ds.attrs["n_agents"], "years": years,
        "engine_s": engine_s, "mesa_s": timings["total"], "speedup": timings["total"] / engine_s,
        "engine_threads": threads, "engine_1_thread_s": engine_1_s,
        "speedup_1_thread": timings["total"] / engine_1_s,
        "engine_loop_s": min(loops), "mesa_loop_s": timings["loop"], "mesa_build_s": timings["build"],
        "speedup_step_loop": timings["loop"] / min(loops),
        "engine_ns_per_agent_year": engine_s * 1e9 / agent_years,
        "mesa_ns_per_agent_year": timings["total"] * 1e9 / agent_years,
    })
    np.testing.assert_allclose(mesa_ds["net_emissions"].values, engine_ds["net_emissions"].values, rtol=1e-9)
