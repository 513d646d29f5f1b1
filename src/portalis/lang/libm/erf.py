"""erf and erfc with C semantics, computed as glibc's (CPython's ``math.erf``/``math.erfc`` on
Linux) are: Sun's fdlibm ``s_erf.c`` with the polynomial evaluation glibc ships (regrouped by
Naohiko Shimizu for pipelined processors, e.g. ``r1 + z²·r2 + z⁴·pp4``). The same
coefficients, the same grouping and the same correctly rounded operations give the same
doubles; the two exp calls are the library's exp, which rounds as glibc's.

By |x|:

* below 0.84375: erf x = x + x·R(x²), R a ratio of polynomials; erfc from it (1 - erf x
  below 1/4, else ½ - (x·R + (x - ½)) to keep bits);
* 0.84375 to 1.25: erf x = c + P(s)/Q(s) about s = |x| - 1, c = erf(1) rounded to 24 bits;
* 1.25 to 28 (erf: to 6): erfc x = exp(-z² - 0.5625)·exp((z - x)(z + x) + R(1/x²)/S(1/x²))/x,
  z = x with its low 32 bits cleared (so z² is exact), two coefficient sets split at 1/0.35;
* beyond: erf x = ±(1 - tiny) (rounds to ±1), erfc x = 0 or 2 - tiny (rounds to 2).
"""

# ruff: noqa: SIM108 -- conditional expressions are outside the kernel subset this library uses

from __future__ import annotations

import math

from portalis.lang.libm._ieee import clear_low_word, high_word
from portalis.lang.libm.exp import exp

_TINY: float = 1e-300
_ERX: float = 0.8450629115104675  # 0x3FEB0AC160000000: erf(1) rounded to 24 bits
_EFX: float = 0.1283791670955126  # 0x3FC06EBA8214DB69: 2/√π - 1
# erf x = x + x·(PP(z)/QQ(z)), z = x², |x| < 0.84375
_PP0: float = 0.12837916709551256  # 0x3FC06EBA8214DB68
_PP1: float = -0.3250421072470015  # 0xBFD4CD7D691CB913
_PP2: float = -0.02848174957559851  # 0xBF9D2A51DBD7194F
_PP3: float = -0.005770270296489442  # 0xBF77A291236668E4
_PP4: float = -2.3763016656650163e-05  # 0xBEF8EAD6120016AC
_QQ1: float = 0.39791722395915535  # 0x3FD97779CDDADC09
_QQ2: float = 0.0650222499887673  # 0x3FB0A54C5536CEBA
_QQ3: float = 0.005081306281875766  # 0x3F74D022C4D36B0F
_QQ4: float = 0.00013249473800432164  # 0x3F215DC9221C1A10
_QQ5: float = -3.960228278775368e-06  # 0xBED09C4342A26120
# erf(1 + s) - c = PA(s)/QA(s), 0.84375 <= |x| < 1.25
_PA0: float = -0.0023621185607526594  # 0xBF6359B8BEF77538
_PA1: float = 0.41485611868374833  # 0x3FDA8D00AD92B34D
_PA2: float = -0.3722078760357013  # 0xBFD7D240FBB8C3F1
_PA3: float = 0.31834661990116175  # 0x3FD45FCA805120E4
_PA4: float = -0.11089469428239668  # 0xBFBC63983D3E28EC
_PA5: float = 0.035478304325618236  # 0x3FA22A36599795EB
_PA6: float = -0.002166375594868791  # 0xBF61BF380A96073F
_QA1: float = 0.10642088040084423  # 0x3FBB3E6618EEE323
_QA2: float = 0.540397917702171  # 0x3FE14AF092EB6F33
_QA3: float = 0.07182865441419627  # 0x3FB2635CD99FE9A7
_QA4: float = 0.12617121980876164  # 0x3FC02660E763351F
_QA5: float = 0.01363708391202905  # 0x3F8BEDC26B51DD1C
_QA6: float = 0.011984499846799107  # 0x3F888B545735151D
# log(x·erfc x) + x² + 0.5625 ≈ RA(s)/SA(s), s = 1/x², 1.25 <= |x| < 1/0.35
_RA0: float = -0.009864944034847148  # 0xBF843412600D6435
_RA1: float = -0.6938585727071818  # 0xBFE63416E4BA7360
_RA2: float = -10.558626225323291  # 0xC0251E0441B0E726
_RA3: float = -62.375332450326006  # 0xC04F300AE4CBA38D
_RA4: float = -162.39666946257347  # 0xC0644CB184282266
_RA5: float = -184.60509290671104  # 0xC067135CEBCCABB2
_RA6: float = -81.2874355063066  # 0xC054526557E4D2F2
_RA7: float = -9.814329344169145  # 0xC023A0EFC69AC25C
_SA1: float = 19.651271667439257  # 0x4033A6B9BD707687
_SA2: float = 137.65775414351904  # 0x4061350C526AE721
_SA3: float = 434.56587747522923  # 0x407B290DD58A1A71
_SA4: float = 645.3872717332679  # 0x40842B1921EC2868
_SA5: float = 429.00814002756783  # 0x407AD02157700314
_SA6: float = 108.63500554177944  # 0x405B28A3EE48AE2C
_SA7: float = 6.570249770319282  # 0x401A47EF8E484A93
_SA8: float = -0.0604244152148581  # 0xBFAEEFF2EE749A62
# the same for |x| >= 1/0.35
_RB0: float = -0.0098649429247001  # 0xBF84341239E86F4A
_RB1: float = -0.799283237680523  # 0xBFE993BA70C285DE
_RB2: float = -17.757954917754752  # 0xC031C209555F995A
_RB3: float = -160.63638485582192  # 0xC064145D43C5ED98
_RB4: float = -637.5664433683896  # 0xC083EC881375F228
_RB5: float = -1025.0951316110772  # 0xC09004616A2E5992
_RB6: float = -483.5191916086514  # 0xC07E384E9BDC383F
_SB1: float = 30.33806074348246  # 0x403E568B261D5190
_SB2: float = 325.7925129965739  # 0x40745CAE221B9F0A
_SB3: float = 1536.729586084437  # 0x409802EB189D5118
_SB4: float = 3199.8582195085955  # 0x40A8FFB7688C246A
_SB5: float = 2553.0504064331644  # 0x40A3F219CEDF3BE6
_SB6: float = 474.52854120695537  # 0x407DA874E79FE763
_SB7: float = -22.44095244658582  # 0xC03670E242712D62


