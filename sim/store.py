"""Result files: single results written atomically; batch stores written run by run, resumable,
checksummed (damaged data named and recomputed) and locked against a second writer."""
from __future__ import annotations

import contextlib
import dataclasses
import inspect
import json
import logging
import os
import shutil
from pathlib import Path

import numpy as np
import xarray as xr

from .checksums import CHECKSUM_ATTRIBUTE, digest, with_checksum_attributes

LOG = logging.getLogger(__name__)

RUN_CHECKSUM = "run_checksum"
"""Store variable (scenario, run, checksummed): digest of each run's values of each variable along
(scenario, run), written with the run's data and checked before its ``done`` flag counts."""

STATIC_CHECKSUM = "static_checksum"
"""Store variable (static): digest of each whole array not along (scenario, run) (coordinates, the
sample, levers, summaries), written with the array."""

_BOOKKEEPING = ("done", RUN_CHECKSUM, STATIC_CHECKSUM)


def write_dataset(ds: xr.Dataset, path: str | Path) -> Path:
    """Write ``ds`` to ``path`` (``.nc`` NetCDF4 via h5netcdf, or ``.zarr``).

    The file is written under a temporary name beside the target and renamed
    into place, so a crash leaves either the old file or the new one. An existing
    ``path`` is replaced only if sim wrote it (:func:`check_replaceable`).
    """
    path = Path(path)
    if path.suffix not in (".nc", ".zarr"):
        raise ValueError(f"{path}: field 'out': allowed a path ending in .nc or .zarr; given {path.suffix!r}")
    check_replaceable(path)
    ds = with_checksum_attributes(ds)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial-{os.getpid()}")
    try:
        if path.suffix == ".nc":
            ds.to_netcdf(partial, engine="h5netcdf")
        else:
            ds.to_zarr(partial, mode="w")
        if path.is_dir():
            shutil.rmtree(path)
        os.replace(partial, path)
    except BaseException:
        _remove_quietly(partial)
        raise
    return path


def verify_checksum_attributes(ds: xr.Dataset, path: str | Path) -> xr.Dataset:
    """Check and remove the :data:`CHECKSUM_ATTRIBUTE` of every variable (:class:`StoreDamagedError`)."""
    damaged = []
    for name, var in ds.variables.items():
        held = var.attrs.pop(CHECKSUM_ATTRIBUTE, None)
        if held is not None and held != f"{int(digest(var.values)):016x}":
            damaged.append(str(name))
    if damaged:
        raise StoreDamagedError(path, "checksums do not match for variable(s) " + ", ".join(damaged)
                                + ". Rerun the 'sim run' command that wrote it.")
    return ds


def _remove_quietly(path: Path) -> None:
    """Remove a temporary file or directory of ours, if any; its own errors are not reported.

    Called while another error propagates: that error (a disk full, say) is what the user must see.
    """
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        elif path.exists() or path.is_symlink():
            path.unlink()
    except OSError:
        pass


class ForeignPathError(ValueError):
    """An output path that exists and was not written by sim: it is never deleted or overwritten."""

    def __init__(self, path: str | Path, kind: str):
        self.path = str(path)
        super().__init__(f"{path}: field 'out': allowed a new path or a result written by sim (with a "
                         f"'sim_version' attribute); given an existing {kind} not made by sim. Refusing to "
                         "replace it: choose another path or move it away.")


def made_by_sim(path: str | Path) -> bool:
    """Whether ``path`` is a NetCDF file or a Zarr store carrying sim's ``sim_version`` attribute.

    Whatever the suffix: a file is read as NetCDF4/HDF5, a directory as a Zarr group. Anything
    unreadable counts as not made by sim.
    """
    path = Path(path)
    try:
        if path.is_file():
            with xr.open_dataset(path, engine="h5netcdf", decode_cf=False) as ds:
                return "sim_version" in ds.attrs
        if path.is_dir():
            import zarr

            return "sim_version" in zarr.open_group(str(path), mode="r").attrs
    except Exception:
        return False
    return False


