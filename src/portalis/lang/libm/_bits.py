"""CPython stand-ins for the intrinsics the math library is written with: the two bit casts
and the fused multiply-add.

``float_to_bits(x)`` is the IEEE-754 binary64 pattern of ``x`` as a signed 64-bit integer
(``i64.reinterpret_f64`` in WebAssembly) and ``bits_to_float(i)`` the reverse
(``f64.reinterpret_i64``). The compiler treats both names as intrinsics and never compiles
this file; under CPython the library runs through these ``struct`` versions. Passing an
integer outside the int64 range raises ``struct.error`` here, which is how the CPython test
run catches an intermediate that would silently wrap in the compiled module.

``fused_multiply_add(a, b, c)`` is a·b + c rounded once: in the module the hardware's fused
multiply-add (``f64x2.relaxed_madd``, which the engine's deterministic relaxed SIMD always
fuses, on every machine: runtime/engine.py), here the exact rational value rounded to the
nearest double (``math.fma`` from Python 3.13).
"""

from __future__ import annotations

import math
import struct
from fractions import Fraction

_F64 = struct.Struct("<d")
_I64 = struct.Struct("<q")


def float_to_bits(x: float) -> int:
    """The bit pattern of ``x`` as a signed int64."""
    bits: int = _I64.unpack(_F64.pack(x))[0]
    return bits


def fused_multiply_add(a: float, b: float, c: float) -> float:
    """a·b + c rounded once (IEEE-754 fusedMultiplyAdd, round to nearest even)."""
    fma = getattr(math, "fma", None)
    if fma is not None:
        return float(fma(a, b, c))
    if not (math.isfinite(a) and math.isfinite(b)):
        return a * b + c  # inf and nan come out as the fused operation's
    if not math.isfinite(c):
        return c + 0.0  # a finite a·b, exactly
    p = a * b
    if 2.0**-900 < abs(p) < 2.0**990:
        # Usually without rationals: Dekker's product and Knuth's two-sum give
        # a·b + c = s + err + e exactly; when err + e is exact too, one rounding is left.
        ah = a * 134217729.0
        ah = ah - (ah - a)
        bh = b * 134217729.0
        bh = bh - (bh - b)
        e = ((ah * bh - p) + ah * (b - bh) + (a - ah) * bh) + (a - ah) * (b - bh)
        s = c + p
        bb = s - c
        err = (c - (s - bb)) + (p - bb)
        t = err + e
        tb = t - err
        if math.isfinite(s) and (err - (t - tb)) + (e - tb) == 0.0:
            return s + t
    exact = Fraction(a) * Fraction(b) + Fraction(c)
    if exact == 0:
        # a·b and c zeros (the sum's sign rule), or a·b exactly -c (+0.0): both as a·b + c
        return a * b + c
    try:
        return exact.numerator / exact.denominator  # correctly rounded, subnormals too
    except OverflowError:
        return math.inf if exact > 0 else -math.inf


def bits_to_float(i: int) -> float:
    """The double whose bit pattern is the signed int64 ``i``."""
    value: float = _F64.unpack(_I64.pack(i))[0]
    return value
