"""The explorer's answer to a lever change: the paired batch (baseline and explored setting) and its figures.

Run with ``pytest benchmarks/bench_explore.py``. At the app's defaults (scale 0.05, 20 runs per
scenario) on a two-worker cluster started once, as ``sim explore`` does; each round moves a lever
to a new value, so no batch comes from the cache. The browser's share (sending and showing the
page's new figures) is outside; ``tests/test_explore_browser.py`` exercises it.
``SIM_BENCH_QUICK=1``: scale 0.01, 4 runs, 2020-2023.
"""
from __future__ import annotations

import itertools
from dataclasses import replace

import pytest
from bench_settings import QUICK, ROOT

import sim
from sim.cluster import connect
from sim.explore.compute import Explorer
from sim.explore.layout import render

SCALE, RUNS = (0.01, 4) if QUICK else (0.05, 20)
ROUNDS = {"rounds": 1, "warmup_rounds": 0} if QUICK else {"rounds": 5, "warmup_rounds": 1}


@pytest.fixture(scope="module")
def explorer():
    scenario = sim.load_scenario(ROOT / "scenarios" / "klimatkontrakt_2024.toml")
    scenario = replace(scenario, end_year=2023) if QUICK else scenario
    with connect(None, 2) as client:
        yield Explorer(scenario, RUNS, SCALE, seed=1, client=client)


def test_lever_change(benchmark, explorer):
    values = itertools.count(10_000.0, 10_000.0)  # t CO2e/yr of biochar: a new value every round

    def change():
        return render(explorer.run({**explorer.initial_settings(), "biochar_capacity": next(values)}))

    view = benchmark.pedantic(change, iterations=1, **ROUNDS)
    benchmark.extra_info.update({"scale": SCALE, "runs_per_scenario": RUNS, "workers": 2})
    assert view.result.seconds > 0.0  # computed, not from the cache
