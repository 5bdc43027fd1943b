"""The generated tables of the ODD description: parameters and constants.

:data:`sim.declarations.parameters.PARAMETERS` is the single declaration of
every lever and uncertainty, and :data:`sim.declarations.constants.CONSTANTS`
of every constant fixed in code. This module renders each as a Markdown table
and writes it into a document between its markers (``<!-- parameter-table -->``
and ``<!-- /parameter-table -->``; ``<!-- constants-table -->`` and
``<!-- /constants-table -->``), so that ``docs/ODD.md`` never drifts from the
code. Regenerate the document's tables with::

    python -m sim.odd docs/ODD.md

``python -m sim.odd --check docs/ODD.md`` only reports (exit code 1) when a
table is out of date.
"""
from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Iterable
from pathlib import Path

from .declarations.constants import CONSTANTS, Constant
from .declarations.parameters import NEVER, PARAMETERS, PER_CITY, Parameter

START_MARKER = "<!-- parameter-table -->"
END_MARKER = "<!-- /parameter-table -->"
CONSTANTS_START = "<!-- constants-table -->"
CONSTANTS_END = "<!-- /constants-table -->"
COLUMNS = ("name", "role", "default", "allowed", "units", "meaning", "source")
"""Columns of the parameter table, in order."""
CONSTANTS_COLUMNS = ("name", "value", "units", "meaning", "source")
"""Columns of the constants table, in order."""

REGENERATE = "python -m sim.odd docs/ODD.md"
"""Command that regenerates the tables in the ODD document."""


def format_number(value: float) -> str:
    """A number as the table shows it.

    Whole numbers are written without a decimal point (with thousands
    separators from 10,000 on); other numbers use the shortest general form.

    Parameters
    ----------
    value : float

    Returns
    -------
    str

    Examples
    --------
    >>> format_number(10e6), format_number(2022.0), format_number(0.0005), format_number(-1.8)
    ('10,000,000', '2022', '0.0005', '-1.8')
    """
    value = float(value)
    if math.isfinite(value) and value == int(value):
        number = int(value)
        return f"{number:,}" if abs(number) >= 10_000 else str(number)
    return f"{value:g}"


