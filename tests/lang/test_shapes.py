"""``n, m = a.shape``, ``np.zeros(a.shape)``, ``a.ndim`` (and ``a.shape[k]``, ``a.size``
of arrays and views) give CPython's numbers; a shape used whole elsewhere is a located
error."""

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


def facts(t: Array[i64, 3], i: int) -> tuple[int, int, int, int, int]:
    d0, d1, d2 = t.shape
    plane = t[i]
    r, c = plane.shape
    z = np.zeros(plane.shape)
    return d0 * 100 + d1 * 10 + d2, t.ndim * 10 + plane.ndim, r * c, z.size, t[i, 0].ndim
"""


pair = kernels_fixture(SOURCE, "shapes.py")


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 5), st.integers(0, 5), st.integers(0, 5), st.integers(-7, 6))
def test_shapes_match_cpython(pair: Kernels, n: int, m: int, p: int, i: int) -> None:
    py, wasm = pair
    rng = np.random.default_rng(n * 36 + m * 6 + p)
    a, b = rng.standard_normal((n, m)), rng.standard_normal((m, p))
    np.testing.assert_array_equal(wasm.matmul(a, b), py["matmul"](a, b))
    t = np.arange(n * m * p, dtype=np.int64).reshape(n, m, p)
    check(pair, "facts", t, i)


HEADER = "import numpy as np\nfrom portalis.lang import Array, f64\n\n\n"
ERRORS = [
    ("def f(a: Array[f64]) -> int:\n    n, m = a.shape\n    return n\n",
     "cannot unpack 1 values into 2 targets"),
    ("def f(a: Array[f64, 2]) -> int:\n    s = a.shape\n    return 0\n",
     "is a tuple of extents: unpack it"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "words"), ERRORS)
def test_shape_misuse_is_a_located_error(body: str, words: str) -> None:
    with pytest.raises(CompileError) as info:
        compile_source(HEADER + body, "k.py")
    assert words in str(info.value), str(info.value)
    assert info.value.line == 6
