"""Float → int conversions (``int(x)``, ``math.floor/ceil/trunc(x)``, ``round(x)``): CPython's
results and errors (NaN: ValueError; ±inf and anything outside int64: OverflowError, which
CPython's unbounded ints never raise, so those inputs are outside the compiled language's
ints and only the exception class is compared), with one test on the path a number inside
int64 takes; and where the value-range pass bounds the operand on both sides (a clamp
``min(max(x, 1.0), n - 2.0)``), the overflow test is left out and only NaN is checked
(backend/integers.py ``py_int``, backend/ranges.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portalis.lang import compile_source

from . import wat_shape
from .conftest import outcome, python_and_compiled, same

SOURCE = """\
import math

from portalis.lang import Array, f64


def to_int(x: float) -> int:
    return int(x)


def roundings(x: float) -> tuple[int, int, int, int]:
    return math.floor(x), math.ceil(x), math.trunc(x), round(x)


def clamped(f: Array[f64], x: float) -> int:
    n = f.shape[0]
    hi = n - 2.0
    y = min(max(x, 1.0), hi)
    return int(y) + math.floor(y) + round(y)


def clamped_by_a_number(f: Array[f64], x: float) -> int:
    n = f.shape[0]
    lo = float(n) - 10.0
    return int(min(max(lo, x), n + 0.0))


def bounded_by_a_float(f: Array[f64], x: float, hi: float) -> int:
    n = f.shape[0]
    return int(min(max(x, 1.0), hi)) + n


def nan_first(f: Array[f64], x: float) -> int:
    n = f.shape[0]
    return int(max(min(x, n - 1.0), -5.0))


def unbounded_above(f: Array[f64], x: float) -> int:
    n = f.shape[0]
    return int(max(x, n - 1.0))
"""

#: Values at and around the edges of int64 and of the clamps.
EDGES = [
    0.0,
    -0.0,
    0.5,
    -0.5,
    1.5,
    -2.5,
    2.0**53,
    2.0**62,
    2.0**63,
    -(2.0**63),
    math.nextafter(2.0**63, 0.0),
    math.nextafter(-(2.0**63), 0.0),
    math.nextafter(-(2.0**63), -math.inf),
    1e300,
    -1e300,
    math.inf,
    -math.inf,
    math.nan,
    -math.nan,
]


@pytest.fixture(scope="module")
def kernels():  # type: ignore[no-untyped-def]
    return python_and_compiled(SOURCE, "conversions.py")


def check(kernels, name: str, *args: object) -> None:  # type: ignore[no-untyped-def]
    """The same result, or the same exception: a result CPython gives outside int64 is
    OverflowError compiled."""
    py, wasm = kernels
    expected, got = outcome(py[name], *args), outcome(getattr(wasm, name), *args)
    values = expected[1] if isinstance(expected[1], tuple) else (expected[1],)
    if expected[0] == "ok" and not all(-(2**63) <= v < 2**63 for v in values):
        assert got[0] != "ok" and "OverflowError" in str(got[1]), (name, args, got)
        return
    assert expected[0] == got[0] and same(expected[1], got[1]), (name, args, expected, got)


def test_bounded_operands_check_only_nan() -> None:
    """The clamped conversions raise ValueError (NaN) but not OverflowError; the others keep
    the overflow test."""
    wat = compile_source(SOURCE, "conversions.py").wat
    for name in ("clamped", "clamped_by_a_number"):
        fn = wat_shape.function(wat, name)
        assert fn.raises("ValueError") and not fn.raises("OverflowError"), name
    for name in ("to_int", "roundings", "bounded_by_a_float", "nan_first", "unbounded_above"):
        assert wat_shape.function(wat, name).raises("OverflowError"), name


@pytest.mark.parametrize("x", EDGES)
def test_edges_match_cpython(kernels, x: float) -> None:  # type: ignore[no-untyped-def]
    check(kernels, "to_int", x)
    check(kernels, "roundings", x)
    for n in (0, 1, 2, 3, 7, 40):
        f = np.zeros(n)
        check(kernels, "clamped", f, x)
        check(kernels, "clamped_by_a_number", f, x)
        check(kernels, "nan_first", f, x)
        check(kernels, "unbounded_above", f, x)
        for hi in (5.0, 1e300, math.inf, math.nan):
            check(kernels, "bounded_by_a_float", f, x, hi)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(st.floats(), st.floats(-(2.0**64), 2.0**64), st.sampled_from(EDGES)),
    st.integers(0, 70),
    st.one_of(st.floats(), st.sampled_from(EDGES)),
)
def test_conversions_match_cpython(kernels, x: float, n: int, hi: float) -> None:  # type: ignore[no-untyped-def]
    f = np.zeros(n)
    check(kernels, "to_int", x)
    check(kernels, "roundings", x)
    check(kernels, "clamped", f, x)
    check(kernels, "clamped_by_a_number", f, x)
    check(kernels, "bounded_by_a_float", f, x, hi)
    check(kernels, "nan_first", f, x)
    check(kernels, "unbounded_above", f, x)
