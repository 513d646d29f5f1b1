"""Baking: run a scene's modules over a range of time codes and write their results as a new
layer, the one thing both ``portalis run`` and ``portalis demo`` do with a scene.

The output sublayers the scene (by a path relative to the output) and holds only the modules'
results as time samples; the scene itself is never written. The file appears atomically
(written beside the target, then renamed), so a crash never leaves half a file; Ctrl-C stops
the run and writes the frames that finished.

What makes the result a layer other tools accept (NVIDIA's asset validator among them):

* it carries the scene's stage metadata (upAxis, metersPerUnit, kilogramsPerUnit, time codes
  and frame rate), so it reads the same opened alone or over the scene;
* geometry whose shape the modules change (``points``, ``radius`` …) gets its ``extent``
  time-sampled beside it;
* ``.usd`` results are binary crate files when they hold more than a handful of samples
  (``.usda`` is always text, ``.usdc`` always crate);
* large per-frame arrays go to value clips beside the result (``NAME.clips/``, see
  :mod:`portalis.sim.clips`), so memory stays bounded by a chunk of frames.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from pxr import Sdf, Tf, Usd, UsdGeom

import portalis.usd  # noqa: F401  (registers the schemas before any stage is opened)
from portalis.errors import SceneError
from portalis.runtime import DEFAULT_SANDBOX, Sandbox
from portalis.sim import destination
from portalis.sim.clips import ClipPolicy, ClipWriter
from portalis.sim.failures import Failure, SceneWarning
from portalis.sim.runner import Runner
from portalis.sim.stats import ModuleSummary
from portalis.sim.writer import Recorder

#: Stage metadata the result copies from the scene (authored there, or USD's fallback).
STAGE_METADATA = ("upAxis", "metersPerUnit", "kilogramsPerUnit")

#: Attributes that change a geometry prim's bounds: writing one means writing its extent.
EXTENT_INPUTS = frozenset(
    {"points", "widths", "radius", "size", "height", "radiusTop", "radiusBottom", "axis"}
)

#: A ``.usd`` result is text only while the validator would accept it as text: no attribute
#: with more time samples, and no array longer, than these (UsdAsciiPerformanceChecker's).
TEXT_MAX_SAMPLES = 4
TEXT_MAX_ARRAY = 64


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
    interrupted: bool = False  # Ctrl-C: ``frames`` finished and were written
    clips: int = 0  # value clip files written beside the result
    warnings: list[SceneWarning] = field(default_factory=list)


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
    clips: ClipPolicy | None = None,
    strict: bool = False,
) -> BakeResult:
    """Run ``scene`` from ``start`` to ``end`` (time codes; by default the scene's range) at
    ``fps`` time codes per second (by default the scene's) and write ``output``.

    ``clips`` says which outputs stream to value clips (by default :class:`ClipPolicy`'s:
    arrays of 10,000 numbers or more per frame). Raises :class:`SceneError` when the scene
    cannot be run at all; a module that fails is reported in the result's ``failures`` and
    the others' results are still written.
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
    for option, value in (("--fps", fps), ("--start", start), ("--end", end)):
        if value is not None and not math.isfinite(value):
            raise SceneError(f"{option} must be a finite number, not {value:g}")
    if fps is not None and not fps > 0:
        raise SceneError(f"--fps must be > 0, not {fps:g}")
    probe = Usd.Stage.Open(str(resolved))
    if fps is None:
        fps = probe.GetTimeCodesPerSecond()
        if not (math.isfinite(fps) and fps > 0):
            raise SceneError(
                f"{scene}: timeCodesPerSecond is {fps:g}, not a number of frames a second",
                hint="pass --fps FPS",
            )
    # Each end of the range stands on its own: a scene may author only endTimeCode.
    if start is None:
        start = probe.GetStartTimeCode() if probe.HasAuthoredMetadata("startTimeCode") else 0.0
    if end is None:
        if not probe.HasAuthoredMetadata("endTimeCode"):
            raise SceneError(
                f"{scene} has no time range (endTimeCode)", hint="pass --end TIME_CODE"
            )
        end = probe.GetEndTimeCode()
    for key, value in (("startTimeCode", start), ("endTimeCode", end)):
        if not math.isfinite(value):
            raise SceneError(f"{scene}: {key} is {value:g}", hint="pass --start and --end")
    if end < start:
        raise SceneError(f"--end {end:g} is before --start {start:g}")
    for key in STAGE_METADATA:
        result.pseudoRoot.SetInfo(key, probe.GetMetadata(key))
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
    runner = Runner(
        stage, sandbox=sandbox, record=True, start_time=start / fps, strict=strict, offline=True
    )
    if not runner.prims and not runner.failures:
        raise SceneError(f"{scene} has no WasmModule prims to run")
    clip_writer = ClipWriter(clips_folder(target), target.parent, stage, clips)
    if isinstance(runner.writer, Recorder):
        runner.writer.clips = clip_writer
    frames = round(end - start)
    done = 0
    interrupted = False
    if progress is not None:
        progress.start(frames)
    try:
        with _interrupt_between_frames() as asked_to_stop:
            runner.play(time_code=start)
            for k in range(1, frames + 1):
                if asked_to_stop():
                    raise KeyboardInterrupt
                runner.step(1.0 / fps, time_code=start + k)
                done = k
                if progress is not None:
                    progress.update(k)
    except KeyboardInterrupt:  # keep what finished: frames start … start + done
        interrupted = True
        result.endTimeCode = start + done
    except BaseException:
        clip_writer.discard()
        raise
    finally:
        if progress is not None:
            progress.done()
    try:
        runner.stop(time_code=start + done)
        runner.flush()
        runner.close()
        if isinstance(runner.writer, Recorder):
            _write_extents(stage, result, runner.writer.written_paths())
        clip_writer.finish(result, start, start + done)
    except BaseException:
        clip_writer.discard()
        raise

    # A copy refers to the scene by a path relative to where it will live; editing the
    # layer the stage still composes would recompose it against the wrong folder.
    final = Sdf.Layer.CreateAnonymous(target.suffix or ".usda")
    final.TransferContent(result)
    final.subLayerPaths[0] = _relative(resolved, target.parent)
    clip_writer.publish()
    _write_atomically(final, target)
    return BakeResult(
        done,
        fps,
        runner.summary(),
        list(runner.failures),
        interrupted=interrupted,
        warnings=list(runner.warnings),
        clips=len(clip_writer.clip_files),
    )


@contextlib.contextmanager
def _interrupt_between_frames() -> Iterator[Callable[[], bool]]:
    """Ctrl-C during a bake stops it after the frame in progress, rather than raising
    KeyboardInterrupt wherever Python happens to be: possibly in a callback wasmtime makes
    from inside a module's code, where an exception cannot cross the C frames (the process
    would abort, losing every frame). The first Ctrl-C only asks; the handler it replaced is
    back at once, so a second one interrupts as usual. Outside the main thread (where Python
    allows no signal handler) Ctrl-C is left alone."""
    if threading.current_thread() is not threading.main_thread():
        yield lambda: False
        return
    asked = False
    previous = signal.getsignal(signal.SIGINT)

    def ask(_signum: int, _frame: object) -> None:
        nonlocal asked
        asked = True
        signal.signal(signal.SIGINT, previous)

    signal.signal(signal.SIGINT, ask)
    try:
        yield lambda: asked
    finally:
        signal.signal(signal.SIGINT, previous)


def clips_folder(result: Path) -> Path:
    """Where the value clips of ``result`` go: ``NAME.clips`` beside it."""
    return result.with_name(f"{result.stem}.clips")


def _write_extents(stage: Usd.Stage, layer: Sdf.Layer, written: set[Sdf.Path]) -> None:
    """A time-sampled extent for every geometry prim whose bounds the run changed, at each
    time its shape was written (computed by USD's own extent functions for the prim type)."""
    times_by_prim: dict[Sdf.Path, set[float]] = {}
    for path in written:
        if path.IsPropertyPath() and path.name in EXTENT_INPUTS:
            times_by_prim.setdefault(path.GetPrimPath(), set()).update(
                layer.ListTimeSamplesForPath(path)
            )
    with Sdf.ChangeBlock():
        for prim_path, times in sorted(times_by_prim.items()):
            prim = stage.GetPrimAtPath(prim_path)
            if not prim or not prim.IsA(UsdGeom.Boundable):
                continue
            boundable = UsdGeom.Boundable(prim)
            extents = [
                (t, UsdGeom.Boundable.ComputeExtentFromPlugins(boundable, Usd.TimeCode(t)))
                for t in sorted(times)
            ]
            spec = layer.GetAttributeAtPath(prim_path.AppendProperty(UsdGeom.Tokens.extent))
            if spec is None:
                spec = Sdf.AttributeSpec(
                    Sdf.CreatePrimInLayer(layer, prim_path),
                    UsdGeom.Tokens.extent,
                    Sdf.ValueTypeNames.Float3Array,
                )
            for t, extent in extents:
                if extent is not None:
                    layer.SetTimeSample(spec.path, t, extent)


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


def layer_format(layer: Sdf.Layer) -> str:
    """``usda`` while ``layer`` is small enough to read as text (see ``TEXT_MAX_*``), else
    ``usdc``: the format a ``.usd`` result is written in."""
    large = False

    def visit(path: Sdf.Path) -> None:
        nonlocal large
        if large or not path.IsPropertyPath():
            return
        if layer.GetNumTimeSamplesForPath(path) > TEXT_MAX_SAMPLES:
            large = True
            return
        spec = layer.GetAttributeAtPath(path)
        if spec is not None and spec.typeName.isArray:
            values = [spec.default] if spec.HasDefaultValue() else []
            values += [layer.QueryTimeSample(path, t) for t in layer.ListTimeSamplesForPath(path)]
            large = any(_length(v) > TEXT_MAX_ARRAY for v in values)

    layer.Traverse(Sdf.Path.absoluteRootPath, visit)
    return "usdc" if large else "usda"


def _length(value: object) -> int:
    try:
        return len(value)  # type: ignore[arg-type]
    except TypeError:
        return 0


def _write_atomically(layer: Sdf.Layer, output: Path) -> None:
    """Export beside the target, then rename over it: readers see the old file or the new
    one, never a partial one."""
    temp: Path | None = None
    args = {"format": layer_format(layer)} if output.suffix == ".usd" else {}
    try:
        temp = destination.staging_path(output)  # USD's own temp file lands beside it
        if not layer.Export(str(temp), args=args):
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
