"""The target flags, the consumption goal and the carbon-budget outcomes follow the municipality's
``[targets]`` table (municipality.toml) and its carbon_budgets.csv, not the code; the summaries and the
report show them."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from testdata import ESKILSTUNA, ROOT, SMALL_SEED, scenario_text

import sim
from sim import budget
from sim.data import CarbonBudget, DataError, Targets, load_municipality
from sim.results import _add_targets, to_dataset
from sim.scenario import parse_scenario

MUNICIPALITY = "municipality.toml"
TARGETS = ("[targets]\nbase_year = 2020\nreduction_year = 2030\nallowed_share = 0.2\n"
           "climate_positive_year = 2045\n")
END_YEAR = 2031
BUDGET = CarbonBudget("test", 1000.0, 2021, "t")


def _city(tmp_path: Path, old: str = "", new: str = "") -> Path:
    """A copy of the Eskilstuna folder with one text replacement in municipality.toml."""
    folder = tmp_path / "city"
    shutil.copytree(ESKILSTUNA, folder)
    if old:
        path = folder / MUNICIPALITY
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"anchor {old!r} not unique in {MUNICIPALITY}"
        path.write_text(text.replace(old, new), encoding="utf-8")
    return folder


def _run(folder: Path):
    text = scenario_text(end_year=END_YEAR, scale=0.01).replace(
        'municipality = "eskilstuna"', f"municipality = {json.dumps(str(folder))}")
    scenario = parse_scenario(text)
    assert scenario.municipality == folder.resolve()
    return sim.simulate(scenario, seed=SMALL_SEED)


def test_eskilstuna_targets_are_read_from_its_table():
    text = (ESKILSTUNA / MUNICIPALITY).read_text(encoding="utf-8")
    assert TARGETS in text
    targets = load_municipality(ESKILSTUNA.resolve()).targets
    assert (targets.base_year, targets.reduction_year, targets.allowed_share, targets.climate_positive_year) == (
        2020, 2030, 0.2, 2045)
    assert targets.compensation_counts is True and targets.consumption_goal == "same_pace"
    assert targets.budget == CarbonBudget("KK-2024-03", 370920.0, 2024, "klimatkollen_budget_2024_03")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The same run under a lenient and a strict [targets] table."""
    lenient = _city(tmp_path_factory.mktemp("lenient"), TARGETS,
                    TARGETS.replace("allowed_share = 0.2", "allowed_share = 1.0")
                    .replace("climate_positive_year = 2045", "climate_positive_year = 2099"))
    strict = _city(tmp_path_factory.mktemp("strict"), TARGETS,
                   TARGETS.replace("allowed_share = 0.2", "allowed_share = 0.0")
                   .replace("climate_positive_year = 2045", "climate_positive_year = 2030"))
    return _run(lenient), _run(strict)


def test_targets_do_not_change_the_run(runs):
    lenient, strict = runs
    np.testing.assert_array_equal(lenient["net_emissions"].values, strict["net_emissions"].values)
    net = lenient["net_emissions"]
    assert float(net.sel(year=2030)) > 0.0, "the flags below need positive net emissions in 2030"
    assert float(net.sel(year=2030)) <= float(net.sel(year=2020)), "allowed_share = 1 must then be met"


def test_allowed_share_sets_the_reduction_flag(runs):
    lenient, strict = runs
    assert float(lenient["target_2030_met"]) == 1.0
    assert float(strict["target_2030_met"]) == 0.0


def test_climate_positive_year_outside_horizon_is_nan(runs):
    lenient, strict = runs
    assert np.isnan(float(lenient["climate_positive_2045"]))           # 2099 is past the run
    assert float(strict["climate_positive_2045"]) == 0.0                # 2030 is inside; net > 0 there


def _flags(run, targets: Targets):
    """to_dataset on a copy of a run's records under other targets."""
    from sim.declarations.outcomes import OUTCOMES
    records = {name: run[name].values.copy() for name in OUTCOMES}
    return to_dataset(records, run["year"].values, {}, {}, targets)


