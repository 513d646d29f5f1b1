"""``portalis sweep``: variants per second on the local process pool and on Ray, and what a
sweep costs per variant over a bare ``portalis run`` of the same variant.

The scene is the projectile demo's, long enough that one variant bakes in about
``--variant-seconds`` (1 s by default: calibrated on this machine before measuring). Measured
in the same run:

* ``portalis run``'s bake of one variant in this process (``portalis.sim.bake``, what the CLI
  does after Python has started), and the whole ``portalis run`` command as a process;
* sweeps of N and 2N variants on each engine with one worker: the *marginal* cost of a
  variant, (T(2N) − T(N)) / N, which leaves out the fixed costs (starting worker processes,
  a local Ray, the summary) and keeps everything paid per variant (the override layer, the
  scene reaching the worker, the bake, reading the outputs back, shipping the result layer,
  the done marker); its ratio to the bare bake is the overhead (goal ≤ 1.2 for a 1 s
  variant);
* the same with ``--workers`` processes (default: every CPU): variants per second;
* starting a local Ray (a fixed cost per sweep that starts one; a cluster is started once).

Ray rows appear only when Ray is installed (``portalis[ray]``).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from portalis.bench.peers import peer_installed, peer_missing
from portalis.bench.report import run_main
from portalis.bench.rows import Row

SPEED = "/World/Physics.inputs:speed"


def rows(argv: list[str]) -> Iterator[Row]:
    parser = argparse.ArgumentParser(
        prog="portalis bench sweep", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--variant-seconds", type=float, default=1.0)
    parser.add_argument("--variants", type=int, default=6, help="N: sweeps of N and 2N")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeat", type=int, default=3, help="sweeps of each size")
    parser.add_argument("--quick", action="store_true", help="0.25 s variants, N = 2, once")
    args = parser.parse_args(argv)
    if args.quick:
        args.variant_seconds, args.variants, args.repeat = min(args.variant_seconds, 0.25), 2, 1

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        scene = _scene(folder)
        end = _calibrate(scene, folder, args.variant_seconds)
        bare = [_bare_bake(scene, folder, end) for _ in range(3)]
        b = sorted(bare)[1]
        print(f"one variant: {end:,} frames; bare bake {b:.3f} s (median of 3)")
        size = (folder / "bare.usd").stat().st_size
        keep = _driver_keep(folder, (folder / "bare.usd").read_bytes())
        print(
            f"  result layer {size:,} bytes; the driver keeps one (result file and done "
            f"marker, written atomically) in {keep * 1000:.2f} ms"
        )
        yield Row.of("keep", "portalis", [keep], result_bytes=size)
        cli = _cli_run(scene, folder, end)
        print(f"  `portalis run` as a process: {cli:.3f} s (Python start and imports included)")
        yield Row.of("variant", "portalis", [cli], path="portalis run (process)", frames=end)

        # The local pool first: a running Ray's own processes would compete with it.
        yield from _engine_rows("local", scene, folder, end, args)
        sys.stdout.flush()
        if not peer_installed("ray"):
            return
        try:
            import ray  # noqa: F401
        except ImportError as e:
            peer_missing("ray", f"installed but cannot be imported ({e})")
            return
        # Ray in a process of its own: ray.init puts Ray's crash handler in front of
        # wasmtime's in the calling process, and `portalis bench --report` runs every other
        # benchmark in this one.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=1, mp_context=context) as child:
            yield from child.submit(_ray_rows, scene, folder, end, args).result()


def _ray_rows(scene: Path, folder: Path, end: int, args: argparse.Namespace) -> list[Row]:
    import ray

    t0 = time.perf_counter()
    ray.init(num_cpus=args.workers, include_dashboard=False, log_to_driver=False)
    started = time.perf_counter() - t0
    print(f"  starting a local Ray ({args.workers} CPUs): {started:.2f} s", flush=True)
    found = [Row.of("start", "portalis", [started], engine="ray", workers=args.workers)]
    try:
        found += _engine_rows("ray", scene, folder, end, args)
        per_task = _ray_task_overhead(ray, 200 if args.quick else 1000)
        print(f"  ray   an empty task, submitted and fetched: {per_task * 1e3:.2f} ms each")
        found.append(Row.of("task", "ray", [per_task], path="empty task"))
    finally:
        ray.shutdown()
    return found


def _engine_rows(
    engine: str, scene: Path, folder: Path, end: int, args: argparse.Namespace
) -> list[Row]:
    n = args.variants
    # Alternated with bare bakes, medians: the machine's noise (it is shared) falls on the
    # sweep and on the peer it is compared with alike.
    _sweep(scene, folder, engine, 1, 1, end)  # warm-up: Ray starts its worker processes
    ones, twos, bares = [], [], []
    for _ in range(args.repeat):
        bares.append(_bare_bake(scene, folder, end))
        ones.append(_sweep(scene, folder, engine, 1, n, end))
        twos.append(_sweep(scene, folder, engine, 1, 2 * n, end))
    one, two = statistics.median(ones), statistics.median(twos)
    bare = statistics.median(bares)
    marginal = (two - one) / n
    print(
        f"  {engine:<5} 1 worker:  {n} variants {one:.2f} s, {2 * n} variants {two:.2f} s "
        f"(medians of {args.repeat}) → {marginal:.3f} s per variant; bare bake {bare:.3f} s "
        f"in the same rounds: {_verdict(marginal, bare)}"
    )
    found = [Row.of("variant", "portalis", bares, path="portalis run (bake in process)",
                    engine=engine, frames=end)]  # fmt: skip
    found.append(Row.of("variant", "portalis", [marginal], path="sweep, marginal",
                        engine=engine, workers=1, frames=end))  # fmt: skip
    many = 2 * n * args.workers
    wall = _sweep(scene, folder, engine, args.workers, many, end)
    print(
        f"  {engine:<5} {args.workers} workers: {many} variants in {wall:.2f} s = "
        f"{many / wall:.2f} variants/s (fixed costs included)"
    )
    found.append(Row.of("sweep", "portalis", [wall], per=many, engine=engine,
                        workers=args.workers, variants=many, frames=end))  # fmt: skip
    return found


def _ray_task_overhead(ray: Any, count: int) -> float:
    """Seconds per empty Ray task (submitted at once, all fetched): Ray's own scheduling and
    transport cost, the floor under any variant's."""

    def empty() -> None:
        return None

    remote = ray.remote(empty)
    ray.get([remote.remote() for _ in range(20)])  # workers up
    t0 = time.perf_counter()
    ray.get([remote.remote() for _ in range(count)])
    return (time.perf_counter() - t0) / count


