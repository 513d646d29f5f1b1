"""LU decomposition with partial pivoting (Doolittle, in place), returning the determinant."""

from __future__ import annotations

import numpy as np

NATURAL = """
import numpy as np
from portalis.lang import Array, f64, i64


def lu(a: Array[f64, 2], perm: Array[i64]) -> float:
    n = a.shape[0]
    det = 1.0
    for k in range(n):
        p = k
        for i in range(k + 1, n):
            if abs(a[i, k]) > abs(a[p, k]):
                p = i
        if p != k:
            a[[k, p]] = a[[p, k]]
            perm[k], perm[p] = perm[p], perm[k]
            det = -det
        det *= a[k, k]
        for i in range(k + 1, n):
            a[i, k] /= a[k, k]
            a[i, k + 1:] -= a[i, k] * a[k, k + 1:]
    return det
"""

#: Numba refuses the natural row swap (``getitem(array(float64, 2d, C), list(int64))``):
#: it is timed on the element loops every compiled language writes, the same algorithm.
NUMBA = """
from portalis.lang import Array, f64, i64


def lu(a: Array[f64, 2], perm: Array[i64]) -> float:
    n = a.shape[0]
    det = 1.0
    for k in range(n):
        p = k
        for i in range(k + 1, n):
            if abs(a[i, k]) > abs(a[p, k]):
                p = i
        if p != k:
            for j in range(n):
                a[k, j], a[p, j] = a[p, j], a[k, j]
            perm[k], perm[p] = perm[p], perm[k]
            det = -det
        det *= a[k, k]
        for i in range(k + 1, n):
            a[i, k] /= a[k, k]
            f = a[i, k]
            for j in range(k + 1, n):
                a[i, j] -= f * a[k, j]
    return det
"""

ADAPTED = None
WHY = ""
ENTRY = "lu"
SIZES = {"test": 12, "quick": 50, "full": 120}


def inputs(n: int) -> tuple[object, ...]:
    rng = np.random.default_rng(4)
    return rng.standard_normal((n, n)), np.arange(n, dtype=np.int64)
