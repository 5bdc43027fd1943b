"""The numba engine against the plain Mesa reference (:mod:`sim.mesa`).

Two kinds of agreement:

- Same draws, same results. With ``stream_offset=0`` the Mesa model draws
  every decision from the engine's keys (seed, year, stream, agent index),
  so every rule is deterministic given the draws and the two must agree:
  counts of cars, heating systems, steps, connections and pledges exactly;
  every other variable to a relative 1e-9 (sums are taken in another order).
- Independent draws, same distributions. The engine on seeds 0..n-1 and the
  Mesa model on seeds 1000..1000+n-1 with its own decision streams are two
  independent samples of the model's outcomes; for each key outcome a
  two-sample Kolmogorov-Smirnov test and a difference-in-means test must not
  reject at a family-wise level of 1 % (thresholds below, derived from n).
  A companion test checks that the same thresholds do reject a real change
  of the rules, so they are not vacuous.

The Mesa reference has a closed population (every household of the start
year stays; the engine's households arrive and leave with the population,
:mod:`sim.mechanisms.demography`), so both run here at a fixed population:
the data's population series held at its start-year value and
``population_growth`` 0, under which the engine's population is closed too.
"""
from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import mesa
import numba
import numpy as np
import pytest
from scipy import stats

import sim
import sim.data
import sim.engine
import sim.mesa.model
from sim import mesa as mesa_model
from sim.declarations.parameters import UNCERTAINTIES
from sim.kernels import accounting, adoption, behaviour, grants, influence, pledges
from sim.mechanisms.sectors import LEVER
from sim.network import build_network
from sim.scenario import Distribution, load_scenario

ROOT = Path(__file__).resolve().parents[1]
START_YEAR = 2020                          # of both shipped scenarios
FIXED = Distribution("fixed", 0.0, 0.0)   # population_growth: with the flat series, a fixed population
SECTOR_LEVERS = tuple(LEVER.values())
COUNTS = ("car_fleet", "new_cars", "heating_systems", "firm_energy_step", "heat_recovery_connections", "pledges")

N_SEEDS = 40                   # runs per implementation
FAMILY_ALPHA = 0.01            # chance that the whole test fails when the implementations agree
OUTCOMES = ("net_emissions_2030", "bev_share_2030", "pledges_2027", "grant_abatement_2030")
ALPHA = FAMILY_ALPHA / (2 * len(OUTCOMES))   # Bonferroni over outcomes and the two tests
# Kolmogorov-Smirnov, asymptotic critical value for samples of n and n: c(alpha) sqrt(2 / n)
KS_CRITICAL = math.sqrt(-math.log(ALPHA / 2) / 2) * math.sqrt(2 / N_SEEDS)
# difference of means within z(1 - alpha/2) standard errors of the difference
Z_CRITICAL = stats.norm.ppf(1 - ALPHA / 2)


@pytest.fixture(scope="module", autouse=True)
def fixed_population():
    """Every run of this module loads the data with a flat population series (see the module's docstring)."""
    load = sim.data.load_municipality

    def flat(name):
        data = load(name)
        return replace(data, population={year: data.population[START_YEAR] for year in data.population})

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sim.engine, "load_municipality", flat)
        patch.setattr(sim.mesa.model, "load_municipality", flat)
        yield


def short(path: str, end_year: int = 2030, **levers):
    scenario = replace(load_scenario(ROOT / "scenarios" / path), end_year=end_year)
    scenario = replace(scenario, uncertainties={**scenario.uncertainties, "population_growth": FIXED})
    return scenario.with_levers(**levers) if levers else scenario


def assert_same(engine, reference):
    assert set(engine.data_vars) == set(reference.data_vars)
    assert dict(engine.sizes) == dict(reference.sizes)
    for name in engine.data_vars:
        a, b = engine[name].values, reference[name].values
        assert engine[name].dims == reference[name].dims, name
        assert engine[name].attrs == reference[name].attrs, name
        if name in COUNTS:
            np.testing.assert_array_equal(b, a, err_msg=name)
        elif a.dtype.kind == "f":
            np.testing.assert_allclose(b, a, rtol=1e-9, atol=1e-9, err_msg=name)
        else:
            assert a == b, name


@pytest.mark.parametrize("path, levers", [
    ("baseline.toml", {}),
    ("klimatkontrakt_2024.toml", {}),
    ("klimatkontrakt_2024.toml", {"grant_allocation": "lottery", "municipal_fleet_ev_year": 2021.0,
                                  "fossil_free_machinery_year": 2021.0, "network_topology": "random"}),
    ("baseline.toml", {**dict.fromkeys(SECTOR_LEVERS, 0.7), "fossil_free_machinery_year": 2023.0}),
])
@pytest.mark.parametrize("seed", [3, 11])
def test_same_draws_give_the_same_results(path, levers, seed):
    scenario = short(path, **levers)
    engine = sim.simulate(scenario, seed=seed, scale=0.01)
    reference = mesa_model.simulate(scenario, seed=seed, scale=0.01)
    assert_same(engine, reference)
    assert reference.attrs["implementation"] == "mesa"
    assert set(engine.attrs) <= set(reference.attrs)
    for key in set(engine.attrs) - {"title", "history"}:
        assert reference.attrs[key] == engine.attrs[key], key


