"""Arrays made inside a function (``np.zeros/empty/ones/full`` and ``*_like``, run-time
sizes): same results as CPython with NumPy (differential, Hypothesis), NumPy's errors for
bad sizes, memory given back on every return (a loop of calls does not grow the module's
memory), and located errors for the forms that stay unsupported."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portalis.errors import CompileError
from portalis.lang import compile_source

from .conftest import Kernels, check, kernels_fixture, outcome

SOURCE = """\
import numpy as np
from portalis.lang import Array, f64


def prefix_sums(xs: Array[f64], out: Array[f64]) -> float:
    n = len(xs)
    acc = np.zeros(n + 1)
    for i in range(n):
        acc[i + 1] = acc[i] + xs[i]
    for i in range(len(out)):
        out[i] = acc[i]
    return acc[n]


def grid(n: int, m: int, v: float) -> float:
    g = np.full((n, m), v)
    ones = np.ones(m, dtype=np.int64)
    like = np.zeros_like(g)
    t = 0.0
    for i in range(n):
        for j in range(m):
            like[i, j] = g[i, j] * (i + j) + ones[j]
            t += like[i, j]
    return t


def doubled_sum(row: Array[f64]) -> float:
    tmp = np.empty(len(row))
    for i in range(len(row)):
        tmp[i] = row[i] * 2.0
    s = 0.0
    for x in tmp:
        s += x
    return s


def repeated(m: Array[f64, 2], k: int) -> float:
    s = 0.0
    for _ in range(k):
        for i in range(len(m)):
            s += doubled_sum(m[i])
    return s


def early(n: int) -> float:
    a = np.zeros(n)
    if n > 3:
        return 1.0
    b = np.ones(3)
    return a.size + b[0]


def first(n: int, m: int) -> float:
    a = np.zeros((n, m))
    return a[0, 0]
"""


pair = kernels_fixture(SOURCE, "local_arrays.py")


@settings(max_examples=40, deadline=None)
@given(st.integers(-2, 9), st.integers(-2, 9), st.floats(-1e6, 1e6), st.integers(0, 2**32 - 1))
def test_local_arrays_match_cpython(pair: Kernels, n: int, m: int, v: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    check(pair, "prefix_sums", rng.standard_normal(max(n, 0)), np.zeros(max(n, 0)))
    check(pair, "grid", n, m, v)  # negative sizes: ValueError in both
    check(pair, "repeated", rng.standard_normal((max(n, 0), max(m, 0))), 3)
    check(pair, "early", n)  # negative: ValueError
    check(pair, "first", n, m)  # empty: IndexError


def test_too_big_is_memory_error(pair: Kernels) -> None:
    _, wasm = pair
    assert outcome(wasm.first, 10**6, 10**6) == ("raise", "MemoryError")


def test_memory_is_given_back_on_return(pair: Kernels) -> None:
    """Thousands of calls that each make (and return) arrays leave the memory as it was
    after the first: every block is freed and reused."""
    _, wasm = pair
    m = np.ones((8, 1000))
    wasm.repeated(m, 1)
    wasm.early(5000)
    before = wasm.instance.memory.size
    for _ in range(50):
        wasm.repeated(m, 20)
        wasm.early(5000)
    assert wasm.instance.memory.size == before


HEADER = "import numpy as np\nfrom portalis.lang import Array, f64\n\n\n"
ERRORS = [
    ("def f(n: int) -> float:\n    for i in range(3):\n        a = np.zeros(n)\n    return 0.0\n",
     "created once, at the top level"),
    ("def f(n: int) -> float:\n    a = np.zeros(n)\n    a = np.zeros(n)\n    return 0.0\n",
     "created once"),
    ("def f(x: float) -> float:\n    a = np.zeros(x)\n    return 0.0\n", "dimensions are ints"),
    ("def f(n: int) -> float:\n    a = np.zeros(n, order='F')\n    return 0.0\n",
     "only shape, fill_value and dtype"),
    ("def f(n: int) -> float:\n    return np.zeros(n)[0]\n", "cannot be indexed"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "words"), ERRORS)
def test_unsupported_forms_are_located_errors(body: str, words: str) -> None:
    with pytest.raises(CompileError) as info:
        compile_source(HEADER + body, "k.py")
    assert words in str(info.value), str(info.value)
    assert info.value.line > 4
