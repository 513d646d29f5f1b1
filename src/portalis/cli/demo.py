"""``portalis demo NAME [-o DIR]``: build a scenario's kernel, write its scene, run it headless,
and draw the result — Python source to an animated USD scene and a picture, in one command.
``portalis demo --list`` names the scenarios; ``portalis demo all`` runs every one."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from portalis.demos import DEMOS, get_demo

EXIT_OK = 0
EXIT_USAGE = 1  # bad arguments, as every portalis command (cli/main.py)


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "demo",
        help="run a scenario end to end (kernel → scene → headless run → preview)",
        description=__doc__,
    )
    p.add_argument("name", nargs="?", help="the scenario: " + ", ".join(DEMOS) + ", or all")
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        help="folder for kernel.wasm, scene.usd, result.usd, preview.png "
        "(default: ./portalis-demo-NAME; with all, one subfolder per scenario)",
    )
    p.add_argument("--list", action="store_true", help="list the scenarios and exit")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.list:
        width = max(len(n) for n in DEMOS)
        for demo in DEMOS.values():
            print(f"{demo.name:{width}s}  {demo.summary}")
        return EXIT_OK
    if not args.name:
        print("error: name a scenario, or use --list", file=sys.stderr)
        return EXIT_USAGE
    from portalis.demos.pipeline import run_demo

    names = list(DEMOS) if args.name == "all" else [get_demo(args.name).name]
    for name in names:
        if args.output is None:
            out = Path(f"portalis-demo-{name}")
        else:
            out = args.output / name if args.name == "all" else args.output
        print(f"== {name}: {get_demo(name).summary}")
        run_demo(name, out, log=print)
    return EXIT_OK
