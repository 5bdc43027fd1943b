"""Monte Carlo batches: many runs of one or several scenarios on Dask, with common random numbers.

A batch samples the uncertainties once (one row of quantiles per run, shared by
every scenario; levers a scenario gives as a range or choices are sampled in
further columns of the same rows, and a ``design`` can fix any lever or
uncertainty run by run) and gives run ``i`` the seed
``SeedSequence(seed).spawn(runs)[i].generate_state(1)[0]`` in every scenario,
so that a difference between scenarios is the levers', not noise. Each
scenario's own distributions turn the shared quantiles into parameter values.

Runs are grouped into tasks and executed on a Dask distributed cluster (a local
cluster of single-threaded worker processes by default). Results come back to
this process, which writes them into a Zarr store as tasks finish (see
:mod:`sim.store`): the data of a task's runs first, their ``done`` flags last.
A rerun of the same call computes only the runs whose flag is not set.

Every run depends only on (scenario, quantile row, run seed, scale), so the
results are bit-identical for any worker count, task size, order of
completion, and for fresh or resumed batches.
"""
from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import xarray as xr

from . import __version__
from .batch_template import build_template, scenario_hash
from .cities import by_municipality, case_label, cases, lever_ratio
from .cluster import connect
from .data import load_municipality
from .declarations.parameters import BY_NAME, LEVERS, UNCERTAINTIES
from .engine import simulate
from .results import VARIABLES
from .sampling import SAMPLERS, check_design, quantiles
from .scenario import Scenario
from .store_lock import store_lock
from .summary import summarize
from .validation import check_scale, check_scale_for, check_seed

__all__ = ["BatchPlan", "plan_batch", "run_batch", "scenario_hash"]

FORMAT = 2
"""Version of the batch store layout; a store of another format is refused (2: checksums per run)."""

TARGET_TASK_SECONDS = 2.0
"""Compute per task: a task costs about 5-50 ms of scheduling and writing, so tasks of about
2 s keep the overhead of the batch layer well under 10 %."""

REQUIRED = ("net_emissions", "emissions", "fossil_co2", "target_2030_met", "climate_positive_2045",
            "target_2030_met_with_compensation", "climate_positive_2045_with_compensation", "consumption_target_met",
            "within_budget", "budget_pathway", "on_budget_pathway", "budget_exhausted_year", "pledge_goal_met")
"""Outputs every batch keeps, whatever a scenario's ``[outputs]`` says: the summaries need them."""


@dataclasses.dataclass(frozen=True)
class Task:
    """Runs ``start .. stop - 1`` of scenario number ``scenario``."""

    scenario: int
    start: int
    stop: int


