"""NumPy's float64 ``x ** y``: the C library's ``pow`` as it is, with no exceptions — inf on
overflow, ±inf for ``0.0 ** -1``, nan for a negative base to a non-integer power
(frontend/numpy_floats.py). Under CPython ``numpy_pow(x, y) == math.pow(x, y)`` wherever
``math.pow`` does not raise, and ``np.float64(x) ** y`` everywhere.
"""

from portalis.lang.libm.pow import pow as c_pow


def numpy_pow(x: float, y: float) -> float:
    return c_pow(x, y)
