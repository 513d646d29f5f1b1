"""IK solve time called from Python, median over 1,000 reachable targets.

The UR5 kernel of the robot-arm demo (src/portalis/demos/robot_arm/kernel.py) is compiled by
``portalis.lang`` and called through the runtime's typed fast path
(``instance.function("solve_ik")(x, y, z, max_iterations)``); its peer, measured in the same
run on the same targets, is the same source imported by CPython. Numba is compared when it is
installed (it is detected, never required).

Two workloads:

* tracking: 1,000 targets along the demo's figure-of-eight path, each solve warm-started from
  the previous solution — what the arm does every frame;
* random: 1,000 targets made by FK of random joint configurations within the limits, each
  solved from the home posture (the reset before each solve is not timed).

Every solution is checked: FK(IK(target)) within 1 mm. Run: ``python benchmarks/bench_ik.py``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import numpy as np

from portalis.bench.cpython import import_kernel
from portalis.bench.peers import peer_installed
from portalis.bench.report import run_main
from portalis.bench.rows import Row

MAX_ITERATIONS = 100


def workloads(py: ModuleType, n: int, seed: int) -> dict[str, np.ndarray]:
    from portalis.demos.robot_arm.scene import target_path

    times = np.linspace(0.0, 8.0, n, endpoint=False)
    rng = np.random.default_rng(seed)
    lo = np.array([py.lower_limit(i) for i in range(6)])
    hi = np.array([py.upper_limit(i) for i in range(6)])
    configs = rng.uniform(lo, hi, size=(n, 6))
    return {
        "tracking": target_path(times),
        "random": np.array([py.fk(*q) for q in configs]),
    }


def time_solves(
    solve: Callable[..., Any],
    reset: Callable[..., Any],
    fk: Callable[..., Any],
    targets: np.ndarray,
    from_home: bool,
    home: tuple[float, ...],
) -> tuple[list[float], float]:
    """Per-solve times (µs) and the worst FK(IK(target)) distance (m)."""
    reset(*home)
    clock = time.perf_counter_ns
    times: list[float] = []
    worst = 0.0
    for x, y, z in targets.tolist():
        if from_home:
            reset(*home)
        start = clock()
        q = solve(x, y, z, MAX_ITERATIONS)
        times.append((clock() - start) / 1000.0)
        worst = max(worst, float(np.linalg.norm(np.array(fk(*q)) - (x, y, z))))
    return times, worst


def timer_floor() -> float:
    """What an empty timed region costs (µs), for reading the medians."""
    clock = time.perf_counter_ns
    samples = []
    for _ in range(10_000):
        start = clock()
        samples.append((clock() - start) / 1000.0)
    return statistics.median(samples)


def rows(argv: list[str]) -> Iterator[Row]:
    from portalis.demos import get_demo
    from portalis.demos.robot_arm.ur5 import HOME
    from portalis.lang import compile_source
    from portalis.runtime import Sandbox, load_module

    parser = argparse.ArgumentParser(prog="portalis bench ik", description=__doc__.split("\n\n")[0])
    parser.add_argument("--targets", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3, help="runs per backend; best median")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="200 targets")
    args = parser.parse_args(argv)
    if args.quick:
        args.targets = min(args.targets, 200)

    kernel_path = get_demo("robot-arm").kernel_path
    source = kernel_path.read_text(encoding="utf-8")
    t0 = time.perf_counter()
    compiled = compile_source(source, str(kernel_path))
    compile_ms = (time.perf_counter() - t0) * 1000.0
    instance = load_module(compiled.wasm, name="robot_arm").instantiate(Sandbox())
    wasm_solve = instance.function("solve_ik")
    wasm_seed = instance.function("set_seed")
    wasm_fk = instance.function("fk")
    py = import_kernel(kernel_path, "ur5_kernel_cpython")

    backends: dict[str, tuple[Callable[..., Any], Callable[..., Any], Callable[..., Any]]] = {
        "portalis": (wasm_solve, wasm_seed, wasm_fk),
        "cpython": (py.solve_ik, py.set_seed, py.fk),
    }
    if peer_installed("numba"):
        print(
            "numba is installed, but this kernel keeps its solution in module-level variables, "
            "which numba.njit freezes as constants: no like-for-like Numba run; skipped."
        )

    floor = timer_floor()
    probe = instance.function("clamp")
    call_times = []
    for _ in range(20_000):
        start = time.perf_counter_ns()
        probe(0.5, 0.0, 1.0)
        call_times.append((time.perf_counter_ns() - start) / 1000.0)
    print(f"python {sys.version.split()[0]}; kernel compiled in {compile_ms:.0f} ms")
    print(
        f"timer floor {floor:.3f} µs; fast-path call of a trivial export (clamp): "
        f"median {statistics.median(call_times):.3f} µs"
    )

    for workload, targets in workloads(py, args.targets, args.seed).items():
        print(
            f"\n{workload}: {len(targets)} targets"
            + (" (each from home)" if workload == "random" else " (warm start)")
        )
        medians: dict[str, float] = {}
        for name, (solve, reset, fk) in backends.items():
            best: list[float] | None = None
            worst_error = 0.0
            for _ in range(args.repeat):
                times, worst = time_solves(solve, reset, fk, targets, workload == "random", HOME)
                worst_error = max(worst_error, worst)
                if best is None or statistics.median(times) < statistics.median(best):
                    best = times
            assert best is not None
            medians[name] = statistics.median(best)
            p90 = float(np.percentile(best, 90))
            print(
                f"  {name:32s} median {medians[name]:8.2f} µs   p90 {p90:8.2f} µs   "
                f"worst |FK(IK(p)) - p| {worst_error * 1000:.4f} mm"
            )
            yield Row.of(
                "solve", name, [t / 1e6 for t in best], workload=workload, targets=len(targets)
            )
        names = list(medians)
        print(f"  CPython / compiled: {medians[names[1]] / medians[names[0]]:.1f}×")
    instance.close()


def main(argv: list[str] | None = None) -> int:
    return run_main("ik", rows, argv)
