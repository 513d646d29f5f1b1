"""Compiler benchmarks: compiled kernels against the same source under CPython, and against
Numba when it is installed.

    portalis bench compiler [--quick]     (or: python benchmarks/bench_compiler.py)
    portalis bench compiler --corpus all  (issue 15's corpus only: portalis.bench.corpus)

Every kernel below is ONE source text: imported as a plain Python module for CPython (and
handed to ``numba.njit`` when Numba exists), compiled by ``portalis.lang`` and called through
``portalis.load``. Figures are medians over repeated batches; every ratio compares two things
measured in this same run. Also prints the build time of the benchmark kernel itself.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from portalis.bench.cpython import import_source
from portalis.bench.peers import peer_installed
from portalis.bench.report import run_main
from portalis.bench.rows import Row
from portalis.bench.timing import format_seconds, report, time_call

KERNEL = '''
"""Loop-heavy kernels for the compiler benchmark."""

import math

from portalis.lang import Array, f64


def mandelbrot(width: int, height: int, max_iter: int) -> int:
    """Escape-time iterations summed over a grid: pure float arithmetic and branches."""
    total = 0
    for py in range(height):
        ci = -1.2 + 2.4 * py / height
        for px in range(width):
            cr = -2.0 + 3.0 * px / width
            zr = 0.0
            zi = 0.0
            n = 0
            while n < max_iter and zr * zr + zi * zi <= 4.0:
                zr, zi = zr * zr - zi * zi + cr, 2.0 * zr * zi + ci
                n += 1
            total += n
    return total


def primes(limit: int) -> int:
    """Trial division: integer division, modulo and nested loops."""
    count = 0
    for n in range(2, limit):
        d = 2
        prime = True
        while d * d <= n:
            if n % d == 0:
                prime = False
                break
            d += 1
        if prime:
            count += 1
    return count


def nbody_energy(pos: Array[f64, 2], mass: Array[f64]) -> float:
    """Pairwise potential energy: 2-D array reads, sqrt, O(n^2) loop."""
    n = pos.shape[0]
    e = 0.0
    for i in range(n):
        for j in range(i + 1, n):
            dx = pos[i, 0] - pos[j, 0]
            dy = pos[i, 1] - pos[j, 1]
            dz = pos[i, 2] - pos[j, 2]
            e -= mass[i] * mass[j] / math.sqrt(dx * dx + dy * dy + dz * dz + 1e-9)
    return e


def jacobi(grid: Array[f64, 2], out: Array[f64, 2], sweeps: int) -> float:
    """5-point stencil sweeps over a 2-D grid (writes to an output array)."""
    n = grid.shape[0]
    m = grid.shape[1]
    delta = 0.0
    for s in range(sweeps):
        delta = 0.0
        for i in range(1, n - 1):
            for j in range(1, m - 1):
                v = 0.25 * (grid[i - 1, j] + grid[i + 1, j] + grid[i, j - 1] + grid[i, j + 1])
                delta += abs(v - grid[i, j])
                out[i, j] = v
        for i in range(1, n - 1):
            for j in range(1, m - 1):
                grid[i, j] = out[i, j]
    return delta


def trig_sum(xs: Array[f64]) -> float:
    """Math-library calls in a loop (sin, cos, exp, atan2): compiled in, not host calls."""
    s = 0.0
    for i in range(len(xs)):
        x = xs[i]
        s += math.sin(x) * math.cos(x) + math.exp(-x * x) + math.atan2(x, 1.5)
    return s
'''


def peers(py: ModuleType) -> dict[str, Callable[[str], Callable[..., Any] | None]]:
    """Optional peers: a function factory per installed tool (None: no like-for-like version
    of that kernel), absent tools skipped with a line saying so."""
    found: dict[str, Callable[[str], Callable[..., Any] | None]] = {
        "numpy": lambda name: NUMPY.get(name)
    }
    if peer_installed("numba"):
        import numba

        found["numba"] = lambda name: numba.njit(cache=False)(getattr(py, name))
    if peer_installed("warp"):
        from portalis.bench import warp_kernels

        found["warp"] = lambda name: warp_kernels.FUNCTIONS.get(name)
    return found


def numpy_mandelbrot(width: int, height: int, max_iter: int) -> int:
    """Every pixel at once: iterate while any is inside, counting the iterations each takes."""
    ci = (-1.2 + 2.4 * np.arange(height) / height)[:, None] * np.ones((1, width))
    cr = np.ones((height, 1)) * (-2.0 + 3.0 * np.arange(width) / width)[None, :]
    zr, zi = np.zeros_like(cr), np.zeros_like(cr)
    n = np.zeros(cr.shape, dtype=np.int64)
    active = np.ones(cr.shape, dtype=bool)
    for _ in range(max_iter):
        active &= zr * zr + zi * zi <= 4.0
        if not active.any():
            break
        zr, zi = (
            np.where(active, zr * zr - zi * zi + cr, zr),
            np.where(active, 2.0 * zr * zi + ci, zi),
        )
        n += active
    return int(n.sum())


def numpy_nbody_energy(pos: np.ndarray, mass: np.ndarray) -> float:
    """All pairs i < j at once (n × n arrays)."""
    d = pos[:, None, :] - pos[None, :, :]
    r = np.sqrt((d * d).sum(axis=2) + 1e-9)
    i, j = np.triu_indices(len(pos), k=1)
    return float(-(mass[i] * mass[j] / r[i, j]).sum())


def numpy_jacobi(grid: np.ndarray, out: np.ndarray, sweeps: int) -> float:
    """Each sweep one slice expression (the same Jacobi update: reads only the old grid)."""
    delta = 0.0
    for _ in range(sweeps):
        v = 0.25 * (grid[:-2, 1:-1] + grid[2:, 1:-1] + grid[1:-1, :-2] + grid[1:-1, 2:])
        delta = float(np.abs(v - grid[1:-1, 1:-1]).sum())
        out[1:-1, 1:-1] = v
        grid[1:-1, 1:-1] = v
    return delta


def numpy_trig_sum(xs: np.ndarray) -> float:
    return float((np.sin(xs) * np.cos(xs) + np.exp(-xs * xs) + np.arctan2(xs, 1.5)).sum())


#: NumPy versions of the kernels that vectorise (primes' trial division does not, like for
#: like: a sieve would be another algorithm).
NUMPY: dict[str, Callable[..., Any]] = {
    "mandelbrot": numpy_mandelbrot,
    "nbody_energy": numpy_nbody_energy,
    "jacobi": numpy_jacobi,
    "trig_sum": numpy_trig_sum,
}


def rows(argv: list[str]) -> Iterator[Row]:
    from portalis.lang import compile_source
    from portalis.runtime import load

    parser = argparse.ArgumentParser(
        prog="portalis bench compiler", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="smaller problems, fewer repeats")
    parser.add_argument(
        "--corpus",
        metavar="NAMES",
        help="only the corpus kernels, written as people write them for Numba "
        "(comma-separated names, or 'all'); see portalis.bench.kernels",
    )
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="with --corpus: time by the CPU time this process uses (time.process_time), "
        "not wall time: on a shared machine, what the code costs without its waits for a core",
    )
    args = parser.parse_args(argv)
    if args.corpus:
        from portalis.bench import corpus

        only = None if args.corpus == "all" else args.corpus.split(",")
        repeat, batch_s = (3, 0.1) if args.quick else (7, 0.3)
        yield from corpus.rows(args.quick, repeat, batch_s, only, cpu=args.cpu)
        return
    quick = args.quick
    #: Seconds each timed batch aims for: shorter in a quick run.
    batch_s = 0.1 if quick else 0.3

    t0 = time.perf_counter()
    kernel = compile_source(KERNEL, "bench_kernels.py")
    build_s = time.perf_counter() - t0
    print(
        f"build: {len(KERNEL.splitlines())}-line kernel (with its math library) compiled in "
        f"{build_s * 1000:.0f} ms, {len(kernel.wasm)} bytes"
    )

    py = import_source(KERNEL, "bench_kernels")
    wasm = load(kernel.wasm, cache=False)
    via_rust = rust_build(build_s)  # the Rust backend's column (docs/rust.md)
    if via_rust is not None:
        yield Row.of("build", "portalis", [build_s])
        yield Row.of("build", "portalis-rust", [via_rust[1]])
    others = peers(py)
    rng = np.random.default_rng(7)
    n_bodies = 60 if quick else 200
    pos = rng.standard_normal((n_bodies, 3))
    mass = rng.random(n_bodies) + 0.5
    grid = rng.random((32 if quick else 64, 32 if quick else 64))
    xs = rng.standard_normal(2000 if quick else 20000)
    cases: list[tuple[str, tuple[Any, ...], Callable[[], tuple[Any, ...]] | None]] = [
        ("mandelbrot", (40, 30, 50) if quick else (120, 80, 100), None),
        ("primes", (3000 if quick else 20000,), None),
        ("nbody_energy", (pos, mass), None),
        ("jacobi", (), lambda: (grid.copy(), np.zeros_like(grid), 2 if quick else 5)),
        ("trig_sum", (xs,), None),
    ]
    repeat = 3 if quick else 7
    for name, fixed, make in cases:

        def call(
            fn: Callable[..., Any],
            fixed: tuple[Any, ...] = fixed,
            make: Callable[[], tuple[Any, ...]] | None = make,
        ) -> Callable[[], Any]:
            return (lambda: fn(*make())) if make is not None else (lambda: fn(*fixed))

        a = call(getattr(py, name))()
        b = call(getattr(wasm, name))()
        if not np.isclose(a, b, rtol=1e-12, atol=0):
            raise AssertionError(f"{name}: results differ: CPython {a!r}, compiled {b!r}")
        cpython = time_call(
            "CPython", call(getattr(py, name)), repeat=repeat, target_seconds=batch_s
        )
        compiled = time_call(
            "portalis (wasm)", call(getattr(wasm, name)), repeat=repeat, target_seconds=batch_s
        )
        rows = [cpython, compiled]
        yield Row.timed(name, "cpython", cpython)
        yield Row.timed(name, "portalis", compiled)
        resident = in_memory(wasm, name, fixed, make)
        if resident is not None:
            in_place = time_call(
                "portalis, arrays in memory", resident, repeat=repeat, target_seconds=batch_s
            )
            rows.append(in_place)
            yield Row.timed(name, "portalis", in_place, arrays="in linear memory")
        if via_rust is not None:
            rust_fn = getattr(via_rust[0], name)
            got = call(rust_fn)()
            if got != b:
                raise AssertionError(f"{name}: Rust-built {got!r} differs from direct {b!r}")
            rust_row = time_call(
                "portalis via Rust", call(rust_fn), repeat=repeat, target_seconds=batch_s
            )
            rows.append(rust_row)
            yield Row.timed(name, "portalis-rust", rust_row)
        compiled_rows = rows[1:]
        for label, factory in others.items():
            fn = factory(name)
            if fn is None:
                continue
            got = call(fn)()
            if not np.isclose(got, a, rtol=1e-9, atol=0):
                print(f"  {label}: result {got!r} differs from CPython's {a!r}: not timed")
                continue
            peer = time_call(label, call(fn), repeat=repeat, target_seconds=batch_s)
            rows.append(peer)
            yield Row.timed(name, label, peer)
        report(f"{name}: {KERNEL_DOCS.get(name, '')}", rows, baseline=cpython)
        print(
            f"  → compiled is {cpython.median / compiled.median:.1f}× CPython "
            f"({format_seconds(compiled.median)} vs {format_seconds(cpython.median)})"
        )
        for row in rows[len(compiled_rows) + 1 :]:
            for mine in compiled_rows:
                print(f"  → {mine.label} takes {mine.median / row.median:.2f}× {row.label}'s time")
    yield from bench_demo_ik(repeat, batch_s)
    yield from bench_build_time(3 if quick else 9)
    yield from bench_square(repeat, batch_s)
    from portalis.bench import corpus

    yield from corpus.rows(quick, repeat, batch_s)


def main(argv: list[str] | None = None) -> int:
    return run_main("compiler", rows, argv)


def rust_build(direct_s: float) -> tuple[Any, float] | None:
    """The benchmark kernel built through the Rust backend and rustc (its module, build
    seconds), or None (with a line saying so) when no rustc with the wasm32 target exists."""
    from portalis.lang import compile_source
    from portalis.lang.rust import find_rustc
    from portalis.runtime import load

    rustc = find_rustc()
    if rustc is None:
        print("rustc with the wasm32 target is not installed: the Rust backend is skipped")
        return None
    t0 = time.perf_counter()
    kernel = compile_source(KERNEL, "bench_kernels.py", backend="rust")
    seconds = time.perf_counter() - t0
    print(
        f"build via Rust ({rustc.version}, opt-level 3): {seconds * 1000:.0f} ms "
        f"({seconds / direct_s:.0f}× the direct backend's), {len(kernel.wasm)} bytes"
    )
    return load(kernel.wasm, cache=False), seconds


#: Issue 9's goal for the robot-arm kernel's compiler time (all steps, CPU time).
BUILD_GOAL_MS = 60.0

#: What one cold build runs in a fresh interpreter: the compiler imported first (as
#: ``portalis build`` does), then one build, its per-step CPU seconds printed as JSON.
COLD_BUILD = """
import json, sys
from portalis.lang.pipeline import compile_source
timings = {}
compile_source(open(sys.argv[1], encoding="utf-8").read(), "kernel.py", timings=timings)
print(json.dumps(timings))
"""


def cold_build_timings(path: Path, snapshot: bool = True) -> dict[str, float]:
    """The per-step CPU seconds of building ``path`` as the first build of a fresh Python
    process (what ``portalis build --timings`` prints), measured in a subprocess: with the
    math library's snapshot on disk read back (lang/library_cache.py), or, ``snapshot``
    false, with the library compiled as if there were none (``PORTALIS_LIBRARY_CACHE=off``:
    a first build ever pays that, and writing the snapshot, a few ms more)."""
    import json
    import os
    import subprocess
    import sys

    env = dict(os.environ)
    if not snapshot:
        env["PORTALIS_LIBRARY_CACHE"] = "off"
    out = subprocess.run(
        [sys.executable, "-c", COLD_BUILD, str(path)],
        capture_output=True, text=True, check=True, timeout=300, env=env,
    )  # fmt: skip
    timings: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return timings


def bench_build_time(builds: int) -> Iterator[Row]:
    """Compiler time of the 591-line robot-arm kernel, per step in CPU time (``portalis build
    --timings``) and in all, medians of ``builds`` builds of each kind, alternated:

    * cold: the first build of a fresh process, what a user's ``portalis build`` is, with
      the math library's snapshot on disk (written by the first build ever, or here);
    * cold, no snapshot: the same with the library compiled (``PORTALIS_LIBRARY_CACHE=off``);
    * warm: a later build in one process (the library's functions kept in memory)."""
    import statistics
    import sys

    import portalis.demos.robot_arm.kernel as arm
    from portalis.lang import compile_source

    path = Path(arm.__file__)
    source = path.read_text()
    compile_source(source, "kernel.py")  # warm: math library compiled in this process
    cold_build_timings(path)  # the snapshot on disk, if this user had none yet
    kinds = ("cold", "no snapshot", "warm")
    steps: dict[str, dict[str, list[float]]] = {kind: {} for kind in kinds}
    walls: list[float] = []
    cpus: list[float] = []
    for _ in range(builds):
        for kind, snapshot in (("cold", True), ("no snapshot", False)):
            for step, seconds in cold_build_timings(path, snapshot).items():
                steps[kind].setdefault(step, []).append(seconds)
        timings: dict[str, float] = {}
        wall, cpu = time.perf_counter(), time.process_time()
        compile_source(source, "kernel.py", timings=timings)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        for step, seconds in timings.items():
            steps["warm"].setdefault(step, []).append(seconds)
    totals = {kind: [sum(run) for run in zip(*steps[kind].values(), strict=True)] for kind in kinds}
    print(
        f"\nrobot arm build ({len(source.splitlines())} lines), CPU time per step, median of "
        f"{builds}: cold = the first build of a fresh process (`portalis build --timings`), "
        f"with the math library's snapshot on disk; no snapshot = the same, library compiled; "
        f"warm = a later build in the same process"
    )
    if sys.flags.dont_write_bytecode:
        print("  (PYTHONDONTWRITEBYTECODE is set: the cold builds compile imported modules)")
    # The label column as wide as the longest step name (``versioning`` has 10 letters).
    width = max([len("compiler"), *(len(step) for step in steps["no snapshot"])])
    print(f"  {'':<{width}} " + "  ".join(f"{kind:>11}" for kind in kinds))
    for step in steps["no snapshot"]:
        cells = [
            f"{statistics.median(steps[kind][step]) * 1000:8.1f} ms" if step in steps[kind] else
            f"{'—':>11}"
            for kind in kinds
        ]  # fmt: skip
        print(f"  {step:<{width}} " + "  ".join(cells))
    cells = [f"{statistics.median(totals[kind]) * 1000:8.1f} ms" for kind in kinds]
    print(f"  {'compiler':<{width}} " + "  ".join(cells) + f" (goal ≤ {BUILD_GOAL_MS:.0f} ms)")
    wall_ms, cpu_ms = statistics.median(walls) * 1000, statistics.median(cpus) * 1000
    print(f"  a warm build in all: {wall_ms:.1f} ms wall, {cpu_ms:.1f} ms CPU")
    yield Row.of("robot arm build", "portalis", totals["cold"], clock="cpu", build="cold")
    yield Row.of(
        "robot arm build", "portalis", totals["no snapshot"], clock="cpu",
        build="cold, no library snapshot",
    )  # fmt: skip
    yield Row.of("robot arm build", "portalis", totals["warm"], clock="cpu", build="warm")
    yield Row.of("robot arm build", "portalis", walls, clock="wall")
    yield Row.of("robot arm build", "portalis", cpus, clock="cpu")


def in_memory(
    kernel: Any,
    name: str,
    fixed: tuple[Any, ...],
    make: Callable[[], tuple[Any, ...]] | None,
) -> Callable[[], Any] | None:
    """The compiled function called on arrays that already live in the module's linear
    memory (``ArrayView`` arguments: no copy in or out), the way a simulation keeps its
    state; None for a function without array parameters. Separates the compiled code's
    time from the cost of moving NumPy arrays in and out on every ``portalis.load`` call.
    Arguments made fresh per call (``make``) are copied into the resident arrays on each
    call, which the peers pay for too (they receive the fresh arrays)."""
    sample = make() if make is not None else fixed
    if not any(isinstance(a, np.ndarray) for a in sample):
        return None
    fn = getattr(kernel, name)
    fn(*sample)  # the call path's own scratch space first, so the views below stay valid
    memory = kernel.instance.memory
    placed = [memory.write(a) if isinstance(a, np.ndarray) else None for a in sample]

    def views() -> list[Any]:
        return [
            memory.view(p.offset, p.dtype, p.shape) if p is not None else a
            for p, a in zip(placed, sample, strict=True)
        ]

    # Each write may grow memory (which retires earlier views): take the views afterwards.
    # A kernel that makes arrays of its own may grow memory once more on its first call
    # with the arrays placed (its blocks now go above them): call it once, then take the
    # views again; later calls reuse the blocks it freed.
    fn(*views())
    args = views()
    if make is None:
        return lambda: fn(*args)
    resident = [a.numpy() if p is not None else None for p, a in zip(placed, args, strict=True)]

    def call() -> Any:
        values = list(make())
        for k, target in enumerate(resident):
            if target is not None:
                target[...] = values[k]
                values[k] = args[k]
        return fn(*values)

    return call


def bench_demo_ik(repeat: int, batch_s: float) -> Iterator[Row]:
    """The robot-arm demo's damped-least-squares IK (a 500-line kernel) on a moving target:
    CPython, the compiled export called directly (``Instance.function``), and through the
    ABI-driven ``portalis.load`` wrapper."""
    import math

    import portalis.demos.robot_arm.kernel as arm
    from portalis.lang import compile_source
    from portalis.runtime import load

    path = Path(arm.__file__)
    t0 = time.perf_counter()
    wasm = compile_source(path.read_text(), str(path)).wasm
    build_ms = (time.perf_counter() - t0) * 1000
    kernel = load(wasm, cache=False)
    direct = kernel.instance.function("solve_ik")
    targets = [
        (0.4 + 0.05 * math.cos(i / 50), 0.2 + 0.05 * math.sin(i / 50), 0.3) for i in range(256)
    ]
    state = {"i": 0}

    def moving(fn: Callable[..., Any], *extra: Any) -> Callable[[], Any]:
        def call() -> Any:
            state["i"] = (state["i"] + 1) & 255
            return fn(*targets[state["i"]], *extra)

        return call

    rows = [
        time_call("CPython", moving(arm.solve_ik), repeat=repeat, target_seconds=batch_s),
        time_call(
            "portalis, direct export", moving(direct, 100), repeat=repeat, target_seconds=batch_s
        ),
        time_call(
            "portalis, portalis.load()",
            moving(kernel.solve_ik),
            repeat=repeat,
            target_seconds=batch_s,
        ),
    ]
    rust_rows: list[Row] = []
    built = f"built in {build_ms:.0f} ms"
    from portalis.lang.rust import find_rustc

    if find_rustc() is not None:  # the same kernel through the Rust backend (docs/rust.md)
        t0 = time.perf_counter()
        rust_wasm = compile_source(path.read_text(), str(path), backend="rust").wasm
        rust_s = time.perf_counter() - t0
        built += f", {rust_s * 1000:.0f} ms via Rust"
        rust_fn = load(rust_wasm, cache=False).instance.function("solve_ik")
        rows.append(
            time_call(
                "portalis via Rust, direct export",
                moving(rust_fn, 100),
                repeat=repeat,
                target_seconds=batch_s,
            )
        )
        rust_rows = [
            Row.of("robot arm build", "portalis-rust", [rust_s], clock="wall", cold=True),
            Row.timed("robot arm solve_ik", "portalis-rust", rows[3], call="direct export"),
        ]
    report(
        f"robot arm solve_ik (demo kernel, {len(path.read_text().splitlines())} lines, {built})",
        rows,
        baseline=rows[0],
    )
    yield Row.timed("robot arm solve_ik", "cpython", rows[0])
    yield Row.timed("robot arm solve_ik", "portalis", rows[1], call="direct export")
    yield Row.timed("robot arm solve_ik", "portalis", rows[2], call="portalis.load()")
    yield from rust_rows


KERNEL_DOCS = {
    "mandelbrot": "float arithmetic and branches",
    "primes": "integer division and modulo",
    "nbody_energy": "2-D array reads and sqrt",
    "jacobi": "2-D stencil with array writes",
    "trig_sum": "compiled-in sin/cos/exp/atan2",
}


SQUARES = """
from portalis.lang import Array, f64


def power_two(xs: Array[f64]) -> float:
    t = 0.0
    for x in xs:
        t += x ** 2
    return t


def power_y(xs: Array[f64], y: float) -> float:
    t = 0.0
    for x in xs:
        t += x ** y
    return t


def product(xs: Array[f64]) -> float:
    t = 0.0
    for x in xs:
        t += x * x
    return t
"""


def bench_square(repeat: int, batch_s: float) -> Iterator[Row]:
    """``x ** 2`` (exact fast path, CPython's bits: prelude/square.py) against the general
    ``pow`` (``x ** y`` with ``y = 2.0`` at run time) and a bare ``x * x`` (not always
    CPython's answer), over 20,000 floats."""
    from portalis.lang import compile_source
    from portalis.runtime import load

    kernel = load(compile_source(SQUARES, "squares.py").wasm, cache=False)
    xs = np.random.default_rng(3).uniform(-1e3, 1e3, 20_000)
    rows = [
        time_call("x ** 2 (fast path)", lambda: kernel.power_two(xs), repeat=repeat,
                  target_seconds=batch_s),
        time_call("x ** y, y = 2.0 (pow)", lambda: kernel.power_y(xs, 2.0), repeat=repeat,
                  target_seconds=batch_s),
        time_call("x * x", lambda: kernel.product(xs), repeat=repeat, target_seconds=batch_s),
    ]  # fmt: skip
    report("x ** 2 over 20,000 floats (compiled)", rows, baseline=rows[1])
    for row, variant in zip(rows, ("fast path", "pow", "product"), strict=True):
        yield Row.timed("square", "portalis", row, variant=variant, n=len(xs))
