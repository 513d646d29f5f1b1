"""Spectral norm: the benchmarks-game power iteration on the infinite matrix A(i, j)."""

from __future__ import annotations

NATURAL = """
import math

import numpy as np
from portalis.lang import Array, f64


def eval_a(i: int, j: int) -> float:
    return 1.0 / ((i + j) * (i + j + 1) // 2 + i + 1)


def mult_av(v: Array[f64], out: Array[f64]) -> None:
    n = len(v)
    for i in range(n):
        s = 0.0
        for j in range(n):
            s += eval_a(i, j) * v[j]
        out[i] = s


def mult_atv(v: Array[f64], out: Array[f64]) -> None:
    n = len(v)
    for i in range(n):
        s = 0.0
        for j in range(n):
            s += eval_a(j, i) * v[j]
        out[i] = s


def mult_atav(v: Array[f64], out: Array[f64], tmp: Array[f64]) -> None:
    mult_av(v, tmp)
    mult_atv(tmp, out)


def spectral_norm(n: int) -> float:
    u = np.ones(n)
    v = np.zeros(n)
    tmp = np.zeros(n)
    for _ in range(10):
        mult_atav(u, v, tmp)
        mult_atav(v, u, tmp)
    vbv = 0.0
    vv = 0.0
    for ue, ve in zip(u, v):
        vbv += ue * ve
        vv += ve * ve
    return math.sqrt(vbv / vv)
"""

ADAPTED = None
WHY = ""
ENTRY = "spectral_norm"
SIZES = {"test": 20, "quick": 50, "full": 100}


def inputs(n: int) -> tuple[object, ...]:
    return (n,)
