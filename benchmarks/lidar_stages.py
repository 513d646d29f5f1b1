"""The LiDAR filter's ground stage timed on its own: RANSAC over the sampled centroids, the
least-squares refit and the marking of ground voxels, compiled by Portalis and by Numba, by
CPU time (``time.process_time``), on real scans of the demo's street, two kernel sources
alternated in one process.

    PYTHONPATH=src python benchmarks/lidar_stages.py OLD_KERNEL.py [NEW_KERNEL.py] [ROUNDS]

The stage's text (from ``# 3. ground`` to ``# 4. radius`` in ``filter_cloud``) is copied into
functions of their own appended to each kernel source: ``ground_stage`` (the whole stage),
``ransac_stage`` (cut before the refit), ``lsq_stage`` (cut before the marking) and
``empty_stage`` (the call alone, taken off the others' times). Per scan, the whole filter
runs once to fill the centroids, then each function runs ROUNDS times on them. The compiled
kernel runs through ``portalis.load`` with every array in linear memory, Numba on NumPy
arrays. Figures only.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from pxr import Usd

import portalis
import portalis.usd  # (schemas registered before any stage is opened)
from portalis.bench.cpython import import_source, jit_functions
from portalis.bench.lidar import resident_buffers
from portalis.demos.lidar import scene as lidar_scene
from portalis.demos.lidar.buffers import filter_buffers, scan_buffers
from portalis.demos.lidar.reference import FilterParams
from portalis.lang import compile_source
from portalis.sim.geometry import shape_rows

CLOCK = time.process_time
START = "    # 3. ground"
END = "    # 4. radius"
REFIT = "    if best_score >= 3:"
MARKING = "        scale = 1.0 / math.sqrt("
HEAD = """

