"""Value ranges for loops with a step other than a positive constant, and remainders by a
divisor a condition bounded (backend/ranges.py): ``range(0, n, stride)`` with
``stride = max(1, …)`` counts up from 0, ``range(n, 0, -1)`` stays above 0, and
``key % m`` where ``m >= 1`` is in ``[0, m)``. None of those indices needs the
negative-index fix-up; the upper check stays, and out of range the answer — IndexError, the
writes before it — is CPython's."""

from __future__ import annotations

import numpy as np
import pytest

from portalis.lang import compile_source

from . import wat_shape
from .conftest import outcome, python_and_compiled, same

SOURCE = """\
from portalis.lang import Array, f64, i64


def strided(a: Array[f64], n: int) -> float:
    stride = max(1, n // 4)
    total = 0.0
    for v in range(0, n, stride):
        total += a[v]
    return total


def picked(a: Array[f64], key: int, m: int) -> float:
    if m >= 1:
        return a[key % m]
    return -1.0


def shifted_down(a: Array[i64], n: int) -> int:
    for c in range(n, 0, -1):
        a[c] = a[c - 1]
    a[0] = 0
    return n
"""


@pytest.fixture(scope="module")
def kernels():  # type: ignore[no-untyped-def]
    return python_and_compiled(SOURCE, "steps.py")


def test_indices_from_steps_and_remainders_need_no_fix_up() -> None:
    wat = compile_source(SOURCE, "steps.py").wat
    for name in ("strided", "picked", "shifted_down"):
        fn = wat_shape.function(wat, name)
        assert wat_shape.fix_ups(fn) == 0, name
        assert fn.raises("IndexError"), name  # the upper bound is still checked


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("strided", (np.arange(10.0), 10)),
        ("strided", (np.arange(10.0), 3)),
        ("strided", (np.arange(10.0), 0)),
        ("strided", (np.arange(10.0), 13)),  # past the end: IndexError
        ("picked", (np.arange(5.0), -7, 5)),  # Python's remainder: 3
        ("picked", (np.arange(5.0), 12, 4)),
        ("picked", (np.arange(5.0), 12, 9)),  # 3, in range
        ("picked", (np.arange(5.0), 16, 9)),  # 7: IndexError
        ("picked", (np.arange(5.0), 3, 0)),
        ("shifted_down", (np.arange(6, dtype=np.int64), 5)),
        ("shifted_down", (np.arange(6, dtype=np.int64), 0)),
        ("shifted_down", (np.arange(6, dtype=np.int64), 7)),  # a[7]: IndexError, nothing written
    ],
)
def test_same_answer_and_writes_as_cpython(kernels, name: str, args: tuple) -> None:  # type: ignore[no-untyped-def]
    py, wasm = kernels
    copies = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    expected, got = outcome(py[name], *args), outcome(getattr(wasm, name), *copies)
    assert expected[0] == got[0] and same(expected[1], got[1]), (name, expected, got)
    for a, b in zip(args, copies, strict=True):
        if isinstance(a, np.ndarray):
            np.testing.assert_array_equal(a, b)
