"""Constant indices checked once before a loop (backend/hoist.py): ``pts[i, 0]``,
``pts[i, 1]``, … read into locals at the top of a loop check their columns against the
array's run-time extent before the loop, when it runs at least once. Whatever the extents
and ranges, results, exceptions (IndexError on CPython's line) and the writes made before
them are CPython's."""

from __future__ import annotations

import traceback

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portalis.errors import WasmTrap
from portalis.lang import compile_source

from . import wat_shape
from .conftest import python_and_compiled

SOURCE = """\
from portalis.lang import Array, f32, f64


def rows(pts: Array[f32, 2], out: Array[f64], lo: int, hi: int, step: int) -> float:
    s = 0.0
    n = pts.shape[0]
    for i in range(max(lo, 0), min(hi, n)):
        x = float(pts[i, 0])
        y = float(pts[i, 1])
        z = float(pts[i, 2]) * 2.0 - x
        out[i] = x + y + z
        s += z
    return s


def down(pts: Array[f64, 2], out: Array[f64], top: int) -> float:
    s = 0.0
    n = min(pts.shape[0], out.shape[0])
    for i in range(min(top, n - 1), -1, -2):
        out[i] = -1.0
        a = pts[i, 3]
        s += a
    for i in range(min(top, n - 1), -1, -2):
        a = pts[i, 1]
        b = -pts[i, 3]
        out[i] = a + b
        s += b
    return s


def mixed(pts: Array[f64, 2], other: Array[f64, 2], out: Array[f64], j: int, hi: int) -> float:
    s = 0.0
    n = min(pts.shape[0], out.shape[0], hi)
    for i in range(n):
        a = pts[i, 0]
        b = other[j, 1]
        c = pts[i, 4]
        out[i] = a + b + c
        s += c
    return s


def nested(pts: Array[f64, 2], out: Array[f64], k: int) -> float:
    s = 0.0
    n = min(pts.shape[0], out.shape[0])
    for r in range(k):
        for i in range(n):
            a = pts[i, 2]
            out[i] += a
            s += a
        out[0] = float(r)
    return s


def first_row(pts: Array[f64, 2], hi: int) -> float:
    s = 0.0
    for i in range(hi):
        a = pts[1, 2]
        s += a + float(i)
    return s
"""


@pytest.fixture(scope="module")
def kernels():  # type: ignore[no-untyped-def]
    return python_and_compiled(SOURCE, "hoisted.py")


def _run(fn, *args):  # type: ignore[no-untyped-def]
    """("ok", result) or ("raise", exception name, line in the kernel's source)."""
    try:
        return ("ok", fn(*args))
    except WasmTrap as e:
        return ("raise", e.python_exception, e.line)
    except IndexError as e:
        line = [
            f.lineno for f in traceback.extract_tb(e.__traceback__) if f.filename == "hoisted.py"
        ]
        return ("raise", "IndexError", line[-1])


def check(kernels, name: str, *args: object) -> None:  # type: ignore[no-untyped-def]
    """Same result or exception (and line) as CPython, and the same writes to every array."""
    py, wasm = kernels
    mine = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    expected, got = _run(py[name], *args), _run(getattr(wasm, name), *mine)
    assert expected == got, (name, args, expected, got)
    for a, b in zip(args, mine, strict=True):
        if isinstance(a, np.ndarray):
            np.testing.assert_array_equal(a, b)


def _points(rows: int, cols: int, dtype: type) -> np.ndarray:
    return (np.arange(rows * cols, dtype=np.float64).reshape(rows, cols) * 0.25 - 1.0).astype(dtype)


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 6), st.integers(0, 5), st.integers(-3, 8), st.integers(-3, 8))
def test_rows_match_cpython(kernels, n: int, cols: int, lo: int, hi: int) -> None:  # type: ignore[no-untyped-def]
    """Too few columns (0, 1, 2: the first missing one's line), empty ranges (no error)."""
    check(kernels, "rows", _points(n, cols, np.float32), np.zeros(n), lo, hi, 1)


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 6), st.integers(0, 6), st.integers(0, 6), st.integers(-2, 8))
def test_negative_steps_match_cpython(kernels, n: int, cols: int, n_out: int, top: int) -> None:  # type: ignore[no-untyped-def]
    """A loop that writes before its read keeps its check; a counted-down loop hoists."""
    check(kernels, "down", _points(n, cols, np.float64), np.zeros(n_out), top)


@settings(max_examples=150, deadline=None)
@given(
    st.integers(0, 5),
    st.integers(0, 6),
    st.integers(0, 4),
    st.integers(0, 3),
    st.integers(-5, 5),
    st.integers(0, 6),
)
def test_unhoisted_read_first_matches_cpython(  # type: ignore[no-untyped-def]
    kernels, n: int, cols: int, other_rows: int, other_cols: int, j: int, hi: int
) -> None:
    """``other[j, 1]`` (a row not proven in range) comes before ``pts[i, 4]``: the latter is
    not hoisted past it, so whichever fails first is the one reported."""
    check(
        kernels,
        "mixed",
        _points(n, cols, np.float64),
        _points(other_rows, other_cols, np.float64),
        np.zeros(n),
        j,
        hi,
    )


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 5), st.integers(0, 4), st.integers(0, 3))
def test_nested_matches_cpython(kernels, n: int, cols: int, k: int) -> None:  # type: ignore[no-untyped-def]
    check(kernels, "nested", _points(n, cols, np.float64), np.zeros(n), k)


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 4), st.integers(0, 4), st.integers(-1, 3))
def test_constant_row_matches_cpython(kernels, n: int, cols: int, hi: int) -> None:  # type: ignore[no-untyped-def]
    """Both indices constant: both checked before the loop, row first."""
    check(kernels, "first_row", _points(n, cols, np.float64), hi)


def _column_checks(instructions: list[str], array: str) -> int:
    """How many ``i64.const c; [local.tee $t;] local.get $ARRAY.d1; i64.ge_u`` (a constant
    column's check)."""
    code = [x for x in instructions if not x.startswith("local.tee ")]
    return sum(
        1
        for k in range(len(code) - 2)
        if code[k].startswith("i64.const ")
        and code[k + 1] == f"local.get ${array}.d1"
        and code[k + 2] == "i64.ge_u"
    )


def test_column_checks_leave_the_loop() -> None:
    """``rows``' three column checks run before its loop (in every version of it); ``down``'s
    first loop writes before its read, so its check stays inside."""
    wat = compile_source(SOURCE, "hoisted.py").wat
    rows_fn = wat_shape.function(wat, "rows")
    assert _column_checks(rows_fn.instructions(), "pts") == 3
    assert all(_column_checks(loop.instructions(), "pts") == 0 for loop in rows_fn.loops())
    first = wat_shape.function(wat, "down").loops()[0]
    assert _column_checks(first.instructions(), "pts") == 1
