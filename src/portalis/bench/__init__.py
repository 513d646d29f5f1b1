"""The benchmark harness and suite.

:mod:`portalis.bench.timing` is the harness: medians over repeated batches, and ratios
against a peer measured in the same run (machines here are noisy; absolute figures from
different runs are not comparable, ratios are). The other modules are the benchmarks, each
with ``main(argv) -> int``, run by ``portalis bench NAME`` or ``python benchmarks/bench_NAME.py``.
"""

from portalis.bench.timing import Timing, format_seconds, ratio, report, time_call

#: name → (module, what it measures). Modules are imported only when run.
BENCHMARKS: dict[str, tuple[str, str]] = {
    "runtime": ("portalis.bench.runtime", "call overhead vs wasmtime-py, warm loads, sandbox cost"),
    "compiler": ("portalis.bench.compiler", "compiled kernels vs the same source under CPython"),
    "libm": ("portalis.bench.libm", "math library accuracy (ulps vs CPython) and speed"),
    "ik": ("portalis.bench.ik", "UR5 IK solve from Python: compiled vs CPython"),
    "projectile": ("portalis.bench.projectile", "simulated steps/s headless, USD writes included"),
    "runner": ("portalis.bench.runner", "stage runner per-frame overhead vs bare module calls"),
    "lidar": ("portalis.bench.lidar", "LiDAR filter at 100K points/frame and scanner, vs peers"),
}

__all__ = ["BENCHMARKS", "Timing", "format_seconds", "ratio", "report", "time_call"]