@dataclasses.dataclass(frozen=True)
class BatchPlan:
    """Everything that determines a batch's results, computed on the driver.

    Attributes
    ----------
    scenarios : tuple of Scenario
        The cases run: one single-city scenario per (scenario, municipality) (:func:`sim.cities.cases`).
    runs, seed : int
    sampler : str
    scales : float64[n_scenarios]
        Population scale of each scenario's runs.
    quantiles : float64[runs, n_uncertainties]
        The shared sample in the unit hypercube.
    run_seeds : uint32[runs]
    values : float64[n_scenarios, runs, n_uncertainties]
        Each scenario's uncertainty values at the shared quantiles (or the design's).
    variables : tuple of str
        Engine outputs kept.
    years : int64[n_years]
    lever_values : Mapping[str, ndarray[n_scenarios, runs]]
        Levers that vary from run to run (ranged in some scenario, or in the design), by name; the
        quantiles of the ranged ones are the last columns of ``quantiles``.
    sampled_levers : tuple of str
        Levers sampled from a scenario's range or choices, in the order of their quantile columns.
    design_digest : str or None
        SHA-256 of the design's values (None without a design).
    case_scenarios, case_municipalities : tuple of str
        Each case's scenario name and municipality; with more than one municipality the cases are
        named ``scenario/municipality`` and the result has a ``municipality`` dimension.
    """

    scenarios: tuple[Scenario, ...]
    runs: int
    seed: int
    sampler: str
    scales: np.ndarray
    quantiles: np.ndarray
    run_seeds: np.ndarray
    values: np.ndarray
    variables: tuple[str, ...]
    years: np.ndarray
    lever_values: Mapping[str, np.ndarray] = dataclasses.field(default_factory=dict)
    sampled_levers: tuple[str, ...] = ()
    design_digest: str | None = None
    case_scenarios: tuple[str, ...] = ()
    case_municipalities: tuple[str, ...] = ()

    @property
    def multi_city(self) -> bool:
        return len(set(self.case_municipalities)) > 1

    @property
    def names(self) -> list[str]:
        if self.multi_city:
            return [case_label(s, m) for s, m in zip(self.case_scenarios, self.case_municipalities)]
        return [s.name for s in self.scenarios]

    def metadata(self) -> dict:
        """The fields a store must match to be resumed (kept in the store's ``sim_batch`` attribute)."""
        fields = {"format": FORMAT, "scenarios": self.names,
                  "scenario_hashes": [scenario_hash(s) for s in self.scenarios],
                  "seed": self.seed, "runs": self.runs, "sampler": self.sampler,
                  "scale": [float(x) for x in self.scales], "sim_version": __version__,
                  "variables": list(self.variables)}
        if self.design_digest is not None:
            fields["design"] = self.design_digest
        return fields

    def params(self, scenario: int, run: int) -> dict[str, float | str]:
        """The values run ``run`` of scenario ``scenario`` is given: every uncertainty and the varying levers."""
        values: dict[str, float | str] = {p.name: float(self.values[scenario, run, k])
                                          for k, p in enumerate(UNCERTAINTIES)}
        for name, levers in self.lever_values.items():
            value = levers[scenario, run]
            values[name] = str(value) if BY_NAME[name].is_choice else float(value)
        return values


def plan_batch(scenarios: Scenario | Sequence[Scenario], runs: int, seed: int = 0, sampler: str = "lhs",
               scale: float | None = None, design: Mapping[str, Sequence] | None = None) -> BatchPlan:
    """Check the arguments of a batch and draw its sample (see :func:`run_batch`)."""
    scenarios = (scenarios,) if isinstance(scenarios, Scenario) else tuple(scenarios)
    if not scenarios or not all(isinstance(s, Scenario) for s in scenarios):
        raise ValueError(f"scenarios: allowed one Scenario or a non-empty list of them; given {scenarios!r}")
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise ValueError(f"scenarios: allowed scenarios with distinct names; given {names}")
    spans = {(s.start_year, s.end_year) for s in scenarios}
    if len(spans) != 1:
        raise ValueError("scenarios: allowed scenarios with the same start_year and end_year; given "
                         + ", ".join(f"{s.name} {s.start_year}-{s.end_year}" for s in scenarios))
    if isinstance(runs, bool) or not isinstance(runs, (int, np.integer)) or runs < 1:
        raise ValueError(f"runs: allowed a whole number >= 1; given {runs!r}")
    seed = check_seed(seed)
    if sampler not in SAMPLERS:
        raise ValueError(f"sampler: allowed one of {list(SAMPLERS)}; given {sampler!r}")
    if scale is not None:
        scale = check_scale(scale)
    runs, seed = int(runs), int(seed)
    given = {s.name: s for s in scenarios}
    scenarios, case_scenarios, case_municipalities = cases(scenarios)
    scales = np.array([s.scale if scale is None else float(scale) for s in scenarios])
    for case, case_scale in zip(scenarios, scales):  # every city's data must allow the scale
        check_scale_for(load_municipality(case.municipality), float(case_scale))
    design = check_design(design, runs)
    ranged = {name for s in scenarios for name in s.lever_ranges}
    sampled_levers = tuple(p.name for p in LEVERS if p.name in ranged)
    q = quantiles(runs, len(UNCERTAINTIES) + len(sampled_levers), seed, sampler)
    run_seeds = np.array([child.generate_state(1)[0] for child in np.random.SeedSequence(seed).spawn(runs)],
                         dtype=np.uint32)
    values = np.array([[[s.uncertainties[p.name].ppf(float(q[i, k])) for k, p in enumerate(UNCERTAINTIES)]
                        for i in range(runs)] for s in scenarios], dtype=float).reshape(len(scenarios), runs, -1)
    lever_values = {}
    for column, name in enumerate(sampled_levers, start=len(UNCERTAINTIES)):
        lever_values[name] = np.array([[s.lever_ranges[name].ppf(float(q[i, column])) if name in s.lever_ranges
                                        else s.levers[name] for i in range(runs)] for s in scenarios])
    for k, p in enumerate(UNCERTAINTIES):
        if p.name in design:
            values[:, :, k] = design[p.name]
            q[:, k] = np.nan  # (not drawn: the design gave the values)
    for p in LEVERS:
        if p.name in design:
            lever_values[p.name] = np.broadcast_to(design[p.name], (len(scenarios), runs)).copy()
            if p.per_city is not None:  # the design's values are for each scenario's levers_for: scaled to each city
                lever_values[p.name] *= np.array([[lever_ratio(given[n], c.municipality, p.per_city)]
                                                  for n, c in zip(case_scenarios, scenarios)])
    wanted = set(REQUIRED)
    for s in scenarios:
        wanted |= set(s.outputs or VARIABLES)
    variables = tuple(v for v in VARIABLES if v in wanted)
    years = np.arange(scenarios[0].start_year, scenarios[0].end_year + 1)
    digest = (hashlib.sha256(json.dumps({k: [v.item() for v in design[k]] for k in sorted(design)}).encode())
              .hexdigest() if design else None)
    return BatchPlan(scenarios, runs, seed, sampler, scales, q, run_seeds, values, variables, years,
                     lever_values, sampled_levers, digest, case_scenarios, case_municipalities)


