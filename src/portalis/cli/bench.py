"""``portalis bench [NAME|all] [ARGS...]``: run the benchmark suite, or one benchmark (extra
arguments go to it, e.g. ``portalis bench libm --quick``). Without a name, list them.

``portalis bench NAME --json FILE`` also writes the rows in the SPEC §7 format;
``portalis bench --report DIR [NAME...] [--quick]`` runs the suite (or the names given) and
writes ``DIR/report.md``, one chart per benchmark (``DIR/NAME.png``) and ``DIR/results.json``.
"""

from __future__ import annotations

import argparse
import importlib
import time
from pathlib import Path
from typing import Any

from portalis.bench import BENCHMARKS
from portalis.cli.main import EXIT_USAGE
from portalis.errors import PortalisError


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "bench",
        help="run benchmarks: medians and ratios against peers measured in the same run",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--report",
        type=Path,
        metavar="DIR",
        help="run the suite (or the names given) and write DIR/report.md, charts, results.json",
    )
    p.add_argument("name", nargs="?", help="a benchmark, or all; omit to list them")
    p.add_argument("args", nargs=argparse.REMAINDER, help="arguments for the benchmark")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if "--debug" in args.args:  # portalis's own option, wherever it is written
        args.args = [a for a in args.args if a != "--debug"]
        args.debug = True
    try:
        return _run(args)
    except SystemExit as e:
        # A benchmark's own argparse parser rejected an argument (its usage and message are
        # on stderr): the status every other usage error has.
        if e.code == 2:
            return EXIT_USAGE
        raise


def _run(args: argparse.Namespace) -> int:
    if args.report is not None:
        return _report(args)
    if not args.name:
        width = max(len(n) for n in BENCHMARKS)
        for name, (_, summary) in BENCHMARKS.items():
            print(f"{name:<{width}}  {summary}")
        return 0
    if args.name == "all":
        if args.args:
            raise PortalisError("arguments can be given to one benchmark, not to all")
        names = list(BENCHMARKS)
    else:
        names = [_known(args.name)]
    status = 0
    for name in names:
        module_name, summary = BENCHMARKS[name]
        print(f"== {name}: {summary}", flush=True)
        t0 = time.perf_counter()
        status |= int(importlib.import_module(module_name).main(list(args.args)) or 0)
        print(f"== {name} done in {time.perf_counter() - t0:.1f} s\n", flush=True)
    return status


def _report(args: argparse.Namespace) -> int:
    from portalis.bench.report import write_report

    words = ([args.name] if args.name else []) + list(args.args)
    names = [w for w in words if not w.startswith("-")]
    options = [w for w in words if w.startswith("-")]
    if names == ["all"]:
        names = []
    for name in names:
        _known(name)
    path = write_report(args.report, names or list(BENCHMARKS), options)
    print(f"wrote {path}")
    return 0


def _known(name: str) -> str:
    if name not in BENCHMARKS:
        raise PortalisError(
            f"no benchmark named '{name}'", hint=f"choose from: {', '.join(BENCHMARKS)}"
        )
    return name
