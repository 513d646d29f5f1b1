"""``x ** y`` for a constant integer or half-integer y (``x ** 3``, ``x ** -1.5``), computed in
double-double and rounded once: the fast path of the compiler for such powers
(``prelude/power.py``), which must give CPython's ``pow`` bits.

CPython's ``pow`` is glibc's (Arm optimized-routines' algorithm), which is not correctly
rounded but close: its result is within 0.509 ulp of the exact value plus the error of its
logarithm, at most 2**-15·|y·ln x| ulp (0.54 ulp at the extremes of the range). Here the
power is formed to ~2**-100 relative: |y|'s integer part by binary exponentiation with
Dekker's exact products, times √x as a double-double for a half-integer, then the reciprocal
for a negative y. Rounded to a double D, the exact value lies within ``l`` of D; when |l| is
below 1 - (glibc's bound) ulp, D is the only double glibc's pow can return, so the two agree
bit for bit. Otherwise (the exact value is near a midpoint between two doubles, about 4% of
inputs) the answer is nan, and the caller falls back to the general ``pow``. So are
non-finite, zero and negative-to-half-integer bases and results outside [2**-900, 2**900],
where CPython raises or the double-double would lose bits.
"""

from __future__ import annotations

import math

from portalis.lang.libm._bits import bits_to_float, float_to_bits
from portalis.lang.libm._dd import product_error, square_error
from portalis.lang.libm._ieee import nan

_LIMIT: int = 900  # largest |binary exponent| of any partial power


def power(x: float, twice_y: int) -> float:
    """x ** (twice_y / 2) as glibc's pow rounds it, for 1 <= |twice_y| <= 256; nan where that
    cannot be decided here (the caller then calls pow, which also raises CPython's errors)."""
    bits: int = float_to_bits(x)
    biased: int = (bits >> 52) & 0x7FF
    half: int = twice_y & 1
    m: int = twice_y >> 1  # |y|'s integer part once twice_y is made positive
    if twice_y < 0:
        m = (-twice_y) >> 1
    # finite, normal (excludes 0), no negative base for a half-integer, result well inside
    if biased == 0 or biased == 0x7FF or (bits < 0 and half == 1):
        return nan()
    e: int = biased - 1023
    if e < 0:
        e = -e
    if (e + 1) * (2 * m + half) > 2 * _LIMIT:
        return nan()
    ax: float = math.fabs(x)
    # (ph, pl): the power so far; (bh, bl): ax**(2**i) for the bit i being examined
    ph: float = 0.0
    pl: float = 0.0
    have: int = 0
    if half == 1:  # start from √ax as a double-double (ax - s² is exact: Sterbenz)
        ph = math.sqrt(ax)
        p: float = ph * ph
        pl = ((ax - p) - square_error(ph, p)) / (2.0 * ph)
        have = 1
    bh: float = ax
    bl: float = 0.0
    k: int = m
    if m <= 3:  # the common exponents, straight-line (the same products as the loop below)
        k = 0
        if m != 2:
            if have == 0:
                ph = ax
                have = 1
            elif m != 0:
                p = ph * ax
                t: float = product_error(ph, ax, p) + pl * ax
                ph = p + t
                pl = t - (ph - p)
        if m >= 2:
            bh = ax * ax
            bl = square_error(ax, bh)
            if have == 0:
                ph = bh
                pl = bl
            else:
                p = ph * bh
                t = product_error(ph, bh, p) + (ph * bl + pl * bh)
                ph = p + t
                pl = t - (ph - p)
    while k > 0:
        if (k & 1) == 1:
            if have == 0:
                ph = bh
                pl = bl
                have = 1
            else:
                p = ph * bh
                t = product_error(ph, bh, p) + (ph * bl + pl * bh)
                ph = p + t
                pl = t - (ph - p)
        k = k >> 1
        if k > 0:
            p = bh * bh
            t = square_error(bh, p) + 2.0 * bh * bl
            bh = p + t
            bl = t - (bh - p)
    if twice_y < 0:  # 1/(ph + pl): one quotient and its exact remainder
        q: float = 1.0 / ph
        p = q * ph
        r: float = ((1.0 - p) - product_error(q, ph, p)) - q * pl
        ph = q
        pl = r * q
    h: float = ph + pl
    lo: float = pl - (h - ph)
    if bits < 0 and (m & 1) == 1 and half == 0:  # odd power of a negative base
        h = -h
    # Accept h when the exact value is within 1 - (pow's error bound) ulp of it. The ulp is
    # that of h's binade; for a power of two the spacing below is half that, so halve it.
    hbits: int = float_to_bits(h) & 0x7FFFFFFFFFFFFFFF
    ulp: float = bits_to_float(((hbits >> 52) - 52) << 52)
    if (hbits & 0x000FFFFFFFFFFFFF) == 0:
        ulp = 0.5 * ulp
    exponent: int = (hbits >> 52) - 1023
    bound: float = 0.48
    if exponent > 128 or exponent < -128:  # |y·ln x| > 89: pow's logarithm errs more
        bound = 0.45
    if math.fabs(lo) <= bound * ulp:
        return h
    return nan()
