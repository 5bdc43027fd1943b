"""Fuzzing the edge (issue 13): hostile scenario files and command lines never end in a traceback.

Over mutations of the shipped scenarios (unknown keys, values of the wrong type, huge, NaN and infinite
numbers, deep nesting, random bytes, other encodings) and over ``sim validate`` / ``sim run`` command
lines with random flags and values, run in-process through :func:`sim.cli.main`:

- loading gives a Scenario or one ScenarioError whose single line names the file and a field;
- the command exits 0, 1 or 2 (130 never without an interrupt) with every stderr line one error, no traceback;
- on error nothing is written under the temporary folder, and nothing there is deleted or changed.

``sim run`` never starts a cluster here: ``sim.batch.run_batch`` is replaced by a stand-in that records
that the arguments passed the edge. Examples are derandomized (the same in every CI run) and few, so the
file takes seconds.
"""
from __future__ import annotations

import contextlib
import io
import math
import re
import tomllib
from pathlib import Path
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from testdata import ROOT

import sim.batch
from sim.cli import EXIT_ERROR, EXIT_OK, EXIT_USAGE, main
from sim.scenario import ScenarioError, load_scenario

SHIPPED = sorted((ROOT / "scenarios").glob("*.toml"))
FUZZ = settings(max_examples=30, derandomize=True, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
"""Derandomized and small: reproducible in CI, a few seconds in all."""

ERROR_LINE = re.compile(r"^sim: error: (?P<path>.+?): field '(?P<field>[^']+)': allowed .+; given .+$")


# ------------------------------------------------------------------ a TOML writer for mutated documents
def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return '"' + value.encode("unicode_escape").decode("ascii").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return "{" + ", ".join(f'"{k}" = {_toml_value(v)}' for k, v in value.items()) + "}"


def to_toml(doc: dict) -> str:
    """``doc`` (tables of values) as TOML text; non-table top-level values come first."""
    lines = [f'"{k}" = {_toml_value(v)}' for k, v in doc.items() if not isinstance(v, dict)]
    for table, body in doc.items():
        if isinstance(body, dict):
            lines.append(f'\n["{table}"]')
            lines += [f'"{k}" = {_toml_value(v)}' for k, v in body.items()]
    return "\n".join(lines) + "\n"


KEYS = st.one_of(st.sampled_from(["scenario", "levers", "uncertainties", "outputs", "name", "scale", "start_year",
                                  "end_year", "levers_from", "grant_bugdet", "grant_budget", "imitation_rate",
                                  "variables", "value", "from", "low", "high", "mode", "distribution"]),
                 st.text(min_size=1, max_size=12))
SCALARS = st.one_of(st.integers(min_value=-10**400, max_value=10**400), st.floats(allow_nan=True),
                    st.sampled_from([math.inf, -math.inf, math.nan, 1e308, 1e-300, 0, -1, 2020, 2**64]),
                    st.booleans(), st.text(max_size=20), st.sampled_from(["lottery", "net_emissions", "$x^2$",
                                                                           "\x1b[2J", "uniform"]))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(KEYS, inner, max_size=3)), max_leaves=6)


@st.composite
def mutated_documents(draw) -> str:
    """A shipped scenario with a few keys added, replaced or removed (values of any type), as TOML text."""
    doc = tomllib.loads(draw(st.sampled_from(SHIPPED)).read_text(encoding="utf-8"))
    for _ in range(draw(st.integers(1, 4))):
        table = draw(st.sampled_from(sorted(doc) + ["levers", "uncertainties", "outputs", "bogus"]))
        body = doc.setdefault(table, {})
        if not isinstance(body, dict):
            continue
        action = draw(st.sampled_from(["set", "delete", "nest"]))
        key = draw(st.sampled_from(sorted(body)) if body and action != "set" else KEYS)
        if action == "delete":
            body.pop(key, None)
        elif action == "nest":   # deep nesting: past what the parser's recursion allows
            depth = draw(st.sampled_from([3, 50, 2000]))
            body[key] = "[" * depth + "1" + "]" * depth
        else:
            body[key] = draw(VALUES)
    text = to_toml(doc)
    return re.sub(r'"(\[+1\]+)"', r"\1", text)  # the nested arrays as TOML, not as strings


