"""Reduction of an argument modulo π/2: x = n·(π/2) + (y0 + y1) with |y0 + y1| <= ~π/4.

Two methods, chosen by size (after FreeBSD msun ``e_rem_pio2.c``, as optimised by Bruce D.
Evans and carried into musl ``__rem_pio2.c``):

* medium, |x| < 2**20·π/2 — Cody–Waite: π/2 is split into three 33-bit pieces plus a tail, so
  ``n·piece`` is exact, and the subtractions keep their rounding errors (two-sum): the result
  is good to ~100 bits relative to y, which the double-double kernels need.
* huge — Payne–Hanek: the product x·(2/π) is formed exactly in integer arithmetic from a table
  of 24-bit chunks of 2/π (the same table as fdlibm's ``__kernel_rem_pio2``), keeping only the
  chunks that influence the result modulo 8. This is our own fixed-width formulation (no
  arrays): the closest a double comes to a multiple of π/2 is about 2**-61 (Kahan–McDonald), and
  the 11 chunks used leave more than 70 correct bits after that cancellation.

Results are returned as floats, ``(n, y0, y1)``: the kernel language returns tuples of floats.
"""

from __future__ import annotations

from portalis.lang.libm._bits import bits_to_float, float_to_bits
from portalis.lang.libm._dd import product_error, sum_error

_TOINT: float = 6755399441055744.0  # 1.5 * 2**52: adding and subtracting it rounds to integer
_INVPIO2: float = 0.6366197723675814  # 0x3FE45F306DC9C883, 53 bits of 2/π
_PIO2_1: float = 1.5707963267341256  # 0x3FF921FB54400000, first 33 bits of π/2
_PIO2_2: float = 6.077100506303966e-11  # 0x3DD0B4611A600000, second 33 bits
_PIO2_3: float = 2.0222662487111665e-21  # 0x3BA3198A2E000000, third 33 bits
_PIO2_3T: float = 8.4784276603689e-32  # π/2 - (_PIO2_1 + _PIO2_2 + _PIO2_3)

# π/2 as a double-double, good to ~2**-108 relative.
_PIO2_HI: float = 1.5707963267948966  # 0x3FF921FB54442D18
_PIO2_LO: float = 6.123233995736766e-17  # 0x3C91A62633145C07

_MASK24: int = 0xFFFFFF

# 2/π in 24-bit chunks, most significant first (fdlibm ``ipio2``), after two zero chunks so a
# window may start up to two chunks "before" the binary point for the smallest huge arguments.
# fmt: off
_IPIO2: tuple[int, ...] = (
    0, 0, 0xA2F983, 0x6E4E44, 0x1529FC, 0x2757D1,
    0xF534DD, 0xC0DB62, 0x95993C, 0x439041, 0xFE5163, 0xABDEBB,
    0xC561B7, 0x246E3A, 0x424DD2, 0xE00649, 0x2EEA09, 0xD1921C,
    0xFE1DEB, 0x1CB129, 0xA73EE8, 0x8235F5, 0x2EBB44, 0x84E99C,
    0x7026B4, 0x5F7E41, 0x3991D6, 0x398353, 0x39F49C, 0x845F8B,
    0xBDF928, 0x3B1FF8, 0x97FFDE, 0x05980F, 0xEF2F11, 0x8B5A0A,
    0x6D1F6D, 0x367ECF, 0x27CB09, 0xB74F46, 0x3F669E, 0x5FEA2D,
    0x7527BA, 0xC7EBE5, 0xF17B3D, 0x0739F7, 0x8A5292, 0xEA6BFB,
    0x5FB11F, 0x8D5D08, 0x560330, 0x46FC7B, 0x6BABF0, 0xCFBC20,
    0x9AF436, 0x1DA9E3, 0x91615E, 0xE61B08, 0x659985, 0x5F14A0,
    0x68408D, 0xFFD880, 0x4D7327, 0x310606, 0x1556CA, 0x73A8C9,
    0x60E27B, 0xC08C6B,
)
# fmt: on


def rem_pio2(x: float) -> tuple[float, float, float]:
    """Return (n, y0, y1) with x ≈ n·π/2 + y0 + y1, |y0| <= ~π/4, y1 the tail of y0.

    ``n`` is an integer-valued float (only n mod 4 matters to callers). For inf or nan the
    result is (0, nan, nan). Callers handle |x| <= π/4 themselves.
    """
    bits: int = float_to_bits(x)
    ix: int = (bits >> 32) & 0x7FFFFFFF
    if ix < 0x413921FB:  # |x| ~< 2**20 * (π/2)
        return _rem_pio2_medium(x, ix)
    if ix >= 0x7FF00000:
        return (0.0, x - x, x - x)
    fn, y0, y1 = _rem_pio2_huge(bits & 0x7FFFFFFFFFFFFFFF)
    if bits < 0:
        return (-fn, -y0, -y1)
    return (fn, y0, y1)


def _rem_pio2_medium(x: float, ix: int) -> tuple[float, float, float]:
    """Cody–Waite reduction with π/2 = P1 + P2 + P3 + P3T (three 33-bit pieces and a tail).

    n < 2**20, so every n·Pk is exact; x - n·P1 is exact (Sterbenz), and the two following
    subtractions keep their rounding errors (two-sum), so y0 + y1 is within ~2**-100 of
    x - n·π/2 relative, enough for the double-double kernels to round correctly even when x
    is close to a multiple of π/2 (the closest a double this size comes is ~2**-61 away).
    """
    fn: float = x * _INVPIO2 + _TOINT - _TOINT
    r: float = x - fn * _PIO2_1
    p: float = fn * _PIO2_2
    s: float = r - p
    e: float = sum_error(r, -p, s)
    p = fn * _PIO2_3
    t: float = s - p
    e = e + sum_error(s, -p, t)
    e = e - fn * _PIO2_3T
    y0: float = t + e
    y1: float = e - (y0 - t)
    return (fn, y0, y1)


