"""Conditions of ``if`` and ``while`` built from ``and``/``or``/``not`` compile to branches;
Python's short-circuit order must survive (the right operand is evaluated only when Python
would evaluate it: here it would raise otherwise)."""

from __future__ import annotations

import numpy as np

from portalis.lang import compile_source

from .conftest import Kernels, check, kernels_fixture

SOURCE = """\
from portalis.lang import Array, f64


def guarded(x: int, y: int) -> int:
    if x != 0 and 100 // x > y:
        return 1
    elif x == 0 or 100 // x < -y:
        return 2
    elif not (y > 3 or x > 50) and not y == 1:
        return 3
    return 4


def scan(xs: Array[f64], limit: float) -> int:
    i = 0
    while i < len(xs) and xs[i] < limit:
        i += 1
    return i


def scan_or(xs: Array[f64], stop: int) -> int:
    i = 0
    while not (i >= len(xs) or xs[i] < 0.0) and i != stop:
        i += 1
    return i


def mixed(a: int, b: int, c: int) -> int:
    t = 0
    if (a > 0 or b > 0) and (c > 0 or a + b > 5):
        t += 1
    if not (a > 0 and b > 0) or c == 7:
        t += 10
    if a and b:
        t += 100
    return t
"""


kernels = kernels_fixture(SOURCE, "branches.py")


def test_if_chains(kernels: Kernels) -> None:
    for x in (-200, -7, -1, 0, 1, 3, 51, 200):
        for y in (-60, -3, 0, 1, 2, 4, 60):
            check(kernels, "guarded", x, y)


def test_while_conditions_short_circuit(kernels: Kernels) -> None:
    for n in range(0, 7):
        xs = np.arange(float(n))
        for limit in (-1.0, 0.5, 2.5, 10.0):
            check(kernels, "scan", xs, limit)
        for stop in (-1, 0, 2, 9):
            check(kernels, "scan_or", xs, stop)
            check(kernels, "scan_or", -xs - 1.0, stop)


def test_nested_and_or_not(kernels: Kernels) -> None:
    for a in (-2, 0, 3, 7):
        for b in (-1, 0, 4):
            for c in (-5, 0, 7):
                check(kernels, "mixed", a, b, c)


def test_conditions_become_branches() -> None:
    wat = compile_source(SOURCE, "branches.py").wat
    scan = wat.split("(func $scan ", 1)[1].split("(func ", 1)[0]
    assert "if (result i32)" not in scan  # no i32 built for `and`, just two br_if