def test_reduction_year_and_base_year_come_from_targets(runs):
    run = runs[0]
    net = run["net_emissions"]
    # a reduction year outside the horizon leaves the flag undefined
    assert np.isnan(float(_flags(run, Targets(2020, 2040, 1.0, 2045, "t", BUDGET))["target_2030_met"]))
    # the share is compared against the base year the table names
    base_2021 = float(net.sel(year=2021))
    share = float(net.sel(year=2030)) / base_2021
    assert float(_flags(run, Targets(2021, 2030, share * 1.001, 2045, "t", BUDGET))["target_2030_met"]) == 1.0
    assert float(_flags(run, Targets(2021, 2030, share * 0.999, 2045, "t", BUDGET))["target_2030_met"]) == 0.0
    cut = _flags(run, Targets(2021, 2030, 0.2, 2045, "t", BUDGET))["reduction_vs_2020"]
    np.testing.assert_allclose(cut.values, 1.0 - net.values / base_2021)
    assert float(cut.sel(year=2021)) == 0.0


def _synthetic(net, with_offsets=None, consumption=None, fossil=None, start=2020):
    """A Dataset with the series _add_targets reads and NaN outcomes, one value a year from ``start``."""
    import xarray as xr

    from sim.declarations.outcomes import OUTCOMES
    net = np.asarray(net, dtype=float)
    years = np.arange(start, start + net.size)
    series = {"net_emissions": net,
              "net_emissions_with_offsets": net if with_offsets is None else np.asarray(with_offsets, float),
              "consumption_emissions_per_capita": np.full(net.size, 8.0) if consumption is None
              else np.asarray(consumption, float),
              "fossil_co2": np.full(net.size, 100.0) if fossil is None else np.asarray(fossil, float)}
    data = {name: ("year", values) for name, values in series.items()}
    for name, o in OUTCOMES.items():
        if name not in series and o.dims in ((), ("year",)):
            data[name] = (o.dims, np.full(net.size, np.nan) if o.dims else np.nan)
    return xr.Dataset(data, coords={"year": years})


def test_add_targets_climate_positive_sign():
    ds = _synthetic([100.0, 50.0, -1.0, 5.0])
    _add_targets(ds, Targets(2020, 2021, 0.5, 2022, "t", BUDGET))
    assert float(ds["target_2030_met"]) == 1.0          # 50 <= 0.5 * 100
    assert float(ds["climate_positive_2045"]) == 1.0    # -1 < 0
    _add_targets(ds, Targets(2020, 2023, 0.04, 2023, "t", BUDGET))
    assert float(ds["target_2030_met"]) == 0.0          # 5 > 0.04 * 100
    assert float(ds["climate_positive_2045"]) == 0.0    # 5 >= 0


def test_compensation_counts_offsets_toward_both_targets():
    """With compensation the flags read net emissions with offsets (base: net emissions); without, they do not."""
    net, offsets = [100.0, 30.0, 10.0], [100.0, 15.0, -5.0]    # offsets of 15 t bought from 2021
    ds = _synthetic(net, with_offsets=offsets)
    _add_targets(ds, Targets(2020, 2021, 0.2, 2022, "t", BUDGET, compensation_counts=True))
    assert float(ds["target_2030_met"]) == 0.0 and float(ds["climate_positive_2045"]) == 0.0   # 30 > 20, 10 >= 0
    assert float(ds["target_2030_met_with_compensation"]) == 1.0                                 # 15 <= 20
    assert float(ds["climate_positive_2045_with_compensation"]) == 1.0                          # -5 < 0
    _add_targets(ds, Targets(2020, 2021, 0.2, 2022, "t", BUDGET, compensation_counts=False))
    assert float(ds["target_2030_met_with_compensation"]) == 0.0
    assert float(ds["climate_positive_2045_with_compensation"]) == 0.0


