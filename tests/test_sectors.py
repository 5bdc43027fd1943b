"""Sector measures (sim.mechanisms.sectors): direction, bounds, ramps, costs and the baseline left as it was."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
from testdata import BASELINE, ESKILSTUNA, SMALL_SEED

import sim
from sim.base_year import calibrate
from sim.data import load_municipality
from sim.declarations.codes import Measure, Payer, Sector
from sim.declarations.parameters import BY_NAME
from sim.exogenous import build_drivers
from sim.kernels.sectors import ramp
from sim.land import removals
from sim.mechanisms import accounting, sectors
from sim.population import build_population
from sim.sampling import parameter_values
from sim.state import State, YearContext
from sim.timing import paths, yearly_values

END = 2032
T_FULL = 10          # 2030: every ramp (at most 7 years) is complete
SCALE = 0.05


@pytest.fixture(scope="module")
def data():
    return load_municipality(ESKILSTUNA.resolve())


@pytest.fixture(scope="module")
def population(data):
    return build_population(data, 2020, SMALL_SEED, SCALE)


def context_at(data, t: int, levers: dict | None = None, params: dict | None = None) -> YearContext:
    """The run's context in year index ``t`` (no network: the accounting and the measures do not read it)."""
    scenario = sim.load_scenario(BASELINE).with_levers(**(levers or {}))
    values = parameter_values(scenario, SMALL_SEED, params)
    yearly = yearly_values(values, {}, range(2020, END + 1))      # every lever from the first year
    drivers = build_drivers(data, yearly, 2020, END)
    first = YearContext.first(data, None, values, SMALL_SEED, calibrate(data, 2020), drivers,
                              removals(paths(yearly), data.land, drivers.years), yearly)
    return first.at(t)


def with_uptake(context: YearContext) -> tuple[YearContext, np.ndarray]:
    return context, sectors.year_uptake(context)


def all_levers(share: float) -> dict:
    return {name: share for name in sectors.LEVER.values()}


def ramped(levels, years):
    out = np.empty((1, len(levels)))
    ramp(np.array([levels], dtype=float), np.array([years]), out)
    return out[0]


def test_ramp_reaches_the_level_over_its_years_and_follows_a_cut_at_once():
    levels = np.array([0.0, 0.0, 0.8, 0.8, 0.8, 0.8, 0.8, 0.3, 0.3])
    u = ramped(levels, 4.0)
    np.testing.assert_allclose(u[:7], [0.0, 0.0, 0.2, 0.4, 0.6, 0.8, 0.8])
    np.testing.assert_allclose(u[7:], [0.3, 0.3])
    assert np.all(u <= levels)
    np.testing.assert_array_equal(ramped(levels, 1.0), levels)
    np.testing.assert_array_equal(ramped([2.0, -1.0], 1.0), [1.0, 0.0])      # shares clipped to [0, 1]


def test_addressable_parts_of_a_component_sum_to_at_most_one(data):
    shares = data.technology["sectors"]["addressable_share"]
    assert all(0.0 <= s <= 1.0 for s in shares)
    for component in set(sectors.COMPONENT.values()):
        assert sum(shares[m] for m in sectors.AGGREGATE if sectors.COMPONENT[m] == component) <= 1.0


def test_defaults_cut_nothing_and_cost_nothing(data):
    """Every sector lever defaults to no measure."""
    assert all(BY_NAME[name].default == 0.0 for name in sectors.LEVER.values())
    for t in (0, 5, T_FULL):
        context = context_at(data, t)
        cut, covered = sectors.aggregate_abatement(context, sectors.year_uptake(context))
        assert not cut.any() and not covered.any()
        assert sectors.permit_share(context, sectors.year_uptake(context)) == 0.0
        assert not sectors.costs_by_payer(context, covered, 0.0).any()


