"""Command line of the analyses: ``sim sensitivity``, ``sim discover``, ``sim optimise``.

Each writes a NetCDF file (units and long_name on every variable) and optionally a PNG; the
arguments they share with ``sim run`` are parsed the same way (:mod:`sim.cli`).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .declarations.analysis import ANALYSIS_OUTCOMES


def _names(text: str) -> list[str]:
    """An argparse type: comma-separated names."""
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise argparse.ArgumentTypeError(f"allowed comma-separated names; given {text!r}")
    return names


def _nc_path(text: str) -> Path:
    path = Path(text)
    if path.suffix != ".nc":
        raise argparse.ArgumentTypeError(f"allowed a path ending in .nc; given {text!r}")
    return path


def _probability(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"allowed a probability in (0, 1]; given {text!r}")
    return value


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"allowed a rate in [0, 1) per year; given {text!r}")
    return value


def _written(ds, args: argparse.Namespace, plots: list[Path]) -> None:
    from .store import write_dataset

    ds.attrs["history"] = "sim " + " ".join(sys.argv[1:]) if sys.argv[1:] else "sim (from Python)"
    print("wrote " + ", ".join(str(p) for p in [write_dataset(ds, args.out), *plots]))


def _sensitivity(args: argparse.Namespace) -> int:
    from .scenario import load_scenario
    from .sensitivity import plot_indices, sobol_indices

    scenario = load_scenario(args.scenario)
    result = sobol_indices(scenario, args.factors, n=args.n, seed=args.seed, outcomes=args.outcomes,
                           scale=args.scale, store=args.store, client=args.scheduler, workers=args.workers,
                           progress=not args.quiet)
    plots = []
    for outcome in result["outcome"].values if args.plot else ():
        path = args.plot.with_name(f"{args.plot.stem}_{outcome}{args.plot.suffix}")
        plot_indices(result, str(outcome), path)
        plots.append(path)
    print(result["ST"].drop_vars("outcome_units").to_pandas().round(3).to_string())
    _written(result, args, plots)
    return 0


def _discover(args: argparse.Namespace) -> int:
    from .discovery import discover, plot_peeling
    from .store import open_results

    result = discover(open_results(args.results), args.outcomes, args.threshold, args.scenario)
    plots = []
    for outcome in result["outcome"].values if args.plot else ():
        path = args.plot.with_name(f"{args.plot.stem}_{outcome}{args.plot.suffix}")
        plot_peeling(result, str(outcome), path)
        plots.append(path)
    print(result[["coverage", "density", "mass"]].to_dataframe().dropna().round(3).to_string())
    _written(result, args, plots)
    return 0


def _optimise(args: argparse.Namespace) -> int:
    from .optimise import plot_front, what_it_takes
    from .scenario import load_scenario

    scenario = load_scenario(args.scenario)
    result = what_it_takes(scenario, args.levers, runs=args.runs, seed=args.seed, probabilities=args.p,
                           population=args.population, generations=args.generations, scale=args.scale,
                           rate=args.discount_rate, client=args.scheduler, workers=args.workers)
    plots = []
    if args.plot:
        plot_front(result, args.plot)
        plots.append(args.plot)
    for answer in result["answer"].values:
        print(answer)
    _written(result, args, plots)
    return 0


def add_commands(commands, debug: argparse.ArgumentParser, whole_number, scale, workers) -> None:
    """Add the three commands to ``sim``'s subparsers (``whole_number``, ``scale``, ``workers``: its types)."""
    seed = whole_number(0, 2**64 - 1, "2**64 - 1")

    def common(parser, runs_help: str | None) -> None:
        parser.add_argument("--seed", type=seed, default=0, help="seed of the design and the runs (default 0)")
        parser.add_argument("--scale", type=scale, default=None, help="population scale of the runs (default: "
                                                                      "the scenario's)")
        where = parser.add_mutually_exclusive_group()
        where.add_argument("--workers", type=workers, default=None, help="processes of the local Dask cluster")
        where.add_argument("--scheduler", default=None, metavar="ADDRESS", help="address of an existing Dask "
                                                                                "scheduler")
        parser.add_argument("--out", type=_nc_path, required=True, help="the .nc file to write")
        parser.add_argument("--plot", type=Path, default=None, help="also write a figure (.png)" +
                            (runs_help or ""))

    outcome_names = ", ".join(ANALYSIS_OUTCOMES)
    sens = commands.add_parser("sensitivity", parents=[debug], help="Sobol indices: which levers and "
                               "uncertainties matter most", description="Sobol first-order and total indices "
                               "(SALib, Saltelli design run on Dask) of chosen outcomes to the scenario's levers "
                               "and uncertainties.")
    sens.add_argument("scenario", type=Path, metavar="SCENARIO.toml")
    sens.add_argument("--n", type=whole_number(2), default=64, help="base samples, a power of 2 (runs: n (D + 2) "
                                                                     "for D factors; default 64)")
    sens.add_argument("--factors", type=_names, default=None, help="comma-separated levers and uncertainties "
                                                                   "(default all that vary)")
    sens.add_argument("--outcomes", type=_names, default=list(ANALYSIS_OUTCOMES),
                      help=f"comma-separated, of {outcome_names}")
    sens.add_argument("--store", type=Path, default=None, help="directory of the design's batches (resumable)")
    sens.add_argument("--quiet", action="store_true", help="no progress bars")
    common(sens, "; one per outcome, NAME_OUTCOME.png")
    sens.set_defaults(handler=_sensitivity)

    disc = commands.add_parser("discover", parents=[debug], help="PRIM: where levers and uncertainties meet "
                               "the targets", description="PRIM scenario discovery (EMA Workbench) over a batch "
                               "whose levers (given as ranges) and uncertainties vary along run.")
    disc.add_argument("results", type=Path, metavar="RESULTS", help="a batch result of 'sim run' (.zarr or .nc)")
    disc.add_argument("--outcomes", type=_names, default=["target_2030_met", "climate_positive_2045"],
                      help="comma-separated 0/1 outcomes (default target_2030_met,climate_positive_2045)")
    disc.add_argument("--threshold", type=_probability, default=0.8,
                      help="probability a box must reach (density; default 0.8)")
    disc.add_argument("--scenario", default=None, help="scenario of the batch (default its only one)")
    disc.add_argument("--out", type=_nc_path, required=True, help="the .nc file to write")
    disc.add_argument("--plot", type=Path, default=None, help="also write the peeling trajectories, "
                                                              "NAME_OUTCOME.png")
    disc.set_defaults(handler=_discover)

    opt = commands.add_parser("optimise", parents=[debug], help="the cheapest lever portfolios that meet the "
                              "2030 target with probability p", description="NSGA-II (pymoo) over the "
                              "scenario's levers within their ranges, every portfolio on the same runs.")
    opt.add_argument("scenario", type=Path, metavar="SCENARIO.toml")
    opt.add_argument("--levers", type=_names, default=None, help="comma-separated decision levers (default the "
                                                                 "numeric levers the scenario uses)")
    opt.add_argument("--runs", type=whole_number(1), default=16, help="runs per portfolio (default 16)")
    opt.add_argument("--p", type=_probability, nargs="+", default=[0.5, 0.9], help="probabilities (default 0.5 0.9)")
    opt.add_argument("--population", type=whole_number(2), default=12, help="portfolios per generation (default 12)")
    opt.add_argument("--generations", type=whole_number(1), default=6, help="generations (default 6)")
    opt.add_argument("--discount-rate", type=_rate, default=None,
                     help="real discount rate of the present cost, 1/yr (default the scenario's "
                          "appraisal_discount_rate)")
    common(opt, None)
    opt.set_defaults(handler=_optimise)
