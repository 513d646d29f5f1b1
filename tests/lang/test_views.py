"""Row views: ``row = a[i]`` of a 2-D (or deeper) array names its row in place, as NumPy's
``a[i]`` does; ``f(m[i])`` passes a row where a 1-D array is expected. Reads and writes
through views, extents, negative indices and IndexError agree with CPython on NumPy arrays
(differential, Hypothesis), and the unsupported forms are located errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portalis.errors import CompileError
from portalis.lang import compile_source

from .conftest import Kernels, check, kernels_fixture

SOURCE = """\
from portalis.lang import Array, f64, i64, zeros

GRID = zeros((4, 3))


def row_sum(row: Array[f64]) -> float:
    s = 0.0
    for j in range(len(row)):
        s += row[j]
    return s


def total(m: Array[f64, 2]) -> float:
    t = 0.0
    for i in range(m.shape[0]):
        t += row_sum(m[i])
    return t


def scale_rows(m: Array[f64, 2], k: float) -> None:
    for i in range(len(m)):
        row = m[i]
        for j in range(len(row)):
            row[j] *= k
        row[0] += 1.0


def swap_rows(m: Array[f64, 2], a: int, b: int) -> float:
    ra = m[a]
    rb = m[b]
    t = 0.0
    for j in range(len(ra)):
        x = ra[j]
        ra[j] = rb[j]
        rb[j] = x
        t += ra[j] * 2.0
    return t


def plane_facts(t: Array[f64, 3], i: int) -> float:
    plane = t[i]
    r = plane[1]
    return r[0] + plane[0, 1] + plane.shape[0] + plane.size + len(r) + r[-1]


def moving_row(m: Array[i64, 2], i: int, j: int) -> int:
    r = m[i]
    i = j  # the view keeps the row it was made from, as in Python
    s = r[0]
    r = m[i]
    return s * 1000 + r[0]


def state_rows(v: float) -> float:
    for i in range(4):
        r = GRID[i]
        r[i % 3] = v * i
    return row_sum(GRID[2]) + GRID[-1][0]
"""


pair = kernels_fixture(SOURCE, "views.py")


shapes = st.tuples(st.integers(1, 6), st.integers(1, 6))
finite = st.floats(-1e6, 1e6)


@settings(max_examples=40, deadline=None)
@given(shapes, st.integers(-8, 8), st.integers(-8, 8), finite, st.integers(0, 2**32 - 1))
def test_views_match_cpython(
    pair: Kernels, shape: tuple[int, int], a: int, b: int, k: float, seed: int
) -> None:
    m = np.random.default_rng(seed).standard_normal(shape)
    check(pair, "total", m)
    check(pair, "scale_rows", m, k)
    check(pair, "swap_rows", m, a, b)  # out-of-range rows raise IndexError in both
    check(pair, "moving_row", np.arange(shape[0] * shape[1]).reshape(shape), a, b)
    t = np.random.default_rng(seed).standard_normal((3, *shape))
    check(pair, "plane_facts", t, a)
    check(pair, "state_rows", k)


def test_view_index_error_names_the_line_that_made_the_view(pair: Kernels) -> None:
    from portalis.errors import WasmTrap

    _, wasm = pair
    with pytest.raises(WasmTrap) as info:
        wasm.swap_rows(np.zeros((2, 3)), 5, 0)
    assert info.value.python_exception == "IndexError"
    assert info.value.line == SOURCE.splitlines().index("    ra = m[a]") + 1


def test_a_row_in_an_innermost_loop_is_addressed_like_the_array() -> None:
    """``row[j]`` in ``for j in range(len(row))`` needs no per-access bounds check: the
    row's index was checked when the view was made, ``j`` is proven by the range."""
    from . import wat_shape

    fn = wat_shape.function(compile_source(SOURCE, "views.py").wat, "scale_rows")
    (inner,) = [loop for loop in fn.loops() if not loop.loops()[1:]][-1:]
    assert not inner.raises("IndexError")


HEADER = "from portalis.lang import Array, f64\n\n\n"
ERRORS = [
    (  # used as a value: explain partial indexing
        "def f(m: Array[f64, 2]) -> float:\n    return m[0]\n",
        "a 1-D view (a partial index of a 2-D array: index all of them for a number)",
    ),
    (
        "def f(m: Array[f64, 2], v: Array[f64]) -> float:\n    r = m[0]\n    r = v\n"
        "    return r[0]\n",
        "a name stays a view of one array",
    ),
    (
        "def f(m: Array[f64, 2]) -> float:\n    r = m[0]\n    r = 1.0\n    return r\n",
        "names an array view and cannot hold a number",
    ),
    (
        "def g(m: Array[f64, 2]) -> float:\n    return m[0, 0]\n\n\n"
        "def f(t: Array[f64, 2]) -> float:\n    return g(t[0])\n",
        "must be Array[f64, 2], got Array[f64, 1]",
    ),
    ("def f(m: Array[f64, 2]) -> float:\n    r = m[:, ::2]\n    return 0.0\n", "strided"),
]


@pytest.mark.parametrize(("body", "words"), ERRORS)
def test_unsupported_view_forms_are_located_errors(body: str, words: str) -> None:
    with pytest.raises(CompileError) as info:
        compile_source(HEADER + body, "k.py")
    assert words in str(info.value) + info.value.hint, str(info.value)
    assert info.value.line > 3
