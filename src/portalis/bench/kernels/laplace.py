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

ADAPTED = """
import numpy as np
from portalis.lang import Array, f64


def laplace(u: Array[f64, 2], sweeps: int, out: Array[f64, 2]) -> None:
    m = u.shape[0]
    n = u.shape[1]
    new = np.empty_like(u)
    for i in range(m):
        for j in range(n):
            new[i, j] = u[i, j]
    for _ in range(sweeps):
        for i in range(1, m - 1):
            for j in range(1, n - 1):
                new[i, j] = 0.25 * (u[i - 1, j] + u[i + 1, j] + u[i, j - 1] + u[i, j + 1])
        for i in range(1, m - 1):
            for j in range(1, n - 1):
                u[i, j] = new[i, j]
    for i in range(m):
        for j in range(n):
            out[i, j] = u[i, j]
"""

WHY = (
    "returning an array, u.copy(), slice assignment new[:, :] = u, and swapping two arrays "
    "(u, new = new, u): result written into an out parameter, the input updated in place, "
    "copies as loops"
)
ENTRY = "laplace"
#: (grid side, sweeps)
SIZES = {"test": (10, 3), "quick": (60, 5), "full": (150, 10)}


def inputs(size: tuple[int, int]) -> tuple[object, ...]:
    side, sweeps = size
    rng = np.random.default_rng(6)
    u = np.zeros((side, side))
    u[0, :] = rng.random(side)
    return u, sweeps, np.zeros((side, side))


def natural_inputs(size: tuple[int, int]) -> tuple[object, ...]:
    return inputs(size)[:2]
