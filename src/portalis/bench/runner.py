"""The stage runner's per-frame overhead: 100 module prims with scalar inputs and outputs.

Each prim runs ``update(x, k, dt) -> x * k + dt``: ``x`` is connected to the previous prim's
output (a chain through the whole stage), ``k`` is a constant input, ``dt`` the runner's.
The peer, measured in the same run on the same instances, is the bare module calls: the same
100 calls with the same arguments from a plain Python loop through the runtime's fast path.

    python benchmarks/bench_runner.py [--prims 100] [--frames 600]

Prints medians over frames: the bare calls; the runner recording (what ``portalis run``
does per frame, with performanceMonitoring on — its default — and off; the time samples are
written once at the end, reported separately); and the runner writing live to the stage each
frame (what an interactive host does).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from portalis.bench.report import run_main
from portalis.bench.rows import Row

UPDATE = """(module (func (export "update") (param f64 f64 f64) (result f64)
  local.get 0 local.get 1 f64.mul local.get 2 f64.add))"""


def build_stage(folder: Path, prims: int, *, monitoring: bool = True) -> Any:
    import wasmtime
    from pxr import Usd

    from portalis.usd import add_input, add_output, create_wasm_module_prim

    (folder / "update.wasm").write_bytes(wasmtime.wat2wasm(UPDATE))
    stage = Usd.Stage.CreateInMemory()
    for i in range(prims):
        prim = create_wasm_module_prim(
            stage, f"/World/M{i:03d}", str(folder / "update.wasm"), "update", "update"
        )
        previous = f"/World/M{i - 1:03d}.outputs:y" if i else None
        add_input(prim, "x", "double", 1.0, connect=previous)
        add_input(prim, "k", "double", 0.5)
        add_input(prim, "dt", "double")
        add_output(prim, "y", "double")
        prim.GetAttribute("performanceMonitoring").Set(monitoring)
    return stage


def median_us(samples: list[float]) -> float:
    return statistics.median(samples) * 1e6


def rows(argv: list[str]) -> Iterator[Row]:
    parser = argparse.ArgumentParser(
        prog="portalis bench runner", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--prims", type=int, default=100)
    parser.add_argument("--frames", type=int, default=600)
    parser.add_argument("--quick", action="store_true", help="120 frames")
    args = parser.parse_args(argv)
    if args.quick:
        args.frames = min(args.frames, 120)

    import portalis.usd  # noqa: F401  (registers the schemas before any stage is opened)
    from portalis.sim import Runner

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        frames = args.frames
        dt = 1.0 / 60.0
        # recording (as `portalis run`), with performanceMonitoring on (its default) and off,
        # and live (as an interactive host): one frame = one step of every prim
        recording = Runner(build_stage(folder, args.prims), record=True)
        quiet = Runner(build_stage(folder, args.prims, monitoring=False), record=True)
        live = Runner(build_stage(folder, args.prims))
        for runner in (recording, quiet):
            runner.play(0)
        live.play()
        # the peer: the same calls on the recording runner's instances, same arguments
        calls = [(m.fn, list(m.entry.argv)) for m in recording.prims if m.entry is not None]
        assert len(calls) == len(recording.prims)  # every prim was bound by play(0)

        # Interleaved, frame by frame, so the machine's load weighs on every variant alike.
        bare_times, record_times, quiet_times, live_times = [], [], [], []
        for frame in range(1, frames + 1):
            t0 = time.perf_counter()
            x = 1.0
            for fn, argv in calls:
                x = fn(x, argv[1], argv[2])
            t1 = time.perf_counter()
            recording.step(dt, time_code=frame)
            t2 = time.perf_counter()
            quiet.step(dt, time_code=frame)
            t3 = time.perf_counter()
            live.step(dt)
            t4 = time.perf_counter()
            bare_times.append(t1 - t0)
            record_times.append(t2 - t1)
            quiet_times.append(t3 - t2)
            live_times.append(t4 - t3)
        t0 = time.perf_counter()
        recording.flush()
        flush_seconds = time.perf_counter() - t0
        for runner in (recording, quiet, live):
            assert runner.failures == [], runner.failures
            runner.close()

    bare = median_us(bare_times)
    rec = median_us(record_times)
    flush_per_frame = flush_seconds / frames * 1e6
    live_us = median_us(live_times)
    quiet_us = median_us(quiet_times)
    print(f"stage: {args.prims} module prims, scalar in/out, {frames} frames (medians)")
    print(f"  bare module calls      {bare:9.1f} µs/frame   1.00×")
    print(f"  runner, recording      {rec:9.1f} µs/frame   {rec / bare:.2f}×")
    print(
        f"    + writing samples    {flush_per_frame:9.1f} µs/frame   "
        f"{(rec + flush_per_frame) / bare:.2f}× in all (USD SetTimeSample, once at the end)"
    )
    print(
        f"  runner, unmonitored    {quiet_us:9.1f} µs/frame   {quiet_us / bare:.2f}×"
        "   (performanceMonitoring = false)"
    )
    print(f"  runner, live writes    {live_us:9.1f} µs/frame   {live_us / bare:.2f}×")
    print(f"  per prim: bare {bare / args.prims:.2f} µs, runner {rec / args.prims:.2f} µs")
    prims = {"prims": args.prims}
    yield Row.of("frame", "portalis", bare_times, mode="bare module calls", **prims)
    yield Row.of("frame", "portalis", record_times, mode="runner, recording", **prims)
    yield Row.of("frame", "portalis", quiet_times, mode="runner, unmonitored", **prims)
    yield Row.of("frame", "portalis", live_times, mode="runner, live writes", **prims)


def main(argv: list[str] | None = None) -> int:
    return run_main("runner", rows, argv)
