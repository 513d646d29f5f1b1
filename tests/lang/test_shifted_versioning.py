"""Loop versioning for indices shifted by values unchanged in the loop (``x[start + k +
half]``, an FFT butterfly's): one guard before the loop stands in for their bounds checks,
and whichever version runs, results, exceptions (IndexError at its line) and the writes
made before them are CPython's — also for shifts near the int64 limits, where the guard's
own arithmetic must not wrap."""

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


def butterflies(x: Array[f64], start: int, half: int) -> float:
    s = 0.0
    for k in range(half):
        a = x[start + k]
        b = x[start + k + half]
        x[start + k + half] = a - b
        x[start + k] = a + b
        s += b
    return s


def shifted_down(x: Array[f64], out: Array[f64], lo: int, n: int, off: int) -> None:
    for k in range(lo, n):
        out[k - off] = x[2 + k - off] * 0.5
"""


@pytest.fixture(scope="module")
def kernels():  # type: ignore[no-untyped-def]
    return python_and_compiled(SOURCE, "shifted.py")


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 12), st.integers(-14, 14), st.integers(-3, 9))
def test_butterflies_match_cpython(kernels, n: int, start: int, half: int) -> None:  # type: ignore[no-untyped-def]
    """In range, past the end, negative shifts counting from the end: CPython's outcome."""
    check(kernels, "butterflies", np.arange(1.0, n + 1.0), start, half)


@settings(max_examples=150, deadline=None)
@given(
    st.integers(0, 9),
    st.integers(0, 9),
    st.integers(-3, 12),
    st.integers(-3, 14),
    st.integers(-6, 6),
)
def test_subtracted_shift_matches_cpython(  # type: ignore[no-untyped-def]
    kernels, n_x: int, n_out: int, lo: int, n: int, off: int
) -> None:
    check(kernels, "shifted_down", np.arange(1.0, n_x + 1.0), np.zeros(n_out), lo, n, off)


@pytest.mark.parametrize(
    "start", [2**62, -(2**62), 2**63 - 1, -(2**63), 2**40, -(2**40), 2**40 + 1]
)
def test_shifts_near_the_int64_limits(kernels, start: int) -> None:  # type: ignore[no-untyped-def]
    """Huge shifts: int64 wraps in the index as in the guard; neither may let an access
    outside the array through (the guard tests the shift's size first)."""
    for half in (1, 3):
        check(kernels, "butterflies", np.arange(1.0, 9.0), start, half)
        if -(2**63) <= -start + half < 2**63:  # start + half wraps to near 0 or half
            check(kernels, "butterflies", np.arange(1.0, 9.0), start, -start + half)


def test_guarded_copy_checks_no_index() -> None:
    """One guard before the loop; the unrolled copy that runs when it holds raises no
    IndexError, the plain copy kept for when it fails still does."""
    fn = wat_shape.function(compile_source(SOURCE, "shifted.py").wat, "butterflies")
    (guard,) = [s for s in fn.body if isinstance(s, wat_shape.Structure) and s.kind == "if"]
    fast = wat_shape.Structure("then", body=guard.body)
    slow = wat_shape.Structure("else", body=guard.orelse)
    assert fast.loops() and not fast.raises("IndexError")
    assert slow.raises("IndexError")