def check_replaceable(path: str | Path) -> None:
    """Refuse (:class:`ForeignPathError`) an existing ``path`` that sim did not write.

    A path that does not exist, or a result of sim (see :func:`made_by_sim`), passes.
    """
    path = Path(path)
    if not path.exists() and not path.is_symlink():
        return
    if not made_by_sim(path):
        kind = "directory" if path.is_dir() else "file" if path.is_file() else "path"
        raise ForeignPathError(path, kind)


class StoreMismatchError(ValueError):
    """A batch store made by another call (scenarios, seed, runs, sampler, scale or version).

    The message names the store, the field, what the store holds and what was given.
    """

    def __init__(self, path: str | Path, field_name: str, held, given):
        self.path, self.field, self.held, self.given = str(path), field_name, held, given
        super().__init__(f"{path}: field '{field_name}': the store holds {held!r}; given {given!r}. "
                         "Rerun with the store's settings, or use another store (or delete this one) "
                         "to start over.")


class IncompleteStoreError(ValueError):
    """A batch store whose runs are not all finished."""


class StoreDamagedError(ValueError):
    """Result data that fail their checksums or cannot be decoded; the message names them."""

    def __init__(self, path: str | Path, what: str):
        self.path = str(path)
        super().__init__(f"{path}: damaged data: {what}")


@dataclasses.dataclass
class Damage:
    """What :meth:`ZarrSink.verify` found.

    Attributes
    ----------
    runs : dict of str -> bool[n_scenarios, runs]
        Per variable, the finished runs whose values fail their checksum or cannot be decoded.
    chunks : set of (str, int, int, int)
        Undecodable chunks as (variable, scenario, first run, stop run): rewritten whole on repair.
    static : list of str
        Arrays not along (scenario, run) that fail their checksum or cannot be decoded.
    """

    runs: dict[str, np.ndarray]
    chunks: set[tuple[str, int, int, int]]
    static: list[str]

    def __bool__(self) -> bool:
        return bool(self.static) or any(mask.any() for mask in self.runs.values())

    def describe(self, scenarios: list[str]) -> str:
        """One line: each damaged variable with its runs, by scenario."""
        parts = []
        for name, mask in self.runs.items():
            for s in range(mask.shape[0]):
                if mask[s].any():
                    parts.append(f"{name} {_runs(np.flatnonzero(mask[s]))} of scenario {scenarios[s]!r}")
        parts += [f"{name} (whole array)" for name in self.static]
        return "; ".join(parts)


def _runs(runs: np.ndarray) -> str:
    """``[0, 1, 2, 5]`` -> ``'runs 0-2, 5'``; ``[3]`` -> ``'run 3'``."""
    breaks = np.flatnonzero(np.diff(runs) != 1) + 1
    ranges = ", ".join(f"{b[0]}" if b.size == 1 else f"{b[0]}-{b[-1]}" for b in np.split(runs, breaks))
    return ("run " if runs.size == 1 else "runs ") + ranges


def with_checksum_variables(template: xr.Dataset) -> xr.Dataset:
    """``template`` with :data:`RUN_CHECKSUM` and :data:`STATIC_CHECKSUM` of its own values.

    Every variable along (scenario, run) but ``done`` is checksummed run by run, every other
    array (coordinates included) whole; the names are kept in the variables' ``variables`` attribute.
    """
    run_names = [str(n) for n, v in template.data_vars.items()
                 if v.dims[:2] == ("scenario", "run") and n not in _BOOKKEEPING]
    static_names = [str(n) for n in template.variables if n not in run_names and n not in _BOOKKEEPING]
    n_s, runs = template.sizes["scenario"], template.sizes["run"]
    sums = np.zeros((n_s, runs, len(run_names)), dtype=np.uint64)
    for k, name in enumerate(run_names):
        values = template.variables[name].values
        sums[:, :, k] = [[digest(values[s, r]) for r in range(runs)] for s in range(n_s)]
    static = np.array([digest(template.variables[n].values) for n in static_names], dtype=np.uint64)
    return template.assign({
        RUN_CHECKSUM: (("scenario", "run", "checksummed"), sums,
                       {"units": "1", "variables": run_names,
                        "long_name": "BLAKE2b-64 digest of each run's values of each variable in 'variables'"}),
        STATIC_CHECKSUM: (("static",), static,
                          {"units": "1", "variables": static_names,
                           "long_name": "BLAKE2b-64 digest of each whole array in 'variables'"}),
    })


