"""The package stays readable: short modules, a short yearly loop, mechanisms with a step, and a Mesa
reference implementation that does not lean on the engine."""
from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

import sim
import sim.engine

PACKAGE = Path(sim.__file__).resolve().parent
MAX_MODULE_LINES = 500
MAX_LOOP_LINES = 60

MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)
MECHANISMS = sorted(p for p in (PACKAGE / "mechanisms").glob("*.py") if p.name != "__init__.py")


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def test_layout_found_the_package():
    assert len(MODULES) > 20
    assert {p.stem for p in MECHANISMS} >= {"accounting", "adoption", "behaviour", "grants", "pledges"}
    assert (PACKAGE / "mesa" / "agents.py").is_file() and (PACKAGE / "mesa" / "model.py").is_file()


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_is_at_most_500_lines(path):
    n = len(path.read_text(encoding="utf-8").splitlines())
    assert n <= MAX_MODULE_LINES, f"{path.relative_to(PACKAGE)} has {n} lines (at most {MAX_MODULE_LINES})"


def test_engine_run_is_short():
    n = len(inspect.getsource(sim.engine.run).splitlines())
    assert n < MAX_LOOP_LINES, f"sim.engine.run is {n} lines"


def _has_loop(node: ast.AST) -> bool:
    return any(isinstance(child, (ast.For, ast.While)) for child in ast.walk(node))


def test_engine_yearly_loop_is_short():
    """Whichever engine function holds the yearly loop (run or a helper it calls) stays under 60 lines."""
    tree = _tree(Path(sim.engine.__file__))
    loops = [node for node in tree.body if isinstance(node, ast.FunctionDef) and _has_loop(node)]
    assert loops, "no function of sim/engine.py holds a loop"
    for node in loops:
        n = node.end_lineno - node.lineno + 1 + len(node.decorator_list)
        assert n < MAX_LOOP_LINES, f"sim.engine.{node.name} is {n} lines"


@pytest.mark.parametrize("name", ["agents.py", "model.py"])
def test_mesa_does_not_import_the_engine(name):
    """The Mesa model is an independent implementation checked against the engine; it may share
    mechanisms and declarations but not the engine's loop."""
    tree = _tree(PACKAGE / "mesa" / name)
    bad = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if module.endswith("engine") or any(alias.name == "engine" for alias in node.names):
                bad.append(f"from {'.' * node.level}{module} import ...")
        elif isinstance(node, ast.Import):
            bad += [alias.name for alias in node.names if alias.name.endswith("engine")]
    assert not bad, f"sim/mesa/{name} imports the engine: {bad}"


@pytest.mark.parametrize("path", MECHANISMS, ids=lambda p: p.name)
def test_mechanism_defines_step(path):
    tree = _tree(path)
    steps = [node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "step"]
    assert steps, f"sim/mechanisms/{path.name} defines no top-level step()"
    args = [a.arg for a in steps[0].args.args]
    assert args[:2] == ["state", "context"], f"{path.name}: step{tuple(args)}"