def _small(x: float) -> float:
    """(erf x - x)/x as PP/QQ of z = x² for |x| < 0.84375, grouped as glibc evaluates it."""
    z: float = x * x
    r1: float = _PP0 + z * _PP1
    z2: float = z * z
    r2: float = _PP2 + z * _PP3
    z4: float = z2 * z2
    s1: float = 1.0 + z * _QQ1
    s2: float = _QQ2 + z * _QQ3
    s3: float = _QQ4 + z * _QQ5
    r: float = r1 + z2 * r2 + z4 * _PP4
    s: float = s1 + z2 * s2 + z4 * s3
    return r / s


def _near_one(ax: float) -> float:
    """erf|x| - c as PA/QA of s = |x| - 1 for 0.84375 <= |x| < 1.25."""
    s: float = ax - 1.0
    p1: float = _PA0 + s * _PA1
    s2: float = s * s
    q1: float = 1.0 + s * _QA1
    s4: float = s2 * s2
    p2: float = _PA2 + s * _PA3
    s6: float = s4 * s2
    q2: float = _QA2 + s * _QA3
    p3: float = _PA4 + s * _PA5
    q3: float = _QA4 + s * _QA5
    p: float = p1 + s2 * p2 + s4 * p3 + s6 * _PA6
    q: float = q1 + s2 * q2 + s4 * q3 + s6 * _QA6
    return p / q


def _ratio_a(s: float) -> float:
    """RA(s)/SA(s), s = 1/x², for 1.25 <= |x| < 1/0.35."""
    r1: float = _RA0 + s * _RA1
    s2: float = s * s
    d1: float = 1.0 + s * _SA1
    s4: float = s2 * s2
    r2: float = _RA2 + s * _RA3
    s6: float = s4 * s2
    d2: float = _SA2 + s * _SA3
    s8: float = s4 * s4
    r3: float = _RA4 + s * _RA5
    d3: float = _SA4 + s * _SA5
    r4: float = _RA6 + s * _RA7
    d4: float = _SA6 + s * _SA7
    r: float = r1 + s2 * r2 + s4 * r3 + s6 * r4
    d: float = d1 + s2 * d2 + s4 * d3 + s6 * d4 + s8 * _SA8
    return r / d


