"""Which matters most: Sobol first-order and total indices of chosen outcomes to levers and uncertainties.

The design is SALib's Saltelli extension of a scrambled Sobol' sequence (``SALib.sample.sobol``,
without second-order terms): for ``n`` base samples and ``D`` factors, ``n (D + 2)`` points in the unit
hypercube of quantiles, in blocks ``A``, ``AB_1`` .. ``AB_D``, ``B`` (``AB_i`` is ``A`` with column ``i``
from ``B``). The estimators (Saltelli 2010, Jansen) compare each ``AB_i`` with ``A`` and ``B`` point by
point, so the model's own randomness must be the same at the points compared: each block is one
``sim.run_batch(design=...)`` of ``n`` runs with the same seed, so point ``j`` of every block has the
same run seed (common random numbers) and only the factors differ. The run seed then acts as a
factor that is never resampled: the indices are those of the factors given the model's randomness,
and a factor the outcome cannot depend on gets a total index of exactly 0.

Factors not analysed are held: uncertainties at their distribution's centre, levers at the
scenario's value (a ranged lever at its nominal value). The ranges are those of :mod:`sim.factors`.
"""
from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import xarray as xr

from . import __version__
from .declarations.parameters import UNCERTAINTIES
from .factors import ANALYSIS_OUTCOMES, Factor, appraisal_base_year, factors_of, outcome_values
from .scenario import Scenario

__all__ = ["DEFAULT_OUTCOMES", "join_blocks", "saltelli_design", "sobol_analyse", "sobol_indices", "split_blocks"]

DEFAULT_OUTCOMES = tuple(ANALYSIS_OUTCOMES)


def problem_of(factors: Sequence[Factor]) -> dict:
    """SALib's problem: every factor a quantile in [0, 1]."""
    return {"num_vars": len(factors), "names": [f.name for f in factors], "bounds": [[0.0, 1.0]] * len(factors)}


def saltelli_design(n: int, factors: Sequence[Factor], seed: int) -> np.ndarray:
    """Quantiles of the Saltelli design, float64[n (D + 2), D] in SALib's order (``n`` a power of 2)."""
    from SALib.sample import sobol

    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2 or n & (n - 1):
        raise ValueError(f"n: allowed a power of 2, at least 2 (Sobol' sequence); given {n!r}")
    if not factors:
        raise ValueError("factors: allowed at least one factor; given none")
    return sobol.sample(problem_of(factors), int(n), calc_second_order=False, seed=seed)


def split_blocks(points: np.ndarray, n_factors: int) -> list[np.ndarray]:
    """The design's ``D + 2`` blocks (``A``, ``AB_1`` .. ``AB_D``, ``B``), each float64[n, D]."""
    return [points[k::n_factors + 2] for k in range(n_factors + 2)]


def join_blocks(blocks: Sequence[np.ndarray]) -> np.ndarray:
    """Inverse of :func:`split_blocks` for outputs: block values back in SALib's order."""
    stacked = np.stack([np.asarray(b) for b in blocks], axis=1)  # [n, D + 2, ...]
    return stacked.reshape((-1,) + stacked.shape[2:])


