"""Several municipalities in one scenario: naming them, per-city levers scaled to each, one case per city with
common random numbers, results along `municipality`, and the cities side by side."""
from __future__ import annotations

import csv
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import sim
from sim.cities import flat_cases, for_city
from sim.city_report import city_section, city_table
from sim.contract_cities import ALL_CONTRACT_CITIES, DATA_ROOT, contract_cities
from sim.data import load_municipality
from sim.declarations.parameters import LEVERS, UNCERTAINTIES
from sim.scenario import ScenarioError, parse_scenario

HEAD = '[scenario]\nname = "{name}"\nstart_year = 2020\nend_year = 2031\nscale = 0.03\nmunicipality = {cities}\n'


def _copy(tmp_path: Path, name: str, population_factor: float = 1.0) -> Path:
    """A copy of Eskilstuna's folder, its population series multiplied by ``population_factor``."""
    folder = tmp_path / name
    shutil.copytree(DATA_ROOT / "eskilstuna", folder)
    path = folder / "population.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows({**r, "population": str(float(r["population"]) * population_factor)} for r in rows)
    return folder


@pytest.fixture(scope="module")
def twin(tmp_path_factory) -> Path:
    """Eskilstuna's data under another name: every run in it is the same as in Eskilstuna."""
    return _copy(tmp_path_factory.mktemp("cities"), "tvilling")


def test_all_contract_cities_names_every_listed_folder():
    scenario = parse_scenario(HEAD.format(name="all", cities=f'"{ALL_CONTRACT_CITIES}"'))
    assert [p.name for p in scenario.municipalities] == list(contract_cities())
    assert len(scenario.municipalities) == 23 and scenario.levers_for.name == "eskilstuna"


def test_a_scenario_names_one_city_a_list_or_fails_naming_the_field(twin):
    one = parse_scenario(HEAD.format(name="a", cities='"eskilstuna"'))
    assert one.municipalities == (one.municipality,) and one.levers_for == one.municipality
    two = parse_scenario(HEAD.format(name="b", cities=f'["eskilstuna", "{twin}"]'))
    assert [p.name for p in two.municipalities] == ["eskilstuna", "tvilling"]
    assert two.levers_for.name == "eskilstuna"  # several cities: levers written for eskilstuna by default
    alone = parse_scenario(HEAD.format(name="c", cities=f'"{twin}"'))
    assert alone.levers_for == twin.resolve()  # one city: its levers are its own
    for cities, allowed in ((f'["eskilstuna", "{twin}", "eskilstuna"]', "distinct"), ('["eskilstuna", "atlantis"]',
                                                                                      "available"), ("[]", "list")):
        with pytest.raises(ScenarioError, match="scenario.municipality") as error:
            parse_scenario(HEAD.format(name="d", cities=cities))
        assert allowed in error.value.allowed
    with pytest.raises(ScenarioError, match="scenario.levers_for"):
        parse_scenario(HEAD.format(name="e", cities='"eskilstuna"') + 'levers_for = "atlantis"\n')


def test_per_city_levers_scale_with_the_city_and_the_rest_are_kept(tmp_path):
    double = _copy(tmp_path, "dubbel", population_factor=2.0)
    scenario = parse_scenario(HEAD.format(name="s", cities=f'["eskilstuna", "{double}"]')
                              + "[levers]\ngrant_budget = 40e6\nheat_pump_subsidy = 20000\nrewetting_per_year = 50\n")
    case = for_city(scenario, double.resolve())
    assert case.municipalities == (double.resolve(),) and case.levers_for == double.resolve()
    for p in LEVERS:
        if p.per_city == "inhabitants":
            assert case.levers[p.name] == pytest.approx(2.0 * scenario.levers[p.name], rel=1e-12), p.name
        else:  # shares, years, per-unit amounts, and land (the copy's land is Eskilstuna's)
            assert case.levers[p.name] == scenario.levers[p.name], p.name
    assert for_city(case, double.resolve()) == case  # a case is its own case
    assert for_city(scenario, scenario.municipality).levers == scenario.levers
    assert {p.per_city for p in LEVERS} == {None, "inhabitants", "drained_peat", "forest"}