def test_reference_is_a_mesa_model_on_the_engine_network():
    scenario = short("baseline.toml", end_year=2021)
    model = mesa_model.ClimateModel(scenario, seed=2, scale=0.01)
    assert isinstance(model, mesa.Model)
    assert isinstance(model.datacollector, mesa.DataCollector)
    by_type = {kind.__name__: len(agents) for kind, agents in model.agents_by_type.items()}
    assert by_type == {"Household": len(model.households), "Firm": len(model.firms),
                       "MunicipalUnit": len(model.units), "Municipality": 1}
    assert len(model.actors) == model.n_agents
    population = sim.population.build_population(model.data, 2020, 2, 0.01)
    graph = build_network(population, 2, str(model.values["network_topology"])).to_networkx()
    assert {frozenset(e) for e in model.grid.G.edges} == {frozenset(e) for e in graph.edges}
    for actor in model.actors:
        assert sorted(a.index for a in actor.neighbours) == sorted(graph.neighbors(actor.index))
    model.run()
    assert len(model.datacollector.model_vars["net_emissions"]) == 2


def test_reference_uses_no_kernel_numerics(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("the Mesa reference called an engine kernel")

    for module in (accounting, adoption, behaviour, grants, influence, pledges):
        for name in dir(module):
            if hasattr(getattr(module, name), "py_func"):
                monkeypatch.setattr(module, name, forbidden)
    ds = mesa_model.simulate(short("klimatkontrakt_2024.toml", end_year=2024), seed=1, scale=0.01)
    assert np.isfinite(ds["net_emissions"].values).all()
    with pytest.raises(AssertionError, match="kernel"):
        sim.simulate(short("baseline.toml", end_year=2021), seed=1, scale=0.01)


def outcomes(ds) -> dict[str, float]:
    fleet = ds["car_fleet"].sel(year=2030)
    return {"net_emissions_2030": float(ds["net_emissions"].sel(year=2030)),
            "bev_share_2030": float(fleet.sel(fuel="bev") / fleet.sum()),
            "pledges_2027": float(ds["pledges"].sel(year=2027).sum()),
            "grant_abatement_2030": float(ds["grant_abatement"].sel(year=2030))}


def sample(run, seeds, scenario, params, **kwargs) -> dict[str, np.ndarray]:
    threads = numba.get_num_threads()
    numba.set_num_threads(1)  # results do not depend on it; tiny runs are faster without thread hand-offs
    try:
        rows = [outcomes(run(scenario, seed=seed, params=params, scale=0.02, **kwargs)) for seed in seeds]
    finally:
        numba.set_num_threads(threads)
    return {k: np.array([r[k] for r in rows]) for k in OUTCOMES}


def differences(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """KS statistic and the difference of means in standard errors."""
    ks = stats.ks_2samp(a, b).statistic
    se = math.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
    z = abs(a.mean() - b.mean()) / se if se > 0 else (0.0 if a.mean() == b.mean() else math.inf)
    return ks, z


@pytest.fixture(scope="module")
def setting():
    """Klimatkontrakt to 2030 with the uncertainties at their centres, so the spread is the model's own."""
    scenario = short("klimatkontrakt_2024.toml")
    params = {p.name: scenario.uncertainties[p.name].centre for p in UNCERTAINTIES}
    return scenario, params, sample(sim.simulate, range(N_SEEDS), scenario, params)


def test_independent_runs_have_the_same_distributions(setting):
    scenario, params, engine = setting
    reference = sample(mesa_model.simulate, range(1000, 1000 + N_SEEDS), scenario, params, stream_offset=1000)
    for name in OUTCOMES:
        assert engine[name].std() > 0, name
        ks, z = differences(engine[name], reference[name])
        assert ks < KS_CRITICAL, f"{name}: KS D = {ks:.3f} >= {KS_CRITICAL:.3f}"
        assert z < Z_CRITICAL, f"{name}: means differ by {z:.2f} standard errors >= {Z_CRITICAL:.2f}"


def test_the_thresholds_detect_a_changed_rule(setting):
    """A car replacement rate half as high again must be rejected on the BEV share: the test has power."""
    scenario, params, engine = setting
    changed = dict(params, car_replacement_rate=1.5 * params["car_replacement_rate"])
    other = sample(sim.simulate, range(2000, 2000 + N_SEEDS), scenario, changed)
    ks, z = differences(engine["bev_share_2030"], other["bev_share_2030"])
    assert ks >= KS_CRITICAL and z >= Z_CRITICAL
