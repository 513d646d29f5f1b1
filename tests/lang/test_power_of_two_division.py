"""``x / c`` for a float constant ``c = ±2**k`` is emitted as ``x * 2**-k``: the same bits for
every ``x`` (the product and the quotient round the same real number), checked against
CPython with NaN, ±inf, ±0.0, subnormals and the extremes; other divisors keep the division."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from portalis.lang import compile_source

from .conftest import check, python_and_compiled

SOURCE = """\
def quarter(x: float) -> float:
    return x / 4.0


def halves(x: float) -> tuple[float, float, float, float]:
    return x / 0.5, x / -2.0, x / 1024.0, x / 9.332636185032189e-302  # 2**-1000


def kept(x: float) -> tuple[float, float, float]:
    return x / 3.0, x / 8.98846567431158e307, x / 0.1  # 2**1023: 1/c subnormal
"""

KERNELS = python_and_compiled(SOURCE, "power_of_two_division.py")
EDGES = [
    0.0, -0.0, 1.0, -1.0, 3.0, 5e-324, -5e-324, 2.2250738585072014e-308, 1e-310,
    1.7976931348623157e308, -1.7976931348623157e308, math.inf, -math.inf, math.nan,
]  # fmt: skip


def test_edges_match_cpython() -> None:
    for x in EDGES:
        for name in ("quarter", "halves", "kept"):
            check(KERNELS, name, x)


@settings(max_examples=300, deadline=None)
@given(st.floats(allow_nan=True, allow_infinity=True))
def test_random_floats_match_cpython(x: float) -> None:
    for name in ("quarter", "halves", "kept"):
        check(KERNELS, name, x)


def test_power_of_two_divisors_multiply() -> None:
    wat = compile_source(SOURCE, "power_of_two_division.py").wat
    start = wat.index("(func $halves")
    halves = wat[start : wat.index("(func $kept")] if "(func $kept" in wat else wat[start:]
    assert "f64.div" not in halves and halves.count("f64.mul") == 4
    start = wat.index("(func $kept")
    assert wat[start:].count("f64.div") >= 3
