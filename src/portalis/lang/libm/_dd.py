"""Error-free transformations on doubles, the building blocks of double-double arithmetic.

The exact error of a product is one fused multiply-add (it was Veltkamp's splitting and
Dekker's product, Dekker 1971, about 17 operations); a sum's error comes from Knuth's
two-sum. Each function returns only the error term:
callers keep the rounded value they already computed, which keeps every function a
single-float result. ``mul_add`` is the hardware's fused multiply-add (the
``fused_multiply_add`` intrinsic, libm/_bits.py).
"""

from __future__ import annotations

from portalis.lang.libm._bits import fused_multiply_add


def product_error(a: float, b: float, p: float) -> float:
    """The exact rounding error a·b - p of p = fl(a·b) (no underflow): one fused
    multiply-add, the same bits as Dekker's product (which needed |a·b| < 2**996 too)."""
    return fused_multiply_add(a, b, -p)


def square_error(a: float, p: float) -> float:
    """The exact rounding error a·a - p of p = fl(a·a)."""
    return fused_multiply_add(a, a, -p)


def sum_error(a: float, b: float, s: float) -> float:
    """The exact rounding error a + b - s of s = fl(a + b), for any a and b (Knuth)."""
    bb: float = s - a
    return (a - (s - bb)) + (b - bb)


def mul_add(a: float, b: float, c: float) -> float:
    """a·b + c rounded once: a fused multiply-add, one instruction in the module.

    WebAssembly's only fused multiply-add is relaxed SIMD's ``f64x2.relaxed_madd``, fused or
    not as the machine likes; the engine runs relaxed SIMD deterministically, which fuses it
    everywhere (runtime/engine.py). It replaced a software FMA (Dekker's product and a
    two-sum, about 25 operations, off by one ulp about once in 2**50 cases): glibc's FMA
    build of exp and log, which CPython's math calls on x86-64, fuses the same steps.
    """
    return fused_multiply_add(a, b, c)
