"""Warehouse fleet: time per frame for 20 robots planning as orders arrive, USD writes included;
the same source under CPython and Numba; the scaling to 100 robots on 200 × 200 cells.

The kernel is the warehouse demo's (src/portalis/demos/warehouse/kernel.py), the orders the
demo's. Each case runs one whole fleet run per implementation, timing every step, and reports
the median and the 90th percentile over the steps (SPEC §7's rows):

* ``frame`` (portalis): the stage runner stepping the demo scene live, as a host would each
  frame: inputs read, the compiled fleet step, and the 20 robots' poses, headings, statuses
  and orders written into the stage as time samples;
* ``step``: the fleet step alone, every implementation on the same orders: compiled (arrays
  already in linear memory, the way the runner keeps them), CPython, Numba (when installed;
  ``numba.njit`` over the same functions, the working memory passed in as parameters);
* ``plan-burst``: one step in which every robot is given an order and plans its path (robots
  × space-time A* with the reservation table), from a fresh fleet, repeated;
* ``bake``: ``portalis run``'s whole bake of the demo (runner, recording, writing the result
  layer to disk), divided by its frames.

Goal (SPEC §4): ≤ 0.5 ms per frame. Run: ``portalis bench warehouse [--quick] [--json FILE]``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import types
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from portalis.bench.cpython import import_kernel, jit_functions
from portalis.bench.peers import peer_installed
from portalis.bench.report import run_main
from portalis.bench.rows import Row
from portalis.bench.timing import format_seconds

if TYPE_CHECKING:
    from portalis.demos.warehouse.layout import Layout

GOAL_S = 0.5e-3


def kernel_path() -> Path:
    from portalis.demos import get_demo

    return get_demo("warehouse").kernel_path


def import_source(name: str) -> types.ModuleType:
    return import_kernel(kernel_path(), name)


def arguments(layout: Layout) -> tuple[Any, ...]:
    robots = layout.robots
    return (
        layout.cells, layout.width, layout.height, layout.picks, layout.drops, layout.homes,
        layout.order_pick, layout.order_drop, layout.order_release,
        np.zeros((robots, 3)), np.zeros(robots), np.zeros(robots, np.int32),
        np.zeros(robots, np.int32), 1.0,
    )  # fmt: skip


# -- the implementations: each a factory of (reset, step) over one layout ---------------------

Stepper = tuple[Callable[[], Any], Callable[[], Any]]


def cpython(layout: Layout) -> Stepper:
    module = import_source("warehouse_cpython")
    args = arguments(layout)
    return module.reset, lambda: module.update(*args)


def numba_jit(layout: Layout) -> Stepper | None:
    """The same functions through ``numba.njit``; the working memory (module-level arrays,
    which Numba would freeze as constants) goes in as :func:`step`'s parameters."""
    if not peer_installed("numba"):
        return None
    module = jit_functions(import_source("warehouse_numba"), skip=("update", "reset"))
    work = (
        module.counters, module.grid, module.robots, module.paths, module.headings,
        module.orders, module.nodes, module.seen_key, module.seen_stamp, module.res_cell,
        module.res_time, module.res_robot, module.dist_pool, module.map_owner,
    )  # fmt: skip
    args = arguments(layout)

    def reset() -> None:
        module.counters[module.C_READY] = 0

    step = module.step
    step(*args, *work)  # compile
    return reset, lambda: step(*args, *work)


def compiled(layout: Layout, wasm: Path) -> Stepper:
    """The compiled module with its arrays already in linear memory (written once, passed as
    views: no copy per call), as the stage runner keeps read-only inputs."""
    from portalis.runtime.kernel import load

    kernel = load(wasm)
    sample = arguments(layout)
    update = kernel.function("update")
    update(*sample)
    memory = kernel.instance.memory
    assert memory is not None  # the fleet kernel has arrays, so a memory
    placed = [memory.write(a) if isinstance(a, np.ndarray) else None for a in sample]
    args = [
        memory.view(p.offset, p.dtype, p.shape) if p is not None else a
        for p, a in zip(placed, sample, strict=True)
    ]
    return kernel.function("reset"), lambda: update(*args)


# -- the cases --------------------------------------------------------------------------------


def time_steps(stepper: Stepper, frames: int) -> list[float]:
    reset, step = stepper
    reset()
    clock = time.perf_counter
    times = []
    for _ in range(frames):
        t0 = clock()
        step()
        times.append(clock() - t0)
    return times[1:]  # the first step reads the map: setup, not a frame


def burst(layout: Layout) -> Layout:
    """Every robot gets an order at step 1 (step 0 sets the fleet up)."""
    n = layout.robots
    rng = np.random.default_rng(5)
    return replace(
        layout,
        order_pick=rng.choice(layout.picks, n, replace=False),
        order_drop=layout.drops[rng.integers(0, len(layout.drops), n)],
        order_release=np.ones(n, np.int32),
    )


