"""Branches on float comparisons: ``if``/``while`` conditions made of float comparisons
(chained, under ``not``, joined by ``and``/``or``, ``math.isfinite``) branch on the comparison
itself, never on its negation built as an i32 (Cranelift then branches on the flags; a
negated float comparison would be wrong for NaN). And ``int(x)``'s one-test fast path
(|x| < 2**63) with CPython's errors off it. Checked against CPython with NaN, ±inf, ±0.0
and the int64 edges."""

from __future__ import annotations

import itertools
import math
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from portalis.lang import compile_source

from .conftest import outcome, python_and_compiled, same

SOURCE = """\
import math

from portalis.lang import Array, f64


def boxed(x: float, y: float, lo: float, hi: float) -> int:
    if not (lo <= x <= hi and lo <= y <= hi and x * x + y * y >= 1.0):
        if math.isfinite(x) and math.isfinite(y):
            return 1
        return 2
    return 3


def either(x: float, y: float) -> int:
    t = 0
    if x < y or not x >= 0.0:
        t += 1
    if not math.isfinite(x):
        t += 10
    else:
        t += 20
    if not (x == y) and not (x != x):
        t += 100
    return t


def count_below(xs: Array[f64], limit: float) -> int:
    i = 0
    while i < len(xs) and not (xs[i] >= limit or xs[i] != xs[i]):
        i += 1
    return i


def to_int(x: float) -> int:
    return int(x)


def cell(x: float, origin: float, inv: float) -> int:
    return int((x - origin) * inv)
"""

EDGES = [
    0.0, -0.0, 0.5, -0.5, 1.0, -1.0, 2.0, 1e300, -1e300, 5e-324,
    math.inf, -math.inf, math.nan,
    2.0**63, -(2.0**63), math.nextafter(2.0**63, 0.0), math.nextafter(-(2.0**63), 0.0),
    math.nextafter(-(2.0**63), -math.inf), 2.0**62, 9.3e18, -9.3e18,
]  # fmt: skip


def _py_int(x: float) -> object:
    """CPython's int(x), with an int beyond int64 OverflowError as in a kernel."""
    r = outcome(int, x)
    if r[0] == "ok" and not -(2**63) <= r[1] < 2**63:
        return ("raise", "OverflowError")
    return r


KERNELS = python_and_compiled(SOURCE, "float_branches.py")


def _check(name: str, *args: object) -> None:
    py, wasm = KERNELS
    got = outcome(getattr(wasm, name), *args)
    if name == "to_int":
        expected = _py_int(args[0])  # type: ignore[arg-type]
    elif name == "cell":
        x, origin, inv = args
        inner = _py_int((x - origin) * inv)  # type: ignore[operator]
        expected = inner if inner[0] == "raise" else outcome(py[name], *args)
    else:
        expected = outcome(py[name], *args)
    assert expected[0] == got[0] and same(expected[1], got[1]), (name, args, expected, got)


def test_edges_match_cpython() -> None:
    for x in EDGES:
        _check("to_int", x)
        _check("cell", x, -40.0, 5.0)
        for y in EDGES:
            _check("either", x, y)
            _check("boxed", x, y, -40.0, 40.0)


floats = st.floats(allow_nan=True, allow_infinity=True)


@settings(max_examples=300, deadline=None)
@given(floats, floats, floats, floats)
def test_random_floats_match_cpython(x: float, y: float, lo: float, hi: float) -> None:
    _check("boxed", x, y, lo, hi)
    _check("either", x, y)
    _check("to_int", x)
    _check("cell", x, lo, y)


@settings(max_examples=100, deadline=None)
@given(st.lists(floats, max_size=8), floats)
def test_while_on_floats_matches_cpython(xs: list[float], limit: float) -> None:
    import numpy as np

    _check("count_below", np.array(xs, dtype=np.float64), limit)


def test_no_branch_tests_a_negated_float_comparison() -> None:
    wat = compile_source(SOURCE, "float_branches.py").wat
    lines = [line.strip() for line in wat.splitlines()]
    for a, b in itertools.pairwise(lines):
        assert not (re.fullmatch(r"f(32|64)\.(eq|ne|lt|gt|le|ge)", a) and b == "i32.eqz"), (
            "a float comparison negated with i32.eqz"
        )
