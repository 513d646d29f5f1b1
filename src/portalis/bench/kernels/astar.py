"""A* shortest path on a 4-connected grid with obstacles (Manhattan heuristic, binary heap)."""

from __future__ import annotations

import numpy as np

NATURAL = """
import heapq

import numpy as np
from portalis.lang import Array, u8

MOVES = ((1, 0), (-1, 0), (0, 1), (0, -1))


def astar(grid: Array[u8, 2], sr: int, sc: int, gr: int, gc: int) -> int:
    rows, cols = grid.shape
    best = np.full((rows, cols), -1, dtype=np.int64)
    best[sr, sc] = 0
    heap = [(abs(sr - gr) + abs(sc - gc), 0, sr, sc)]
    while heap:
        f, g, r, c = heapq.heappop(heap)
        if r == gr and c == gc:
            return g
        if g > best[r, c]:
            continue
        for dr, dc in MOVES:
            nr = r + dr
            nc = c + dc
            if 0 <= nr < rows and 0 <= nc < cols and grid[nr, nc] == 0:
                ng = g + 1
                if best[nr, nc] < 0 or ng < best[nr, nc]:
                    best[nr, nc] = ng
                    heapq.heappush(heap, (ng + abs(nr - gr) + abs(nc - gc), ng, nr, nc))
    return -1
"""

ADAPTED = None
WHY = ""
ENTRY = "astar"
SIZES = {"test": 16, "quick": 60, "full": 200}


def inputs(n: int) -> tuple[object, ...]:
    rng = np.random.default_rng(9)
    grid = (rng.random((n, n)) < 0.25).astype(np.uint8)
    grid[0, 0] = 0
    grid[n - 1, n - 1] = 0
    return grid, 0, 0, n - 1, n - 1
