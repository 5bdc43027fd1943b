"""Result files and stores: what is there and not sim's is never replaced; errors reach the user."""
from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from sim.cli import EXIT_ERROR, main
from sim.store import ForeignPathError, write_dataset

SCENARIO = """[scenario]
name = "a"
start_year = 2020
end_year = 2022
scale = 0.01
"""


@pytest.fixture
def result() -> xr.Dataset:
    return xr.Dataset({"x": ("run", np.arange(3.0))}, attrs={"sim_version": "test"})


@pytest.fixture
def scenario(tmp_path):
    path = tmp_path / "a.toml"
    path.write_text(SCENARIO)
    return path


def _user_dir(path):
    path.mkdir()
    (path / "thesis.txt").write_text("years of work")
    return path / "thesis.txt"


@pytest.mark.parametrize("name", ["dir.nc", "dir.zarr"])
def test_write_dataset_keeps_a_users_directory(tmp_path, result, name):
    kept = _user_dir(tmp_path / name)
    with pytest.raises(ForeignPathError, match=name):
        write_dataset(result, tmp_path / name)
    assert kept.read_text() == "years of work"


@pytest.mark.parametrize("name", ["file.nc", "file.zarr"])
def test_write_dataset_keeps_a_users_file(tmp_path, result, name):
    (tmp_path / name).write_text("notes")
    with pytest.raises(ForeignPathError, match=name):
        write_dataset(result, tmp_path / name)
    assert (tmp_path / name).read_text() == "notes"


def test_write_dataset_keeps_a_netcdf_sim_did_not_write(tmp_path, result):
    foreign = result.copy()
    foreign.attrs = {"title": "someone else's"}
    foreign.to_netcdf(tmp_path / "other.nc", engine="h5netcdf")
    with pytest.raises(ForeignPathError, match="other.nc"):
        write_dataset(result, tmp_path / "other.nc")
    assert xr.load_dataset(tmp_path / "other.nc", engine="h5netcdf").attrs == {"title": "someone else's"}


@pytest.mark.parametrize("name", ["r.nc", "r.zarr"])
def test_write_dataset_replaces_its_own_result(tmp_path, result, name):
    write_dataset(result, tmp_path / name)
    write_dataset(result.assign(x=result["x"] + 1), tmp_path / name)
    with xr.open_dataset(tmp_path / name, engine="h5netcdf" if name.endswith(".nc") else "zarr") as ds:
        assert ds["x"].values.tolist() == [1.0, 2.0, 3.0]


@pytest.mark.parametrize("kind", ["dir", "file"])
@pytest.mark.parametrize("suffix", [".nc", ".zarr"])
def test_sim_run_refuses_an_out_it_did_not_make(tmp_path, scenario, capsys, kind, suffix):
    out = tmp_path / f"{kind}{suffix}"
    if kind == "dir":
        kept = _user_dir(out)
    else:
        out.write_text("notes")
        kept = out
    before = kept.read_text()
    code = main(["run", str(scenario), "--runs", "1", "--workers", "1", "--quiet", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == EXIT_ERROR
    assert kept.read_text() == before
    lines = err.strip().splitlines()
    assert len(lines) == 1 and str(out) in lines[0] and lines[0].startswith("sim: error:"), err
    assert not list(tmp_path.glob("*.partial*"))  # refused before any run


def _disk_full_after_a_file(monkeypatch, target):
    """Make ``target`` write part of its output, then fail with ENOSPC, and the cleanup fail too."""
    import errno
    import shutil

    original = getattr(xr.Dataset, target)

    def write(self, path, *args, **kwargs):
        original(self, path, *args, **kwargs)  # something is on disk, as when the disk fills up midway
        raise OSError(errno.ENOSPC, "No space left on device")

    real_rmtree = shutil.rmtree

    def rmtree(path, ignore_errors=False, **kwargs):
        import sys

        if not ignore_errors and sys._getframe(1).f_globals["__name__"] == "sim.store":  # sim's cleanup
            raise OSError(errno.ENOTEMPTY, "Directory not empty", str(path))
        return real_rmtree(path, ignore_errors=True, **kwargs)

    monkeypatch.setattr(xr.Dataset, target, write)
    monkeypatch.setattr(shutil, "rmtree", rmtree)


def test_a_full_disk_at_store_creation_is_reported_as_such(tmp_path, monkeypatch, make_scenario):
    import errno

    from sim.batch import build_template, plan_batch
    from sim.store import ZarrSink

    plan = plan_batch(make_scenario(end_year=2022, scale=0.01), 2)
    _disk_full_after_a_file(monkeypatch, "to_zarr")
    with pytest.raises(OSError) as caught:
        ZarrSink.open_or_create(tmp_path / "s.zarr", build_template(plan), plan.metadata(), 1)
    assert caught.value.errno == errno.ENOSPC, caught.value
    assert not (tmp_path / "s.zarr").exists()


def test_a_full_disk_in_write_dataset_is_reported_as_such(tmp_path, monkeypatch, result):
    import errno

    _disk_full_after_a_file(monkeypatch, "to_zarr")
    with pytest.raises(OSError) as caught:
        write_dataset(result, tmp_path / "r.zarr")
    assert caught.value.errno == errno.ENOSPC, caught.value


def test_seeds_outside_uint64_are_refused_before_any_run(scenario, capsys, make_scenario):
    from sim.batch import run_batch
    from sim.cli import EXIT_USAGE

    with pytest.raises(ValueError, match=r"seed: allowed a whole number in \[0, 2\*\*64\)"):
        run_batch(make_scenario(end_year=2022, scale=0.01), 1, seed=2**64)
    assert main(["run", str(scenario), "--seed", str(2**64), "--runs", "1", "--quiet"]) == EXIT_USAGE
    assert "--seed: allowed a whole number >= 0 and < 18446744073709551616" in capsys.readouterr().err