def test_offsets_meet_the_targets_only_with_compensation(make_scenario):
    """A run buying offsets above its emissions meets both targets with compensation and neither without."""
    scenario = make_scenario(end_year=2046, scale=0.01, levers="offsets_per_year = {value = 500000.0, from = 2021}")
    ds = sim.simulate(scenario, seed=2)
    assert float(ds["target_2030_met"]) == 0.0 and float(ds["climate_positive_2045"]) == 0.0
    assert float(ds["target_2030_met_with_compensation"]) == 1.0
    assert float(ds["climate_positive_2045_with_compensation"]) == 1.0


@pytest.mark.parametrize(("consumption_end", "expected"), [(4.0, 1.0), (6.0, 1.0), (6.4, 0.0)])
def test_consumption_goal_compares_relative_cuts(consumption_end, expected):
    """Met when consumption per inhabitant falls by at least the relative cut of net emissions (here 25 %)."""
    ds = _synthetic([200.0, 150.0], consumption=[8.0, consumption_end])
    _add_targets(ds, Targets(2020, 2021, 0.2, 2021, "t", BUDGET))
    assert float(ds["consumption_target_met"]) == expected


def test_consumption_goal_undefined_without_goal_base_or_year():
    ds = _synthetic([200.0, 150.0], consumption=[8.0, 1.0])
    _add_targets(ds, Targets(2020, 2021, 0.2, 2021, "t", BUDGET, consumption_goal="none"))
    assert np.isnan(float(ds["consumption_target_met"]))
    _add_targets(ds, Targets(2020, 2022, 0.2, 2021, "t", BUDGET))           # reduction year past the run
    assert np.isnan(float(ds["consumption_target_met"]))
    negative = _synthetic([-10.0, -20.0], consumption=[8.0, 1.0])         # no relative cut of a negative base
    _add_targets(negative, Targets(2020, 2021, 0.2, 2021, "t", BUDGET))
    assert np.isnan(float(negative["consumption_target_met"]))


# ---------------------------------------------------------------- the carbon budget as a pathway

def test_budget_pathway_sums_to_the_budget():
    """E0 (1 - r)^k with r = E0 / B: the first year is E0, each year (1 - r) of the one before, the sum B."""
    carbon = CarbonBudget("t", 370920.0, 2024, "t")
    years = np.arange(2020, 2024 + 400)
    fossil = np.full(years.size, 140000.0)
    path = budget.budget_pathway(fossil, years, carbon)
    assert np.isnan(path[years < 2024]).all()
    rate = 140000.0 / 370920.0
    assert path[years == 2024][0] == 140000.0
    np.testing.assert_allclose(path[years > 2024] / path[(years >= 2024) & (years < years[-1])], 1.0 - rate,
                               rtol=1e-12)
    np.testing.assert_allclose(np.nansum(path), carbon.budget_t_co2, rtol=1e-12)
    # within a finite horizon of n years the path has spent B (1 - (1 - r)^n)
    n = 7
    np.testing.assert_allclose(path[(years >= 2024) & (years < 2024 + n)].sum(),
                               carbon.budget_t_co2 * (1.0 - (1.0 - rate) ** n), rtol=1e-12)


def test_budget_pathway_when_the_start_year_alone_spends_it():
    """E0 >= B: the cut is 1, the path is E0 and then zero (no constant cut can stay within B)."""
    carbon = CarbonBudget("t", 50.0, 2021, "t")
    path = budget.budget_pathway(np.array([80.0, 80.0, 70.0]), np.arange(2020, 2023), carbon)
    np.testing.assert_array_equal(path, [np.nan, 80.0, 0.0])


def test_budget_pathway_undefined_when_the_start_year_is_not_in_the_run():
    carbon = CarbonBudget("t", 50.0, 2030, "t")
    years = np.arange(2020, 2025)
    assert np.isnan(budget.budget_pathway(np.ones(5), years, carbon)).all()
    assert np.isnan(budget.required_cut(np.ones(5), years, carbon)).all()
    assert np.isnan(budget.exhausted_year(np.ones(5), years, carbon))


