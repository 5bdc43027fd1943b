"""The README's table of output variables is the one the code declares."""
from pathlib import Path

from sim.results import variables_table

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_variables_table_matches_the_code():
    """Fails when sim.results.VARIABLES and the README table drift apart (units, meanings, names)."""
    text = README.read_text(encoding="utf-8")
    start = text.index("<!-- variables-table -->") + len("<!-- variables-table -->")
    end = text.index("<!-- /variables-table -->")
    assert text[start:end].strip() == variables_table(), (
        "README.md output-variables table is stale: paste sim.results.variables_table() between the markers")
