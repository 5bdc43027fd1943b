"""The declarations (codes, constants, outcomes) are consistent with one another and with their use."""
from __future__ import annotations

import ast
import math
from enum import IntEnum
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from sim.data import load_municipality
from sim.declarations import codes
from sim.declarations.constants import CONSTANTS, VALUES
from sim.declarations.outcomes import COORDS, OUTCOMES
from sim.declarations.parameters import PARAMETERS
from sim.engine import run_state
from sim.state import YearContext

SIM = Path(__file__).resolve().parents[1] / "sim"

POPULATION_STREAMS = range(codes.Stream.POPULATION.value, codes.Stream.POPULATION.value + 100)
NETWORK_STREAMS = range(codes.Stream.NETWORK.value, codes.Stream.NETWORK.value + 4)


def _enums() -> dict[str, type[IntEnum]]:
    """Every IntEnum defined in sim.declarations.codes."""
    return {name: obj for name, obj in vars(codes).items()
            if isinstance(obj, type) and issubclass(obj, IntEnum) and obj is not IntEnum
            and obj.__module__ == codes.__name__}


def test_codes_module_declares_enums():
    assert {"Stream", "Fuel", "Heating", "Sector"} <= set(_enums())


def test_stream_ids_are_unique():
    """No two streams share an id (an alias would make two draws identical)."""
    values = [member.value for member in codes.Stream.__members__.values()]
    duplicates = sorted({v for v in values if values.count(v) > 1})
    assert len(codes.Stream.__members__) == len(set(values)), f"aliased stream ids: {duplicates}"


def test_streams_do_not_fall_in_population_range():
    """The population draws streams POPULATION..POPULATION+99; no other stream may lie there."""
    inside = [m.name for m in codes.Stream.__members__.values()
              if m.value in POPULATION_STREAMS and m.name != "POPULATION"]
    assert not inside, f"streams inside the population's range {POPULATION_STREAMS}: {inside}"


def test_streams_do_not_fall_in_network_range():
    """The network draws streams NETWORK..NETWORK+3; only NETWORK* streams may lie there."""
    inside = [m.name for m in codes.Stream.__members__.values()
              if m.value in NETWORK_STREAMS and not m.name.startswith("NETWORK")]
    assert not inside, f"streams inside the network's range {NETWORK_STREAMS}: {inside}"
    outside = [m.name for m in codes.Stream.__members__.values()
               if m.name.startswith("NETWORK") and m.value not in NETWORK_STREAMS]
    assert not outside, f"network streams outside {NETWORK_STREAMS}: {outside}"


def test_population_and_network_ranges_are_disjoint():
    assert not set(POPULATION_STREAMS) & set(NETWORK_STREAMS)


@pytest.mark.parametrize("name", sorted(set(_enums()) - {"Stream"}))
def test_enum_codes_are_contiguous_from_zero(name):
    """Codes index arrays and coordinates: 0..n-1 in declaration order, no aliases."""
    enum = _enums()[name]
    values = [member.value for member in enum.__members__.values()]
    assert values == list(range(len(values))), f"{name} codes {values}"


ENUM_OF_COORD = {"sector": codes.Sector, "sink": codes.Sink, "scope": codes.Scope, "fuel": codes.Fuel,
                 "system": codes.Heating, "actor_kind": codes.ActorKind, "payer": codes.Payer,
                 "land_flux": codes.LandFlux, "measure": codes.Measure}


def test_coords_are_the_enums_lower_case_names():
    assert set(COORDS) == set(ENUM_OF_COORD) | {"step"}, "a coordinate without a known enum"
    for dim, enum in ENUM_OF_COORD.items():
        expected = tuple(member.name.lower() for member in sorted(enum, key=int))
        assert tuple(COORDS[dim]) == expected, dim
    assert tuple(COORDS["step"]) == tuple(int(m) for m in sorted(codes.EnergyStep, key=int))


def test_labels_index_by_code():
    """labels() puts each member's name at its code's index, so a code indexes its coordinate."""
    for name, enum in _enums().items():
        if name == "Stream":
            continue
        names = codes.labels(enum)
        for member in enum:
            assert names[member.value] == member.name.lower(), f"{name}.{member.name}"


@pytest.mark.parametrize("constant", CONSTANTS, ids=lambda c: c.name)
def test_constant_is_documented(constant):
    for attribute in ("units", "meaning", "source"):
        text = getattr(constant, attribute)
        assert isinstance(text, str) and text.strip(), f"{constant.name}.{attribute} is empty"


@pytest.mark.parametrize("constant", CONSTANTS, ids=lambda c: c.name)
def test_constant_value_is_finite_number_or_tuple(constant):
    values = constant.value if isinstance(constant.value, tuple) else (constant.value,)
    assert values, constant.name
    for v in values:
        assert isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v), constant.name


def test_constant_names_are_unique():
    names = [c.name for c in CONSTANTS]
    assert len(names) == len(set(names)), sorted({n for n in names if names.count(n) > 1})
    assert len(VALUES) == len(CONSTANTS)


def test_no_constant_shadows_a_parameter():
    """A constant named like a lever or uncertainty would be silently overridden by the scenario."""
    clash = sorted({c.name for c in CONSTANTS} & {p.name for p in PARAMETERS})
    assert not clash, f"constants named like parameters: {clash}"


def _context(eskilstuna, values):
    drivers = SimpleNamespace(years=np.array([2020, 2021, 2022]))
    return YearContext.first(eskilstuna, None, values, 0, {}, drivers, {}, (values,) * 3)


def test_scenario_value_takes_precedence_over_constant(eskilstuna):
    """Promoting a constant to an uncertainty needs no code change: a value of the same name wins."""
    assert VALUES["unit_attitude"] != 0.9
    context = _context(eskilstuna, {"unit_attitude": 0.9})
    assert context.p["unit_attitude"] == 0.9
    assert context.at(2).p["unit_attitude"] == 0.9
    # constants not given by the scenario still come through
    assert context.p["rewiring"] == VALUES["rewiring"]
    # and the stored values stay the parameters alone
    assert "rewiring" not in context.values


def test_constants_reach_the_context_without_a_scenario_value(eskilstuna):
    context = _context(eskilstuna, {})
    for name, value in VALUES.items():
        assert context.p[name] == value, name


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize("path", sorted((SIM / "mechanisms").glob("*.py")), ids=lambda p: p.name)
def test_mechanisms_read_constants_through_the_context(path):
    """A mechanism that imported the constants directly would ignore a scenario's value of the same name."""
    imported = _imported_modules(path)
    direct = sorted(m for m in imported if m.endswith(("constants", "constants.VALUES")))
    assert not direct, f"{path.name} imports the constants directly: {direct}"


@pytest.mark.parametrize("outcome", OUTCOMES.values(), ids=lambda o: o.name)
def test_outcome_dims_are_declared(outcome):
    for dim in outcome.dims:
        assert dim == "year" or dim in COORDS, f"{outcome.name}: unknown dimension {dim!r}"
    assert len(set(outcome.dims)) == len(outcome.dims), outcome.name
    assert outcome.units.strip() and outcome.long_name.strip(), outcome.name


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
    assert VALUES["pledge_ramp_years"] != 1.0
    pledged = default.pledge_year != 0
    assert pledged.sum() > 10
    assert np.all(promoted.delivery[pledged] <= default.delivery[pledged])   # the commitment is reached at once
    assert np.any(promoted.delivery[pledged] < default.delivery[pledged])
