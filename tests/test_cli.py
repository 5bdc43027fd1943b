"""The command line end to end on a small batch, and its exit codes on bad input."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from sim.cli import EXIT_ERROR, EXIT_INCOMPLETE, EXIT_OK, EXIT_USAGE, main
from sim.store import open_results

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
    from sim.batch import connect

    with connect(None, 1) as client:
        yield client.scheduler.address


@pytest.fixture(scope="module")
def batch(files):
    """``sim run`` on two scenarios through the installed command: a NetCDF file and a report."""
    folder, a, b = files
    out = subprocess.run([sys.executable, "-m", "sim", "run", str(a), str(b), "--runs", "4", "--seed", "2",
                          "--workers", "1", "--out", str(folder / "r.nc"), "--report", str(folder / "r.html")],
                         capture_output=True, text=True, cwd=folder, timeout=300, check=False)
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
    (["run", "{a}", "--runs", "0"], EXIT_USAGE, "--runs: allowed a whole number >= 1; given '0'"),
    (["run", "{a}", "--runs", "many"], EXIT_USAGE, "--runs: allowed a whole number >= 1; given 'many'"),
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
    assert message in capsys.readouterr().err


def test_validate_and_python_dash_m(files):
    _, a, b = files
    out = subprocess.run([sys.executable, "-m", "sim", "validate", str(a), str(b)], capture_output=True,
                         text=True, timeout=120, check=False)
    assert out.returncode == EXIT_OK and "valid scenario 'b'" in out.stdout
    root = Path(__file__).resolve().parents[1]
    assert main(["validate", str(root / "scenarios" / "baseline.toml")]) == EXIT_OK
