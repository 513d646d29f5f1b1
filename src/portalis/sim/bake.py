"""Baking: run a scene's modules over a range of time codes and write their results as a new
layer, the one thing both ``portalis run`` and ``portalis demo`` do with a scene.

The output sublayers the scene (by a path relative to the output) and holds only the modules'
results as time samples; the scene itself is never written. The file appears atomically
(written beside the target, then renamed), so a crash or Ctrl-C never leaves half a file.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from pxr import Sdf, Tf, Usd

import portalis.usd  # noqa: F401  (registers the schemas before any stage is opened)
from portalis.errors import SceneError
from portalis.runtime import DEFAULT_SANDBOX, Sandbox
from portalis.sim import destination
from portalis.sim.failures import Failure
from portalis.sim.runner import Runner
from portalis.sim.stats import ModuleSummary


class Progress(Protocol):
    """What :func:`bake` reports to while it steps (``portalis run`` draws a bar)."""

    def start(self, total: int) -> None: ...
    def update(self, done: int) -> None: ...
    def done(self) -> None: ...


@dataclass(frozen=True)
class BakeResult:
    frames: int
    fps: float
    summary: list[ModuleSummary]
    failures: list[Failure]


def bake(
    scene: Path,
    output: Path,
    *,
    start: float | None = None,
    end: float | None = None,
    fps: float | None = None,
    sandbox: Sandbox = DEFAULT_SANDBOX,
    comment: str = "",
    progress: Progress | None = None,
) -> BakeResult:
    """Run ``scene`` from ``start`` to ``end`` (time codes; by default the scene's range) at
    ``fps`` time codes per second (by default the scene's) and write ``output``.

    Raises :class:`SceneError` when the scene cannot be run at all; a module that fails is
    reported in the result's ``failures`` and the others' results are still written.
    """
    resolved, target = scene.resolve(), output.resolve()
    if not resolved.is_file():
        raise SceneError(f"{scene}: no such scene file")
    destination.refuse_inputs(resolved, target)
    try:
        scene_layer = Sdf.Layer.FindOrOpen(str(resolved))
    except Tf.ErrorException as e:
        raise SceneError(f"{scene}: USD cannot open this file: {usd_message(e)}") from None
    if scene_layer is None:
        raise SceneError(f"{scene}: USD cannot open this file")

    result = Sdf.Layer.CreateAnonymous(target.suffix or ".usda")
    result.subLayerPaths.append(str(resolved))
    probe = Usd.Stage.Open(str(resolved))
    fps = fps or probe.GetTimeCodesPerSecond()
    if not fps > 0:
        raise SceneError(f"--fps must be > 0, not {fps}")
    # Each end of the range stands on its own: a scene may author only endTimeCode.
    if start is None:
        start = probe.GetStartTimeCode() if probe.HasAuthoredMetadata("startTimeCode") else 0.0
    if end is None:
        if not probe.HasAuthoredMetadata("endTimeCode"):
            raise SceneError(
                f"{scene} has no time range (endTimeCode)", hint="pass --end TIME_CODE"
            )
        end = probe.GetEndTimeCode()
    if end < start:
        raise SceneError(f"--end {end:g} is before --start {start:g}")
    del probe
    result.timeCodesPerSecond = fps
    result.framesPerSecond = fps
    result.startTimeCode = start
    result.endTimeCode = end
    if comment:
        result.comment = comment
    if scene_layer.defaultPrim:  # so the result can be referenced like the scene
        result.defaultPrim = scene_layer.defaultPrim

    stage = Usd.Stage.Open(result)
    runner = Runner(stage, sandbox=sandbox, record=True, start_time=start / fps)
    if not runner.prims and not runner.failures:
        raise SceneError(f"{scene} has no WasmModule prims to run")
    frames = round(end - start)
    if progress is not None:
        progress.start(frames)
    try:
        runner.play(time_code=start)
        for k in range(1, frames + 1):
            runner.step(1.0 / fps, time_code=start + k)
            if progress is not None:
                progress.update(k)
        runner.stop(time_code=end)
    finally:
        if progress is not None:
            progress.done()
    runner.flush()
    runner.close()

    # A copy refers to the scene by a path relative to where it will live; editing the
    # layer the stage still composes would recompose it against the wrong folder.
    final = Sdf.Layer.CreateAnonymous(target.suffix or ".usda")
    final.TransferContent(result)
    final.subLayerPaths[0] = _relative(resolved, target.parent)
    _write_atomically(final, target)
    return BakeResult(frames, fps, runner.summary(), list(runner.failures))


def usd_message(e: Exception) -> str:
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


def _relative(target: Path, start: Path) -> str:
    try:
        return Path(os.path.relpath(target, start)).as_posix()
    except ValueError:  # another drive (Windows): keep it absolute
        return target.as_posix()


def _write_atomically(layer: Sdf.Layer, output: Path) -> None:
    """Export beside the target, then rename over it: readers see the old file or the new
    one, never a partial one."""
    temp: Path | None = None
    try:
        temp = destination.staging_path(output)  # USD's own temp file lands beside it
        if not layer.Export(str(temp)):
            raise SceneError(f"{output}: USD could not write the result layer")
        os.replace(temp, output)
    except OSError as e:
        raise SceneError(
            f"{output}: cannot write the result: {e.strerror} ({e.filename})"
        ) from None
    except Tf.ErrorException as e:
        raise SceneError(f"{output}: cannot write the result: {usd_message(e)}") from None
    finally:
        if temp is not None:
            destination.discard_staging(temp)
