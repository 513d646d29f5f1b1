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

Then the scaling curve, 10K → 1M points (scans of more azimuth steps), through
``portalis.load``: the scan copied in at each call and the filtered cloud copied out, as the
runner does, the working arrays kept in linear memory.

Rows follow SPEC §7 (``case``, ``impl``, ``median_s``, ``p90_s``, ``runs``, ``params``);
``--json FILE`` writes them. Run: ``portalis bench lidar`` or
``python benchmarks/bench_lidar.py``.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from portalis.demos import get_demo
from portalis.demos.lidar.buffers import filter_buffers, scan_buffers
from portalis.demos.lidar.reference import FilterParams, filter_numpy

DEMO = get_demo("lidar")
GOALS = {"frame": 5e-3, "scan": 10e-3}
Row = dict[str, Any]


def import_kernel(name: str = "lidar_kernel_cpython") -> ModuleType:
    """The kernel source as a fresh CPython module."""
    spec = importlib.util.spec_from_file_location(name, DEMO.kernel_path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def numba_kernel() -> ModuleType | None:
    """The kernel source with every function compiled by ``numba.njit`` (None without
    numba). Functions call each other through the module's globals, so replacing them there
    before the first call makes the calls jitted too."""
    if importlib.util.find_spec("numba") is None:
        return None
    import numba

    module = import_kernel("lidar_kernel_numba")
    for name, value in list(vars(module).items()):
        if callable(value) and getattr(value, "__module__", None) == module.__name__:
            setattr(module, name, numba.njit(cache=False)(value))
    return module


def row(case: str, impl: str, samples: list[float], **params: Any) -> Row:
    return {
        "case": case,
        "impl": impl,
        "median_s": float(np.median(samples)),
        "p90_s": float(np.percentile(samples, 90)),
        "runs": len(samples),
        "params": params,
    }


def time_each(fn: Callable[[np.ndarray], Any], scans: list[np.ndarray]) -> list[float]:
    fn(scans[0])  # warm up (first-call compilation, caches)
    samples = []
    for scan in scans:
        t0 = time.perf_counter()
        fn(scan)
        samples.append(time.perf_counter() - t0)
    return samples


# -- the runner --------------------------------------------------------------------------------


def run_scene(frames: int, work: Path) -> tuple[list[Row], list[np.ndarray], int]:
    """Run the demo scene for ``frames`` frames; the runner's timings of both prims, the
    scans it made, and the number of shapes."""
    from pxr import Usd

    import portalis.usd  # noqa: F401  (schemas registered before any stage is opened)
    from portalis.demos.lidar.scene import FILTER, SCANNER, Drive, write_scene
    from portalis.lang import build
    from portalis.sim import Runtime

    wasm = build(DEMO.kernel_path, work / "kernel.wasm")
    drive = Drive(frames=frames)
    write_scene(work / "scene.usda", wasm.name, drive)
    stage = Usd.Stage.Open(str(work / "scene.usda"))
    stage.SetEditTarget(stage.GetSessionLayer())
    scans: list[np.ndarray] = []
    with Runtime(stage) as runtime:
        scanner = runtime.module_prim(SCANNER)
        filt = runtime.module_prim(FILTER)
        runtime.play()
        for frame in range(1, frames + 1):
            runtime.step(1.0 / drive.fps, time_code=frame)
            scans.append(np.array(scanner.output("points"), dtype=np.float32))
        runtime.stop()
        if runtime.failures:
            raise RuntimeError("; ".join(str(f) for f in runtime.failures))
        shapes = len(scanner.entry.arrays[0].source.get())  # type: ignore[union-attr]
        points = int(np.median([len(s) for s in scans]))
        rows = [
            row("frame", "portalis", list(filt.stats.samples()[1:]), points=points),
            row(
                "scan",
                "portalis",
                list(scanner.stats.samples()[1:]),
                rays=drive.beams * drive.steps,
                shapes=shapes,
            ),
        ]
    return rows, scans, shapes


# -- peers on the same scans ---------------------------------------------------------------------


def kernel_filter(module: Any, capacity: int) -> Callable[[np.ndarray], Any]:
    buffers = filter_buffers(capacity)
    args = FilterParams().kernel_args()
    return lambda scan: module.filter_cloud(scan, **buffers, **args)


def open3d_filter() -> Callable[[np.ndarray], Any] | None:
    if importlib.util.find_spec("open3d") is None:
        return None
    try:
        import open3d as o3d
    except (ImportError, OSError) as e:  # e.g. libusb-1.0 missing
        print(f"open3d: installed but cannot be imported ({e}); skipped")
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


def peers(cpython_frames: int) -> Iterator[tuple[str, Callable[[np.ndarray], Any] | None, int]]:
    """(impl, filter or None when unavailable, how many frames to time)."""
    yield "cpython", kernel_filter(import_kernel(), 130_000), cpython_frames
    yield "numpy", filter_numpy, 0
    numba = numba_kernel()
    if numba is None:
        print("numba: not installed; skipped (pip install 'portalis[lidar-bench]')")
    yield "numba", kernel_filter(numba, 130_000) if numba is not None else None, 0
    yield "open3d", open3d_filter(), 0


# -- scaling --------------------------------------------------------------------------------------


def scaling_scans(sizes: list[int], shapes: np.ndarray) -> dict[int, np.ndarray]:
    """A scan of about each size from the compiled scanner: 64 beams, more azimuth steps."""
    import portalis
    from portalis.lang import compile_source

    kernel = portalis.load(compile_source(DEMO.kernel_path.read_text(), str(DEMO.kernel_path)).wasm)
    out = {}
    for size in sizes:
        steps = max(1, round(size / 0.93 / 64))
        buffers = scan_buffers(64, steps, len(shapes))
        count = kernel.scan(shapes, -10.0, 0.3, 0.0, 2.0, **buffers, steps=steps)[0]
        out[size] = buffers["points"][: 3 * count].reshape(-1, 3).copy()
    return out


def compiled_scaling(capacity: int) -> Callable[[np.ndarray], Any]:
    """The compiled filter through ``portalis.load``: the scan copied in per call, the
    working arrays left in linear memory, the filtered cloud and colours copied out."""
    import portalis
    from portalis.lang import compile_source

    kernel = portalis.load(compile_source(DEMO.kernel_path.read_text(), str(DEMO.kernel_path)).wasm)
    memory = kernel.instance.memory
    assert memory is not None
    arrays = filter_buffers(capacity)
    offsets = {name: memory.alloc(a.nbytes, 16) for name, a in arrays.items()}
    scan_at = memory.alloc(capacity * 12, 16)
    # every allocation first: a view is only valid until memory grows
    views = {name: memory.view(offsets[name], a.dtype, a.shape) for name, a in arrays.items()}
    args = FilterParams().kernel_args()

    def run(scan: np.ndarray) -> Any:
        into = memory.view(scan_at, np.float32, scan.shape)
        into.numpy()[...] = scan  # the copy the runner makes
        count = kernel.filter_cloud(into, **views, **args)[0]
        return views["out_xyz"].numpy()[: 3 * count].copy(), views["colors"].numpy()[
            : 3 * count
        ].copy()

    return run


def scene_shapes(work: Path) -> np.ndarray:
    from pxr import Usd

    from portalis.demos.lidar.scene import STREET
    from portalis.sim.geometry import shape_rows

    stage = Usd.Stage.Open(str(work / "scene.usda"))
    return shape_rows([stage.GetPrimAtPath(STREET)], Usd.TimeCode.EarliestTime())


# -- report ----------------------------------------------------------------------------------------


def print_rows(rows: list[Row]) -> None:
    base = {
        (r["case"], json.dumps(r["params"], sort_keys=True)): r
        for r in rows
        if r["impl"] == "portalis"
    }
    print(
        f"\n  {'case':<8} {'impl':<9} {'median':>10} {'p90':>10} {'runs':>5}  "
        f"{'÷ portalis':>10}  params"
    )
    for r in rows:
        key = (r["case"], json.dumps(r["params"], sort_keys=True))
        ref = base.get(key)
        versus = f"{r['median_s'] / ref['median_s']:9.1f}×" if ref and ref is not r else ""
        goal = GOALS.get(r["case"]) if r["impl"] == "portalis" else None
        mark = (
            f"  goal ≤ {goal * 1e3:g} ms: {'met' if r['median_s'] <= goal else 'NOT met'}"
            if goal
            else ""
        )
        params = ", ".join(f"{k}={v:,}" for k, v in r["params"].items())
        print(
            f"  {r['case']:<8} {r['impl']:<9} {r['median_s'] * 1e3:8.2f} ms "
            f"{r['p90_s'] * 1e3:7.2f} ms {r['runs']:>5}  {versus:>10}  {params}{mark}"
        )


def machine() -> dict[str, Any]:
    from importlib.metadata import PackageNotFoundError, version

    packages = {}
    for name in ("portalis", "wasmtime", "numpy", "numba", "open3d"):
        with contextlib.suppress(PackageNotFoundError):
            packages[name] = version(name)
    return {
        "cpu": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "packages": packages,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--frames", type=int, default=40, help="frames through the runner")
    parser.add_argument("--cpython-frames", type=int, default=2)
    parser.add_argument(
        "--sizes",
        default="10000,30000,100000,300000,1000000",
        help="points per scan for the scaling rows (comma-separated)",
    )
    parser.add_argument("--scaling-runs", type=int, default=5)
    parser.add_argument("--json", type=Path, help="write the rows (SPEC §7) to this file")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        t0 = time.perf_counter()
        rows, scans, _ = run_scene(args.frames, work)
        print(
            f"runner: {args.frames} frames of scan + filter in {time.perf_counter() - t0:.1f} s"
            f" (scans of {min(map(len, scans)):,}–{max(map(len, scans)):,} points)"
        )
        shapes = scene_shapes(work)
    points = rows[0]["params"]["points"]
    for impl, fn, frames in peers(args.cpython_frames):
        if fn is None:
            continue
        samples = time_each(fn, scans[: frames or None])
        rows.append(row("frame", impl, samples, points=points))

    big = scaling_scans(sizes, shapes)
    capacity = max(len(s) for s in big.values())
    implementations: list[tuple[str, Callable[[np.ndarray], Any] | None]] = [
        ("portalis", compiled_scaling(capacity)),
        ("numpy", filter_numpy),
    ]
    numba = numba_kernel()
    if numba is not None:
        implementations.append(("numba", kernel_filter(numba, capacity)))
    implementations.append(("open3d", open3d_filter()))
    for scan in big.values():
        for impl, fn in implementations:
            if fn is not None:
                samples = time_each(fn, [scan] * args.scaling_runs)
                rows.append(row("scaling", impl, samples, points=len(scan)))

    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} cores (shared machines are noisy: "
        "compare ratios within one run)"
    )
    print_rows(rows)
    if args.json:
        args.json.write_text(
            json.dumps({"benchmark": "lidar", "machine": machine(), "rows": rows}, indent=1)
        )
        print(f"\nrows written to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
