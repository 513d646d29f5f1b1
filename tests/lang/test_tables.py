"""Constant tables of nested tuples (``DH = ((a, b, c), …)``): ``T[i][j]``, negative
indices, ``len`` per level and IndexError agree with CPython (differential, Hypothesis);
ragged rows and tuple indices (a TypeError in Python) are located errors."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portalis.errors import CompileError
from portalis.lang import compile_source

from .conftest import Kernels, check, kernels_fixture

SOURCE = """\
DH = ((0.0, 0.1, 1.5), (0.3, 0.0, -0.5), (0.25, 2.0, 0.0), (1.0, 1.0, 1.0))
IDX = ((1, 2), (3, 4))
CUBE = (((1, 2), (3, 4)), ((5, 6), (7, 8)))


def dh(i: int, j: int) -> float:
    return DH[i][j] + DH[-1][2] + len(DH) + len(DH[0])


def cube(i: int, j: int, k: int) -> int:
    return CUBE[i][j][k] * 10 + IDX[j][k] + len(CUBE[0][1])


def row_sum(i: int) -> float:
    s = 0.0
    for j in range(len(DH[0])):
        s += DH[i][j]
    return s
"""


pair = kernels_fixture(SOURCE, "tables.py")


@settings(max_examples=80, deadline=None)
@given(st.integers(-6, 6), st.integers(-4, 4), st.integers(-3, 3))
def test_nested_tables_match_cpython(pair: Kernels, i: int, j: int, k: int) -> None:
    for name, args in (("dh", (i, j)), ("cube", (i, j, k)), ("row_sum", (i,))):
        check(pair, name, *args)


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("T = ((1.0, 2.0), (3.0,))\n\n\ndef f() -> float:\n    return T[0][0]\n", "equal length"),
        ("T = ((1.0, 2.0), (3.0, 4.0))\n\n\ndef f(i: int) -> float:\n    return T[i, 0]\n",
         "index it [i][i]"),
        ("T = ((1.0, 2.0), (3.0, 4.0))\n\n\ndef f(i: int) -> float:\n    return T[i]\n",
         "shape (2, 2)"),
    ],
)  # fmt: skip
def test_table_misuse_is_a_located_error(source: str, words: str) -> None:
    with pytest.raises(CompileError) as info:
        compile_source(source, "k.py")
    assert words in str(info.value), str(info.value)
    assert info.value.line >= 1