def _ratio_b(s: float) -> float:
    """RB(s)/SB(s), s = 1/x², for 1/0.35 <= |x| < 28."""
    r1: float = _RB0 + s * _RB1
    s2: float = s * s
    d1: float = 1.0 + s * _SB1
    s4: float = s2 * s2
    r2: float = _RB2 + s * _RB3
    s6: float = s4 * s2
    d2: float = _SB2 + s * _SB3
    r3: float = _RB4 + s * _RB5
    d3: float = _SB4 + s * _SB5
    d4: float = _SB6 + s * _SB7
    r: float = r1 + s2 * r2 + s4 * r3 + s6 * _RB6
    d: float = d1 + s2 * d2 + s4 * d3 + s6 * d4
    return r / d


def _tail(ax: float, first_set: int) -> float:
    """x·erfc x for 1.25 <= x = ``ax`` < 28, with the first coefficient set if ``first_set``
    is 1 (erf and erfc split at 1/0.35 one unit of the high word apart, as glibc does)."""
    s: float = 1.0 / (ax * ax)
    q: float = 0.0
    if first_set == 1:
        q = _ratio_a(s)
    else:
        q = _ratio_b(s)
    z: float = clear_low_word(ax)  # z² is exact
    return exp(-z * z - 0.5625) * exp((z - ax) * (z + ax) + q)


def erf(x: float) -> float:
    """The error function, 2/√π·∫₀ˣ e^(-t²) dt; erf(±inf) = ±1, nan propagates."""
    hx: int = high_word(x)
    ix: int = hx & 0x7FFFFFFF
    if ix >= 0x7FF00000:  # nan, or ±inf → ±1
        if hx < 0:
            return -1.0 + 1.0 / x
        return 1.0 + 1.0 / x
    if ix < 0x3FEB0000:  # |x| < 0.84375
        if ix < 0x3E300000:  # |x| < 2**-28
            if ix < 0x00800000:  # scaled up first, so no intermediate underflows
                return 0.0625 * (16.0 * x + (16.0 * _EFX) * x)
            return x + _EFX * x
        return x + x * _small(x)
    if ix < 0x3FF40000:  # 0.84375 <= |x| < 1.25
        if hx >= 0:
            return _ERX + _near_one(x)
        return -_ERX - _near_one(-x)
    if ix >= 0x40180000:  # |x| >= 6
        if hx >= 0:
            return 1.0 - _TINY
        return _TINY - 1.0
    ax: float = math.fabs(x)
    first: int = 0
    if ix < 0x4006DB6E:
        first = 1
    r: float = _tail(ax, first)
    if hx >= 0:
        return 1.0 - r / ax
    return r / ax - 1.0


def erfc(x: float) -> float:
    """The complementary error function 1 - erf x, accurate where erf x is near 1;
    erfc(+inf) = 0, erfc(-inf) = 2, nan propagates."""
    hx: int = high_word(x)
    ix: int = hx & 0x7FFFFFFF
    if ix >= 0x7FF00000:
        if hx < 0:
            return 2.0 + 1.0 / x
        return 1.0 / x
    if ix < 0x3FEB0000:  # |x| < 0.84375
        if ix < 0x3C700000:  # |x| < 2**-56
            return 1.0 - x
        y: float = _small(x)
        if hx < 0x3FD00000:  # x < 1/4
            return 1.0 - (x + x * y)
        r: float = x * y
        r = r + (x - 0.5)
        return 0.5 - r
    if ix < 0x3FF40000:  # 0.84375 <= |x| < 1.25
        if hx >= 0:
            return (1.0 - _ERX) - _near_one(x)
        return 1.0 + (_ERX + _near_one(-x))
    if ix < 0x403C0000:  # |x| < 28
        if hx < 0 and ix >= 0x40180000:  # x <= -6
            return 2.0 - _TINY
        ax: float = math.fabs(x)
        first: int = 0
        if ix < 0x4006DB6D:
            first = 1
        t: float = _tail(ax, first)
        if hx > 0:
            return t / ax
        return 2.0 - t / ax
    if hx > 0:
        return _TINY * _TINY
    return 2.0 - _TINY
