"""Fit the behavioural parameters to 2015-2021 and check the fit: the posterior a batch draws by default.

Run from the repository root (each step is a resumable batch: rerun the same command after an interruption)::

    python calibration/fit_history.py                  # Eskilstuna: about 40 min on two cores at scale 1
    python calibration/fit_history.py --cities         # the 23 contract cities pooled: about 30 min at scale 0.1

Eskilstuna's steps:

1. an out-of-sample fit on 2015-2019 (``posterior_eskilstuna_2015_2019.nc``) and its predictive check on every
   observed point of 2015-2021 and the 2023 pledge count: the errors on 2020-2021 (and 2023) are out of sample;
2. the fit on all of 2015-2021 and the pledge count (``posterior_eskilstuna.nc``, what batches draw by default);
3. its predictive check, the prior's for comparison, and the prior-to-posterior widths of every parameter.

``--cities`` fits the same parameters, shared, to the pooled 2015-2021 histories of the 23 contract cities
(``posterior_contract_cities.nc``), checks it city by city, and compares its parameters with Eskilstuna's own fit.
Tables and figures go to ``calibration/fits/<name>/`` (``report.md`` lists them); the batch stores to
``calibration/runs/`` (not kept by git).
"""
from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

import sim
from sim.batch import scenario_hash
from sim.calibration import (
    calibrate,
    check_batch,
    coverage_by_series,
    holdout_errors,
    parameter_widths,
    read_posterior,
    write_posterior,
)
from sim.calibration.plots import plot_predictive
from sim.cluster import connect

ROOT = Path(__file__).resolve().parents[1]
CALIBRATION = ROOT / "calibration"
HINDCAST = ROOT / "scenarios" / "hindcast_2015.toml"
HELD_OUT_FROM = 2020


