"""Float ``/``, ``//``, ``%`` and ``**`` follow the operands' types as CPython does
(frontend/numpy_floats.py, frontend/provenance.py): on a NumPy value (an array element,
arithmetic on one) NumPy's IEEE results — ±inf, nan, signed zeros — and on Python floats
ZeroDivisionError/OverflowError. Differential: the same source under CPython with NumPy."""

from __future__ import annotations

import math
import struct
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .conftest import outcome, python_and_compiled

SOURCE = """\
import math

from portalis.lang import Array, f64, i64


def numpy_ops(a: Array[f64], x: float, y: float, out: Array[f64]) -> None:
    out[0] = a[0] / a[1]
    out[1] = x / a[1]
    out[2] = a[0] // a[1]
    out[3] = a[0] % a[1]
    out[4] = x // a[1]
    out[5] = a[0] % y
    q = a[0]
    q /= y
    out[6] = q
    d = a[0] - a[1]
    out[7] = 1.0 / d
    out[8] = a[0] ** a[1]
    out[9] = a[0] ** 2
    out[10] = a[0] ** 3
    out[11] = a[0] ** -1.5
    out[12] = abs(a[0]) / y
    out[13] = x ** a[1]
    m = a[0]
    m //= y
    out[14] = m
    for v in a:
        out[15] = v / y


def numpy_ints(b: Array[i64]) -> float:
    return b[0] / b[1]


def mean(a: Array[f64], n: int) -> float:
    s = 0.0
    for i in range(n):
        s += a[i]
    return s / a[n]


def python_div(x: float, y: float) -> float:
    return x / y


def python_floordiv(x: float, y: float) -> float:
    return x // y


def python_mod(x: float, y: float) -> float:
    r = x
    r %= y
    return r


def python_pow(x: float, y: float) -> float:
    return x**y


def python_square(x: float) -> float:
    return x**2


def python_from_array(a: Array[f64], y: float) -> float:
    return float(a[0]) / y + math.sqrt(math.fabs(a[1])) / y
"""

SPECIAL = st.sampled_from([0.0, -0.0, math.inf, -math.inf, math.nan, 1.0, -1.0, 2.0, 0.5])
FLOATS = (
    SPECIAL
    | st.floats(-1e3, 1e3)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from([1e155, -1e160, 1e300, 5e-324])
)


def _same(a: float, b: float) -> bool:
    """Equal as doubles: the same bits (so ±0 differ), every nan equal to every nan."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return struct.pack("<d", a) == struct.pack("<d", b)


def _same_outcome(expected: Any, got: Any) -> bool:
    if expected[0] != got[0] or expected[0] == "raise":
        return bool(expected == got)
    return _same(float(expected[1]), float(got[1]))


@pytest.fixture(scope="module")
def pair() -> tuple[dict[str, Any], Any]:
    return python_and_compiled(SOURCE, "numpy_floats.py")


@settings(max_examples=150, deadline=None)
@given(FLOATS, FLOATS, FLOATS, FLOATS)
def test_numpy_values_give_numpys_results(
    pair: tuple[dict[str, Any], Any], a0: float, a1: float, x: float, y: float
) -> None:
    py, wasm = pair
    a = np.array([a0, a1], np.float64)
    out_py, out_wasm = np.zeros(16), np.zeros(16)
    with np.errstate(all="ignore"):
        py["numpy_ops"](a, x, y, out_py)
    wasm.numpy_ops(a, x, y, out_wasm)
    for i, (e, g) in enumerate(zip(out_py.tolist(), out_wasm.tolist(), strict=True)):
        assert _same(e, g), f"out[{i}] for a={a.tolist()}, x={x!r}, y={y!r}: {e!r} != {g!r}"


@settings(max_examples=120, deadline=None)
@given(FLOATS, FLOATS)
def test_python_floats_raise_as_cpython(
    pair: tuple[dict[str, Any], Any], x: float, y: float
) -> None:
    py, wasm = pair
    for name in ("python_div", "python_floordiv", "python_mod", "python_pow", "python_square"):
        args = (x,) if name == "python_square" else (x, y)
        if name == "python_pow" and x < 0 and math.isfinite(y) and y != int(y):
            continue  # complex under CPython: kernels raise ValueError (docs/language.md)
        expected, got = outcome(py[name], *args), outcome(getattr(wasm, name), *args)
        assert _same_outcome(expected, got), f"{name}{args}: CPython {expected}, compiled {got}"
    a = np.array([x, y], np.float64)
    expected = outcome(py["python_from_array"], a, y)
    got = outcome(wasm.python_from_array, a, y)
    assert _same_outcome(expected, got), f"python_from_array({x!r}, {y!r}): {expected} {got}"


@pytest.mark.parametrize(("b0", "b1"), [(1, 0), (-3, 0), (0, 0), (7, 2)])
def test_numpy_int_true_division(pair: tuple[dict[str, Any], Any], b0: int, b1: int) -> None:
    py, wasm = pair
    b = np.array([b0, b1], np.int64)
    with np.errstate(all="ignore"):
        expected = py["numpy_ints"](b)
    assert _same(float(expected), wasm.numpy_ints(b))


def test_an_accumulator_of_array_values_divides_as_numpy(
    pair: tuple[dict[str, Any], Any],
) -> None:
    """``s = 0.0; s += a[i]`` holds a NumPy value once the loop ran: NumPy's rule."""
    py, wasm = pair
    a = np.array([1.5, -1.5, 0.0])
    with np.errstate(all="ignore"):
        expected = py["mean"](a, 2)
    assert math.isnan(expected) and math.isnan(wasm.mean(a, 2))
    a = np.array([1.5, 2.0, -0.0])
    with np.errstate(all="ignore"):
        assert _same(float(py["mean"](a, 2)), wasm.mean(a, 2))  # -inf
