"""``portalis bench [NAME|all] [ARGS...]``: run the benchmark suite, or one benchmark (extra
arguments go to it, e.g. ``portalis bench libm --quick``). Without a name, list them."""

from __future__ import annotations

import argparse
import importlib
import time
from typing import Any

from portalis.bench import BENCHMARKS
from portalis.errors import PortalisError


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "bench",
        help="run benchmarks: medians and ratios against peers measured in the same run",
        description=__doc__,
    )
    p.add_argument("name", nargs="?", help="a benchmark, or all; omit to list them")
    p.add_argument("args", nargs=argparse.REMAINDER, help="arguments for the benchmark")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if not args.name:
        width = max(len(n) for n in BENCHMARKS)
        for name, (_, summary) in BENCHMARKS.items():
            print(f"{name:<{width}}  {summary}")
        return 0
    if args.name == "all":
        if args.args:
            raise PortalisError("arguments can be given to one benchmark, not to all")
        names = list(BENCHMARKS)
    elif args.name in BENCHMARKS:
        names = [args.name]
    else:
        raise PortalisError(
            f"no benchmark named '{args.name}'", hint=f"choose from: {', '.join(BENCHMARKS)}"
        )
    status = 0
    for name in names:
        module_name, summary = BENCHMARKS[name]
        print(f"== {name}: {summary}", flush=True)
        t0 = time.perf_counter()
        status |= int(importlib.import_module(module_name).main(list(args.args)) or 0)
        print(f"== {name} done in {time.perf_counter() - t0:.1f} s\n", flush=True)
    return status