def time_bursts(stepper: Stepper, repeat: int) -> list[float]:
    reset, step = stepper
    times = []
    for _ in range(repeat):
        reset()
        step()
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    return times


def runner_frames(folder: Path, wasm: Path, frames: int) -> list[float]:
    """Per-frame times of the stage runner stepping the scene live, writes included."""
    from pxr import Usd

    import portalis.usd  # noqa: F401
    from portalis.sim import Runner

    stage = Usd.Stage.Open(str(folder / "scene.usd"))
    stage.SetEditTarget(stage.GetSessionLayer())
    fps = stage.GetTimeCodesPerSecond()
    times = []
    with Runner(stage) as runner:
        runner.play(time_code=0)
        for f in range(1, frames + 1):
            t0 = time.perf_counter()
            runner.step(1.0 / fps, time_code=f)
            times.append(time.perf_counter() - t0)
        runner.stop(time_code=frames)
    return times[1:]


def bake_per_frame(folder: Path, frames: int) -> float:
    from portalis.sim.bake import bake

    t0 = time.perf_counter()
    bake(folder / "scene.usd", folder / "result.usd", start=0.0, end=float(frames))
    return (time.perf_counter() - t0) / frames


def measure(layout: Layout, frames: int, wasm: Path, folder: Path, repeat: int) -> Iterator[Row]:
    """Every case on ``layout``, printing each row as it comes."""
    from portalis.demos.warehouse.scene import Run, write_scene

    params: dict[str, Any] = {
        "robots": layout.robots,
        "cells": f"{layout.width}x{layout.height}",
        "orders": len(layout.order_pick),
        "frames": frames,
    }
    print(f"\n{layout.robots} robots on {layout.width}×{layout.height} cells, {frames} steps")
    write_scene(folder / "scene.usd", wasm.name, Run(layout, frames=frames))
    yield shown(Row.of("frame", "portalis", runner_frames(folder, wasm, frames), **params))
    yield shown(Row.of("bake", "portalis", [bake_per_frame(folder, frames)], **params))
    peers: dict[str, Callable[[Layout], Stepper | None]] = {
        "portalis": lambda lay: compiled(lay, wasm),
        "cpython": cpython,
        "numba": numba_jit,
    }
    burst_params = {**params, "orders": layout.robots, "frames": 2}
    for impl, make in peers.items():
        stepper = make(layout)
        if stepper is None:  # a missing peer, named once by peer_installed
            continue
        yield shown(Row.of("step", impl, time_steps(stepper, frames), **params))
        stepper = make(burst(layout))
        assert stepper is not None
        runs = repeat if impl != "cpython" else 1  # seconds each at 200×200
        yield shown(Row.of("plan-burst", impl, time_bursts(stepper, runs), **burst_params))


def shown(r: Row) -> Row:
    print(
        f"  {r.case:<10} {r.impl:<9} median {format_seconds(r.median_s):>10}  "
        f"p90 {format_seconds(r.p90_s):>10}  ({r.runs} runs)",
        flush=True,
    )
    return r


def summary(found: Sequence[Row]) -> None:
    by = {(r.case, r.impl, r.params["cells"]): r.median_s for r in found}
    for cells in sorted({r.params["cells"] for r in found}):
        for case in ("step", "plan-burst"):
            base = by.get((case, "portalis", cells))
            for peer in ("cpython", "numba"):
                other = by.get((case, peer, cells))
                if base and other:
                    print(f"  {cells} {case}: {peer} / portalis = {other / base:.2f}×")
    frame = by.get(("frame", "portalis", "100x100"))
    if frame is not None:
        verdict = "met" if frame <= GOAL_S else "NOT met"
        print(f"  goal ≤ 0.5 ms per frame (20 robots, USD writes included): {verdict}")


def rows(argv: Sequence[str]) -> Iterator[Row]:
    parser = argparse.ArgumentParser(
        prog="portalis bench warehouse", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--repeat", type=int, default=30, help="plan bursts per implementation")
    parser.add_argument("--quick", action="store_true", help="the 20-robot warehouse only")
    args = parser.parse_args(list(argv))

    from portalis.demos.warehouse.layout import warehouse
    from portalis.demos.warehouse.scene import default_run
    from portalis.lang import build

    found: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        wasm = build(kernel_path(), folder / "kernel.wasm")
        demo = default_run()
        found += measure(demo.layout, demo.frames, wasm, folder, args.repeat)
        if not args.quick:
            big = warehouse(width=200, height=200, robots=100, orders=200, picks=120, drops=40)
            found += measure(big, 1200, wasm, folder, args.repeat)
    print("\nmedians and p90 over the steps of one run (plan-burst: over repeated bursts)")
    summary(found)
    yield from found


def main(argv: list[str] | None = None) -> int:
    return run_main("warehouse", rows, argv)