def run_batch(scenarios: Scenario | Sequence[Scenario], runs: int, seed: int = 0, store: str | Path | None = None,
              client=None, sampler: str = "lhs", *, scale: float | None = None, workers: int | None = None,
              task_size: int | None = None, progress: bool = False,
              design: Mapping[str, Sequence] | None = None, parameters: str | Path = "default") -> xr.Dataset:
    """Run a Monte Carlo batch of one or several scenarios.

    Parameters
    ----------
    scenarios : Scenario or sequence of Scenario
        Distinct names, the same years.
    runs : int
        Runs per scenario; run ``i`` has the same quantiles and seed in every scenario.
    seed : int
        Root of the sample (``scipy.stats.qmc``) and of the run seeds (``numpy.random.SeedSequence``).
    store : str or Path, optional
        A ``.zarr`` directory written as tasks finish. If it exists it must have been made by the
        same call (scenarios, seed, runs, sampler, scale, version), and only missing runs are computed,
        with the runs whose data fail their checksums. The store's lock (``.NAME.lock`` beside it) is
        held meanwhile: a second writer is refused.
    client : distributed.Client or str, optional
        A client or a scheduler address: its cluster is used unchanged. By default a local
        cluster of ``workers`` single-threaded processes is started and closed afterwards.
    sampler : {"lhs", "sobol", "random"}
        Latin hypercube (default), scrambled Sobol or plain Monte Carlo.
    scale : float, optional
        Population scale of every run; default each scenario's own.
    workers : int, optional
        Worker processes of the local cluster; default one per available core.
    task_size : int, optional
        Runs per task; default about 2 s of compute per task (no effect on the results).
    progress : bool
        Show a progress bar (tqdm, on stderr).
    design : mapping, optional
        Values run by run (name -> ``runs`` values) for any levers and uncertainties, e.g. a SALib
        sample: run ``i`` of every scenario takes ``design[name][i]``, in place of the scenario's lever
        value or range and of the sampled draw (a designed uncertainty's ``sample_quantile`` is NaN).
        Part of the store's identity.
    parameters : "default", "posterior", "prior" or path
        "default": the shipped posterior of the scenarios' municipality
        (``calibration/posterior_<municipality>.nc``) when every case is of one municipality that has
        one, else the prior; "posterior": that posterior, an error if there is none; "prior": the
        uncertainties drawn from the scenarios' ranges; or a posterior file (:func:`sim.calibrate`).
        From a posterior, the fitted parameters are whole particles resampled by weight (seeded by
        ``seed``, keeping their correlation), put in the design (``design`` wins where both name one);
        the others are drawn from their ranges. The result's attribute ``parameter_source`` says which
        (and ``posterior_file``, ``posterior_parameters`` and ``posterior_fit`` which posterior).

    Returns
    -------
    xarray.Dataset
        Dimensions ``scenario``, ``run``, ``year`` and the engine's own. Engine outputs along
        (scenario, run, ...); every sampled uncertainty along (scenario, run) and its quantile in
        ``sample_quantile`` (run, uncertainty); levers along ``scenario``, or along (scenario, run)
        with their quantile in ``lever_quantile`` (run, sampled_lever) where they vary; ``run_seed`` along
        ``run``; per-scenario summaries (see :mod:`sim.summary`); ``scenario_text``.

    Raises
    ------
    ValueError
        On bad arguments; :class:`sim.store.StoreMismatchError` for a store made by another call;
        :class:`sim.store_lock.StoreLockedError` for a store another process is writing.
    """
    from . import store as stores
    from .calibration.posterior import parameters_design

    cases = [scenarios] if isinstance(scenarios, Scenario) else list(scenarios)
    design, origin = parameters_design(parameters, design, runs, check_seed(seed),
                                       [m for s in cases if isinstance(s, Scenario) for m in s.municipalities])
    plan = plan_batch(scenarios, runs, seed, sampler, scale, design)
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise ValueError(f"workers: allowed a whole number >= 1; given {workers!r}")
    if task_size is not None and (isinstance(task_size, bool) or not isinstance(task_size, int) or task_size < 1):
        raise ValueError(f"task_size: allowed a whole number >= 1; given {task_size!r}")
    template = build_template(plan)
    template.attrs.update(origin)
    with store_lock(store) if store is not None else contextlib.nullcontext():  # one writer at a time
        if store is not None:
            sink = stores.ZarrSink.open_or_create(store, template, plan.metadata(),
                                                  chunk=task_size or default_task_size(plan, 1))
        else:
            sink = MemorySink(template)
        todo = sink.missing()
        if todo.any():
            with connect(client, workers) as dask_client:
                n_workers = max(1, sum(dask_client.nthreads().values()))
                size = task_size or default_task_size(plan, n_workers, int(todo.sum()))
                _execute(plan, make_tasks(todo, size), dask_client, sink, progress)
        ds = sink.result()
        ds.attrs.update(origin)
        ds.update(summarize(ds))
        sink.write_summaries(ds)
    return by_municipality(ds)


