"""Base year: the 2020 state reproduces the published totals; calibrated intensities are physically plausible."""
from dataclasses import replace

import numpy as np
import pytest
from testdata import ESKILSTUNA, HINDCAST

import sim
from sim.base_year import calibrate
from sim.data import SECTORS, load_municipality
from sim.declarations.codes import Heating
from sim.exogenous import blend_in
from sim.kernels import accounting
from sim.population import build_population

OIL = Heating.OIL


@pytest.fixture(scope="module")
def published():
    return load_municipality(ESKILSTUNA.resolve())


@pytest.fixture(scope="module")
def calib(published, baseline_scenario):
    return calibrate(published, 2020)


@pytest.mark.parametrize("sector", SECTORS)
def test_2020_sector_totals_reproduced(full_2020_run, published, sector):
    """Each sector's simulated 2020 emissions at full scale are within 2 % of the published total."""
    simulated = float(full_2020_run["emissions"].sel(year=2020, sector=sector))
    target = published.emissions[2020][sector]
    assert simulated == pytest.approx(target, rel=0.02)


def test_2020_total_and_fossil_co2(full_2020_run, published):
    """Total 2020 emissions within 2 % of the published total; fossil CO2 within 5 % of Klimatkollen's figure."""
    total = float(full_2020_run["emissions"].sel(year=2020).sum())
    assert total == pytest.approx(published.emissions[2020]["total"], rel=0.02)
    fossil = float(full_2020_run["fossil_co2"].sel(year=2020))
    assert fossil == pytest.approx(published.figures["fossil_co2_2020"], rel=0.05)


def test_2020_state_unbiased_over_seeds(baseline_scenario, published):
    """Averaged over 8 seeds, each sector's 2020 emissions sit within 3 standard errors (or 0.5 %) of the total.

    A single run may miss by sampling noise; a systematic offset (such as accounting the start year after
    that year's own replacements) shows up in the mean.
    """
    scenario = replace(baseline_scenario, end_year=2021)
    runs = np.array([sim.simulate(scenario, seed=s, scale=1.0)["emissions"].sel(year=2020).values
                     for s in range(100, 108)])
    target = np.array([published.emissions[2020][s] for s in SECTORS])
    deviation = runs / target - 1
    standard_error = deviation.std(axis=0, ddof=1) / np.sqrt(len(runs))
    assert np.all(np.abs(deviation.mean(axis=0)) < np.maximum(3 * standard_error, 0.005))


def test_start_state_before_any_decision(published, calib):
    """Before any process runs, the full-scale population's car and heating emissions match their sector parts."""
    pop = build_population(published, 2020, 3, 1.0)
    tech, split, emissions = published.technology, published.sector_split, published.emissions[2020]
    fuel = tech["fuel"]
    fossil = {"petrol": 1 - blend_in(fuel["petrol_blend"], 2020), "diesel": 1 - blend_in(fuel["diesel_blend"], 2020),
              "gas": fuel["gas_fossil_share"], "none": 0.0}
    fossil_kg = calib["tailpipe"] * np.array([fossil[f] for f in tech["car"]["fossil_fuel"]])
    hh = pop.households
    totals = np.empty(6)
    accounting.household_accounts(pop.cars.owner, pop.cars.fuel, calib["km_per_car"], hh.car_km_factor,
                                  fossil_kg, fossil_kg, hh.heating, hh.heat_demand, int(OIL),
                                  calib["household_oil_t_per_mwh"], np.zeros(5), np.zeros(5), hh.persons,
                                  hh.low_meat_diet, np.zeros(2), totals)
    totals *= pop.weight
    assert totals[0] == pytest.approx(emissions["transport"] * split["transport"]["household_cars"], rel=0.02)
    # oil heating: about 350 oil-heated houses, so the sampling noise is a few per cent
    oil_houses = np.count_nonzero(hh.heating == OIL)
    assert totals[2] == pytest.approx(emissions["own_heating"] * split["own_heating"]["household_heating"],
                                      rel=5 / np.sqrt(oil_houses))
    units_oil = float(np.sum(pop.units.fossil_heat)) * calib["unit_oil_t_per_mwh"]
    assert units_oil == pytest.approx(emissions["own_heating"] * split["own_heating"]["municipal_heating"],
                                      rel=1e-12)


def test_km_per_car_plausible(calib):
    """Calibrated kilometres per car lie between 8,000 and 18,000 km a year (Swedish cars drive about 12,000)."""
    assert 8_000 < calib["km_per_car"] < 18_000


def test_oil_intensities_plausible(calib, published):
    """Oil heating t CO2 per MWh of heat is within a factor 2 of 0.313 (266 kg/MWh fuel at 85 % efficiency)."""
    physical = published.technology["heating"]["oil_kg_per_mwh_heat"] / 1000
    assert physical == pytest.approx(0.313)
    for key in ("household_oil_t_per_mwh", "unit_oil_t_per_mwh"):
        assert physical / 2 < calib[key] < physical * 2


def test_other_intensities_plausible(calib):
    """Municipal fleet factor near 1, low territorial district-heat factor, positive goods footprint."""
    assert 0.5 < calib["fleet_factor"] < 2.0
    assert 0.0 < calib["dh_t_per_mwh"] < 0.1          # Swedish district heat is mostly biomass and waste
    assert 0.0 < calib["dh_scope2"] < 0.1
    assert 0.5 < calib["goods_t_per_person"] < 5.0     # what is left of 8 t per inhabitant
    assert calib["public_other_t"] > 0


def test_2020_consumption_per_capita(full_2020_run, published):
    """The 2020 consumption footprint per inhabitant is within 5 % of the programme's 8 t."""
    value = float(full_2020_run["consumption_emissions_per_capita"].sel(year=2020))
    assert value == pytest.approx(published.figures["consumption_per_capita"], rel=0.05)


@pytest.fixture(scope="module")
def full_2015_run():
    """The hindcast's first year at full scale (the start state of a 2015 start)."""
    scenario = replace(sim.load_scenario(HINDCAST), end_year=2016)
    return sim.simulate(scenario, seed=11, scale=1.0)


@pytest.mark.parametrize("sector", SECTORS)
def test_2015_start_reproduces_2015(full_2015_run, published, sector):
    """A hindcast started in 2015 (dwellings back-cast, the 2015 fleet, the 2015 blending) gives each sector's
    2015 total within 2 %, as the 2020 start does for 2020."""
    simulated = float(full_2015_run["emissions"].sel(year=2015, sector=sector))
    assert simulated == pytest.approx(published.emissions[2015][sector], rel=0.02)


def test_2015_start_fleet_is_the_counted_one(full_2015_run, published):
    """The 2015 fleet on 1 January: 2015's count less its new plug-ins, within the sampling noise of a Poisson
    number of cars per household."""
    fleet = full_2015_run["car_fleet"].sel(year=2015)
    counted = published.cars_in_use[2015]["total"] - published.new_cars[2015]["bev"] - published.new_cars[2015]["phev"]
    assert abs(float(fleet.sum()) - counted) < 5 * np.sqrt(counted)
