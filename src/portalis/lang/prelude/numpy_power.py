"""NumPy's float64 ``x ** y`` for a constant integer or half-integer y (2·y = ``twice_y``):
the double-double power of CPython's fast path (prelude/power.py) where it is provably the C
library's pow, else that pow itself, which never raises (frontend/numpy_floats.py).
"""

from portalis.lang.libm.pow import pow as c_pow
from portalis.lang.libm.powers import power as power_in_double_double


def numpy_power(x: float, twice_y: int) -> float:
    r = power_in_double_double(x, twice_y)
    if r == r:
        return r
    return c_pow(x, 0.5 * twice_y)
