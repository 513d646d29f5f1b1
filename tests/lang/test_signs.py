"""Checks dropped because the operand's sign is known from its shape (backend/signs.py):
``sqrt`` of a sum of squares, division by a root of a positive number. The checks that
could fire are kept, and NaN still flows through without an exception, as in CPython."""

from __future__ import annotations

import math

import pytest

from portalis.lang import compile_source

from .conftest import Kernels, check, kernels_fixture, outcome

SOURCE = """\
import math


def inverse_distance(dx: float, dy: float) -> float:
    return 1.0 / math.sqrt(dx * dx + dy * dy + 1e-9)


def root_of_squares(dx: float, dy: float) -> float:
    return math.sqrt(dx * dx + abs(dy))


def over_square(x: float) -> float:
    return 1.0 / (x * x)


def over_underflowing(x: float, tiny: float) -> float:
    return 1.0 / (x * x + tiny * tiny)


def root_of_product(x: float, y: float) -> float:
    return math.sqrt(x * y)


def over_root(x: float) -> float:
    return 1.0 / math.sqrt(x * x)
"""

VALUES = [0.0, -0.0, 1.5, -2.0, 1e-200, -1e200, math.inf, -math.inf, math.nan]


kernels = kernels_fixture(SOURCE, "signs.py")


@pytest.mark.parametrize(
    "name",
    ["inverse_distance", "root_of_squares", "root_of_product", "over_underflowing"],
)
def test_two_argument_functions_match_cpython(kernels: Kernels, name: str) -> None:
    for a in VALUES:
        for b in VALUES:
            check(kernels, name, a, b)


@pytest.mark.parametrize("name", ["over_square", "over_root"])
def test_one_argument_functions_match_cpython(kernels: Kernels, name: str) -> None:
    for a in VALUES:
        check(kernels, name, a)


def test_zero_and_negative_operands_still_raise(kernels: Kernels) -> None:
    _, wasm = kernels
    assert outcome(wasm.over_square, 0.0) == ("raise", "ZeroDivisionError")
    assert outcome(wasm.over_underflowing, 0.0, 1e-200) == ("raise", "ZeroDivisionError")
    assert outcome(wasm.over_root, 0.0) == ("raise", "ZeroDivisionError")
    assert outcome(wasm.root_of_product, -1.0, 2.0) == ("raise", "ValueError")


def body(wat: str, name: str) -> str:
    return wat.split(f"(func ${name}", 1)[1].split("(func ", 1)[0]


def test_provably_needless_checks_are_not_emitted() -> None:
    wat = compile_source(SOURCE, "signs.py").wat
    assert "global.set $portalis.error" not in body(wat, "inverse_distance")
    assert "global.set $portalis.error" not in body(wat, "root_of_squares")
    for kept in ("over_square", "over_underflowing", "root_of_product", "over_root"):
        assert "global.set $portalis.error" in body(wat, kept)
