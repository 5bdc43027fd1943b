"""Serve the explorer on the loopback interface: nothing of it (page, websocket, Dask cluster) is reachable from
other machines."""
from __future__ import annotations

import sys
from pathlib import Path

from ..cluster import LOCAL_HOST

DEFAULT_PORT = 5006
"""Panel's usual port."""


def serve(scenario_path: str | Path, port: int = DEFAULT_PORT, runs: int = 20, scale: float = 0.05,
          seed: int = 0, workers: int | None = None) -> None:
    """Serve the lever explorer of a scenario at ``http://127.0.0.1:PORT/`` until interrupted.

    A local Dask cluster (loopback too) is started once for the app's lifetime, and the opened
    scenario's batch is run before the page is served, so that the kernels are compiled and the first
    page answers at once. The line ``serving http://127.0.0.1:PORT/`` on stdout says it is ready.

    Parameters
    ----------
    scenario_path : str or Path
        The scenario file (validated: a ScenarioError names a bad field).
    port : int
        TCP port on 127.0.0.1 (1-65535).
    runs : int
        Runs per scenario of a batch until "more runs" is asked for.
    scale : float
        Population scale of every run (not below the municipality's smallest).
    seed : int
        Root seed of every batch.
    workers : int, optional
        Worker processes of the local cluster; default one per core.
    """
    try:
        import panel as pn
    except ImportError as error:
        raise ImportError("sim explore needs Panel: pip install -e '.[explore]'") from error

    from ..cluster import connect
    from ..data import load_municipality
    from ..scenario import load_scenario
    from ..validation import check_scale_for
    from .compute import Explorer
    from .layout import build_page

    scenario = load_scenario(scenario_path)
    check_scale_for(load_municipality(scenario.municipality), scale, "--scale")
    with connect(None, workers) as client:
        explorer = Explorer(scenario, runs, scale, seed, client)
        explorer.run(explorer.initial_settings())
        server = pn.serve({"/": lambda: build_page(explorer)}, port=port, address=LOCAL_HOST,
                          websocket_origin=[f"{LOCAL_HOST}:{port}", f"localhost:{port}"],
                          show=False, start=False, verbose=False, title=f"sim lever explorer: {scenario.name}")
        server.start()
        print(f"serving http://{LOCAL_HOST}:{port}/ (Ctrl-C to stop)", flush=True)
        try:
            server.io_loop.start()
        finally:
            server.stop()
            print("sim explore: stopped", file=sys.stderr)
