"""A demo from Python source to a picture, in four steps:

1. build   ``kernel.py`` → ``DIR/kernel.wasm`` with the compiler (``portalis.lang.build``),
           the demo's sources copied beside it (``DIR/kernel.py``: read, edit, run again).
           A source the folder already holds that differs from the demo's is the user's
           edit: it is kept, never overwritten, and an edited ``DIR/kernel.py`` is the kernel
           built and run (said in one line; delete it to get the demo's own back);
2. scene   the demo's builder writes ``DIR/scene.usd``, its module prim pointing at
           ``kernel.wasm`` (relative: the folder can be moved as a whole);
3. run     headless, with the stage runner (``portalis.sim``), as ``portalis run`` does: a new
           layer ``DIR/result.usd`` that sublayers the scene and holds the outputs as time
           samples, frame 0 holding the scene's own values (the scene file is never touched;
           the result is written to a temporary file and renamed into place);
4. preview the demo draws ``DIR/preview.png`` from what ``result.usd`` holds.

A scene module with ``finish(out_dir)`` derives geometry from the recorded outputs between
steps 3 and 4 (the fluid demo's smoke points).

Each demo supplies the demo-specific parts as a :class:`Scenario`; this module is the rest.
"""

from __future__ import annotations

import gc
import importlib
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from portalis.demos import Demo, get_demo, plot
from portalis.errors import PortalisError, SceneError

KERNEL_WASM = "kernel.wasm"
#: ``.usd`` files are binary crate (USD's default for the extension; results switch to text
#: while small, see ``portalis.sim.bake``): what Omniverse's validator asks of layers holding
#: many samples or long arrays. ``usdcat scene.usd`` prints one as text.
SCENE_FILE = "scene.usd"
RESULT_FILE = "result.usd"
#: The names before the files became crate; kept for the scenarios written against them.
SCENE_USDA = SCENE_FILE
RESULT_USDA = RESULT_FILE
PREVIEW_PNG = "preview.png"


@dataclass(frozen=True)
class Timeline:
    """How long the run lasts: ``frames`` steps of ``1 / fps`` seconds."""

    frames: int
    fps: float


class Scenario(Protocol):
    """What a demo's ``scene`` module provides (``portalis.demos.<folder>.scene``)."""

    def make_scene(self, out_dir: Path, wasm: Path) -> Timeline:
        """Write ``out_dir/scene.usd`` (module prims pointing at ``kernel.wasm``)."""
        ...

    def make_preview(self, out_dir: Path, wasm: Path) -> tuple[Any, list[str]]:
        """Read ``out_dir/result.usd``; return the picture (a matplotlib figure made with
        :func:`portalis.demos.plot.figure`, or an RGB uint8 array) and a few lines of
        findings."""
        ...


@dataclass
class DemoRun:
    """What ``portalis demo`` made, and what it found."""

    demo: Demo
    out_dir: Path
    timeline: Timeline
    findings: list[str] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    #: The sources in ``out_dir`` that differed from the demo's and were kept (the user's
    #: edits); an edited ``kernel.py`` among them is the kernel that was built and run.
    edited: list[Path] = field(default_factory=list)

    def path(self, name: str) -> Path:
        return self.out_dir / name


def scenario(demo: Demo) -> Scenario:
    module = importlib.import_module(f"portalis.demos.{demo.folder}.scene")
    return module  # a module satisfying the protocol


