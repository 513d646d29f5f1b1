"""Assigning to a whole view (frontend/assign_views.py, backend/views.py): a number fills a
slice, a row or an array; an array of the same shape is copied in — overlapping views as
NumPy copies them, unequal extents a ValueError, as NumPy's — and the row swap through a
copy works (differential against CPython, Hypothesis)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portalis.errors import CompileError
from portalis.lang import compile_source

from .conftest import Kernels, check, kernels_fixture

SOURCE = """\
import numpy as np
from portalis.lang import Array, f64, i64


def fill(a: Array[f64], lo: int, hi: int, v: float) -> None:
    a[lo:hi] = v
    a[:1] = 7


def fill_rows(m: Array[i64, 2], i: int, lo: int, v: int) -> None:
    m[i] = v
    m[lo:] = -1
    m[i, lo:] = 3


def swap_rows(m: Array[f64, 2], k: int, p: int) -> None:
    tmp = m[k].copy()
    m[k] = m[p]
    m[p] = tmp


def shift(a: Array[f64], lo: int, hi: int, by: int) -> None:
    a[lo:hi] = a[lo + by : hi + by]


def relax(u: Array[f64, 2], sweeps: int) -> Array[f64, 2]:
    new = np.empty_like(u)
    new[:, :] = u
    w = u.copy()
    for _ in range(sweeps):
        for i in range(1, w.shape[0] - 1):
            for j in range(1, w.shape[1] - 1):
                new[i, j] = 0.25 * (w[i - 1, j] + w[i + 1, j] + w[i, j - 1] + w[i, j + 1])
        w[:, :] = new
    return w
"""


pair = kernels_fixture(SOURCE, "assign_views.py")


ints = st.integers(-9, 9)


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 8), ints, ints, ints, st.floats(-1e6, 1e6))
def test_view_assignment_matches_cpython(
    pair: Kernels, n: int, lo: int, hi: int, by: int, v: float
) -> None:
    a = np.linspace(-1.0, 2.0, n)
    m = np.arange(n * 3, dtype=np.int64).reshape(n, 3)
    check(pair, "fill", a, lo, hi, v)
    check(pair, "fill_rows", m, hi, lo, by)  # row out of range: IndexError, partial writes
    check(pair, "swap_rows", m.astype(np.float64), lo, hi)
    check(pair, "shift", a, lo, hi, by)  # overlapping; unequal lengths: ValueError in both
    check(pair, "relax", np.random.default_rng(n).random((n, 4)), 2)


def test_writes_flag_sees_view_assignment() -> None:
    abi = compile_source(SOURCE, "assign_views.py").abi
    writes = {
        (f.name, p.name): p.writes  # type: ignore[union-attr]
        for f in abi.functions
        for p in f.params
        if hasattr(p, "writes")
    }
    assert writes[("fill", "a")] and writes[("swap_rows", "m")]
    assert not writes[("relax", "u")]  # only read and copied


HEADER = "import numpy as np\nfrom portalis.lang import Array, f64, i64\n\n\n"
ERRORS = [
    ("def f(a: Array[f64], b: Array[i64]) -> None:\n    a[:] = b\n",
     "only arrays of the same element type and dimensions"),
    ("def f(m: Array[f64, 2], b: Array[f64]) -> None:\n    m[:, :] = b\n",
     "only arrays of the same element type and dimensions"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "words"), ERRORS)
def test_unsupported_view_assignments_are_located_errors(body: str, words: str) -> None:
    with pytest.raises(CompileError) as info:
        compile_source(HEADER + body, "k.py")
    assert words in str(info.value), str(info.value)
    assert info.value.line == 6
