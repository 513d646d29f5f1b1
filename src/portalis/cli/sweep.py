"""``portalis sweep scene.usda -o DIR --vary "PRIM.ATTR=VALUES" …``: run many variants of a
scene, on local processes (the default) or on a Ray cluster, and summarise them.

VALUES is a range START:STOP:COUNT (COUNT values, both ends included), or a list [a,b,c].
Without --samples the variants are the grid of every --vary; with --samples N --seed S they
are N random points (a range START:STOP is drawn uniformly, a list picks a value).

Each variant is the scene plus a small override layer (the scene file is never written),
baked as `portalis run` bakes it into DIR/variants/NNNN/result.usd. DIR/summary.csv (and
summary.parquet with pyarrow) holds one row per variant: its parameters, status, run time,
and every outputs:* at the last frame; --metric FILE.py:FUNCTION adds a reduce function
compiled once (and DIR/metric-FUNCTION.png, with matplotlib). Running the same command again
resumes: complete variants are skipped. Ctrl-C stops, keeping what finished.

Exit status: 0 when every variant ran cleanly, 2 when some failed (their rows say why), 1 when
the sweep could not start, 130 after Ctrl-C.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_VARIANT_FAILED = 2
EXIT_INTERRUPTED = 130


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "sweep",
        help="run many variants of a scene (local processes or Ray) and summarise them",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("scene", type=Path, help="the USD scene to vary")
    p.add_argument("-o", "--output", type=Path, required=True, help="the sweep's folder")
    p.add_argument(
        "--vary",
        action="append",
        default=[],
        metavar="PRIM.ATTR=VALUES",
        help='e.g. "/World/Physics.inputs:speed=10:30:21" or "…angle_deg=[30,45,60]"',
    )
    p.add_argument("--samples", type=int, help="N random variants instead of the grid")
    p.add_argument("--seed", type=int, default=0, help="random design's seed (default 0)")
    p.add_argument("--engine", choices=("local", "ray"), default="local")
    p.add_argument("--address", help="Ray cluster address (default: RAY_ADDRESS, else local)")
    p.add_argument("--workers", type=int, help="processes (default: one per CPU)")
    p.add_argument("--end", type=float, help="last time code (default: the scene's end)")
    p.add_argument(
        "--metric",
        action="append",
        default=[],
        metavar="FILE.py:FUNCTION",
        help="a reduce function over the outputs' frames, compiled once (repeatable)",
    )
    p.add_argument("--deadline", type=float, default=1.0, metavar="SECONDS",
                   help="per-call time limit (default: %(default)s s)")  # fmt: skip
    p.add_argument("--max-memory", type=int, default=256, metavar="MIB",
                   help="linear memory cap per module (default: %(default)s MiB)")  # fmt: skip
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from portalis.sweep import make_engine, run_sweep
    from portalis.sweep.design import SweepError

    if args.workers is not None and args.workers < 1:
        raise SweepError(f"--workers {args.workers}: at least 1")
    result = run_sweep(
        args.scene,
        args.output,
        args.vary,
        engine=make_engine(args.engine, address=args.address, workers=args.workers),
        samples=args.samples,
        seed=args.seed,
        end=args.end,
        metrics=args.metric,
        max_memory_mib=args.max_memory,
        deadline_s=args.deadline,
        progress=_Progress(quiet=args.quiet),
    )
    total = len(result.records)
    counts = ", ".join(
        f"{result.count(s)} {s}"
        for s in ("ok", "failed", "error", "interrupted", "lost", "not run")
        if result.count(s)
    )
    print(f"{total} variants ({result.ran} run now, {result.skipped} done before): {counts}")
    for record in result.records:
        if record["status"] not in ("ok", "not run"):
            print(f"variant {record['variant']:04d} {record['status']}: {record['message']}")
    for path in result.files:
        print(f"wrote {path}")
    if result.interrupted or result.count("interrupted") or result.count("not run"):
        print("interrupted: run the same command again to finish", file=sys.stderr)
        return EXIT_INTERRUPTED
    if result.count("ok") != total:
        return EXIT_VARIANT_FAILED
    return EXIT_OK


class _Progress:
    """Variants done, as a tqdm bar on stderr."""

    def __init__(self, *, quiet: bool) -> None:
        self.quiet = quiet
        self._bar: Any = None

    def start(self, total: int) -> None:
        from tqdm import tqdm

        self._bar = tqdm(
            total=total, unit="variants", desc="sweep", file=sys.stderr, disable=self.quiet
        )

    def update(self, done: int) -> None:
        self._bar.update(done - self._bar.n)

    def done(self) -> None:
        self._bar.close()
