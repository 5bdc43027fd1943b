"""The target flags follow the municipality's ``[targets]`` table (municipality.toml), not the code."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from testdata import ESKILSTUNA, SMALL_SEED, scenario_text

import sim
from sim.data import DataError, Targets, load_municipality
from sim.results import _add_targets, to_dataset
from sim.scenario import parse_scenario

MUNICIPALITY = "municipality.toml"
TARGETS = ("[targets]\nbase_year = 2020\nreduction_year = 2030\nallowed_share = 0.2\n"
           "climate_positive_year = 2045\n")
END_YEAR = 2031


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
    assert np.isnan(float(_flags(run, Targets(2020, 2040, 1.0, 2045, "t"))["target_2030_met"]))
    # the share is compared against the base year the table names
    base_2021 = float(net.sel(year=2021))
    share = float(net.sel(year=2030)) / base_2021
    assert float(_flags(run, Targets(2021, 2030, share * 1.001, 2045, "t"))["target_2030_met"]) == 1.0
    assert float(_flags(run, Targets(2021, 2030, share * 0.999, 2045, "t"))["target_2030_met"]) == 0.0
    cut = _flags(run, Targets(2021, 2030, 0.2, 2045, "t"))["reduction_vs_2020"]
    np.testing.assert_allclose(cut.values, 1.0 - net.values / base_2021)
    assert float(cut.sel(year=2021)) == 0.0


def test_add_targets_climate_positive_sign():
    import xarray as xr
    years = np.arange(2020, 2024)
    ds = xr.Dataset({"net_emissions": ("year", np.array([100.0, 50.0, -1.0, 5.0])),
                     "reduction_vs_2020": ("year", np.full(4, np.nan)),
                     "target_2030_met": ((), np.nan), "climate_positive_2045": ((), np.nan)},
                    coords={"year": years})
    _add_targets(ds, Targets(2020, 2021, 0.5, 2022, "t"))
    assert float(ds["target_2030_met"]) == 1.0          # 50 <= 0.5 * 100
    assert float(ds["climate_positive_2045"]) == 1.0    # -1 < 0
    _add_targets(ds, Targets(2020, 2023, 0.04, 2023, "t"))
    assert float(ds["target_2030_met"]) == 0.0          # 5 > 0.04 * 100
    assert float(ds["climate_positive_2045"]) == 0.0    # 5 >= 0


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
]


@pytest.mark.parametrize(("old", "new", "field_name"), [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED])
def test_malformed_targets_are_rejected(tmp_path, old, new, field_name):
    folder = _city(tmp_path, old, new)     # a fresh path per case: load_municipality is cached by path
    with pytest.raises(DataError) as caught:
        load_municipality(folder)
    message = str(caught.value)
    assert MUNICIPALITY in message, message
    assert f"field '{field_name}'" in message, message
