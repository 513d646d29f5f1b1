"""The math library's fused multiply-add (libm/_dd.py ``mul_add``) is the hardware's:
``f64x2.relaxed_madd`` under the engine's deterministic relaxed SIMD (runtime/engine.py),
a·b + c rounded once, on every input, as the exact rational value rounds (the CPython
stand-in, libm/_bits.py)."""

from __future__ import annotations

import math
from fractions import Fraction
from functools import cache
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from portalis.lang import compile_source
from portalis.lang.libm._bits import fused_multiply_add

from .conftest import compile_kernel, same

SOURCE = """
from portalis.lang.libm._dd import mul_add


def fma(a: float, b: float, c: float) -> float:
    return mul_add(a, b, c)
"""


@cache
def compiled() -> Any:
    return compile_kernel(SOURCE, "fma.py")


def exact(a: float, b: float, c: float) -> float:
    value = Fraction(a) * Fraction(b) + Fraction(c)
    return value.numerator / value.denominator


FINITE = st.floats(allow_nan=False, allow_infinity=False, width=64)
MODERATE = st.floats(-1e150, 1e150, allow_nan=False)


@settings(max_examples=400, deadline=None)
@given(a=MODERATE, b=MODERATE, c=MODERATE)
def test_rounded_once_like_the_exact_value(a: float, b: float, c: float) -> None:
    want = exact(a, b, c) if Fraction(a) * Fraction(b) + Fraction(c) != 0 else a * b + c
    assert same(compiled().fma(a, b, c), want)
    assert same(fused_multiply_add(a, b, c), want)


@settings(max_examples=300, deadline=None)
@given(a=FINITE, b=FINITE, shift=st.integers(-3, 3))
def test_cancellation_keeps_the_products_low_bits(a: float, b: float, shift: int) -> None:
    """c = -fl(a·b) (give or take a few ulps): the result is the product's rounding error,
    which only a fused operation keeps."""
    p = a * b
    assume(math.isfinite(p) and p != 0.0)
    c = -p + shift * math.ulp(p)
    assume(math.isfinite(c))
    assert same(compiled().fma(a, b, c), fused_multiply_add(a, b, c))


@settings(max_examples=200, deadline=None)
@given(
    a=st.floats(allow_nan=True, allow_infinity=True),
    b=st.floats(allow_nan=True, allow_infinity=True),
    c=st.floats(allow_nan=True, allow_infinity=True),
)
def test_specials_and_overflow(a: float, b: float, c: float) -> None:
    assert same(compiled().fma(a, b, c), fused_multiply_add(a, b, c))


def test_the_fused_case_and_the_instruction() -> None:
    a, b = 1.0 + 2.0**-30, 1.0 - 2.0**-30  # a·b = 1 - 2**-60 exactly, which rounds to 1
    assert a * b - 1.0 == 0.0
    assert compiled().fma(a, b, -1.0) == -(2.0**-60)
    assert compiled().fma(1e308, 10.0, -1e308) == math.inf
    assert "f64x2.relaxed_madd" in compile_source(SOURCE, "fma.py").wat


def test_rust_back_end_rounds_once_too() -> None:
    """rustc's wasm32 output has no fused instruction: a software FMA (rust/support.py)."""
    from portalis.runtime import load

    module = load(compile_source(SOURCE, "fma.py", backend="rust").wasm, cache=False)
    a, b = 1.0 + 2.0**-30, 1.0 - 2.0**-30
    assert module.fma(a, b, -1.0) == -(2.0**-60)
    assert module.fma(3.0, 1.0 / 3.0, -1.0) == fused_multiply_add(3.0, 1.0 / 3.0, -1.0)
