"""Random programs: hypothesis builds typed expressions (ints, floats, bools, mixed), each
becomes a kernel compiled AND run by CPython on the same inputs; results and raised
exceptions must agree exactly. Ints stay small enough that CPython's big ints never differ
from int64."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import check, python_and_compiled

EXAMPLES = int(os.environ.get("PORTALIS_RANDOM_PROGRAMS", "80"))  # raise it for a long run
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def ints(depth: int) -> st.SearchStrategy[str]:
    leaf = st.one_of(st.sampled_from(["a", "b", "n"]), st.integers(-9, 9).map(str))
    if depth == 0:
        return leaf
    sub = ints(depth - 1)
    return st.one_of(
        leaf,
        st.tuples(sub, st.sampled_from(["+", "-", "//", "%"]), sub).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        ),
        st.tuples(sub, st.integers(-9, 9)).map(lambda t: f"({t[0]} * {t[1]})"),
        sub.map(lambda e: f"abs({e})"),
        st.tuples(sub, sub).map(lambda t: f"min({t[0]}, {t[1]})"),
        st.tuples(sub, sub).map(lambda t: f"max({t[0]}, {t[1]})"),
        st.tuples(bools(depth - 1), sub, sub).map(lambda t: f"({t[1]} if {t[0]} else {t[2]})"),
        st.tuples(sub, st.integers(0, 6)).map(lambda t: f"({t[0]} >> {t[1]})"),
        st.tuples(sub, sub).map(lambda t: f"({t[0]} & {t[1]})"),
        st.tuples(sub, sub).map(lambda t: f"({t[0]} ^ {t[1]})"),
        floats(depth - 1).map(lambda e: f"int(min(max({e}, -1e6), 1e6))"),
        floats(depth - 1).map(lambda e: f"round(min(max({e}, -1e6), 1e6))"),
    )


def floats(depth: int) -> st.SearchStrategy[str]:
    leaf = st.one_of(
        st.sampled_from(["x", "y"]),
        st.sampled_from(["0.5", "-2.25", "3.0", "1e-3", "0.0", "-0.0", "7.5"]),
    )
    if depth == 0:
        return leaf
    sub = floats(depth - 1)
    return st.one_of(
        leaf,
        st.tuples(sub, st.sampled_from(["+", "-", "*", "/", "//", "%"]), sub).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        ),
        st.tuples(sub, ints(depth - 1)).map(lambda t: f"({t[0]} * {t[1]})"),
        ints(depth - 1).map(lambda e: f"float({e})"),
        ints(depth - 1).map(lambda e: f"({e} / 4)"),
        sub.map(lambda e: f"abs({e})"),
        sub.map(lambda e: f"({e}) ** 2"),
        sub.map(lambda e: f"math.sqrt(abs({e}))"),
        sub.map(lambda e: f"-({e})"),
        sub.map(lambda e: f"float(math.floor(min(max({e}, -1e9), 1e9)))"),
        st.tuples(sub, sub).map(lambda t: f"min({t[0]}, {t[1]})"),
        st.tuples(sub, sub).map(lambda t: f"max({t[0]}, {t[1]})"),
        st.tuples(sub, sub).map(lambda t: f"math.copysign({t[0]}, {t[1]})"),
        st.tuples(bools(depth - 1), sub, sub).map(lambda t: f"({t[1]} if {t[0]} else {t[2]})"),
        st.tuples(sub, sub).map(lambda t: f"({t[0]} or {t[1]})"),
        st.tuples(sub, sub).map(lambda t: f"({t[0]} and {t[1]})"),
    )


def bools(depth: int) -> st.SearchStrategy[str]:
    leaf = st.sampled_from(["flag", "True", "False"])
    if depth == 0:
        return leaf
    num = st.one_of(ints(depth - 1), floats(depth - 1))
    return st.one_of(
        leaf,
        st.tuples(num, st.sampled_from(["<", "<=", ">", ">=", "==", "!="]), num).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        ),
        st.tuples(num, num, num).map(lambda t: f"({t[0]} < {t[1]} <= {t[2]})"),
        st.tuples(bools(depth - 1), bools(depth - 1)).map(lambda t: f"({t[0]} and {t[1]})"),
        st.tuples(bools(depth - 1), bools(depth - 1)).map(lambda t: f"({t[0]} or {t[1]})"),
        bools(depth - 1).map(lambda e: f"(not {e})"),
    )


TEMPLATE = """import math


def f(a: int, b: int, n: int, x: float, y: float, flag: bool) -> {result}:
    return {expr}
"""

INPUTS = [
    (0, 0, 0, 0.0, 0.0, False),
    (7, -3, 2, 1.5, -0.25, True),
    (-100, 9, -1, -3.75, 1e6, False),
    (13, 13, 5, -0.0, 2.5, True),
    (1, -1, 0, float("inf"), float("nan"), True),
]


def run_both(expr: str, result: str) -> None:
    source = TEMPLATE.format(result=result, expr=expr)
    kernels = python_and_compiled(source, "random.py")
    for args in INPUTS:
        check(kernels, "f", *args)


@SETTINGS
@given(ints(3))
def test_random_int_expressions(expr: str) -> None:
    run_both(expr, "int")


@SETTINGS
@given(floats(3))
def test_random_float_expressions(expr: str) -> None:
    run_both(expr, "float")


@SETTINGS
@given(bools(3))
def test_random_bool_expressions(expr: str) -> None:
    run_both(expr, "bool")