def test_simulate_gives_one_run_per_city_with_the_same_draws(twin):
    scenario = parse_scenario(HEAD.format(name="s", cities=f'["eskilstuna", "{twin}"]'))
    ds = sim.simulate(scenario, seed=4)
    assert list(ds["municipality"].values) == ["eskilstuna", "tvilling"]
    one = sim.simulate(for_city(scenario, scenario.municipality), seed=4)
    for name in ("net_emissions", "emissions", "target_2030_met"):
        np.testing.assert_array_equal(ds[name].sel(municipality="eskilstuna").values, one[name].values)
        np.testing.assert_array_equal(ds[name].sel(municipality="tvilling").values, one[name].values)


def test_a_batch_of_cities_has_a_municipality_dimension_and_common_random_numbers(twin, tmp_path):
    both = parse_scenario(HEAD.format(name="both", cities=f'["eskilstuna", "{twin}"]'))
    home = parse_scenario(HEAD.format(name="home", cities='"eskilstuna"') + "[levers]\ngrant_budget = 90e6\n")
    store = tmp_path / "cities.zarr"
    ds = sim.run_batch([both, home], runs=3, seed=2, store=store, workers=1)
    assert ds["net_emissions"].dims == ("scenario", "municipality", "run", "year")
    assert list(ds["scenario"].values) == ["both", "home"]
    assert list(ds["municipality"].values) == ["eskilstuna", "tvilling"]
    net = ds["net_emissions"]
    # the same data and the same draws: the twin's runs are Eskilstuna's, run by run
    np.testing.assert_array_equal(net.sel(scenario="both", municipality="tvilling").values,
                                  net.sel(scenario="both", municipality="eskilstuna").values)
    assert np.isnan(net.sel(scenario="home", municipality="tvilling").values).all()  # not named: not run
    assert ds["prob_target_2030"].dims == ("scenario", "municipality")
    # common random numbers across scenarios and cities: every case run draws the same uncertainties, run by run
    first = {p.name: ds[p.name].sel(scenario="both", municipality="eskilstuna").values for p in UNCERTAINTIES}
    for s, m in (("both", "tvilling"), ("home", "eskilstuna")):
        for p in UNCERTAINTIES:
            np.testing.assert_array_equal(ds[p.name].sel(scenario=s, municipality=m).values, first[p.name], p.name)
    # expanding the cases changes nothing: a batch of the single-city scenario alone gives the same runs
    alone = sim.run_batch([home], runs=3, seed=2, workers=1, parameters="prior")  # several cities: the prior
    assert "municipality" not in alone.dims
    np.testing.assert_array_equal(alone["net_emissions"].sel(scenario="home").values,
                                  net.sel(scenario="home", municipality="eskilstuna").values)
    reread = sim.open_results(store)
    assert reread.identical(ds)
    flat = flat_cases(ds)
    assert list(flat["scenario"].values) == ["both/eskilstuna", "both/tvilling", "home/eskilstuna"]
    for first, second in (("tvilling", "eskilstuna"), ("eskilstuna", "tvilling")):  # the likelier city first
        ranked = ds.copy(deep=True)
        ranked["prob_target_2030"].loc[{"scenario": "both", "municipality": first}] = 0.9
        ranked["prob_target_2030"].loc[{"scenario": "both", "municipality": second}] = 0.1
        assert list(city_table(ranked, "both").index) == [first, second]
    table = city_table(ds, "both")
    assert table.loc["eskilstuna", "inhabitants"] == load_municipality(both.municipality).population[2020]
    from sim.cli import main

    assert main(["report", str(store), "--out", str(tmp_path / "cities.html")]) == 0  # the report has the section
    assert "The cities side by side" in (tmp_path / "cities.html").read_text(encoding="utf-8")
    heading, body = city_section(ds)
    assert heading == "The cities side by side" and body.count("<tr>") == (1 + 2) + (1 + 1)  # heads, cities


