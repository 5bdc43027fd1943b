"""The local Dask cluster a batch runs on: single-threaded workers, loopback only.

:func:`connect` gives a distributed Client: the one given, one connected to a scheduler address, or
a new local cluster whose every listener is on :data:`LOCAL_HOST`.
"""
from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity), at least 1."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


LOCAL_HOST = "127.0.0.1"
"""The only address the local cluster's scheduler, nannies and workers listen on."""

_ENVIRON_KEYS = ("NUMBA_NUM_THREADS", "MALLOC_TRIM_THRESHOLD_")


def _nanny_class(saved: dict):
    """A distributed Nanny that leaves this process's environment as it found it.

    A nanny puts its workers' pre-spawn environment into the calling process's ``os.environ``
    before it starts (or restarts) a worker process. Left there, ``NUMBA_NUM_THREADS=1`` would
    make numba in this process refuse to compile once its threads are running. ``saved`` is the
    environment taken once before the cluster starts: nannies start concurrently, so one taken
    at each start could be another nanny's.
    """
    from distributed import Nanny

    class SingleThreadedNanny(Nanny):
        async def instantiate(self):
            os.environ.pop("MALLOC_TRIM_THRESHOLD_", None)
            try:
                return await super().instantiate()
            finally:
                for key, value in saved.items():
                    if value is None:
                        os.environ.pop(key, None)
                    else:
                        os.environ[key] = value

    return SingleThreadedNanny


@contextlib.contextmanager
def connect(client=None, workers: int | None = None) -> Iterator:
    """A distributed Client: the one given, one connected to an address, or a new local cluster.

    The local cluster runs ``workers`` processes with one thread each; ``NUMBA_NUM_THREADS=1`` is
    set in their environment before they start or restart (through
    ``distributed.nanny.pre-spawn-environ``), and this process's own environment is put back
    afterwards (:func:`_nanny_class`). Everything it opens (scheduler, nannies, workers, the
    scheduler's HTTP server) listens on :data:`LOCAL_HOST` only.
    A client or address is used as it is.
    """
    import dask
    from distributed import Client, LocalCluster

    if client is not None and not isinstance(client, (str, Client)):
        raise ValueError(f"client: allowed a distributed.Client or a scheduler address; given {client!r}")
    if isinstance(client, Client):
        yield client
        return
    if isinstance(client, str):
        if workers is not None:
            raise ValueError("workers: allowed only with a local cluster, not with a scheduler address; "
                             f"given workers={workers} and client={client!r}")
        with Client(client) as remote:
            yield remote
        return
    n = workers or available_cores()
    # distributed's default MALLOC_TRIM_THRESHOLD_ turns every agent array into an mmap and page
    # faults (measured: +30 % time per full-scale run); the runs' results are small, so leave glibc's
    # adaptive threshold on
    env = {k: v for k, v in dask.config.get("distributed.nanny.pre-spawn-environ", {}).items()
           if k != "MALLOC_TRIM_THRESHOLD_"}
    env["NUMBA_NUM_THREADS"] = "1"
    saved = {k: os.environ.get(k) for k in _ENVIRON_KEYS}
    with dask.config.set({"distributed.nanny.pre-spawn-environ": env}):
        # loopback only (the scheduler's HTTP server too, on a free port): nothing of the cluster is
        # reachable from other machines
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host=LOCAL_HOST,
                               dashboard_address=f"{LOCAL_HOST}:0", worker_dashboard_address=None,
                               silence_logs=logging.ERROR, worker_class=_nanny_class(saved))
    try:
        with Client(cluster) as local:
            yield local
    finally:
        cluster.close()
