"""``math.NAME`` calls take the library function's body in kernel code (passes/inline.py,
``_inline_math_calls``), and library functions inline their library helpers: results stay
CPython's bit for bit, exceptions stay CPython's, with the kernel's line."""

from __future__ import annotations

import math
import re
from functools import cache

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portalis.errors import WasmTrap
from portalis.lang import compile_source
from portalis.lang.passes import inline

from .conftest import Kernels, check, outcome, python_and_compiled

ONE = [
    "sin", "cos", "tan", "asin", "acos", "atan", "exp", "expm1", "log", "log1p", "log2",
    "log10", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "cbrt", "exp2", "erf", "erfc",
]  # fmt: skip
TWO = ["atan2", "pow", "hypot", "fmod"]

#: Each call sits in a loop: only calls in innermost loops are inlined.
ONE_SOURCE = """
def f_{0}(x: float) -> float:
    r = 0.0
    for _ in range(1):
        r = math.{0}(x)
    return r

"""
TWO_SOURCE = """
def f_{0}(x: float, y: float) -> float:
    r = 0.0
    for _ in range(1):
        r = math.{0}(x, y)
    return r

"""
SOURCE = (
    "import math\n\nfrom portalis.lang import Array, f64\n\n"
    + "".join(ONE_SOURCE.format(n) for n in ONE)
    + "".join(TWO_SOURCE.format(n) for n in TWO)
    + """
def outside(x: float) -> float:
    return math.log(x)


def pricing(xs: Array[f64], out: Array[f64]) -> None:
    for i in range(len(xs)):
        x = xs[i]
        out[i] = 0.5 * math.erfc(-x / math.sqrt(2.0)) - math.exp(-x) * math.log(1.0 + x * x)


def twice(x: float) -> float:
    a = 0.0
    for _ in range(1):
        a = math.log(x)
        a = a + math.log(x - 1.0)
    return a
"""
)
LINES = SOURCE.splitlines()
FIRST_LOG = LINES.index("        a = math.log(x)") + 1

#: Any double, and the ranges where the functions' own branches (and errors) lie.
FLOATS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(-40.0, 40.0),
    st.floats(-1.5, 1.5),
    st.floats(0.0, 3.0),
    st.sampled_from([0.0, -0.0, 1.0, -1.0, 0.5, 710.0, -745.2, 1e-310, 28.0, 6.0]),
)


@cache
def kernels() -> Kernels:
    """CPython's namespace, and the kernel with every math function inlined, however big:
    the default limit (MAX_MATH_NODES) inlines only the small ones, but any of them may be
    inlined and must stay exact."""
    saved = inline.MAX_MATH_NODES
    inline.MAX_MATH_NODES = 1 << 30
    try:
        return python_and_compiled(SOURCE, "inline_math.py")
    finally:
        inline.MAX_MATH_NODES = saved


@cache
def wat() -> str:
    return compile_source(SOURCE, "inline_math.py").wat


def _body(text: str, function: str) -> str:
    start = text.index(f"(func ${function} ")
    end = text.find("\n  (func ", start + 1)
    return text[start:end]


@settings(max_examples=150, deadline=None)
@given(name=st.sampled_from(ONE), x=FLOATS)
def test_one_argument_math_calls_match_cpython(name: str, x: float) -> None:
    check(kernels(), f"f_{name}", x)


@settings(max_examples=150, deadline=None)
@given(name=st.sampled_from(TWO), x=FLOATS, y=FLOATS)
def test_two_argument_math_calls_match_cpython(name: str, x: float, y: float) -> None:
    check(kernels(), f"f_{name}", x, y)


@settings(max_examples=60, deadline=None)
@given(xs=st.lists(st.floats(-30.0, 30.0), min_size=1, max_size=40))
def test_loop_of_inlined_calls_matches_cpython(xs: list[float]) -> None:
    values = np.array(xs)
    expected, got = np.zeros(len(xs)), np.zeros(len(xs))
    py, wasm = kernels()
    py["pricing"](values, expected)
    wasm.pricing(values, got)
    assert expected.tobytes() == got.tobytes()


def test_kernel_code_holds_the_bodies_not_calls() -> None:
    """exp and log (small) are inlined in the loop (no call of the library function),
    each keeping its out-of-line path for CPython's exception rule; erfc (over
    MAX_MATH_NODES) stays a call."""
    body = _body(wat(), "pricing")
    for symbol in ("libm.exp.exp", "libm.log.log"):
        assert f"call ${symbol}\n" not in body
    for name in ("exp", "log"):
        assert f"call $math.{name}.slow" in body
    assert "call $libm.erf.erfc\n" in body
    # the masked table reads of the inlined exp and log need no index checks there
    assert "i64.const 128\n" not in body
    # outside a loop the call stays a call
    assert "call $libm.log.log\n" in _body(wat(), "outside")


def test_library_helpers_are_inlined_into_library_functions() -> None:
    """erfc's own helpers (the rational approximations, exp) are part of its body."""
    text = compile_source(
        "import math\n\n\ndef f(x: float) -> float:\n    return math.erfc(x)\n", "k.py"
    ).wat
    body = _body(text, "libm.erf.erfc")
    assert not re.search(r"call \$libm\.(erf\.|exp\.exp\b)", body)


def test_big_math_functions_stay_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    """Above MAX_MATH_NODES a math call stays a call (with its exception rule)."""
    monkeypatch.setattr(inline, "MAX_MATH_NODES", 10)
    text = compile_source(
        "import math\n\n\ndef f(x: float) -> float:\n    r = 0.0\n"
        "    for _ in range(1):\n        r = math.log(x) + 1.0\n    return r\n",
        "k2.py",
    ).wat
    body = _body(text, "f")
    assert "call $libm.log.log" in body
    assert "call $math.log.slow" in body


@pytest.mark.parametrize(("x", "line"), [(-1.0, FIRST_LOG), (0.0, FIRST_LOG), (0.5, FIRST_LOG + 1)])
def test_errors_raise_at_the_kernel_line(x: float, line: int) -> None:
    """log of a non-positive number: ValueError, on the line of the call (the inlined body
    keeps the caller's line); the first call raises first."""
    py, wasm = kernels()
    with pytest.raises(WasmTrap) as info:
        wasm.twice(x)
    assert info.value.python_exception == "ValueError"
    assert info.value.line == line
    with pytest.raises(ValueError):
        py["twice"](x)


def test_overflow_raises_overflow_error() -> None:
    py, wasm = kernels()
    assert outcome(wasm.f_exp, 1000.0) == ("raise", "OverflowError")
    assert outcome(py["f_exp"], 1000.0) == ("raise", "OverflowError")
    for x in (1e308, 1.5e308):  # hypot has no error rule: inf, as in CPython
        check(kernels(), "f_hypot", x, x)
    assert math.isinf(wasm.f_hypot(1.5e308, 1.5e308))