def test_ranged_and_designed_per_city_levers_are_scaled_to_each_city(tmp_path):
    from sim.batch import plan_batch

    double = _copy(tmp_path, "dubbel", population_factor=2.0)
    scenario = parse_scenario(HEAD.format(name="r", cities=f'["eskilstuna", "{double}"]')
                              + "[levers]\ngrant_budget = {low = 1e6, high = 3e6}\n")
    case = for_city(scenario, double.resolve())
    assert (case.lever_ranges["grant_budget"].low, case.lever_ranges["grant_budget"].high) == pytest.approx((2e6, 6e6))
    plan = plan_batch(scenario, runs=4, seed=3)
    ranged = plan.lever_values["grant_budget"]  # the same quantile in both cities, scaled in the double one
    np.testing.assert_allclose(ranged[1], 2.0 * ranged[0], rtol=1e-12)
    assert ((1e6 <= ranged[0]) & (ranged[0] <= 3e6)).all()
    fixed = parse_scenario(HEAD.format(name="d", cities=f'["eskilstuna", "{double}"]'))
    design = {"grant_budget": [1e6, 2e6, 3e6, 4e6], "cycle_lanes_per_year": [1.0, 2.0, 3.0, 4.0]}
    designed = plan_batch(fixed, runs=4, seed=3, design=design).lever_values
    for name, values in design.items():
        np.testing.assert_allclose(designed[name], [values, 2.0 * np.array(values)], rtol=1e-12)


def test_per_city_levers_in_params_are_scaled_like_the_scenarios(tmp_path):
    double = _copy(tmp_path, "dubbel", population_factor=2.0)
    scenario = replace(parse_scenario(HEAD.format(name="p", cities=f'["eskilstuna", "{double}"]')), end_year=2021)
    ds = sim.simulate(scenario, seed=1, params={"grant_budget": 7e6, "heat_pump_subsidy": 1000.0})
    np.testing.assert_allclose(ds["grant_budget"].values, [7e6, 14e6], rtol=1e-12)
    np.testing.assert_array_equal(ds["heat_pump_subsidy"].values, [1000.0, 1000.0])


def test_cities_with_different_targets_are_each_judged_by_their_data(tmp_path):
    """Eskilstuna (its programme) and Malmö (the initiative's shared goal, an assumption) in one batch: each case
    carries its targets' source from its data, and the comparison names the sources and the cars caveat."""
    both = parse_scenario(HEAD.format(name="two", cities='["eskilstuna", "malmo"]'))
    ds = sim.run_batch(both, runs=2, seed=3, workers=1)
    assert "target_source" not in ds.attrs  # the targets differ: one definition per case
    sources = {m: str(ds["target_source"].sel(scenario="two", municipality=m).values) for m in ("eskilstuna", "malmo")}
    assert sources == {m: load_municipality(DATA_ROOT / m).targets.source for m in sources}
    assert sources["malmo"] == "eu_cities_mission_climate_neutral_2030" != sources["eskilstuna"]
    assert ds["target_reduction_year"].attrs["units"] == "year"
    assert city_table(ds, "two")["target_source"].to_dict() == sources
    _, body = city_section(ds)
    assert ("Source of the targets: eskilstuna_budget_pathway: eskilstuna; "
            "eu_cities_mission_climate_neutral_2030: malmo.") in body
    assert "where their owner is registered" in body and "Lund" in body


def test_with_municipalities_names_cities_in_python_and_checks_them_like_a_file():
    """``Scenario.with_municipalities``: all contract cities or a list, levers still written for the scenario's
    municipality unless ``levers_for`` says otherwise; an unknown city is refused naming the field."""
    home = parse_scenario(HEAD.format(name="h", cities='"eskilstuna"'))
    every = home.with_municipalities(ALL_CONTRACT_CITIES)
    assert [p.name for p in every.municipalities] == list(contract_cities()) and every.levers_for == home.levers_for
    pair = home.with_municipalities(["malmo", "lund"], levers_for="malmo")
    assert [p.name for p in pair.municipalities] == ["malmo", "lund"] and pair.levers_for.name == "malmo"
    assert for_city(pair, pair.municipality).levers == pair.levers  # Malmö's levers are its own
    with pytest.raises(ScenarioError, match="scenario.municipality"):
        home.with_municipalities(["malmo", "atlantis"])
