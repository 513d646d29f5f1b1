"""``portalis run scene.usda -o out.usda``: run a scene's WebAssembly modules headless and
bake their results.

The output is a new layer that sublayers the scene (by a path relative to the output), holding
only the modules' results as time samples; the scene itself is never written. The file
appears atomically (see ``portalis.sim.bake``). Exit status: 0 when every module ran, 2 when
some failed (the others' results are still written), 1 when the scene could not be run at all,
130 after Ctrl-C (the frames that finished are written). Warnings (an input nothing reads, an
output moving a transform op its prim does not apply) are printed with the summary;
``--strict`` makes each a failure of its prim.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from portalis.sim.failures import Failure, SceneWarning
    from portalis.sim.stats import ModuleSummary

EXIT_OK = 0
EXIT_MODULE_FAILED = 2
EXIT_INTERRUPTED = 130


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
    # Imported here, not at the top: every `portalis` command builds this parser, and the
    # runtime brings wasmtime and NumPy (about a second on a loaded machine).
    from portalis.runtime import MiB, Sandbox
    from portalis.runtime.hostlog import shown_on
    from portalis.sim.bake import bake

    with shown_on(sys.stderr):  # what kernels print (bounded: runtime/hostlog.py)
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
    if baked.interrupted:
        print(f"interrupted: the first {baked.frames} frames were kept", file=sys.stderr)
        return EXIT_INTERRUPTED
    return EXIT_MODULE_FAILED if baked.failures else EXIT_OK


def _print_summary(
    rows: list[ModuleSummary], failures: list[Failure], warnings: list[SceneWarning], out: TextIO
) -> None:
    # mean and max cover every call, p99 the latest window: a lone slow first call lifts the
    # mean above the p99, and the max column shows that call.
    header = (
        f"{'module':<24} {'prims':>5} {'calls':>9} {'mean µs':>9} {'p99 µs':>9} {'max µs':>9}"
        f" {'failed':>6}"
    )
    print(header, file=out)
    for row in rows:
        times = " ".join(
            f"{seconds * 1e6:9.1f}" if seconds is not None else f"{'-':>9}"
            for seconds in (row.mean_seconds, row.p99_seconds, row.max_seconds)
        )
        print(f"{row.module:<24} {row.prims:>5} {row.calls:>9} {times} {row.failures:>6}", file=out)
    for warning in warnings:
        print(f"WARNING {warning}", file=out)
    for failure in failures:
        print(f"FAILED {failure}", file=out)


class _Progress:
    """The bake's progress as a tqdm bar on ``stream`` (a maintained library: it redraws in
    place on a terminal, throttles itself, and prints a final line elsewhere)."""

    def __init__(self, stream: TextIO, *, quiet: bool = False) -> None:
        self.stream = stream
        self.quiet = quiet
        self._bar: Any = None

    def start(self, total: int) -> None:
        from tqdm import tqdm

        self._bar = tqdm(
            total=total, unit="frames", desc="run", file=self.stream, disable=self.quiet
        )

    def update(self, done: int) -> None:
        self._bar.update(done - self._bar.n)

    def done(self) -> None:
        self._bar.close()
