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

ADAPTED = """
import math

from portalis.lang import Array, f64


def fft(re: Array[f64], im: Array[f64]) -> None:
    n = len(re)
    j = 0
    for i in range(1, n):
        bit = n >> 1
        while j & bit:
            j ^= bit
            bit >>= 1
        j ^= bit
        if i < j:
            re[i], re[j] = re[j], re[i]
            im[i], im[j] = im[j], im[i]
    size = 2
    while size <= n:
        half = size // 2
        angle = -2.0 * math.pi / size
        step_re = math.cos(angle)
        step_im = math.sin(angle)
        for start in range(0, n, size):
            w_re = 1.0
            w_im = 0.0
            for k in range(half):
                a = start + k
                b = a + half
                t_re = w_re * re[b] - w_im * im[b]
                t_im = w_re * im[b] + w_im * re[b]
                re[b] = re[a] - t_re
                im[b] = im[a] - t_im
                re[a] += t_re
                im[a] += t_im
                w_re, w_im = w_re * step_re - w_im * step_im, w_re * step_im + w_im * step_re
        size *= 2
"""

WHY = "complex numbers (complex128 arrays, cmath.exp, 2j literals): split into re/im arrays"
ENTRY = "fft"
SIZES = {"test": 64, "quick": 2048, "full": 16384}


def inputs(n: int) -> tuple[object, ...]:
    rng = np.random.default_rng(3)
    return rng.standard_normal(n), rng.standard_normal(n)


def natural_inputs(n: int) -> tuple[object, ...]:
    re, im = inputs(n)
    return (re + 1j * im,)
