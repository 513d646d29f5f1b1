"""Complex arrays (Array[np.complex128]): element reads, writes, in-place updates, swaps,
parts, local arrays and helpers — compared with CPython by tests/lang/test_complex_arrays.py."""

import cmath
import math

import numpy as np

from portalis.lang import Array


def scale_rotate(a: Array[np.complex128], w_re: float, w_im: float) -> float:
    w = complex(w_re, w_im)
    total = 0.0
    for i in range(len(a)):
        a[i] *= w
        total += a[i].real - a[i].imag
    return total


def mix(a: Array[np.complex128], b: Array[np.complex128], s: float) -> None:
    n = len(a)
    for i in range(n):
        z = a[i] * b[n - 1 - i]
        a[i] = z + s
        b[n - 1 - i] = -a[i] - 1j * s
    if n >= 2:
        a[0], a[n - 1] = a[n - 1], a[0]


def store_numbers(a: Array[np.complex128], x: float) -> None:
    for i in range(len(a)):
        a[i] = x * i


def _accumulate(dst: Array[np.complex128], src: Array[np.complex128]) -> None:
    for i in range(len(src)):
        dst[i] += src[i]


def local_arrays(a: Array[np.complex128], turn: float) -> tuple[float, float]:
    n = len(a)
    work = np.zeros(n, dtype=np.complex128)
    copy = np.zeros_like(a)
    for i in range(n):
        work[i] = a[i] * cmath.exp(1j * turn * i)
        copy[i] = a[i]
    _accumulate(work, copy)
    last = np.empty(2, dtype=np.complex128)
    last[0] = work[n - 1]
    last[1] = -last[0]
    return last[0].real + last[1].imag, work[0].imag


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


def twiddle(m: Array[np.complex128, 2], s: float) -> bool:
    rows = len(m)
    for i in range(rows):
        for j in range(len(m[i])):
            m[i, j] = m[i, j].conjugate() * cmath.exp(-1j * cmath.pi * s) + 1j * s
    if rows > 0:
        m[-1, 0] -= m[0, -1]
        return m[0, 0] == m[-1, -1]
    return False