def _cell(text: str) -> str:
    """Text made safe for one Markdown table cell."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _default(p: Parameter) -> str:
    if p.is_choice:
        return f"`{p.default}`"
    if p.role == "uncertainty" and p.default_range is not None:
        low, high = p.default_range
        return f"uniform [{format_number(low)}, {format_number(high)}]"
    text = format_number(float(p.default))
    if p.units == "year" and float(p.default) >= NEVER:
        text += " (never)"
    return text


def _allowed(p: Parameter) -> str:
    if p.is_choice:
        return ", ".join(f"`{c}`" for c in p.choices)
    text = f"[{format_number(p.low)}, {format_number(p.high)}]"
    if p.integer:
        text += ", whole"
    return text


def parameter_row(p: Parameter) -> tuple[str, ...]:
    """The cells of one parameter's row, in the order of :data:`COLUMNS`.

    Parameters
    ----------
    p : Parameter

    Returns
    -------
    tuple of str
    """
    meaning = p.meaning if p.per_city is None else (f"{p.meaning}; per city: scaled by its {PER_CITY[p.per_city]} "
                                                    "relative to the city the scenario's levers are for")
    return (f"`{p.name}`", p.role, _default(p), _allowed(p), p.units, meaning, p.source)


def parameter_table(parameters: Iterable[Parameter] = PARAMETERS) -> str:
    """Markdown table of every lever and uncertainty.

    Parameters
    ----------
    parameters : iterable of Parameter, optional
        Defaults to :data:`sim.declarations.parameters.PARAMETERS`, in declaration order
        (levers first, then uncertainties).

    Returns
    -------
    str
        Header, separator and one row per parameter, lines joined by
        newlines, no trailing newline. The default of an uncertainty is its
        default uniform range; its allowed bounds are the limits a scenario
        file may use.
    """
    header = ("name", "role", "default value or range", "allowed bounds or choices", "units", "meaning",
              "source")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for p in parameters:
        lines.append("| " + " | ".join(_cell(c) for c in parameter_row(p)) + " |")
    return "\n".join(lines)


def format_value(value: float | tuple[float, ...]) -> str:
    """A constant's value as the table shows it: a number, or a tuple of numbers as ``(a, b, c)``.

    Parameters
    ----------
    value : float or tuple of float

    Returns
    -------
    str

    Examples
    --------
    >>> format_value(10000.0), format_value((0.4, 0.85, 2.0))
    ('10,000', '(0.4, 0.85, 2)')
    """
    if isinstance(value, (tuple, list)):
        return "(" + ", ".join(format_number(v) for v in value) + ")"
    return format_number(value)


def constant_row(c: Constant) -> tuple[str, ...]:
    """The cells of one constant's row, in the order of :data:`CONSTANTS_COLUMNS`.

    Parameters
    ----------
    c : Constant

    Returns
    -------
    tuple of str
    """
    return (f"`{c.name}`", format_value(c.value), c.units, c.meaning, c.source)


def constants_table(constants: Iterable[Constant] = CONSTANTS) -> str:
    """Markdown table of every constant fixed in code.

    Parameters
    ----------
    constants : iterable of Constant, optional
        Defaults to :data:`sim.declarations.constants.CONSTANTS`, in
        declaration order.

    Returns
    -------
    str
        Header (name, value, units, meaning, source), separator and one row
        per constant, lines joined by newlines, no trailing newline.
    """
    lines = ["| " + " | ".join(CONSTANTS_COLUMNS) + " |", "|" + "---|" * len(CONSTANTS_COLUMNS)]
    for c in constants:
        lines.append("| " + " | ".join(_cell(x) for x in constant_row(c)) + " |")
    return "\n".join(lines)


def table_in_document(text: str, start_marker: str = START_MARKER, end_marker: str = END_MARKER) -> str:
    """The text between a table's markers, stripped of surrounding blank lines.

    Parameters
    ----------
    text : str
        The whole document.
    start_marker, end_marker : str, optional
        The parameter table's markers unless given (:data:`CONSTANTS_START`
        and :data:`CONSTANTS_END` for the constants table).

    Returns
    -------
    str

    Raises
    ------
    ValueError
        When either marker is missing, appears more than once or they are out of order.
    """
    if text.count(start_marker) != 1 or text.count(end_marker) != 1:
        raise ValueError(f"the document needs exactly one '{start_marker}' and one '{end_marker}' line")
    start = text.index(start_marker) + len(start_marker)
    end = text.index(end_marker)
    if end < start:
        raise ValueError(f"'{end_marker}' comes before '{start_marker}'")
    return text[start:end].strip("\n")


def constants_table_in_document(text: str) -> str:
    """The text between the constants-table markers (as :func:`table_in_document`)."""
    return table_in_document(text, CONSTANTS_START, CONSTANTS_END)


def has_constants_table(text: str) -> bool:
    """Whether the document has either constants-table marker (then it must have both, in order)."""
    return CONSTANTS_START in text or CONSTANTS_END in text


def _replace(text: str, table: str, start_marker: str, end_marker: str) -> str:
    table_in_document(text, start_marker, end_marker)  # checks the markers
    head, rest = text.split(start_marker, 1)
    _, tail = rest.split(end_marker, 1)
    return f"{head}{start_marker}\n{table}\n{end_marker}{tail}"


def render_document(text: str, table: str | None = None, constants: str | None = None) -> str:
    """The document with the current tables between their markers.

    The parameter-table markers are required; the constants table is
    written where the document has its markers.

    Parameters
    ----------
    text : str
        The whole document.
    table : str, optional
        Defaults to :func:`parameter_table`.
    constants : str, optional
        Defaults to :func:`constants_table`.

    Returns
    -------
    str

    Raises
    ------
    ValueError
        When the parameter markers are missing, or either pair of markers
        is incomplete, repeated or out of order.
    """
    text = _replace(text, parameter_table() if table is None else table, START_MARKER, END_MARKER)
    if has_constants_table(text):
        text = _replace(text, constants_table() if constants is None else constants, CONSTANTS_START, CONSTANTS_END)
    return text


def stale_tables(text: str) -> list[str]:
    """The document's generated tables that differ from the declarations.

    Parameters
    ----------
    text : str
        The whole document.

    Returns
    -------
    list of str
        ``"parameter table"`` and/or ``"constants table"``, empty when both are current.

    Raises
    ------
    ValueError
        As :func:`render_document`.
    """
    new = render_document(text)
    stale = []
    if table_in_document(text) != table_in_document(new):
        stale.append("parameter table")
    if has_constants_table(text) and constants_table_in_document(text) != constants_table_in_document(new):
        stale.append("constants table")
    if not stale and new != text:    # same tables, different blank lines around them
        stale.append("layout around the tables")
    return stale


def update_document(path: str | Path) -> bool:
    """Replace the generated tables of a document with the current ones.

    Parameters
    ----------
    path : str or Path
        A UTF-8 text file with the lines ``<!-- parameter-table -->`` and
        ``<!-- /parameter-table -->``, and optionally
        ``<!-- constants-table -->`` and ``<!-- /constants-table -->``.

    Returns
    -------
    bool
        Whether the file changed (it is written only then).

    Raises
    ------
    ValueError
        When the markers are missing or out of order.
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    new = render_document(text)
    if new == text:
        return False
    path.write_text(new, encoding="utf-8")
    return True


def main(argv: list[str] | None = None) -> int:
    """Command line: regenerate (or with ``--check`` only verify) the tables of documents.

    Returns
    -------
    int
        0 on success; 1 when ``--check`` finds a table out of date or a file lacks the markers.
    """
    parser = argparse.ArgumentParser(
        prog="python -m sim.odd",
        description="Write the parameter table of sim.declarations.parameters and the constants table of "
                    "sim.declarations.constants into documents.")
    parser.add_argument("paths", nargs="+", type=Path,
                        help="documents with the parameter-table markers (and optionally the constants-table ones)")
    parser.add_argument("--check", action="store_true", help="only report documents whose tables are out of date")
    args = parser.parse_args(argv)
    status = 0
    for path in args.paths:
        try:
            text = path.read_text(encoding="utf-8")
            tables = "parameter and constants tables" if has_constants_table(text) else "parameter table"
            if args.check:
                stale = stale_tables(text)
                if stale:
                    print(f"{path}: {' and '.join(stale)} out of date; run: python -m sim.odd {path}")
                    status = 1
                else:
                    print(f"{path}: {tables} up to date")
            else:
                changed = update_document(path)
                print(f"{path}: {tables} {'updated' if changed else 'already up to date'}")
        except (OSError, ValueError) as error:
            print(f"{path}: {error}", file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
