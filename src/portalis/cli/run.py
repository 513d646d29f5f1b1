"""``portalis run scene.usda -o out.usda``: run a scene's WebAssembly modules headless and
bake their results.

The output is a new layer that sublayers the scene (by a path relative to the output), holding
only the modules' results as time samples; the scene itself is never written. The file
appears atomically (written beside the target, then renamed), so a crash or Ctrl-C never
leaves half a file. Exit status: 0 when every module ran, 2 when some failed (the others'
results are still written), 1 when the scene could not be run at all.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
import time
from pathlib import Path
from typing import TextIO

import portalis.usd  # noqa: F401  (registers the schemas before any stage is opened)
from portalis.errors import SceneError
from portalis.runtime import MiB, Sandbox

EXIT_OK = 0
EXIT_SCENE = 1
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
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from pxr import Sdf, Tf, Usd

    from portalis.sim import Runtime

    scene = args.scene.resolve()
    output = args.output.resolve()
    if not scene.is_file():
        raise SceneError(f"{args.scene}: no such scene file")
    if output == scene:
        raise SceneError(
            f"{args.output}: refusing to overwrite the input scene",
            hint="results go to a new layer: pass another -o path",
        )
    try:
        scene_layer = Sdf.Layer.FindOrOpen(str(scene))
    except Tf.ErrorException as e:
        raise SceneError(f"{args.scene}: USD cannot open this file: {_first_line(e)}") from None
    if scene_layer is None:
        raise SceneError(f"{args.scene}: USD cannot open this file")

    result = Sdf.Layer.CreateAnonymous(output.suffix or ".usda")
    result.subLayerPaths.append(str(scene))
    probe = Usd.Stage.Open(str(scene))
    fps = args.fps or probe.GetTimeCodesPerSecond()
    if not fps > 0:
        raise SceneError(f"--fps must be > 0, not {fps}")
    start = args.start if args.start is not None else _default_start(probe)
    end = args.end if args.end is not None else _default_end(probe)
    if end is None:
        raise SceneError(
            f"{args.scene} has no time range (endTimeCode)", hint="pass --end TIME_CODE"
        )
    if end < start:
        raise SceneError(f"--end {end:g} is before --start {start:g}")
    del probe
    result.timeCodesPerSecond = fps
    result.framesPerSecond = fps
    result.startTimeCode = start
    result.endTimeCode = end
    result.comment = f"Results of `portalis run {args.scene.name}`: time samples only."
    if scene_layer.defaultPrim:  # so the result can be referenced like the scene
        result.defaultPrim = scene_layer.defaultPrim

    stage = Usd.Stage.Open(result)
    sandbox = Sandbox(max_memory_bytes=args.max_memory * MiB, deadline_s=args.deadline)
    runtime = Runtime(stage, sandbox=sandbox, record=True, start_time=start / fps)
    if not runtime.prims and not runtime.failures:
        raise SceneError(f"{args.scene} has no WasmModule prims to run")
    frames = round(end - start)
    progress = _Progress(frames, sys.stderr, quiet=args.quiet)
    try:
        runtime.play(time_code=start)
        for k in range(1, frames + 1):
            runtime.step(1.0 / fps, time_code=start + k)
            progress.update(k)
        runtime.stop(time_code=end)
    finally:
        progress.done()
    runtime.flush()
    runtime.close()

    # A copy refers to the scene by a path relative to where it will live; editing the
    # layer the stage still composes would recompose it against the wrong folder.
    final = Sdf.Layer.CreateAnonymous(output.suffix or ".usda")
    final.TransferContent(result)
    final.subLayerPaths[0] = _relative(scene, output.parent)
    _write_atomically(final, output)
    _print_summary(runtime, sys.stdout)
    print(f"wrote {args.output} ({frames} frames at {fps:g} fps)", file=sys.stdout)
    return EXIT_MODULE_FAILED if runtime.failures else EXIT_OK


def _default_start(stage: object) -> float:
    from pxr import Usd

    assert isinstance(stage, Usd.Stage)
    # Each end of the range stands on its own: a scene may author only endTimeCode.
    return stage.GetStartTimeCode() if stage.HasAuthoredMetadata("startTimeCode") else 0.0


def _default_end(stage: object) -> float | None:
    from pxr import Usd

    assert isinstance(stage, Usd.Stage)
    return stage.GetEndTimeCode() if stage.HasAuthoredMetadata("endTimeCode") else None


def _relative(target: Path, start: Path) -> str:
    try:
        return Path(os.path.relpath(target, start)).as_posix()
    except ValueError:  # another drive (Windows): keep it absolute
        return target.as_posix()


def _write_atomically(layer: object, output: Path) -> None:
    """Export beside the target, then rename over it: readers see the old file or the new
    one, never a partial one."""
    from pxr import Sdf, Tf

    assert isinstance(layer, Sdf.Layer)
    temp = output.with_name(f".{output.stem}.{os.getpid()}.tmp{output.suffix or '.usda'}")
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        if not layer.Export(str(temp)):
            raise SceneError(f"{output}: USD could not write the result layer")
        os.replace(temp, output)
    except OSError as e:
        raise SceneError(
            f"{output}: cannot write the result: {e.strerror} ({e.filename})"
        ) from None
    except Tf.ErrorException as e:
        raise SceneError(f"{output}: cannot write the result: {_first_line(e)}") from None
    finally:
        with contextlib.suppress(OSError):
            temp.unlink()


def _print_summary(runtime: object, out: TextIO) -> None:
    from portalis.sim import Runtime

    assert isinstance(runtime, Runtime)
    rows = runtime.summary()
    header = f"{'module':<24} {'prims':>5} {'calls':>9} {'mean µs':>9} {'p99 µs':>9} {'failed':>6}"
    print(header, file=out)
    for row in rows:
        mean = f"{row.mean_seconds * 1e6:9.1f}" if row.mean_seconds is not None else f"{'-':>9}"
        p99 = f"{row.p99_seconds * 1e6:9.1f}" if row.p99_seconds is not None else f"{'-':>9}"
        print(
            f"{row.module:<24} {row.prims:>5} {row.calls:>9} {mean} {p99} {row.failures:>6}",
            file=out,
        )
    for failure in runtime.failures:
        print(f"FAILED {failure}", file=out)


def _first_line(e: Exception) -> str:
    """The useful part of an error: USD prefixes its own with the C++ function, file and
    line that raised it ("Error in 'pxrInternal_…::_ReadFromAsset' at line 323 in file
    …/usdaFileFormat.cpp : '<x.usda> is not a valid usda layer'"), which means nothing to a
    user."""
    text = str(e).strip()
    line = text.splitlines()[0] if text else type(e).__name__
    match = re.match(r"^Error in '[^']*' at line \d+ in file \S+ : (.*)$", line)
    line = match.group(1).strip("'") if match else line
    line = re.sub(r"pxrInternal_\w+?__pxrReserved__:*_?", "", line)  # USD's namespace
    return line.replace("matching pegtl::internal::eof", "(unexpected end of file)")


class _Progress:
    """A plain-text progress bar on a terminal; a line per tenth of the run otherwise."""

    WIDTH = 30

    def __init__(self, total: int, stream: TextIO, *, quiet: bool = False) -> None:
        self.total = max(total, 1)
        self.stream = stream
        self.quiet = quiet
        self.tty = stream.isatty()
        self._last_draw = 0.0
        self._last_tenth = -1
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