def {name}(
    sums: Array[f64],
    voxel_fate: Array[i32],
    sample: Array[f64],
    voxels: int,
    crop_min_z: float,
    ground_threshold: float,
    ground_iterations: int,
    ground_max_tilt_deg: float,
    seed: int,
) -> int:
"""
ARGS = ("crop_min_z", "ground_threshold", "ground_iterations", "ground_max_tilt_deg", "seed")


def with_stages(source: str) -> str:
    """``source`` with ``ground_stage`` and ``ransac_stage`` appended."""
    start = source.index("\n" + START) + 1
    end = source.index("\n" + END) + 1
    body = source[start:end]
    refit = body.index("\n" + REFIT) + 1
    ransac = body[:refit] + "    return best_score + int(best_nx + best_ny + best_nz + best_d)\n"
    marking = body.index("\n" + MARKING) + 1
    lsq = body[:marking] + "        return m + int(plane_a + plane_b + plane_c)\n    return 0\n"
    whole = body + "    return ground + int(plane_a + plane_b + plane_c)\n"
    return (
        source
        + HEAD.format(name="ground_stage")
        + whole
        + HEAD.format(name="ransac_stage")
        + ransac
        + HEAD.format(name="lsq_stage")
        + lsq
        + HEAD.format(name="empty_stage")
        + "    return voxels\n"
    )


def scans(frames: int) -> list[np.ndarray]:
    work = Path(tempfile.mkdtemp())
    drive = lidar_scene.Drive(frames=frames)
    lidar_scene.write_scene(work / "scene.usd", "kernel.wasm", drive)
    stage = Usd.Stage.Open(str(work / "scene.usd"))
    shapes = shape_rows([stage.GetPrimAtPath(lidar_scene.STREET)], Usd.TimeCode.EarliestTime())
    source = Path(lidar_scene.__file__).with_name("kernel.py")
    kernel = portalis.load(compile_source(source.read_text(), str(source)).wasm)
    out = []
    for f in range(frames):
        x, y, heading = lidar_scene.vehicle_pose(f / drive.fps, drive)
        buffers = scan_buffers(drive.beams, drive.steps, len(shapes))
        count = kernel.scan(shapes, x, y, 0.0, heading, **buffers, frame=f)[0]
        out.append(buffers["points"][: 3 * count].reshape(-1, 3).copy())
    return out


Stages = dict[str, Callable[[], Any]]


def compiled(source: str, name: str, capacity: int) -> Callable[[np.ndarray], Stages]:
    """Runs the filter on a scan; returns the stage functions bound to its centroids."""
    kernel = portalis.load(compile_source(source, name).wasm)
    memory = kernel.instance.memory
    assert memory is not None
    views, (scan_at,) = resident_buffers(memory, capacity, capacity * 12)
    args = FilterParams().kernel_args()
    stage_args = [args[k] for k in ARGS]

    def run(scan: np.ndarray) -> Stages:
        into = memory.view(scan_at, np.float32, scan.shape)
        into.numpy()[...] = scan
        voxels = kernel.filter_cloud(into, **views, **args)[5]
        bound = (views["sums"], views["voxel_fate"], views["sample"], voxels, *stage_args)
        return {
            "call": lambda: kernel.empty_stage(*bound),
            "ransac": lambda: kernel.ransac_stage(*bound),
            "lsq": lambda: kernel.lsq_stage(*bound),
            "ground": lambda: kernel.ground_stage(*bound),
        }

    return run


def jitted(source: str, name: str, capacity: int) -> Callable[[np.ndarray], Stages]:
    module = jit_functions(import_source(source, name))
    buffers = filter_buffers(capacity)
    args = FilterParams().kernel_args()
    stage_args = [args[k] for k in ARGS]

    def run(scan: np.ndarray) -> Stages:
        voxels = module.filter_cloud(scan, **buffers, **args)[5]
        bound = (buffers["sums"], buffers["voxel_fate"], buffers["sample"], voxels, *stage_args)
        return {
            "call": lambda: module.empty_stage(*bound),
            "ransac": lambda: module.ransac_stage(*bound),
            "lsq": lambda: module.lsq_stage(*bound),
            "ground": lambda: module.ground_stage(*bound),
        }

    return run


def main(old: Path, new: Path | None, rounds: int) -> None:
    frames = scans(8)
    capacity = max(len(s) for s in frames)
    print(f"{len(frames)} scans of {min(map(len, frames)):,}–{capacity:,} points")
    kernels = {"old": old.read_text()} | ({"new": new.read_text()} if new else {})
    makers = {"portalis": compiled, "numba": jitted}
    runs = {
        (label, impl): make(with_stages(source), f"lidar_{label}_{impl}", capacity)
        for label, source in kernels.items()
        for impl, make in makers.items()
    }
    spent: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    for s in frames:
        results = set()
        for key, run in runs.items():
            stages = run(s)
            results.add(tuple(fn() for fn in stages.values()))
            for _ in range(rounds):
                for part, fn in stages.items():
                    t0 = CLOCK()
                    fn()
                    spent[(*key, part)].append(CLOCK() - t0)
        assert len(results) == 1, results  # every kernel and compiler finds the same plane
    print(f"CPU ms per call, medians of {rounds} calls on each scan")
    for (label, impl), _ in runs.items():
        call = statistics.median(spent[(label, impl, "call")]) * 1e3
        ransac = statistics.median(spent[(label, impl, "ransac")]) * 1e3
        lsq = statistics.median(spent[(label, impl, "lsq")]) * 1e3
        ground = statistics.median(spent[(label, impl, "ground")]) * 1e3
        print(
            f"  {label:<4} {impl:<9} call {call:.3f}  ransac {ransac - call:.3f}  "
            f"refit {lsq - ransac:.3f}  marking {ground - lsq:.3f}  "
            f"ground stage {ground - call:.3f}"
        )


if __name__ == "__main__":
    argv = sys.argv[1:]
    main(
        Path(argv[0]),
        Path(argv[1]) if len(argv) > 1 and argv[1] else None,
        int(argv[2]) if len(argv) > 2 else 20,
    )
