"""The notebooks run from top to bottom (on a tiny batch), so they cannot rot."""
import json
from pathlib import Path

import matplotlib
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path, monkeypatch):
    """Every code cell of the notebook executes without error on a small, short batch.

    A notebook names the Dataset it produces in its metadata (``"sim": {"produces": NAME}``, default
    ``batch``); that Dataset must hold the ``SIM_NOTEBOOK_RUNS`` runs asked for.
    """
    matplotlib.use("Agg")
    monkeypatch.setenv("SIM_NOTEBOOK_RUNS", "3")
    monkeypatch.setenv("SIM_NOTEBOOK_SCALE", "0.02")
    monkeypatch.setenv("SIM_REPOSITORY", str(ROOT))
    notebook = json.loads(path.read_text(encoding="utf-8"))
    cells = notebook["cells"]
    namespace: dict = {}
    for number, cell in enumerate(cells):
        if cell["cell_type"] == "code":
            exec(compile("".join(cell["source"]), f"{path.name}[{number}]", "exec"), namespace)
    produces = notebook["metadata"].get("sim", {}).get("produces", "batch")
    assert produces in namespace and namespace[produces].sizes["run"] == 3


def test_the_notebook_extra_has_both_spellings_and_the_analyses():
    """``.[notebooks]`` (the README's) and ``.[notebook]`` install the same: Jupyter and the analyses' libraries
    the strategist notebooks import (SALib, EMA Workbench, pymoo)."""
    import tomllib

    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    assert extras["notebooks"] == ["klimatsim[notebook]"]
    assert "klimatsim[analysis]" in extras["notebook"] and any(r.startswith("jupyter") for r in extras["notebook"])
    assert 'pip install -e ".[notebooks]"' in (ROOT / "README.md").read_text(encoding="utf-8")
