"""Floyd–Warshall all-pairs shortest paths, in place on a distance matrix (inf: no edge)."""

from __future__ import annotations

import numpy as np

NATURAL = """
from portalis.lang import Array, f64


def floyd_warshall(dist: Array[f64, 2]) -> None:
    n = dist.shape[0]
    for k in range(n):
        dk = dist[k]
        for i in range(n):
            di = dist[i]
            dik = di[k]
            for j in range(n):
                if dik + dk[j] < di[j]:
                    di[j] = dik + dk[j]
"""

ADAPTED = None
WHY = ""
ENTRY = "floyd_warshall"
SIZES = {"test": 12, "quick": 50, "full": 100}


def inputs(n: int) -> tuple[object, ...]:
    rng = np.random.default_rng(8)
    dist = rng.uniform(1.0, 10.0, (n, n))
    dist[rng.random((n, n)) < 0.7] = np.inf
    np.fill_diagonal(dist, 0.0)
    return (dist,)
