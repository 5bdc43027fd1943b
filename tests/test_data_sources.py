"""Every figure names a source: data files and parameter declarations cite keys listed in SOURCES.md."""
import re
import tomllib

import pytest
from testdata import DATA, ESKILSTUNA

from sim.declarations.parameters import PARAMETERS

SOURCES = DATA / "SOURCES.md"


def listed_keys() -> set[str]:
    """Keys of the tables headed '| key | source |' in SOURCES.md."""
    keys, in_table = set(), False
    for line in SOURCES.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else None
        if cells is None:
            in_table = False
        elif cells[:2] == ["key", "source"]:
            in_table = True
        elif in_table and not set(cells[0]) <= set("-: "):
            keys.add(cells[0])
    return keys


def source_entries(node, where=""):
    """(place, value) of every ``source`` key in a parsed TOML document, at any depth."""
    if isinstance(node, dict):
        for key, value in node.items():
            place = f"{where}.{key}" if where else key
            if key == "source":
                yield where, value
            else:
                yield from source_entries(value, place)


@pytest.fixture(scope="module")
def keys():
    found = listed_keys()
    assert len(found) > 20 and "assumption" in found and "smhi_nationella_emissionsdatabasen_2025" in found
    return found


@pytest.mark.parametrize("name", ["municipality.toml", "technology.toml"])
def test_data_sources_listed(keys, name):
    """Every ``source`` in the municipality's TOML files (other than "assumption") is a key of SOURCES.md."""
    doc = tomllib.loads((ESKILSTUNA / name).read_text(encoding="utf-8"))
    entries = list(source_entries(doc))
    assert len(entries) >= 10
    missing = [(place, value) for place, value in entries if value != "assumption" and value not in keys]
    assert not missing, f"sources not in SOURCES.md: {missing}"


def test_every_figure_has_a_source():
    """Each single figure of municipality.toml has a value and a source."""
    doc = tomllib.loads((ESKILSTUNA / "municipality.toml").read_text(encoding="utf-8"))
    for name, entry in doc["figures"].items():
        assert "value" in entry and entry.get("source"), name


@pytest.mark.parametrize("p", PARAMETERS, ids=lambda p: p.name)
def test_parameter_sources_listed(keys, p):
    """Each parameter's source starts with a key of SOURCES.md (before any ':' rationale) or with "assumption"."""
    first = re.split(r"[:\s]", p.source.strip(), maxsplit=1)[0]
    assert p.source.startswith("assumption") or first in keys, f"{p.name}: {p.source!r}"


def test_files_table_lists_every_data_file():
    """Every file of the municipality folder appears in the files table of SOURCES.md."""
    text = SOURCES.read_text(encoding="utf-8")
    for path in ESKILSTUNA.iterdir():
        if path.suffix in (".csv", ".toml"):
            assert f"| {path.name} |" in text, path.name
