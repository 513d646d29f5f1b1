"""FFT: iterative radix-2 Cooley–Tukey, in place, with the bit-reversal permutation."""

from __future__ import annotations

import numpy as np

NATURAL = """
import cmath
import math

import numpy as np
from portalis.lang import Array


def fft(x: Array[np.complex128]) -> None:
    n = len(x)
    j = 0
    for i in range(1, n):
        bit = n >> 1
        while j & bit:
            j ^= bit
            bit >>= 1
        j ^= bit
        if i < j:
            x[i], x[j] = x[j], x[i]
    size = 2
    while size <= n:
        half = size // 2
        w_step = cmath.exp(-2j * math.pi / size)
        for start in range(0, n, size):
            w = 1.0 + 0j
            for k in range(half):
                t = w * x[start + k + half]
                x[start + k + half] = x[start + k] - t
                x[start + k] += t
                w *= w_step
        size *= 2
"""

ADAPTED = None
WHY = ""
ENTRY = "fft"
SIZES = {"test": 64, "quick": 2048, "full": 16384}


def inputs(n: int) -> tuple[object, ...]:
    rng = np.random.default_rng(3)
    re, im = rng.standard_normal(n), rng.standard_normal(n)
    return (re + 1j * im,)
