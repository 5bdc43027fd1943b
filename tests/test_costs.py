"""Costs a planner can use (ODD 7.17): investment apart from running costs, energy expenditure, price year.

The energy expenditure's changes are recomputed here from the technology table and the population's
arrays; lever costs are checked on paired runs with the same draws, where the lever changes no decision.
"""
import shutil
from dataclasses import replace

import numpy as np
import pytest
from testdata import ESKILSTUNA, ROOT

import sim
from sim.base_year import calibrate
from sim.data import DataError, load_municipality
from sim.declarations.codes import FirmSector, Fuel, Heating, Payer
from sim.declarations.outcomes import OUTCOMES
from sim.declarations.parameters import UNCERTAINTIES
from sim.exogenous import build_drivers
from sim.land import removals
from sim.mechanisms import energy, infrastructure
from sim.network import build_network
from sim.population import build_population
from sim.sampling import parameter_values
from sim.state import State, YearContext
from sim.timing import paths, yearly_values

CENTRAL = {p.name: p.default for p in UNCERTAINTIES}
SEED = 4


def first_year(eskilstuna, scenario, population, **params):
    """The context of 2020 (levers from the first year) and the start state of ``population``."""
    values = parameter_values(scenario, SEED, {**CENTRAL, **params})
    yearly = yearly_values(values, {}, range(2020, 2022))
    drivers = build_drivers(eskilstuna, yearly, 2020, 2021)
    context = YearContext.first(eskilstuna, build_network(population, SEED), values, SEED,
                                calibrate(eskilstuna, 2020), drivers,
                                removals(paths(yearly), eskilstuna.land, drivers.years), yearly)
    return State.from_population(population, context.p["unit_attitude"]), context


@pytest.fixture(scope="module")
def population(eskilstuna):
    return build_population(eskilstuna, 2020, SEED, 0.05)


def bills(state, context):
    return energy.expenditure(state, context, infrastructure.freight_cut(context))


def test_energy_expenditure_falls_by_the_fuel_saved_when_cars_turn_electric(make_scenario, eskilstuna, population):
    """Every other petrol car made a BEV: households pay km x (petrol - BEV cost per km) less, others the same;
    km is the year's (2020: the pandemic's car traffic, below a normal year's)."""
    state, context = first_year(eskilstuna, make_scenario(end_year=2021), population)
    before = bills(state, context)
    cars = state.present_cars()
    switched = np.flatnonzero(cars.fuel == Fuel.PETROL)[::2]
    assert len(switched) > 100
    cars.fuel[switched] = Fuel.BEV
    after = bills(state, context)
    per_km = np.asarray(eskilstuna.technology["car"]["energy_cost_sek_per_km"])
    assert context.drivers.car_traffic[context.t] < 1.0
    km = context.calib["km_per_car"] * context.drivers.car_traffic[context.t] * state.km_factor[cars.owner[switched]]
    saved = float(np.sum(km * (per_km[Fuel.PETROL] - per_km[Fuel.BEV]))) * state.weight
    assert saved > 0.0
    assert before[Payer.HOUSEHOLDS] - after[Payer.HOUSEHOLDS] == pytest.approx(saved, rel=1e-9)
    np.testing.assert_array_equal(after[Payer.FIRMS:], before[Payer.FIRMS:])


@pytest.mark.parametrize("old", [Heating.DIRECT_ELECTRIC, Heating.OIL])
def test_energy_expenditure_falls_by_the_heat_saved_with_heat_pumps(make_scenario, eskilstuna, population, old):
    """Homes on ``old`` moved to a heat pump save heat demand x (old price - pump price); an air-to-air pump
    in a home without water-borne distribution saves ``air_to_air_saving`` of direct electric's price."""
    state, context = first_year(eskilstuna, make_scenario(end_year=2021), population)
    hh = state.present_households()
    held = np.flatnonzero(hh.heating == old)
    assert len(held) > 10
    before = bills(state, context)
    hh.heating[held] = Heating.HEAT_PUMP
    after = bills(state, context)
    price = np.asarray(eskilstuna.technology["heating"]["price_sek_per_mwh"])
    air = price[Heating.DIRECT_ELECTRIC] * (1.0 - context.p["air_to_air_saving"])
    pump = np.where(hh.hydronic[held], price[Heating.HEAT_PUMP], air)
    saved = float(np.sum(hh.heat_demand[held] * (price[old] - pump))) * state.weight
    assert saved > 0.0
    assert before[Payer.HOUSEHOLDS] - after[Payer.HOUSEHOLDS] == pytest.approx(saved, rel=1e-9)
    np.testing.assert_array_equal(after[Payer.FIRMS:], before[Payer.FIRMS:])