def _table(df: pd.DataFrame, digits: int = 3) -> str:
    """A pipe table for report.md."""
    def cell(x):
        if isinstance(x, float):
            return "" if np.isnan(x) else f"{x:.{digits}g}"
        return str(x)
    lines = ["| " + " | ".join(df.columns) + " |", "|" + "---|" * len(df.columns)]
    lines += ["| " + " | ".join(cell(x) for x in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join(lines)


def _digest(content: bytes) -> str:
    """A short name for what a batch store was made from (a posterior file, a fit's settings): another content
    never meets a stale store."""
    return hashlib.blake2b(content, digest_size=6).hexdigest()


def _check_frame(check: xr.Dataset) -> pd.DataFrame:
    return pd.DataFrame({"municipality": check["observed_municipality"].values.astype(str),
                         "series": check["observed_series"].values.astype(str),
                         "year": check["observed_year"].values, "observed": check["observed_value"].values,
                         "low": check["low"].values, "median": check["median"].values,
                         "high": check["high"].values, "inside": check["inside"].values,
                         "fitted": check["fitted"].values})


def _coverage(check: xr.Dataset, years: tuple[int, int] | None = None) -> dict[str, float]:
    keep = np.ones(check.sizes["point"], dtype=bool)
    if years is not None:
        keep &= (check["observed_year"].values >= years[0]) & (check["observed_year"].values <= years[1])
    fitted = keep & (check["fitted"].values == 1)
    inside = check["inside"].values
    return {"fitted series": float(inside[fitted].mean()), "fitted points": int(fitted.sum()),
            "all series": float(inside[keep].mean()), "all points": int(keep.sum())}


def _save_figure(check: xr.Dataset, path: Path, title: str, held_out_from: int | None = None) -> None:
    fig = plot_predictive(check, title, held_out_from)
    fig.savefig(path, dpi=110)


def fit_one(args: argparse.Namespace, scenario: sim.Scenario, name: str, client) -> None:
    out = CALIBRATION / "fits" / name
    out.mkdir(parents=True, exist_ok=True)
    work = CALIBRATION / "runs" / name
    report = [f"# Calibration of {name} on 2015-2021", "",
              f"Written by `python calibration/fit_history.py{' --cities' if args.cities else ''}` "
              f"({time.strftime('%Y-%m-%d')}, sim {sim.__version__}): replenishment ABC-SMC (priors by pyabc "
              f"{_pyabc_version()}), {args.particles} particles, {args.generations} generations, keeping "
              f"{args.acceptance:.0%} each, at most {args.moves} move steps, "
              f"scale {args.scale}, seed {args.seed}; predictive checks of {args.check_runs} runs each.", ""]
    timings = {}

    def fit(last_year: int, path: Path) -> xr.Dataset:
        settings = (f"scenario={scenario_hash(scenario)} particles={args.particles} generations={args.generations} "
                    f"acceptance={args.acceptance} moves={args.moves} scale={args.scale} seed={args.seed} "
                    f"last_year={last_year}")
        if path.is_file() and not args.refit and read_posterior(path).attrs.get("fit_settings") == settings:
            print(f"using {path}, fitted with these settings (--refit to fit again)", file=sys.stderr)
            posterior = read_posterior(path)
            timings[f"fit to {last_year}"] = float(posterior.attrs.get("fit_seconds", float("nan")))
            return posterior
        t = time.time()
        stores = work / f"fit_to_{last_year}_{_digest(settings.encode())}"
        posterior = calibrate(scenario, stores, particles=args.particles,
                              generations=args.generations, acceptance=args.acceptance, moves=args.moves,
                              scale=args.scale, seed=args.seed, last_year=last_year, client=client, progress=True)
        timings[f"fit to {last_year}"] = time.time() - t
        posterior.attrs.update(fit_settings=settings, fit_seconds=timings[f"fit to {last_year}"])
        write_posterior(posterior, path)
        return posterior

    def check(parameters, label: str) -> xr.Dataset:
        t = time.time()
        drawn = "prior" if parameters == "prior" else _digest(Path(parameters).read_bytes())
        result = check_batch(scenario, parameters, args.check_runs, seed=args.seed + 1, scale=args.scale,
                             client=client, store=work / f"check_{label}_{drawn}.zarr", progress=True)
        timings[f"check {label}"] = time.time() - t
        _check_frame(result).to_csv(out / f"check_{label}.csv", index=False)
        return result

    suffix = "" if args.cities else "_2015_2019"
    # 1. out of sample (one city only: the pooled fit is checked against Eskilstuna's own)
    if not args.cities:
        oos_path = CALIBRATION / f"posterior_{name}{suffix}.nc"
        fit(HELD_OUT_FROM - 1, oos_path)
        oos = check(oos_path, "fit_2015_2019")
        errors = holdout_errors(oos, HELD_OUT_FROM)
        frame = pd.DataFrame({"series": errors["observed_series"].values.astype(str),
                              "year": errors["observed_year"].values, "observed": errors["observed_value"].values,
                              "median": errors["median"].values, "error": errors["error"].values,
                              "relative error": errors["relative_error"].values,
                              "inside 90 %": errors["inside"].values, "error / half-width": errors["z"].values})
        frame.to_csv(out / "holdout_errors.csv", index=False)
        _save_figure(oos, out / "predictive_fit_2015_2019.png",
                     f"Fitted to 2015-2019, predicting 2020-2021 and 2023 ({args.check_runs} runs, scale "
                     f"{args.scale})", HELD_OUT_FROM)
        report += ["## 1. Out of sample: fitted to 2015-2019, predicting 2020-2021 (and the 2023 pledge count)", "",
                   f"Posterior `calibration/posterior_{name}{suffix}.nc`; figure `predictive_fit_2015_2019.png`; "
                   "every point in `check_fit_2015_2019.csv`. Errors on the years held out of the fit (median of "
                   "the predictive replicates minus the observation; emissions in t CO2e/yr, shares as "
                   "fractions):", "", _table(frame), "",
                   f"Coverage of the held-out points by the 90 % interval: "
                   f"{errors['inside'].values.mean():.0%} ({int(errors['inside'].values.sum())} of "
                   f"{errors.sizes['point']}).", ""]
    # 2. the fit to everything observed
    path = CALIBRATION / f"posterior_{name}.nc"
    posterior = fit(2021, path)
    full = check(path, "posterior")
    prior = check("prior", "prior")
    _save_figure(full, out / "predictive_posterior.png",
                 f"Posterior predictive check, 2015-2021 ({args.check_runs} runs, scale {args.scale})")
    _save_figure(prior, out / "predictive_prior.png",
                 f"Prior predictive check, 2015-2021 ({args.check_runs} runs, scale {args.scale})")
    rows = []
    for label, result in (("posterior", full), ("prior", prior)):
        rows.append({"draws from": label, **_coverage(result)})
    report += ["## 2. The fit to 2015-2021 and its predictive check", "",
               f"Posterior `calibration/posterior_{name}.nc` (generations' tolerances "
               f"{', '.join(f'{e:.3g}' for e in posterior['epsilon'].values)}; move steps "
               f"{', '.join(str(int(m)) for m in posterior['moves'].values)} accepting "
               f"{', '.join(f'{a:.0%}' for a in posterior['acceptance_rate'].values)}; distinct particles at the end "
               f"{int(posterior['unique'].values[-1])} of {posterior.sizes['particle']}). "
               "Share of the observed points inside the 90 % predictive interval ('fitted series': transport and "
               "own-heating totals, BEV and PHEV shares of new cars and of cars in use, the pledge count; 'all "
               "series' adds the other six SMHI sectors, checked but not fitted: they follow exogenous trends and "
               "emission factors):", "",
               _table(pd.DataFrame(rows)), "",
               "By series (posterior): " + ", ".join(f"{k} {v:.0%}" for k, v in coverage_by_series(full).items()),
               "", "Figures `predictive_posterior.png`, `predictive_prior.png`; points in `check_posterior.csv`, "
               "`check_prior.csv`.", ""]
    widths = parameter_widths(posterior)
    frame = widths.to_dataframe().reset_index()
    frame.to_csv(out / "parameter_widths.csv", index=False)
    report += ["## 3. What the data identified: 90 % intervals of each fitted parameter", "",
               "`width ratio` is the posterior's 90 % width over the prior's: near 1 the series did not narrow "
               "the parameter, near 0 they pinned it.", "",
               _table(frame[["parameter", "parameter_units", "prior_low", "prior_high", "posterior_low",
                             "posterior_median", "posterior_high", "width_ratio"]]), ""]
    if args.cities:
        own = CALIBRATION / "posterior_eskilstuna.nc"
        if own.is_file():
            mine = parameter_widths(read_posterior(own))
            compare = pd.DataFrame({"parameter": widths["parameter"].values,
                                    "Eskilstuna alone: median": mine["posterior_median"].values,
                                    "Eskilstuna alone: 90 % width":
                                        (mine["posterior_high"] - mine["posterior_low"]).values,
                                    "pooled: median": widths["posterior_median"].values,
                                    "pooled: 90 % width": (widths["posterior_high"] - widths["posterior_low"]).values})
            compare["shift / Eskilstuna's width"] = ((compare["pooled: median"] - compare["Eskilstuna alone: median"])
                                                     / compare["Eskilstuna alone: 90 % width"])
            compare.to_csv(out / "pooled_against_eskilstuna.csv", index=False)
            report += ["## 4. How the pooled fit changes Eskilstuna's posterior", "", _table(compare), ""]
        report += _scale_error(args, path, client, work, out)
        by_city = pd.DataFrame([{"municipality": c, **_coverage(full.isel(point=np.flatnonzero(
            full["observed_municipality"].values == c)))} for c in dict.fromkeys(
            full["observed_municipality"].values.astype(str))])
        by_city.to_csv(out / "coverage_by_city.csv", index=False)
        report += ["## 6. Coverage city by city (pooled posterior)", "", _table(by_city), ""]
        if own.is_file():
            report += _held_out_cities(args, scenario, own, client, work)
    report += ["## Timings", "", "On this machine (2 cores): " + "; ".join(
        f"{k} {v / 60:.1f} min" for k, v in timings.items()) + ".", ""]
    (out / "report.md").write_text("\n".join(report), encoding="utf-8")
    print(f"wrote {out / 'report.md'}")


def _scale_error(args: argparse.Namespace, posterior: Path, client, work: Path, out: Path) -> list[str]:
    """The error the pooled fit's scale adds: Eskilstuna's hindcast from the pooled posterior at the fit's scale
    against the same draws at full scale."""
    alone = sim.load_scenario(HINDCAST)
    checks = {scale: check_batch(alone, posterior, args.check_runs, seed=args.seed + 2, scale=scale, client=client,
                                 store=work / f"scale_{scale:g}_{_digest(posterior.read_bytes())}.zarr",
                                 progress=True)
              for scale in (args.scale, 1.0)}
    small, full = checks[args.scale], checks[1.0]
    series = full["observed_series"].values.astype(str)
    rows = []
    for name in dict.fromkeys(series):
        keep = series == name
        width = lambda c: (c["high"].values[keep] - c["low"].values[keep])  # noqa: E731
        rows.append({"series": name,
                     "median shift (share of full-scale median)": float(np.median(
                         (small["median"].values[keep] - full["median"].values[keep])
                         / np.abs(full["median"].values[keep]))),
                     "interval width, ratio to full scale": float(np.median(width(small) / width(full))),
                     f"inside at {args.scale:g}": float(small["inside"].values[keep].mean()),
                     "inside at 1": float(full["inside"].values[keep].mean())})
    frame = pd.DataFrame(rows)
    frame.to_csv(out / "scale_error.csv", index=False)
    return [f"## 5. The error the scale {args.scale:g} adds", "",
            f"Eskilstuna's hindcast drawn from the pooled posterior ({args.check_runs} runs, the same seeds) at the "
            f"fit's scale {args.scale:g} and at full scale, by series (medians over the series' years): the fit's "
            "noise sd and the intervals above are those of the smaller scale.", "", _table(frame), ""]


def _held_out_cities(args: argparse.Namespace, scenario: sim.Scenario, own: Path, client, work: Path) -> list[str]:
    """The cities held out of Eskilstuna's fit: its posterior's coverage of the 22 others, beside the pooled fit's
    and the prior's on the same runs."""
    others = scenario.with_municipalities([m.name for m in scenario.municipalities if m.name != "eskilstuna"])
    rows = []
    for label, parameters in (("Eskilstuna's own (the 22 held out of its fit)", own),
                              ("pooled (fitted to them)", CALIBRATION / "posterior_contract_cities.nc"),
                              ("prior", "prior")):
        drawn = "prior" if parameters == "prior" else _digest(Path(parameters).read_bytes())
        check = check_batch(others, parameters, args.check_runs, seed=args.seed + 3, scale=args.scale, client=client,
                            store=work / f"held_out_cities_{drawn}.zarr", progress=True)
        fitted = check["fitted"].values == 1
        rows.append({"posterior": label, "fitted points inside": float(check["inside"].values[fitted].mean()),
                     "fitted points": int(fitted.sum())})
    return ["## 7. Cities held out of a fit", "",
            f"The 22 contract cities other than Eskilstuna, {args.check_runs} runs at scale {args.scale:g}, drawn from "
            "Eskilstuna's own posterior (which never saw them), the pooled one and the prior:", "",
            _table(pd.DataFrame(rows)), ""]


def _pyabc_version() -> str:
    from importlib.metadata import version
    return version("pyabc")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cities", action="store_true", help="the pooled fit of the 23 contract cities")
    parser.add_argument("--particles", type=int, default=300)
    parser.add_argument("--generations", type=int, default=8)
    parser.add_argument("--acceptance", type=float, default=0.5)
    parser.add_argument("--moves", type=int, default=10)
    parser.add_argument("--scale", type=float, default=None,
                        help="population scale of the runs (default 1 for Eskilstuna, 0.1 pooled)")
    parser.add_argument("--check-runs", type=int, default=200, help="runs of each predictive check")
    parser.add_argument("--seed", type=int, default=2015)
    parser.add_argument("--refit", action="store_true", help="fit again even if the posterior file exists")
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args(argv)
    scenario = sim.load_scenario(HINDCAST)
    if args.cities:
        scenario = scenario.with_municipalities("all_contract_cities")
    if args.scale is None:
        args.scale = 0.1 if args.cities else 1.0
    with connect(None, args.workers) as client:
        fit_one(args, scenario, "contract_cities" if args.cities else "eskilstuna", client)


if __name__ == "__main__":
    main()
