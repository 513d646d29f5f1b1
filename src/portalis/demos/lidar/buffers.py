"""The working arrays the LiDAR kernels take, for callers other than the runner (tests, the
benchmark). The runner gives a WasmSensor's unbound 1-D arrays ``dataBufferSize`` elements
each (the scene sets it); these are sized to what the kernels check for, no more."""

from __future__ import annotations

import numpy as np

from portalis.demos.lidar.kernel import CONE, RANSAC_SAMPLE


def scan_buffers(beams: int, steps: int, shapes: int) -> dict[str, np.ndarray]:
    """Zeroed outputs and work arrays for ``kernel.scan``."""
    rays = beams * steps
    return {
        "points": np.zeros(3 * rays, np.float32),
        "labels": np.zeros(rays, np.int32),
        "shape_cones": np.zeros(CONE * max(shapes, 1)),
        "beam_table": np.zeros(3 * beams),
        "candidates": np.zeros(max(shapes, 1), np.int32),
        "column": np.zeros(3 * max(shapes, 1)),
    }


def filter_buffers(points: int) -> dict[str, np.ndarray]:
    """Zeroed outputs and work arrays for ``kernel.filter_cloud`` on up to ``points``."""
    n = max(points, 1)
    table = 1
    while table < 2 * n:
        table *= 2
    return {
        "out_xyz": np.zeros(3 * n, np.float32),
        "colors": np.zeros(3 * n, np.float32),
        "widths": np.zeros(n, np.float32),
        "fate": np.zeros(n, np.int32),
        "voxel_of": np.zeros(n, np.int32),
        "voxel_fate": np.zeros(n, np.int32),
        "voxel_count": np.zeros(n, np.int32),
        "voxel_key": np.zeros(n, np.int64),
        "voxel_cell_xyz": np.zeros(3 * n, np.int32),
        "sums": np.zeros(3 * n),
        "table": np.zeros(table, np.int64),
        "cell_start": np.zeros(n + 1, np.int32),
        "cell_items": np.zeros(n, np.int32),
        "sample": np.zeros(6 * RANSAC_SAMPLE),
    }
