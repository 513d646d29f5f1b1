"""``x ** 3`` for a float ``x`` (the Lennard-Jones ``(1 / r2) ** 3``), bit-identical to
CPython's ``pow(x, 3)``, and NumPy's float64 ``x ** 3`` (``numpy``: never raising), small
enough to be inlined into the loop that uses it.

The general fast path for constant powers (``libm/powers.py``: the power in double-double,
rounded once, kept where that rounding is provably glibc's pow's) written out for the one
exponent: two exact products, no loop over the exponent's bits, no call. The general path
is a call, which in a loop over pairs spills every live float (with its loop, a quarter of
the Lennard-Jones kernel's time). Where the exact cube is too close to a midpoint between
two doubles (about 4% of inputs; ``libm/fixed_powers.py`` decides), and for zeros,
infinities, nan and |x| outside [1e-90, 1e90] (cubes beyond 2**±900, where CPython may raise
or the double-double would lose bits), the general ``x ** 3.0`` of the semantics decides:
CPython's (prelude/float_pow.py, with its exceptions) or the C library's pow (NumPy's,
never raising). ``numpy`` is a constant at every call site, so one branch folds away.
Plain Python too: under CPython ``cube(x, False) == x ** 3`` and ``cube(x, True) ==
np.float64(x) ** 3`` bit for bit (tests/lang/test_fixed_powers.py).
"""

import math

from portalis.lang.libm._dd import product_error, square_error
from portalis.lang.libm.fixed_powers import decided
from portalis.lang.libm.pow import pow as c_pow


def cube(x: float, numpy: bool) -> float:
    ax = math.fabs(x)
    if 1e-90 < ax < 1e90:
        sh = ax * ax  # ax² = sh + sl exactly
        sl = square_error(ax, sh)
        p = sh * ax  # ax³ = p + t to ~2**-100, then renormalised to h + lo
        t = product_error(sh, ax, p) + sl * ax
        h = p + t
        if decided(h, t - (h - p)):
            return h if x > 0.0 else -h
    if numpy:
        return c_pow(x, 3.0)
    return x**3.0
