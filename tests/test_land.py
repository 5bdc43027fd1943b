"""Land use and removals bounded by the land (sim.land) and the checked [land] table (sim.data.Land)."""
from __future__ import annotations

import dataclasses
import itertools
import shutil
import tomllib
from pathlib import Path

import numpy as np
import pytest
from testdata import ESKILSTUNA

import sim
from sim.data import DataError, load_municipality
from sim.declarations.codes import LandFlux
from sim.declarations.parameters import BY_NAME, PARAMETERS
from sim.land import (
    biochar,
    forestry_area,
    land_use_flux,
    land_warnings,
    ramp,
    removals,
    rewetted_area_added,
    rewetting_effect,
)

YEARS = np.arange(2020, 2051)
MUNICIPALITY = "municipality.toml"


@pytest.fixture(scope="module")
def land():
    return load_municipality(ESKILSTUNA.resolve()).land


def _constant_paths(values, n_years: int) -> dict[str, np.ndarray]:
    return {name: np.full(n_years, float(value)) for name, value in values.items() if not isinstance(value, str)}


def _paths(**values):
    """Constant paths at the parameters' defaults, with ``values`` replacing some."""
    base = {p.name: p.default for p in PARAMETERS}
    base.update(values)
    return _constant_paths(base, len(YEARS))


def _from(year: int, value: float, before: float = 0.0) -> np.ndarray:
    """A path that is ``before`` until ``year`` and ``value`` from it."""
    return np.where(YEARS >= year, value, before)


# ------------------------------------------------------------------ the data
def test_land_is_read_from_its_table(land):
    """Areas are the TOML shares times the SCB land area (1,099.79 km2 = 109,979 ha)."""
    table = tomllib.loads((ESKILSTUNA / MUNICIPALITY).read_text(encoding="utf-8"))["land"]
    area_ha = table["land_area"]["value"] * 100.0
    assert land.land_area_ha == pytest.approx(109_979.0)
    assert land.forest_area_ha == pytest.approx(area_ha * table["forest_share"]["value"])
    assert land.drained_peat_ha == pytest.approx(area_ha * (table["drained_peat_forest_share"]["value"]
                                                            + table["drained_peat_farmland_share"]["value"]))
    for name, (low, high) in land.ranges.items():
        assert low <= getattr(land, name) <= high and low < high, name
    assert set(land.sources) == {"land_area", "forest_share", "drained_peat_forest_share",
                                 "drained_peat_farmland_share"}


def _city(tmp_path: Path, old: str, new: str) -> Path:
    """A copy of the Eskilstuna folder with one text replacement in municipality.toml."""
    folder = tmp_path / "city"
    shutil.copytree(ESKILSTUNA, folder)
    path = folder / MUNICIPALITY
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"anchor {old!r} not unique"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return folder


@pytest.mark.parametrize("old, new, field", [
    ("[land.land_area]\nvalue = 1099.79", "[land.land_area]\nvalue = -5.0", "land.land_area.value"),
    ("[land.forest_share]\nvalue = 0.686", "[land.forest_share]\nvalue = 1.686", "land.forest_share.value"),
    ("[land.forest_share]\nvalue = 0.686\nlow = 0.55", "[land.forest_share]\nvalue = 0.686\nlow = 0.69",
     "land.forest_share"),
    ("[land.drained_peat_farmland_share]\nvalue = 0.00658\n", "[land.drained_peat_farmland_share]\n",
     "land.drained_peat_farmland_share.value"),
    ('source = "bergkvist_dikad_torvmark"\n', "", "land.drained_peat_forest_share.source"),
    ("[land.drained_peat_forest_share]\nvalue = 0.0369\nlow = 0.0246\nhigh = 0.0467",
     "[land.drained_peat_forest_share]\nvalue = 0.8\nlow = 0.0246\nhigh = 0.9", "land.drained_peat_forest_share"),
])
def test_land_table_errors_name_file_and_field(tmp_path, old, new, field):
    folder = _city(tmp_path, old, new)
    with pytest.raises(DataError) as error:
        load_municipality(folder.resolve())
    message = str(error.value)
    assert str(folder / MUNICIPALITY) in message and f"field '{field}'" in message


def test_missing_land_table_is_an_error(tmp_path):
    folder = tmp_path / "city"
    shutil.copytree(ESKILSTUNA, folder)
    path = folder / MUNICIPALITY
    text = path.read_text(encoding="utf-8")
    path.write_text(text[:text.index("[land.")], encoding="utf-8")
    with pytest.raises(DataError, match="field 'land'"):
        load_municipality(folder.resolve())