class ZarrSink:
    """A batch's Zarr store, written as tasks finish by this process alone (see :func:`sim.store_lock.store_lock`).

    Layout: the batch Dataset of :func:`sim.batch_template.build_template`, chunked along
    ``run`` (one scenario per chunk), plus ``done`` (scenario, run) and the checksums
    :data:`RUN_CHECKSUM` and :data:`STATIC_CHECKSUM` (:func:`with_checksum_variables`).
    A task's outputs and their checksums are written first, read back and verified, and its
    ``done`` flags last, each chunk file by an atomic rename (zarr's local store), so a kill at
    any moment leaves runs either done with all their data or not done. A finished run counts
    only while its checksums match (:meth:`verify`). The store is created under a temporary
    name and renamed into place, so it exists only whole.
    """

    def __init__(self, path: Path, mode: str = "r+"):
        import zarr

        self.path = path
        self.group = zarr.open_group(str(path), mode=mode)

    @classmethod
    def open_or_create(cls, path: str | Path, template: xr.Dataset, metadata: dict, chunk: int) -> ZarrSink:
        """Open the store of this batch and repair what is damaged, or create it.

        The caller holds :func:`sim.store_lock.store_lock`.
        """
        path = Path(path)
        if path.suffix != ".zarr":
            raise ValueError(f"{path}: field 'store': allowed a path ending in .zarr; given {path.suffix!r}")
        template = with_checksum_variables(template)
        if path.exists():
            check_metadata(path, metadata)
            for partial in path.rglob("*.partial"):  # temporary files of a killed write
                partial.unlink(missing_ok=True)
            sink = cls(path)
            sink.repair(template)
            return sink
        path.parent.mkdir(parents=True, exist_ok=True)
        for stale in path.parent.glob(f".{path.name}.partial-*"):  # left by a process killed while creating
            shutil.rmtree(stale, ignore_errors=True)
        partial = path.with_name(f".{path.name}.partial-{os.getpid()}")
        encoding = {}
        for name, var in template.data_vars.items():
            if var.dims[:2] == ("scenario", "run"):
                encoding[name] = {"chunks": (1, min(chunk, var.shape[1])) + var.shape[2:]}
        # Zarr format 2: a stable specification for every dtype used here (format 3 has none for strings yet)
        version = {"zarr_format": 2} if "zarr_format" in inspect.signature(xr.Dataset.to_zarr).parameters else {}
        try:
            template.to_zarr(partial, mode="w-", encoding=encoding, consolidated=True, **version)
            os.replace(partial, path)
        except BaseException:
            _remove_quietly(partial)  # a disk full must be reported as such, not as the cleanup's error
            raise
        return cls(path)

    @property
    def scenarios(self) -> list[str]:
        return [str(x) for x in self.group["scenario"][...]]

    def _checksummed(self, name: str) -> list[str]:
        return list(self.group[name].attrs["variables"])

    def missing(self):
        return self.group["done"][...] == 0

    def write(self, task, arrays: dict) -> None:
        """Write a task's outputs and checksums, verify them as read back, then flag its runs done."""
        region = (task.scenario, slice(task.start, task.stop))
        names = self._checksummed(RUN_CHECKSUM)
        sums = self.group[RUN_CHECKSUM][region]
        written = {}
        for name, values in arrays.items():
            array = written[name] = self.group[name]
            values = np.asarray(values, dtype=array.dtype)
            array[region] = values
            sums[:, names.index(name)] = [digest(run) for run in values]
        self.group[RUN_CHECKSUM][region] = sums
        for name, array in written.items():  # read back: what the store holds, not what was sent
            held = np.array([digest(run) for run in array[region]], dtype=np.uint64)
            bad = held != sums[:, names.index(name)]
            if bad.any():
                runs = np.flatnonzero(bad) + task.start
                raise StoreDamagedError(self.path, f"{name} {_runs(runs)} of scenario "
                                                   f"{self.scenarios[task.scenario]!r} read back differ from "
                                                   "what was written")
        self.group["done"][region] = 1  # last: the runs count as done only now

    def _read_chunks(self, name: str, damage: Damage, mask: np.ndarray | None = None) -> np.ndarray:
        """The whole of a run-chunked array; a chunk that cannot be decoded is NaN/0 and noted in ``damage``.

        ``mask`` (bool[n_scenarios, runs], updated in place) marks the runs of the undecodable chunks.
        """
        array = self.group[name]
        with contextlib.suppress(Exception):  # a codec's error on damaged bytes: find the chunks, one by one
            return array[...]
        step = array.chunks[1]
        out = np.zeros(array.shape, dtype=array.dtype)
        for s in range(array.shape[0]):
            for start in range(0, array.shape[1], step):
                stop = min(start + step, array.shape[1])
                try:
                    out[s, start:stop] = array[s, start:stop]
                except Exception:
                    damage.chunks.add((name, s, start, stop))
                    if mask is not None:
                        mask[s, start:stop] = True
        return out

    def verify(self) -> Damage:
        """Check every finished run's values against its checksums, and every other array whole."""
        damage = Damage({}, set(), [])
        shape = self.group["done"].shape
        done_lost = np.zeros(shape, dtype=bool)
        done = self._read_chunks("done", damage, done_lost).astype(bool)
        if done_lost.any():
            damage.runs["done"] = done_lost
        sums_lost = np.zeros(shape, dtype=bool)
        sums = self._read_chunks(RUN_CHECKSUM, damage, sums_lost)
        if (sums_lost & done).any():
            damage.runs[RUN_CHECKSUM] = sums_lost & done
        for k, name in enumerate(self._checksummed(RUN_CHECKSUM)):
            lost = np.zeros(shape, dtype=bool)
            values = self._read_chunks(name, damage, lost)
            held = np.array([[digest(values[s, r]) for r in range(shape[1])] for s in range(shape[0])],
                            dtype=np.uint64).reshape(shape)
            bad = done & ~sums_lost & (lost | (held != sums[:, :, k]))
            if bad.any():
                damage.runs[name] = bad
        try:
            static = self.group[STATIC_CHECKSUM][...]
        except Exception:
            static = None
            damage.static.append(STATIC_CHECKSUM)
        for k, name in enumerate(self._checksummed(STATIC_CHECKSUM)):
            try:
                ok = static is not None and digest(self.group[name][...]) == static[k]
            except Exception:
                ok = False
            if not ok and static is not None:
                damage.static.append(name)
        return damage

    def check(self) -> None:
        """Raise :class:`StoreDamagedError` naming the damaged variables and runs, if any."""
        damage = self.verify()
        if damage:
            raise StoreDamagedError(self.path, damage.describe(self.scenarios) + ". Rerun the same 'sim run' "
                                    "command to recompute them.")

    def repair(self, template: xr.Dataset) -> None:
        """Make damaged runs unfinished (so that they are recomputed) and rewrite damaged static arrays.

        ``template`` is the store's Dataset as created (with its checksum variables).
        """
        damage = self.verify()
        if not damage:
            return
        LOG.warning("sim: %s: recomputing damaged data: %s", self.path, damage.describe(self.scenarios))
        for name, s, start, stop in sorted(damage.chunks):  # undecodable: rewritten whole, never read
            self.group[name][s, start:stop] = template[name].values[s, start:stop]
        lost = np.zeros(self.group["done"].shape, dtype=bool)
        for mask in damage.runs.values():
            lost |= mask
        done = self.group["done"][...]
        done[lost] = 0
        self.group["done"][...] = done
        names = self._checksummed(STATIC_CHECKSUM)
        for name in damage.static:
            self.group[name][...] = template[name].values
        if damage.static:
            self.group[STATIC_CHECKSUM][...] = template[STATIC_CHECKSUM].values
            self._update_static([n for n in names if n not in damage.static])

    def _update_static(self, names: list[str]) -> None:
        """Set the static checksums of ``names`` to what the store holds."""
        sums = self.group[STATIC_CHECKSUM][...]
        order = self._checksummed(STATIC_CHECKSUM)
        for name in names:
            sums[order.index(name)] = digest(self.group[name][...])
        self.group[STATIC_CHECKSUM][...] = sums

    def result(self) -> xr.Dataset:
        """The verified batch Dataset, without its bookkeeping variables."""
        self.check()
        ds = xr.open_zarr(self.path, chunks=None).load()
        ds.close()
        return ds.drop_vars(_BOOKKEEPING)

    def write_summaries(self, ds: xr.Dataset) -> None:
        from .summary import SUMMARY_VARIABLES

        for name in SUMMARY_VARIABLES:
            self.group[name][...] = ds[name].values
        self._update_static(list(SUMMARY_VARIABLES))


