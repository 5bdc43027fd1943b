"""Scenario discovery: the boxes of levers and uncertainties where a target is met with a chosen probability.

PRIM (Friedman and Fisher 1999) peels a box from the whole sample, a little at a time along one
factor, keeping the peel that most raises the share of runs in the box where the target is met (the
box's *density*), until the box holds too few runs; it then pastes back where that helps. Each point
of this peeling trajectory is a box with a *coverage* (share of all target-meeting runs inside it) and
a density. Of the trajectory's boxes with density at least ``threshold``, the one kept is the one with
the highest coverage; the runs inside it are then removed and a next box is sought, up to
``max_boxes`` or until no box reaches the threshold.

The implementation is EMA Workbench's (``ema_workbench.analysis.prim``, BSD-3, maintained at TU
Delft, the reference implementation of scenario discovery in exploratory modelling); the ``PRIM``
package of Project Platypus is GPL-3 (this project is MIT) and has had no release since 2020.
"""
from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from . import __version__

__all__ = ["discover", "factor_table", "plot_peeling", "prim_boxes"]


def factor_table(ds: xr.Dataset, scenario: str | None = None) -> pd.DataFrame:
    """The levers and uncertainties that vary along ``run`` in one scenario of a batch, one row per run.

    Variables with attribute ``role`` ("lever" or "uncertainty") along (scenario, run) that take more
    than one value; choice levers become pandas categoricals.
    """
    one = _scenario(ds, scenario)
    columns = {}
    for name, var in one.data_vars.items():
        if var.attrs.get("role") in ("lever", "uncertainty") and var.dims == ("run",):
            values = var.values
            if len(np.unique(values)) > 1:
                columns[name] = pd.Categorical(values) if values.dtype.kind in "OUS" else values.astype(float)
    if not columns:
        raise ValueError("batch: allowed a batch with levers or uncertainties that vary along run; given none")
    return pd.DataFrame(columns)