def test_required_cut_spends_what_is_left():
    """Each year's cut r_y = E_y / (B - emitted before y); following it from y spends exactly what is left."""
    carbon = CarbonBudget("t", 1000.0, 2021, "t")
    years = np.arange(2020, 2028)
    fossil = np.array([500.0, 300.0, 250.0, 200.0, 150.0, 120.0, 100.0, 90.0])
    left = budget.budget_left(fossil, years, carbon)
    np.testing.assert_array_equal(left, [np.nan, 1000.0, 700.0, 450.0, 250.0, 100.0, -20.0, -120.0])
    cut = budget.required_cut(fossil, years, carbon)
    np.testing.assert_allclose(cut[1:5], fossil[1:5] / left[1:5], rtol=1e-15)
    assert cut[5] == 1.0                      # 120 t this year against 100 t left: all must stop after it
    assert np.isnan(cut[0]) and np.isnan(cut[6:]).all()
    for y in range(1, 5):                     # the geometric path from y sums to what is left at y
        k = np.arange(2000)
        np.testing.assert_allclose(np.sum(fossil[y] * (1.0 - cut[y]) ** k), left[y], rtol=1e-12)
    assert cut[1] == pytest.approx(fossil[1] / carbon.budget_t_co2)   # the start year's cut is the pathway's


def test_exhausted_year_and_within_budget_agree():
    carbon = CarbonBudget("t", 1000.0, 2021, "t")
    years = np.arange(2020, 2028)
    fossil = np.array([500.0, 300.0, 250.0, 200.0, 150.0, 120.0, 100.0, 90.0])
    # 300, 550, 750, 900, 1020: the fifth year from 2021 takes the total over 1000
    assert budget.exhausted_year(fossil, years, carbon) == 2025.0
    assert np.isnan(budget.exhausted_year(fossil, years, CarbonBudget("t", 1210.0, 2021, "t")))
    assert budget.exhausted_year(fossil, years, CarbonBudget("t", 1209.0, 2021, "t")) == 2027.0
    ds = _synthetic(np.full(8, 10.0), fossil=fossil)
    _add_targets(ds, Targets(2020, 2021, 0.2, 2022, "t", carbon))
    assert float(ds["budget_exhausted_year"]) == 2025.0 and float(ds["within_budget"]) == 0.0
    _add_targets(ds, Targets(2020, 2021, 0.2, 2022, "t", CarbonBudget("t", 1210.0, 2021, "t")))
    assert np.isnan(float(ds["budget_exhausted_year"])) and float(ds["within_budget"]) == 1.0


def test_on_budget_pathway_compares_fossil_co2_with_the_path():
    carbon = CarbonBudget("t", 400.0, 2021, "t")       # E0 = 100: r = 0.25, path 100, 75, 56.25, 42.1875
    ds = _synthetic(np.full(5, 10.0), fossil=[120.0, 100.0, 75.0, 60.0, 40.0])
    _add_targets(ds, Targets(2020, 2021, 0.2, 2022, "t", carbon))
    np.testing.assert_allclose(ds["budget_pathway"], [np.nan, 100.0, 75.0, 56.25, 42.1875])
    np.testing.assert_array_equal(ds["on_budget_pathway"], [np.nan, 1.0, 1.0, 0.0, 1.0])


def test_budget_version_comes_from_the_targets(tmp_path):
    """Another version of carbon_budgets.csv named in [targets] sets the budget, its start year and the counting."""
    folder = _city(tmp_path, 'budget_version = "KK-2024-03"', 'budget_version = "KK-2023-08"')
    ds = _run(folder)
    assert (ds.attrs["carbon_budget"], ds.attrs["carbon_budget_start_year"], ds.attrs["carbon_budget_version"]) == (
        625619.0, 2021, "KK-2023-08")
    np.testing.assert_array_equal(ds["cumulative_co2"].sel(year=2020), 0.0)
    assert np.isnan(float(ds["budget_pathway"].sel(year=2020)))
    assert float(ds["budget_pathway"].sel(year=2021)) == float(ds["fossil_co2"].sel(year=2021))
    expected = budget.exhausted_year(ds["fossil_co2"].values, ds["year"].values,
                                     load_municipality(folder).targets.budget)
    np.testing.assert_array_equal(float(ds["budget_exhausted_year"]), expected)


