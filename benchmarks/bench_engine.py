"""Full runs of the engine: time per agent-year at scales 0.1, 1 and 10, and peak memory per agent.

``test_full_run`` times :func:`sim.simulate` end to end (population,
network, 31 years, Dataset); ``test_step_loop`` times only the yearly loop
(:func:`sim.engine.run`) on a freshly built population, so that the set-up
and the loop can be told apart. ``test_peak_memory`` runs one simulation in
a fresh interpreter and reports the peak of memory traced by ``tracemalloc``
(numpy arrays and Python objects; allocations made inside numba kernels are
not traced) and the growth of the resident set from before the run to its
peak during the run (``VmHWM`` reset through ``/proc/self/clear_refs``, so
that compilation does not count), both per agent.

Full runs are timed twice: with numba's default thread count and with one
thread (``numba.set_num_threads(1)``); the kernels are serial, so the two
should agree. ``test_busy_machine`` checks that on a loaded machine: it
starts two busy-looping processes and times full runs in fresh interpreters
with ``NUMBA_NUM_THREADS`` unset and set to 1 (bar: ratio at most 1.5).
Scale 10 is about 570,000 agents (500,000 households and 67,000 firms);
quick mode skips it. ``SIM_BENCH_LARGE=1`` adds the peak-memory case at
scale 88 (about 5 million agents, every Swedish household's worth; bars:
under 60 s and 250 B of resident memory per agent).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from contextlib import contextmanager

import numba
import pytest
from bench_settings import QUICK, ROOT, SEED

import sim
from sim.data import load_municipality
from sim.engine import run
from sim.network import build_network
from sim.population import build_population
from sim.sampling import parameter_values

SCALES = [0.01, 0.1] if QUICK else [0.1, 1.0, 10.0]
LARGE = os.environ.get("SIM_BENCH_LARGE", "") not in ("", "0")
MEMORY_SCALES = SCALES + ([88.0] if LARGE and not QUICK else [])
ROUNDS = {0.01: 5, 0.1: 10, 1.0: 5, 10.0: 2}

MEMORY_SCRIPT = r"""
import json, resource, sys, tracemalloc
from dataclasses import replace
import sim
from sim.scenario import load_scenario
scenario = load_scenario(sys.argv[1])
scenario = replace(scenario, end_year=int(sys.argv[3]))
sim.simulate(scenario, seed=1, scale=0.01)          # load the compiled kernels first


def status(field):
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(field + ":"))


try:  # reset the peak resident set (Linux >= 4.0), so that start-up and compilation do not count
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    before = status("VmRSS")
except OSError:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
tracemalloc.start()
ds = sim.simulate(scenario, seed=1, scale=float(sys.argv[2]))
current, peak = tracemalloc.get_traced_memory()
tracemalloc.stop()
try:
    after = status("VmHWM")
except OSError:
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"n_agents": ds.attrs["n_agents"], "traced_peak_bytes": peak,
                  "rss_before_kib": before, "rss_peak_kib": after}))
