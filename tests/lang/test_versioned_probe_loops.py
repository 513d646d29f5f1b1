"""Loop versioning for counted loops whose body holds a ``while`` loop (a hash-table probe
per item, the LiDAR filter's cell grid): one guard before the loop stands in for the checks
of ``fate[v]``, ``pts[3 * v + k]``, ``out[3 * v + k]``, ``count[v]``; the probe's own
accesses (its index changes in the ``while``) keep theirs. Whichever version runs, the
result, the exception (IndexError on its line) and the writes made before it are
CPython's."""

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
import math

from portalis.lang import Array, f64, i32, i64


def cells(
    pts: Array[f64], fate: Array[i32], table: Array[i64], out: Array[i32], count: Array[i64],
    n: int, lo: int, mask: int,
) -> int:
    found = 0
    for v in range(lo, n):
        if fate[v] != 0:
            continue
        ix = math.floor(pts[3 * v] * 0.5)
        iy = math.floor(pts[3 * v + 1] * 0.5)
        out[3 * v] = ix
        out[3 * v + 1] = iy
        key = ix * 7 + iy
        slot = key & mask
        c = -1
        entry = table[slot]
        while entry != -1:
            if entry >> 8 == key:
                c = entry & 255
                break
            slot = (slot + 1) & mask
            entry = table[slot]
        if c >= 0:
            found += 1
        out[3 * v + 2] = c
        count[v] += 1
    return found
"""


@pytest.fixture(scope="module")
def kernels():  # type: ignore[no-untyped-def]
    return python_and_compiled(SOURCE, "probe.py")


def _run(fn, *args):  # type: ignore[no-untyped-def]
    """("ok", result) or ("raise", exception name, line in the kernel's source)."""
    try:
        return ("ok", fn(*args))
    except WasmTrap as e:
        return ("raise", e.python_exception, e.line)
    except (IndexError, ValueError, OverflowError) as e:
        lines = [
            f.lineno for f in traceback.extract_tb(e.__traceback__) if f.filename == "probe.py"
        ]
        return ("raise", type(e).__name__, lines[-1])


@settings(max_examples=200, deadline=None)
@given(
    st.integers(0, 8),
    st.integers(-2, 2),
    st.integers(-2, 2),
    st.integers(-2, 2),
    st.integers(-3, 3),
    st.integers(-3, 9),
    st.sampled_from([0, 1, 3, 7]),
    st.lists(st.floats(-9.0, 9.0, allow_nan=False), min_size=30, max_size=30),
    st.lists(st.integers(0, 1), min_size=10, max_size=10),
    st.lists(st.integers(-1, 300), min_size=8, max_size=8),
)
def test_probe_loop_matches_cpython(  # type: ignore[no-untyped-def]
    kernels,
    m: int,
    pts_short: int,
    out_short: int,
    count_short: int,
    lo: int,
    n: int,
    mask: int,
    coords: list[float],
    fates: list[int],
    entries: list[int],
) -> None:
    """Arrays shorter than the loop reaches (IndexError part-way, after some writes),
    negative starts (indices counting from the end), probes that find, miss or run off the
    table: CPython's outcome."""
    py, wasm = kernels
    pts = np.array(coords[: max(0, 3 * m + pts_short)])
    fate = np.array(fates[:m], dtype=np.int32)
    table = np.array([e if e >= 0 else -1 for e in entries][: mask + 1], dtype=np.int64)
    table[-1] = -1  # every probe ends
    out = np.zeros(max(0, 3 * m + out_short), dtype=np.int32)
    count = np.zeros(max(0, m + count_short), dtype=np.int64)
    args = [pts, fate, table, out, count]
    mine = [a.copy() for a in args]
    expected = _run(py["cells"], *args, n, lo, mask)
    got = _run(wasm.cells, *mine, n, lo, mask)
    assert expected == got, (expected, got)
    for a, b in zip(args, mine, strict=True):
        np.testing.assert_array_equal(a, b)


def test_probe_loop_is_versioned() -> None:
    """Two copies of the counted loop, each holding the probe: the one the guard picks
    raises IndexError only in the probe (``table[slot]``)."""
    fn = wat_shape.function(compile_source(SOURCE, "probe.py").wat, "cells")
    outer = [loop for loop in fn.loops() if any(s.kind == "loop" for s in loop.all()[1:])]
    assert len(outer) == 2
    checked = sorted(loop.instructions().count("local.get $fate.d0") for loop in outer)
    assert checked[0] == 0 and checked[1] > 0
    assert all(loop.raises("IndexError") for loop in outer)
