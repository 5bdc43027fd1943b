"""Command line: ``sim run``, ``plan``, ``summary``, ``report``, ``validate``, ``explore``, ``calibrate``
(also ``python -m sim``), and the analyses of :mod:`sim.cli_analysis` (``sim sensitivity``,
``sim discover``, ``sim optimise``).

Exit codes, for scripts:

====  ==========================================================================
0     success
1     error: invalid scenario, store made by another call, failed run, I/O error
2     bad command-line arguments (usage)
3     results incomplete (``summary``/``report`` of an unfinished store)
130   interrupted (Ctrl-C): finished runs are kept; rerun the same command to resume
====  ==========================================================================

Every failure ends in one line on stderr (``sim: error: ...``, ``sim: interrupted ...``); ``--debug``
adds the traceback. Only the argument parser is imported at start-up: each command imports what it
needs (numba, xarray, dask, matplotlib), so ``sim --help`` answers at once.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .cli_analysis import add_commands as add_analysis_commands
from .validation import MAX_RUNS, MAX_SCALE

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INCOMPLETE, EXIT_INTERRUPTED = 0, 1, 2, 3, 130

MAX_WORKERS = 256
"""Most worker processes of a local cluster. Assumption: a process per core of the largest usual machine
(each worker holds one run's population); more only waits for memory."""


def _run(args: argparse.Namespace) -> int:
    import shutil

    from .batch import run_batch
    from .cities import flat_cases
    from .data import load_municipality
    from .land import scenario_warnings
    from .report import plot_net_emissions
    from .scenario import load_scenario
    from .store import check_replaceable, write_dataset
    from .store_lock import store_lock
    from .summary import format_table, printable
    from .validation import check_scale_for

    scenarios = [load_scenario(path) for path in args.scenarios]
    for path, scenario in zip(args.scenarios, scenarios):
        for warning in scenario_warnings(scenario):
            print(printable(f"{path}: warning: {warning}"), file=sys.stderr)
    if args.scale is not None:
        for scenario in scenarios:
            for city in scenario.municipalities:
                check_scale_for(load_municipality(city), args.scale, "--scale")
    out: Path = args.out
    check_replaceable(out)  # before any run: never delete or overwrite what sim did not write
    # a NetCDF file cannot grow run by run: work in a Zarr store beside it and export at the end
    store = out if out.suffix == ".zarr" else out.with_name(out.name + ".partial.zarr")
    with store_lock(store):  # the export and the removal of the working store too
        try:
            ds = run_batch(scenarios, args.runs, seed=args.seed, store=store, client=args.scheduler,
                           sampler=args.sampler, scale=args.scale, workers=args.workers,
                           task_size=args.task_size, progress=not args.quiet, parameters=args.parameters)
        except KeyboardInterrupt:
            _traceback(getattr(args, "debug", False))
            print(f"sim: interrupted; finished runs are kept in {store}; rerun the same command to resume",
                  file=sys.stderr)
            return EXIT_INTERRUPTED
        if out.suffix == ".nc":
            write_dataset(ds, out)
            shutil.rmtree(store)
    print(format_table(ds))
    written = [str(out)]
    if args.report:
        written.append(str(_write_report(ds, args.report)))
    if args.plot:
        written.append(str(plot_net_emissions(flat_cases(ds), args.plot)))
    print("wrote " + ", ".join(written))
    return EXIT_OK


def _calibrate(args: argparse.Namespace) -> int:
    from .calibration import calibrate, write_posterior
    from .data import load_municipality
    from .scenario import load_scenario
    from .validation import check_scale_for

    if args.out.suffix != ".nc":
        raise ValueError(f"--out: allowed a path ending in .nc; given {str(args.out)!r}")
    work = args.work or args.out.with_name(args.out.stem + ".runs")
    scenario = load_scenario(args.scenario)
    if args.scale is not None:
        check_scale_for(load_municipality(scenario.municipality), args.scale, "--scale")
    try:
        posterior = calibrate(scenario, work, particles=args.particles, generations=args.generations,
                              acceptance=args.acceptance, moves=args.moves,
                              scale=args.scale, seed=args.seed, last_year=args.last_year, client=args.scheduler,
                              workers=args.workers, progress=not args.quiet)
    except KeyboardInterrupt:
        _traceback(getattr(args, "debug", False))
        print(f"sim: interrupted; finished runs are kept in {work}; rerun the same command to resume",
              file=sys.stderr)
        return EXIT_INTERRUPTED
    print(f"wrote {write_posterior(posterior, args.out)}")
    return EXIT_OK


def _plan(args: argparse.Namespace) -> int:
    """``sim plan``: the investment plan of one scenario, written as NetCDF (and an HTML page)."""
    import shutil

    from .data import load_municipality
    from .plan import investment_plan
    from .scenario import load_scenario
    from .store import check_replaceable, write_dataset
    from .store_lock import store_lock
    from .validation import check_scale_for

    scenario = load_scenario(args.scenario)
    baseline = None if args.baseline is None else load_scenario(args.baseline)
    if args.scale is not None:
        check_scale_for(load_municipality(scenario.municipality), args.scale, "--scale")
    check_replaceable(args.out)
    store = args.out.with_name(args.out.name + ".partial.zarr")  # the batch, resumable until the plan is written
    with store_lock(store):
        try:
            ds = investment_plan(scenario, args.runs, seed=args.seed, baseline=baseline, scale=args.scale,
                                 client=args.scheduler, workers=args.workers, store=store, progress=not args.quiet)
        except KeyboardInterrupt:
            _traceback(getattr(args, "debug", False))
            print(f"sim: interrupted; finished runs are kept in {store}; rerun the same command to resume",
                  file=sys.stderr)
            return EXIT_INTERRUPTED
        written = [str(write_dataset(ds, args.out))]
        shutil.rmtree(store)
    if args.report:
        from .plan_report import write_plan_report

        written.append(str(write_plan_report(ds, args.report)))
    print("wrote " + ", ".join(written))
    return EXIT_OK


def _open(path: Path):
    from .store import open_results

    ds = open_results(path, allow_partial=True)
    complete = "done" not in ds
    if not complete:
        print(f"sim: {path} is incomplete: {int(ds['done'].sum())} of {ds['done'].size} runs finished; "
              "rerun the same 'sim run' command to finish it", file=sys.stderr)
    if "scenario" not in ds.dims or "run" not in ds.dims:
        raise ValueError(f"{path}: field 'results': allowed a batch result (from 'sim run'); given a Dataset "
                         f"with dimensions {list(ds.dims)}")
    return ds, complete


def _summary(args: argparse.Namespace) -> int:
    from .summary import format_table, printable

    ds, complete = _open(args.results)
    print(printable(f"{args.results}: {ds.attrs.get('history', '')}"))
    print(format_table(ds))
    return EXIT_OK if complete else EXIT_INCOMPLETE


def _write_report(ds, path: Path, plan=None) -> Path:
    """The HTML report of a batch; with several municipalities, one scenario per case and the cities side by
    side; with an investment plan (a Dataset of :func:`sim.investment_plan`), its cost curve and table."""
    from .cities import flat_cases
    from .html_report import write_report

    sections = []
    if "municipality" in ds.dims:
        from .city_report import city_section

        sections.append(city_section(ds))
        ds = flat_cases(ds)
    if plan is not None:
        from .plan_report import plan_section

        sections.append(plan_section(plan))
    return write_report(ds, path, extra_sections=sections)


def _open_plan(path: Path | None):
    """The investment plan of ``sim plan`` at ``path`` (None: no plan), checked to be one."""
    if path is None:
        return None
    import xarray as xr

    with xr.open_dataset(path) as plan:
        if "lever" not in plan.dims or "no_cost_reason" not in plan:
            raise ValueError(f"{path}: field 'plan': allowed a file written by 'sim plan'; given a Dataset with "
                             f"dimensions {list(plan.dims)}")
        return plan.load()


def _report(args: argparse.Namespace) -> int:
    ds, complete = _open(args.results)
    print(f"wrote {_write_report(ds, args.out, _open_plan(args.plan))}")
    return EXIT_OK if complete else EXIT_INCOMPLETE


def _validate(args: argparse.Namespace) -> int:
    """Every error of every file, one line each on stderr; a line on stdout for each valid file."""
    from .land import scenario_warnings
    from .scenario import check_scenario, load_scenario
    from .summary import printable

    failed = 0
    for path in args.scenarios:
        errors = check_scenario(path)
        for error in errors:
            _error(str(error))
        if errors:
            failed += 1
            continue
        scenario = load_scenario(path)
        print(printable(f"{path}: valid scenario '{scenario.name}', {scenario.start_year}-{scenario.end_year}"))
        for warning in scenario_warnings(scenario):
            print(printable(f"{path}: warning: {warning}"), file=sys.stderr)
    if failed and len(args.scenarios) > 1:
        print(f"sim: {failed} of {len(args.scenarios)} file(s) invalid", file=sys.stderr)
    return EXIT_ERROR if failed else EXIT_OK


def _explore(args: argparse.Namespace) -> int:
    from .explore.server import serve

    serve(args.scenario, port=args.port, runs=args.runs, scale=args.scale, seed=args.seed, workers=args.workers)
    return EXIT_OK


def _whole_number(minimum: int, maximum: int | None = None, shown: str | None = None):
    """An argparse type: a whole number >= ``minimum`` (and <= ``maximum``, written ``shown``, if given)."""
    allowed = f">= {minimum}" + ("" if maximum is None else f" and <= {shown or maximum}")

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = minimum - 1
        if value < minimum or (maximum is not None and value > maximum):
            raise argparse.ArgumentTypeError(f"allowed a whole number {allowed}; given {text!r}")
        return value
    return parse


_runs = _whole_number(1, MAX_RUNS, f"{MAX_RUNS:,}")
_workers = _whole_number(1, MAX_WORKERS)
_seed = _whole_number(0, 2**64 - 1, "2**64 - 1")


def _scale(text: str) -> float:
    """An argparse type: a population scale in (0, MAX_SCALE] (the data's smallest scale is checked later)."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value <= MAX_SCALE:
        raise argparse.ArgumentTypeError(f"allowed a number > 0 and at most {MAX_SCALE:g}; given {text!r}")
    return value


def _results_path(text: str) -> Path:
    path = Path(text)
    if path.suffix not in (".zarr", ".nc"):
        raise argparse.ArgumentTypeError(f"allowed a path ending in .zarr or .nc; given {text!r}")
    return path


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0.0 < value <= 1.0:
        raise argparse.ArgumentTypeError(f"allowed a number in (0, 1]; given {text!r}")
    return value


def _netcdf_path(text: str) -> Path:
    path = Path(text)
    if path.suffix != ".nc":
        raise argparse.ArgumentTypeError(f"allowed a path ending in .nc; given {text!r}")
    return path


def _html_path(text: str) -> Path:
    path = Path(text)
    if path.suffix not in (".html", ".htm"):
        raise argparse.ArgumentTypeError(f"allowed a path ending in .html; given {text!r}")
    return path


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line: the error and where to read the usage."""

    def error(self, message: str):
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (usage: {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``sim`` and its commands; ``--debug`` is accepted before or after the command."""
    debug = _Parser(add_help=False)
    debug.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                       help="on an error, show the traceback (and the cluster's log) too")
    parser = _Parser(prog="sim", description="Agent-based climate-transition scenarios.",
                     epilog="exit codes: 0 ok, 1 error, 2 bad arguments, 3 incomplete results, 130 interrupted",
                     parents=[debug])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", parents=[debug], help="run a Monte Carlo batch of one or more scenarios",
                              description="Run a Monte Carlo batch on Dask: the same sample and run seeds in "
                                          "every scenario. Rerunning the same command resumes an interrupted "
                                          "batch.")
    run.add_argument("scenarios", type=Path, nargs="+", metavar="SCENARIO.toml")
    run.add_argument("--runs", type=_runs, default=100, help=f"runs per scenario, at most {MAX_RUNS:,} (default 100)")
    run.add_argument("--seed", type=_seed, default=0, help="root seed of the sample and the runs (default 0)")
    run.add_argument("--out", type=_results_path, default=Path("results/batch.zarr"),
                     help="results: a .zarr store (written as runs finish) or a .nc file (default "
                          "results/batch.zarr)")
    where = run.add_mutually_exclusive_group()
    where.add_argument("--workers", type=_workers, default=None,
                       help=f"processes of the local Dask cluster, at most {MAX_WORKERS} (default: one per core)")
    where.add_argument("--scheduler", default=None, metavar="ADDRESS",
                       help="address of an existing Dask scheduler, e.g. tcp://host:8786 (used unchanged)")
    run.add_argument("--scale", type=_scale, default=None,
                     help=f"population scale of every run, at most {MAX_SCALE:g} and not below the municipality's "
                          "smallest (default: each scenario's)")
    run.add_argument("--sampler", choices=("lhs", "sobol", "random"), default="lhs",
                     help="sample of the uncertainties (default lhs: Latin hypercube)")
    run.add_argument("--task-size", type=_runs, default=None,
                     help="runs per Dask task (default: about 2 s of compute); no effect on the results")
    run.add_argument("--report", type=_html_path, default=None, help="also write the HTML report here")
    run.add_argument("--plot", type=Path, default=None, help="also write the net-emission fan chart here (.png)")
    run.add_argument("--parameters", default="default", metavar="default|posterior|prior|POSTERIOR.nc",
                     help="where the uncertainties come from: the municipality's shipped posterior "
                          "(calibration/posterior_<municipality>.nc) if it has one, else the prior (default); "
                          "'posterior' (an error if none ships); 'prior' (the scenarios' ranges); or a posterior "
                          "file of 'sim calibrate'")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.set_defaults(handler=_run)

    fit = commands.add_parser("calibrate", parents=[debug], help="fit the behavioural uncertainties to history",
                              description="Fit of the behavioural uncertainties of a hindcast scenario to the "
                                          "observed series (replenishment ABC-SMC with pyabc priors); every batch "
                                          "is resumable: rerun the same command to resume.")
    fit.add_argument("scenario", type=Path, metavar="SCENARIO.toml")
    fit.add_argument("--out", type=Path, required=True, help="the posterior file to write (.nc)")
    fit.add_argument("--work", type=Path, default=None,
                     help="folder of the generations' batch stores (default: OUT without .nc, plus .runs)")
    fit.add_argument("--particles", type=_whole_number(2, MAX_RUNS), default=300,
                     help="particles kept per generation (default 300)")
    fit.add_argument("--generations", type=_whole_number(1, 100), default=4, help="generations (default 4)")
    fit.add_argument("--acceptance", type=_share, default=0.5,
                     help="share of the particles kept each generation, in (0, 1) (default 0.5)")
    fit.add_argument("--moves", type=_whole_number(1, 100), default=6,
                     help="most Metropolis-Hastings steps of a generation (default 6)")
    fit.add_argument("--last-year", type=_whole_number(1900, 2100), default=2021,
                     help="last observed year fitted (default 2021)")
    fit.add_argument("--seed", type=_seed, default=0, help="root seed (default 0)")
    fit.add_argument("--scale", type=_scale, default=None, help="population scale of the runs (default the "
                                                                "scenario's)")
    fit_where = fit.add_mutually_exclusive_group()
    fit_where.add_argument("--workers", type=_workers, default=None,
                           help="processes of the local Dask cluster (default: one per core)")
    fit_where.add_argument("--scheduler", default=None, metavar="ADDRESS", help="address of a Dask scheduler")
    fit.add_argument("--quiet", action="store_true", help="no progress")
    fit.set_defaults(handler=_calibrate)

    plan = commands.add_parser("plan", parents=[debug], help="the investment plan: each lever's abatement and cost",
                               description="Run every lever of a scenario alone on the baseline and removed from "
                                           "the package, on common random numbers, and write each lever's "
                                           "abatement, present cost by payer and cost per tonne (sim.plan).")
    plan.add_argument("scenario", type=Path, metavar="SCENARIO.toml")
    plan.add_argument("--runs", type=_runs, default=50, help="runs per variant (default 50)")
    plan.add_argument("--seed", type=_seed, default=1, help="root seed of the sample and the runs (default 1)")
    plan.add_argument("--out", type=_netcdf_path, required=True, help="the plan: a .nc file")
    plan.add_argument("--baseline", type=Path, default=None, metavar="BASELINE.toml",
                      help="the reference scenario (default: the scenario with every lever at its default)")
    plan_where = plan.add_mutually_exclusive_group()
    plan_where.add_argument("--workers", type=_workers, default=None,
                            help=f"processes of the local Dask cluster, at most {MAX_WORKERS} (default: one per core)")
    plan_where.add_argument("--scheduler", default=None, metavar="ADDRESS",
                            help="address of an existing Dask scheduler (used unchanged)")
    plan.add_argument("--scale", type=_scale, default=None, help="population scale of every run (default: the "
                                                                   "scenario's)")
    plan.add_argument("--report", type=_html_path, default=None, help="also write the plan as an HTML page here")
    plan.add_argument("--quiet", action="store_true", help="no progress bar")
    plan.set_defaults(handler=_plan)

    summary = commands.add_parser("summary", parents=[debug], help="print the per-scenario summary of a batch result")
    summary.add_argument("results", type=_results_path, metavar="RESULTS")
    summary.set_defaults(handler=_summary)

    report = commands.add_parser("report", parents=[debug], help="write the HTML report of a batch result")
    report.add_argument("results", type=_results_path, metavar="RESULTS")
    report.add_argument("--out", type=_html_path, required=True, help="the .html file to write")
    report.add_argument("--plan", type=_netcdf_path, default=None, metavar="PLAN.nc",
                        help="add the investment plan of 'sim plan' (cost curve and per-lever table) to the report")
    report.set_defaults(handler=_report)

    validate = commands.add_parser("validate", parents=[debug], help="check scenario files",
                                   description="Check scenario files and report every error of each, one line "
                                               "per error (file, field, what is allowed, what was given), with "
                                               "the closest names for a misspelt key.")
    validate.add_argument("scenarios", type=Path, nargs="+", metavar="SCENARIO.toml")
    validate.set_defaults(handler=_validate)

    explore = commands.add_parser("explore", parents=[debug], help="explore a scenario's levers in the browser",
                                  description="Serve a lever explorer at http://127.0.0.1:PORT/ (loopback only): "
                                              "move a lever and see the targets' probabilities, net emissions "
                                              "and cost against the baseline, rerun on common random numbers. "
                                              "Needs the 'explore' extra: pip install -e '.[explore]'.")
    explore.add_argument("scenario", type=Path, metavar="SCENARIO.toml")
    explore.add_argument("--port", type=_whole_number(1, 65535), default=5006, help="port on 127.0.0.1 (default 5006)")
    explore.add_argument("--runs", type=_runs, default=20,
                         help="runs per scenario of each batch until 'more runs' (default 20)")
    explore.add_argument("--scale", type=_scale, default=0.05, help="population scale of every run (default 0.05)")
    explore.add_argument("--seed", type=_seed, default=0, help="root seed of every batch (default 0)")
    explore.add_argument("--workers", type=_workers, default=None,
                         help="processes of the local Dask cluster (default: one per core)")
    explore.set_defaults(handler=_explore)

    add_analysis_commands(commands, debug, _whole_number, _scale, _workers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``sim`` command; returns the exit code.

    A failure prints one line (two when interrupted during a batch); ``--debug`` adds the traceback.
    """
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_:  # argparse: --help (0) or bad arguments (2)
        return int(exit_.code or 0)
    debug = getattr(args, "debug", False)
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        _traceback(debug)
        print("sim: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except (ValueError, OSError) as error:  # ScenarioError is a ValueError
        _traceback(debug)
        _error(str(error))
        return EXIT_ERROR
    except Exception as error:
        _traceback(debug)
        _error(f"{type(error).__name__}: {error}")
        return EXIT_ERROR


def _traceback(debug: bool) -> None:
    if debug:
        import traceback

        traceback.print_exc()


def _error(message: str) -> None:
    """Print ``sim: error: message`` on stderr: its first line only, control characters shown as escapes.

    A worker's exception can carry its remote traceback in the message; ``--debug`` shows it whole.
    """
    from .summary import printable

    lines = message.strip().splitlines() or ["(no message)"]
    more = " (more with --debug)" if len(lines) > 1 else ""
    print(f"sim: error: {printable(lines[0])}{more}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
