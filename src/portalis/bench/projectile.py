"""Projectile demo: simulated steps per second, headless, USD writes included.

The demo's scene (src/portalis/demos/projectile) is run by the stage runner exactly as
``portalis demo projectile`` runs it — compiled kernel, WasmPhysics prim, collision handler on
contact, outputs recorded as time samples and written to a result layer on disk — for a long
flight, and timed end to end (runner setup, every step, the flush of the samples and the
export of the layer). Measured in the same run, for comparison:

* the same compiled kernel called directly through the runtime's fast path (step, and the
  collision handler when a step reports contact): what the runner adds on top;
* the same kernel source imported by CPython, called the same way.

Goal (SPEC §4): ≥ 5,000 simulated steps per second including USD writes.
Run: ``python benchmarks/bench_projectile.py``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from portalis.bench.cpython import import_kernel
from portalis.bench.report import run_main
from portalis.bench.rows import Row


def flight(step: Callable[..., Any], handler: Callable[..., Any], launch: Any) -> None:
    """What the runner does per frame, with every argument given positionally."""
    dt = 1.0 / launch.fps
    args = (dt, 0.0, -launch.gravity, 0.0, launch.force_multiplier, launch.speed,
            launch.angle_deg, launch.height, launch.radius)  # fmt: skip
    for _ in range(launch.frames):
        if step(*args)[3]:
            handler(launch.restitution, launch.radius)


def runs_of(repeat: int, fn: Callable[[], None]) -> list[float]:
    """Seconds of each of ``repeat`` runs of ``fn``."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def rows(argv: list[str]) -> Iterator[Row]:
    from portalis.demos import get_demo
    from portalis.demos.pipeline import RESULT_FILE, SCENE_FILE, DemoRun, Timeline, run_headless
    from portalis.demos.projectile.scene import Launch, write_scene
    from portalis.lang import build
    from portalis.runtime import Sandbox, load_module

    demo = get_demo("projectile")
    parser = argparse.ArgumentParser(
        prog="portalis bench projectile", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--seconds", type=float, default=100.0, help="simulated seconds")
    parser.add_argument("--fps", type=float, default=60.0)
    parser.add_argument("--repeat", type=int, default=3, help="runs per variant")
    parser.add_argument("--quick", action="store_true", help="20 simulated seconds")
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds = min(args.seconds, 20.0)
    # A lively ball (restitution 0.9 bounces for ~30 s) so contacts and the handler happen.
    launch = Launch(restitution=0.9, seconds=args.seconds, fps=args.fps)

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        wasm = build(demo.kernel_path, folder / "kernel.wasm")
        write_scene(folder / SCENE_FILE, wasm.name, launch, trail=_flat_trail())
        timeline = Timeline(launch.frames, launch.fps)
        runs: list[DemoRun] = []

        def headless() -> None:
            run = DemoRun(demo, folder, timeline)
            run_headless(folder / SCENE_FILE, folder / RESULT_FILE, timeline, run)
            runs.append(run)

        runner_runs = runs_of(args.repeat, headless)
        samples = (folder / RESULT_FILE).stat().st_size

        instance = load_module(wasm.read_bytes(), name="projectile").instantiate(Sandbox())

        def compiled() -> None:
            instance.function("reset")()
            flight(instance.function("step"), instance.function("on_ground_contact"), launch)

        compiled_runs = runs_of(args.repeat, compiled)
        instance.close()

        py = import_kernel(demo.kernel_path, "projectile_cpython")

        def cpython() -> None:
            py.reset()
            flight(py.step, py.on_ground_contact, launch)

        cpython_runs = runs_of(args.repeat, cpython)

    n = launch.frames
    runner_s, compiled_s, cpython_s = min(runner_runs), min(compiled_runs), min(cpython_runs)
    print(f"{n} steps ({args.seconds:g} s simulated at {args.fps:g} Hz), best of {args.repeat}")
    print(
        f"  runner, USD writes included   {runner_s * 1000:9.1f} ms  {n / runner_s:12,.0f} steps/s"
        f"   (result layer {samples:,} bytes; {runs[-1].summary[0]})"
    )
    print(
        f"  compiled kernel, fast path    {compiled_s * 1000:9.1f} ms  "
        f"{n / compiled_s:12,.0f} steps/s"
    )
    print(
        f"  CPython, same source          {cpython_s * 1000:9.1f} ms  "
        f"{n / cpython_s:12,.0f} steps/s"
    )
    print(
        f"  runner / bare compiled calls: {runner_s / compiled_s:.1f}×;  "
        f"CPython / compiled: {cpython_s / compiled_s:.1f}×"
    )
    print(f"  goal ≥ 5,000 steps/s with USD writes: {'met' if n / runner_s >= 5000 else 'NOT met'}")
    params = {"steps": n}
    yield Row.of("frame", "portalis", runner_runs, per=n, path="runner, USD writes", **params)
    yield Row.of("frame", "portalis", compiled_runs, per=n, path="kernel calls only", **params)
    yield Row.of("frame", "cpython", cpython_runs, per=n, path="kernel calls only", **params)


def main(argv: list[str] | None = None) -> int:
    return run_main("projectile", rows, argv)


def _flat_trail() -> Any:
    import numpy as np

    return np.zeros((2, 3))  # the trail curve is not what this measures