MALFORMED = [
    ("share_above_one", "allowed_share = 0.2", "allowed_share = 2", "targets.allowed_share"),
    ("share_negative", "allowed_share = 0.2", "allowed_share = -0.1", "targets.allowed_share"),
    ("share_string", "allowed_share = 0.2", 'allowed_share = "0.2"', "targets.allowed_share"),
    ("missing_share", "allowed_share = 0.2\n", "", "targets.allowed_share"),
    ("missing_reduction_year", "reduction_year = 2030\n", "", "targets.reduction_year"),
    ("fractional_year", "reduction_year = 2030", "reduction_year = 2030.0", "targets.reduction_year"),
    ("boolean_year", "base_year = 2020\nreduction_year", "base_year = true\nreduction_year", "targets.base_year"),
    ("missing_climate_positive_year", "climate_positive_year = 2045\n", "", "targets.climate_positive_year"),
    ("missing_source", 'source = "eskilstuna_budget_pathway"\n', "", "targets.source"),
    ("missing_table", TARGETS, "[old_targets]\n", "targets"),
    ("compensation_string", "compensation_counts = true", 'compensation_counts = "yes"',
     "targets.compensation_counts"),
    ("missing_compensation", "compensation_counts = true\n", "", "targets.compensation_counts"),
    ("unknown_consumption_goal", 'consumption_goal = "same_pace"', 'consumption_goal = "faster"',
     "targets.consumption_goal"),
    ("unknown_budget_version", 'budget_version = "KK-2024-03"', 'budget_version = "KK-1999"',
     "targets.budget_version"),
    ("missing_budget_version", 'budget_version = "KK-2024-03"\n', "", "targets.budget_version"),
]


@pytest.mark.parametrize(("old", "new", "field_name"), [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED])
def test_malformed_targets_are_rejected(tmp_path, old, new, field_name):
    folder = _city(tmp_path, old, new)     # a fresh path per case: load_municipality is cached by path
    with pytest.raises(DataError) as caught:
        load_municipality(folder)
    message = str(caught.value)
    assert MUNICIPALITY in message, message
    assert f"field '{field_name}'" in message, message


BAD_BUDGETS = [
    ("negative", "370920,2024", "-1,2024", "budget_t_co2"),
    ("not_a_number", "370920,2024", "lots,2024", "budget_t_co2"),
    ("fractional_year", "370920,2024", "370920,2024.5", "budget_start_year"),
    ("no_source", "2015-2021,klimatkollen_budget_2024_03", "2015-2021,", "source"),
]


@pytest.mark.parametrize(("old", "new", "field_name"), [m[1:] for m in BAD_BUDGETS], ids=[m[0] for m in BAD_BUDGETS])
def test_malformed_budgets_are_rejected(tmp_path, old, new, field_name):
    folder = _city(tmp_path)
    path = folder / "carbon_budgets.csv"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load_municipality(folder)
    assert "carbon_budgets.csv" in str(caught.value) and f"field '{field_name}'" in str(caught.value)


def test_budget_versions_match_the_shared_table():
    """The folder's three versions are Eskilstuna's rows of Klimatkollen's table, with a source key each."""
    import csv
    shared = ROOT.parent / "shared" / "data" / "cities" / "carbon_budgets.csv"
    if not shared.is_file():
        pytest.skip("the shared data folder is not beside the repository")
    with shared.open(encoding="utf-8") as handle:
        rows = {r["version"]: r for r in csv.DictReader(handle) if r["municipality"] == "Eskilstuna"}
    budgets = load_municipality(ESKILSTUNA.resolve()).carbon_budgets
    assert sorted(budgets) == sorted(rows)
    for version, b in budgets.items():
        assert (b.budget_t_co2, b.start_year) == (float(rows[version]["budget_t_co2"]),
                                                  int(rows[version]["budget_start_year"]))


# ---------------------------------------------------------------- batch summaries and the report