# ------------------------------------------------------------------ baseline
def test_baseline_flux_is_factor_times_area(land):
    """Forest sink = -forest area x uptake; drained peat = each drained area x its factor."""
    paths = _paths(forest_uptake=1.5, drained_forest_peat_factor=5.0, drained_farmland_peat_factor=30.0)
    flux = land_use_flux(paths, land)
    assert flux.shape == (len(YEARS), len(LandFlux))
    np.testing.assert_allclose(flux[:, LandFlux.FOREST_SINK], -1.5 * 109_979.0 * 0.686)
    np.testing.assert_allclose(flux[:, LandFlux.DRAINED_PEAT], 109_979.0 * (0.0369 * 5.0 + 0.00658 * 30.0))


def test_baseline_follows_its_factors(land):
    """Each part of the baseline is proportional to its factor and ignores the measures."""
    low = land_use_flux(_paths(forest_uptake=1.0, drained_farmland_peat_factor=20.0), land)
    high = land_use_flux(_paths(forest_uptake=2.0, drained_farmland_peat_factor=35.0, rewetting_per_year=1000.0,
                                forestry_measures=50000.0), land)
    np.testing.assert_allclose(high[:, LandFlux.FOREST_SINK], 2.0 * low[:, LandFlux.FOREST_SINK])
    assert np.all(high[:, LandFlux.DRAINED_PEAT] > low[:, LandFlux.DRAINED_PEAT])


# ------------------------------------------------------------------ bounds
@pytest.mark.parametrize("per_year", [0.0, 10.0, 150.0, BY_NAME["rewetting_per_year"].high])
def test_rewetted_area_never_exceeds_drained_peat(land, per_year):
    added = rewetted_area_added(_paths(rewetting_per_year=per_year), land, YEARS)
    cumulative = np.cumsum(added)
    assert np.all(added >= 0.0) and added[0] == 0.0
    assert cumulative[-1] <= land.drained_peat_ha * (1 + 1e-12)
    np.testing.assert_allclose(cumulative, np.minimum(per_year * np.arange(len(YEARS)), land.drained_peat_ha))


def test_forestry_area_never_exceeds_forest(land):
    small = dataclasses.replace(land, forest_share=0.1)      # 10,998 ha of forest, under the lever's high
    high = BY_NAME["forestry_measures"].high
    for place in (land, small):
        area = forestry_area(_paths(forestry_measures=high), place, YEARS)
        assert np.all(area <= place.forest_area_ha) and area[0] == 0.0
    assert forestry_area(_paths(forestry_measures=high), small, YEARS)[-1] == pytest.approx(small.forest_area_ha)


def test_removals_never_exceed_what_the_land_allows(land):
    """At every lever's declared high and the effects' highs: rewetting at most all drained peat at full
    effect, forestry at most all forest land at full effect."""
    highs = {name: BY_NAME[name].high for name in ("rewetting_per_year", "forestry_measures", "forestry_effect",
                                                   "drained_forest_peat_factor", "drained_farmland_peat_factor")}
    paths = _paths(**highs, rewetted_peat_methane=0.0, rewetting_ramp_years=0.0, forestry_ramp_years=0.0)
    small = dataclasses.replace(land, forest_share=0.1)
    for place in (land, small):
        sinks = removals(paths, place, YEARS)
        assert np.all(sinks["peatland_rewetting"] <= place.drained_peat_ha * rewetting_effect(paths, place)
                      * (1 + 1e-12))
        assert np.all(sinks["forestry"] <= place.forest_area_ha * highs["forestry_effect"] * (1 + 1e-12))
    assert sinks["forestry"][-1] == pytest.approx(small.forest_area_ha * highs["forestry_effect"])


def test_warning_when_rewetting_would_pass_the_drained_peat(land):
    assert land_warnings(_paths(rewetting_per_year=50.0), land, YEARS) == []
    messages = land_warnings(_paths(rewetting_per_year=1000.0), land, YEARS)
    assert len(messages) == 1 and messages[0].startswith("rewetting_per_year") and "drained peat" in messages[0]


def test_warning_when_forestry_passes_the_forest(land):
    small = dataclasses.replace(land, forest_share=0.1)
    messages = land_warnings(_paths(forestry_measures=20000.0), small, YEARS)
    assert len(messages) == 1 and messages[0].startswith("forestry_measures")


