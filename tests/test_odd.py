"""The ODD description (docs/ODD.md) against the scenario schema (sim/declarations/parameters.py)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from sim.odd import (END_MARKER, REGENERATE, START_MARKER, format_number, parameter_table, render_document,
                     table_in_document, update_document)
from sim.declarations.parameters import PARAMETERS

ODD = Path(__file__).resolve().parents[1] / "docs" / "ODD.md"
ELEMENTS = (
    "Purpose and patterns",
    "Entities, state variables and scales",
    "Process overview and scheduling",
    "Design concepts",
    "Initialization",
    "Input data",
    "Submodels",
)
"""The seven elements of the ODD protocol (Grimm et al. 2020)."""
DESIGN_CONCEPTS = ("Basic principles", "Emergence", "Adaptation", "Objectives", "Learning", "Prediction",
                   "Sensing", "Interaction", "Stochasticity", "Collectives", "Observation")


@pytest.fixture(scope="module")
def odd_text() -> str:
    assert ODD.is_file(), f"{ODD} is missing"
    return ODD.read_text(encoding="utf-8")


def test_parameter_table_matches_schema(odd_text):
    documented = table_in_document(odd_text)
    current = parameter_table()
    if documented != current:
        old, new = documented.splitlines(), current.splitlines()
        first = next((i for i, (a, b) in enumerate(zip(old, new)) if a != b), min(len(old), len(new)))
        pytest.fail(
            "docs/ODD.md's parameter table differs from sim/declarations/parameters.py (the schema and the document "
            f"drifted apart); regenerate it with `{REGENERATE}` and commit the result.\n"
            f"first differing line {first + 1}:\n  document: {old[first] if first < len(old) else '(none)'}\n"
            f"  schema:   {new[first] if first < len(new) else '(none)'}")


def test_every_parameter_is_named_in_the_document(odd_text):
    missing = [p.name for p in PARAMETERS if f"`{p.name}`" not in odd_text]
    assert not missing, f"parameters not in docs/ODD.md: {missing}; run `{REGENERATE}`"
    outside = odd_text.replace(table_in_document(odd_text), "")
    # levers and uncertainties should also be explained in the text, not only listed in the table
    unexplained = [p.name for p in PARAMETERS if p.name not in outside]
    assert not unexplained, f"parameters named only in the generated table of docs/ODD.md: {unexplained}"


def test_seven_odd_elements_are_headings(odd_text):
    headings = [line.lstrip("#").strip() for line in odd_text.splitlines() if re.match(r"#{1,3} ", line)]
    for number, element in enumerate(ELEMENTS, start=1):
        assert any(re.fullmatch(rf"(\d+\.\s*)?{re.escape(element)}", h) for h in headings), (
            f"docs/ODD.md lacks the ODD element heading '{number}. {element}'")
    positions = [next(i for i, h in enumerate(headings) if h.endswith(e)) for e in ELEMENTS]
    assert positions == sorted(positions), "the seven ODD elements are out of order in docs/ODD.md"


def test_design_concepts_are_all_covered(odd_text):
    headings = [line.lstrip("#").strip() for line in odd_text.splitlines() if line.startswith("###")]
    for concept in DESIGN_CONCEPTS:
        assert any(h.endswith(concept) for h in headings), f"design concept '{concept}' has no heading"


def test_table_has_one_row_per_parameter():
    rows = parameter_table().splitlines()[2:]
    assert len(rows) == len(PARAMETERS)
    for row, p in zip(rows, PARAMETERS):
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", row)[1:-1]]
        assert len(cells) == 7, row
        assert cells[0] == f"`{p.name}`" and cells[1] == p.role and cells[4] == p.units


def test_update_document_round_trip(tmp_path):
    doc = tmp_path / "doc.md"
    doc.write_text(f"# title\n\ntext before\n\n{START_MARKER}\nstale\n{END_MARKER}\n\ntext after\n", encoding="utf-8")
    assert update_document(doc) is True
    text = doc.read_text(encoding="utf-8")
    assert table_in_document(text) == parameter_table()
    assert text.startswith("# title\n\ntext before\n\n") and text.endswith("\n\ntext after\n")
    assert update_document(doc) is False
    assert render_document(text) == text


def test_missing_markers_are_an_error(tmp_path):
    doc = tmp_path / "doc.md"
    doc.write_text("no markers here\n", encoding="utf-8")
    with pytest.raises(ValueError, match="parameter-table"):
        update_document(doc)
    with pytest.raises(ValueError):
        table_in_document(f"{END_MARKER}\n{START_MARKER}\n")


@pytest.mark.parametrize("value, text", [(10e6, "10,000,000"), (2022.0, "2022"), (0.0005, "0.0005"),
                                         (-1.8, "-1.8"), (0.0, "0"), (150e3, "150,000")])
def test_format_number(value, text):
    assert format_number(value) == text


def test_command_line_check(tmp_path, capsys):
    from sim.odd import main

    doc = tmp_path / "doc.md"
    doc.write_text(f"{START_MARKER}\n{END_MARKER}\n", encoding="utf-8")
    assert main(["--check", str(doc)]) == 1
    assert "python -m sim.odd" in capsys.readouterr().out
    assert main([str(doc)]) == 0
    assert main(["--check", str(doc)]) == 0


def test_constants_table_is_current():
    """docs/ODD.md's constants table is the one generated from sim/declarations/constants.py."""
    from sim.declarations.constants import CONSTANTS
    from sim.odd import CONSTANTS_END, CONSTANTS_START, constants_table
    text = (Path(__file__).resolve().parents[1] / "docs" / "ODD.md").read_text(encoding="utf-8")
    table = text.split(CONSTANTS_START, 1)[1].split(CONSTANTS_END, 1)[0].strip("\n")
    assert table == constants_table(), f"constants table out of date; run: {REGENERATE}"
    assert len(table.splitlines()) == 2 + len(CONSTANTS)
