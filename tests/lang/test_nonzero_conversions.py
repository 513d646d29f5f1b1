"""Float → int conversions whose operand the value-range pass keeps at least 1 (or at most
-1), NaN aside: their result is never 0, so NaN is told by the saturating conversion's 0
(``i64.trunc_sat_f64_s``, then an integer test) instead of a float compare before a
trapping conversion (backend/integers.py ``py_int``, backend/ranges.py). The results and the
ValueError of NaN (its line included) are CPython's; a clamp whose lower end may reach 0
keeps the float test."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portalis.errors import WasmTrap
from portalis.lang import compile_source

from . import wat_shape
from .conftest import outcome, python_and_compiled, same

SOURCE = """\
import math

from portalis.lang import Array, f64


def sample(f: Array[f64], x: float) -> float:
    n = f.shape[0]
    total = 0.0
    for i in range(1, n - 1):
        y = min(max(x + i, 1.0), n - 2.0)
        a = min(int(y), n - 3)
        total += f[a] + f[a + 1] * (y - a)
    return total


def roundings(f: Array[f64], x: float) -> int:
    n = f.shape[0]
    total = 0
    for i in range(1, n - 1):
        y = min(max(x * i, 2.0), n - 1.0)
        total += math.floor(y) + math.ceil(y) + round(y) + math.trunc(y)
    return total


def negative(f: Array[f64], x: float) -> int:
    n = f.shape[0]
    total = 0
    for i in range(1, n - 1):
        y = min(max(x - i, -50.0), -1.0)
        total += int(y) + math.ceil(y) + round(y)
    return total


def may_be_zero(f: Array[f64], x: float) -> int:
    n = f.shape[0]
    total = 0
    for i in range(1, n - 1):
        y = min(max(x * i, 0.0), n - 1.0)
        total += int(y) + round(y)
    return total


def small_extent(f: Array[f64], x: float) -> int:
    n = f.shape[0]
    return int(min(max(x, 1.0), n - 2.0))
"""

NONZERO = ("sample", "roundings", "negative")
FLOAT_TEST = ("may_be_zero", "small_extent")

EDGES = [
    0.0,
    -0.0,
    0.25,
    0.5,
    0.999,
    1.0,
    1.5,
    -1.0,
    -1.5,
    2.5,
    7.0,
    1e300,
    -1e300,
    math.inf,
    -math.inf,
    math.nan,
    -math.nan,
]


@pytest.fixture(scope="module")
def kernels():  # type: ignore[no-untyped-def]
    return python_and_compiled(SOURCE, "nonzero.py")


def check(kernels, name: str, *args: object) -> None:  # type: ignore[no-untyped-def]
    """The same result, or the same exception (with its line)."""
    py, wasm = kernels
    expected, got = outcome(py[name], *args), outcome(getattr(wasm, name), *args)
    assert expected[0] == got[0] and same(expected[1], got[1]), (name, args, expected, got)


def test_saturating_conversion_only_where_zero_cannot_come_out() -> None:
    wat = compile_source(SOURCE, "nonzero.py").wat
    for name in NONZERO:
        fn = wat_shape.function(wat, name).instructions()
        assert "i64.trunc_sat_f64_s" in fn and "i64.trunc_f64_s" not in fn, name
        assert "f64.ne" not in fn, name  # no float self-compare left
    for name in FLOAT_TEST:
        fn = wat_shape.function(wat, name).instructions()
        assert "i64.trunc_sat_f64_s" not in fn and "i64.trunc_f64_s" in fn, name


def cpython_line(fn, *args: object) -> int:  # type: ignore[no-untyped-def]
    """The line of the kernel's source where CPython raised ValueError."""
    with pytest.raises(ValueError) as info:
        fn(*args)
    tb = info.value.__traceback__
    assert tb is not None
    while tb.tb_next is not None:
        tb = tb.tb_next
    return tb.tb_lineno


def test_nan_raises_at_the_conversion(kernels) -> None:  # type: ignore[no-untyped-def]
    """NaN: ValueError from the conversion's line, as CPython."""
    py, wasm = kernels
    f = np.arange(8.0)
    for name in (*NONZERO, *FLOAT_TEST):
        with pytest.raises(WasmTrap) as info:
            getattr(wasm, name)(f, math.nan)
        assert info.value.python_exception == "ValueError", name
        assert info.value.line == cpython_line(py[name], f, math.nan), name


@pytest.mark.parametrize("x", EDGES)
def test_edges_match_cpython(kernels, x: float) -> None:  # type: ignore[no-untyped-def]
    for n in (0, 1, 2, 3, 4, 9, 40):
        f = np.linspace(-1.0, 2.0, n)
        for name in (*NONZERO, *FLOAT_TEST):
            check(kernels, name, f, x)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(st.floats(), st.floats(-100.0, 100.0), st.sampled_from(EDGES)),
    st.integers(0, 40),
)
def test_conversions_match_cpython(kernels, x: float, n: int) -> None:  # type: ignore[no-untyped-def]
    f = np.linspace(-3.0, 5.0, n)
    for name in (*NONZERO, *FLOAT_TEST):
        check(kernels, name, f, x)
