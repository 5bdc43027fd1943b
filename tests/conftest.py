"""Shared scenarios and runs; expensive simulations are computed once per session."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from testdata import BASELINE, ESKILSTUNA, SMALL_SEED, scenario_text

import sim
from sim.scenario import parse_scenario


@pytest.fixture(scope="session")
def make_scenario():
    """Factory: ``make_scenario(end_year=..., scale=..., levers="a = 1")`` -> Scenario parsed from text."""
    def make(**kwargs):
        return parse_scenario(scenario_text(**kwargs))
    return make


@pytest.fixture(scope="session")
def small_scenario():
    return parse_scenario(scenario_text(end_year=2032, scale=0.02))


@pytest.fixture(scope="session")
def small_run(small_scenario):
    """One small run (scale 0.02, 2020-2032) shared by the engine and results tests."""
    return sim.simulate(small_scenario, seed=SMALL_SEED)


@pytest.fixture(scope="session")
def long_scenario():
    return parse_scenario(scenario_text(end_year=2046, scale=0.02))


@pytest.fixture(scope="session")
def long_run(long_scenario):
    """A small run past 2045, so every target variable is defined."""
    return sim.simulate(long_scenario, seed=SMALL_SEED)


@pytest.fixture(scope="session")
def baseline_scenario():
    return sim.load_scenario(BASELINE)


@pytest.fixture(scope="session")
def full_2020_run(baseline_scenario):
    """The baseline scenario at full scale (scale 1.0), to 2022: the base-year check."""
    return sim.simulate(replace(baseline_scenario, end_year=2022), seed=2020, scale=1.0)


@pytest.fixture(scope="session")
def eskilstuna():
    from sim.data import load_municipality
    return load_municipality(ESKILSTUNA.resolve())


@pytest.fixture
def rng():
    """numpy generator for building test inputs (never for the model's own draws)."""
    return np.random.default_rng(20240611)

