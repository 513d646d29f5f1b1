"""Fluid demo: one stable-fluids step, compiled, against NumPy, Numba and Warp on the CPU.

The step is the demo kernel's (src/portalis/demos/fluid/kernel.py): buoyant smoke from an
emitter, implicit viscous diffusion (1 Jacobi sweep per velocity component),
semi-Lagrangian advection of the face velocities, conservative semi-Lagrangian
advection of the smoke, and a pressure projection with 20 red-black SOR sweeps (ω 1.5), on
a cubic grid with walls and a block-shaped obstacle. Every implementation starts from the
same state (a few steps in, so the smoke is moving) and runs the same steps:

* ``portalis``: the compiled kernel on fields resident in its linear memory, as the stage
  runner keeps a WasmFluid's working buffers (no copies in or out per step);
* ``numpy``: the same algorithm on whole arrays (:mod:`portalis.bench.fluid_numpy`; its
  fields equal the kernel's bit for bit);
* ``numba``: the kernel's own source, every function ``@njit``-ed, serial (when installed);
  with ``portalis``, also timed phase by phase (case ``phases``, :mod:`.fluid_phases`);
* ``warp``: the same algorithm as NVIDIA Warp kernels on the CPU device
  (:mod:`portalis.bench.fluid_warp`, when installed);
* ``cpython``: the kernel's source under CPython (``--cpython``; minutes per step at 64³).

Case ``frame`` is the goal's (SPEC §4: ≤ 20 ms per 64³ step on one core); case ``scaling``
repeats it over grid sizes. Rows are plain dicts in SPEC §7's form (``rows()``), printed as a
table by ``main``. Run: ``portalis bench fluid`` (``--quick`` for a short run).
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from portalis.bench import fluid_numpy
from portalis.bench.cpython import jit_functions
from portalis.bench.fluid_phases import PHASES, run_phases
from portalis.bench.peers import peer_installed, peer_missing
from portalis.bench.report import run_main
from portalis.bench.rows import Row
from portalis.bench.timing import format_seconds
from portalis.demos import get_demo
from portalis.runtime import Sandbox

KERNEL = get_demo("fluid").kernel_path
#: The step's fields, in its parameter order; the face masks are bytes.
FIELDS = (
    *("u", "v", "w", "smoke", "pressure", "u0", "v0", "w0", "smoke0", "rhs"),
    *("open_x", "open_y", "open_z", "inv_open"),
)
#: Big grids take seconds per step on a loaded machine: past the default sandbox's 1 s call
#: deadline, and (at 128³, with the copies the benchmark writes in) near its 256 MiB cap.
SANDBOX = Sandbox(max_memory_bytes=1 << 30, deadline_s=60.0)
PRESSURE_SWEEPS = 20
DIFFUSION_SWEEPS = 1
GOAL_S = 0.020


@dataclass(frozen=True)
class Setup:
    """A cubic box of ``n`` cells a side, one metre across, with a block in the middle."""

    n: int

    @property
    def shape(self) -> tuple[int, int, int]:
        return (self.n, self.n, self.n)

    def fields(self) -> dict[str, np.ndarray]:
        return {
            name: np.zeros(self.shape, np.uint8 if name.startswith("open") else np.float64)
            for name in FIELDS
        }

    def solid(self) -> np.ndarray:
        solid = np.zeros(self.shape, np.uint8)
        n = self.n
        solid[n // 3 : n // 2, n // 2 : n // 2 + max(2, n // 16), n // 3 : 2 * n // 3] = 1
        return solid.reshape(-1)

    def arguments(self) -> dict[str, Any]:
        return {
            "dt": 1.0 / 30.0,
            "viscosity": 1.5e-5,
            "density": 1.2,
            "cell_size": 1.0 / self.n,
            "emitter_x": 0.45,
            "emitter_y": 0.15,
            "emitter_z": 0.5,
            "emitter_radius": 0.1,
            "emitter_rate": 5.0,
            "buoyancy": 3.0,
            "pressure_iterations": PRESSURE_SWEEPS,
            "diffusion_iterations": DIFFUSION_SWEEPS,
        }

    def warmed(self, compiled: Any, steps: int = 4) -> dict[str, np.ndarray]:
        """The state after ``steps`` compiled steps: smoke rising, every field non-zero."""
        fields = self.fields()
        for _ in range(steps):
            compiled.step(**fields, solid=self.solid(), **self.arguments())
        return fields


# -- the implementations -------------------------------------------------------------------


def resident(
    wasm: Path, setup: Setup, start: dict[str, np.ndarray]
) -> tuple[Any, dict[str, Any], Any]:
    """The compiled kernel with copies of ``start`` and the solid cells resident in its linear
    memory: ``(kernel, fields as ArrayViews, solid as an ArrayView)``."""
    from portalis.runtime.kernel import load

    kernel = load(wasm, sandbox=SANDBOX)
    memory = kernel.instance.memory
    assert memory is not None  # a Portalis module always has its memory
    placed = {name: memory.write(start[name]) for name in FIELDS}
    solid_at = memory.write(setup.solid())
    # every write may grow memory, which retires earlier views: take the views afterwards
    views = {name: memory.view(p.offset, p.dtype, p.shape) for name, p in placed.items()}
    solid = memory.view(solid_at.offset, solid_at.dtype, solid_at.shape)
    return kernel, views, solid


def portalis_step(wasm: Path, setup: Setup, start: dict[str, np.ndarray]) -> Callable[[], Any]:
    """The compiled step on fields resident in linear memory (ArrayViews: no copies)."""
    kernel, views, solid = resident(wasm, setup, start)
    args = setup.arguments()
    return lambda: kernel.step(**views, solid=solid, **args)


def numpy_step(setup: Setup, start: dict[str, np.ndarray]) -> Callable[[], Any]:
    fields = {name: a.copy() for name, a in start.items()}
    solid, args = setup.solid(), setup.arguments()
    return lambda: fluid_numpy.step(fields, solid, **args)


def kernel_module(name: str) -> ModuleType:
    """A fresh import of the kernel's source (its functions replaceable one by one)."""
    spec = importlib.util.spec_from_file_location(name, KERNEL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def numba_module() -> ModuleType | None:
    """The kernel's source with every function ``numba.njit``-ed (serial, no fastmath):
    the functions find each other through the module's globals, so they call the compiled
    versions. None when Numba is not installed (said once, by :mod:`portalis.bench.peers`)."""
    if not peer_installed("numba"):
        return None
    return jit_functions(kernel_module("_fluid_kernel_numba"))


def source_step(
    module: ModuleType, setup: Setup, start: dict[str, np.ndarray]
) -> Callable[[], Any]:
    fields = {name: a.copy() for name, a in start.items()}
    ordered = [fields[name] for name in FIELDS]
    solid, args = setup.solid(), setup.arguments()
    return lambda: module.step(*ordered, solid, **args)


def warp_step(setup: Setup, start: dict[str, np.ndarray]) -> Callable[[], Any] | None:
    if not peer_installed("warp"):
        return None
    try:
        from portalis.bench import fluid_warp
    except ImportError as e:
        peer_missing("warp", f"installed but cannot be imported ({e})")
        return None
    return fluid_warp.stepper(start, setup.solid(), **setup.arguments())


def implementation(
    impl: str,
    wasm: Path,
    setup: Setup,
    start: dict[str, np.ndarray],
    numba_kernel: ModuleType | None,
) -> Callable[[], Any] | None:
    """A callable doing one step of ``impl`` from ``start``; None when it is not installed."""
    if impl == "portalis":
        return portalis_step(wasm, setup, start)
    if impl == "numpy":
        return numpy_step(setup, start)
    if impl == "numba":
        return source_step(numba_kernel, setup, start) if numba_kernel is not None else None
    if impl == "warp":
        return warp_step(setup, start)
    if impl == "cpython":
        return source_step(kernel_module("_fluid_kernel_cpython"), setup, start)
    raise ValueError(f"no implementation {impl!r}")


# -- measuring -----------------------------------------------------------------------------


def interleaved(
    fns: dict[str, Callable[[], Any]], runs: int
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Seconds per call of each function, measured round-robin (one call of each in turn,
    ``runs`` rounds, after one warm-up call each): on a shared machine a burst of load then
    slows every implementation alike instead of whichever happened to be running. Returns
    wall-clock seconds and this process's CPU seconds (every implementation runs in the
    calling thread): on a loaded machine the wall clock also counts the time spent waiting
    for a core, the CPU clock mostly does not."""
    for fn in fns.values():
        fn()
    wall: dict[str, list[float]] = {name: [] for name in fns}
    cpu: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(runs):
        for name, fn in fns.items():
            t0, c0 = time.perf_counter(), time.process_time()
            fn()
            cpu[name].append(time.process_time() - c0)
            wall[name].append(time.perf_counter() - t0)
    return wall, cpu


def p90(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


def measure_rows(
    sizes: tuple[int, ...] = (32, 64, 96, 128),
    runs: int = 10,
    *,
    cpython: bool = False,
    peers: tuple[str, ...] = ("numpy", "numba", "warp"),
    log: Callable[[str], None] = lambda _line: None,
    phases_at: int | None = 64,
) -> Iterator[Row]:
    """Rows: case ``frame`` at 64³, ``scaling`` at the other sizes, and case ``phases`` (per
    phase, compiled and Numba) at size ``phases_at`` when it is one of ``sizes``."""
    import tempfile

    from portalis.lang import build
    from portalis.runtime.kernel import load

    with tempfile.TemporaryDirectory() as tmp:
        wasm = build(KERNEL, Path(tmp) / "fluid.wasm")
        numba_kernel = numba_module() if "numba" in peers else None
        for n in sizes:
            setup = Setup(n)
            with load(wasm, sandbox=SANDBOX) as compiled:
                start = setup.warmed(compiled)
            case = "frame" if n == 64 else "scaling"
            # fewer runs where a step takes long
            count = max(3, runs * 64**3 // n**3) if n > 64 else runs
            impls = ["portalis", *(p for p in peers if p != "numba")]
            if numba_kernel is not None:
                impls.insert(2 if "numpy" in peers else 1, "numba")
            if cpython and n <= 32:
                impls.append("cpython")
            fns: dict[str, Callable[[], Any]] = {}
            for impl in impls:
                fn = implementation(impl, wasm, setup, start, numba_kernel)
                if fn is not None:  # None: a missing peer, named once by peer_installed
                    fns[impl] = fn
            slow = {"cpython": fns.pop("cpython")} if "cpython" in fns else {}
            wall, cpu = interleaved(fns, count)
            if slow:
                slow_wall, slow_cpu = interleaved(slow, 2)
                wall, cpu = wall | slow_wall, cpu | slow_cpu
            for impl, samples in wall.items():
                row = Row.of(case, impl, samples, grid=[n, n, n], pressure_sweeps=PRESSURE_SWEEPS)
                row = replace(row, metrics={"cpu_median_s": statistics.median(cpu[impl])})
                log(
                    f"  {n}³ {impl:<9} median {format_seconds(row.median_s):>10}"
                    f"  (CPU {format_seconds(row.metrics['cpu_median_s'])})"
                )
                yield row
            if n == phases_at:
                for row in phase_rows(wasm, setup, start, numba_kernel, count):
                    log(f"  {n}³ {row.impl:<9} {row.params['phase']:<16} "
                        f"median {format_seconds(row.median_s):>10}")  # fmt: skip
                    yield row


def phase_rows(
    wasm: Path,
    setup: Setup,
    start: dict[str, np.ndarray],
    numba_kernel: ModuleType | None,
    runs: int,
) -> Iterator[Row]:
    """Case ``phases``: CPU time of each phase of one step (:mod:`~portalis.bench.fluid_phases`),
    compiled and (when installed) Numba, steps interleaved; one row per phase and
    implementation, ``params["phase"]`` naming the phase."""
    impls: dict[str, tuple[Any, dict[str, Any], Any]] = {"portalis": resident(wasm, setup, start)}
    if numba_kernel is not None:
        copies = {name: a.copy() for name, a in start.items()}
        impls["numba"] = (numba_kernel, copies, setup.solid())
    args = setup.arguments()
    for k, f, solid in impls.values():
        run_phases(k, f, solid, args)  # warm-up (and Numba's compilation)
    times: dict[str, dict[str, list[float]]] = {i: {p: [] for p in PHASES} for i in impls}
    for _ in range(runs):
        for impl, (k, f, solid) in impls.items():
            for phase, seconds in run_phases(k, f, solid, args).items():
                times[impl][phase].append(seconds)
    for phase in PHASES:  # each phase's rows side by side (the report's chart)
        for impl, phases in times.items():
            yield Row.of("phases", impl, phases[phase], grid=list(setup.shape), phase=phase)


def phase_table(found: list[Row]) -> str:
    """Per-phase medians, compiled against Numba."""
    by = {(r.impl, r.params["phase"]): r.median_s for r in found if r.case == "phases"}
    impls = [i for i in ("portalis", "numba") if (i, PHASES[0]) in by]
    head = f"{'phase':<16}" + "".join(f"{i:>11}" for i in impls)
    lines = [head + ("   numba ÷ portalis" if len(impls) == 2 else "")]
    for phase in (*PHASES, "total"):
        got = [sum(by[i, p] for p in PHASES) if phase == "total" else by[i, phase] for i in impls]
        line = f"{phase:<16}" + "".join(f"{format_seconds(t):>11}" for t in got)
        if len(got) == 2:
            line += f"   {got[1] / got[0]:>15.2f}×"
        lines.append(line)
    return "\n".join(lines)


def table(found: list[Row]) -> str:
    """Rows as aligned text, with each row's time as a multiple of portalis's."""
    lines = [
        f"{'grid':>6}  {'impl':<9} {'median':>10} {'p90':>10}  {'÷ portalis':>10}"
        f"  {'CPU median':>10}  {'÷ portalis':>10}"
    ]
    found = [r for r in found if r.case != "phases"]
    mine = {r.params["grid"][0]: r for r in found if r.impl == "portalis"}
    for r in found:
        n = r.params["grid"][0]
        ratio = r.median_s / mine[n].median_s if n in mine else float("nan")
        line = (
            f"{n:>5}³  {r.impl:<9} {format_seconds(r.median_s):>10} "
            f"{format_seconds(r.p90_s):>10}  {ratio:>9.2f}×"
        )
        if "cpu_median_s" in r.metrics and n in mine and "cpu_median_s" in mine[n].metrics:
            cpu, ours = r.metrics["cpu_median_s"], mine[n].metrics["cpu_median_s"]
            line += f"  {format_seconds(cpu):>10}  {cpu / ours:>9.2f}×"
        lines.append(line)
    return "\n".join(lines)


def rows(argv: list[str]) -> Iterator[Row]:
    """The benchmark (``portalis bench fluid [--quick] …``): rows as they are measured, then
    a table and the goal's verdict."""
    parser = argparse.ArgumentParser(
        prog="portalis bench fluid", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="32³ and 64³, 3 runs each")
    parser.add_argument("--runs", type=int, default=10, help="timed steps per row at 64³")
    parser.add_argument("--sizes", default="32,64,96,128", help="grid sizes (cells a side)")
    parser.add_argument("--cpython", action="store_true", help="also CPython (32³ and less)")
    parser.add_argument("--no-peers", action="store_true", help="only the compiled kernel")
    parser.add_argument(
        "--peers", default="numpy,numba,warp", help="the peers to measure (comma-separated)"
    )
    parser.add_argument(
        "--phases-at", type=int, default=64, help="grid size of the per-phase table (0: none)"
    )
    args = parser.parse_args(argv)
    sizes = (32, 64) if args.quick else tuple(int(s) for s in args.sizes.split(","))
    runs = 3 if args.quick else args.runs
    peers = () if args.no_peers else tuple(p for p in args.peers.split(",") if p)
    print(
        f"one step: {PRESSURE_SWEEPS} pressure sweeps, {DIFFUSION_SWEEPS} diffusion sweeps "
        "(red-black SOR / Jacobi), single thread; implementations interleaved",
        flush=True,
    )
    found: list[Row] = []
    rows_measured = measure_rows(
        sizes, runs, cpython=args.cpython, peers=peers, log=print, phases_at=args.phases_at
    )
    for row in rows_measured:
        found.append(row)
        yield row
    print()
    print(table(found))
    if any(r.case == "phases" for r in found):
        print(f"\nper phase at {args.phases_at}³ (CPU time, medians):")
        print(phase_table(found))
    frame = [r for r in found if r.case == "frame" and r.impl == "portalis"]
    if frame:
        got = frame[0].median_s
        verdict = "met" if got <= GOAL_S else "not met"
        cpu = format_seconds(frame[0].metrics["cpu_median_s"])
        print(
            f"\ngoal: 64³ step ≤ {format_seconds(GOAL_S)}: {format_seconds(got)} ({verdict}; "
            f"CPU time {cpu})"
        )


def main(argv: list[str] | None = None) -> int:
    return run_main("fluid", rows, argv)


if __name__ == "__main__":
    raise SystemExit(main())
