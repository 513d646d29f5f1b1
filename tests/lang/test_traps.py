"""Where CPython raises, the compiled module traps; the runtime names the exception and the
kernel's source line."""

from __future__ import annotations

import math

import numpy as np
import pytest

from portalis.bench.cpython import import_source
from portalis.errors import WasmTrap

from .conftest import compile_kernel

SOURCE = """\
import math
from portalis.lang import Array, f64


def div(a: float, b: float) -> float:
    return a / b


def idiv(a: int, b: int) -> int:
    return a // b


def imod(a: int, b: int) -> int:
    return a % b


def fmod_op(a: float, b: float) -> float:
    return a % b


def at(xs: Array[f64], i: int) -> float:
    return xs[i]


def root(x: float) -> float:
    return math.sqrt(x)


def logarithm(x: float) -> float:
    return math.log(x)


def grow(x: float) -> float:
    return math.exp(x)


def to_int(x: float) -> int:
    return int(x)


def check(x: int) -> int:
    assert x > 0
    return x


def shift(a: int, n: int) -> int:
    return a << n


def deep(n: int) -> int:
    return deep(n + 1) + 1


def inner(x: float) -> float:
    return math.acos(x)


def outer(x: float) -> float:
    y = x * 2.0
    return inner(y)


def steps(n: int, step: int) -> int:
    t = 0
    for i in range(0, n, step):
        t += i
    return t


def _checked(x: float) -> float:
    if x < 0.0:
        raise ValueError("negative")
    return x * 2.0


def uses_checked(x: float) -> float:
    return _checked(x) + 1.0
"""


@pytest.fixture(scope="module")
def kernel():  # type: ignore[no-untyped-def]
    return compile_kernel(SOURCE, "traps.py")


CASES = [
    ("div", (1.0, 0.0), "ZeroDivisionError", 6),
    ("div", (1.0, -0.0), "ZeroDivisionError", 6),
    ("idiv", (1, 0), "ZeroDivisionError", 10),
    ("imod", (1, 0), "ZeroDivisionError", 14),
    ("fmod_op", (1.0, 0.0), "ZeroDivisionError", 18),
    ("root", (-1.0,), "ValueError", 26),
    ("logarithm", (0.0,), "ValueError", 30),
    ("logarithm", (-1.0,), "ValueError", 30),
    ("grow", (1000.0,), "OverflowError", 34),
    ("to_int", (math.nan,), "ValueError", 38),
    ("to_int", (math.inf,), "OverflowError", 38),
    ("check", (0,), "AssertionError", 42),
    ("shift", (1, -1), "ValueError", 47),
    ("outer", (0.75,), "ValueError", 55),
    ("steps", (10, 0), "ValueError", 65),
    ("uses_checked", (-1.0,), "ValueError", 72),  # raised inside an inlined helper
]


@pytest.mark.parametrize(("name", "args", "exception", "line"), CASES)
def test_trap_names_exception_and_line(
    kernel,
    name: str,
    args: tuple[object, ...],  # type: ignore[no-untyped-def]
    exception: str,
    line: int,
) -> None:
    with pytest.raises(Exception) as expected:
        getattr(import_source(SOURCE, "traps_cpython"), name)(*args)
    with pytest.raises(WasmTrap) as info:
        getattr(kernel, name)(*args)
    assert info.value.python_exception == exception
    assert info.value.line == line
    # a math function's error reads as CPython's ("ValueError: math domain error",
    # "OverflowError: math range error"); other errors keep theirs
    text = str(expected.value)
    math_texts = ("math domain error", "math range error")
    if text in math_texts:
        assert f"{exception}: {text} (traps.py:{line})" in str(info.value)
    else:
        assert not any(t in str(info.value) for t in math_texts)


def test_index_error_both_ends(kernel) -> None:  # type: ignore[no-untyped-def]
    xs = np.arange(4.0)
    assert kernel.at(xs, -4) == 0.0
    assert kernel.at(xs, 3) == 3.0
    for bad in (4, -5, 1 << 40, -(1 << 40)):
        with pytest.raises(WasmTrap) as info:
            kernel.at(xs, bad)
        assert info.value.python_exception == "IndexError"
        assert info.value.line == 22


def test_runaway_recursion_is_a_clean_trap(kernel) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(WasmTrap) as info:
        kernel.deep(0)
    assert info.value.trap_code  # a stack overflow, reported by the runtime, not a crash


def test_inlined_helper_still_returns(kernel) -> None:  # type: ignore[no-untyped-def]
    assert kernel.uses_checked(2.0) == 5.0


def test_module_keeps_working_after_a_trap() -> None:
    k = compile_kernel(SOURCE, "traps.py")
    with pytest.raises(WasmTrap):
        k.div(1.0, 0.0)
    assert k.div(1.0, 4.0) == 0.25
