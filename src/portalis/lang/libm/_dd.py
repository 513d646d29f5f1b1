"""Error-free transformations on doubles, the building blocks of double-double arithmetic.

WebAssembly has no fused multiply-add, so the exact error of a product comes from Veltkamp's
splitting and Dekker's product (Dekker 1971); a sum's error from Knuth's two-sum. Each
function returns only the error term: callers keep the rounded value they already computed,
which keeps every function a single-float result.
"""

from __future__ import annotations

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
    """a·b + c rounded once, like a fused multiply-add, in software.

    The product is exact as p + e and the sum as s + err, so the only roundings left are of
    the tiny tail err + e and of the final sum; the result differs from a true FMA only when
    that tail is itself rounded across a midpoint, about once in 2**50 cases. Needs
    |a·b| < 2**996.
    """
    p: float = a * b
    e: float = product_error(a, b, p)
    s: float = c + p
    err: float = sum_error(c, p, s)
    return s + (err + e)
