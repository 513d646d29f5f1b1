"""Slices with a step (frontend/strided.py): ``a[lo:hi:step]``, ``a[::-1]``, ``m[::2]``,
slices of them, iteration, fills, copies and whole-view arithmetic through them give
CPython/NumPy's elements, lengths and errors (a zero step: ValueError) for any bounds and
steps, negative and out of range included (differential, Hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from .conftest import Kernels, check, kernels_fixture

SOURCE = """\
import numpy as np
from portalis.lang import Array, f64


def weighted(a: Array[f64], lo: int, hi: int, step: int) -> float:
    s = a[lo:hi:step]
    t = 0.0
    for k in range(len(s)):
        t += s[k] * (k + 1)
    return t + len(s) * 1000.0 + s.size * 10.0


def nested(a: Array[f64], lo: int, step: int, lo2: int, step2: int, k: int) -> float:
    s = a[lo::step][lo2::step2]
    return len(s) * 100.0 + s[k]


def reversed_sum(a: Array[f64]) -> float:
    t = 0.0
    for x in a[::-1]:
        t = t * 0.5 + x
    return t


def every(m: Array[f64, 2], step: int, i: int) -> float:
    r = m[::step]
    return r[i, 0] + r.shape[0] * 10.0


def fill(a: Array[f64], lo: int, step: int, v: float) -> None:
    a[lo::step] = v


def scaled(a: Array[f64], b: Array[f64], step: int) -> None:
    a[::step] -= 0.5 * b[1::step]
"""


pair = kernels_fixture(SOURCE, "strided.py")


@given(
    st.integers(0, 8),
    st.integers(-10, 10),
    st.integers(-10, 10),
    st.sampled_from([-3, -2, -1, 0, 1, 2, 4]),
    st.integers(-3, 3),
    st.sampled_from([-2, -1, 1, 3]),
    st.integers(-3, 3),
)
@settings(max_examples=80, deadline=None)
def test_stepped_views_match_cpython(
    pair: Kernels,
    n: int,
    lo: int,
    hi: int,
    step: int,
    lo2: int,
    step2: int,
    k: int,
) -> None:
    a = np.linspace(-2.0, 3.0, n)
    check(pair, "weighted", a, lo, hi, step, bits=True)
    check(pair, "nested", a, lo, step, lo2, step2, k, bits=True)
    check(pair, "reversed_sum", a, bits=True)
    check(pair, "every", np.arange(n * 2.0).reshape(n, 2), step, k, bits=True)
    check(pair, "fill", a, lo, step, 7.5, bits=True)
    check(pair, "scaled", a, np.linspace(1.0, 4.0, n), step, bits=True)
