"""Gaussian kernel density estimate at a set of points, returned as an array."""

from __future__ import annotations

import numpy as np

NATURAL = """
import math

import numpy as np
from portalis.lang import Array, f64


def kde(samples: Array[f64], points: Array[f64], bandwidth: float) -> Array[f64]:
    norm = 1.0 / (len(samples) * bandwidth * math.sqrt(2.0 * math.pi))
    out = np.empty(len(points))
    for i, x in enumerate(points):
        total = 0.0
        for s in samples:
            u = (x - s) / bandwidth
            total += math.exp(-0.5 * u * u)
        out[i] = total * norm
    return out
"""

ADAPTED = None
WHY = ""
ENTRY = "kde"
#: (samples, points)
SIZES = {"test": (50, 10), "quick": (1000, 50), "full": (5000, 100)}


def inputs(size: tuple[int, int]) -> tuple[object, ...]:
    n_samples, n_points = size
    rng = np.random.default_rng(11)
    samples = rng.standard_normal(n_samples)
    points = np.linspace(-4.0, 4.0, n_points)
    return samples, points, 0.3