@pytest.mark.parametrize("measure", sectors.AGGREGATE, ids=lambda m: m.name.lower())
def test_each_aggregate_measure_lowers_its_sector_monotonically(data, measure):
    lever, sector = sectors.LEVER[measure], sectors.SECTOR_OF[sectors.COMPONENT[measure]]
    cuts = []
    for share in (0.0, 0.25, 0.5, 1.0):
        context = context_at(data, T_FULL, {lever: share})
        cut, _ = sectors.aggregate_abatement(context, sectors.year_uptake(context))
        assert np.count_nonzero(cut) == (share > 0)          # only its own measure acts
        totals = np.full(len(Sector), 1e6)
        sectors.apply_cuts(totals, cut)
        assert totals[sector] == 1e6 - cut[measure] and np.count_nonzero(totals != 1e6) == (share > 0)
        cuts.append(cut[measure])
    assert cuts[0] == 0.0 and all(b > a for a, b in itertools.pairwise(cuts))
    np.testing.assert_allclose(cuts[1:3], [0.25 * cuts[3], 0.5 * cuts[3]], rtol=1e-12)   # linear in the share


@pytest.mark.parametrize("measure", sectors.AGGREGATE, ids=lambda m: m.name.lower())
def test_each_measure_ramps_up_over_its_years(data, measure):
    lever = sectors.LEVER[measure]
    years = data.technology["sectors"]["ramp_years"][measure]
    full = sectors.aggregate_abatement(*with_uptake(context_at(data, T_FULL, {lever: 1.0})))[0][measure]
    first = sectors.aggregate_abatement(*with_uptake(context_at(data, 0, {lever: 1.0})))[0][measure]
    component = context_at(data, 0).drivers.exogenous[sectors.COMPONENT[measure]]
    # the first year holds 1/years of the level; by 2030 the whole level (both against the year's component)
    np.testing.assert_allclose(first / component[0] * years, full / component[T_FULL], rtol=1e-12)


def test_at_the_declared_maximum_sectors_stay_within_their_addressable_part(data):
    """Levers at their highs and every response at its upper bound: a cut never exceeds what it can reach."""
    params = {sectors.EFFECT[m]: BY_NAME[sectors.EFFECT[m]].high for m in Measure}
    params["large_emitter_share"] = BY_NAME["large_emitter_share"].high
    levers = {name: BY_NAME[name].high for name in sectors.LEVER.values()}
    context = context_at(data, T_FULL, levers, params)
    cut, covered = sectors.aggregate_abatement(context, sectors.year_uptake(context))
    shares = data.technology["sectors"]["addressable_share"]
    for component, sector in sectors.SECTOR_OF.items():
        total = context.drivers.exogenous[component][T_FULL]
        own = [m for m in sectors.AGGREGATE if sectors.COMPONENT[m] == component]
        assert 0.0 < sum(cut[m] for m in own) <= sum(shares[m] for m in own) * total * (1 + 1e-12)
        totals = np.zeros(len(Sector))
        totals[sector] = total
        sectors.apply_cuts(totals, cut)
        assert totals[sector] >= 0.0
    assert np.all(cut <= covered)


@pytest.mark.parametrize("measure", list(Measure), ids=lambda m: m.name.lower())
def test_a_measure_on_costs_something(data, population, measure):
    context = context_at(data, 3, {sectors.LEVER[measure]: 0.5})
    state = State.from_population(population, context.p["unit_attitude"])
    state.open_year()
    sectors.step(state, context)
    assert state.costs.sum() > 0.0 and np.all(state.costs >= 0.0) and state.costs[Payer.HOUSEHOLDS] == 0.0
    off = State.from_population(population, context.p["unit_attitude"])
    off.open_year()
    sectors.step(off, context_at(data, 3))
    assert not off.costs.any()


def test_permits_reach_a_growing_set_of_firms_and_cut_machinery(data, population):
    machinery, saved, reached = [], [], []
    for share in (0.0, 0.3, 0.6, 1.0):
        context = context_at(data, T_FULL, {"machinery_permit_share": share}, {"machinery_permit_compliance": 1.0})
        state = State.from_population(population, context.p["unit_attitude"])
        permits = sectors.permit_only(state, context, sectors.year_uptake(context))
        emissions, _, _, abatement = accounting.account(state, context)
        machinery.append(emissions[Sector.WORK_MACHINERY])
        saved.append(abatement[Measure.MACHINERY_PERMITS])
        if reached:
            assert np.all(permits >= reached[-1])            # a firm once reached stays reached
        reached.append(permits)
    assert np.all(np.diff(machinery) < 0) and machinery[-1] == pytest.approx(0.0, abs=1e-9)
    np.testing.assert_allclose(np.array(machinery) + np.array(saved), machinery[0], rtol=1e-9)
    # a share of firms chosen at random: the energy reached is near the share, within a few binomial sds
    energy = population.firms.machinery_energy
    has = energy > 0
    frac = energy[reached[1]].sum() / energy.sum()
    sd = np.sqrt(0.3 * 0.7 * np.sum(energy[has] ** 2)) / energy.sum()
    assert abs(frac - 0.3) < 4 * sd


