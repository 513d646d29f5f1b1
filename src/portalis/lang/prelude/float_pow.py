"""CPython's ``x ** y`` for floats (``float_pow`` in Objects/floatobject.c), in the kernel
language. The C ``pow`` it ends with comes from the math library (``math.pow``).

Where CPython returns a complex number (a negative base to a non-integer power) a kernel
raises ValueError instead: kernels have no complex numbers.
"""

import math

TWO53 = 9007199254740992.0


def _is_integer(y: float) -> bool:
    return math.fabs(y) >= TWO53 or y == float(int(y))


def _is_odd(y: float) -> bool:
    a = math.fabs(y)
    if a >= TWO53 or a != float(int(a)):
        return False
    return int(a) % 2 == 1


def float_pow(x: float, y: float) -> float:
    if y == 0.0:
        return 1.0
    if x != x:
        return x
    if y != y:
        return 1.0 if x == 1.0 else y
    if math.isinf(y):
        ax = math.fabs(x)
        if ax == 1.0:
            return 1.0
        if (y > 0.0) == (ax > 1.0):
            return math.fabs(y)
        return 0.0
    odd = _is_odd(y)
    if math.isinf(x):
        if y > 0.0:
            return x if odd else math.fabs(x)
        return math.copysign(0.0, x) if odd else 0.0
    if x == 0.0:
        if y < 0.0:
            raise ZeroDivisionError("0.0 cannot be raised to a negative power")
        return x if odd else 0.0
    negate = False
    if x < 0.0:
        if not _is_integer(y):
            raise ValueError("negative number cannot be raised to a fractional power")
        x = -x
        negate = odd
    if x == 1.0:
        return -1.0 if negate else 1.0
    r = math.pow(x, y)
    return -r if negate else r
