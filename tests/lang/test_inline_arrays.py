"""Small helpers taking arrays are inlined (passes/inline.py) and still behave as CPython:
reads and writes land in the caller's array, two parameters naming one array alias, an
index out of range raises IndexError at the helper's line, and helpers nest."""

from __future__ import annotations

import re

import numpy as np
import pytest

from portalis.errors import WasmTrap
from portalis.lang import compile_source

from .conftest import Kernels, check, kernels_fixture

SOURCE = """\
from portalis.lang import Array, f64, i64


def at(xs: Array[f64], i: int) -> float:
    return xs[i]


def bump(xs: Array[f64], i: int, by: float) -> None:
    xs[i] = xs[i] + by


def move(src: Array[f64], dst: Array[f64], i: int) -> float:
    dst[i] = src[i] * 2.0
    return src[i] + dst[i]


def first_at_least(xs: Array[f64], limit: float) -> int:
    for k in range(len(xs)):
        if xs[k] >= limit:
            return k
    return -1


def cell(grid: Array[f64, 2], i: int, j: int) -> float:
    return grid[i, j] + at(grid[i], j)


def total(xs: Array[f64], idx: Array[i64], n: int) -> float:
    s = 0.0
    for k in range(n):
        bump(xs, idx[k], 1.5)
        s += at(xs, idx[k])
    return s


def aliased(xs: Array[f64], i: int) -> float:
    return move(xs, xs, i)


def separate(xs: Array[f64], ys: Array[f64], i: int) -> float:
    return move(xs, ys, i)


def search(xs: Array[f64], limit: float) -> int:
    return first_at_least(xs, limit)


def grid_sum(grid: Array[f64, 2]) -> float:
    s = 0.0
    for i in range(grid.shape[0]):
        for j in range(grid.shape[1]):
            s += cell(grid, i, j)
    return s


def row_at(grid: Array[f64, 2], i: int, j: int) -> float:
    return at(grid[i], j)
"""

AT_LINE = 5  # `return xs[i]` in `at`


pair = kernels_fixture(SOURCE, "inline_arrays.py")


def test_helpers_taking_arrays_are_inlined() -> None:
    """No call instruction to a small array helper is left where it is passed whole arrays
    (``at(grid[i], j)`` passes a row, a view: that call stays)."""
    wat = compile_source(SOURCE, "inline_arrays.py").wat
    bodies = dict(re.findall(r"\(func \$(\w+)(.*?)(?=\n  \(func |\Z)", wat, re.S))
    for caller in ("total", "aliased", "separate", "search"):
        assert "call $" not in bodies[caller], caller
    assert "call $cell" not in bodies["grid_sum"]
    assert "call $at" in bodies["row_at"]


def test_inlined_array_helpers_agree_with_cpython(pair: Kernels) -> None:
    rng = np.random.default_rng(7)
    for _ in range(20):
        xs = rng.normal(size=6)
        ys = rng.normal(size=6)
        i = int(rng.integers(-8, 8))
        for name, args in [
            ("aliased", (xs, i)),
            ("separate", (xs, ys, i)),
            ("search", (xs, float(rng.normal()))),
            ("total", (xs, rng.integers(-7, 7, size=4), 4)),
            ("grid_sum", (rng.normal(size=(3, 4)),)),
            ("row_at", (rng.normal(size=(3, 4)), int(rng.integers(-4, 4)), i)),
        ]:
            check(pair, name, *args)


def test_aliased_parameters_see_each_others_writes(pair: Kernels) -> None:
    py, wasm = pair
    xs = np.array([1.0, 2.0, 3.0])
    # move(xs, xs, 1): dst[1] = 4.0 overwrites src[1], so the result is 4.0 + 4.0.
    assert wasm.aliased(xs.copy(), 1) == py["aliased"](xs.copy(), 1) == 8.0


def test_index_error_in_an_inlined_helper_names_its_line(pair: Kernels) -> None:
    _, wasm = pair
    with pytest.raises(WasmTrap) as info:
        wasm.total(np.zeros(3), np.array([0, 5, 1, 2]), 4)
    assert info.value.python_exception == "IndexError"
    assert info.value.line == AT_LINE + 4  # bump's `xs[i] = xs[i] + by` fails first
