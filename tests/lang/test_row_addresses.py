"""Row addresses computed once per loop (backend/rows.py) reach the same elements as full
index arithmetic: N-D parameter arrays of several element sizes, negative and positive
column offsets, several rows at once, and module-level arrays at fixed offsets."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portalis.lang import compile_source
from portalis.lang.backend import unroll

from .conftest import Kernels, check, kernels_fixture, outcome

SOURCE = """\
from portalis.lang import Array, f32, f64, i32, zeros

board = zeros((5, 7))
small = zeros((3, 4), i32)


def blur(grid: Array[f64, 2], out: Array[f64, 2], k: int) -> float:
    n = grid.shape[0]
    m = grid.shape[1]
    s = 0.0
    for i in range(1, n - 1):
        for j in range(2, m - 1):
            v = grid[i - 1, j] + grid[i, j - 2] * 2.0 + grid[i, j + 1] - grid[i + 1, j]
            v += grid[k, j - 1]
            out[i, j - 1] = v
            s += v
    return s


def cube(a: Array[f32, 3], p: int, q: int) -> float:
    s = 0.0
    for r in range(1, a.shape[2]):
        s += a[p, q, r] * a[p, q, r - 1]
    return s


def fill_board(row: int, x: float) -> float:
    for j in range(1, 7):
        board[row, j] = board[row, j - 1] + x
    total = 0.0
    for j in range(7):
        total += board[row, j]
    return total


def count_small(c: int) -> int:
    t = 0
    for r in range(3):
        for j in range(c, 4):
            small[r, j] += r + j
            t += small[r, j]
    return t
"""


kernels = kernels_fixture(SOURCE, "rows.py")


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 7), st.integers(1, 9), st.integers(-8, 8))
def test_stencil_with_offsets(kernels: Kernels, n: int, m: int, k: int) -> None:
    grid = np.random.default_rng(n * 31 + m).standard_normal((n, m))
    check(kernels, "blur", grid, np.zeros((n, m)), k)


@pytest.mark.parametrize(("p", "q"), [(0, 0), (1, 2), (2, 1), (-1, -2), (3, 0), (0, 5)])
def test_three_dimensional_f32(kernels: Kernels, p: int, q: int) -> None:
    py, wasm = kernels
    a = np.arange(2 * 3 * 5, dtype=np.float32).reshape(2, 3, 5) / 7
    expected, got = outcome(py["cube"], a, p, q), outcome(wasm.cube, a, p, q)
    # CPython computes f32 products in double; the compiled kernel in single precision
    assert expected[0] == got[0]
    if expected[0] == "ok":
        assert abs(expected[1] - got[1]) <= 1e-5 * max(1.0, abs(expected[1]))


def test_module_level_arrays(kernels: Kernels) -> None:
    py, wasm = kernels
    for row, x in [(0, 1.5), (4, -2.0), (2, 0.25), (-1, 3.0), (5, 1.0)]:
        check(kernels, "fill_board", row, x)
    for c in (0, 1, 3, 4, -2):
        check(kernels, "count_small", c)
    np.testing.assert_array_equal(wasm.state.board, py["board"])
    np.testing.assert_array_equal(wasm.state.small, py["small"])


def test_rows_share_one_address_per_iteration() -> None:
    """Each row is a pointer moved on once per unrolled round; the accesses of copy ``k``
    are at constant offsets from it (8 bytes per column and per copy)."""
    wat = compile_source(SOURCE, "rows.py").wat
    blur = wat.split("(func $blur", 1)[1].split("(func ", 1)[0]
    fast = blur.split("loop ", 2)[2].split("loop ", 1)[0]  # the unrolled loop
    loads = re.findall(r"f64\.load(?: offset=(\d+))?", fast)
    stores = re.findall(r"f64\.store(?: offset=(\d+))?", fast)
    copies = len(stores)
    assert copies == unroll.SMALL_COPIES
    # grid[i, j + 1] is 3 columns right of grid[i, j - 2], the lowest on its row
    assert [int(o or 0) for o in loads[2::5]] == [24 + 8 * k for k in range(copies)]
    assert [int(o or 0) for o in stores] == [8 * k for k in range(copies)]
    assert "i64.mul" not in fast