class MemorySink:
    """Results kept in memory (no store)."""

    def __init__(self, template: xr.Dataset):
        self.ds = template

    def missing(self) -> np.ndarray:
        return self.ds["done"].values == 0

    def write(self, task: Task, arrays: dict[str, np.ndarray]) -> None:
        region = (task.scenario, slice(task.start, task.stop))
        for name, values in arrays.items():
            self.ds[name].values[region] = values
        self.ds["done"].values[region] = 1

    def result(self) -> xr.Dataset:
        return self.ds.drop_vars("done")

    def write_summaries(self, ds: xr.Dataset) -> None:
        pass


def default_task_size(plan: BatchPlan, workers: int, todo: int | None = None) -> int:
    """Runs per task: about :data:`TARGET_TASK_SECONDS` of compute, yet at least 4 tasks per worker.

    The cost of a run is estimated from measurements of the engine (2 cores, 2026): about
    0.6 ms plus 11 ms per unit of scale per simulated year, plus 10 ms to assemble its Dataset.
    """
    per_run = 0.01 + len(plan.years) * (0.0006 + 0.0113 * float(np.max(plan.scales)))
    size = max(1, round(TARGET_TASK_SECONDS / per_run))
    todo = plan.runs * len(plan.scenarios) if todo is None else todo
    return int(max(1, min(size, math.ceil(todo / (4 * workers)))))


