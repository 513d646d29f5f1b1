"""The benchmark harness and suite.

The contract a benchmark keeps (so ``portalis bench NAME --json FILE`` and ``portalis bench
--report DIR`` work for it, and its figures land in the report's table and chart):

* it is a module ``portalis.bench.NAME``, listed in :data:`BENCHMARKS` below;
* it has ``rows(argv: list[str]) -> Iterator[Row]``: parse ``argv`` (its own options; accept
  ``--quick`` for a short run), measure, print a human-readable line as each figure comes,
  and yield one :class:`~portalis.bench.rows.Row` per (case, implementation, params):
  ``Row(case, impl, median_s, p90_s, runs, params)``, seconds per operation, built with
  ``Row.of(case, impl, seconds_per_run, per=operations_per_run, **params)`` or
  ``Row.timed(case, impl, timing_from_time_call, **params)``;
* ``impl`` is ``portalis`` for ours and the peer's plain name for the others (``cpython``,
  ``numpy``, ``numba``, ``warp``, ``open3d``, ``wasmtime-py``); the case a scenario's goal
  speaks of is named ``frame``; a peer that is not installed yields no row, never a guess:
  ask :func:`portalis.bench.peers.peer_installed`, which names a missing peer once per run,
  the same way in every benchmark; peers run in the same process, on the same inputs;
* ``main(argv) -> int`` is ``run_main(NAME, rows, argv)`` (``portalis.bench.report``),
  which adds ``--json FILE``;
* it imports heavy things (USD, the compiler, the runtime, demos, peers) inside functions:
  ``import portalis.bench`` and ``portalis bench`` (the listing) stay light.

:mod:`portalis.bench.timing` times callables in batches (medians, ratios within one run);
:mod:`portalis.bench.rows` holds :class:`Row` and the SPEC §7 JSON with the machine;
:mod:`portalis.bench.report` writes ``report.md``, one chart per benchmark and
``results.json``; :mod:`portalis.bench.cpython` imports a kernel's source under CPython.
"""

from portalis.bench.rows import Row
from portalis.bench.timing import Timing, format_seconds, ratio, report, time_call

#: name → (module, what it measures). Modules are imported only when run.
BENCHMARKS: dict[str, tuple[str, str]] = {
    "runtime": ("portalis.bench.calls", "call overhead vs wasmtime-py, warm loads, sandbox cost"),
    "compiler": ("portalis.bench.compiler", "compiled kernels vs the same source under CPython"),
    "libm": ("portalis.bench.libm", "math library accuracy (ulps vs CPython) and speed"),
    "ik": ("portalis.bench.ik", "UR5 IK solve from Python: compiled vs CPython"),
    "projectile": ("portalis.bench.projectile", "simulated steps/s headless, USD writes included"),
    "runner": ("portalis.bench.runner", "stage runner per-frame overhead vs bare module calls"),
    "bake": ("portalis.bench.bake", "peak memory of a long bake of a 100K-point cloud (clips)"),
    "sweep": ("portalis.bench.sweep", "variants/s, local and on Ray; cost per variant"),
    "kit": ("portalis.bench.kit", "Kit extension's per-frame cost over the runner's own step"),
    "fluid": ("portalis.bench.fluid", "stable-fluids step at 64³ vs NumPy, Numba, Warp CPU"),
    "warehouse": ("portalis.bench.warehouse", "20-robot fleet per frame, USD writes included"),
    "lidar": ("portalis.bench.lidar", "LiDAR filter at 100K points/frame and scanner, vs peers"),
}

__all__ = ["BENCHMARKS", "Row", "Timing", "format_seconds", "ratio", "report", "time_call"]