@st.composite
def hostile_bytes(draw) -> bytes:
    """A shipped scenario's bytes re-encoded, or with random bytes put in."""
    text = draw(st.sampled_from(SHIPPED)).read_text(encoding="utf-8")
    how = draw(st.sampled_from(["latin-1", "utf-16", "utf-32", "insert", "replace", "random"]))
    if how in ("latin-1", "utf-16", "utf-32"):
        return (text + "# caf\u00e9\n").encode(how)
    data = text.encode()
    if how == "random":
        return draw(st.binary(max_size=200))
    at = draw(st.integers(0, len(data)))
    junk = draw(st.binary(min_size=1, max_size=8))
    return data[:at] + junk + data[at + (len(junk) if how == "replace" else 0):]


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else b"<dir>") for p in folder.rglob("*")}


def _assert_one_line_errors(err: str, path: Path) -> None:
    """Every stderr line is one error naming ``path`` and a field: no traceback, nothing multi-line."""
    assert "Traceback" not in err
    lines = err.splitlines()
    assert lines, "an error exit printed nothing"
    for line in lines:
        match = ERROR_LINE.match(line)
        assert match and match["path"] == str(path) and match["field"], line


def _check_file(path: Path) -> None:
    """load_scenario gives a Scenario or a one-line ScenarioError naming the file; ``sim validate`` agrees."""
    try:
        load_scenario(path)
        valid = True
    except ScenarioError as error:
        valid = False
        assert error.path == str(path) and error.field and "\n" not in str(error)
        assert str(error).startswith(f"{path}: field '{error.field}': allowed ")
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["validate", str(path)])
    assert code == (EXIT_OK if valid else EXIT_ERROR)
    if not valid:
        _assert_one_line_errors(err.getvalue(), path)


@FUZZ
@given(text=mutated_documents())
def test_mutated_scenarios_fail_in_one_line(tmp_path, text):
    path = tmp_path / "fuzz.toml"
    path.write_text(text, encoding="utf-8")
    _check_file(path)


@FUZZ
@given(data=hostile_bytes())
def test_hostile_bytes_fail_in_one_line(tmp_path, data):
    path = tmp_path / "fuzz.toml"
    path.write_bytes(data)
    _check_file(path)


class _Ran(Exception):
    """Raised by the stand-in for run_batch: the command line passed the edge."""


def _stand_in(*args, **kwargs):
    raise _Ran


FLAG_VALUES = st.one_of(st.sampled_from(["0", "1", "-1", "3", "1e308", "1e-300", "0.0001", "0.01", "nan", "inf",
                                         "100000", "100001", str(2**64), "lhs", "grid", "", "\x1b[2J", "$x$"]),
                        st.text(max_size=8))
FLAGS = st.sampled_from(["--runs", "--seed", "--scale", "--workers", "--task-size", "--sampler", "--report", "--plot",
                         "--scheduler", "--bogus"])


@FUZZ
@given(flags=st.lists(st.tuples(FLAGS, FLAG_VALUES), max_size=4), out=st.sampled_from(["r.zarr", "r.nc", "file.nc",
                                                                                        "r.csv", "dir.nc"]),
       scenario=st.sampled_from(SHIPPED + [Path("missing.toml")]))
def test_command_lines_fail_in_one_line_and_touch_nothing(tmp_path_factory, flags, out, scenario):
    """``sim run`` with random flags: exit 2 (usage) or 1 with one line, nothing written or deleted under --out's
    folder; arguments that pass the edge reach run_batch (the stand-in) and nothing else."""
    folder = tmp_path_factory.mktemp("cli")
    (folder / "file.nc").write_text("a user's file")
    (folder / "dir.nc").mkdir()
    (folder / "dir.nc" / "keep.txt").write_text("a user's file")
    before = _snapshot(folder)
    argv = ["run", str(scenario), "--out", str(folder / out), "--quiet"]
    for flag, value in flags:
        argv += [flag, value]
    err = io.StringIO()
    with mock.patch.object(sim.batch, "run_batch", _stand_in), contextlib.redirect_stderr(err), \
            contextlib.redirect_stdout(io.StringIO()):
        code = main(argv)
    text = "".join(line for line in err.getvalue().splitlines(keepends=True)
                   if ": warning: " not in line)   # the land's warnings on a valid scenario are not errors
    assert code in (EXIT_ERROR, EXIT_USAGE), text
    assert "Traceback" not in text and len(text.splitlines()) == 1, text
    if "_Ran" not in text:   # refused at the edge: it says which argument or file, and what is allowed
        assert re.match(r"^sim( run)?: error: ", text) and ("allowed" in text or "argument" in text
                                                            or "unrecognized" in text or "expected" in text), text
    assert _snapshot(folder) == before