def check_metadata(path: Path, metadata: dict) -> None:
    """Refuse a store that was not made by the same batch call (:class:`StoreMismatchError`)."""
    import zarr

    try:
        attrs = dict(zarr.open_group(str(path), mode="r").attrs)
    except Exception as error:
        raise StoreMismatchError(path, "(store)", f"no readable Zarr group ({type(error).__name__})",
                                 "a batch store") from None
    if "sim_batch" not in attrs:
        raise StoreMismatchError(path, "sim_batch", "no batch metadata (not made by sim.run_batch)",
                                 "a batch store")
    held = json.loads(attrs["sim_batch"])
    for field_name, given in metadata.items():
        if held.get(field_name) != given:
            raise StoreMismatchError(path, field_name, held.get(field_name), given)


def open_results(path: str | Path, allow_partial: bool = False) -> xr.Dataset:
    """Read a batch result (``.zarr`` store or ``.nc`` file) into memory, its checksums verified.

    A store with unfinished runs raises :class:`IncompleteStoreError`, unless
    ``allow_partial``: then the Dataset keeps the ``done`` flags and its
    summaries are recomputed over the finished runs. Data that fail their checksums
    or cannot be decoded raise :class:`StoreDamagedError`, naming the variables (and runs).
    """
    from .cities import by_municipality
    from .summary import summarize

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: field 'results': allowed an existing .zarr store or .nc file; "
                                "given a path that does not exist")
    if path.suffix not in (".zarr", ".nc"):
        raise ValueError(f"{path}: field 'results': allowed a path ending in .zarr or .nc; given {path.suffix!r}")
    if path.suffix == ".zarr" and path.is_dir():
        import zarr

        if RUN_CHECKSUM in zarr.open_group(str(path), mode="r"):
            ZarrSink(path, mode="r").check()
    try:
        if path.suffix == ".nc":
            ds = xr.load_dataset(path, engine="h5netcdf")
        else:
            with xr.open_zarr(path, chunks=None) as lazy:  # numpy, not dask: never computed on a cluster
                ds = lazy.load()
    except Exception as error:
        raise StoreDamagedError(path, f"cannot be decoded ({type(error).__name__}: {error})") from None
    ds = verify_checksum_attributes(ds, path).drop_vars([n for n in (RUN_CHECKSUM, STATIC_CHECKSUM) if n in ds])
    if "done" not in ds:
        return by_municipality(ds)
    done = ds["done"].values.astype(bool)
    if done.all():
        return by_municipality(ds.drop_vars("done"))
    if not allow_partial:
        raise IncompleteStoreError(f"{path}: field 'done': allowed a finished batch; given {int(done.sum())} of "
                                   f"{done.size} runs finished. Rerun the same command to finish it.")
    from .results import VARIABLES

    finished = ds["done"].astype(bool)
    for name in VARIABLES:  # a run written but not flagged done does not count
        if name in ds:
            ds[name] = ds[name].where(finished)
    ds.update(summarize(ds))
    return by_municipality(ds)
