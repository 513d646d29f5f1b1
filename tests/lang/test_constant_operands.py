"""A float ``c + x`` or ``c * x`` with a constant ``c`` is emitted as ``x + c`` / ``x * c``
(backend/emit.py: Cranelift reads a constant right operand from memory): the same bits as
CPython, signed zeros, infinities and NaN included; ``c - x`` keeps its order."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from portalis.lang import compile_source

from .conftest import Kernels, check, kernels_fixture

SOURCE = """
def poly(x: float) -> float:
    return 0.5 + x * (-0.25 + x * (2.0 * x))


def mixed(x: float, y: float) -> float:
    return (1.0 - x) + 3.0 * y + (-0.0 + x) * (0.0 * y)
"""


kernels = kernels_fixture(SOURCE, "constants.py")


FLOATS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 1.0, -1.0, float("inf"), float("-inf"), float("nan")]),
)


@settings(max_examples=200, deadline=None)
@given(x=FLOATS, y=FLOATS)
def test_constant_first_operands_keep_cpython_results(kernels: Kernels, x: float, y: float) -> None:
    for name, args in (("poly", (x,)), ("mixed", (x, y))):
        check(kernels, name, *args)


def test_constant_goes_right_except_in_subtraction() -> None:
    wat = compile_source(SOURCE, "constants.py").wat
    poly = wat[wat.index("(func $poly") : wat.index("(func $mixed")]
    # 0.5 + (...): the product first, the constant after it, right before the add
    assert "f64.mul\n    f64.const 0.5\n    f64.add" in poly
    assert "local.get $x\n    f64.const 2.0\n    f64.mul" in poly
    mixed = wat[wat.index("(func $mixed") :]
    assert "f64.const 1.0\n    local.get $x\n    f64.sub" in mixed
