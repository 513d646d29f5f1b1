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

ADAPTED = """
import numpy as np
from portalis.lang import Array, i64, u8

MOVE_R = (1, -1, 0, 0)
MOVE_C = (0, 0, 1, -1)


def _less(key: Array[i64], a: int, b: int) -> bool:
    return key[a] < key[b] or (key[a] == key[b] and a < b)


def _push(heap: Array[i64], key: Array[i64], size: int, cell: int) -> int:
    k = size
    heap[k] = cell
    while k > 0:
        parent = (k - 1) // 2
        if _less(key, heap[k], heap[parent]):
            heap[k], heap[parent] = heap[parent], heap[k]
            k = parent
        else:
            break
    return size + 1


def _pop(heap: Array[i64], key: Array[i64], size: int) -> int:
    size -= 1
    heap[0] = heap[size]
    k = 0
    while True:
        child = 2 * k + 1
        if child >= size:
            break
        if child + 1 < size and _less(key, heap[child + 1], heap[child]):
            child += 1
        if _less(key, heap[child], heap[k]):
            heap[k], heap[child] = heap[child], heap[k]
            k = child
        else:
            break
    return size


def astar(grid: Array[u8, 2], sr: int, sc: int, gr: int, gc: int) -> int:
    rows = grid.shape[0]
    cols = grid.shape[1]
    best = np.full(rows * cols, -1, dtype=np.int64)
    key = np.zeros(rows * cols * 4 + 1, dtype=np.int64)
    cost = np.zeros(rows * cols * 4 + 1, dtype=np.int64)
    where = np.zeros(rows * cols * 4 + 1, dtype=np.int64)
    heap = np.zeros(rows * cols * 4 + 1, dtype=np.int64)
    entries = 0
    size = 0
    best[sr * cols + sc] = 0
    key[0] = abs(sr - gr) + abs(sc - gc)
    where[0] = sr * cols + sc
    entries = 1
    size = _push(heap, key, size, 0)
    while size > 0:
        top = heap[0]
        size = _pop(heap, key, size)
        g = cost[top]
        r = where[top] // cols
        c = where[top] % cols
        if r == gr and c == gc:
            return g
        if g > best[r * cols + c]:
            continue
        for m in range(4):
            nr = r + MOVE_R[m]
            nc = c + MOVE_C[m]
            if 0 <= nr < rows and 0 <= nc < cols and grid[nr, nc] == 0:
                ng = g + 1
                cell = nr * cols + nc
                if best[cell] < 0 or ng < best[cell]:
                    best[cell] = ng
                    key[entries] = ng + abs(nr - gr) + abs(nc - gc)
                    cost[entries] = ng
                    where[entries] = cell
                    size = _push(heap, key, size, entries)
                    entries += 1
    return -1
"""

WHY = (
    "a list used as a heap with heapq (list of tuples, `while heap`), `rows, cols = "
    "grid.shape`, iterating a tuple of tuples (`for dr, dc in MOVES`): a binary heap over "
    "arrays of entry indices, moves as two flat tables"
)
ENTRY = "astar"
SIZES = {"test": 12, "quick": 60, "full": 200}


def inputs(n: int) -> tuple[object, ...]:
    rng = np.random.default_rng(9)
    grid = (rng.random((n, n)) < 0.25).astype(np.uint8)
    grid[0, 0] = 0
    grid[n - 1, n - 1] = 0
    return grid, 0, 0, n - 1, n - 1
