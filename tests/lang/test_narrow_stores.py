"""An int stored into a ``u8``/``i32`` array: OverflowError with NumPy's text when under
CPython it would be a Python int out of range, wrapping when it would be a NumPy integer
(frontend/narrow_stores.py). Same outcome and same array contents as CPython with NumPy."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .conftest import Kernels, check, kernels_fixture

SOURCE = """\
from portalis.lang import Array, i32, i64, u8

LIMITS = (255, 256)
TOP = 2147483647
FULL = 255


def store(a: Array[u8], b: Array[i64], v: int, k: int) -> int:
    a[0] = v
    a[1] = b[0]
    a[2] = b[0] + v
    w = b[1] * 2
    a[3] = w
    for i in range(k):
        a[4] = i * 100
    x = v + 1
    a[5] = x
    a[6] = len(a) * v if k > 5 else LIMITS[k % 2] - 1
    for y in b:
        a[7] = y
    return int(a[0]) + int(a[1]) * 1000 + int(a[3])


def store32(a: Array[i32], b: Array[i64], v: int) -> int:
    a[0] = v
    a[1] = b[0] * v
    a[2] = 2147483647
    a[3] = -2147483648
    a[4] = TOP
    if v > 500:
        a[5] = 2147483648
    if v < -250:
        a[6] = -TOP - 2
    return int(a[0]) + int(a[1])


def store8c(a: Array[u8], b: Array[i64], v: int) -> int:
    a[0] = 255
    a[1] = FULL
    if v > 500:
        a[2] = FULL + 1
    if v < -250:
        a[3] = -1
    return int(a[0]) + int(a[1])
"""


pair = kernels_fixture(SOURCE, "narrow.py")


@settings(max_examples=80, deadline=None)
@given(
    st.integers(-300, 600) | st.integers(-(2**40), 2**40),
    st.integers(0, 8),
    st.lists(st.integers(-(2**40), 2**40), min_size=2, max_size=2),
)
def test_narrow_stores_match_numpy(pair: Kernels, v: int, k: int, b: list[int]) -> None:
    for name, dtype in (("store", np.uint8), ("store32", np.int32), ("store8c", np.uint8)):
        args: tuple[Any, ...] = (v, k) if name == "store" else (v,)
        check(pair, name, np.zeros(8, dtype), np.array(b, np.int64), *args)


EDGES = [-(2**63), -(2**32), -(2**31) - 1, -(2**31), -256, -1, 0, 1, 255, 256, 2**31 - 1, 2**31]
EDGES += [2**32 - 1, 2**32, 2**32 + 5, 2**63 - 1, -(2**32) + 5]


@pytest.mark.parametrize("v", EDGES)
def test_each_end_of_the_range(pair: Kernels, v: int) -> None:
    """The check is one compare with the value narrowed and widened back (sign-extended for
    ``i32``, masked for ``u8``): in range exactly at ``-2**31 … 2**31 - 1`` and ``0 … 255``,
    also for values whose low 32 bits alone look in range."""
    b = np.array([1, 1], np.int64)
    check(pair, "store32", np.zeros(8, np.int32), b, v)
    check(pair, "store", np.zeros(8, np.uint8), b, v, 0)


def test_the_message_is_numpys(pair: Kernels) -> None:
    py, wasm = pair
    b = np.array([1, 2], np.int64)
    with pytest.raises(OverflowError) as cpython:
        py["store"](np.zeros(8, np.uint8), b, 300, 0)
    with pytest.raises(OverflowError, match=str(cpython.value)) as compiled:
        wasm.store(np.zeros(8, np.uint8), b, 300, 0)
    assert "(narrow.py:9)" in str(compiled.value)