def test_rail_freight_costs_the_group_per_mwh_shifted(make_scenario, eskilstuna, population):
    """The group pays the rail cost on the transport firms' vehicle energy the rail share removes."""
    share = 0.3
    state, context = first_year(eskilstuna, make_scenario(end_year=2021), population)
    context = context.at(1)
    context.drivers.rail_share[context.t] = share     # the drivers of this test alone
    firms = state.firms
    haulage = float(np.sum(firms.vehicle_energy[firms.sector == FirmSector.TRANSPORT])) * state.weight
    assert haulage > 0.0
    assert infrastructure.shifted_to_rail(state, context) == pytest.approx(share * haulage, rel=1e-12)
    before = state.costs.copy()
    infrastructure.step(state, context)
    rate = eskilstuna.technology["infrastructure"]["rail_freight_cost_sek_per_mwh"]
    running = infrastructure.lever_running_costs(context)
    assert state.costs[Payer.MUNICIPAL_GROUP] - before[Payer.MUNICIPAL_GROUP] == pytest.approx(
        infrastructure.lever_investment(context) + running + rate * share * haulage, rel=1e-12)


@pytest.fixture(scope="module")
def rail_pair(make_scenario):
    runs = [sim.simulate(make_scenario(end_year=2026, scale=0.03, levers=f"rail_freight_share_2030 = {share}"),
                         seed=SEED) for share in (0.0, 0.25)]
    return runs


def test_more_rail_freight_costs_the_group_and_saves_the_firms_fuel(rail_pair):
    """Same draws, more rail: the group pays more from the first year with rail, firms buy less fuel,
    households' bills and everyone else's costs are unchanged (rail changes no decision)."""
    none, rail = rail_pair
    group = rail["costs"].sel(payer="municipal_group") - none["costs"].sel(payer="municipal_group")
    assert float(group.sel(year=2020)) == 0.0            # the share ramps from 0 in 2020
    assert (group.sel(year=slice(2021, None)) > 0).all()
    np.testing.assert_array_equal(rail["costs"].sel(payer=["households", "firms"]).values,
                                  none["costs"].sel(payer=["households", "firms"]).values)
    np.testing.assert_array_equal(rail["investment_costs"].values, none["investment_costs"].values)
    saved = none["energy_expenditure"].sel(payer="firms") - rail["energy_expenditure"].sel(payer="firms")
    assert (saved.sel(year=slice(2021, None)) > 0).all()
    np.testing.assert_array_equal(rail["energy_expenditure"].sel(payer="households").values,
                                  none["energy_expenditure"].sel(payer="households").values)


def test_arena_events_cost_the_group_per_event(make_scenario):
    """Twelve events a year instead of none: the group's running costs rise by 12 x the event cost a year.

    Nothing else the group pays depends on the firms' and households' pledges under the default levers
    (no efficiency, heat-recovery or heat-pump support), so the difference is the events' cost alone.
    """
    runs = {n: sim.simulate(make_scenario(end_year=2025, scale=0.03,
                                          levers=f"arena_events_per_year = {n}\narena_start_year = 2021"), seed=SEED)
            for n in (0, 12)}
    running = {n: ds["costs"] - ds["investment_costs"] for n, ds in runs.items()}
    extra = (running[12] - running[0]).sel(payer="municipal_group")
    cost = load_municipality(ESKILSTUNA.resolve()).technology["infrastructure"]["arena_event_cost_sek"]
    assert float(extra.sel(year=2020)) == 0.0
    np.testing.assert_allclose(extra.sel(year=slice(2021, None)).values, 12 * cost, rtol=1e-9)


def test_procurement_criteria_pay_their_premium(make_scenario, eskilstuna):
    """Criteria on all spend instead of a fifth: in 2025, when both shares are reached, the group pays the
    premium on the extra 80 % of its procurement spend more, and nothing else changes for it."""
    low, high = (sim.simulate(make_scenario(end_year=2025, scale=0.03, levers=f"procurement_criteria = {c}"),
                              seed=SEED) for c in (0.2, 1.0))
    spend = float(np.sum(build_population(eskilstuna, 2020, SEED, 0.03).units.procurement))
    premium = eskilstuna.technology["consumption"]["criteria_cost_share"]
    extra = float((high["costs"] - low["costs"]).sel(payer="municipal_group", year=2025))
    assert extra == pytest.approx(0.8 * spend * premium, rel=1e-9)


