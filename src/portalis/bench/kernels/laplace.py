"""Laplace's equation by Jacobi sweeps: two grids, swapped each sweep; the result returned."""

from __future__ import annotations

import numpy as np

NATURAL = """
import numpy as np
from portalis.lang import Array, f64


def laplace(u: Array[f64, 2], sweeps: int) -> Array[f64, 2]:
    u = u.copy()
    new = np.empty_like(u)
    new[:, :] = u
    for _ in range(sweeps):
        for i in range(1, u.shape[0] - 1):
            for j in range(1, u.shape[1] - 1):
                new[i, j] = 0.25 * (u[i - 1, j] + u[i + 1, j] + u[i, j - 1] + u[i, j + 1])
        u, new = new, u
    return u
"""

ADAPTED = None
WHY = ""
ENTRY = "laplace"
#: (grid side, sweeps)
SIZES = {"test": (10, 3), "quick": (60, 5), "full": (150, 10)}


def inputs(size: tuple[int, int]) -> tuple[object, ...]:
    side, sweeps = size
    rng = np.random.default_rng(6)
    u = np.zeros((side, side))
    u[0, :] = rng.random(side)
    return u, sweeps
