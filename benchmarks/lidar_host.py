"""Where the runner's time goes around the LiDAR kernels: each prim's call split into the
kernel itself, copying arrays into linear memory (``ArraySlot.place``), copying outputs out
and checking them (``ModulePrim._publish``) and the rest, plus the live writer's commit per
step, by CPU time (``time.process_time``), medians over the frames after the first.

    PYTHONPATH=src python benchmarks/lidar_host.py [FRAMES]

It wraps the runner's methods from outside, so the same script measures any checkout (run
it alternately against two trees to compare). Not a test: figures only.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from pxr import Usd

import portalis.usd  # noqa: F401  (schemas registered before any stage is opened)
from portalis.bench.lidar import kernel_path, runner_clock
from portalis.demos.lidar.scene import FILTER, SCANNER, Drive, write_scene
from portalis.lang import build
from portalis.sim import Runner, arrays, binding, writer

CLOCK = time.process_time


def main(frames: int) -> None:
    work = Path(tempfile.mkdtemp())
    wasm = build(kernel_path(), work / "kernel.wasm")
    drive = Drive(frames=frames)
    write_scene(work / "scene.usd", wasm.name, drive)
    stage = Usd.Stage.Open(str(work / "scene.usd"))
    stage.SetEditTarget(stage.GetSessionLayer())
    spent: dict[tuple[str, str], list[float]] = defaultdict(list)
    current = ["step"]

    def timed(cls: Any, name: str, label: str) -> None:
        original = getattr(cls, name)

        def wrapper(self: Any, *args: Any) -> Any:
            t0 = CLOCK()
            try:
                return original(self, *args)
            finally:
                spent[(current[0], label)].append(CLOCK() - t0)

        setattr(cls, name, wrapper)

    timed(arrays.ArraySlot, "place", "copy in")
    timed(binding.ModulePrim, "_publish", "copy out")
    timed(writer.LiveWriter, "commit", "writer")
    with Runner(stage) as runtime, runner_clock(CLOCK):
        prims = {"scan": runtime.module_prim(SCANNER), "frame": runtime.module_prim(FILTER)}
        for name, prim in prims.items():
            assert prim.entry is not None
            prim.entry.fn = _kernel_timer(prim.entry.fn, spent[(name, "kernel")], CLOCK)
            run = prim.run

            def entered(run: Callable[[], Any] = run, name: str = name) -> Any:
                current[0] = name
                try:
                    return run()
                finally:
                    current[0] = "step"

            prim.run = entered  # type: ignore[method-assign]
        runtime.play()
        for frame in range(1, frames + 1):
            runtime.step(1.0 / drive.fps, time_code=frame)
        for name, prim in prims.items():
            calls = np.array(prim.stats.samples()[1:])
            parts = {"kernel": np.array(spent[(name, "kernel")][1:])}
            for label in ("copy in", "copy out"):
                per_call = np.array(spent[(name, label)]).reshape(frames, -1).sum(axis=1)
                parts[label] = per_call[1:]
            rest = calls - sum(parts.values())
            host = calls - parts["kernel"]
            print(
                f"{name:5s} call {np.median(calls) * 1e3:.3f} ms = kernel "
                f"{np.median(parts['kernel']) * 1e3:.3f} + host {np.median(host) * 1e3:.3f} "
                f"(copy in {np.median(parts['copy in']) * 1e3:.3f}, copy out "
                f"{np.median(parts['copy out']) * 1e3:.3f}, rest {np.median(rest) * 1e3:.3f})"
            )
        commits = spent[("step", "writer")][1:]
        print(f"writer commit per step {np.median(commits) * 1e3:.3f} ms")


def _kernel_timer(fn: Any, samples: list[float], clock: Callable[[], float]) -> Any:
    def kernel(*args: Any) -> Any:
        t0 = clock()
        result = fn(*args)
        samples.append(clock() - t0)
        return result

    kernel.params = fn.params  # type: ignore[attr-defined]
    kernel.results = fn.results  # type: ignore[attr-defined]
    return kernel


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 40)
