"""The 23 contract cities: every folder loads, reproduces its 2020 SMHI sector totals, and is rebuilt byte for byte."""
from __future__ import annotations

import csv
import subprocess
import sys
import tomllib
from functools import cache

import pytest
from test_data_sources import listed_keys, source_entries
from testdata import DATA, ROOT

import sim
from sim.data import SECTORS, DataError, contract_cities, load_municipality
from sim.scenario import parse_scenario
from sim.validation import smallest_scale

CITIES = contract_cities(DATA)
SHARED = ROOT.parent / "shared" / "data" / "cities"
HOUSEHOLDS_IN_TEST = 30_000
"""Sampled households of each city's 2020 run (all of them in the smaller cities). The 2020 error is sampling
noise of the Poisson car draws: measured over seeds 1-5 at 10,000 households its standard deviation was about
0.8 % of transport (-1.7 % to +1.0 %, the same draws in every city, so the errors are correlated across
cities); at 30,000 it is about 0.45 %, so the 2 % bar is about four standard deviations."""


def test_contract_cities_listed():
    """contract_cities.csv names the 23 cities, one folder each in lower-case ASCII, Eskilstuna among them."""
    assert len(CITIES) == 23 and len(set(CITIES)) == 23
    assert "eskilstuna" in CITIES and {"goteborg", "malmo", "orebro", "vaxjo", "ostersund", "skelleftea"} <= set(CITIES)
    assert all(name.isascii() and name.isalpha() and name.islower() for name in CITIES)
    with (DATA / "contract_cities.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["joined_initiative"] for r in rows} == {"2019", "2021"}
    assert all(len(r["municipality_code"]) == 4 for r in rows)


@cache
def city(name: str):
    return load_municipality((DATA / name).resolve())


def test_scenario_selects_a_city_by_folder_name():
    """``municipality = "malmo"`` in a scenario selects Malmö's folder."""
    scenario = parse_scenario('[scenario]\nname = "m"\nstart_year = 2020\nend_year = 2021\nscale = 0.05\n'
                              'municipality = "malmo"\n')
    assert scenario.municipality.name == "malmo" and load_municipality(scenario.municipality).name == "Malmö"


@pytest.mark.parametrize("name", CITIES)
def test_folder_loads(name):
    """Each folder loads and can start in 2020; its derived figures are assumptions with a range around the value."""
    data = city(name)
    assert 2020 in data.start_years
    assert data.population[2020] > 20_000 and data.targets.budget.version == "KK-2024-03"
    doc = tomllib.loads((DATA / name / "municipality.toml").read_text(encoding="utf-8"))
    keys = listed_keys()
    missing = [(place, v) for place, v in source_entries(doc) if v != "assumption" and v not in keys]
    assert not missing, f"sources not in SOURCES.md: {missing}"
    if name == "eskilstuna":
        return
    assert (DATA / name / "DERIVED.md").is_file()
    for figure in ("workplaces", "employed", "consumption_per_capita", "public_consumption_and_investment",
                   "contract_decision_year"):
        entry = doc["figures"][figure]
        assert entry["source"] == "assumption" and entry["low"] <= entry["value"] <= entry["high"], figure
        assert entry["low"] < entry["high"], figure
    derived = (DATA / name / "DERIVED.md").read_text(encoding="utf-8")
    for label in ("D1", "D2", "D3", "D4", "D5", "D8"):  # each derived figure with its range, or why none
        line = next(x for x in derived.splitlines() if f"({label})" in x)
        assert "range" in line, line


@pytest.mark.parametrize("name", CITIES)
def test_targets_as_data(name):
    """Eskilstuna keeps its programme's targets; the others carry the initiative's shared goal (-80 % by 2030),
    marked as an assumption in their data."""
    targets = city(name).targets
    note = tomllib.loads((DATA / name / "municipality.toml").read_text(encoding="utf-8"))["targets"].get("note", "")
    assert (targets.base_year, targets.reduction_year, targets.allowed_share) == (2020, 2030, 0.2)
    assert targets.compensation_counts
    if name == "eskilstuna":
        assert targets.source == "eskilstuna_budget_pathway" and targets.consumption_goal == "same_pace"
    else:
        assert targets.source == "eu_cities_mission_climate_neutral_2030" and targets.consumption_goal == "none"
        assert note.startswith("Assumption T1")


def test_scale_of_the_run_is_allowed():
    """The test scale of every city is at least its smallest scale and at most 1, Stockholm's far below 1."""
    scales = {name: run_scale(name) for name in CITIES}
    assert all(smallest_scale(city(n)) <= s <= 1.0 for n, s in scales.items())
    assert scales["stockholm"] < 0.1 < scales["mariestad"]


def run_scale(name: str) -> float:
    """About HOUSEHOLDS_IN_TEST households, never below the data's smallest scale."""
    dwellings = city(name).dwellings[2020]
    households = dwellings["single_family"] + dwellings["multi_dwelling"]
    return max(smallest_scale(city(name)), min(1.0, round(HOUSEHOLDS_IN_TEST / households, 3)))


@pytest.mark.parametrize("name", CITIES)
def test_2020_reproduction(name):
    """A run from 2020 reproduces the city's 2020 SMHI total of every sector within 2 % (a zero sector stays zero)."""
    scenario = parse_scenario(f'[scenario]\nname = "{name}"\nstart_year = 2020\nend_year = 2021\n'
                              f'scale = {run_scale(name)}\nmunicipality = "{name}"\n')
    emissions = sim.simulate(scenario, seed=2020)["emissions"].sel(year=2020)
    published = city(name).emissions[2020]
    for sector in SECTORS:
        simulated = float(emissions.sel(sector=sector))
        assert simulated == pytest.approx(published[sector], rel=0.02, abs=1e-6), sector
    assert float(emissions.sum()) == pytest.approx(published["total"], rel=0.02)


@pytest.mark.skipif(not (SHARED / "cities.csv").is_file(), reason=f"shared city data not at {SHARED}")
def test_build_is_rerunnable(tmp_path):
    """Rebuilding from the shared data gives the committed folders and list byte for byte, and nothing else."""
    subprocess.run([sys.executable, str(ROOT / "calibration" / "build_cities.py"), "--source", str(SHARED),
                    "--out", str(tmp_path)], check=True, capture_output=True, cwd=ROOT)
    built = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert len(built) > 22 * 10
    for relative in built:
        assert (tmp_path / relative).read_bytes() == (DATA / relative).read_bytes(), relative
    committed = sorted(p.relative_to(DATA) for name in CITIES if name != "eskilstuna"
                       for p in (DATA / name).iterdir())
    assert committed == sorted(p for p in built if p.parent.name)


def test_build_refuses_a_folder_without_the_city_list(tmp_path):
    """``--source`` without cities.csv is refused with a message naming the folder and the file."""
    done = subprocess.run([sys.executable, str(ROOT / "calibration" / "build_cities.py"), "--source", str(tmp_path),
                           "--out", str(tmp_path / "out")], check=False, capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 2 and str(tmp_path) in done.stderr and "cities.csv" in done.stderr
    assert not (tmp_path / "out").exists()


def test_contract_cities_names_a_missing_folder(tmp_path):
    """A listed folder without municipality.toml is a DataError naming the list and the folder."""
    (tmp_path / "contract_cities.csv").write_text("folder,municipality\natlantis,Atlantis\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"contract_cities\.csv: field 'folder'.*'atlantis'"):
        contract_cities(tmp_path)
