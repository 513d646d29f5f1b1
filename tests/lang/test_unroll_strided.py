"""A small innermost loop stepping by more than 1 (a red-black sweep) runs unroll.STRIDED_COPIES
bodies per back-edge (backend/unroll.py); the copies run exactly the iterations the loop
would: every start, stop and step, a ``break`` or ``continue`` in any copy and an IndexError
at any iteration give CPython's results, writes and errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portalis.lang import compile_source
from portalis.lang.backend import unroll

from . import wat_shape
from .conftest import check, python_and_compiled

SOURCE = """\
from portalis.lang import Array, f64


def sweep(p: Array[f64, 2], b: Array[f64, 2], colour: int, omega: float) -> float:
    n = p.shape[0]
    m = p.shape[1]
    assert b.shape[0] == n and b.shape[1] == m
    total = 0.0
    for i in range(1, n - 1):
        first = 1 + (i + colour) % 2
        for k in range(first, m - 1, 2):
            here = p[i, k]
            around = p[i - 1, k] + p[i + 1, k] + p[i, k - 1] + p[i, k + 1]
            p[i, k] = here + omega * ((around - b[i, k]) * 0.25 - here)
            total += p[i, k]
    return total


def stepped(f: Array[f64], start: int, stop: int, step: int, cut: float) -> float:
    t = 0.0
    for k in range(start, stop, 3):
        if f[k] < -1.5:
            continue
        if f[k] > cut:
            break
        t += f[k] * 0.5 + step
    return t
"""


@pytest.fixture(scope="module")
def kernels():  # type: ignore[no-untyped-def]
    return python_and_compiled(SOURCE, "strided.py")


def test_strided_loops_run_eight_bodies_per_back_edge() -> None:
    wat = compile_source(SOURCE, "strided.py").wat
    for name in ("sweep", "stepped"):
        loops = wat_shape.function(wat, name).loops()
        assert max(loop.bodies_per_back_edge() for loop in loops) == unroll.STRIDED_COPIES == 8


@settings(max_examples=60, deadline=None)
@given(
    st.integers(0, 6),
    st.integers(0, 24),
    st.integers(-3, 3),
    st.sampled_from([1.0, 1.5, 0.7]),
    st.integers(0, 2**32 - 1),
)
def test_sweep_matches_cpython(kernels, n: int, m: int, c: int, omega: float, seed: int) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    p = rng.standard_normal((n, m))
    check(kernels, "sweep", p, rng.standard_normal((n, m)), c, omega)


@settings(max_examples=80, deadline=None)
@given(
    st.integers(0, 30),
    st.integers(-35, 5),
    st.integers(-5, 40),
    st.sampled_from([0.5, 1.0, 1e9]),
    st.integers(0, 2**32 - 1),
)
def test_stepped_matches_cpython(kernels, n: int, lo: int, hi: int, cut: float, s: int) -> None:  # type: ignore[no-untyped-def]
    f = np.random.default_rng(s).standard_normal(n)
    check(kernels, "stepped", f, lo, hi, 2, cut)  # IndexError past either end
