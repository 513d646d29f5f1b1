"""Error-free transformations on doubles, the building blocks of double-double arithmetic.

The exact error of a product comes from Veltkamp's splitting and Dekker's product (Dekker
1971); a sum's error from Knuth's two-sum. Each function returns only the error term:
callers keep the rounded value they already computed, which keeps every function a
single-float result. ``mul_add`` is the hardware's fused multiply-add (the
``fused_multiply_add`` intrinsic, libm/_bits.py).
"""

from __future__ import annotations

from portalis.lang.libm._bits import fused_multiply_add

_SPLIT: float = 134217729.0  # 2**27 + 1: splits a double into two 26-bit halves


def product_error(a: float, b: float, p: float) -> float:
    """The exact rounding error a·b - p of p = fl(a·b) (|a·b| < 2**996, no underflow)."""
    c: float = a * _SPLIT
    ah: float = c - (c - a)
    al: float = a - ah
    c = b * _SPLIT
    bh: float = c - (c - b)
    bl: float = b - bh
    return ((ah * bh - p) + ah * bl + al * bh) + al * bl


def square_error(a: float, p: float) -> float:
    """The exact rounding error a·a - p of p = fl(a·a)."""
    c: float = a * _SPLIT
    ah: float = c - (c - a)
    al: float = a - ah
    return ((ah * ah - p) + 2.0 * ah * al) + al * al


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