OTHER_TARGETS = (TARGETS.replace("reduction_year = 2030", "reduction_year = 2025")
                 .replace("allowed_share = 0.2", "allowed_share = 0.5")
                 .replace("climate_positive_year = 2045", "climate_positive_year = 2027"))


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """A small batch of two scenarios under targets other than Eskilstuna's (2025 -50 %, 2027, KK-2023-08)."""
    folder = _city(tmp_path_factory.mktemp("other"), TARGETS, OTHER_TARGETS)
    path = folder / MUNICIPALITY
    path.write_text(path.read_text(encoding="utf-8").replace('budget_version = "KK-2024-03"',
                                                             'budget_version = "KK-2023-08"'), encoding="utf-8")
    scenarios = []
    for name, levers in (("base", ""), ("offsets", "offsets_per_year = {value = 300000.0, from = 2021}")):
        text = scenario_text(end_year=2028, scale=0.01, levers=levers).replace(
            'municipality = "eskilstuna"', f"municipality = {json.dumps(str(folder))}").replace(
            'name = "test"', f'name = "{name}"')
        scenarios.append(parse_scenario(text))
    return sim.run_batch(scenarios, 6, seed=3, workers=1)


def test_every_probability_outcome_is_summarised():
    """Each outcome whose declared summary is a probability has its prob_ variable, and only those."""
    from sim.declarations.outcomes import _PROBABILITY, OUTCOMES
    from sim.summary import FLAGS, SUMMARY_VARIABLES
    assert sorted(FLAGS.values()) == sorted(n for n, o in OUTCOMES.items() if o.summary == _PROBABILITY)
    assert set(FLAGS) <= set(SUMMARY_VARIABLES)


def test_summaries_are_the_means_of_the_flags(batch):
    from sim.summary import FLAGS
    assert batch.attrs["target_reduction_year"] == 2025 and batch.attrs["carbon_budget_version"] == "KK-2023-08"
    for summary, flag in FLAGS.items():
        np.testing.assert_allclose(batch[summary], batch[flag].mean("run"), err_msg=summary)
    # offsets bought above the emissions: the target with compensation is met in every run, without in none
    assert float(batch["prob_target_2030_with_compensation"].sel(scenario="offsets")) == 1.0
    assert float(batch["prob_target_2030"].sel(scenario="offsets")) == 0.0
    share = batch["share_on_budget_pathway"]
    assert share.dims == ("scenario", "year")
    np.testing.assert_allclose(share, batch["on_budget_pathway"].mean("run"))
    assert np.isnan(share.sel(year=2020)).all() and (share.sel(year=2021) == 1.0).all()  # the path starts there
    exhausted = batch["budget_exhausted_year"].where(batch["within_budget"] == 0.0, np.inf)
    for s in range(2):
        median = float(np.quantile(exhausted.values[s], 0.5, method="inverted_cdf"))
        np.testing.assert_array_equal(float(batch["budget_exhausted_year_median"][s]),
                                      np.nan if np.isinf(median) else median)
    band = batch["net_emissions"].sel(year=2025).median("run")       # the band is in the targets' year
    np.testing.assert_allclose(batch["net_emissions_2030_median"], band)


def test_text_table_labels_come_from_the_targets(batch):
    from sim.summary import format_table
    table = format_table(batch)
    assert "P(2025 -50%)" in table and "P(2025 -50% +c)" in table and "P(+ 2027)" in table
    assert "2030" not in table and "2045" not in table


def _section(page: str, heading: str) -> str:
    start = page.index(f"<h2>{heading}</h2>")
    end = page.find("<h2>", start + 1)
    return page[start:end]