def _rem_pio2_huge(bits: int) -> tuple[float, float, float]:
    """Payne–Hanek reduction of a positive finite x >= 2**20 given by its bit pattern.

    Write x = m·2**e (m a 53-bit integer) and 2/π = Σ c_k·2**(-24(k+1)). Chunks with
    e - 24(k+1) >= 3 contribute multiples of 8 to x·2/π and are skipped; from chunk j0 on,
    x·2/π ≡ m·C·2**t (mod 8) with C = Σ_j c_(j0+j)·2**(-24j) and t in [-21, 2]. The product
    m·C is accumulated exactly as base-2**24 digits d0 (units) and d1..d8 (fractional), with m
    split into three 24-bit limbs so every partial product fits in an int64.
    """
    e: int = ((bits >> 52) & 0x7FF) - 1075
    m: int = (bits & 0xFFFFFFFFFFFFF) | 0x10000000000000
    j0: int = (e - 3) // 24
    t: int = e - 24 * j0 - 24
    k: int = j0 + 2  # index of c_(j0) in _IPIO2, which starts with two zero chunks
    m0: int = m & _MASK24
    m1: int = (m >> 24) & _MASK24
    m2: int = m >> 48
    c0: int = _IPIO2[k]
    c1: int = _IPIO2[k + 1]
    c2: int = _IPIO2[k + 2]
    c3: int = _IPIO2[k + 3]
    c4: int = _IPIO2[k + 4]
    c5: int = _IPIO2[k + 5]
    c6: int = _IPIO2[k + 6]
    c7: int = _IPIO2[k + 7]
    c8: int = _IPIO2[k + 8]
    c9: int = _IPIO2[k + 9]
    c10: int = _IPIO2[k + 10]
    # Digit i holds the coefficient of 2**(-24i); propagate carries from the bottom up.
    d8: int = m2 * c10 + m1 * c9 + m0 * c8
    d7: int = m2 * c9 + m1 * c8 + m0 * c7 + (d8 >> 24)
    d6: int = m2 * c8 + m1 * c7 + m0 * c6 + (d7 >> 24)
    d5: int = m2 * c7 + m1 * c6 + m0 * c5 + (d6 >> 24)
    d4: int = m2 * c6 + m1 * c5 + m0 * c4 + (d5 >> 24)
    d3: int = m2 * c5 + m1 * c4 + m0 * c3 + (d4 >> 24)
    d2: int = m2 * c4 + m1 * c3 + m0 * c2 + (d3 >> 24)
    d1: int = m2 * c3 + m1 * c2 + m0 * c1 + (d2 >> 24)
    d0: int = m2 * c2 + m1 * c1 + m0 * c0 + (d1 >> 24)
    # Higher digits only add multiples of 8 (their weight is 2**(24+t) >= 2**3).
    w: int = ((d0 & _MASK24) << 24) | (d1 & _MASK24)  # bits [t-24, t+24) of x·2/π
    sh: int = 24 - t  # in [22, 45]: the binary point of x·2/π sits `sh` bits up in w
    n: int = (w >> sh) & 7
    top: int = w & ((1 << sh) - 1)
    # Remaining fraction digits, paired into 48-bit integers (exact as doubles).
    g1: int = ((d2 & _MASK24) << 24) | (d3 & _MASK24)
    g2: int = ((d4 & _MASK24) << 24) | (d5 & _MASK24)
    g3: int = ((d6 & _MASK24) << 24) | (d7 & _MASK24)
    neg: int = 0
    if top >= (1 << (sh - 1)):  # fraction >= 1/2: round n up, reduce to 1 - fraction
        n = n + 1
        neg = 1
        top = ((1 << sh) - 1) - top
        g1 = 0xFFFFFFFFFFFF - g1
        g2 = 0xFFFFFFFFFFFF - g2
        g3 = 0xFFFFFFFFFFFF - g3
    if top == 0:  # fraction < 2**-sh: slide the window down 48 bits (happens at most once)
        top = g1
        g1 = g2
        g2 = g3
        g3 = 0
        sh = sh + 48
    # fraction = top·2**-sh + g1·2**(-sh-48) + g2·2**(-sh-96) + g3·2**(-sh-144), top >= 1
    scale: float = bits_to_float((0x3FF - sh) << 52)
    a0: float = float(top) * scale
    scale = scale * 3.552713678800501e-15  # 2**-48
    a1: float = float(g1) * scale
    scale = scale * 3.552713678800501e-15
    a2: float = float(g2) * scale
    scale = scale * 3.552713678800501e-15
    a3: float = float(g3) * scale
    hi: float = a0 + a1  # two-sum: a0 >= a1, so hi + lo is exact
    lo: float = a1 - (hi - a0)
    lo = lo + (a2 + a3)
    f_hi: float = hi + lo
    f_lo: float = lo - (f_hi - hi)
    # (f_hi + f_lo)·π/2 in double-double, Dekker's exact product for the leading term.
    p: float = f_hi * _PIO2_HI
    err: float = product_error(f_hi, _PIO2_HI, p)
    q: float = err + (f_hi * _PIO2_LO + f_lo * _PIO2_HI)
    y0: float = p + q
    y1: float = q - (y0 - p)
    if neg == 1:
        return (float(n), -y0, -y1)
    return (float(n), y0, y1)