def make_tasks(todo: np.ndarray, size: int) -> list[Task]:
    """Tasks of at most ``size`` consecutive missing runs of one scenario, run-major order.

    ``todo`` is a bool[n_scenarios, runs] mask of runs to compute.
    """
    tasks = []
    for s in range(todo.shape[0]):
        runs = np.flatnonzero(todo[s])
        if runs.size == 0:
            continue
        breaks = np.flatnonzero(np.diff(runs) != 1) + 1
        for block in np.split(runs, breaks):
            for start in range(0, block.size, size):
                part = block[start:start + size]
                tasks.append(Task(s, int(part[0]), int(part[-1]) + 1))
    # interleave scenarios so that an interrupted batch has comparable runs of each
    return sorted(tasks, key=lambda t: (t.start, t.scenario))


def simulate_runs(scenario: dict, seeds: np.ndarray, params: list[dict[str, float]], scale: float,
                  variables: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Worker side of a task: run :func:`sim.simulate` for each (seed, params) and stack the outputs.

    ``scenario`` is :func:`pack_scenario`'s dict (a Scenario holds read-only mappings, which do not
    pickle).
    """
    scn = unpack_scenario(scenario)
    out: dict[str, list] = {name: [] for name in variables}
    out["n_agents"] = []
    for seed, values in zip(seeds, params):
        ds = simulate(scn, seed=int(seed), params=values, scale=scale)
        for name in variables:
            out[name].append(ds[name].values)
        out["n_agents"].append(ds.attrs["n_agents"])
    return {name: np.stack(values) if name != "n_agents" else np.array(values, dtype=np.int64)
            for name, values in out.items()}


def pack_scenario(scenario: Scenario) -> dict:
    fields = {f.name: getattr(scenario, f.name) for f in dataclasses.fields(scenario)}
    fields.update(levers=dict(scenario.levers), uncertainties=dict(scenario.uncertainties),
                  lever_years=dict(scenario.lever_years), outputs=())
    return fields


def unpack_scenario(fields: dict) -> Scenario:
    from types import MappingProxyType

    return Scenario(**{**fields, "levers": MappingProxyType(dict(fields["levers"])),
                       "uncertainties": MappingProxyType(dict(fields["uncertainties"])),
                       "lever_years": MappingProxyType(dict(fields["lever_years"]))})


def _execute(plan: BatchPlan, tasks: list[Task], client, sink, progress: bool) -> None:
    """Submit the tasks, write each result as it arrives; on error cancel the rest and re-raise."""
    import uuid

    from distributed import as_completed
    from tqdm.auto import tqdm

    packed = [pack_scenario(s) for s in plan.scenarios]
    token = uuid.uuid4().hex[:8]
    futures = {}
    for task in tasks:
        rows = range(task.start, task.stop)
        future = client.submit(simulate_runs, packed[task.scenario], plan.run_seeds[task.start:task.stop],
                               [plan.params(task.scenario, i) for i in rows], float(plan.scales[task.scenario]),
                               plan.variables, key=f"sim-runs-{token}-{task.scenario}-{task.start}", pure=False)
        futures[future] = task
    total = plan.runs * len(plan.scenarios)
    bar = tqdm(total=total, initial=total - sum(t.stop - t.start for t in tasks), unit="run",
               desc="runs", disable=not progress, dynamic_ncols=True)
    try:
        for future in as_completed(list(futures)):
            task = futures.pop(future)
            sink.write(task, future.result())
            bar.update(task.stop - task.start)
            future.release()
    finally:
        bar.close()
        if futures:
            client.cancel(list(futures))