@pytest.mark.parametrize("lever, start, sink", [("biochar_capacity", "biochar_start_year", "biochar"),
                                                ("offsets_per_year", "offsets_start_year", "purchased_offsets")])
def test_coupled_lever_without_start_year_warns_and_does_nothing(land, lever, start, sink):
    paths = _paths(**{lever: 5000.0})                  # the start year stays at its default, never
    assert any(m.startswith(lever) for m in land_warnings(paths, land, YEARS))
    assert np.all(removals(paths, land, YEARS)[sink] == 0.0)
    assert land_warnings(_paths(**{lever: 5000.0, start: 2030.0}), land, YEARS) == []


# ------------------------------------------------------------------ ramps
def test_ramp_shares():
    np.testing.assert_allclose(ramp(np.array([-1, 0, 1, 2, 3, 10]), 2.0), [0, 1 / 3, 2 / 3, 1, 1, 1])
    np.testing.assert_allclose(ramp(np.array([0, 1]), 0.0), [1, 1])


def test_rewetting_ramps_up_and_saturates(land):
    """One year's rewetting: below its full effect in its own year, full ``rewetting_ramp_years`` later."""
    paths = _paths(rewetting_ramp_years=3.0)
    paths["rewetting_per_year"] = np.where(YEARS == 2025, 100.0, 0.0)
    effect = removals(paths, land, YEARS)["peatland_rewetting"]
    full = 100.0 * rewetting_effect(paths, land)[0]
    assert full > 0.0
    assert np.all(effect[YEARS < 2025] == 0.0)
    assert 0.0 < effect[YEARS == 2025][0] < full
    assert np.all(np.diff(effect[(YEARS >= 2025) & (YEARS <= 2028)]) > 0.0)
    np.testing.assert_allclose(effect[YEARS >= 2028], full)


def test_forestry_ramps_up_and_saturates(land):
    paths = _paths(forestry_measures=2000.0, forestry_effect=2.5, forestry_ramp_years=10.0)
    forestry = removals(paths, land, YEARS)["forestry"]
    assert forestry[0] == 0.0 and 0.0 < forestry[1] < 2000.0 * 2.5
    np.testing.assert_allclose(forestry[YEARS >= 2031], 2000.0 * 2.5)
    assert np.all(np.diff(forestry[:12]) > 0.0)


def test_forestry_area_leaving_loses_its_effect(land):
    """Halving the area under measures halves the (saturated) uptake at once."""
    paths = _paths(forestry_effect=2.0, forestry_ramp_years=2.0)
    paths["forestry_measures"] = np.where(YEARS >= 2035, 500.0, 1000.0)
    forestry = removals(paths, land, YEARS)["forestry"]
    assert forestry[YEARS == 2034][0] == pytest.approx(2000.0)
    np.testing.assert_allclose(forestry[YEARS >= 2035], 1000.0)


def test_biochar_ramps_over_three_years_from_its_first_year():
    paths = _paths(biochar_capacity=6000.0, biochar_start_year=2026.0)
    stored = biochar(paths, YEARS)
    assert np.all(stored[YEARS < 2026] == 0.0)
    np.testing.assert_allclose(stored[(YEARS >= 2026) & (YEARS <= 2029)], [2000.0, 4000.0, 6000.0, 6000.0])


def test_biochar_ramp_starts_when_capacity_first_positive():
    """A start year before the capacity's own year: the ramp begins with the capacity."""
    paths = _paths(biochar_start_year=2020.0)
    paths["biochar_capacity"] = _from(2030, 3000.0)
    stored = biochar(paths, YEARS)
    assert np.all(stored[YEARS < 2030] == 0.0)
    np.testing.assert_allclose(stored[(YEARS >= 2030) & (YEARS <= 2032)], [1000.0, 2000.0, 3000.0])


def test_offsets_as_bought_from_their_start_year(land):
    offsets = removals(_paths(offsets_per_year=7000.0, offsets_start_year=2030.0), land, YEARS)["purchased_offsets"]
    np.testing.assert_array_equal(offsets, _from(2030, 7000.0))


# ------------------------------------------------------------------ monotone and timing
@pytest.mark.parametrize("lever, sink", [("rewetting_per_year", "peatland_rewetting"),
                                         ("forestry_measures", "forestry"), ("biochar_capacity", "biochar"),
                                         ("offsets_per_year", "purchased_offsets")])
