"""An access needing no check whose last index is ``x + c`` (``c > 0``) with ``x >= 0`` known
(backend/ranges.py) is addressed as the element ``c`` before it, with ``c`` elements in the
load's or store's offset (backend/bounds.py): the neighbours ``f[a, b, c]`` and
``f[a, b, c + 1]`` of a trilinear sample then share one address. Where ``x`` may be
negative, or the index needs its check, the address is computed in full; the results are
CPython's either way. A checked index ``x + c`` with ``x >= 0`` known is checked as it is,
then addressed the same way: ``sums[3 * v + 1] += …`` (its load and its store) and
``sums[3 * v]`` share one address."""

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
from portalis.lang import Array, f64, i64


def sample(f: Array[f64, 3], out: Array[f64, 3], x: float) -> float:
    nx = f.shape[0]
    ny = f.shape[1]
    nz = f.shape[2]
    assert out.shape[0] == nx and out.shape[1] == ny and out.shape[2] == nz
    total = 0.0
    for i in range(1, nx - 1):
        for j in range(1, ny - 1):
            for k in range(1, nz - 1):
                z = min(max(k - x * f[i, j, k], 1.0), nz - 2.0)
                c = min(int(z), nz - 3)
                t = z - c
                v = f[i, j, c] + (f[i, j, c + 1] - f[i, j, c]) * t
                v += f[i - 1, j + 1, c + 2] * 0.25
                out[i, j, c + 1] = v
                total += v
    return total


def flat(f: Array[f64], out: Array[f64]) -> float:
    n = f.shape[0]
    assert out.shape[0] == n
    t = 0.0
    for i in range(n - 3):
        t += f[i + 3] - f[i + 1]
        out[i + 2] = t
    return t


def from_minus_one(f: Array[f64], k0: int) -> float:
    assert len(f) >= 2
    n = f.shape[0]
    x = min(max(k0, -1), n - 2)
    return f[x + 1]


def checked(f: Array[f64, 2], j: int) -> float:
    return f[1, j + 1] + f[0, j + 2]


def interleaved(sums: Array[f64], xs: Array[f64], ids: Array[i64]) -> float:
    t = 0.0
    for i in range(len(ids)):
        v = ids[i]
        if v < 0:
            continue
        sums[3 * v] += xs[i]
        sums[3 * v + 1] += 2.0 * xs[i]
        t += sums[3 * v + 1]
        sums[3 * v + 2] = sums[3 * v + 2] - 1.0
    return t
"""


@pytest.fixture(scope="module")
def kernels():  # type: ignore[no-untyped-def]
    return python_and_compiled(SOURCE, "offsets.py")


def _body(wat: str, name: str) -> str:
    return wat.split(f"(func ${name} ", 1)[1].split("\n  (func ", 1)[0]


def test_offsets_in_the_instruction() -> None:
    """``c + 1`` and ``c + 2`` with ``c >= 0`` become offsets 8 and 16 of ``c``'s address
    (loads and the store); ``x + 1`` in range with ``x = -1`` possible, and checked indices,
    do not."""
    wat = compile_source(SOURCE, "offsets.py").wat
    assert not wat_shape.function(wat, "from_minus_one").raises("IndexError")  # in range
    sample = _body(wat, "sample")
    assert "f64.load offset=8" in sample and "f64.load offset=16" in sample
    assert "f64.store offset=8" in sample
    assert "offset=16" in _body(wat, "flat") and "offset=24" in _body(wat, "flat")
    assert "offset=" not in _body(wat, "from_minus_one")
    assert "offset=" not in _body(wat, "checked")


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 7),
    st.integers(1, 7),
    st.integers(1, 7),
    st.sampled_from([0.0, 0.4, 1.0, 3.5, -2.0, 60.0, math.inf, math.nan]),
    st.integers(0, 2**32 - 1),
)
def test_sample_matches_cpython(kernels, nx: int, ny: int, nz: int, x: float, seed: int) -> None:  # type: ignore[no-untyped-def]
    f = np.random.default_rng(seed).standard_normal((nx, ny, nz))
    check(kernels, "sample", f, np.zeros((nx, ny, nz)), x)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 12), st.integers(0, 2**32 - 1))
def test_flat_and_shifted_match_cpython(kernels, n: int, seed: int) -> None:  # type: ignore[no-untyped-def]
    f = np.random.default_rng(seed).standard_normal(n)
    check(kernels, "flat", f, np.zeros(n))
    check(kernels, "flat", f, np.zeros(n + 1))  # AssertionError
    for k0 in (-7, -1, 0, 1, n - 2, n, 40):
        check(kernels, "from_minus_one", f, k0)


@pytest.mark.parametrize("j", [-5, -3, -2, -1, 0, 1, 2, 3])
def test_checked_matches_cpython(kernels, j: int) -> None:  # type: ignore[no-untyped-def]
    f = np.arange(8.0).reshape(2, 4)
    check(kernels, "checked", f, j)


def test_checked_offsets_share_an_address() -> None:
    body = _body(compile_source(SOURCE, "offsets.py").wat, "interleaved")
    assert "f64.store offset=8" in body and "f64.store offset=16" in body
    assert "f64.load offset=16" in body
    assert wat_shape.function(compile_source(SOURCE, "offsets.py").wat, "interleaved").raises(
        "IndexError"
    )


@settings(max_examples=80, deadline=None)
@given(
    st.integers(0, 14),
    st.lists(st.integers(-6, 6), max_size=8),
    st.integers(0, 2**32 - 1),
)
def test_interleaved_matches_cpython(kernels, n: int, ids: list[int], seed: int) -> None:  # type: ignore[no-untyped-def]
    """Out of range at the first, second or third element of a triple (the writes before
    the IndexError are CPython's too), and in range."""
    xs = np.random.default_rng(seed).standard_normal(len(ids))
    check(kernels, "interleaved", np.zeros(n), xs, np.array(ids, dtype=np.int64))