def test_permits_leave_machinery_of_municipal_contracts_to_the_contracts(data, population):
    context = context_at(data, T_FULL, {"machinery_permit_share": 1.0}, {"machinery_permit_compliance": 1.0})
    state = State.from_population(population, context.p["unit_attitude"])
    state.machinery_fossil_free[:] = population.firms.municipal_supplier
    assert not np.any(sectors.permit_only(state, context, sectors.year_uptake(context)) & state.machinery_fossil_free)


def test_baseline_run_keeps_the_exogenous_trends_and_records_no_abatement():
    """At the defaults the four measured components are the pure trends of sim.exogenous, to the bit."""
    scenario = sim.load_scenario(BASELINE)
    ds = sim.simulate(scenario, seed=SMALL_SEED, scale=SCALE)
    values = parameter_values(scenario, SMALL_SEED)
    data = load_municipality(scenario.municipality)
    drivers = build_drivers(data, yearly_values(values, scenario.lever_years, scenario.years), scenario.start_year,
                            scenario.end_year)
    for component, sector in (("agriculture", "agriculture"), ("waste", "waste"), ("product_use", "product_use")):
        np.testing.assert_array_equal(ds["emissions"].sel(sector=sector).values, drivers.exogenous[component])
    assert not ds["sector_measure_abatement"].values.any()
    assert ds["sector_measure_abatement"].attrs["units"] == "t CO2e/yr"


def test_a_run_with_every_measure_cuts_each_sector_and_books_its_cost():
    base = sim.load_scenario(BASELINE)
    top = base.with_levers(**all_levers(1.0))
    b = sim.simulate(base, seed=SMALL_SEED, scale=SCALE)
    m = sim.simulate(top, seed=SMALL_SEED, scale=SCALE)
    year = {"year": 2030}
    for sector in ("agriculture", "waste", "product_use", "industry", "work_machinery"):
        assert float(m["emissions"].sel(sector=sector, **year)) < float(b["emissions"].sel(sector=sector, **year))
    assert (m["emissions"].values >= 0).all()
    cut = m["sector_measure_abatement"].sel(**year)
    assert (cut > 0).all()
    for sector in ("agriculture", "waste", "product_use"):    # the whole difference is the measures' cut
        measures = [k.name.lower() for k in sectors.AGGREGATE if sectors.SECTOR_OF[sectors.COMPONENT[k]].name.lower()
                    == sector]
        diff = float((b["emissions"] - m["emissions"]).sel(sector=sector, **year))
        assert diff == pytest.approx(float(cut.sel(measure=measures).sum()), rel=1e-12)
    assert float(m["costs"].sel(**year).sum()) > float(b["costs"].sel(**year).sum())


def test_a_lever_path_ramps_from_the_year_it_takes_effect(data):
    """Lever timing: a lever that takes effect in 2023 leaves the years before at zero uptake."""
    years = np.arange(2020, END + 1)
    paths = {name: np.zeros(len(years)) for name in sectors.LEVER.values()}
    paths["landfill_gas_share"] = np.where(years >= 2023, 0.9, 0.0)
    ramp_years = data.technology["sectors"]["ramp_years"][Measure.LANDFILL_GAS]
    u = np.array([sectors.uptake(paths, data.technology, t)[Measure.LANDFILL_GAS] for t in range(len(years))])
    np.testing.assert_array_equal(u[years < 2023], 0.0)
    np.testing.assert_allclose(u[years >= 2023], 0.9 * np.minimum(1.0, (years[years >= 2023] - 2022) / ramp_years))
    assert not any(sectors.uptake(paths, data.technology, t)[m] for t in range(len(years)) for m in Measure
                   if m != Measure.LANDFILL_GAS)
