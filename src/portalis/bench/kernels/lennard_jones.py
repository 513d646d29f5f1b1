"""Lennard-Jones forces and potential energy over all pairs in a periodic box."""

from __future__ import annotations

import numpy as np

NATURAL = """
from portalis.lang import Array, f64


def lennard_jones(pos: Array[f64, 2], box: float, cutoff: float, forces: Array[f64, 2]) -> float:
    n = pos.shape[0]
    rc2 = cutoff * cutoff
    energy = 0.0
    for i in range(n):
        forces[i, 0] = 0.0
        forces[i, 1] = 0.0
        forces[i, 2] = 0.0
    for i in range(n - 1):
        for j in range(i + 1, n):
            dx = pos[i, 0] - pos[j, 0]
            dy = pos[i, 1] - pos[j, 1]
            dz = pos[i, 2] - pos[j, 2]
            dx -= box * round(dx / box)
            dy -= box * round(dy / box)
            dz -= box * round(dz / box)
            r2 = dx * dx + dy * dy + dz * dz
            if r2 < rc2:
                inv6 = (1.0 / r2) ** 3
                energy += 4.0 * (inv6 * inv6 - inv6)
                f = 24.0 * (2.0 * inv6 * inv6 - inv6) / r2
                forces[i, 0] += f * dx
                forces[i, 1] += f * dy
                forces[i, 2] += f * dz
                forces[j, 0] -= f * dx
                forces[j, 1] -= f * dy
                forces[j, 2] -= f * dz
    return energy
"""

ADAPTED = None
WHY = ""
ENTRY = "lennard_jones"
SIZES = {"test": 20, "quick": 150, "full": 400}


def inputs(n: int) -> tuple[object, ...]:
    rng = np.random.default_rng(10)
    box = (n / 0.8) ** (1.0 / 3.0)
    return rng.random((n, 3)) * box, box, 2.5, np.zeros((n, 3))