def prim_boxes(x: pd.DataFrame, y: np.ndarray, threshold: float, max_boxes: int = 3, peel_alpha: float = 0.05,
               mass_min: float = 0.05) -> xr.Dataset:
    """PRIM boxes of ``y`` (bool per row of ``x``) with density at least ``threshold``.

    Returns
    -------
    xarray.Dataset
        Along ``box``: ``coverage``, ``density``, ``mass``, ``box_low``/``box_high`` (box, factor)
        bounds of numeric factors (NaN where the box does not restrict it), ``box_choices``
        (box, factor) the choices kept of a categorical factor, ``restricted`` (box, factor); along
        (box, step) the peeling trajectory ``trajectory_coverage``, ``trajectory_density``,
        ``trajectory_mass``, ``trajectory_restricted``, and ``selected_step`` per box.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the workbench warns on import that ipyparallel is missing
        from ema_workbench.analysis import prim

    y = np.asarray(y, dtype=bool)
    if y.shape != (len(x),):
        raise ValueError(f"y: allowed one flag per row of x ({len(x)}); given shape {y.shape}")
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold: allowed a probability in (0, 1]; given {threshold!r}")
    boxes = []
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", module="ema_workbench")  # its pandas deprecations, not ours
        finder = prim.Prim(x, y, threshold=threshold, peel_alpha=peel_alpha, mass_min=mass_min) if y.any() else None
        for _ in range(max_boxes if finder is not None else 0):
            box = finder.find_box()
            if box is None or box.peeling_trajectory["density"].iloc[-1] < threshold or box.coverage == 0:
                break
            boxes.append(box)
    return _box_dataset(x, boxes, threshold)


def _box_dataset(x: pd.DataFrame, boxes: list, threshold: float) -> xr.Dataset:
    names = list(x.columns)
    n_box, n_step = len(boxes), max([len(b.peeling_trajectory) for b in boxes], default=0)
    low, high = np.full((n_box, len(names)), np.nan), np.full((n_box, len(names)), np.nan)
    choices = np.full((n_box, len(names)), "", dtype=object)
    restricted = np.zeros((n_box, len(names)), dtype=bool)
    summary = {k: np.full(n_box, np.nan) for k in ("coverage", "density", "mass")}
    trajectory = {k: np.full((n_box, n_step), np.nan) for k in ("coverage", "density", "mass", "res_dim")}
    selected = np.zeros(n_box, dtype=np.int64)
    for b, box in enumerate(boxes):
        steps = box.peeling_trajectory
        for key, values in trajectory.items():
            values[b, :len(steps)] = steps[key].values
        dense = np.flatnonzero(steps["density"].values >= threshold)
        pick = int(dense[np.argmax(steps["coverage"].values[dense])])  # first of the highest coverage
        selected[b] = pick
        for key, values in summary.items():
            values[b] = float(steps[key].values[pick])
        lims, initial = box.box_lims[pick], box.prim.box_init
        for j, name in enumerate(names):
            if isinstance(x[name].dtype, pd.CategoricalDtype):
                kept, allowed = set(lims[name].iloc[0]), set(initial[name].iloc[0])
                restricted[b, j] = kept != allowed
                choices[b, j] = "|".join(sorted(map(str, kept)))
            else:
                lo, hi = float(lims[name].iloc[0]), float(lims[name].iloc[1])
                restricted[b, j] = lo > float(initial[name].iloc[0]) or hi < float(initial[name].iloc[1])
                if restricted[b, j]:
                    low[b, j], high[b, j] = lo, hi
    box_dims, traj_dims = ("box", "factor"), ("box", "step")
    data = {
        "coverage": (("box",), summary["coverage"], {"units": "1", "long_name": "share of the runs meeting the "
                                                     "target that fall in the box"}),
        "density": (("box",), summary["density"], {"units": "1", "long_name": "share of the box's runs that "
                                                   "meet the target (probability in the box)"}),
        "mass": (("box",), summary["mass"], {"units": "1", "long_name": "share of all runs in the box"}),
        "box_low": (box_dims, low, {"units": "1", "long_name": "lower bound of the box (NaN: not restricted), in "
                                    "the factor's units"}),
        "box_high": (box_dims, high, {"units": "1", "long_name": "upper bound of the box (NaN: not restricted), "
                                      "in the factor's units"}),
        "box_choices": (box_dims, choices.astype(str), {"long_name": "choices kept by the box, '|'-separated "
                                                        "(categorical factors)"}),
        "restricted": (box_dims, restricted, {"units": "1", "long_name": "the box restricts the factor"}),
        "selected_step": (("box",), selected, {"units": "1", "long_name": "step of the peeling trajectory kept"}),
    }
    for key, meaning in (("coverage", "coverage"), ("density", "density"), ("mass", "mass"),
                         ("res_dim", "factors restricted")):
        data[f"trajectory_{'restricted' if key == 'res_dim' else key}"] = (
            traj_dims, trajectory[key], {"units": "1", "long_name": f"{meaning} along the peeling trajectory"})
    coords = {"box": ("box", np.arange(n_box), {"long_name": "PRIM box, in the order found"}),
              "factor": ("factor", names, {"long_name": "lever or uncertainty"}),
              "step": ("step", np.arange(n_step), {"long_name": "step of the peeling trajectory"})}
    return xr.Dataset(data, coords=coords, attrs={"threshold": threshold,
                                                  "method": "PRIM, ema_workbench.analysis.prim"})


def discover(ds: xr.Dataset, outcomes: Sequence[str] = ("target_2030_met", "climate_positive_2045"),
             threshold: float = 0.8, scenario: str | None = None, max_boxes: int = 3) -> xr.Dataset:
    """PRIM boxes where each outcome flag holds with probability at least ``threshold``, in one batch.

    Parameters
    ----------
    ds : xarray.Dataset
        A batch (:func:`sim.run_batch`) whose levers or uncertainties vary along ``run``.
    outcomes : sequence of str
        0/1 variables along (scenario, run) of the batch.
    threshold : float
        The density (probability of the outcome inside a box) a box must reach.
    scenario : str, optional
        The batch's scenario (default its only one).
    max_boxes : int

    Returns
    -------
    xarray.Dataset
        :func:`prim_boxes`'s variables along ``outcome`` too (padded with NaN where an outcome has
        fewer boxes or steps), ``runs_meeting`` and ``runs`` per outcome.
    """
    x = factor_table(ds, scenario)
    one = _scenario(ds, scenario)
    found = []
    for outcome in outcomes:
        if outcome not in one or one[outcome].dims != ("run",):
            raise ValueError(f"outcomes: allowed 0/1 variables along (scenario, run) of the batch; given {outcome!r}")
        y = one[outcome].values.astype(float)
        result = prim_boxes(x, y > 0.5, threshold, max_boxes)
        result["runs_meeting"] = ((), int(np.sum(y > 0.5)), {"units": "1", "long_name": "runs meeting the outcome"})
        found.append(result)
    names = xr.DataArray(np.array(list(outcomes), dtype=str), dims="outcome", name="outcome")
    out = xr.concat(found, dim=names, join="outer", fill_value={
        "box_choices": "", "restricted": False, "selected_step": -1})
    out["runs"] = ((), len(x), {"units": "1", "long_name": "runs in the batch's scenario"})
    out["outcome"].attrs["long_name"] = "target flag"
    out.attrs.update(threshold=threshold, sim_version=__version__, scenario=str(one["scenario"].values),
                     Conventions="CF-1.10", title="PRIM scenario discovery", method="PRIM, ema_workbench.analysis.prim")
    return out


def _scenario(ds: xr.Dataset, scenario: str | None) -> xr.Dataset:
    if "scenario" not in ds.dims:
        return ds
    if scenario is None:
        if ds.sizes["scenario"] != 1:
            raise ValueError(f"scenario: allowed one of {list(ds['scenario'].values)} for a batch of several")
        return ds.isel(scenario=0)
    return ds.sel(scenario=scenario)


def plot_peeling(result: xr.Dataset, outcome: str, path: str | Path | None = None):
    """Coverage against density along each box's peeling trajectory, the kept box marked.

    Returns the matplotlib Figure; written to ``path`` if given.
    """
    from .report import plain_text, pyplot

    plt = pyplot()
    one = result.sel(outcome=outcome) if "outcome" in result.dims else result
    with plain_text():
        fig, ax = plt.subplots(figsize=(6.5, 4.5))
        for b in range(one.sizes["box"]):
            cov, den = one["trajectory_coverage"].values[b], one["trajectory_density"].values[b]
            if np.all(np.isnan(cov)):
                continue
            points = ax.scatter(cov, den, c=one["trajectory_restricted"].values[b], cmap="viridis", s=18, vmin=0,
                                vmax=one.sizes["factor"])
            step = int(one["selected_step"].values[b])
            ax.plot(cov[step], den[step], "o", mfc="none", mec="red", ms=12)
            ax.annotate(f"box {b}", (cov[step], den[step]), textcoords="offset points", xytext=(8, 6))
            if b == 0:
                fig.colorbar(points, ax=ax, label="factors restricted")
        ax.axhline(float(result.attrs["threshold"]), color="grey", ls="--", lw=1, label="density threshold")
        ax.set_xlabel("coverage: share of the runs meeting it inside the box (1)")
        ax.set_ylabel("density: probability inside the box (1)")
        ax.set_title(f"PRIM peeling trajectory: {outcome}")
        ax.set_xlim(0, 1.02)
        ax.set_ylim(0, 1.02)
        ax.legend(loc="lower left")
        fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=120)
    return fig
