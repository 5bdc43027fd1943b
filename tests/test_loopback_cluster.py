"""A real distributed cluster: `dask scheduler` and two `dask worker` processes on loopback run a multi-city
batch through `sim run --scheduler`, and the store is identical to the local cluster's, file by file and byte
for byte."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from sim.contract_cities import ALL_CONTRACT_CITIES, contract_cities

ROOT = Path(__file__).resolve().parents[1]


def _dask() -> str:
    """The ``dask`` command of this environment (dask is a dependency of sim: its absence is a failure, not a skip)."""
    found = Path(sys.executable).parent / "dask"
    return str(found) if found.is_file() else (shutil.which("dask") or pytest.fail("no dask command"))


def _files(store: Path) -> dict[str, bytes]:
    """Every file of a Zarr store by its path in the store, with its bytes."""
    return {str(f.relative_to(store)): f.read_bytes() for f in sorted(store.rglob("*")) if f.is_file()}


def _environ() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "NUMBA_NUM_THREADS": "1"}


def _stop(processes: list[subprocess.Popen]) -> None:
    """Each process started here, and what it started (its own session), stopped; killed after 10 s."""
    for process in reversed(processes):
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in reversed(processes):
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture
def loopback_cluster(tmp_path):
    """The address of a scheduler on 127.0.0.1 (a free port) with two single-threaded workers, all separate processes."""
    from distributed import Client

    scheduler_file = tmp_path / "scheduler.json"
    logs = tmp_path / "logs"
    logs.mkdir()
    processes: list[subprocess.Popen] = []

    def start(name: str, *args: str) -> None:
        with (logs / f"{name}.log").open("w") as log:
            processes.append(subprocess.Popen([_dask(), *args], env=_environ(), stdout=log, stderr=subprocess.STDOUT,
                                              start_new_session=True, cwd=tmp_path))

    try:
        start("scheduler", "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
              "--scheduler-file", str(scheduler_file))
        deadline = time.monotonic() + 60
        while not scheduler_file.is_file() or not scheduler_file.stat().st_size:
            if time.monotonic() > deadline or processes[0].poll() is not None:
                pytest.fail("the scheduler did not start: " + (logs / "scheduler.log").read_text())
            time.sleep(0.2)
        for k in range(2):
            start(f"worker{k}", "worker", "--scheduler-file", str(scheduler_file), "--nthreads", "1",
                  "--host", "127.0.0.1", "--no-dashboard", "--no-nanny")
        with Client(scheduler_file=str(scheduler_file), timeout="30s") as client:
            client.wait_for_workers(2, timeout=90)
            address = client.scheduler.address
        assert address.startswith("tcp://127.0.0.1:")
        yield address
    finally:
        _stop(processes)  # (SIGTERM: each closes in well under a second)


def _scenario(tmp_path: Path) -> Path:
    """Every contract city (the issue's done-when), at a tiny scale (the smallest city's data allow 0.021)."""
    cities = f'"{ALL_CONTRACT_CITIES}"'
    path = tmp_path / "cities.toml"
    path.write_text(f'[scenario]\nname = "cities"\nstart_year = 2020\nend_year = 2031\nscale = 0.025\n'
                    f"municipality = {cities}\n[levers]\ngrant_budget = 30e6\n"
                    "[outputs]\npledge_counterfactual = false\n", encoding="utf-8")
    return path


def _sim_run(scenario: Path, out: Path, *where: str) -> None:
    done = subprocess.run([sys.executable, "-m", "sim", "run", str(scenario), "--runs", "2", "--seed", "5",
                           "--out", str(out), "--quiet", *where], env=_environ(), capture_output=True, text=True,
                          check=False, timeout=900)
    assert done.returncode == 0, done.stderr


def test_loopback_cluster_store_is_identical_to_the_local_clusters(tmp_path, loopback_cluster):
    scenario = _scenario(tmp_path)
    _sim_run(scenario, tmp_path / "remote.zarr", "--scheduler", loopback_cluster)
    _sim_run(scenario, tmp_path / "local.zarr", "--workers", "2")
    with xr.open_zarr(tmp_path / "remote.zarr", chunks=None) as remote, \
            xr.open_zarr(tmp_path / "local.zarr", chunks=None) as local:
        remote, local = remote.load(), local.load()
    assert remote.sizes["scenario"] == len(contract_cities()) == 23  # one case per city
    assert remote["done"].values.all()
    np.testing.assert_array_equal(remote["run_checksum"].values, local["run_checksum"].values)
    for name in local.data_vars:  # every array bit for bit (NaN where both are NaN)
        assert remote[name].dtype == local[name].dtype, name
        if remote[name].dtype.kind == "f":
            assert np.array_equal(remote[name].values, local[name].values, equal_nan=True), name
        else:
            np.testing.assert_array_equal(remote[name].values, local[name].values, err_msg=name)
    assert remote.attrs == local.attrs and remote.coords.identical(local.coords)
    remote_files, local_files = _files(tmp_path / "remote.zarr"), _files(tmp_path / "local.zarr")
    assert sorted(remote_files) == sorted(local_files) and len(local_files) > 100
    assert [f for f in local_files if remote_files[f] != local_files[f]] == []  # the stores byte for byte
