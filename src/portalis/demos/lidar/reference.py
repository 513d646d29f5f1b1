"""The LiDAR filter written again, independently, with NumPy: the benchmark's NumPy peer and
the tests' second opinion on the compiled kernel's voxel set.

The same algorithm as ``kernel.filter_cloud`` — crop box, one centroid per voxel, a RANSAC
ground plane refitted by least squares, radius outlier removal — but vectorised: voxels by
``np.unique`` over packed integer keys, centroids by ``np.bincount``, neighbours by sorting
the centroids by grid cell and looking up the 27 cells around each with ``np.searchsorted``.
RANSAC draws its samples from NumPy's generator, so the ground and outlier sets can differ a
little from the kernel's; the voxel set may not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

AXIS_BITS = 14


@dataclass(frozen=True)
class FilterParams:
    """``kernel.filter_cloud``'s parameters, with its defaults."""

    voxel_size: float = 0.2
    crop_min: tuple[float, float, float] = (-40.0, -40.0, -3.0)
    crop_max: tuple[float, float, float] = (40.0, 40.0, 4.0)
    min_range: float = 2.5
    ground_threshold: float = 0.15
    ground_iterations: int = 48
    ground_max_tilt_deg: float = 15.0
    outlier_radius: float = 0.6
    outlier_min_neighbors: int = 3
    seed: int = 11

    def kernel_args(self) -> dict[str, float | int]:
        """As keyword arguments of ``kernel.filter_cloud``."""
        args: dict[str, float | int] = {
            "voxel_size": self.voxel_size,
            "min_range": self.min_range,
            "ground_threshold": self.ground_threshold,
            "ground_iterations": self.ground_iterations,
            "ground_max_tilt_deg": self.ground_max_tilt_deg,
            "outlier_radius": self.outlier_radius,
            "outlier_min_neighbors": self.outlier_min_neighbors,
            "seed": self.seed,
        }
        for axis, lo, hi in zip("xyz", self.crop_min, self.crop_max, strict=True):
            args[f"crop_min_{axis}"] = lo
            args[f"crop_max_{axis}"] = hi
        return args


@dataclass
class Filtered:
    """What the NumPy filter found."""

    points: np.ndarray  # (k, 3) kept centroids
    centroids: np.ndarray  # (voxels, 3) every voxel's centroid, before ground and outliers
    in_crop: int
    ground: int
    outliers: int


def _cell_keys(cells: np.ndarray) -> np.ndarray:
    keys: np.ndarray = (cells[:, 0] << (2 * AXIS_BITS)) | (cells[:, 1] << AXIS_BITS) | cells[:, 2]
    return keys


def filter_numpy(scan: np.ndarray, p: FilterParams = FilterParams()) -> Filtered:
    if not p.voxel_size > 0 or not p.outlier_radius > 0:
        raise ValueError("voxel_size and outlier_radius must be positive")
    lo = np.array(p.crop_min)
    hi = np.array(p.crop_max)
    pts = np.asarray(scan, dtype=np.float64).reshape(-1, 3)
    with np.errstate(invalid="ignore"):
        inside = np.isfinite(pts).all(axis=1) & (pts >= lo).all(axis=1) & (pts <= hi).all(axis=1)
        inside &= (pts**2).sum(axis=1) >= p.min_range**2
    q = pts[inside]
    if len(q) == 0:
        empty = np.zeros((0, 3))
        return Filtered(empty, empty, 0, 0, 0)
    keys = _cell_keys(np.floor((q - lo) * (1.0 / p.voxel_size)).astype(np.int64))
    _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    inverse = inverse.reshape(-1)
    centroids = (
        np.stack([np.bincount(inverse, weights=q[:, k]) for k in range(3)], axis=1)
        / counts[:, None]
    )
    ground = _ground(centroids, p)
    rest = centroids[~ground]
    neighbours = _neighbour_counts(rest, lo, p.outlier_radius, p.outlier_min_neighbors)
    keep = neighbours >= p.outlier_min_neighbors
    return Filtered(rest[keep], centroids, len(q), int(ground.sum()), int((~keep).sum()))


def _ground(c: np.ndarray, p: FilterParams) -> np.ndarray:
    """RANSAC on an even sample of the centroids, least-squares refit on the inliers."""
    m = len(c)
    if m < 3:
        return np.zeros(m, bool)
    rng = np.random.default_rng(p.seed)
    sample = c[:: max(1, m // 2048)]
    min_nz = math.cos(math.radians(p.ground_max_tilt_deg))
    best_score, best = 0, None
    for _ in range(p.ground_iterations):
        a, b, d = c[rng.integers(0, m, 3)]
        normal = np.cross(b - a, d - a)
        norm = np.linalg.norm(normal)
        if norm < 1e-9:
            continue
        normal = normal / (norm if normal[2] >= 0 else -norm)
        if normal[2] < min_nz:
            continue
        offset = -normal @ a
        score = int(np.count_nonzero(np.abs(sample @ normal + offset) <= p.ground_threshold))
        if score > best_score:
            best_score, best = score, (normal, offset)
    if best is None or best_score < 3:
        return np.zeros(m, bool)
    normal, offset = best
    inliers = c[np.abs(c @ normal + offset) <= p.ground_threshold]
    design = np.column_stack([inliers[:, 0], inliers[:, 1], np.ones(len(inliers))])
    (pa, pb, pc), *_ = np.linalg.lstsq(design, inliers[:, 2], rcond=None)
    above = c[:, 2] - (pa * c[:, 0] + pb * c[:, 1] + pc)
    ground: np.ndarray = np.abs(above) / math.sqrt(pa * pa + pb * pb + 1.0) <= p.ground_threshold
    return ground


def _neighbour_counts(c: np.ndarray, lo: np.ndarray, radius: float, _wanted: int) -> np.ndarray:
    """For each centroid, how many others lie within ``radius``."""
    m = len(c)
    counts = np.zeros(m, np.int64)
    if m == 0:
        return counts
    cells = np.floor((c - lo) * (1.0 / radius)).astype(np.int64)
    keys = _cell_keys(cells)
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    r2 = radius * radius
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            for dz in (-1, 0, 1):
                around = cells + np.array([dx, dy, dz])
                valid = (around >= 0).all(axis=1)
                want = _cell_keys(np.where(valid[:, None], around, 0))
                start = np.searchsorted(sorted_keys, want, "left")
                stop = np.searchsorted(sorted_keys, want, "right")
                lengths = np.where(valid, stop - start, 0)
                total = int(lengths.sum())
                if total == 0:
                    continue
                who = np.repeat(np.arange(m), lengths)
                first = np.repeat(start - (np.cumsum(lengths) - lengths), lengths)
                other = order[np.arange(total) + first]
                d2 = ((c[who] - c[other]) ** 2).sum(axis=1)
                close = (d2 <= r2) & (who != other)
                counts += np.bincount(who[close], minlength=m)
    return counts