def _verdict(marginal: float, bare: float) -> str:
    if marginal < 0.5 * bare:  # the fixed costs varied more than the variants cost
        return "too noisy to judge here (run with more --variants)"
    return f"{marginal / bare:.2f}× (goal ≤ 1.2: {'met' if marginal <= 1.2 * bare else 'NOT met'})"


def _scene(folder: Path) -> Path:
    import numpy as np

    from portalis.demos import get_demo
    from portalis.demos.projectile.scene import Launch, write_scene
    from portalis.lang import build

    wasm = build(get_demo("projectile").kernel_path, folder / "kernel.wasm")
    # A lively ball (restitution 0.9) so contacts and the collision handler happen.
    write_scene(folder / "scene.usd", wasm.name, Launch(restitution=0.9), np.zeros((2, 3)))
    return folder / "scene.usd"


def _bare_bake(scene: Path, folder: Path, end: int) -> float:
    from portalis.sim.bake import bake

    t0 = time.perf_counter()
    bake(scene, folder / "bare.usd", end=end)  # .usd: crate when large, as a sweep writes
    return time.perf_counter() - t0


def _driver_keep(folder: Path, result: bytes) -> float:
    """Median seconds for the driver to keep one finished variant."""
    from portalis.sweep.design import Variant
    from portalis.sweep.folder import SweepFolder
    from portalis.sweep.variant import OK, Outcome

    sweep = SweepFolder(folder / "keep")
    times = []
    for k in range(9):
        variant = Variant(k, {SPEED: 20.0})
        outcome = Outcome(k, OK, seconds=1.0, frames=1, columns={"x": 1.0},
                          files={"result.usd": result})  # fmt: skip
        t0 = time.perf_counter()
        sweep.keep(variant, outcome)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _calibrate(scene: Path, folder: Path, seconds: float) -> int:
    """Frames for a bake of about ``seconds`` here."""
    probe = 2000
    took = min(_bare_bake(scene, folder, probe) for _ in range(2))
    return max(60, round(probe * seconds / took))


def _cli_run(scene: Path, folder: Path, end: int) -> float:
    command = [sys.executable, "-m", "portalis.cli.main", "run", str(scene),
               "-o", str(folder / "cli.usd"), "--end", str(end), "--quiet"]  # fmt: skip
    t0 = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - t0


def _sweep(scene: Path, folder: Path, engine: str, workers: int, variants: int, end: int) -> float:
    from portalis.sweep import make_engine, run_sweep

    out = Path(tempfile.mkdtemp(dir=folder, prefix=f"{engine}-{workers}-{variants}-"))
    t0 = time.perf_counter()
    result = run_sweep(
        scene, out / "sweep", [f"{SPEED}=15:25:{variants}"], end=end,
        engine=make_engine(engine, workers=workers),
    )  # fmt: skip
    wall = time.perf_counter() - t0
    if result.count("ok") != variants:
        raise RuntimeError(f"{engine}: {result.count('ok')} of {variants} variants ran")
    return wall


def main(argv: list[str] | None = None) -> int:
    return run_main("sweep", rows, argv)
