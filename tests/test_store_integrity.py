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

    from sim.batch import plan_batch
    from sim.batch_template import build_template
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
    assert "--seed: allowed a whole number >= 0 and <= 2**64 - 1" in capsys.readouterr().err


# --- Integrity: checksums per run, damaged data named and recomputed, one writer at a time -----------

RUNS = 4
SEED = 3


@pytest.fixture(scope="module")
def client():
    """One single-worker local cluster for the module's batches."""
    from sim.cluster import connect

    with connect(None, 1) as c:
        yield c


@pytest.fixture(scope="module")
def batch_scenario(tmp_path_factory):
    """The scenario file and the Scenario of the module's store (two scenarios' worth of levers: one)."""
    from sim.scenario import load_scenario

    path = tmp_path_factory.mktemp("scenario") / "a.toml"
    path.write_text(SCENARIO)
    return path, load_scenario(path)


@pytest.fixture(scope="module")
def finished(tmp_path_factory, client, batch_scenario):
    """A finished store (chunks of 2 runs) and its result as the batch returned it."""
    from sim.batch import run_batch

    store = tmp_path_factory.mktemp("finished") / "s.zarr"
    ds = run_batch(batch_scenario[1], RUNS, seed=SEED, store=store, client=client, task_size=2)
    return store, ds


@pytest.fixture
def store(finished, tmp_path):
    """A fresh copy of the finished store, to damage."""
    import shutil

    copy = tmp_path / "s.zarr"
    shutil.copytree(finished[0], copy)
    return copy


