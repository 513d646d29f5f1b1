"""Successive over-relaxation (the SciMark kernel): a 5-point stencil updated in place."""

from __future__ import annotations

import numpy as np

NATURAL = """
from portalis.lang import Array, f64


def sor(grid: Array[f64, 2], omega: float, iterations: int) -> float:
    m = grid.shape[0]
    n = grid.shape[1]
    quarter = omega * 0.25
    keep = 1.0 - omega
    for _ in range(iterations):
        for i in range(1, m - 1):
            for j in range(1, n - 1):
                grid[i, j] = quarter * (
                    grid[i - 1, j] + grid[i + 1, j] + grid[i, j - 1] + grid[i, j + 1]
                ) + keep * grid[i, j]
    total = 0.0
    for i in range(m):
        for j in range(n):
            total += grid[i, j]
    return total
"""

ADAPTED = None
WHY = ""
ENTRY = "sor"
#: (grid side, iterations)
SIZES = {"test": (10, 3), "quick": (60, 5), "full": (150, 10)}


def inputs(size: tuple[int, int]) -> tuple[object, ...]:
    side, iterations = size
    rng = np.random.default_rng(5)
    return rng.random((side, side)), 1.25, iterations
