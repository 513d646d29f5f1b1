"""LiDAR: the demo's point-cloud filter at 100K points per frame, and its scanner.

The demo's scene (src/portalis/demos/lidar) runs in the stage runner as ``portalis demo
lidar`` runs it: a scanner prim casting 64 × 1,600 rays against the street's 67 shapes from a
moving vehicle, and a filter prim reading each scan through a connection, with the runner's
array copies (the scan into the filter's memory, the filtered cloud, colours and per-point
fates back out). The runner's own per-call timings of each prim give the ``frame`` case
(filter, goal ≤ 5 ms) and the ``scan`` case (scanner, goal ≤ 10 ms).

On the same scans, in the same run, the peers:

* ``cpython``: the same kernel source imported by CPython (a few frames: it is slow);
* ``numpy``: the filter written again with NumPy (``portalis.demos.lidar.reference``);
* ``numba``: the same kernel source compiled by ``numba.njit`` (when installed);
* ``open3d``: crop, ``voxel_down_sample``, ``segment_plane``, ``remove_radius_outlier``
  (when installed; multi-threaded C++, the tool the field uses).

Then the ``kernel`` case: the filter's call alone on the same scans, everything already in
linear memory (no copies, as the Numba rows time theirs), compiled with the default sandbox
and without its deadline (an engine without epoch interruption: trusted code only), and
under Numba without and with ``boundscheck`` (the IndexError CPython and the compiled kernel
give): where the time between Portalis and Numba goes.

Then the scaling curve, 10K → 1M points (scans of more azimuth steps), through
``portalis.load``: the scan copied in at each call and the filtered cloud copied out, as the
runner does, the working arrays kept in linear memory.

Rows follow SPEC §7 (``portalis bench lidar --json FILE``). The machines here are shared:
compare ratios within one run. On a loaded machine the wall time of a call is mostly time the
process waits for a core (the compiled filter's CPU time per frame stayed within 5% across
processes while its wall time doubled): ``--cpu`` times every row, the runner's included, by
the CPU time the process used instead. Run: ``portalis bench lidar`` (``--quick`` for a short
run) or ``python benchmarks/bench_lidar.py``.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import tempfile
import time
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from portalis.bench.peers import peer_installed, peer_missing

if TYPE_CHECKING:
    import numpy as np

    from portalis.bench.rows import Row
    from portalis.runtime.memory import ArrayView, LinearMemory

#: The goals (SPEC §4 and issue 10), seconds per frame.
GOALS = {"frame": 5e-3, "scan": 10e-3}
Filter = Callable[["np.ndarray"], Any]


def kernel_path() -> Path:
    from portalis.demos import get_demo

    return get_demo("lidar").kernel_path


def numba_kernel(boundscheck: bool = False) -> ModuleType | None:
    """The kernel source with every function compiled by ``numba.njit`` (None without
    numba). Functions call each other through the module's globals, so replacing them there
    before the first call makes the calls jitted too. ``boundscheck``: Numba's IndexError
    for an index out of range, as CPython and the compiled kernel have (off by default in
    Numba)."""
    if not peer_installed("numba"):
        return None
    from portalis.bench.cpython import import_kernel, jit_functions

    name = "lidar_kernel_numba" + ("_checked" if boundscheck else "")
    return jit_functions(import_kernel(kernel_path(), name), boundscheck=boundscheck)


def time_each(
    fn: Filter, scans: list[np.ndarray], clock: Callable[[], float] = time.perf_counter
) -> list[float]:
    """Seconds per call, one call per scan, after one warm-up call (first-call compilation)."""
    fn(scans[0])
    samples = []
    for scan in scans:
        t0 = clock()
        fn(scan)
        samples.append(clock() - t0)
    return samples


@contextmanager
def runner_clock(clock: Callable[[], float]) -> Iterator[None]:
    """The runner times each call with ``clock`` instead of wall time while inside. The two
    places that time a prim's call (the scheduler, and the fast lane it compiles for a
    group of prims) read ``perf_counter`` from their module's ``_time``; both are swapped,
    and a missing one fails here rather than leaving wall time in the rows unnoticed."""
    from portalis.sim import fastlane, scheduler

    modules = (fastlane, scheduler)
    saved = [vars(m)["_time"] for m in modules]
    for m in modules:
        vars(m)["_time"] = types.SimpleNamespace(perf_counter=clock)
    try:
        yield
    finally:
        for m, was in zip(modules, saved, strict=True):
            vars(m)["_time"] = was


# -- the runner --------------------------------------------------------------------------------


def run_scene(
    frames: int, work: Path, clock: Callable[[], float] = time.perf_counter
) -> tuple[list[Row], list[np.ndarray], np.ndarray]:
    """Run the demo scene for ``frames`` frames; the runner's timings of both prims (by
    ``clock``), the scans it made, and the shape rows it gave the scanner."""
    import numpy as np
    from pxr import Usd

    import portalis.usd  # noqa: F401  (schemas registered before any stage is opened)
    from portalis.bench.rows import Row
    from portalis.demos.lidar.scene import FILTER, SCANNER, Drive, write_scene
    from portalis.lang import build
    from portalis.sim import Runner

    wasm = build(kernel_path(), work / "kernel.wasm")
    drive = Drive(frames=frames)
    write_scene(work / "scene.usd", wasm.name, drive)
    stage = Usd.Stage.Open(str(work / "scene.usd"))
    stage.SetEditTarget(stage.GetSessionLayer())
    scans: list[np.ndarray] = []
    with Runner(stage) as runtime, runner_clock(clock):
        scanner = runtime.module_prim(SCANNER)
        filt = runtime.module_prim(FILTER)
        runtime.play()
        for frame in range(1, frames + 1):
            runtime.step(1.0 / drive.fps, time_code=frame)
            scans.append(np.array(scanner.output("points"), dtype=np.float32))
        runtime.stop()
        if runtime.failures:
            raise RuntimeError("; ".join(str(f) for f in runtime.failures))
        assert scanner.entry is not None and scanner.entry.arrays[0].source is not None
        shapes = np.asarray(scanner.entry.arrays[0].source.get())
        points = int(np.median([len(s) for s in scans]))
        # the first call of each prim binds and fills its buffers: left out
        rows = [
            Row.of("frame", "portalis", list(filt.stats.samples()[1:]), points=points),
            Row.of(
                "scan",
                "portalis",
                list(scanner.stats.samples()[1:]),
                rays=drive.beams * drive.steps,
                shapes=len(shapes),
            ),
        ]
    return rows, scans, shapes


# -- peers on the same scans ---------------------------------------------------------------------


def kernel_filter(module: Any, capacity: int) -> Filter:
    from portalis.demos.lidar.buffers import filter_buffers
    from portalis.demos.lidar.reference import FilterParams

    buffers = filter_buffers(capacity)
    args = FilterParams().kernel_args()
    return lambda scan: module.filter_cloud(scan, **buffers, **args)


def open3d_filter() -> Filter | None:
    import numpy as np

    from portalis.demos.lidar.reference import FilterParams

    if not peer_installed("open3d"):
        return None
    try:
        import open3d as o3d
    except (ImportError, OSError) as e:  # e.g. libusb-1.0 missing
        peer_missing("open3d", f"installed but cannot be imported ({e})")
        return None
    p = FilterParams()
    box = o3d.geometry.AxisAlignedBoundingBox(np.array(p.crop_min), np.array(p.crop_max))

    def run(scan: np.ndarray) -> Any:
        far = scan[(scan.astype(np.float64) ** 2).sum(axis=1) >= p.min_range**2]
        cloud = o3d.geometry.PointCloud(o3d.utility.Vector3dVector(far.astype(np.float64)))
        cloud = cloud.crop(box).voxel_down_sample(p.voxel_size)
        _, inliers = cloud.segment_plane(p.ground_threshold, 3, p.ground_iterations)
        cloud = cloud.select_by_index(inliers, invert=True)
        # Open3D counts the point itself among its neighbours
        cloud, _ = cloud.remove_radius_outlier(p.outlier_min_neighbors + 1, p.outlier_radius)
        return cloud

    return run


def peers(cpython_frames: int) -> Iterator[tuple[str, Filter | None, int]]:
    """(impl, filter or None when unavailable, how many frames to time; 0: all)."""
    from portalis.bench.cpython import import_kernel
    from portalis.demos.lidar.reference import filter_numpy

    yield "cpython", kernel_filter(import_kernel(kernel_path()), 130_000), cpython_frames
    yield "numpy", filter_numpy, 0
    numba = numba_kernel()
    yield "numba", kernel_filter(numba, 130_000) if numba is not None else None, 0
    yield "open3d", open3d_filter(), 0


# -- the kernel alone ---------------------------------------------------------------------------


def resident_buffers(
    memory: LinearMemory, capacity: int, *regions: int
) -> tuple[dict[str, ArrayView], list[int]]:
    """The filter's working arrays for ``capacity`` points in linear memory, as views, and
    the offsets of ``regions`` more bytes (for scans): every allocation is made before any
    view is taken, since a view is valid only until memory grows."""
    from portalis.demos.lidar.buffers import filter_buffers

    arrays = filter_buffers(capacity)
    offsets = {name: memory.alloc(a.nbytes, 16) for name, a in arrays.items()}
    extra = [memory.alloc(nbytes, 16) for nbytes in regions]
    views = {name: memory.view(offsets[name], a.dtype, a.shape) for name, a in arrays.items()}
    return views, extra


def resident_filter(scans: list[np.ndarray], trusted: bool) -> Filter:
    """The compiled filter with every scan and working array already in linear memory: the
    call alone, as the Numba rows time theirs (a scan maps to its copy, placed before any
    timing). ``trusted``: an engine without epoch interruption and a sandbox without a
    deadline, which only trusted code may have (the runner never loads a scene's modules
    so): what the deadline costs."""
    import numpy as np

    from portalis.demos.lidar.reference import FilterParams
    from portalis.lang import compile_source
    from portalis.runtime import EngineSettings, Sandbox, load_module
    from portalis.runtime.kernel import Kernel

    wasm = compile_source(kernel_path().read_text(), str(kernel_path())).wasm
    # room for every frame's scan at once (40 frames: 46 MB; the default cap is 256 MiB)
    sandbox = Sandbox(max_memory_bytes=1 << 31)
    if trusted:
        sandbox = dataclasses.replace(sandbox, deadline_s=None)
    settings = EngineSettings(epoch_interruption=not trusted)
    module = load_module(wasm, cache=False, settings=settings, sandbox=sandbox)
    kernel = Kernel(module, module.instantiate(sandbox))
    memory = kernel.instance.memory
    assert memory is not None
    capacity = max(len(s) for s in scans)
    views, offsets = resident_buffers(memory, capacity, *(s.nbytes for s in scans))
    inputs = {}
    for scan, offset in zip(scans, offsets, strict=True):
        inputs[id(scan)] = memory.view(offset, np.float32, scan.shape)
        inputs[id(scan)].numpy()[...] = scan
    args = FilterParams().kernel_args()
    return lambda scan: kernel.filter_cloud(inputs[id(scan)], **views, **args)


def kernel_rows(scans: list[np.ndarray], clock: Callable[[], float]) -> Iterator[Row]:
    """Case ``kernel``: the filter's call alone on the runner's scans, compiled (default
    sandbox, and without the deadline) and under Numba (its default, and with index
    checks): where the time between the two goes."""
    from portalis.bench.rows import Row

    points = int(sorted(len(s) for s in scans)[len(scans) // 2])
    ours: Row | None = None
    for trusted in (False, True):
        fn = resident_filter(scans, trusted)
        row = Row.of("kernel", "portalis", time_each(fn, scans, clock), points=points,
                     sandbox="none" if trusted else "default")  # fmt: skip
        ours = ours or row
        print(describe(row, ours), flush=True)
        yield row
    for checked in (False, True):
        numba = numba_kernel(boundscheck=checked)
        if numba is None:
            return
        fn = kernel_filter(numba, max(len(s) for s in scans))
        row = Row.of("kernel", "numba", time_each(fn, scans, clock), points=points,
                     boundscheck="on" if checked else "off")  # fmt: skip
        print(describe(row, ours), flush=True)
        yield row


# -- scaling --------------------------------------------------------------------------------------


def scaling_scans(sizes: list[int], shapes: np.ndarray) -> dict[int, np.ndarray]:
    """A scan of about each size from the compiled scanner: 64 beams, more azimuth steps."""
    import portalis
    from portalis.demos.lidar.buffers import scan_buffers
    from portalis.lang import compile_source

    kernel = portalis.load(compile_source(kernel_path().read_text(), str(kernel_path())).wasm)
    out = {}
    for size in sizes:
        steps = max(1, round(size / 0.93 / 64))
        buffers = scan_buffers(64, steps, len(shapes))
        count = kernel.scan(shapes, -10.0, 0.3, 0.0, 2.0, **buffers, steps=steps)[0]
        out[size] = buffers["points"][: 3 * count].reshape(-1, 3).copy()
    return out


def compiled_scaling(capacity: int) -> Filter:
    """The compiled filter through ``portalis.load``: the scan copied in per call, the
    working arrays left in linear memory, the filtered cloud and colours copied out."""
    import numpy as np

    import portalis
    from portalis.demos.lidar.reference import FilterParams
    from portalis.lang import compile_source

    kernel = portalis.load(compile_source(kernel_path().read_text(), str(kernel_path())).wasm)
    memory = kernel.instance.memory
    assert memory is not None
    views, (scan_at,) = resident_buffers(memory, capacity, capacity * 12)
    args = FilterParams().kernel_args()

    def run(scan: np.ndarray) -> Any:
        into = memory.view(scan_at, np.float32, scan.shape)
        into.numpy()[...] = scan  # the copy the runner makes
        count = kernel.filter_cloud(into, **views, **args)[0]
        return views["out_xyz"].numpy()[: 3 * count].copy(), views["colors"].numpy()[
            : 3 * count
        ].copy()

    return run


# -- the benchmark ----------------------------------------------------------------------------


def describe(row: Row, versus: Row | None) -> str:
    params = ", ".join(
        f"{k}={v:,}" if isinstance(v, int) else f"{k}={v}" for k, v in row.params.items()
    )
    line = (
        f"  {row.case:<8} {row.impl:<9} median {row.median_s * 1e3:9.2f} ms  "
        f"p90 {row.p90_s * 1e3:9.2f} ms  runs {row.runs:>3}  {params}"
    )
    if versus is not None and versus is not row:
        ratio = row.median_s / versus.median_s
        line += f"  ({ratio:.{2 if ratio < 10 else 1}f}× portalis's time)"
    goal = GOALS.get(row.case) if row.impl == "portalis" else None
    if goal is not None:
        line += f"  goal ≤ {goal * 1e3:g} ms: {'met' if row.median_s <= goal else 'NOT met'}"
    return line


def rows(argv: list[str]) -> Iterator[Row]:
    from portalis.bench.rows import Row
    from portalis.demos.lidar.reference import filter_numpy

    parser = argparse.ArgumentParser(prog="portalis bench lidar", description=__doc__)
    parser.add_argument("--frames", type=int, default=40, help="frames through the runner")
    parser.add_argument("--cpython-frames", type=int, default=2)
    parser.add_argument(
        "--sizes",
        default="10000,30000,100000,300000,1000000",
        help="points per scan for the scaling rows (comma-separated)",
    )
    parser.add_argument("--scaling-runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="10 frames, scaling to 100K")
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="time the CPU the process uses (time.process_time) instead of wall time: on a "
        "shared machine, what the code costs without the time it waits for a core (Open3D's "
        "worker threads count too)",
    )
    args = parser.parse_args(argv)
    clock = time.process_time if args.cpu else time.perf_counter
    if args.quick:
        args.frames, args.cpython_frames, args.scaling_runs = 10, 1, 3
        args.sizes = "10000,100000"
    sizes = [int(s) for s in args.sizes.split(",") if s]
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores", flush=True)
    if args.cpu:
        print("times: CPU time of the process (--cpu), not wall time", flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        runner_rows, scans, shapes = run_scene(args.frames, Path(tmp), clock)
    print(
        f"runner: {args.frames} frames of scan + filter in {time.perf_counter() - t0:.1f} s "
        f"(scans of {min(map(len, scans)):,}–{max(map(len, scans)):,} points, "
        f"{len(shapes)} shapes)",
        flush=True,
    )
    frame = runner_rows[0]
    for row in runner_rows:
        print(describe(row, None), flush=True)
        yield row
    for impl, fn, count in peers(args.cpython_frames):
        if fn is None:
            continue
        row = Row.of("frame", impl, time_each(fn, scans[: count or None], clock), **frame.params)
        print(describe(row, frame), flush=True)
        yield row

    yield from kernel_rows(scans, clock)

    big = scaling_scans(sizes, shapes)
    capacity = max(len(s) for s in big.values())
    implementations: list[tuple[str, Filter | None]] = [
        ("portalis", compiled_scaling(capacity)),
        ("numpy", filter_numpy),
    ]
    numba = numba_kernel()
    if numba is not None:
        implementations.append(("numba", kernel_filter(numba, capacity)))
    implementations.append(("open3d", open3d_filter()))
    for scan in big.values():
        ours: Row | None = None
        for impl, fn in implementations:
            if fn is None:
                continue
            row = Row.of("scaling", impl, time_each(fn, [scan] * args.scaling_runs, clock),
                         points=len(scan))  # fmt: skip
            ours = ours or row
            print(describe(row, ours), flush=True)
            yield row


def main(argv: list[str] | None = None) -> int:
    from portalis.bench.report import run_main

    return run_main("lidar", rows, argv)


if __name__ == "__main__":
    raise SystemExit(main())