@pytest.fixture(scope="module")
def contract_run():
    """The contract scenario with the levers that book costs elsewhere switched on too, to 2030."""
    scenario = sim.load_scenario(ROOT / "scenarios" / "klimatkontrakt_2024.toml")
    scenario = scenario.with_levers(heat_pump_subsidy=30000.0, offsets_per_year=1000.0, landfill_gas_share=0.5,
                                    machinery_permit_share=0.5)
    return sim.simulate(replace(scenario, end_year=2030), seed=SEED, scale=0.03)


def test_investment_is_part_of_costs_for_every_payer_and_year(contract_run):
    """0 <= investment_costs <= costs everywhere; households only invest; the group also has running costs."""
    costs, investment = contract_run["costs"].values, contract_run["investment_costs"].values
    assert (investment >= 0).all() and (investment <= costs).all()
    assert (investment.sum(axis=0) > 0).all()                      # every payer invests
    np.testing.assert_array_equal(investment[:, Payer.HOUSEHOLDS], costs[:, Payer.HOUSEHOLDS])
    assert (costs[:, Payer.MUNICIPAL_GROUP] - investment[:, Payer.MUNICIPAL_GROUP] > 0).all()
    bills = contract_run["energy_expenditure"]
    assert (bills.drop_sel(payer="state").values > 0).all() and (bills.sel(payer="state").values == 0).all()


def test_the_state_pays_the_car_bonus(contract_run, eskilstuna):
    """The state pays the national climate bonus (bonus-malus) of every new BEV and PHEV, as investment, in the
    years of the data's bonus table (step-wise: a year takes the last row at or before it; 0 from 2023)."""
    car = eskilstuna.technology["car"]

    def step(table: dict, year: int) -> float:
        return float(table[str(max(int(k) for k in table if k.isdigit() and int(k) <= year))])

    years = contract_run["year"].values
    bonus = np.array([[step(car["bonus_sek"], y) if f == "bev" else step(car["phev_bonus_sek"], y) if f == "phev"
                       else 0.0 for f in contract_run["fuel"].values] for y in years])
    expected = (contract_run["new_cars"].values * bonus).sum(axis=1)
    state = contract_run["costs"].sel(payer="state").values
    np.testing.assert_allclose(state, expected, rtol=1e-12)
    np.testing.assert_array_equal(contract_run["investment_costs"].sel(payer="state").values, state)
    assert (state[years <= 2022] > 0).all() and (state[years >= 2023] == 0).all()


def test_sek_variables_carry_the_price_year(contract_run, eskilstuna):
    year = int(eskilstuna.figures["price_year"])
    assert contract_run.attrs["price_year"] == year == eskilstuna.price_year
    for name, outcome in OUTCOMES.items():
        if "SEK" in outcome.units:
            assert contract_run[name].attrs["price_year"] == year, name
    assert "price_year" not in contract_run["net_emissions"].attrs


def test_missing_price_year_names_the_file_and_field(tmp_path):
    folder = tmp_path / "eskilstuna"
    shutil.copytree(ESKILSTUNA, folder)
    path = folder / "municipality.toml"
    text = path.read_text(encoding="utf-8")
    start = text.index("[figures.price_year]")
    path.write_text(text[:start] + text[text.index("[figures.workplaces]"):], encoding="utf-8")
    with pytest.raises(DataError, match=r"municipality\.toml: field 'figures\.price_year': allowed the year whose SEK"):
        _ = load_municipality(folder).price_year


def test_appraisal_discount_rate_changes_nothing_the_engine_computes(make_scenario):
    """The analysis' discount rate is stored with the run but read by no mechanism: results are identical."""
    a, b = (sim.simulate(make_scenario(end_year=2024, scale=0.02, levers=f"appraisal_discount_rate = {r}"), seed=1)
            for r in (0.0, 0.1))
    assert float(a["appraisal_discount_rate"]) == 0.0 and float(b["appraisal_discount_rate"]) == 0.1
    for name in OUTCOMES:
        np.testing.assert_array_equal(a[name].values, b[name].values, err_msg=name)
