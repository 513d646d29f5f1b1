"""Word access and scaling on IEEE-754 doubles, the vocabulary fdlibm is written in.

fdlibm reads a double as a signed 32-bit high word (sign, exponent, top 20 mantissa bits) and
an unsigned 32-bit low word. Here the high word comes back sign-extended, exactly like
fdlibm's ``int32_t hx``, so ``hx < 0`` tests the sign and ``hx & 0x7FFFFFFF`` is ``|x|``'s word.
Every intermediate stays inside int64, as the kernel language requires.
"""

from __future__ import annotations

from portalis.lang.libm._bits import bits_to_float, float_to_bits

_TWO1023: float = 8.98846567431158e307  # 0x1p1023
_TWOM969: float = 2.004168360008973e-292  # 0x1p-1022 * 0x1p53 (0x1p-969)


def high_word(x: float) -> int:
    """Sign, exponent and top mantissa bits of ``x``, sign-extended (fdlibm's ``int32_t hx``)."""
    return float_to_bits(x) >> 32


def low_word(x: float) -> int:
    """Low 32 mantissa bits of ``x``, in [0, 2**32)."""
    return float_to_bits(x) & 0xFFFFFFFF


def from_words(hi: int, lo: int) -> float:
    """The double with high word ``hi`` (a signed 32-bit value) and low word ``lo``."""
    return bits_to_float((hi << 32) | lo)


def with_high_word(x: float, hi: int) -> float:
    """``x`` with its high word replaced (fdlibm ``SET_HIGH_WORD``)."""
    return from_words(hi, low_word(x))


def clear_low_word(x: float) -> float:
    """``x`` with its low 32 bits zeroed (fdlibm ``SET_LOW_WORD(x, 0)``): an exact head of x."""
    return bits_to_float((float_to_bits(x) >> 32) << 32)


def pow2(n: int) -> float:
    """2**n for a normal exponent, -1022 <= n <= 1023 (built from the bits, exact)."""
    return bits_to_float((0x3FF + n) << 52)


def scalbn(x: float, n: int) -> float:
    """x * 2**n with a single rounding (musl ``scalbn``).

    Large steps go through 2**1023 and 2**-969; the second keeps the final scaling above the
    subnormal range's double-rounding trap, as musl explains.
    """
    y: float = x
    if n > 1023:
        y = y * _TWO1023
        n = n - 1023
        if n > 1023:
            y = y * _TWO1023
            n = n - 1023
            if n > 1023:
                n = 1023
    elif n < -1022:
        y = y * _TWOM969
        n = n + 1022 - 53
        if n < -1022:
            y = y * _TWOM969
            n = n + 1022 - 53
            if n < -1022:
                n = -1022
    return y * pow2(n)


def nan() -> float:
    """A quiet nan (what C produces as 0/0; CPython raises on 0.0/0.0, so it is built)."""
    return bits_to_float(0x7FF8000000000000)


def infinity() -> float:
    """+inf (what C produces as 1/0; CPython raises on 1.0/0.0, so it is built)."""
    return bits_to_float(0x7FF0000000000000)
