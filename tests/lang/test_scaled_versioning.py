"""Loop versioning for indices that are a constant multiple of the loop variable plus a
constant (``sums[3 * v + 2]``: interleaved x, y, z): one guard before the loop stands in for
their bounds checks, and whichever version runs, results, exceptions (IndexError at its
line) and the writes made before them are CPython's — negative indices counting from the
end, loops starting or ending past the array, and bounds near the int64 limits, where the
guard's own products must not wrap."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portalis.lang import compile_source

from . import wat_shape
from .conftest import check, python_and_compiled

SOURCE = """\
from portalis.lang import Array, f64


def scale_points(xyz: Array[f64], lo: int, n: int, s: float) -> float:
    total = 0.0
    for v in range(lo, n):
        xyz[3 * v] *= s
        xyz[3 * v + 1] *= s
        total += xyz[3 * v + 2] - xyz[v * 3 - 1]
    return total


def every_other(a: Array[f64], out: Array[f64], lo: int, n: int) -> None:
    for k in range(lo, n, 2):
        out[k] = a[4 * k - 3] + a[4 * k + 5]
"""


@pytest.fixture(scope="module")
def kernels():  # type: ignore[no-untyped-def]
    return python_and_compiled(SOURCE, "scaled.py")


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 30), st.integers(-12, 12), st.integers(-12, 14))
def test_interleaved_points_match_cpython(kernels, size: int, lo: int, n: int) -> None:  # type: ignore[no-untyped-def]
    check(kernels, "scale_points", np.arange(1.0, size + 1.0), lo, n, 0.5)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 40), st.integers(0, 12), st.integers(-6, 12), st.integers(-6, 14))
def test_strided_step_matches_cpython(  # type: ignore[no-untyped-def]
    kernels, size: int, n_out: int, lo: int, n: int
) -> None:
    check(kernels, "every_other", np.arange(1.0, size + 1.0), np.zeros(n_out), lo, n)


@pytest.mark.parametrize(
    ("lo", "n"),
    [
        (0, 2**62),  # runs until v = 3 is past the end: IndexError there, writes before it
        (0, 2**63 - 1),
        (2, 2**40 + 1),
        (-(2**61), 2),  # far below: IndexError at once
        (2**61 - 3, 2**61),
        (-(2**40) - 1, -(2**40) + 2),
        (2**40, 2**40 + 2),
    ],
)
def test_bounds_near_the_int64_limits(kernels, lo: int, n: int) -> None:  # type: ignore[no-untyped-def]
    """Huge bounds, whose products with 3 would wrap int64 in the guard were it not to test
    the loop's bounds first: no access outside the array gets through. (Indices past
    int64 themselves differ from CPython by design: docs/language.md.)"""
    check(kernels, "scale_points", np.arange(1.0, 10.0), lo, n, 2.0)
    check(kernels, "every_other", np.arange(1.0, 30.0), np.zeros(8), lo, n)


def test_guarded_copy_checks_no_index() -> None:
    """One guard before the loop; the copy that runs when it holds raises no IndexError,
    the plain copy kept for when it fails still does."""
    fn = wat_shape.function(compile_source(SOURCE, "scaled.py").wat, "scale_points")
    (guard,) = [s for s in fn.body if isinstance(s, wat_shape.Structure) and s.kind == "if"]
    fast = wat_shape.Structure("then", body=guard.body)
    slow = wat_shape.Structure("else", body=guard.orelse)
    assert fast.loops() and not fast.raises("IndexError")
    assert slow.raises("IndexError")
