"""Iteration forms: ``for x in a``, over rows of a 2-D array, ``enumerate`` (with a start),
``zip``, ``reversed`` of arrays and ranges, tuple targets, ``for``/``while`` … ``else`` —
differential against CPython on NumPy arrays (Hypothesis), and located errors for the forms
that stay unsupported."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portalis.errors import CompileError
from portalis.lang import compile_source

from .conftest import Kernels, check, kernels_fixture

SOURCE = """\
from portalis.lang import Array, f64, i64


def total(a: Array[f64]) -> float:
    s = 0.0
    for x in a:
        s += x
    return s


def weighted(a: Array[f64], w: Array[f64]) -> float:
    s = 0.0
    for x, y in zip(a, w):
        s += x * y
    return s


def enum(a: Array[f64], start: int) -> float:
    s = 0.0
    for i, x in enumerate(a, start):
        s += i * x
    for i, (x, y) in enumerate(zip(a, a)):
        s -= i * x * y
    return s


def backwards(a: Array[f64]) -> float:
    s = 0.0
    k = 1.0
    for x in reversed(a):
        s += x * k
        k *= 1.5
    for i in reversed(range(3, len(a))):
        s += i * a[i]
    for i in reversed(range(len(a))):
        if i == 2:
            break
        s -= a[i]
    return s


def rows(m: Array[f64, 2]) -> float:
    s = 0.0
    for row in m:
        for x in row:
            s = s * 0.5 + x
    for i, row in enumerate(m):
        row[0] = i * 1.0
    return s


def last(a: Array[i64], stop: int) -> int:
    x = -1
    for x in a:
        if x > stop:
            break
    return x


def find(a: Array[i64], target: int) -> int:
    for i, x in enumerate(a):
        if x == target:
            break
    else:
        return -1
    return i


def loop_else(n: int, t: int) -> int:
    k = 0
    c = 0
    while k < n:
        for j in range(3):
            if j == t % 4:
                break
        else:
            c += 100
        if k == t:
            break
        k += 1
    else:
        c += 1000
    return c + k


def third_row(m: Array[f64, 2]) -> float:
    s = 0.0
    for x in m[2]:
        s += x
    return s
"""


pair = kernels_fixture(SOURCE, "iteration.py")


@settings(max_examples=50, deadline=None)
@given(
    st.integers(0, 12),
    st.integers(0, 12),
    st.integers(-5, 5),
    st.integers(0, 2**32 - 1),
)
def test_iteration_matches_cpython(pair: Kernels, n: int, m: int, start: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    a, w = rng.standard_normal(n), rng.standard_normal(m)
    check(pair, "total", a)
    check(pair, "weighted", a, w)
    check(pair, "enum", a, start)
    check(pair, "backwards", a)
    check(pair, "rows", rng.standard_normal((n, 3)))
    check(pair, "last", rng.integers(0, 200, n), 150)
    check(pair, "third_row", rng.standard_normal((n, m)))  # IndexError when n < 3
    check(pair, "find", rng.integers(0, 5, n), start)
    check(pair, "loop_else", n, start + 3)


HEADER = "from portalis.lang import Array, f64\n\n\n"
ERRORS = [
    ("def f(a: Array[f64]) -> float:\n    for x in [1.0, 2.0]:\n        pass\n    return 0.0\n",
     "for loops iterate over range(...), arrays"),
    ("def f(a: Array[f64]) -> float:\n    for i, x in zip(range(3), a):\n        pass\n"
     "    return 0.0\n", "range() inside enumerate/zip"),
    ("def f(a: Array[f64]) -> float:\n    for i, x in reversed(enumerate(a)):\n        pass\n"
     "    return 0.0\n", "reversed() takes a range or an array"),
    ("def f(a: Array[f64]) -> float:\n    for x, y in enumerate(a):\n        pass\n"
     "    for x in zip(a, a):\n        pass\n    return 0.0\n", "unpack them into 2 names"),
    ("def f(a: Array[f64]) -> float:\n    for i in reversed(range(0, 9, 2)):\n        pass\n"
     "    return 0.0\n", "range(stop) or range(start, stop)"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "words"), ERRORS)
def test_unsupported_iteration_is_a_located_error(body: str, words: str) -> None:
    with pytest.raises(CompileError) as info:
        compile_source(HEADER + body, "k.py")
    assert words in str(info.value), str(info.value)
    assert info.value.line > 3