def _chunk_file(store, name, run):
    """The file of the chunk of ``name`` holding ``run`` of the first scenario (Zarr format 2 layout)."""
    import json

    meta = json.loads((store / name / ".zarray").read_text())
    index = [0, run // meta["chunks"][1]] + [0] * (len(meta["shape"]) - 2)
    return store / name / meta.get("dimension_separator", ".").join(map(str, index))


def _rerun(store, client, batch_scenario):
    from sim.batch import run_batch

    return run_batch(batch_scenario[1], RUNS, seed=SEED, store=store, client=client, task_size=2)


def _one_error_line(err):
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("sim: error:"), err
    return lines[0]


def test_a_finished_store_verifies_and_reads_back_identical(finished):
    from sim.store import ZarrSink, open_results

    store, ds = finished
    ZarrSink(store, mode="r").check()
    xr.testing.assert_identical(open_results(store), ds)
    assert "run_checksum" not in ds and "static_checksum" not in ds and "done" not in ds


def test_a_deleted_chunk_is_named_by_summary_and_report_and_recomputed(store, finished, client, batch_scenario,
                                                                      capsys, tmp_path):
    _chunk_file(store, "net_emissions", 2).unlink()
    assert main(["summary", str(store)]) == EXIT_ERROR
    line = _one_error_line(capsys.readouterr().err)
    assert str(store) in line and "net_emissions runs 2-3 of scenario 'a'" in line, line
    assert main(["report", str(store), "--out", str(tmp_path / "r.html")]) == EXIT_ERROR
    assert "net_emissions runs 2-3" in _one_error_line(capsys.readouterr().err)
    assert not (tmp_path / "r.html").exists()
    xr.testing.assert_identical(_rerun(store, client, batch_scenario), finished[1])  # recomputed, not NaN
    assert main(["summary", str(store)]) == 0


def test_an_undecodable_chunk_is_named_not_a_codec_error(store, finished, client, batch_scenario, capsys):
    from sim.store import StoreDamagedError, open_results

    chunk = _chunk_file(store, "emissions", 1)
    chunk.write_bytes(np.random.default_rng(0).bytes(chunk.stat().st_size))
    with pytest.raises(StoreDamagedError, match=r"emissions runs 0-1 of scenario 'a'"):
        open_results(store)
    assert main(["summary", str(store)]) == EXIT_ERROR
    line = _one_error_line(capsys.readouterr().err)
    assert "emissions runs 0-1" in line and "blosc" not in line, line
    xr.testing.assert_identical(_rerun(store, client, batch_scenario), finished[1])


def test_a_chunk_copied_over_another_is_named(store, finished, client, batch_scenario):
    import shutil

    from sim.store import StoreDamagedError, open_results

    shutil.copyfile(_chunk_file(store, "net_emissions", 0), _chunk_file(store, "net_emissions", 2))
    with pytest.raises(StoreDamagedError, match=r"net_emissions runs 2-3 of scenario 'a'\."):
        open_results(store)
    xr.testing.assert_identical(_rerun(store, client, batch_scenario), finished[1])


def test_a_damaged_array_outside_the_runs_is_named_and_rewritten(store, finished, client, batch_scenario):
    from sim.store import StoreDamagedError, open_results

    _chunk_file(store, "sample_quantile", 0).unlink()
    with pytest.raises(StoreDamagedError, match=r"sample_quantile \(whole array\)"):
        open_results(store)
    xr.testing.assert_identical(_rerun(store, client, batch_scenario), finished[1])
    xr.testing.assert_identical(open_results(store), finished[1])


def test_only_the_damaged_runs_are_recomputed(store, finished, client, batch_scenario):
    from distributed import get_task_stream

    _chunk_file(store, "net_emissions", 2).unlink()
    with get_task_stream(client) as stream:
        _rerun(store, client, batch_scenario)
    computed = [t for t in stream.data if "sim-runs" in str(t["key"])]
    assert len(computed) == 1  # the one task of runs 2-3


def test_a_netcdf_export_carries_checksums_that_open_results_verifies(finished, tmp_path):
    import h5py

    from sim.store import CHECKSUM_ATTRIBUTE, StoreDamagedError, open_results

    nc = write_dataset(finished[1], tmp_path / "r.nc")
    with h5py.File(nc, "r") as f:
        assert all(CHECKSUM_ATTRIBUTE in f[name].attrs for name in finished[1].variables)
        # the largest variable stored in one piece: 512 bytes are written inside its data
        sizes = {name: (f[name].id.get_storage_size(), f[name].id.get_offset()) for name in finished[1].data_vars}
        name = max((n for n in sizes if sizes[n][1] is not None), key=lambda n: sizes[n][0])
        size, offset = sizes[name]
    back = open_results(nc)
    assert not any(CHECKSUM_ATTRIBUTE in v.attrs for v in back.variables.values())
    assert not any(CHECKSUM_ATTRIBUTE in v.attrs for v in finished[1].variables.values())  # a copy was marked
    np.testing.assert_array_equal(back[name].values, finished[1][name].values)
    assert size >= 512
    with open(nc, "r+b") as f:
        f.seek(offset + (size - 512) // 2)
        f.write(np.random.default_rng(1).bytes(512))
    with pytest.raises(StoreDamagedError, match=rf"r\.nc: damaged data: checksums do not match for "
                                                rf"variable\(s\) {name}\."):
        open_results(nc)


LOCK_HOLDER = """
import sys, time
sys.path.insert(0, {root!r})
from sim.store_lock import store_lock
with store_lock({store!r}):
    print("LOCKED", flush=True)
    time.sleep(120)
"""


def test_a_second_writer_is_refused_at_once_and_a_crash_releases_the_lock(tmp_path, batch_scenario, client,
                                                                            capsys):
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    from sim.batch import run_batch
    from sim.store_lock import StoreLockedError

    root = str(Path(__file__).resolve().parents[1])
    store = tmp_path / "new.zarr"
    others_partial = tmp_path / ".new.zarr.partial-999999"  # the other writer's store being created
    others_partial.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", LOCK_HOLDER.format(root=root, store=str(store))],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "LOCKED"
        started = time.monotonic()
        with pytest.raises(StoreLockedError, match=rf"new\.zarr: .*another process \(pid {holder.pid}\)"):
            run_batch(batch_scenario[1], RUNS, seed=SEED, store=store, client=client)
        assert time.monotonic() - started < 5  # refused at once, not after waiting
        code = main(["run", str(batch_scenario[0]), "--runs", str(RUNS), "--seed", str(SEED), "--quiet",
                     "--scheduler", client.scheduler.address, "--out", str(store)])
        assert code == EXIT_ERROR
        assert f"pid {holder.pid}" in _one_error_line(capsys.readouterr().err)
        assert others_partial.is_dir() and not store.exists()  # nothing of the other writer's deleted
    finally:
        holder.send_signal(signal.SIGKILL)  # a crash: the operating system releases the lock
        holder.wait(30)
    others_partial.rmdir()
    ds = run_batch(batch_scenario[1], RUNS, seed=SEED, store=store, client=client, task_size=2)
    assert int(ds["runs_done"].sum()) == RUNS