def test_report_shows_both_target_definitions_and_the_budget(batch, tmp_path):
    from sim.html_report import write_report
    page = write_report(batch, tmp_path / "r.html").read_text(encoding="utf-8")
    targets = _section(page, "Targets")
    for text in ("2025", "50 % of 2020", "2027", "Without compensation", "With compensation",
                 "reduction target 2025 -50%, without compensation", "reduction target 2025 -50%, with compensation",
                 "climate positive 2027, with compensation", "Consumption goal", "KK-2023-08: 626 kt CO2 from 2021"):
        assert text in targets, text
    assert "2030" not in targets and "2045" not in targets
    assert "<th>base</th><th>offsets</th>" in targets   # one column per scenario, one row per measure
    row = targets[targets.index("reduction target 2025 -50%, with compensation: probability (%)"):].split("</tr>")[0]
    cells = re.findall(r"<td>([^<]*)</td>", row)
    assert cells == [f"{100 * float(p):.1f}" for p in batch["prob_target_2030_with_compensation"].values]
    budget_section = _section(page, "Carbon budget pathway")
    assert "KK-2023-08: 626 kt CO2 from 2021" in budget_section and budget_section.count("data:image/png") == 2


def test_budget_pathway_has_its_own_axis(batch):
    """The pathway is drawn against fossil CO2 (t CO2) with the budget written on it, not on the net axis."""
    from sim.report import draw_budget_pathway, draw_net_emissions, pyplot
    plt = pyplot()
    one = batch.sel(scenario="base")
    fig, (net_ax, budget_ax) = plt.subplots(2, 1)
    draw_net_emissions(net_ax, one)
    draw_budget_pathway(budget_ax, one)
    net_labels = [line.get_label() for line in net_ax.get_lines()]
    assert not any("budget" in label or "fossil" in label for label in net_labels), net_labels
    assert "fossil CO2" in budget_ax.get_ylabel() and "CO2e" not in budget_ax.get_ylabel()
    assert budget_ax.get_title().endswith("\ncarbon budget KK-2023-08: 626 kt CO2 from 2021")
    path = [line for line in budget_ax.get_lines() if line.get_label().startswith("budget pathway")]
    assert len(path) == 1
    np.testing.assert_allclose(path[0].get_ydata(), one["budget_pathway"].median("run") / 1000.0)
    # no text on the axes hides a point of the pathway (the budget's label once covered its tail)
    fig.canvas.draw()
    points = path[0].get_transform().transform(path[0].get_xydata())
    for text in budget_ax.texts:
        box = text.get_window_extent() if text.get_bbox_patch() is None else text.get_bbox_patch().get_window_extent()
        assert not any(box.contains(x, y) for x, y in points), text.get_text()
    assert any("2025 target: -50 % vs 2020" == t.get_text() for t in net_ax.get_legend().get_texts())
    plt.close(fig)


def test_analysis_outcomes_read_the_target_years_from_the_data():
    """The analyses' net emissions of the reduction and climate-positive years are taken in the targets' years:
    the batch's attributes, or one year per city when its municipalities' targets differ; never a year in code."""
    import xarray as xr

    from sim.factors import outcome_values

    years = np.arange(2020, 2051)
    net = xr.DataArray(np.arange(years.size, dtype=float) * [[1.0], [10.0]], dims=("municipality", "year"),
                       coords={"municipality": ["a", "b"], "year": years})
    one = xr.Dataset({"net_emissions": net.sel(municipality="a", drop=True)},
                     attrs={"target_reduction_year": 2035, "target_climate_positive_year": 2040})
    got = outcome_values(one, ["net_emissions_2030", "net_emissions_2045"])
    assert (float(got["net_emissions_2030"]), float(got["net_emissions_2045"])) == (15.0, 20.0)
    cities = xr.Dataset({"net_emissions": net,
                         "target_reduction_year": ("municipality", np.array([2025, 2030])),
                         "target_climate_positive_year": ("municipality", np.array([2045, 2050]))})
    got = outcome_values(cities, ["net_emissions_2030", "net_emissions_2045"])
    np.testing.assert_array_equal(got["net_emissions_2030"].values, [5.0, 100.0])
    np.testing.assert_array_equal(got["net_emissions_2045"].values, [25.0, 300.0])
    with pytest.raises(ValueError, match="target_reduction_year"):
        outcome_values(xr.Dataset(one.data_vars), ["net_emissions_2030"])