def run_demo(
    name: str, out_dir: Path, *, log: Callable[[str], None] = lambda _line: None
) -> DemoRun:
    """Build, write, run and draw demo ``name`` into ``out_dir`` (created if needed)."""
    from portalis.lang import build

    demo = get_demo(name)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise PortalisError(f"cannot create {out_dir}: {e.strerror}") from None
    steps: dict[str, float] = {}

    edited = place_sources(demo, out_dir)
    kernel = demo.kernel_path
    for path in edited:
        if path.name == "kernel.py":
            kernel = path
            log(f"edited    using your edited {path} (delete it to run the demo's own)")
        else:
            log(f"edited    kept your edited {path} (delete it to get the demo's own)")
    t0 = time.perf_counter()
    wasm = build(kernel, out_dir / KERNEL_WASM)
    steps["build"] = time.perf_counter() - t0
    log(f"built     {wasm}  ({wasm.stat().st_size:,} bytes, {steps['build'] * 1000:.0f} ms)")
    log(f"sources   {', '.join(str(out_dir / source) for source in demo.sources)}")

    # The build pauses the garbage collector (lang/pipeline.py); its first full collection
    # after walks every object the process holds (~18 ms here) and would otherwise land
    # inside a timed call of the run and show as its slowest.
    gc.collect()
    parts = scenario(demo)
    t0 = time.perf_counter()
    timeline = parts.make_scene(out_dir, wasm)
    steps["scene"] = time.perf_counter() - t0
    log(f"scene     {out_dir / SCENE_FILE}")

    t0 = time.perf_counter()
    run = DemoRun(demo, out_dir, timeline, seconds=steps, edited=edited)
    run_headless(out_dir / SCENE_FILE, out_dir / RESULT_FILE, timeline, run)
    steps["run"] = time.perf_counter() - t0
    log(
        f"ran       {out_dir / RESULT_FILE}  ({timeline.frames} frames at {timeline.fps:g} fps "
        f"in {steps['run']:.2f} s)"
    )
    for line in run.summary:
        log(f"          {line}")
    for line in run.failures:
        log(f"FAILED    {line}")
    finish = getattr(parts, "finish", None)
    if finish is not None:  # a demo that derives geometry from what the run recorded
        for line in finish(out_dir):
            log(f"finished  {line}")

    if not plot.available():
        log(f"preview   skipped: {plot.INSTALL_HINT}")
        return run
    t0 = time.perf_counter()
    picture, run.findings = parts.make_preview(out_dir, wasm)
    plot.save_png(picture, out_dir / PREVIEW_PNG)
    steps["preview"] = time.perf_counter() - t0
    log(f"preview   {out_dir / PREVIEW_PNG}")
    for line in run.findings:
        log(f"          {line}")
    return run


def place_sources(demo: Demo, out_dir: Path) -> list[Path]:
    """Copy the demo's sources (``kernel.py`` …) into ``out_dir`` to read and edit, except
    where ``out_dir`` holds a copy that differs from the demo's: the user's edit, kept as it
    is. Returns those kept copies."""
    edited: list[Path] = []
    for source in demo.sources:
        ours, theirs = demo.path / source, out_dir / source
        try:
            if theirs.is_file() and theirs.read_bytes() != ours.read_bytes():
                edited.append(theirs)
            else:
                shutil.copyfile(ours, theirs)
        except OSError as e:
            raise PortalisError(f"cannot write {theirs}: {e.strerror}") from None
    return edited


def run_headless(scene: Path, result: Path, timeline: Timeline, run: DemoRun) -> None:
    """Run ``scene`` for the timeline and write the outputs to ``result``, as ``portalis run``
    does (:func:`portalis.sim.bake.bake`)."""
    from portalis.sim.bake import bake

    baked = bake(scene, result, start=0.0, end=float(timeline.frames), fps=timeline.fps)
    run.summary = [
        f"{s.module}: {s.calls} calls, {s.failures} failures"
        + (
            f", mean {s.mean_seconds * 1e6:.1f} µs, p99 {s.p99_seconds * 1e6:.1f} µs"
            + (f", max {s.max_seconds * 1e6:.1f} µs" if s.max_seconds is not None else "")
            if s.mean_seconds is not None and s.p99_seconds is not None
            else ""
        )
        for s in baked.summary
    ]
    run.failures = [str(f) for f in baked.failures]
    if run.failures:
        raise SceneError(
            "the run stopped a module: " + "; ".join(run.failures),
            hint=f"the outputs written before the failure are in {result}",
        )
