"""Indices the code keeps in range by its own arithmetic (backend/ranges.py) are emitted
without the negative-index fix-up or the bounds check — and where the arithmetic does not
keep them in range, the checks stay and CPython's answer (wrap-around, IndexError) comes
out, bit for bit."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portalis.lang import compile_source

from . import wat_shape
from .conftest import check, python_and_compiled

SOURCE = """\
from portalis.lang import Array, f64


def gather(f: Array[f64, 3], out: Array[f64, 3], u: Array[f64, 3], s: float) -> float:
    nx = f.shape[0]
    ny = f.shape[1]
    nz = f.shape[2]
    assert out.shape[0] == nx and out.shape[1] == ny and out.shape[2] == nz
    assert u.shape[0] == nx and u.shape[1] == ny and u.shape[2] == nz
    hi_x = nx - 2.0
    hi_y = ny - 2.0
    hi_z = nz - 2.0
    total = 0.0
    for i in range(1, nx - 1):
        for j in range(1, ny - 1):
            for k in range(1, nz - 1):
                x = i - s * u[i, j, k]
                y = j + s * u[i, j, k]
                z = k - 0.5 * s * u[i, j, k]
                x = min(max(x, 1.0), hi_x)
                y = min(max(y, 1.0), hi_y)
                z = min(max(z, 1.0), hi_z)
                a = min(int(x), nx - 3)
                b = min(int(y), ny - 3)
                c = min(int(z), nz - 3)
                tx = x - a
                v = f[a, b, c] * (1.0 - tx) + f[a + 1, b, c] * tx
                v += f[a, b + 1, c + 1] + f[a + 1, b + 1, c + 1]
                out[a, b, c] += v
                out[a + 1, b + 1, c + 1] += tx
                total += v
    return total


def unclamped(f: Array[f64], x: float) -> float:
    n = f.shape[0]
    a = min(int(max(x, 1.0)), n - 3)
    return f[a] + f[a + 1]


def unasserted(f: Array[f64, 2], out: Array[f64, 2]) -> None:
    n = f.shape[0]
    for i in range(1, n - 1):
        for j in range(f.shape[1]):
            out[i + 1, j] = f[i + 1, j]


def joined(f: Array[f64], x: float, flag: bool) -> float:
    n = f.shape[0]
    a = 0
    for i in range(2, n):
        if flag:
            a = min(int(max(x, 0.0)), n - 1)
        else:
            a = i - 3
    return f[a]


def red_black(p: Array[f64, 3], colour: int) -> float:
    nx = p.shape[0]
    ny = p.shape[1]
    nz = p.shape[2]
    t = 0.0
    for i in range(1, nx - 1):
        for j in range(1, ny - 1):
            first = 1 + (i + j + colour) % 2
            for k in range(first, nz - 1, 2):
                t += p[i - 1, j, k] - p[i + 1, j - 1, k] + p[i, j + 1, k - 1] * p[i, j, k + 1]
                p[i, j, k] = t * 0.5
    return t


def rebound(f: Array[f64]) -> float:
    t = 0.0
    for i in range(1, f.shape[0]):
        i = i - 2
        t += f[i]
    return t
"""


@pytest.fixture(scope="module")
def kernels():  # type: ignore[no-untyped-def]
    return python_and_compiled(SOURCE, "ranges.py")


def test_clamped_indices_need_no_checks() -> None:
    """Every index of the gather (and of a red-black sweep) is proven in range: no
    IndexError and no negative-index fix-up anywhere."""
    wat = compile_source(SOURCE, "ranges.py").wat
    gather = wat_shape.function(wat, "gather")
    assert not gather.raises("IndexError")
    assert not wat_shape.function(wat, "red_black").raises("IndexError")
    assert wat_shape.fix_ups(gather) == 0


def test_unproven_indices_keep_their_checks() -> None:
    """Outside a loop ``n - 3`` may be negative; without the assert ``out`` may be smaller;
    a join or a rebound loop variable may go below zero: those keep their checks."""
    wat = compile_source(SOURCE, "ranges.py").wat
    for name in ("unclamped", "unasserted", "joined", "rebound"):
        assert wat_shape.function(wat, name).raises("IndexError"), name


@settings(max_examples=80, deadline=None)
@given(
    st.integers(1, 6),
    st.integers(1, 6),
    st.integers(1, 6),
    st.sampled_from([0.0, 0.3, 1.0, 2.5, 40.0, -7.0, math.inf, math.nan]),
    st.integers(0, 2**32 - 1),
)
def test_gather_matches_cpython(kernels, nx: int, ny: int, nz: int, s: float, seed: int) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    f = rng.standard_normal((nx, ny, nz))
    u = rng.standard_normal((nx, ny, nz)) * 3.0
    check(kernels, "gather", f, np.zeros((nx, ny, nz)), u, s)
    check(kernels, "gather", f, np.zeros((nx, ny, nz + 1)), u, s)  # AssertionError


@pytest.mark.parametrize("shape", [(1, 1, 1), (3, 3, 3), (3, 4, 5), (5, 6, 3), (6, 7, 8)])
def test_red_black_matches_cpython(kernels, shape: tuple[int, int, int]) -> None:  # type: ignore[no-untyped-def]
    """``first = 1 + (…) % 2`` is 1 or 2, so ``k - 1`` is never negative."""
    p = np.random.default_rng(len(shape)).standard_normal(shape)
    for colour in (0, 1, -3):
        check(kernels, "red_black", p, colour)


@pytest.mark.parametrize("n", [1, 2, 3, 4, 7])
def test_unproven_indices_match_cpython(kernels, n: int) -> None:  # type: ignore[no-untyped-def]
    f = np.arange(float(n)) + 0.5
    for x in (-3.0, 0.0, 1.5, 2.0, 9.0, math.nan, math.inf):
        check(kernels, "unclamped", f, x)
        for flag in (True, False):
            check(kernels, "joined", f, x, flag)
    check(kernels, "rebound", f)
    g = np.arange(float(n * 3)).reshape(n, 3)
    check(kernels, "unasserted", g, np.zeros((n, 3)))
    check(kernels, "unasserted", g, np.zeros((max(n - 1, 0), 3)))  # IndexError at the end
