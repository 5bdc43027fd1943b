"""Declarations in one place: codes and streams, constants read through the context, the technology schema,
targets from the data folder, and a layout a newcomer can read."""
import ast
import inspect
import shutil
from enum import IntEnum
from pathlib import Path

import numpy as np
import pytest
from testdata import ESKILSTUNA, ROOT

import sim
from sim.data import DataError, Targets, load_municipality
from sim.declarations import codes, constants
from sim.declarations.outcomes import COORDS, OUTCOMES
from sim.declarations.parameters import PARAMETERS
from sim.engine import run_state
from sim.results import to_dataset


def test_stream_ids_are_unique():
    """No two random streams share an id (an alias would make two mechanisms draw the same numbers)."""
    values = [int(s) for s in codes.Stream]
    assert len(values) == len(codes.Stream.__members__) == len(set(values))
    population = range(codes.Stream.POPULATION, codes.Stream.POPULATION + 100)
    others = [int(s) for s in codes.Stream if s is not codes.Stream.POPULATION]
    assert not any(v in population for v in others)


def test_codes_are_contiguous_and_label_the_coordinates():
    """Every code but the streams runs 0..n-1 (arrays index by it); coordinates are the codes' names."""
    for enum in vars(codes).values():
        if isinstance(enum, type) and issubclass(enum, IntEnum) and enum not in (IntEnum, codes.Stream):
            assert [int(m) for m in enum] == list(range(len(enum))), enum
    assert COORDS["sector"] == codes.labels(codes.Sector)
    assert COORDS["fuel"] == codes.labels(codes.Fuel) and COORDS["system"] == codes.labels(codes.Heating)
    for outcome in OUTCOMES.values():
        assert all(d == "year" or d in COORDS for d in outcome.dims), outcome.name
        assert outcome.units and outcome.long_name


def test_constants_are_declared_apart_from_parameters():
    """Each constant has units, meaning and source, and no name of a lever or uncertainty."""
    names = [c.name for c in constants.CONSTANTS]
    assert len(names) == len(set(names))
    assert not set(names) & {p.name for p in PARAMETERS}
    for constant in constants.CONSTANTS:
        assert constant.units and constant.meaning and constant.source, constant.name


def test_a_constant_given_as_a_value_takes_its_place(small_scenario):
    """Promoting a constant to a parameter needs no code change: a value of the same name wins in the context,
    and the engine's decisions follow it."""
    from sim.network import build_network
    from sim.population import build_population
    from sim.sampling import parameter_values
    data = load_municipality(small_scenario.municipality)
    population = build_population(data, 2020, 5, 0.02)
    network = build_network(population, 5)
    values = parameter_values(small_scenario, 5, None)
    _, default = run_state(population, network, data, values, 5, 2020, 2030)
    _, promoted = run_state(population, network, data, {**values, "pledge_ramp_years": 1.0}, 5, 2020, 2030)
    assert constants.VALUES["pledge_ramp_years"] != 1.0
    pledged = default.pledge_year != 0
    assert pledged.sum() > 10
    assert np.all(promoted.delivery[pledged] <= default.delivery[pledged])   # the commitment is reached at once
    assert np.any(promoted.delivery[pledged] < default.delivery[pledged])


def copy_city(tmp_path: Path) -> Path:
    folder = tmp_path / "city"
    shutil.copytree(ESKILSTUNA, folder)
    return folder


@pytest.mark.parametrize("old,new,field", [
    ("green = [0.0, 0.0, 0.5, 1.0, 0.7]", "green = [0.0, 0.5, 1.0, 0.7]", "car.green"),
    ("oil_kg_per_mwh_heat = 313.0", 'oil_kg_per_mwh_heat = "a lot"', "heating.oil_kg_per_mwh_heat"),
    ('options = ["district_heating", "heat_pump", "direct_electric", "oil", "biofuel"]',
     'options = ["heat_pump", "district_heating", "direct_electric", "oil", "biofuel"]', "heating.options"),
    ("annuity_years = 15.0\n", "\n", "heating.annuity_years"),
    ("[machinery]", "[extra]\nsource = \"x\"\n\n[machinery]", "extra"),
])
def test_technology_schema_errors_name_file_and_field(tmp_path, old, new, field):
    """A technology table that breaks the schema is refused when the folder is loaded, naming file and field."""
    folder = copy_city(tmp_path)
    path = folder / "technology.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(DataError, match=rf"technology\.toml: field '{field}'"):
        load_municipality(folder)


def test_targets_come_from_the_data_folder(tmp_path, small_run):
    """The flags follow [targets] of municipality.toml; a malformed table is refused naming the field."""
    data = load_municipality(ESKILSTUNA.resolve())
    assert data.targets == Targets(2020, 2030, 0.2, 2045, "eskilstuna_budget_pathway")
    years = small_run["year"].values

    def flags(targets):   # to_dataset fills the records it is given: a fresh copy each time
        return to_dataset({name: small_run[name].values.copy() for name in OUTCOMES}, years, {}, {}, targets)

    lenient, strict = flags(Targets(2020, 2030, 1.0, 2045, "test")), flags(Targets(2020, 2030, 0.0, 2045, "test"))
    assert float(lenient["target_2030_met"]) == 1.0 and float(strict["target_2030_met"]) == 0.0
    assert np.isnan(float(lenient["climate_positive_2045"]))        # 2045 is past this run's horizon
    later = flags(Targets(2021, 2031, 0.2, 2031, "test"))
    np.testing.assert_allclose(later["reduction_vs_2020"].sel(year=2021), 0.0, atol=1e-15)
    folder = copy_city(tmp_path)
    path = folder / "municipality.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("allowed_share = 0.2", "allowed_share = 2"),
                    encoding="utf-8")
    with pytest.raises(DataError, match=r"municipality\.toml: field 'targets\.allowed_share'"):
        load_municipality(folder)


def test_layout_stays_readable():
    """No module over 500 lines; the yearly loop under 60; the Mesa reference does not import the engine;
    every mechanism has its step."""
    package = Path(sim.__file__).parent
    for module in package.rglob("*.py"):
        assert len(module.read_text(encoding="utf-8").splitlines()) <= 500, module
    assert len(inspect.getsource(run_state).splitlines()) < 60
    for module in (package / "mesa").glob("*.py"):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        imported = [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
        assert not any(name.endswith("engine") for name in imported), module
    for module in (package / "mechanisms").glob("*.py"):
        if module.name != "__init__.py":
            tree = ast.parse(module.read_text(encoding="utf-8"))
            assert "step" in {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}, module
    assert (ROOT / "sim" / "declarations" / "codes.py").is_file()