def sobol_analyse(factors: Sequence[Factor], outputs: dict[str, np.ndarray], seed: int = 0,
                  conf_level: float = 0.95, num_resamples: int = 200) -> xr.Dataset:
    """First-order and total Sobol indices of each output (SALib ``sobol.analyze``, bootstrap intervals).

    Parameters
    ----------
    factors : sequence of Factor
    outputs : dict of str to float64[n (D + 2)]
        Each output at the design's points, in SALib's order (:func:`join_blocks`).
    seed : int
        Seed of the bootstrap.
    conf_level : float
    num_resamples : int

    Returns
    -------
    xarray.Dataset
        ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` along (factor, outcome); an output without variance
        (every run the same) has NaN indices and ``output_variance`` 0.
    """
    from SALib.analyze import sobol

    problem = problem_of(factors)
    names = list(outputs)
    shape = (len(factors), len(names))
    result = {key: np.full(shape, np.nan) for key in ("S1", "S1_conf", "ST", "ST_conf")}
    variance = np.zeros(len(names))
    for j, name in enumerate(names):
        y = np.asarray(outputs[name], dtype=float)
        if y.shape != ((len(factors) + 2) * (y.size // (len(factors) + 2)),) or not np.all(np.isfinite(y)):
            raise ValueError(f"outputs[{name!r}]: allowed finite values at the n (D + 2) design points; "
                             f"given shape {y.shape}")
        variance[j] = float(np.var(y))
        if variance[j] == 0.0:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # SALib's bootstrap on a binary output
            indices = sobol.analyze(problem, y, calc_second_order=False, num_resamples=num_resamples,
                                    conf_level=conf_level, seed=seed)
        for key, values in result.items():
            values[:, j] = indices[key]
    level = f"{100 * conf_level:g} %"
    data = {
        "S1": (("factor", "outcome"), result["S1"], {"units": "1", "long_name": "first-order Sobol index"}),
        "S1_conf": (("factor", "outcome"), result["S1_conf"],
                    {"units": "1", "long_name": f"half-width of the {level} bootstrap interval of S1"}),
        "ST": (("factor", "outcome"), result["ST"], {"units": "1", "long_name": "total Sobol index"}),
        "ST_conf": (("factor", "outcome"), result["ST_conf"],
                    {"units": "1", "long_name": f"half-width of the {level} bootstrap interval of ST"}),
        "output_variance": (("outcome",), variance, {"units": "1", "long_name": "variance of the outcome over "
                                                     "the design (in the outcome's units squared)"}),
        "role": (("factor",), np.array([f.role for f in factors]), {"long_name": "lever or uncertainty"}),
        "range": (("factor",), np.array([f.describe() for f in factors]), {"long_name": "range the factor "
                                                                                         "varies over"}),
    }
    coords = {"factor": ("factor", [f.name for f in factors], {"long_name": "lever or uncertainty varied"}),
              "outcome": ("outcome", names, {"long_name": "outcome of a run"})}
    return xr.Dataset(data, coords=coords,
                      attrs={"conf_level": conf_level, "num_resamples": num_resamples,
                             "method": "Saltelli design, Jansen total and Saltelli 2010 first-order estimators "
                                       "(SALib sobol.analyze)"})


def held_values(scenario: Scenario, factors: Sequence[Factor]) -> dict[str, float]:
    """Uncertainties not analysed, held at their distribution's centre (module docstring)."""
    varied = {f.name for f in factors}
    return {p.name: scenario.uncertainties[p.name].centre for p in UNCERTAINTIES if p.name not in varied}


def sobol_indices(scenario: Scenario, factors: Sequence[str] | None = None, n: int = 64, seed: int = 0,
                  outcomes: Sequence[str] = DEFAULT_OUTCOMES, *, scale: float | None = None,
                  store: str | Path | None = None, client=None, workers: int | None = None,
                  conf_level: float = 0.95, num_resamples: int = 200, progress: bool = False) -> xr.Dataset:
    """Sobol indices of ``outcomes`` to ``factors`` of a scenario, over runs of the model on Dask.

    Parameters
    ----------
    scenario : Scenario
    factors : sequence of str, optional
        Levers and uncertainties to vary (default every lever but ``appraisal_discount_rate``, which only
        weighs costs and is held at the scenario's value unless named, and every uncertainty with a range).
    n : int
        Base samples, a power of 2: the design has ``n (D + 2)`` runs.
    seed : int
        Seed of the design, of every block's runs and of the bootstrap.
    outcomes : sequence of str
        Names of :data:`sim.factors.ANALYSIS_OUTCOMES`.
    scale : float, optional
        Population scale of the runs (default the scenario's).
    store : str or Path, optional
        A directory: block ``k`` is written to ``block_k.zarr`` in it, so an interrupted analysis
        rerun with the same arguments computes only the missing runs.
    client, workers
        As in :func:`sim.run_batch`; one cluster serves every block.
    conf_level, num_resamples
        Bootstrap intervals of the indices.
    progress : bool
        A progress bar per block.

    Returns
    -------
    xarray.Dataset
        :func:`sobol_analyse`'s Dataset, with attributes naming the scenario, ``n``, seed, scale and runs.
    """
    from .batch import run_batch
    from .cluster import connect

    chosen = factors_of(scenario, factors)
    outcomes = tuple(outcomes)
    if not outcomes or any(o not in ANALYSIS_OUTCOMES for o in outcomes):
        raise ValueError(f"outcomes: allowed a non-empty list of {list(ANALYSIS_OUTCOMES)}; given {list(outcomes)}")
    blocks = split_blocks(saltelli_design(n, chosen, seed), len(chosen))
    held = held_values(scenario, chosen)
    # the pledge counterfactual's second run feeds none of these outcomes
    scenario = dataclasses.replace(scenario, pledge_counterfactual=False)
    if store is not None:
        Path(store).mkdir(parents=True, exist_ok=True)
    per_block: list[dict[str, np.ndarray]] = []
    with connect(client, workers) as dask_client:
        for k, quantiles in enumerate(blocks):
            design = {f.name: f.values(quantiles[:, i]) for i, f in enumerate(chosen)}
            design.update({name: np.full(n, value) for name, value in held.items()})
            ds = run_batch(scenario, runs=n, seed=seed, design=design, scale=scale, client=dask_client,
                           store=None if store is None else Path(store) / f"block_{k}.zarr", progress=progress)
            values = outcome_values(ds.isel(scenario=0), outcomes, appraisal_base_year(scenario))
            per_block.append({name: v.values for name, v in values.items()})
    outputs = {name: join_blocks([b[name] for b in per_block]) for name in outcomes}
    result = sobol_analyse(chosen, outputs, seed=seed, conf_level=conf_level, num_resamples=num_resamples)
    result = result.assign_coords(outcome_units=("outcome", [ANALYSIS_OUTCOMES[o][0] for o in outcomes],
                                                 {"long_name": "units of the outcome"}))
    result.attrs.update(scenario=scenario.name, sim_version=__version__, n=int(n), seed=int(seed),
                        runs=int(n * (len(chosen) + 2)),
                        scale=float(scenario.scale if scale is None else scale),
                        title=f"Sobol indices of scenario {scenario.name}", Conventions="CF-1.10",
                        held="uncertainties not varied at their distribution's centre; levers not varied at "
                             "the scenario's value")
    return result


def plot_indices(result: xr.Dataset, outcome: str, path: str | Path | None = None, top: int = 15):
    """Bar chart of the ``top`` factors' total and first-order indices for one outcome (with intervals).

    Returns the matplotlib Figure; written to ``path`` if given.
    """
    from .report import plain_text, pyplot

    plt = pyplot()
    one = result.sel(outcome=outcome)
    order = np.argsort(-np.nan_to_num(one["ST"].values, nan=-1.0))[:top][::-1]
    names = one["factor"].values[order]
    with plain_text():
        fig, ax = plt.subplots(figsize=(7, 0.35 * len(order) + 1.5))
        y = np.arange(len(order))
        ax.barh(y + 0.2, one["ST"].values[order], height=0.4, xerr=one["ST_conf"].values[order],
                label="total (ST)", color="tab:blue")
        ax.barh(y - 0.2, one["S1"].values[order], height=0.4, xerr=one["S1_conf"].values[order],
                label="first order (S1)", color="tab:orange")
        ax.set_yticks(y, names)
        ax.set_xlabel("share of the outcome's variance (1)")
        ax.set_title(f"What matters most for {outcome}")
        ax.legend(loc="lower right")
        fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=120)
    return fig
