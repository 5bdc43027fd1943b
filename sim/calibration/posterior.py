"""Posterior files (``calibration/posterior_<name>.nc``) and batches that draw from them.

A posterior file holds the last generation's particles (``sample``, ``weight``, ``distance``), the
points fitted (``observed_*``) and their noise, the tolerances, and in its attributes the library and
its version, the scenario, the scale and the seed (:func:`sim.calibration.fit.calibrate`). A batch
drawing from it resamples whole particles by weight, so the fitted parameters keep their joint
distribution (their correlation); the unfitted uncertainties are drawn from their ranges as usual.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import xarray as xr

from ..declarations.parameters import BY_NAME

REQUIRED = ("sample", "weight", "distance", "observed_series", "observed_year", "observed_value")
"""Variables every posterior file has."""


def write_posterior(posterior: xr.Dataset, path: str | Path) -> Path:
    """Write a posterior as NetCDF (h5netcdf); returns the path."""
    path = Path(path)
    if path.suffix != ".nc":
        raise ValueError(f"path: allowed a file ending in .nc; given {str(path)!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    posterior.to_netcdf(path, engine="h5netcdf")
    return path


def read_posterior(path: str | Path) -> xr.Dataset:
    """Read and check a posterior file.

    Raises
    ------
    ValueError
        Naming the file and the field: a missing variable, weights that are not non-negative with a
        positive sum, or a parameter that is not an uncertainty.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{path}: field 'parameters': allowed 'prior' or a posterior file (.nc); no such file")
    with xr.open_dataset(path, engine="h5netcdf") as opened:
        ds = opened.load()
    for name in REQUIRED:
        if name not in ds:
            raise ValueError(f"{path}: field {name!r}: allowed a posterior file from sim.calibrate; it is missing")
    w = ds["weight"].values
    if not (np.all(np.isfinite(w)) and np.all(w >= 0) and w.sum() > 0):
        raise ValueError(f"{path}: field 'weight': allowed non-negative weights with a positive sum")
    for name in ds["parameter"].values.astype(str):
        if name not in BY_NAME or BY_NAME[name].role != "uncertainty":
            raise ValueError(f"{path}: field 'parameter': allowed uncertainties of sim.declarations.parameters; "
                             f"given {name!r}")
    return ds


def posterior_design(posterior: xr.Dataset, runs: int, seed: int) -> dict[str, np.ndarray]:
    """A :func:`sim.run_batch` design: ``runs`` particles resampled by weight (multinomial, seeded).

    Whole particles are drawn, so the fitted parameters keep their joint distribution.
    """
    w = posterior["weight"].values.astype(float)
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 0x9057]))
    rows = rng.choice(w.size, size=int(runs), replace=True, p=w / w.sum())
    sample = posterior["sample"].values
    return {str(name): sample[rows, k].astype(float) for k, name in enumerate(posterior["parameter"].values)}


POSTERIOR_ROOT = Path(__file__).resolve().parents[2] / "calibration"
"""Folder of the shipped posteriors: ``posterior_<municipality>.nc``, one per municipality that has a fit."""


def shipped_posterior(municipality: str | Path) -> Path | None:
    """The shipped posterior of a municipality (its data folder's name), or None if it has none."""
    path = POSTERIOR_ROOT / f"posterior_{Path(municipality).name}.nc"
    return path if path.is_file() else None


POOLED = "contract_cities"
"""Name of the shipped pooled posterior of the contract cities (``posterior_contract_cities.nc``)."""


def default_parameters(municipalities: Sequence[str | Path]) -> Path | str:
    """What a batch draws from by default: the shipped posterior of its one municipality if it has its own;
    else, when every municipality is a contract city, the pooled posterior of the contract cities (their
    shared behavioural parameters fitted to all their histories); else ``"prior"``."""
    from ..contract_cities import contract_cities

    names = {Path(m).name for m in municipalities}
    own = shipped_posterior(next(iter(names))) if len(names) == 1 else None
    if own is not None:
        return own
    pooled = shipped_posterior(POOLED)
    if pooled is not None and names and names <= set(contract_cities()):
        return pooled
    return "prior"


def _shown_path(path: Path) -> str:
    """A posterior file as a result states it: relative to the repository for a shipped one (the same on every
    machine), else as given."""
    try:
        return str(Path(path).resolve().relative_to(POSTERIOR_ROOT.parent))
    except ValueError:
        return str(path)


def parameters_design(parameters: str | Path, design: Mapping[str, Sequence] | None, runs: int,
                      seed: int, municipalities: Sequence[str | Path] = ()
                      ) -> tuple[Mapping[str, Sequence] | None, dict[str, str]]:
    """The design of a batch with ``parameters``, and the result's attributes that say where they came from.

    ``parameters`` is "default" (:func:`default_parameters` of ``municipalities``), "posterior" (what
    "default" gives, but an error if that is the prior), "prior" or a posterior file.
    The batch's own design wins over the posterior for any parameter it names.

    Returns
    -------
    (design, attrs)
        ``attrs["parameter_source"]`` is "posterior" or "prior"; from a posterior also
        ``posterior_file`` (the file), ``posterior_parameters`` (the uncertainties drawn from it, comma
        separated) and ``posterior_fit`` (what was fitted: the posterior's title and fitted years).
    """
    if isinstance(parameters, str) and parameters in ("default", "posterior"):
        chosen = default_parameters(municipalities)
        if parameters == "posterior" and chosen == "prior":
            names = sorted({Path(m).name for m in municipalities})
            raise ValueError(f"field 'parameters': allowed 'posterior' for a batch of one municipality with a "
                             f"shipped posterior ({POSTERIOR_ROOT}/posterior_<municipality>.nc) or of contract "
                             f"cities (posterior_{POOLED}.nc); given municipalities {names}")
        parameters = chosen
    if isinstance(parameters, str) and parameters == "prior":
        return design, {"parameter_source": "prior"}
    posterior = read_posterior(parameters)
    drawn = posterior_design(posterior, runs, seed)
    fitted = [name for name in drawn if name not in (design or {})]
    drawn.update(design or {})
    fit = "; fitted to ".join(str(posterior.attrs[k]) for k in ("title", "fitted_years") if k in posterior.attrs)
    return drawn, {"parameter_source": "posterior", "posterior_file": _shown_path(Path(parameters)),
                   "posterior_parameters": ", ".join(fitted), "posterior_fit": fit}
