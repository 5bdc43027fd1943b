"""The ODD description (docs/ODD.md) against the declarations (sim/declarations/parameters.py, constants.py)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from sim.declarations.constants import CONSTANTS, Constant
from sim.declarations.parameters import PARAMETERS
from sim.odd import (
    CONSTANTS_END,
    CONSTANTS_START,
    END_MARKER,
    REGENERATE,
    START_MARKER,
    constants_table,
    constants_table_in_document,
    format_number,
    format_value,
    main,
    parameter_table,
    render_document,
    stale_tables,
    table_in_document,
    update_document,
)

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


def _assert_same_table(documented: str, current: str, what: str, declared_in: str) -> None:
    if documented != current:
        old, new = documented.splitlines(), current.splitlines()
        first = next((i for i, (a, b) in enumerate(zip(old, new)) if a != b), min(len(old), len(new)))
        pytest.fail(
            f"docs/ODD.md's {what} differs from {declared_in} (the declarations and the document drifted apart); "
            f"regenerate it with `{REGENERATE}` and commit the result.\n"
            f"first differing line {first + 1}:\n  document: {old[first] if first < len(old) else '(none)'}\n"
            f"  declared: {new[first] if first < len(new) else '(none)'}")


def test_parameter_table_matches_schema(odd_text):
    _assert_same_table(table_in_document(odd_text), parameter_table(), "parameter table",
                       "sim/declarations/parameters.py")


def test_constants_table_matches_declarations(odd_text):
    _assert_same_table(constants_table_in_document(odd_text), constants_table(), "constants table",
                       "sim/declarations/constants.py")


def test_document_is_current(odd_text):
    assert stale_tables(odd_text) == [], f"run `{REGENERATE}`"
    assert render_document(odd_text) == odd_text


def test_every_constant_is_named_in_the_document(odd_text):
    missing = [c.name for c in CONSTANTS if f"`{c.name}`" not in odd_text]
    assert not missing, f"constants not in docs/ODD.md: {missing}; run `{REGENERATE}`"


def test_old_code_references_are_gone(odd_text):
    """The engine was split into sim/state.py, sim/mechanisms/ and sim/declarations/; the text follows."""
    for old in ("engine._", "engine.UNIT_ATTITUDE", "engine.PLEDGE_RAMP_YEARS", "mesa_model", "sim/parameters.py",
                "population.LOW_MEAT_SHARE", "population.ZONE_TILT", "`Agents`", "neighbour_share"):
        assert old not in odd_text, f"docs/ODD.md still names `{old}`"


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


def test_constants_table_has_one_row_per_constant():
    rows = constants_table().splitlines()[2:]
    assert len(rows) == len(CONSTANTS)
    for row, c in zip(rows, CONSTANTS):
        cells = [x.strip() for x in re.split(r"(?<!\\)\|", row)[1:-1]]
        assert len(cells) == 5, row
        assert cells == [f"`{c.name}`", format_value(c.value), c.units, c.meaning, c.source]


@pytest.mark.parametrize("value, text", [(0.1, "0.1"), (10000.0, "10,000"), (1000.0, "1000"),
                                         ((1.4, 1.1, 0.4), "(1.4, 1.1, 0.4)"), ((0.0, -0.5, -1.5), "(0, -0.5, -1.5)"),
                                         ((0.0, 1.0), "(0, 1)")])
def test_format_value(value, text):
    assert format_value(value) == text


def test_constants_table_escapes_cells():
    table = constants_table([Constant("x", (1.0, 2.0), "1", "a | b", "assumption:\n  wrapped")])
    assert table.splitlines()[2] == "| `x` | (1, 2) | 1 | a \\| b | assumption: wrapped |"


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


def _two_table_doc(parameters: str, constants: str) -> str:
    return (f"# title\n\n{START_MARKER}\n{parameters}\n{END_MARKER}\n\nbetween\n\n"
            f"{CONSTANTS_START}\n{constants}\n{CONSTANTS_END}\n\nafter\n")


def test_update_document_writes_both_tables(tmp_path):
    doc = tmp_path / "doc.md"
    doc.write_text(_two_table_doc("stale", "stale"), encoding="utf-8")
    assert update_document(doc) is True
    text = doc.read_text(encoding="utf-8")
    assert table_in_document(text) == parameter_table()
    assert constants_table_in_document(text) == constants_table()
    assert "\n\nbetween\n\n" in text and text.endswith("\n\nafter\n")
    assert update_document(doc) is False
    assert stale_tables(text) == []


def test_stale_tables_names_the_stale_one():
    assert stale_tables(_two_table_doc(parameter_table(), constants_table())) == []
    assert stale_tables(_two_table_doc(parameter_table(), "stale")) == ["constants table"]
    assert stale_tables(_two_table_doc("stale", constants_table())) == ["parameter table"]
    assert stale_tables(_two_table_doc("stale", "stale")) == ["parameter table", "constants table"]
    # a constant changed in the declarations makes the document's table stale
    changed = constants_table([*CONSTANTS[:-1], Constant(CONSTANTS[-1].name, 99.0, "1", "changed", "test")])
    assert stale_tables(_two_table_doc(parameter_table(), changed)) == ["constants table"]


def test_constants_markers_are_checked():
    with pytest.raises(ValueError, match="constants-table"):
        render_document(f"{START_MARKER}\n{END_MARKER}\n{CONSTANTS_START}\n")
    with pytest.raises(ValueError, match="comes before"):
        render_document(f"{START_MARKER}\n{END_MARKER}\n{CONSTANTS_END}\n{CONSTANTS_START}\n")
    with pytest.raises(ValueError):
        constants_table_in_document(f"{START_MARKER}\n{END_MARKER}\n")


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
    doc = tmp_path / "doc.md"
    doc.write_text(f"{START_MARKER}\n{END_MARKER}\n", encoding="utf-8")
    assert main(["--check", str(doc)]) == 1
    assert "python -m sim.odd" in capsys.readouterr().out
    assert main([str(doc)]) == 0
    assert main(["--check", str(doc)]) == 0


def test_command_line_check_reports_a_stale_constants_table(tmp_path, capsys):
    doc = tmp_path / "doc.md"
    doc.write_text(_two_table_doc(parameter_table(), "stale"), encoding="utf-8")
    assert main(["--check", str(doc)]) == 1
    out = capsys.readouterr().out
    assert "constants table out of date" in out and "parameter table" not in out and "python -m sim.odd" in out
    assert doc.read_text(encoding="utf-8") == _two_table_doc(parameter_table(), "stale")   # --check writes nothing
    assert main([str(doc)]) == 0
    assert "parameter and constants tables updated" in capsys.readouterr().out
    assert main(["--check", str(doc)]) == 0
    assert "up to date" in capsys.readouterr().out


def test_command_line_check_of_the_odd(capsys):
    assert main(["--check", str(ODD)]) == 0, capsys.readouterr().out