"""


def _years(scenario) -> int:
    return scenario.end_year - scenario.start_year + 1


@contextmanager
def threads(n):
    """Run with ``n`` numba threads ("default": as configured)."""
    before = numba.get_num_threads()
    numba.set_num_threads(before if n == "default" else n)
    try:
        yield numba.get_num_threads()
    finally:
        numba.set_num_threads(before)


@pytest.mark.parametrize("n_threads", ["default", 1])
@pytest.mark.parametrize("scale", SCALES)
def test_full_run(benchmark, scenario, compiled, scale, n_threads):
    benchmark.group = "engine: full run (sim.simulate)"
    with threads(n_threads) as used:
        ds = benchmark.pedantic(sim.simulate, args=(scenario,), kwargs={"seed": SEED, "scale": scale},
                                rounds=1 if QUICK else ROUNDS[scale], warmup_rounds=0, iterations=1)
    agent_years = ds.attrs["n_agents"] * _years(scenario)
    benchmark.extra_info.update({"scale": scale, "n_agents": ds.attrs["n_agents"], "years": _years(scenario),
                                 "threads": used})
    if benchmark.stats:
        benchmark.extra_info["ns_per_agent_year"] = benchmark.stats.stats.min * 1e9 / agent_years
        benchmark.extra_info["ns_per_agent_year_median"] = benchmark.stats.stats.median * 1e9 / agent_years
        passes = 2 if scenario.pledge_counterfactual else 1  # the counterfactual is a second pass of the model
        benchmark.extra_info["passes"] = passes
        benchmark.extra_info["ns_per_agent_year_per_pass"] = benchmark.stats.stats.min * 1e9 / (agent_years * passes)


@pytest.mark.parametrize("scale", SCALES)
def test_step_loop(benchmark, scenario, compiled, scale):  # one thread: the stable figure
    """The yearly loop alone: population and network are rebuilt outside the timing for every round."""
    benchmark.group = "engine: step loop (sim.engine.run)"
    values = parameter_values(scenario, SEED)
    data = load_municipality(scenario.municipality)

    def setup():
        population = build_population(data, scenario.start_year, SEED, scale)
        network = build_network(population, SEED, str(values["network_topology"]))
        return (population, network, data, values, SEED, scenario.start_year, scenario.end_year), {}

    n_agents = setup()[0][0].n_agents
    with threads(1):
        benchmark.pedantic(run, setup=setup, rounds=1 if QUICK else ROUNDS[scale], warmup_rounds=0, iterations=1)
    benchmark.extra_info.update({"scale": scale, "n_agents": n_agents, "years": _years(scenario)})
    if benchmark.stats:
        benchmark.extra_info["ns_per_agent_year"] = (benchmark.stats.stats.min * 1e9
                                                     / (n_agents * _years(scenario)))


@pytest.mark.parametrize("scale", MEMORY_SCALES)
def test_peak_memory(benchmark, scenario, scale):
    """Peak memory of one run, per agent, measured in a fresh interpreter."""
    benchmark.group = "engine: peak memory (subprocess, time includes start-up)"

    def measure():
        out = subprocess.run([sys.executable, "-c", MEMORY_SCRIPT, str(ROOT / "scenarios" / "baseline.toml"),
                              str(scale), str(scenario.end_year)], capture_output=True, text=True, check=True,
                             cwd=ROOT)
        return json.loads(out.stdout.strip().splitlines()[-1])

    started = time.perf_counter()
    figures = benchmark.pedantic(measure, rounds=1, warmup_rounds=0, iterations=1)
    benchmark.extra_info["subprocess_seconds"] = time.perf_counter() - started
    n = figures["n_agents"]
    benchmark.extra_info.update({
        "scale": scale, "n_agents": n,
        "traced_peak_bytes_per_agent": figures["traced_peak_bytes"] / n,
        "rss_growth_bytes_per_agent": (figures["rss_peak_kib"] - figures["rss_before_kib"]) * 1024 / n,
        "rss_peak_mib": figures["rss_peak_kib"] / 1024,
    })
    assert figures["traced_peak_bytes"] > 0


TIMING_SCRIPT = r"""
import json, sys, time
from dataclasses import replace
import sim
from sim.scenario import load_scenario
scenario = replace(load_scenario(sys.argv[1]), end_year=int(sys.argv[3]))
sim.simulate(scenario, seed=1, scale=0.01)          # compile (or load) the kernels outside the timing
times = []
for seed in range(int(sys.argv[4])):
    start = time.perf_counter()
    ds = sim.simulate(scenario, seed=seed, scale=float(sys.argv[2]))
    times.append(time.perf_counter() - start)
print(json.dumps({"times": times, "agent_years": ds.attrs["n_agents"] * ds.sizes["year"]}))
"""

BUSY_LOOP = "import time\nend = time.monotonic() + 600\nwhile time.monotonic() < end:\n    pass\n"


def _timed_runs(scenario, scale: float, repeats: int, numba_threads: str | None) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_NUM_THREADS"}
    if numba_threads is not None:
        env["NUMBA_NUM_THREADS"] = numba_threads
    out = subprocess.run([sys.executable, "-c", TIMING_SCRIPT, str(ROOT / "scenarios" / "baseline.toml"),
                          str(scale), str(scenario.end_year), str(repeats)], capture_output=True, text=True,
                         check=True, cwd=ROOT, env=env, timeout=600)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_busy_machine(benchmark, scenario):
    """Default threads against one thread while two busy loops hold both cores (bar: at most 1.5 times)."""
    benchmark.group = "engine: busy machine (two busy loops running)"
    scale, repeats = (0.02, 1) if QUICK else (1.0, 5)
    load = [subprocess.Popen([sys.executable, "-c", BUSY_LOOP]) for _ in range(2)]
    try:
        def measure():
            return _timed_runs(scenario, scale, repeats, None), _timed_runs(scenario, scale, repeats, "1")
        default, single = benchmark.pedantic(measure, rounds=1, warmup_rounds=0, iterations=1)
    finally:
        for process in load:
            process.kill()
            process.wait()
    ratio = min(default["times"]) / min(single["times"])
    benchmark.extra_info.update({
        "scale": scale, "ratio_default_to_one_thread": ratio,
        "ns_per_agent_year_default": min(default["times"]) * 1e9 / default["agent_years"],
        "ns_per_agent_year_one_thread": min(single["times"]) * 1e9 / single["agent_years"]})
    if not QUICK:
        assert ratio <= 1.5, f"default threads {ratio:.2f} times one thread on a busy machine"
