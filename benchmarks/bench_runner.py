"""The stage runner's per-frame overhead: 100 module prims with scalar inputs and outputs.

Each prim runs ``update(x, k, dt) -> x * k + dt``: ``x`` is connected to the previous prim's
output (a chain through the whole stage), ``k`` is a constant input, ``dt`` the runner's.
The peer, measured in the same run on the same instances, is the bare module calls: the same
100 calls with the same arguments from a plain Python loop through the runtime's fast path.

    python benchmarks/bench_runner.py [--prims 100] [--frames 600]

Prints medians over frames: the bare calls, the runner recording (what ``portalis run``
does per frame; the time samples are written at the end, reported separately), and the
runner writing live to the stage each frame (what an interactive host does).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import wasmtime

import portalis.usd  # noqa: F401  (registers the schemas before any stage is opened)

UPDATE = """(module (func (export "update") (param f64 f64 f64) (result f64)
  local.get 0 local.get 1 f64.mul local.get 2 f64.add))"""


def build_stage(folder: Path, prims: int):  # type: ignore[no-untyped-def]
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
    return stage


def median_us(samples: list[float]) -> float:
    return statistics.median(samples) * 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prims", type=int, default=100)
    parser.add_argument("--frames", type=int, default=600)
    args = parser.parse_args(argv)

    from portalis.sim import Runtime

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        frames = args.frames
        dt = 1.0 / 60.0

        # runner, recording (as `portalis run`): one frame = one step of every prim
        stage = build_stage(folder, args.prims)
        recording = Runtime(stage, record=True)
        recording.play(0)
        record_times = []
        for frame in range(1, frames + 1):
            t0 = time.perf_counter()
            recording.step(dt, time_code=frame)
            record_times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        recording.flush()
        flush_seconds = time.perf_counter() - t0

        # bare calls on the same instances, with the same arguments
        calls = [(m.fn, list(m.entry.argv)) for m in recording.prims]
        bare_times = []
        for _ in range(frames):
            t0 = time.perf_counter()
            x = 1.0
            for fn, argv in calls:
                x = fn(x, argv[1], argv[2])
            bare_times.append(time.perf_counter() - t0)
        assert recording.failures == [], recording.failures
        recording.close()

        # runner, live: outputs written into the stage every frame
        live_stage = build_stage(folder, args.prims)
        live = Runtime(live_stage)
        live.play()
        live_times = []
        for _ in range(frames):
            t0 = time.perf_counter()
            live.step(dt)
            live_times.append(time.perf_counter() - t0)
        live.close()

    bare = median_us(bare_times)
    rec = median_us(record_times)
    flush_per_frame = flush_seconds / frames * 1e6
    live_us = median_us(live_times)
    print(f"stage: {args.prims} module prims, scalar in/out, {frames} frames (medians)")
    print(f"  bare module calls      {bare:9.1f} µs/frame   1.00×")
    print(f"  runner, recording      {rec:9.1f} µs/frame   {rec / bare:.2f}×")
    print(
        f"    + writing samples    {flush_per_frame:9.1f} µs/frame   "
        f"{(rec + flush_per_frame) / bare:.2f}× in all (USD SetTimeSample, once at the end)"
    )
    print(f"  runner, live writes    {live_us:9.1f} µs/frame   {live_us / bare:.2f}×")
    print(f"  per prim: bare {bare / args.prims:.2f} µs, runner {rec / args.prims:.2f} µs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
