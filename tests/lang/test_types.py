"""Sized types: compiled f32/i32 arithmetic is single precision / 32-bit (what NumPy's
float32/int32 scalars compute), and literals adapt to the sized operand."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .conftest import compile_kernel

SOURCE = """
from portalis.lang import Array, f32, i32


def f32_ops(x: f32, y: f32) -> tuple[f32, f32, f32]:
    return x * y + x, (x - y) * 0.5, x / 3.0


def i32_ops(a: i32, b: i32) -> tuple[i32, i32, i32]:
    return a + b, a * b, a - 7


def widen(a: i32, x: f32) -> float:
    return a + x * 1.0


def store_f32(xs: Array[f32], v: float) -> None:
    xs[0] = v
    xs[1] = f32(v) * f32(2)
"""


@pytest.fixture(scope="module")
def kernel() -> Any:
    return compile_kernel(SOURCE, "types.py")


f32s = st.floats(-1e10, 1e10, allow_nan=False, width=32)
i32s = st.integers(-(2**31), 2**31 - 1)


@settings(max_examples=80, deadline=None)
@given(f32s, f32s.filter(lambda v: v != 0))
def test_f32_arithmetic_rounds_like_float32(kernel: Any, x: float, y: float) -> None:
    fx, fy = np.float32(x), np.float32(y)
    want = (fx * fy + fx, (fx - fy) * np.float32(0.5), fx / np.float32(3.0))
    got = kernel.f32_ops(x, y)
    for w, g in zip(want, got, strict=True):
        assert np.float32(g) == w or (np.isinf(w) and np.isinf(g))


@settings(max_examples=80, deadline=None)
@given(i32s, i32s)
def test_i32_arithmetic_wraps(kernel: Any, a: int, b: int) -> None:
    def wrap(v: int) -> int:
        return (v + 2**31) % 2**32 - 2**31

    assert kernel.i32_ops(a, b) == (wrap(a + b), wrap(a * b), wrap(a - 7))


def test_mixed_widths_widen(kernel: Any) -> None:
    assert kernel.widen(3, 0.5) == 3.5


def test_store_into_f32_array_rounds(kernel: Any) -> None:
    xs = np.zeros(2, dtype=np.float32)
    kernel.store_f32(xs, 0.1)
    assert xs[0] == np.float32(0.1) and xs[1] == np.float32(0.1) * np.float32(2)


def test_int64_wraps_on_overflow() -> None:
    """Documented: kernel ints are int64 and wrap (CPython's would grow)."""
    k = compile_kernel(
        "def mul(a: int, b: int) -> int:\n    return a * b\n\n"
        "def add(a: int, b: int) -> int:\n    return a + b\n\n"
        "def shl(a: int, n: int) -> int:\n    return a << n\n",
        "wrap.py",
    )
    assert k.mul(2**62, 4) == 0
    assert k.add(2**63 - 1, 1) == -(2**63)
    assert k.shl(1, 63) == -(2**63) and k.shl(1, 64) == 0


def test_builtin_arity_agrees_with_its_typer() -> None:
    """``Builtin.arity`` (what the back end relies on) and the typer (what the front end
    checks) must agree: fixed-arity builtins accept exactly that many arguments (ints are
    accepted wherever a number is)."""
    from portalis.lang.builtins import BUILTINS
    from portalis.lang.types import I64

    for b in BUILTINS.values():
        if b.arity is None:
            assert not isinstance(b.typer([I64] * 5), str), b.name
            continue
        assert not isinstance(b.typer([I64] * b.arity), str), b.name
        assert isinstance(b.typer([I64] * (b.arity + 1)), str), b.name
