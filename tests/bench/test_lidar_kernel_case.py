"""``portalis bench lidar``'s ``kernel`` case: the compiled filter's call alone, with the
default sandbox and without its deadline, computes what the kernel's source computes under
CPython, and the case yields one row per configuration."""

from __future__ import annotations

import importlib.util
import itertools

import numpy as np

from portalis.bench.cpython import import_kernel
from portalis.bench.lidar import kernel_filter, kernel_path, kernel_rows, resident_filter


def scans() -> list[np.ndarray]:
    """Three small clouds: a ground plane and a few boxes of points, some outside the crop."""
    rng = np.random.default_rng(7)
    out = []
    for _ in range(3):
        ground = np.column_stack([rng.uniform(-30, 30, (1500, 2)), rng.normal(-1.7, 0.02, 1500)])
        objects = rng.normal([5.0, 3.0, 0.0], 0.4, (600, 3))
        stray = rng.uniform(-60, 60, (100, 3))
        out.append(np.vstack([ground, objects, stray]).astype(np.float32))
    return out


def test_both_sandboxes_filter_as_cpython_does() -> None:
    clouds = scans()
    cpython = kernel_filter(import_kernel(kernel_path()), 4000)
    default, trusted = resident_filter(clouds, False), resident_filter(clouds, True)
    for scan in clouds:
        expected = cpython(scan)
        assert expected[0] > 0  # some centroids are kept
        assert default(scan) == expected
        assert trusted(scan) == expected


def test_one_row_per_configuration() -> None:
    ticks = itertools.count()
    rows = list(kernel_rows(scans(), clock=lambda: float(next(ticks))))
    configs = [(r.impl, r.params.get("sandbox") or r.params.get("boundscheck")) for r in rows]
    expected = [("portalis", "default"), ("portalis", "none")]
    if importlib.util.find_spec("numba") is not None:
        expected += [("numba", "off"), ("numba", "on")]
    assert configs == expected
    for row in rows:
        assert row.case == "kernel" and row.runs == 3 and row.median_s == 1.0
