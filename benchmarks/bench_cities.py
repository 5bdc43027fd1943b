"""All 23 contract cities in one run in one process: time per agent-year and resident memory per agent.

``test_all_contract_cities`` runs :func:`sim.simulate` of the baseline scenario with
``municipality = "all_contract_cities"`` (about 4 million inhabitants; each city's run after the
other's, the same seed and parameters in each) in a fresh interpreter, after compiling at a tiny
scale and loading every city's data. It reports ``ns_per_agent_year`` = wall time / (agents of every
city x years x passes), where the baseline's pledge counterfactual (``delivered_reduction``) makes each
city's run two passes of the model over the same agents (DESIGN's bar is for one run of the model), and
``ns_per_agent_year_end_to_end`` = wall time / (agents x years), and the growth of the resident set to its peak (high-water mark reset first) per agent
of the largest city (``rss_growth_bytes_per_agent``: a city's run holds only its own agents; the
others' results are small) and per agent of all cities. Bars of DESIGN section 7: 150 ns per
agent-year, 250 B per agent (asserted in full mode). Quick mode: scale 0.025 (the smallest city's
data allow 0.021), 2020-2023.
"""
from __future__ import annotations

import json
import subprocess
import sys

from bench_settings import QUICK, ROOT

SCALE = 0.025 if QUICK else 1.0
END_YEAR = 2023 if QUICK else 2050
NS_PER_AGENT_YEAR_BAR = 150.0
BYTES_PER_AGENT_BAR = 250.0

SCRIPT = r"""
import json, sys, time
from dataclasses import replace
import sim
from sim.contract_cities import ALL_CONTRACT_CITIES, find_municipalities
from sim.data import load_municipality

baseline = replace(sim.load_scenario(sys.argv[1]), end_year=int(sys.argv[3]))
cities = find_municipalities(ALL_CONTRACT_CITIES)
for city in cities:
    load_municipality(city)
sim.simulate(baseline, seed=1, scale=0.01)          # the compiled kernels loaded first
scenario = replace(baseline, municipalities=cities, municipality=cities[0])


def status(field):
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(field + ":"))


with open("/proc/self/clear_refs", "w") as f:       # reset the peak resident set (Linux >= 4.0)
    f.write("5")
before = status("VmRSS")
started = time.perf_counter()
ds = sim.simulate(scenario, seed=1, scale=float(sys.argv[2]))
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "n_agents": ds.attrs["n_agents"], "years": ds.sizes["year"],
                  "passes": 2 if scenario.pledge_counterfactual else 1,
                  "n_agents_by_municipality": ds.attrs["n_agents_by_municipality"],
                  "cities": [str(m) for m in ds["municipality"].values],
                  "rss_before_kib": before, "rss_peak_kib": status("VmHWM")}))
"""


def test_all_contract_cities(benchmark):
    """The 23 cities at full scale, 2020-2050, one process (quick mode: tiny)."""
    benchmark.group = "cities: all 23 contract cities in one run (subprocess)"

    def measure():
        out = subprocess.run([sys.executable, "-c", SCRIPT, str(ROOT / "scenarios" / "baseline.toml"), str(SCALE),
                              str(END_YEAR)], capture_output=True, text=True, check=True, cwd=ROOT)
        return json.loads(out.stdout.strip().splitlines()[-1])

    figures = benchmark.pedantic(measure, rounds=1, warmup_rounds=0, iterations=1)
    n, largest = figures["n_agents"], max(figures["n_agents_by_municipality"])
    growth = (figures["rss_peak_kib"] - figures["rss_before_kib"]) * 1024
    benchmark.extra_info.update({
        "scale": SCALE, "cities": len(figures["cities"]), "n_agents": n, "largest_city_agents": largest,
        "seconds": figures["seconds"], "passes": figures["passes"],
        "ns_per_agent_year": figures["seconds"] * 1e9 / (n * figures["years"] * figures["passes"]),
        "ns_per_agent_year_end_to_end": figures["seconds"] * 1e9 / (n * figures["years"]),
        "rss_growth_bytes_per_agent": growth / largest, "rss_growth_bytes_per_agent_all_cities": growth / n,
        "rss_peak_mib": figures["rss_peak_kib"] / 1024})
    assert len(figures["cities"]) == 23 and sum(figures["n_agents_by_municipality"]) == n
    if not QUICK:
        assert benchmark.extra_info["ns_per_agent_year"] <= NS_PER_AGENT_YEAR_BAR
        assert benchmark.extra_info["rss_growth_bytes_per_agent"] <= BYTES_PER_AGENT_BAR
