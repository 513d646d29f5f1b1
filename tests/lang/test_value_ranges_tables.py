"""Value ranges for reads of module-level constant tuples (backend/ranges.py): a table read
whose index the code keeps in ``[0, len)`` — ``AROUND[k]`` in ``for k in range(27)``, a
clamp, a mask — needs no check; an index only known non-negative keeps the upper check but
not the negative-index fix-up; anything else is checked as before. Out of range the answer
(IndexError, or Python's count from the end) is CPython's."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from portalis.lang import compile_source

from . import wat_shape
from .conftest import check, python_and_compiled

SOURCE = """\
AROUND = (-1, 0, 1, 0, 1, -1, 1, 1, 0, -1, -1, 0, 1, 0, 1, 0, -1, 1, 0, 1, -1, 0, 0, 1, -1, 1, 0)
WEIGHTS = (0.5, 0.25, 0.125, 2.0, 4.0)


def around_sum(c: int, stop: int) -> int:
    total = 0
    for k in range(27):
        if total > stop:
            break
        total += c + AROUND[k]
    return total


def clamped(i: int) -> float:
    return WEIGHTS[min(max(i, 0), 4)] + WEIGHTS[i & 3]


def nonneg(i: int) -> float:
    if i < 0:
        return -1.0
    return WEIGHTS[i]


def anything(i: int) -> float:
    return WEIGHTS[i]
"""


KERNELS = python_and_compiled(SOURCE, "tables.py")


def test_reads_the_code_keeps_in_range_have_no_check() -> None:
    wat = compile_source(SOURCE, "tables.py").wat
    for name in ("around_sum", "clamped"):
        fn = wat_shape.function(wat, name)
        assert not fn.raises("IndexError"), name
    fn = wat_shape.function(wat, "nonneg")
    assert wat_shape.fix_ups(fn) == 0 and fn.raises("IndexError")
    fn = wat_shape.function(wat, "anything")
    assert wat_shape.fix_ups(fn) == 1


@settings(max_examples=200, deadline=None)
@given(st.integers(-(2**40), 2**40), st.integers(-100, 100))
def test_same_answers_as_cpython(i: int, stop: int) -> None:
    check(KERNELS, "around_sum", i, stop)
    for name in ("clamped", "nonneg", "anything"):
        check(KERNELS, name, i)
        check(KERNELS, name, i % 11 - 5)  # around the table's ends, from the end included
