"""Command line: ``sim run``, ``sim validate``."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .scenario import ScenarioError, load_scenario

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


def _run(args: argparse.Namespace) -> int:
    from .engine import simulate
    from .report import plot_net_emissions
    from .store import write_dataset

    scenario = load_scenario(args.scenario)
    ds = simulate(scenario, seed=args.seed, scale=args.scale)
    out = write_dataset(ds, args.out)
    plot = plot_net_emissions(ds, args.plot or out.with_suffix(".png"))
    net = ds["net_emissions"]
    print(f"scenario {scenario.name}, seed {args.seed}, {ds.attrs['n_agents']} agents")
    for year in (2020, 2030, 2045):
        if year in net["year"]:
            print(f"  net emissions {year}: {float(net.sel(year=year)) / 1000:8.1f} kt CO2e")
    print(f"  2030 target met: {bool(ds['target_2030_met'])}; climate positive 2045: "
          f"{bool(ds['climate_positive_2045'])}")
    print(f"wrote {out} and {plot}")
    return EXIT_OK


def _validate(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.scenario)
    print(f"{args.scenario}: valid scenario '{scenario.name}', {scenario.start_year}-{scenario.end_year}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sim", description="Agent-based climate-transition scenarios.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run a scenario and write results and a plot")
    run.add_argument("scenario", type=Path)
    run.add_argument("--seed", type=int, default=0)
    run.add_argument("--scale", type=float, default=None, help="population scale (default: the scenario's)")
    run.add_argument("--out", type=Path, default=Path("results/baseline.nc"), help="results file (.nc or .zarr)")
    run.add_argument("--plot", type=Path, default=None, help="plot file (default: next to the results, .png)")
    run.set_defaults(handler=_run)
    validate = commands.add_parser("validate", help="check a scenario file")
    validate.add_argument("scenario", type=Path)
    validate.set_defaults(handler=_validate)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``sim`` command; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except (ScenarioError, ValueError, OSError) as error:
        print(f"sim: error: {error}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
