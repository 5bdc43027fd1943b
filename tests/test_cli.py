"""The command line end to end on a small batch, and its exit codes on bad input."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from sim.cli import EXIT_ERROR, EXIT_INCOMPLETE, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, main
from sim.store import open_results

ROOT = Path(__file__).resolve().parents[1]

SCENARIO = """[scenario]
name = "{name}"
start_year = 2020
end_year = 2031
scale = 0.03

[levers]
grant_budget = {budget}
"""


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli")
    a, b = folder / "a.toml", folder / "b.toml"
    a.write_text(SCENARIO.format(name="a", budget=10e6))
    b.write_text(SCENARIO.format(name="b", budget=60e6))
    return folder, a, b


@pytest.fixture(scope="module")
def scheduler():
    """Address of a one-worker cluster for the in-process commands (``--scheduler``)."""
    from sim.cluster import connect

    with connect(None, 1) as client:
        yield client.scheduler.address


@pytest.fixture(scope="module")
def batch(files):
    """``sim run`` on two scenarios through the installed command: a NetCDF file and a report."""
    folder, a, b = files
    out = subprocess.run([sys.executable, "-m", "sim", "run", str(a), str(b), "--runs", "4", "--seed", "2",
                          "--workers", "1", "--out", str(folder / "r.nc"), "--report", str(folder / "r.html")],
                         capture_output=True, text=True, cwd=folder, timeout=300, check=False,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})  # this tree's sim, not the installed one
    return folder, out


def test_run_end_to_end(batch):
    folder, out = batch
    assert out.returncode == EXIT_OK, out.stderr
    assert re.search(r"^a\s+4\s", out.stdout, re.MULTILINE) and re.search(r"^b\s+4\s", out.stdout, re.MULTILINE)
    assert "P(2030 -80%)" in out.stdout and "wrote" in out.stdout
    assert "run/s" in out.stderr or "run" in out.stderr  # the progress bar
    ds = open_results(folder / "r.nc")
    assert list(ds["scenario"].values) == ["a", "b"] and ds.sizes["run"] == 4
    assert not np.isnan(ds["net_emissions"]).any()
    assert not (folder / "r.nc.partial.zarr").exists()  # the working store is removed after the export
    page = (folder / "r.html").read_text()
    assert page.count("data:image/png;base64,") >= 5 and "src='http" not in page and "<link" not in page
    for heading in ("Net emissions against the targets", "Scenarios side by side", "Emissions by sector",
                    "Adoption", "Pledge gap", "Costs and abatement by lever", "Paired differences"):
        assert heading in page


def test_summary_and_report_of_the_results(batch, capsys, tmp_path):
    folder, _ = batch
    assert main(["summary", str(folder / "r.nc")]) == EXIT_OK
    text = capsys.readouterr().out
    assert "run_batch" in text and re.search(r"^b\s+4\s", text, re.MULTILINE)
    assert main(["report", str(folder / "r.nc"), "--out", str(tmp_path / "x.html")]) == EXIT_OK
    assert (tmp_path / "x.html").stat().st_size > 10000


def test_the_same_command_resumes_and_a_different_one_is_refused(batch, files, scheduler, capsys, tmp_path):
    folder, a, b = files
    store = tmp_path / "r.zarr"
    args = ["run", str(a), str(b), "--runs", "4", "--seed", "2", "--scheduler", scheduler, "--out", str(store),
            "--quiet"]
    assert main(args) == EXIT_OK
    xr.testing.assert_identical(open_results(store), open_results(folder / "r.nc"))
    assert main(args) == EXIT_OK  # finished: read back, nothing computed
    capsys.readouterr()
    assert main([*args[:6], "3", *args[7:]]) == EXIT_ERROR  # --seed 3
    err = capsys.readouterr().err
    assert f"{store}: field 'seed': the store holds 2; given 3" in err


def test_summary_of_an_incomplete_store_exits_3(batch, files, scheduler, capsys, tmp_path):
    import zarr

    _, a, _ = files
    store = tmp_path / "part.zarr"
    assert main(["run", str(a), "--runs", "3", "--seed", "2", "--scheduler", scheduler, "--out", str(store),
                 "--quiet"]) == EXIT_OK
    zarr.open_group(str(store), mode="r+")["done"][0, 1] = 0  # as if killed before run 1 was flagged
    capsys.readouterr()
    assert main(["summary", str(store)]) == EXIT_INCOMPLETE
    captured = capsys.readouterr()
    assert "incomplete: 2 of 3 runs finished" in captured.err and re.search(r"^a\s+2\s", captured.out, re.MULTILINE)


@pytest.mark.parametrize("args, code, message", [
    (["run", "{a}", "--runs", "0"], EXIT_USAGE, "--runs: allowed a whole number >= 1 and <= 100,000; given '0'"),
    (["run", "{a}", "--runs", "many"], EXIT_USAGE, "--runs: allowed a whole number >= 1 and <= 100,000; given 'many'"),
    (["run", "{a}", "--runs", "100001"], EXIT_USAGE, "--runs: allowed a whole number >= 1 and <= 100,000"),
    (["run", "{a}", "--workers", "100000"], EXIT_USAGE, "--workers: allowed a whole number >= 1 and <= 256"),
    (["run", "{a}", "--seed", str(2**64)], EXIT_USAGE, "--seed: allowed a whole number >= 0 and <= 2**64 - 1"),
    (["run", "{a}", "--scale", "1e308", "--out", "{tmp}/x.zarr"], EXIT_USAGE, "--scale: allowed a number > 0 and "
                                                                             "at most 100; given '1e308'"),
    (["run", "{a}", "--scale", "1e-4", "--out", "{tmp}/x.zarr"], EXIT_ERROR,
     "--scale: allowed a number >= 0.0047 for Eskilstuna"),
    (["run", "{a}", "--seed", "-4"], EXIT_USAGE, "--seed: allowed a whole number >= 0"),
    (["run", "{a}", "--out", "r.csv"], EXIT_USAGE, "--out: allowed a path ending in .zarr or .nc"),
    (["run", "{a}", "--workers", "2", "--scheduler", "tcp://h:8786"], EXIT_USAGE, "not allowed with argument"),
    (["run", "{a}", "--sampler", "grid"], EXIT_USAGE, "invalid choice: 'grid'"),
    (["run", "{a}", "--scale", "0"], EXIT_USAGE, "--scale: allowed a number > 0"),
    (["run", "missing.toml", "--out", "{tmp}/x.zarr"], EXIT_ERROR, "missing.toml: field '(file)'"),
    (["run", "{a}", "{a}", "--out", "{tmp}/x.zarr"], EXIT_ERROR,
     "scenarios: allowed scenarios with distinct names; given ['a', 'a']"),
    (["run", "{bad}", "--out", "{tmp}/x.zarr"], EXIT_ERROR, "field 'levers.grant_budget': allowed a number in"),
    (["summary", "{tmp}/none.zarr"], EXIT_ERROR, "none.zarr: field 'results': allowed an existing"),
    (["summary", "{a}"], EXIT_USAGE, "allowed a path ending in .zarr or .nc"),
    (["report", "{tmp}/none.nc"], EXIT_USAGE, "the following arguments are required: --out"),
    (["validate", "{bad}"], EXIT_ERROR, "bad.toml: field 'levers.grant_budget'"),
    ([], EXIT_USAGE, "required: command"),
])
def test_bad_arguments_exit_non_zero_with_a_clear_message(args, code, message, files, tmp_path, capsys,
                                                          monkeypatch):
    _, a, _ = files
    bad = tmp_path / "bad.toml"
    bad.write_text(SCENARIO.format(name="bad", budget="'lots'"))
    monkeypatch.chdir(tmp_path)
    argv = [x.format(a=a, bad=bad, tmp=tmp_path) for x in args]
    assert main(argv) == code
    err = capsys.readouterr().err
    assert message in err
    assert len(err.splitlines()) == 1, err  # one line, usage errors too (argparse printed the usage first)
    assert not (tmp_path / "x.zarr").exists()


def test_validate_and_python_dash_m(files):
    _, a, b = files
    out = subprocess.run([sys.executable, "-m", "sim", "validate", str(a), str(b)], capture_output=True,
                         text=True, timeout=120, check=False, cwd=ROOT)
    assert out.returncode == EXIT_OK and "valid scenario 'b'" in out.stdout
    assert main(["validate", str(ROOT / "scenarios" / "baseline.toml")]) == EXIT_OK


def test_validate_reports_every_error_of_every_file(files, tmp_path, capsys):
    """``sim validate`` prints each error of each file on a line of its own, with suggestions, and exits 1.

    Regression: it stopped at the first error of the first file and had no "did you mean".
    """
    _, a, _ = files
    bad = tmp_path / "bad.toml"
    bad.write_text(SCENARIO.format(name="bad", budget="'lots'") + "grant_bugdet = 1\n[outputs]\nvariables = [[1]]\n")
    latin = tmp_path / "latin.toml"
    head = SCENARIO.format(name="l", budget=1).encode()
    latin.write_bytes(head + "# é\n".encode("latin-1"))
    assert main(["validate", str(bad), str(latin), str(a)]) == EXIT_ERROR
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert lines[0] == (f"sim: error: {bad}: field 'levers.grant_bugdet': allowed a lever of "
                        "sim.declarations.parameters (did you mean 'grant_budget'?); given \"unknown key 'grant_bugdet'\"")
    assert lines[1].startswith(f"sim: error: {bad}: field 'levers.grant_budget': allowed a number in")
    assert lines[2].startswith(f"sim: error: {bad}: field 'outputs.variables': allowed a list of names from")
    assert lines[3].startswith(f"sim: error: {latin}: field '(encoding)': allowed UTF-8 text")
    line = len(head.splitlines()) + 1
    assert f"byte 0xe9 at offset {len(head) + 2} (line {line})" in lines[3]
    assert lines[4] == "sim: 2 of 3 file(s) invalid" and len(lines) == 5
    assert captured.out == f"{a}: valid scenario 'a', 2020-2031\n"


@pytest.mark.parametrize("failure", [RuntimeError("boom\nTraceback (most recent call last):\n  worker ..."),
                                     KeyboardInterrupt()])
def test_failures_and_interrupts_are_one_line_unless_debug(files, tmp_path, capsys, monkeypatch, failure):
    """A worker's failure or Ctrl-C in ``sim run`` ends in one line (exit 1 or 130); ``--debug`` adds the traceback.

    Regression: Ctrl-C printed 46-161 lines of Dask tracebacks and a failed run a page of them.
    """
    import sim.batch

    def fail(*args, **kwargs):
        raise failure
    monkeypatch.setattr(sim.batch, "run_batch", fail)
    _, a, _ = files
    argv = ["run", str(a), "--out", str(tmp_path / "r.zarr"), "--quiet"]
    code = EXIT_INTERRUPTED if isinstance(failure, KeyboardInterrupt) else EXIT_ERROR
    assert main(argv) == code
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert err.startswith("sim: interrupted" if code == EXIT_INTERRUPTED else
                          "sim: error: RuntimeError: boom (more with --debug)")
    assert main([*argv, "--debug"]) == code
    assert "Traceback (most recent call last)" in capsys.readouterr().err
    assert main(["--debug", *argv]) == code  # before the command too
    assert "Traceback (most recent call last)" in capsys.readouterr().err


def test_help_imports_no_heavy_library():
    """``sim --help`` imports neither numba, xarray, dask, matplotlib, scipy nor pandas (it took 3 s, 21 s loaded)."""
    code = ("import sys\nfrom sim.cli import main\nassert main(['--help']) == 0\nassert main(['run', '--help']) == 0\n"
            "heavy = {'numba', 'xarray', 'dask', 'distributed', 'matplotlib', 'scipy', 'pandas', 'zarr'}\n"
            "print(sorted(heavy & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True,
                         cwd=ROOT)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_lazy_public_names():
    """``import sim`` is light, and sim.simulate, sim.run_batch, sim.__version__ still resolve on first use."""
    code = ("import sys, sim\nassert 'numba' not in sys.modules and 'xarray' not in sys.modules\n"
            "assert callable(sim.simulate) and callable(sim.run_batch) and callable(sim.open_results)\n"
            "assert issubclass(sim.ScenarioError, ValueError) and sim.__version__\n"
            "assert set(sim.__all__) <= set(dir(sim))\nprint('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False,
                         cwd=ROOT)
    assert out.stdout.strip() == "ok", out.stderr
