"""Shared set-up of the benchmark suite (pytest-benchmark).

Every case is seeded and warmed up before it is timed, so numba compilation
(or loading the on-disk cache) is never in a figure. ``SIM_BENCH_QUICK=1``
shrinks every case to a tiny scale and a short horizon and skips scale 10,
so that ``.ci/run`` can run the whole suite once, with ``--benchmark-disable``,
to keep it from rotting; the figures in README.md come from a full run.
"""
from __future__ import annotations

import os
import platform
from dataclasses import replace

import numba
import pytest
from bench_settings import QUICK, ROOT, SEED

import sim
from sim.scenario import load_scenario


def pytest_report_header(config):
    return (f"sim benchmarks: {'QUICK' if QUICK else 'full'} mode; numba {numba.__version__}, "
            f"{numba.config.NUMBA_NUM_THREADS} threads; {platform.processor() or platform.machine()}, "
            f"{os.cpu_count()} CPUs")


@pytest.fixture(scope="session")
def quick() -> bool:
    """Whether the suite runs in quick mode (tiny scales, short horizons)."""
    return QUICK


@pytest.fixture(scope="session")
def scenario():
    """The baseline scenario; 2020-2050 in full mode, 2020-2023 in quick mode."""
    scenario = load_scenario(ROOT / "scenarios" / "baseline.toml")
    return replace(scenario, end_year=2023) if QUICK else scenario


@pytest.fixture(scope="session")
def compiled(scenario):
    """Run the engine once at a tiny scale so that every kernel is compiled before anything is timed."""
    sim.simulate(scenario, seed=SEED, scale=0.01)
    return True


@pytest.fixture
def measure(benchmark):
    """Time ``target(*make_args())`` and report nanoseconds per agent-step in ``extra_info``.

    ``make_args`` builds fresh inputs for every round (outside the timing),
    so kernels that update state in place start each round from the same
    state. One warm-up round precedes the timed rounds.

    Returns a function ``run(target, make_args, n_steps, rounds=...)``.
    """

    def run(target, make_args, n_steps: int, rounds: int = 30, unit: str = "agent-step"):
        benchmark.extra_info.update({"n": int(n_steps), "unit": unit, "threads": numba.config.NUMBA_NUM_THREADS})
        result = benchmark.pedantic(target, setup=lambda: (make_args(), {}), rounds=1 if QUICK else rounds,
                                    warmup_rounds=0 if QUICK else 1, iterations=1)
        stats = getattr(benchmark, "stats", None)
        if stats:
            benchmark.extra_info["ns_per_" + unit.replace("-", "_")] = stats.stats.median * 1e9 / n_steps
            benchmark.extra_info["ns_per_" + unit.replace("-", "_") + "_min"] = stats.stats.min * 1e9 / n_steps
        return result

    return run

