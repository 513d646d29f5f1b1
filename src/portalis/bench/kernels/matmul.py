"""Dense matrix product in i-k-j order (row views), the result made in the function."""

from __future__ import annotations

import numpy as np

NATURAL = """
import numpy as np
from portalis.lang import Array, f64


def matmul(a: Array[f64, 2], b: Array[f64, 2]) -> Array[f64, 2]:
    n, m = a.shape
    p = b.shape[1]
    c = np.zeros((n, p))
    for i in range(n):
        ci = c[i]
        for k in range(m):
            aik = a[i, k]
            bk = b[k]
            for j in range(p):
                ci[j] += aik * bk[j]
    return c
"""

ADAPTED = None
WHY = ""
ENTRY = "matmul"
SIZES = {"test": 8, "quick": 40, "full": 80}


def inputs(n: int) -> tuple[object, ...]:
    rng = np.random.default_rng(13)
    return rng.standard_normal((n, n)), rng.standard_normal((n, n))