def test_removals_monotone_in_the_lever(land, lever, sink):
    grid = np.linspace(0.0, BY_NAME[lever].high, 6)
    series = [removals(_paths(**{lever: value}, biochar_start_year=2022.0, offsets_start_year=2022.0), land,
                       YEARS)[sink] for value in grid]
    for lower, higher in itertools.pairwise(series):
        assert np.all(higher >= lower)
    assert np.any(series[-1] > series[0])


def test_a_lever_changes_removals_only_from_its_year(land):
    """Paths equal before 2030: removals equal before 2030, different from it."""
    common = {"biochar_start_year": 2021.0, "offsets_start_year": 2021.0}
    levers = ("rewetting_per_year", "forestry_measures", "biochar_capacity", "offsets_per_year")
    low, high = _paths(**common), _paths(**common)
    for lever in levers:
        low[lever] = _from(2030, 0.5 * BY_NAME[lever].high / 10, BY_NAME[lever].high / 20)
        high[lever] = _from(2030, BY_NAME[lever].high / 10, BY_NAME[lever].high / 20)
    a, b = removals(low, land, YEARS), removals(high, land, YEARS)
    for sink in ("biochar", "peatland_rewetting", "forestry", "purchased_offsets"):
        np.testing.assert_array_equal(a[sink][YEARS < 2030], b[sink][YEARS < 2030])
        assert np.all(b[sink][YEARS >= 2030] > a[sink][YEARS >= 2030]), sink


# ------------------------------------------------------------------ in a run
def test_run_reports_the_baseline_beside_net_emissions(small_run, land):
    """land_use_flux is the baseline of the run's own draws, and net emissions leave it out."""
    ds = small_run
    assert ds["land_use_flux"].attrs["units"] == "t CO2e/yr" and "long_name" in ds["land_use_flux"].attrs
    assert list(ds["land_flux"].values) == ["forest_sink", "drained_peat"]
    values = {name: float(ds[name]) for name in ("forest_uptake", "drained_forest_peat_factor",
                                                 "drained_farmland_peat_factor")}
    expected = land_use_flux(_constant_paths(values, ds.sizes["year"]), land)
    np.testing.assert_allclose(ds["land_use_flux"].values, expected, rtol=1e-12)
    assert np.all(ds["land_use_flux"].sel(land_flux="forest_sink") < 0.0)
    np.testing.assert_allclose(ds["net_emissions"], ds["emissions"].sum("sector") - ds["removals"].drop_sel(
        sink="purchased_offsets").sum("sink"), rtol=1e-12)


def test_rewetting_never_adds_emissions(land):
    """Methane above the drained-peat factor avoided: no effect (such sites are not chosen), never a negative removal."""
    paths = _paths(rewetting_per_year=100.0, rewetted_peat_methane=20.0, drained_forest_peat_factor=3.4,
                   drained_farmland_peat_factor=20.0)
    assert np.all(rewetting_effect(paths, land) == 0.0)
    assert np.all(removals(paths, land, YEARS)["peatland_rewetting"] == 0.0)


def test_a_run_at_the_levers_highs_stays_within_the_land(make_scenario, land):
    """End to end: rewetting and forestry at their declared highs; the run's removals stay within the land."""
    scenario = make_scenario(end_year=2045, levers=f"rewetting_per_year = {BY_NAME['rewetting_per_year'].high}\n"
                                                   f"forestry_measures = {BY_NAME['forestry_measures'].high}")
    ds = sim.simulate(scenario, seed=3)
    values = {name: float(ds[name]) for name in ("drained_forest_peat_factor", "drained_farmland_peat_factor",
                                                 "rewetted_peat_methane", "forestry_effect")}
    paths = _constant_paths(values, ds.sizes["year"])
    rewetting = ds["removals"].sel(sink="peatland_rewetting").values
    forestry = ds["removals"].sel(sink="forestry").values
    assert np.all(rewetting <= land.drained_peat_ha * rewetting_effect(paths, land) * (1 + 1e-12))
    assert np.all(forestry <= min(land.forest_area_ha, BY_NAME["forestry_measures"].high)
                  * values["forestry_effect"] * (1 + 1e-12))
    # by 2045 all the drained peat is rewetted and at full effect (ramps of at most 5 years)
    assert rewetting[-1] == pytest.approx(land.drained_peat_ha * rewetting_effect(paths, land)[0], rel=1e-9)
