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
import importlib.util
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from portalis.demos import get_demo
from portalis.demos.robot_arm.scene import HOME, target_path
from portalis.lang import compile_source
from portalis.runtime import Sandbox, load_module

KERNEL = get_demo("robot-arm").kernel_path
MAX_ITERATIONS = 100


def import_source(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("ur5_kernel_cpython", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def workloads(py: ModuleType, n: int, seed: int) -> dict[str, np.ndarray]:
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
) -> tuple[list[float], float]:
    """Per-solve times (µs) and the worst FK(IK(target)) distance (m)."""
    reset(*HOME)
    clock = time.perf_counter_ns
    times: list[float] = []
    worst = 0.0
    for x, y, z in targets.tolist():
        if from_home:
            reset(*HOME)
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--targets", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3, help="runs per backend; best median")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    source = KERNEL.read_text(encoding="utf-8")
    t0 = time.perf_counter()
    compiled = compile_source(source, str(KERNEL))
    compile_ms = (time.perf_counter() - t0) * 1000.0
    instance = load_module(compiled.wasm, name="robot_arm").instantiate(Sandbox())
    wasm_solve = instance.function("solve_ik")
    wasm_seed = instance.function("set_seed")
    wasm_fk = instance.function("fk")
    py = import_source(KERNEL)

    backends: dict[str, tuple[Callable[..., Any], Callable[..., Any], Callable[..., Any]]] = {
        "compiled (portalis, fast path)": (wasm_solve, wasm_seed, wasm_fk),
        "CPython (same source)": (py.solve_ik, py.set_seed, py.fk),
    }
    if importlib.util.find_spec("numba") is not None:
        print(
            "numba is installed, but this kernel keeps its solution in module-level variables, "
            "which numba.njit freezes as constants: no like-for-like Numba run; skipped."
        )
    else:
        print("numba: not installed; skipped")

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
                times, worst = time_solves(solve, reset, fk, targets, workload == "random")
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
        names = list(medians)
        print(f"  CPython / compiled: {medians[names[1]] / medians[names[0]]:.1f}×")
    instance.close()
    return 0
