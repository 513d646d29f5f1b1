"""A float rounded to an int and used as a float again (``box * round(dx / box)``) skips the
int64 round trip (backend/rounded_floats.py) and still gives CPython's values and errors:
-0.0 becomes 0.0 as ``float(0)`` does, NaN raises ValueError, ±inf OverflowError, and
finite values beyond int64 come back as themselves, as CPython's unbounded ints do."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portalis.lang import compile_source

from .conftest import Kernels, check, kernels_fixture

SOURCE = """
import math


def image(dx: float, box: float) -> float:
    return dx - box * round(dx / box)


def floored(x: float) -> float:
    return math.floor(x) * 0.5


def ceiled(x: float) -> float:
    return 1.0 * math.ceil(x)


def truncated(x: float) -> float:
    return x - math.trunc(x)


def as_int(x: float) -> float:
    return int(x) + 0.25


def still_an_int(x: float) -> int:
    return round(x) + 1
"""

CASES = ["image", "floored", "ceiled", "truncated", "as_int", "still_an_int"]
EDGES = [0.0, -0.0, -0.3, 0.3, -0.5, 0.5, 1.5, 2.5, -2.5, 1e300, -1e300, 2.0**63]
EDGES += [-(2.0**63), 9.3e18, math.inf, -math.inf, math.nan, 5e-324, -5e-324]


pair = kernels_fixture(SOURCE, "rounded.py")


def _check(pair: Kernels, name: str, *args: float) -> None:
    if name == "still_an_int" and math.isfinite(args[0]) and abs(args[0]) >= 2.0**63:
        return  # an int result is an int64 in a kernel (docs/language.md): OverflowError
    check(pair, name, *args)


@pytest.mark.parametrize("name", CASES)
def test_edges_match_cpython(pair: Kernels, name: str) -> None:
    for x in EDGES:
        if name == "image":
            for box in (1.0, 7.9, -3.0, 1e-300, math.inf, 0.0):
                _check(pair, name, x, box)
        else:
            _check(pair, name, x)


@settings(max_examples=300, deadline=None)
@given(st.floats(allow_nan=True, allow_infinity=True), st.floats(-1e3, 1e3))
def test_random_floats_match_cpython(pair: Kernels, x: float, box: float) -> None:
    for name in CASES:
        if name == "image":
            _check(pair, name, x, box)
        else:
            _check(pair, name, x)


def test_the_int64_round_trip_is_gone_where_a_float_is_wanted() -> None:
    wat = compile_source(SOURCE, "rounded.py").wat
    image = wat.split("(func $image", 1)[1].split("\n  (func ", 1)[0]
    assert "f64.nearest" in image and "i64.trunc_f64_s" not in image
    kept = wat.split("(func $still_an_int", 1)[1].split("\n  (func ", 1)[0]
    assert "i64.trunc_f64_s" in kept
