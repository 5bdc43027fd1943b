"""The parameter table of the ODD description, generated from the scenario schema.

:data:`sim.parameters.PARAMETERS` is the single declaration of every lever and
uncertainty. This module renders it as a Markdown table and writes that table
into a document between the markers ``<!-- parameter-table -->`` and
``<!-- /parameter-table -->``, so that ``docs/ODD.md`` never drifts from the
code. Regenerate the document's table with::

    python -m sim.odd docs/ODD.md

``python -m sim.odd --check docs/ODD.md`` only reports (exit code 1) when the
table is out of date.
"""
from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Iterable
from pathlib import Path

from .declarations.constants import CONSTANTS, Constant
from .declarations.parameters import NEVER, PARAMETERS, Parameter

START_MARKER = "<!-- parameter-table -->"
END_MARKER = "<!-- /parameter-table -->"
CONSTANTS_START = "<!-- constants-table -->"
CONSTANTS_END = "<!-- /constants-table -->"
COLUMNS = ("name", "role", "default", "allowed", "units", "meaning", "source")
"""Columns of the table, in order."""

REGENERATE = "python -m sim.odd docs/ODD.md"
"""Command that regenerates the table in the ODD document."""


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
    return (f"`{p.name}`", p.role, _default(p), _allowed(p), p.units, p.meaning, p.source)


def parameter_table(parameters: Iterable[Parameter] = PARAMETERS) -> str:
    """Markdown table of every lever and uncertainty.

    Parameters
    ----------
    parameters : iterable of Parameter, optional
        Defaults to :data:`sim.parameters.PARAMETERS`, in declaration order
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


def constants_table(constants: Iterable[Constant] = CONSTANTS) -> str:
    """Markdown table of the constants fixed in code (name, value, units, meaning, source)."""
    header = ("name", "value", "units", "meaning", "source")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for c in constants:
        value = (f"({', '.join(format_number(v) for v in c.value)})" if isinstance(c.value, tuple)
                 else format_number(c.value))
        lines.append("| " + " | ".join(_cell(x) for x in (f"`{c.name}`", value, c.units, c.meaning, c.source)) + " |")
    return "\n".join(lines)


def table_in_document(text: str) -> str:
    """The text between the parameter-table markers, stripped of surrounding blank lines.

    Parameters
    ----------
    text : str
        The whole document.

    Returns
    -------
    str

    Raises
    ------
    ValueError
        When either marker is missing, appears more than once or they are out of order.
    """
    if text.count(START_MARKER) != 1 or text.count(END_MARKER) != 1:
        raise ValueError(f"the document needs exactly one '{START_MARKER}' and one '{END_MARKER}' line")
    start = text.index(START_MARKER) + len(START_MARKER)
    end = text.index(END_MARKER)
    if end < start:
        raise ValueError(f"'{END_MARKER}' comes before '{START_MARKER}'")
    return text[start:end].strip("\n")


def render_document(text: str, table: str | None = None) -> str:
    """The document with the current tables between the markers (the constants table where it has markers).

    Parameters
    ----------
    text : str
        The whole document, with both markers.
    table : str, optional
        Defaults to :func:`parameter_table`.

    Returns
    -------
    str
    """
    table_in_document(text)  # checks the markers
    table = parameter_table() if table is None else table
    head, rest = text.split(START_MARKER, 1)
    _, tail = rest.split(END_MARKER, 1)
    text = f"{head}{START_MARKER}\n{table}\n{END_MARKER}{tail}"
    if CONSTANTS_START in text and CONSTANTS_END in text:   # the constants table, where the document has one
        head, rest = text.split(CONSTANTS_START, 1)
        _, tail = rest.split(CONSTANTS_END, 1)
        text = f"{head}{CONSTANTS_START}\n{constants_table()}\n{CONSTANTS_END}{tail}"
    return text


def update_document(path: str | Path) -> bool:
    """Replace the parameter table of a document with the current one.

    Parameters
    ----------
    path : str or Path
        A UTF-8 text file with the lines ``<!-- parameter-table -->`` and
        ``<!-- /parameter-table -->``.

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
    parser = argparse.ArgumentParser(prog="python -m sim.odd",
                                     description="Write the parameter and constants tables into documents.")
    parser.add_argument("paths", nargs="+", type=Path, help="documents with the parameter-table markers")
    parser.add_argument("--check", action="store_true", help="only report documents whose table is out of date")
    args = parser.parse_args(argv)
    status = 0
    for path in args.paths:
        try:
            if args.check:
                text = path.read_text(encoding="utf-8")
                if render_document(text) != text:
                    print(f"{path}: parameter table out of date; run: python -m sim.odd {path}")
                    status = 1
                else:
                    print(f"{path}: parameter table up to date")
            else:
                changed = update_document(path)
                print(f"{path}: parameter table {'updated' if changed else 'already up to date'}")
        except (OSError, ValueError) as error:
            print(f"{path}: {error}", file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
