"""``x ** -1.5`` for a float ``x`` (gravity's ``r2 ** -1.5``, as in the n-body kernel),
bit-identical to CPython's ``pow(x, -1.5)``, and NumPy's float64 ``x ** -1.5`` (``numpy``:
never raising), small enough to be inlined into the loop that uses it.

The general fast path for constant powers (``libm/powers.py``) written out for the one
exponent: √x as a double-double, times x, then the reciprocal with its exact remainder, and
one rounding, kept where it is provably glibc's pow's (``libm/fixed_powers.py``). One
division: q = 1 / fl(√x·x) is both the reciprocal (its remainder r, exact, corrects it to
q·(1 + r), r within a few ulp, so the neglected q·r² is ~2**-100 of it) and, times x/2,
1 / (2√x) for √x's low part (a few ulp off on a term below √x's ulp); the exact value
differs from h + lo by under 2**-100 relatively (tests/lang/test_fixed_powers.py). The
general path's call and its loop over the exponent's bits took half of the n-body kernel's
time. Where the exact power is too close to a midpoint (about 4% of inputs), and for zeros,
negative bases, infinities, nan and x outside [1e-150, 1e150], the general ``x ** -1.5`` of
the semantics decides: CPython's (prelude/float_pow.py, with its exceptions) or the C
library's pow (NumPy's: nan for a negative base, inf for 0). ``numpy`` is a constant at
every call site. Plain Python too: under CPython ``inverse_three_halves(x, False) ==
x ** -1.5`` and ``inverse_three_halves(x, True) == np.float64(x) ** -1.5`` bit for bit
(tests/lang/test_fixed_powers.py).
"""

import math

from portalis.lang.libm._dd import product_error, square_error
from portalis.lang.libm.fixed_powers import decided
from portalis.lang.libm.pow import pow as c_pow


def inverse_three_halves(x: float, numpy: bool) -> float:
    if 1e-150 < x < 1e150:
        sh = math.sqrt(x)  # √x = sh + sl (x - sh² is exact: Sterbenz)
        s2 = sh * sh
        p = sh * x  # x·√x = ph + pl
        q = 1.0 / p  # within 2 ulp of 1 / (ph + pl); 0.5·q·x within 3 ulp of 1 / (2·sh)
        sl = ((x - s2) - square_error(sh, s2)) * (0.5 * q * x)
        t = product_error(sh, x, p) + sl * x
        ph = p + t
        pl = t - (ph - p)
        p = q * ph  # 1 / (ph + pl) = q / (1 - r) = q + q·r + O(q·r²), r the exact remainder
        r = ((1.0 - p) - product_error(q, ph, p)) - q * pl
        rl = r * q
        h = q + rl
        if decided(h, rl - (h - q)):
            return h
    if numpy:
        return c_pow(x, -1.5)
    return x**-1.5
