"""Batch throughput (runs per second at 1 and 2 workers) and the overhead of the batch layer.

Run with ``pytest benchmarks/test_batch_throughput.py``. Each case is timed after a warm-up round
(numba kernels loaded from the cache, worker processes started); cluster start-up is outside the
timing. ``extra_info`` holds ``runs_per_second`` and, for the batch at one worker, ``overhead``:
the batch's time over the same runs as a plain ``simulate`` loop in an identical single-threaded
worker process (1.00 = no overhead).

Sizes: "small" (scale 0.05, about 2,800 agents, 2020-2050, 32 runs) and "full" (scale 1.0, about
57,000 agents, 2020-2050, 6 runs); ``SIM_BENCH_QUICK=1`` shrinks both to a few tiny runs to 2023.
"""
from __future__ import annotations

from dataclasses import replace

import pytest
from bench_settings import QUICK, ROOT

import sim
from sim.batch import plan_batch
from sim.cluster import connect

SIZES = {"small": (0.01, 4), "full": (0.02, 2)} if QUICK else {"small": (0.05, 32), "full": (1.0, 6)}
SEED = 7
ROUNDS = {"rounds": 1, "warmup_rounds": 0} if QUICK else {"rounds": 3, "warmup_rounds": 1}
_loop_seconds: dict[str, float] = {}


@pytest.fixture(scope="module")
def baseline():
    scenario = sim.load_scenario(ROOT / "scenarios" / "baseline.toml")
    return replace(scenario, end_year=2023) if QUICK else scenario


def _mean(benchmark) -> float | None:
    """Mean time of the timed rounds; None with ``--benchmark-disable``."""
    stats = getattr(benchmark, "stats", None)
    return stats.stats.mean if stats else None


@pytest.fixture(scope="module")
def clients():
    with connect(None, 1) as one, connect(None, 2) as two:
        yield {1: one, 2: two}


def simulate_loop(scenario, seeds, params, scale):
    """The batch's runs, one ``simulate`` call after another."""
    for seed, values in zip(seeds, params):
        sim.simulate(scenario, seed=int(seed), params=values, scale=scale)


def _loop_args(scenario, size):
    scale, runs = SIZES[size]
    plan = plan_batch(scenario, runs, seed=SEED, scale=scale)
    return plan.run_seeds, [plan.params(0, i) for i in range(runs)], scale


@pytest.mark.parametrize("size", SIZES)
def test_simulate_loop_in_a_worker(benchmark, baseline, clients, size):
    """Reference: a plain loop in a single-threaded worker process (one task, no batch layer)."""
    import sys

    import cloudpickle

    from sim.batch import pack_scenario, unpack_scenario

    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers cannot import this file
    seeds, params, scale = _loop_args(baseline, size)
    packed = pack_scenario(baseline)

    def run():
        clients[1].submit(lambda p, *a: simulate_loop(unpack_scenario(p), *a), packed, seeds, params, scale,
                          pure=False).result()

    benchmark.pedantic(run, **ROUNDS)
    if mean := _mean(benchmark):
        _loop_seconds[size] = mean
        benchmark.extra_info["runs_per_second"] = len(seeds) / mean


@pytest.mark.parametrize("size", SIZES)
def test_simulate_loop_in_this_process(benchmark, baseline, size):
    """For information: the same loop in the calling process (numba's default thread count)."""
    seeds, params, scale = _loop_args(baseline, size)
    benchmark.pedantic(simulate_loop, args=(baseline, seeds, params, scale), **ROUNDS)
    if mean := _mean(benchmark):
        benchmark.extra_info["runs_per_second"] = len(seeds) / mean


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("size", SIZES)
def test_batch(benchmark, baseline, clients, size, workers):
    """``run_batch`` on an existing cluster of 1 or 2 single-threaded workers, results in memory."""
    scale, runs = SIZES[size]
    ds = benchmark.pedantic(sim.run_batch, args=(baseline, runs), kwargs={"seed": SEED, "scale": scale,
                                                                          "client": clients[workers]}, **ROUNDS)
    assert int(ds["runs_done"].sum()) == runs
    if mean := _mean(benchmark):
        benchmark.extra_info["runs_per_second"] = runs / mean
        if workers == 1 and size in _loop_seconds:
            benchmark.extra_info["overhead"] = mean / _loop_seconds[size]
