"""``portalis run scene.usda -o out.usda``: run a scene's WebAssembly modules headless and
bake their results.

The output is a new layer that sublayers the scene (by a path relative to the output), holding
only the modules' results as time samples; the scene itself is never written. The file
appears atomically (see ``portalis.sim.bake``). Exit status: 0 when every module ran, 2 when
some failed (the others' results are still written), 1 when the scene could not be run at all.
Warnings (an input nothing reads, an output moving a transform op its prim does not apply) are
printed with the summary; ``--strict`` makes each a failure of its prim.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from portalis.runtime import MiB, Sandbox

if TYPE_CHECKING:
    from portalis.sim.failures import Failure, SceneWarning
    from portalis.sim.stats import ModuleSummary

EXIT_OK = 0
EXIT_MODULE_FAILED = 2


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "run",
        help="run a scene's WASM modules headless and bake their results",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("scene", type=Path, help="the USD scene to run (.usda, .usdc, .usd)")
    p.add_argument("-o", "--output", type=Path, required=True, help="the layer to write")
    p.add_argument("--start", type=float, help="first time code (default: the scene's start)")
    p.add_argument("--end", type=float, help="last time code (default: the scene's end)")
    p.add_argument(
        "--fps", type=float, help="time codes per second (default: the scene's timeCodesPerSecond)"
    )
    p.add_argument(
        "--deadline",
        type=float,
        default=1.0,
        metavar="SECONDS",
        help="per-call time limit (default: %(default)s s)",
    )
    p.add_argument(
        "--max-memory",
        type=int,
        default=256,
        metavar="MIB",
        help="linear memory cap per module (default: %(default)s MiB)",
    )
    p.add_argument(
        "--strict",
        action="store_true",
        help="a prim with a warning (an input nothing reads, an output moving a transform op "
        "its prim does not apply) fails instead of running",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from portalis.sim.bake import bake

    baked = bake(
        args.scene,
        args.output,
        start=args.start,
        end=args.end,
        fps=args.fps,
        sandbox=Sandbox(max_memory_bytes=args.max_memory * MiB, deadline_s=args.deadline),
        comment=f"Results of `portalis run {args.scene.name}`: time samples only.",
        progress=_Progress(sys.stderr, quiet=args.quiet),
        strict=args.strict,
    )
    _print_summary(baked.summary, baked.failures, baked.warnings, sys.stdout)
    print(f"wrote {args.output} ({baked.frames} frames at {baked.fps:g} fps)", file=sys.stdout)
    return EXIT_MODULE_FAILED if baked.failures else EXIT_OK


def _print_summary(
    rows: list[ModuleSummary], failures: list[Failure], warnings: list[SceneWarning], out: TextIO
) -> None:
    header = f"{'module':<24} {'prims':>5} {'calls':>9} {'mean µs':>9} {'p99 µs':>9} {'failed':>6}"
    print(header, file=out)
    for row in rows:
        mean = f"{row.mean_seconds * 1e6:9.1f}" if row.mean_seconds is not None else f"{'-':>9}"
        p99 = f"{row.p99_seconds * 1e6:9.1f}" if row.p99_seconds is not None else f"{'-':>9}"
        print(
            f"{row.module:<24} {row.prims:>5} {row.calls:>9} {mean} {p99} {row.failures:>6}",
            file=out,
        )
    for warning in warnings:
        print(f"WARNING {warning}", file=out)
    for failure in failures:
        print(f"FAILED {failure}", file=out)


class _Progress:
    """A plain-text progress bar on a terminal; a line per tenth of the run otherwise."""

    WIDTH = 30

    def __init__(self, stream: TextIO, *, quiet: bool = False) -> None:
        self.stream = stream
        self.quiet = quiet
        self.tty = stream.isatty()
        self.total = 1
        self._last_draw = 0.0
        self._last_tenth = -1
        self._started = time.perf_counter()

    def start(self, total: int) -> None:
        self.total = max(total, 1)
        self._started = time.perf_counter()

    def update(self, done: int) -> None:
        if self.quiet:
            return
        fraction = done / self.total
        if self.tty:
            now = time.perf_counter()
            if now - self._last_draw < 0.1 and done < self.total:
                return
            self._last_draw = now
            filled = int(self.WIDTH * fraction)
            bar = "#" * filled + "-" * (self.WIDTH - filled)
            self.stream.write(f"\r[{bar}] {done}/{self.total} frames")
            self.stream.flush()
        else:
            tenth = int(fraction * 10)
            if tenth != self._last_tenth:
                self._last_tenth = tenth
                print(f"run: {done}/{self.total} frames ({tenth * 10}%)", file=self.stream)

    def done(self) -> None:
        if self.quiet:
            return
        elapsed = time.perf_counter() - self._started
        if self.tty:
            self.stream.write("\n")
        print(f"run: finished in {elapsed:.2f} s", file=self.stream)
